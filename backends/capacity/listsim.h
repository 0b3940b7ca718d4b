#pragma once

#include "cachesim.h"
#include "keytable.h"

#include <queue>
#include <vector>

namespace cachescope {

// LRU or FIFO over an intrusive doubly linked list and a key table, with exact TTL expiry: an
// entry is freed at the moment it expires (a heap of expiry times is drained before every
// request), which is what "an expired entry is a miss and frees memory" means for an ideal
// cache. Writes insert or update; an update of an LRU entry moves it to the front, FIFO keeps
// its place. An entry larger than the whole cache is stored and at once evicted again.
class ListSim : public CacheSim
{
public:
    ListSim(bool lru, SizeUnit unit, quint64 capacity) : CacheSim(unit, capacity), m_lru(lru) {}

    bool apply(const SimOp &op) override;
    quint64 used() const override { return m_used; }
    qsizetype entries() const override { return m_index.size(); }

private:
    static constexpr quint32 kNil = ~quint32(0);
    struct Entry
    {
        quint64 key = 0;
        quint64 charge = 0;
        qint64 expiresAt = 0; // ms; 0 = never
        quint32 prev = kNil, next = kNil;
        quint32 generation = 0;
    };
    struct Expiry
    {
        qint64 at;
        quint32 slot;
        quint32 generation;
        bool operator>(const Expiry &o) const { return at > o.at; }
    };

    void expireUntil(qint64 now);
    void store(const SimOp &op, quint32 *slot, bool existed);
    void remove(quint32 slot);
    void unlink(quint32 slot);
    void pushFront(quint32 slot);
    void evict();

    bool m_lru;
    KeyTable<quint32> m_index;
    std::vector<Entry> m_entries;
    std::vector<quint32> m_free;
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> m_expiries;
    quint32 m_head = kNil, m_tail = kNil;
    quint64 m_used = 0;
};

} // namespace cachescope
