#include "redissim.h"

#include "redismemory.h"

namespace cachescope {

RedisSim::RedisSim(bool lfu, bool volatileOnly, SizeUnit unit, quint64 capacity, quint64 seed)
    : CacheSim(unit, capacity), m_lfu(lfu), m_volatileOnly(volatileOnly), m_rng(seed)
{
}

quint64 RedisSim::used() const
{
    if (m_unit != SizeUnit::RedisBytes)
        return m_charges;
    return m_charges + redismemory::tableBytes(m_maxKeys) + redismemory::tableBytes(m_maxVolatile);
}

quint32 RedisSim::lfuDecrAndReturn(const Entry &e, qint64 now) const
{
    const quint32 ldt = e.lru >> 8;
    quint32 counter = e.lru & 255;
    const quint32 minutes = lfuMinutes(now);
    const quint32 elapsed = minutes >= ldt ? minutes - ldt : 65535 - ldt + minutes;
    const quint32 periods = elapsed / kLfuDecayMinutes;
    if (periods)
        counter = periods > counter ? 0 : counter - periods;
    return counter;
}

quint32 RedisSim::lfuLogIncr(quint32 counter)
{
    if (counter == 255)
        return 255;
    // Redis: r = rand()/RAND_MAX, incremented when r < p.
    const double r = double(m_rng() >> 11) * (1.0 / 9007199254740992.0);
    const double baseval = counter > quint32(kLfuInit) ? double(counter - kLfuInit) : 0.0;
    const double p = 1.0 / (baseval * kLfuLogFactor + 1);
    return r < p ? counter + 1 : counter;
}

void RedisSim::touch(Entry &e, qint64 now)
{
    if (m_lfu) {
        const quint32 counter = lfuLogIncr(lfuDecrAndReturn(e, now));
        e.lru = (lfuMinutes(now) << 8) | counter;
    } else {
        e.lru = lruClock(now);
    }
}

quint64 RedisSim::idleScore(const Entry &e, qint64 now) const
{
    if (m_lfu)
        return 255 - lfuDecrAndReturn(e, now);
    const quint32 clock = lruClock(now);
    return clock >= e.lru ? quint64(clock - e.lru) * 1000 : 0;
}

void RedisSim::recharge(Entry &e, quint32 keySize, quint32 valueSize)
{
    e.keySize = keySize;
    e.valueSize = valueSize;
    const quint64 charge = CacheSim::charge(keySize, valueSize, e.expiresAt != 0);
    m_charges = m_charges - e.charge + charge;
    e.charge = charge;
}

void RedisSim::setExpiry(quint32 slot, qint64 expiresAt)
{
    Entry &e = m_entries[slot];
    const bool had = e.expiresAt != 0;
    e.expiresAt = expiresAt;
    if (expiresAt && !had) {
        e.volatilePos = quint32(m_volatile.size());
        m_volatile.push_back(slot);
        m_maxVolatile = qMax<quint64>(m_maxVolatile, m_volatile.size());
    } else if (!expiresAt && had) {
        const quint32 last = m_volatile.back();
        m_volatile[e.volatilePos] = last;
        m_entries[last].volatilePos = e.volatilePos;
        m_volatile.pop_back();
        e.volatilePos = kNone;
    }
    recharge(e, e.keySize, e.valueSize);
}

quint32 RedisSim::insert(const SimOp &op, qint64 now)
{
    quint32 slot;
    if (!m_free.empty()) {
        slot = m_free.back();
        m_free.pop_back();
    } else {
        slot = quint32(m_entries.size());
        m_entries.push_back({});
    }
    m_index.insertOrAssign(op.key, slot);
    Entry &e = m_entries[slot];
    e = Entry{};
    e.key = op.key;
    e.allPos = quint32(m_all.size());
    m_all.push_back(slot);
    m_maxKeys = qMax<quint64>(m_maxKeys, m_all.size());
    // createObject: the LRU clock now, or LFU_INIT_VAL with the current minute.
    e.lru = m_lfu ? (lfuMinutes(now) << 8) | quint32(kLfuInit) : lruClock(now);
    recharge(e, op.keySize, op.valueSize);
    ++m_stats.insertions;
    return slot;
}

void RedisSim::remove(quint32 slot)
{
    Entry &e = m_entries[slot];
    if (e.expiresAt)
        setExpiry(slot, 0); // leaves the volatile set
    const quint32 last = m_all.back();
    m_all[e.allPos] = last;
    m_entries[last].allPos = e.allPos;
    m_all.pop_back();
    m_charges -= e.charge;
    m_index.erase(e.key);
    e = Entry{};
    m_free.push_back(slot);
}

bool RedisSim::expireIfNeeded(quint32 slot, qint64 now)
{
    const Entry &e = m_entries[slot];
    if (e.expiresAt == 0 || e.expiresAt > now)
        return false;
    remove(slot);
    ++m_stats.expirations;
    return true;
}

void RedisSim::populatePool(qint64 now)
{
    const std::vector<quint32> &from = m_volatileOnly ? m_volatile : m_all;
    const size_t n = from.size();
    int count = int(qMin<size_t>(n, kSamples));
    quint32 picked[kSamples];
    for (int j = 0; j < count; ++j) {
        // Distinct random keys (dictGetSomeKeys returns distinct entries).
        for (;;) {
            const quint32 candidate = from[size_t(m_rng() % n)];
            bool dup = false;
            for (int i = 0; i < j; ++i)
                dup = dup || picked[i] == candidate;
            if (!dup) {
                picked[j] = candidate;
                break;
            }
        }
    }
    for (int j = 0; j < count; ++j) {
        const Entry &e = m_entries[picked[j]];
        const quint64 idle = idleScore(e, now);
        // evictionPoolPopulate: the first empty bucket or the first with a smaller idle.
        int k = 0;
        while (k < kPoolSize && m_pool[k].used && m_pool[k].idle < idle)
            ++k;
        if (k == 0 && m_pool[kPoolSize - 1].used)
            continue; // worse than all, and no room
        if (k < kPoolSize && !m_pool[k].used) {
            // an empty bucket: insert there
        } else if (!m_pool[kPoolSize - 1].used) {
            for (int i = kPoolSize - 1; i > k; --i) // room on the right: shift right
                m_pool[i] = m_pool[i - 1];
        } else {
            --k; // no room: drop the leftmost (smallest idle), shift left
            for (int i = 0; i < k; ++i)
                m_pool[i] = m_pool[i + 1];
        }
        m_pool[k] = PoolEntry{e.key, idle, true};
    }
}

bool RedisSim::evictOne(qint64 now)
{
    for (;;) {
        const size_t keys = m_volatileOnly ? m_volatile.size() : m_all.size();
        if (keys == 0)
            return false;
        populatePool(now);
        for (int k = kPoolSize - 1; k >= 0; --k) {
            if (!m_pool[k].used)
                continue;
            const quint64 key = m_pool[k].key;
            m_pool[k] = PoolEntry{};
            const quint32 *slot = m_index.find(key);
            if (slot && (!m_volatileOnly || m_entries[*slot].expiresAt)) {
                remove(*slot);
                ++m_stats.evictions;
                return true;
            }
            // a ghost: try the next one
        }
    }
}

bool RedisSim::makeRoom(qint64 now)
{
    while (used() > m_capacity)
        if (!evictOne(now))
            return false;
    return true;
}

void RedisSim::activeExpireCycle(qint64 now)
{
    for (;;) {
        const size_t num = m_volatile.size();
        if (num == 0)
            return;
        // "slots > DICT_HT_INITIAL_SIZE && num*100/slots < 1": a nearly empty table is left alone.
        const quint64 buckets = redismemory::tableBytes(m_maxVolatile) / 8;
        if (buckets > 4 && num * 100 / buckets < 1)
            return;
        const size_t sample = qMin<size_t>(num, kExpireKeysPerLoop);
        size_t expired = 0;
        for (size_t i = 0; i < sample && !m_volatile.empty(); ++i) {
            if (m_expireCursor >= m_volatile.size())
                m_expireCursor = 0;
            const quint32 slot = m_volatile[m_expireCursor];
            if (expireIfNeeded(slot, now))
                ++expired; // the last key moved into this position: look at it next
            else
                ++m_expireCursor;
        }
        if (expired * 100 / sample <= size_t(kExpireStalePercent))
            return;
    }
}

void RedisSim::runCron(qint64 now)
{
    if (m_nextCron == std::numeric_limits<qint64>::min())
        m_nextCron = now - now % kCronMs + kCronMs;
    // After a long gap a few cycles catch up; more would find nothing new to expire.
    for (int ticks = 0; m_nextCron <= now && ticks < 16; ++ticks) {
        activeExpireCycle(m_nextCron);
        m_nextCron += kCronMs;
    }
    if (m_nextCron <= now)
        m_nextCron = now - now % kCronMs + kCronMs;
}

bool RedisSim::apply(const SimOp &op)
{
    begin(op);
    const qint64 now = op.timeMs;
    runCron(now);
    const bool roomy = makeRoom(now);
    bool hit = false;
    quint32 *found = m_index.find(op.key);
    quint32 slot = found ? *found : kNone;
    if (slot != kNone && expireIfNeeded(slot, now))
        slot = kNone;
    auto store = [&](quint32 s, bool fresh) {
        Entry &e = m_entries[s];
        const qint64 expiresAt = op.ttl > 0 ? now + qint64(op.ttl) * 1000 : 0;
        if (!fresh)
            recharge(e, op.keySize, op.valueSize);
        setExpiry(s, expiresAt);
    };
    switch (op.kind) {
    case SimKind::Read:
        if (slot != kNone) {
            hit = true;
            ++m_stats.hits;
            touch(m_entries[slot], now);
        } else if (!op.storable || op.ttl < 0 || !roomy) {
            ++m_stats.refused;
        } else {
            store(insert(op, now), true);
        }
        break;
    case SimKind::Set:
        if (!op.storable || op.ttl < 0) {
            if (!op.storable)
                ++m_stats.refused;
            if (slot != kNone)
                remove(slot);
        } else if (slot != kNone) {
            touch(m_entries[slot], now); // lookupKeyWrite; an LFU overwrite keeps this counter
            if (!m_lfu)
                m_entries[slot].lru = lruClock(now); // the new object's clock
            store(slot, false);
        } else if (!roomy) {
            ++m_stats.refused;
        } else {
            store(insert(op, now), true);
        }
        break;
    case SimKind::Update:
        if (slot != kNone) {
            touch(m_entries[slot], now);
            recharge(m_entries[slot], op.keySize, op.valueSize);
        }
        break;
    case SimKind::Delete:
        if (slot != kNone)
            remove(slot);
        break;
    }
    end();
    return hit;
}

} // namespace cachescope
