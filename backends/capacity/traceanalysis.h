#pragma once

#include "traceprofile.h"

#include <QList>
#include <QString>

namespace cachescope {

// A labelled count, for histograms drawn as bars.
struct HistogramBin
{
    QString label;
    quint64 count = 0;
};

// One slice of a trace's time span.
struct TimeSlice
{
    qint64 startMs = 0;
    quint64 requests = 0, reads = 0, writes = 0;
    quint64 outcomeHits = 0, outcomeMisses = 0;
    quint64 distinctKeys = 0;  // keys used in this slice (the slice's working set)
    quint64 distinctBytes = 0; // their key + value bytes
    quint64 newKeys = 0;       // keys seen for the first time
};

// The workload of one cache, as the Capacity page and report show it beside its curve.
struct TraceAnalysis
{
    TraceProfile profile;
    double requestsPerSecond = 0, readsPerSecond = 0, writesPerSecond = 0;
    double readShare = 0;               // reads / (reads + writes)
    double sliceSeconds = 0;
    QList<TimeSlice> timeline;
    QList<HistogramBin> objectSizes;    // distinct keys by value size (powers of two)
    QList<HistogramBin> ttls;           // sets by TTL
    QList<HistogramBin> reuseDistances; // reads by LRU stack distance in keys (powers of two), "cold" first
    // Linear trend of the distinct keys over the trace (least squares on the cumulative count).
    double newKeysPerHour = 0;
    quint64 projectedKeys7d = 0, projectedKeys30d = 0;
    quint64 projectedBytes30d = 0;      // projected keys x mean object size
};

Expected<TraceAnalysis> analyzeTrace(RecordSource &source, int cache, int slices = 60,
                                     quint64 keyBudget = 8'000'000, const std::atomic_bool *cancel = nullptr);

} // namespace cachescope
