#pragma once

#include "cachesim.h"
#include "keytable.h"

#include <array>
#include <limits>
#include <random>
#include <vector>

namespace cachescope {

// Redis 7.0's maxmemory eviction and expiry, replayed (redis › src/evict.c, src/expire.c,
// src/db.c @ 7.0.15):
//  - before every command, while used memory exceeds maxmemory, evict: sample maxmemory-samples
//    (5) keys (all keys, or those with a TTL for volatile-*) into an eviction pool of 16 kept
//    sorted by "idle" score, then evict the best key of the pool that still exists (entries of
//    deleted keys are ghosts and skipped), sampling again when none is left (performEvictions,
//    evictionPoolPopulate). Sampling picks random keys; Redis picks a random run of hash buckets,
//    which is as random with respect to access history;
//  - LRU score: idle = (LRU clock - the object's clock) x 1000 ms, the clock in whole seconds
//    (LRU_CLOCK_RESOLUTION 1000); touched on every read and write lookup;
//  - LFU score: 255 - counter; new keys start at LFU_INIT_VAL 5; an access first decays the
//    counter by the minutes since its last decrement / lfu-decay-time (1), then increments it
//    with probability 1 / ((counter - 5) x lfu-log-factor (10) + 1); an overwrite keeps it;
//  - expiry: lazy on lookup (an expired key is deleted and the lookup misses) plus the active
//    cycle 10 times a second (hz 10): 20 keys with a TTL at a time, in table order, repeated
//    while more than 10 % of them had expired (activeExpireCycle);
//  - memory in redis-bytes: each key's allocations (redismemory.h) plus the main and expires
//    dicts' bucket arrays, which grow with the most keys they held and do not shrink here.
// A write that cannot make room (volatile-* without volatile keys) is refused, as Redis
// answers OOM.
class RedisSim : public CacheSim
{
public:
    RedisSim(bool lfu, bool volatileOnly, SizeUnit unit, quint64 capacity, quint64 seed);

    bool apply(const SimOp &op) override;
    quint64 used() const override;
    qsizetype entries() const override { return m_index.size(); }

    static constexpr int kSamples = 5;      // maxmemory-samples
    static constexpr int kPoolSize = 16;    // EVPOOL_SIZE
    static constexpr int kLfuInit = 5;      // LFU_INIT_VAL
    static constexpr int kLfuLogFactor = 10;
    static constexpr int kLfuDecayMinutes = 1;
    static constexpr qint64 kCronMs = 100;  // 1000 / hz
    static constexpr int kExpireKeysPerLoop = 20;
    static constexpr int kExpireStalePercent = 10;

private:
    static constexpr quint32 kNone = ~quint32(0);
    struct Entry
    {
        quint64 key = 0;
        quint64 charge = 0;
        qint64 expiresAt = 0; // ms; 0 = never
        quint32 allPos = kNone;
        quint32 volatilePos = kNone;
        quint32 lru = 0;      // LRU clock (s), or LFU: minutes << 8 | counter
        quint32 keySize = 0;
        quint32 valueSize = 0;
    };
    struct PoolEntry
    {
        quint64 key = 0;
        quint64 idle = 0;
        bool used = false;
    };

    quint32 lruClock(qint64 ms) const { return quint32(ms / 1000); }
    quint32 lfuMinutes(qint64 ms) const { return quint32((ms / 60000) & 65535); }
    quint32 lfuDecrAndReturn(const Entry &e, qint64 now) const;
    quint32 lfuLogIncr(quint32 counter);
    void touch(Entry &e, qint64 now);
    quint64 idleScore(const Entry &e, qint64 now) const;

    void runCron(qint64 now);
    void activeExpireCycle(qint64 now);
    bool evictOne(qint64 now);
    void populatePool(qint64 now);
    quint32 insert(const SimOp &op, qint64 now);
    void setExpiry(quint32 slot, qint64 expiresAt);
    void remove(quint32 slot);
    bool expireIfNeeded(quint32 slot, qint64 now); // true: it was expired and is gone
    void recharge(Entry &e, quint32 keySize, quint32 valueSize);
    bool makeRoom(qint64 now); // performEvictions; false when over and nothing can go

    bool m_lfu;
    bool m_volatileOnly;
    std::mt19937_64 m_rng;
    KeyTable<quint32> m_index;
    std::vector<Entry> m_entries;
    std::vector<quint32> m_free;
    std::vector<quint32> m_all;      // dense: slots of every key (random sampling)
    std::vector<quint32> m_volatile; // dense: slots of keys with a TTL
    std::array<PoolEntry, kPoolSize> m_pool{};
    quint64 m_charges = 0;
    quint64 m_maxKeys = 0, m_maxVolatile = 0; // what the dict tables grew to
    qint64 m_nextCron = std::numeric_limits<qint64>::min();
    size_t m_expireCursor = 0;
};

} // namespace cachescope
