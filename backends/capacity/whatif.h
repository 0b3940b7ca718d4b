#pragma once

#include "mrc.h"

#include <QString>

namespace cachescope {

// One configuration of one cache, replayed: the answer to "what if this cache had that size,
// policy, timeout or value cap".
struct WhatIfRequest
{
    int cache = 0;
    CachePolicy policy = CachePolicy::Lru;
    SizeUnit unit = SizeUnit::Keys;
    quint64 size = 0;
    ReplayOptions replay;
    double sampleRate = 1.0; // below 1: a miniature simulation on that share of the keys
    quint64 seed = 1;
    int masters = 1; // a Redis Cluster of that many masters sharing `size` (ClusterSim)
};

struct WhatIfResult
{
    double hitRatio = 0;
    double meanUsed = 0, peakUsed = 0;  // in the unit of the size
    double readsPerSecond = 0;
    double missesPerSecond = 0;         // reads that reach the database (backend load)
    double evictionsPerSecond = 0;
    double expirationsPerSecond = 0;
    double refusedPerSecond = 0;        // writes not stored (over the value cap, OOM)
    double sampleRate = 1.0;
    double seconds = 0;                 // trace time replayed
};

Expected<WhatIfResult> whatIf(RecordSource &source, const WhatIfRequest &request, const TraceProfile &profile,
                              const std::atomic_bool *cancel = nullptr);

// What a trace says a cache is configured as now, to mark on its curve and to start the what-if from.
struct CurrentConfig
{
    bool known = false;      // false: nothing in the trace says (Twitter, oracleGeneral)
    CachePolicy policy = CachePolicy::Lru;
    SizeUnit unit = SizeUnit::Keys;
    quint64 size = 0;        // 0 with known: unlimited (no threshold, no maxmemory)
    qint64 defaultTimeout = -1;
    int masters = 1;         // a Redis Cluster's masters, sharing `size`
    QString description;     // "SimpleCache, CACHE_THRESHOLD 400, timeout 600 s"
};
CurrentConfig currentConfigFor(const TraceCacheInfo &info);

// The smallest size within `tolerance` of the best hit ratio the curve reaches, and the advice
// in words (compared with the current size when known).
struct Recommendation
{
    quint64 size = 0;
    double hitRatio = 0;
    QString text;
};
Recommendation recommend(const CurveResult &curve, const CurrentConfig &current, double tolerance = 0.01);

// Sizes for people: "400 keys", "12.5 MiB".
QString formatSize(double size, SizeUnit unit);

} // namespace cachescope
