#pragma once

#include "cachesim.h"
#include "recordsource.h"

#include <QString>

#include <cmath>
#include <limits>

namespace cachescope {

// SHARDS spatial sampling (Waldspurger et al., FAST'15): a key is kept when its hash modulo P
// is below a threshold T, so rate R = T / P and every request of a kept key is kept.
namespace shards {
inline constexpr quint64 kModulus = quint64(1) << 24; // P
inline quint64 bucket(quint64 key)
{
    return samplingHash(key) & (kModulus - 1);
}
inline quint64 thresholdFor(double rate)
{
    return qBound(quint64(1), quint64(std::llround(rate * double(kModulus))), kModulus);
}
// Which of k disjoint sub-samples a kept key belongs to (bits above the ones the threshold uses).
inline int partition(quint64 key, int k)
{
    return int((samplingHash(key) >> 24) % quint64(k));
}
} // namespace shards

// --sample: every key, a fixed rate, or a fixed number of keys (the rate follows from the trace).
struct Sampling
{
    enum class Mode { Exact, Rate, FixedSize };
    Mode mode = Mode::Exact;
    double rate = 1.0;   // Mode::Rate
    quint64 keys = 0;    // Mode::FixedSize
    // "exact", a rate "0.01" (or "1%"), or "fixed:N".
    static Expected<Sampling> parse(const QString &text);
    QString text() const;
    bool operator==(const Sampling &o) const = default;
};

// One pass over a cache's requests: what the curve needs to choose its method and its sizes,
// and the workload figures shown beside it. Memory is bounded by keyBudget distinct keys:
// beyond that the key figures are estimated from a hash sample (uniqueEstimated).
struct TraceProfile
{
    int cache = 0;
    QString cacheName;
    quint64 records = 0, reads = 0, sets = 0, updates = 0, deletes = 0;
    quint64 outcomeHits = 0, outcomeMisses = 0; // reads whose outcome the trace recorded
    quint64 uniqueKeys = 0;
    bool uniqueEstimated = false;
    double keySampleRate = 1.0; // of the key figures
    quint64 uniqueBytes = 0;    // key + value bytes of the distinct keys (last known sizes)
    quint64 workingSet = 0;     // in the unit profiled: keys, bytes, or Redis bytes with its tables
    double meanValueSize = 0;
    bool hasTtl = false, hasUpdate = false, hasDelete = false, hasShrink = false;
    qint64 firstMs = 0, lastMs = 0;
    quint64 fixedSizeThreshold = 0; // the SHARDS threshold keeping at most the asked number of keys

    // Counts one request of this cache: the totals, the time span and the kinds of request.
    void count(const TraceRecord &r);
    double seconds() const { return double(lastMs - firstMs) / 1000.0; }
    double observedHitRatio() const
    {
        return outcomeHits + outcomeMisses ? double(outcomeHits) / double(outcomeHits + outcomeMisses)
                                           : std::numeric_limits<double>::quiet_NaN();
    }
};

// fixedSizeKeys > 0 also finds the SHARDS threshold that keeps at most that many keys.
// keyThreshold < kModulus looks at the keys of that sample only (a sampled curve needs no more):
// the key figures are then estimates from it, and the pass costs little more than reading.
Expected<TraceProfile> profileTrace(RecordSource &source, int cache, SizeUnit unit, quint64 keyBudget,
                                    quint64 fixedSizeKeys = 0, const std::atomic_bool *cancel = nullptr,
                                    quint64 keyThreshold = shards::kModulus);

} // namespace cachescope
