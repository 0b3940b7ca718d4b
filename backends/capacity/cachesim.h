#pragma once

#include "replay.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace cachescope {

// The eviction policies a cache size can be simulated with. Each is TTL-aware: an expired entry
// is a miss, and its memory is freed as that backend frees it.
enum class CachePolicy {
    Lru,                // exact LRU; expired entries are freed at their expiry
    Fifo,               // first in, first out; same expiry
    RedisAllKeysLru,    // maxmemory-policy allkeys-lru: sampled, 1-s clock, pool of 16
    RedisAllKeysLfu,    // allkeys-lfu: Morris counter, lfu-log-factor 10, lfu-decay-time 1
    RedisVolatileLru,   // the same, choosing among keys with a TTL only
    RedisVolatileLfu,
    SimpleThreshold,    // cachelib SimpleCache: CACHE_THRESHOLD entries, pruned on set
    FileSystemThreshold, // cachelib FileSystemCache: the same on files
};

QString policyName(CachePolicy policy); // lru, fifo, redis-lru, redis-lfu, redis-volatile-lru, ...
// "threshold" is not a policy by itself: the caller picks Simple or FileSystem by the cache.
std::optional<CachePolicy> policyFromName(const QString &name);
QStringList policyNames();
bool isRedisPolicy(CachePolicy policy);
bool isThresholdPolicy(CachePolicy policy);

// What a size counts: entries, bytes (key + value), or bytes as Redis's maxmemory counts them
// (redismemory.h: allocations of the dict entry, key, value object and expiry entry).
enum class SizeUnit { Keys, Bytes, RedisBytes };
QString sizeUnitName(SizeUnit unit); // keys, bytes, redis-bytes
std::optional<SizeUnit> sizeUnitFromName(const QString &name);

// What happened while one size was replayed.
struct SimStats
{
    quint64 requests = 0;
    quint64 reads = 0;
    quint64 hits = 0;
    quint64 insertions = 0;   // fills and sets that stored a new entry
    quint64 evictions = 0;    // entries removed to make room
    quint64 expirations = 0;  // entries removed because their TTL ran out (or a prune of expired ones)
    quint64 refused = 0;      // writes that could not be stored (over the value cap, no evictable key)
    quint64 peakUsed = 0;     // in the size's unit
    double usedTimeIntegral = 0; // used x ms
    qint64 firstMs = 0;
    qint64 lastMs = 0;

    double hitRatio() const { return reads ? double(hits) / double(reads) : 0.0; }
    double seconds() const { return double(lastMs - firstMs) / 1000.0; }
    double meanUsed() const { return lastMs > firstMs ? usedTimeIntegral / double(lastMs - firstMs) : double(peakUsed); }
    double perSecond(quint64 n) const { return seconds() > 0 ? double(n) / seconds() : 0.0; }
};

// One cache of one size replaying SimOps.
class CacheSim
{
public:
    CacheSim(SizeUnit unit, quint64 capacity) : m_unit(unit), m_capacity(capacity) {}
    virtual ~CacheSim() = default;
    CacheSim(const CacheSim &) = delete;
    CacheSim &operator=(const CacheSim &) = delete;

    // Applies one request; returns true for a read that hit.
    virtual bool apply(const SimOp &op) = 0;
    virtual quint64 used() const = 0;
    virtual qsizetype entries() const = 0;

    const SimStats &stats() const { return m_stats; }
    SizeUnit unit() const { return m_unit; }
    quint64 capacity() const { return m_capacity; }

    // What an entry counts against the capacity.
    quint64 charge(quint32 keySize, quint32 valueSize, bool hasTtl) const;

    // A simulator for `policy`; seed makes the sampled policies (Redis) repeatable. masters > 1:
    // a Redis Cluster of that many masters sharing `capacity` (ClusterSim).
    static std::unique_ptr<CacheSim> create(CachePolicy policy, SizeUnit unit, quint64 capacity, quint64 seed = 1,
                                            int masters = 1);

protected:
    // Before each request: counts it and integrates memory over time.
    void begin(const SimOp &op)
    {
        if (m_stats.requests++ == 0)
            m_stats.firstMs = m_stats.lastMs = op.timeMs;
        if (op.timeMs > m_stats.lastMs)
            m_stats.usedTimeIntegral += double(used()) * double(op.timeMs - m_stats.lastMs);
        m_stats.lastMs = qMax(m_stats.lastMs, op.timeMs);
        if (op.kind == SimKind::Read)
            ++m_stats.reads;
    }
    void end()
    {
        m_stats.peakUsed = qMax(m_stats.peakUsed, used());
    }

    SizeUnit m_unit;
    quint64 m_capacity;
    SimStats m_stats;
};

} // namespace cachescope
