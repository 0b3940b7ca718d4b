#pragma once

#include "cachesim.h"
#include "traceprofile.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace cachescope {

// What curve to compute for one cache of a trace.
struct CurveRequest
{
    int cache = 0;
    CachePolicy policy = CachePolicy::Lru;
    SizeUnit unit = SizeUnit::Keys;
    QList<quint64> sizes;  // empty: `points` sizes evenly spaced up to the working set
    int points = 100;
    Sampling sampling;
    ReplayOptions replay;
    bool errorBand = false; // sampled: also the spread of 4 disjoint sub-samples
    quint64 keyBudget = 8'000'000; // distinct keys handled exactly; more switches to sampling
    quint64 seed = 1;
    int masters = 1; // a Redis Cluster of that many masters, each evicting on its own (ClusterSim)
};

struct CurvePoint
{
    quint64 size = 0;
    double hitRatio = 0;
    double band = 0; // half-width of an approximate 95 % band (sampled curves with errorBand)
};

// A miss-ratio curve (as hit ratios) and how it was made.
struct CurveResult
{
    TraceProfile profile;
    CachePolicy policy = CachePolicy::Lru;
    SizeUnit unit = SizeUnit::Keys;
    Sampling sampling;        // as asked
    double sampleRate = 1.0;  // as used (fixed-size and budget sampling decide it from the trace)
    QString method;           // "stack" (one pass, every size) or "simulation" (one replay per size)
    QList<CurvePoint> points;
    QStringList warnings;
    double hitRatioAt(quint64 size) const; // interpolated between points
};

// Exact LRU curves come from stack distances in one pass when that is exact for the trace (see
// LruStack): LRU without TTLs or in-place updates, in keys, or in bytes without deletes or
// shrinking objects. Everything else replays each size with its simulator, sizes in parallel.
// Sampled curves (SHARDS) scale distances by 1/R (with the SHARDS-adj correction for a fixed
// rate), or simulate caches of R x size on the sampled requests (miniature simulation,
// Waldspurger et al., ATC'17).
Expected<CurveResult> computeCurve(RecordSource &source, const CurveRequest &request,
                                   const std::atomic_bool *cancel = nullptr);

// `points` sizes evenly spaced up to the working set (at least 1 each, no repeats).
QList<quint64> defaultSizes(quint64 workingSet, int points);

// Replays one size and returns everything it saw (what-if answers, the simulator's figures).
struct ReplayRun
{
    SimStats stats;
    double sampleRate = 1.0;
};
Expected<ReplayRun> replayOneSize(RecordSource &source, int cache, CachePolicy policy, SizeUnit unit, quint64 size,
                                  const ReplayOptions &replay, const TraceProfile &profile, double sampleRate = 1.0,
                                  quint64 seed = 1, int masters = 1, const std::atomic_bool *cancel = nullptr);

} // namespace cachescope
