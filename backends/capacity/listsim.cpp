#include "listsim.h"

namespace cachescope {

void ListSim::unlink(quint32 slot)
{
    Entry &e = m_entries[slot];
    if (e.prev != kNil)
        m_entries[e.prev].next = e.next;
    else
        m_head = e.next;
    if (e.next != kNil)
        m_entries[e.next].prev = e.prev;
    else
        m_tail = e.prev;
    e.prev = e.next = kNil;
}

void ListSim::pushFront(quint32 slot)
{
    Entry &e = m_entries[slot];
    e.prev = kNil;
    e.next = m_head;
    if (m_head != kNil)
        m_entries[m_head].prev = slot;
    m_head = slot;
    if (m_tail == kNil)
        m_tail = slot;
}

void ListSim::remove(quint32 slot)
{
    Entry &e = m_entries[slot];
    unlink(slot);
    m_used -= e.charge;
    m_index.erase(e.key);
    ++e.generation; // a pending expiry of this slot is stale from now on
    m_free.push_back(slot);
}

void ListSim::expireUntil(qint64 now)
{
    while (!m_expiries.empty() && m_expiries.top().at <= now) {
        const Expiry x = m_expiries.top();
        m_expiries.pop();
        const Entry &e = m_entries[x.slot];
        if (e.generation != x.generation || e.expiresAt != x.at)
            continue; // removed or rewritten since
        remove(x.slot);
        ++m_stats.expirations;
    }
    // Stale heap entries (rewritten keys) are dropped in bulk when they outnumber the live ones.
    if (m_expiries.size() > 64 && m_expiries.size() > size_t(m_index.size()) * 4) {
        std::vector<Expiry> live;
        while (!m_expiries.empty()) {
            const Expiry x = m_expiries.top();
            m_expiries.pop();
            const Entry &e = m_entries[x.slot];
            if (e.generation == x.generation && e.expiresAt == x.at)
                live.push_back(x);
        }
        m_expiries = decltype(m_expiries)(std::greater<>(), std::move(live));
    }
}

void ListSim::evict()
{
    while (m_used > m_capacity && m_tail != kNil) {
        remove(m_tail);
        ++m_stats.evictions;
    }
}

void ListSim::store(const SimOp &op, quint32 *slotRef, bool existed)
{
    quint32 slot;
    if (existed) {
        slot = *slotRef;
    } else {
        if (!m_free.empty()) {
            slot = m_free.back();
            m_free.pop_back();
        } else {
            slot = quint32(m_entries.size());
            m_entries.push_back({});
        }
        *slotRef = slot;
        m_entries[slot].key = op.key;
        ++m_stats.insertions;
    }
    Entry &e = m_entries[slot];
    const quint64 charge = CacheSim::charge(op.keySize, op.valueSize, op.ttl > 0);
    m_used = m_used - (existed ? e.charge : 0) + charge;
    e.charge = charge;
    if (!existed)
        pushFront(slot);
    else if (m_lru) {
        unlink(slot);
        pushFront(slot);
    }
    e.expiresAt = op.ttl > 0 ? op.timeMs + qint64(op.ttl) * 1000 : 0;
    if (e.expiresAt)
        m_expiries.push({e.expiresAt, slot, e.generation});
    evict();
}

bool ListSim::apply(const SimOp &op)
{
    begin(op);
    expireUntil(op.timeMs);
    bool hit = false;
    switch (op.kind) {
    case SimKind::Read: {
        if (quint32 *slot = m_index.find(op.key)) {
            hit = true;
            ++m_stats.hits;
            if (m_lru) {
                unlink(*slot);
                pushFront(*slot);
            }
        } else if (!op.storable) {
            ++m_stats.refused;
        } else if (op.ttl >= 0) {
            bool inserted = false;
            quint32 &slotRef = m_index.findOrInsert(op.key, &inserted);
            store(op, &slotRef, false);
        }
        break;
    }
    case SimKind::Set: {
        quint32 *slot = m_index.find(op.key);
        if (!op.storable || op.ttl < 0) {
            if (!op.storable)
                ++m_stats.refused;
            if (slot)
                remove(*slot);
        } else if (slot) {
            store(op, slot, true);
        } else {
            quint32 &slotRef = m_index.findOrInsert(op.key);
            store(op, &slotRef, false);
        }
        break;
    }
    case SimKind::Update: {
        if (quint32 *slot = m_index.find(op.key)) {
            Entry &e = m_entries[*slot];
            const quint64 charge = CacheSim::charge(op.keySize, op.valueSize, e.expiresAt != 0);
            m_used = m_used - e.charge + charge;
            e.charge = charge;
            if (m_lru) {
                unlink(*slot);
                pushFront(*slot);
            }
            evict();
        }
        break;
    }
    case SimKind::Delete:
        if (quint32 *slot = m_index.find(op.key))
            remove(*slot);
        break;
    }
    end();
    return hit;
}

} // namespace cachescope
