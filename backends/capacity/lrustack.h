#pragma once

#include "keytable.h"

#include <QtGlobal>

#include <set>
#include <vector>

namespace cachescope {

// Mattson's LRU stack in O(log M) per request: the stack distance of an access is the number
// (or total size) of distinct keys used since the key's previous use, counted with a Fenwick
// tree over "last use" positions (one marker per key, moved to the newest position on each use);
// M is the number of keys. Positions are renumbered when they run out, so memory stays O(M)
// however long the trace (positions are 2x the live markers at most).
//
// An access hits a cache of size S exactly when its distance is at most S, for every S at once.
// That holds for LRU in keys with deletions too: a deleted key leaves a hole (a free slot in
// every cache deep enough to have held it) which the next insertion above it fills, and the key
// it moves from becomes the hole instead (see access()). In bytes (weights = object sizes) it
// holds when objects keep their size or grow and are never deleted; callers use a per-size
// simulation otherwise (mrc.cpp decides from a pre-pass).
template<typename Weight>
class LruStack
{
public:
    static constexpr quint64 kCold = ~quint64(0); // never used before (or deleted): a miss at every size

    LruStack() { reset(1 << 16); }

    // Uses `key` (get, set, update): returns its distance before this use, computed with its
    // stored weight, then stores `weight` and moves it to the top.
    quint64 access(quint64 key, Weight weight)
    {
        if (m_next == m_owner.size())
            compact();
        bool inserted = false;
        quint32 &slotRef = m_index.findOrInsert(key, &inserted);
        quint64 distance = kCold;
        quint32 slot;
        if (inserted) {
            slot = allocSlot(key);
            slotRef = slot;
            // A new key fills the topmost hole, if any: every cache deep enough had a free slot.
            if (!m_holes.empty())
                consumeHole(*m_holes.rbegin());
        } else {
            slot = slotRef;
            Entry &e = m_entries[slot];
            distance = quint64(m_total - prefix(e.pos)) + quint64(e.weight);
            // A hole above the key (more recent) is filled by this use in the caches too small to
            // have held the key; in the deeper ones, which did hold it, its old place becomes free.
            if (!m_holes.empty() && *m_holes.rbegin() > e.pos) {
                consumeHole(*m_holes.rbegin());
                m_owner[e.pos] = kHole;
                m_holes.insert(e.pos);
            } else {
                add(e.pos, -Weight(e.weight));
                m_owner[e.pos] = kEmpty;
            }
        }
        Entry &e = m_entries[slot];
        e.pos = m_next;
        e.weight = weight;
        m_owner[m_next] = slot;
        add(m_next, weight);
        ++m_next;
        return distance;
    }

    // Removes a key (a delete): it leaves a hole of its weight (see above). false when unknown.
    bool remove(quint64 key)
    {
        const quint32 *slotPtr = m_index.find(key);
        if (!slotPtr)
            return false;
        const quint32 slot = *slotPtr;
        m_index.erase(key);
        Entry &e = m_entries[slot];
        m_owner[e.pos] = kHole;
        m_holes.insert(e.pos);
        freeSlot(slot);
        return true;
    }

    // Drops a key without a trace (SHARDS lowering its sampling threshold): no hole.
    bool forget(quint64 key)
    {
        const quint32 *slotPtr = m_index.find(key);
        if (!slotPtr)
            return false;
        const quint32 slot = *slotPtr;
        m_index.erase(key);
        Entry &e = m_entries[slot];
        add(e.pos, -Weight(e.weight));
        m_owner[e.pos] = kEmpty;
        freeSlot(slot);
        return true;
    }

    bool contains(quint64 key) const { return m_index.contains(key); }
    qsizetype keys() const { return m_index.size(); }
    // Sum of the weights of the keys (and holes) in the stack.
    quint64 totalWeight() const { return quint64(m_total); }
    size_t memoryBytes() const
    {
        return m_index.memoryBytes() + m_entries.capacity() * sizeof(Entry) + m_tree.capacity() * sizeof(Weight)
             + m_owner.capacity() * sizeof(quint32) + m_holes.size() * 48;
    }

private:
    static constexpr quint32 kEmpty = ~quint32(0);
    static constexpr quint32 kHole = ~quint32(0) - 1;
    struct Entry
    {
        quint64 key;
        quint64 pos;
        Weight weight;
    };

    // Fenwick tree, 0-based positions.
    void add(quint64 pos, Weight delta)
    {
        m_total += delta;
        for (size_t i = size_t(pos) + 1; i <= m_tree.size(); i += i & (~i + 1))
            m_tree[i - 1] += delta;
    }
    Weight prefix(quint64 pos) const // sum of [0, pos]
    {
        Weight s = 0;
        for (size_t i = size_t(pos) + 1; i > 0; i &= i - 1)
            s += m_tree[i - 1];
        return s;
    }
    Weight weightAt(quint64 pos) const { return prefix(pos) - (pos ? prefix(pos - 1) : Weight(0)); }

    void consumeHole(quint64 pos)
    {
        add(pos, -weightAt(pos));
        m_owner[pos] = kEmpty;
        m_holes.erase(pos);
    }

    quint32 allocSlot(quint64 key)
    {
        quint32 slot;
        if (!m_free.empty()) {
            slot = m_free.back();
            m_free.pop_back();
        } else {
            slot = quint32(m_entries.size());
            m_entries.push_back({});
        }
        m_entries[slot].key = key;
        return slot;
    }
    void freeSlot(quint32 slot) { m_free.push_back(slot); }

    void reset(size_t capacity)
    {
        m_tree.assign(capacity, 0);
        m_owner.assign(capacity, kEmpty);
        m_next = 0;
        m_total = 0;
    }

    // Renumbers the live markers 0..L-1 in order and rebuilds the tree in O(capacity).
    void compact()
    {
        std::vector<Weight> weights;
        std::vector<quint32> owners;
        weights.reserve(size_t(m_index.size() + qsizetype(m_holes.size())));
        owners.reserve(weights.capacity());
        std::set<quint64> holes;
        for (quint64 pos = 0; pos < m_next; ++pos) {
            const quint32 o = m_owner[pos];
            if (o == kEmpty)
                continue;
            const quint64 at = owners.size();
            if (o == kHole) {
                weights.push_back(weightAt(pos));
                holes.insert(at);
            } else {
                weights.push_back(m_entries[o].weight);
                m_entries[o].pos = at;
            }
            owners.push_back(o);
        }
        const size_t live = owners.size();
        reset(qMax<size_t>(1 << 16, live * 2));
        for (size_t i = 0; i < live; ++i) {
            m_owner[i] = owners[i];
            m_tree[i] = weights[i];
            m_total += weights[i];
        }
        // Linear Fenwick build: each node passes its partial sum to its parent (0-based i | (i + 1)).
        for (size_t i = 0; i < m_tree.size(); ++i) {
            const size_t parent = i | (i + 1);
            if (parent < m_tree.size())
                m_tree[parent] += m_tree[i];
        }
        m_next = live;
        m_holes = std::move(holes);
    }

    KeyTable<quint32> m_index;     // key -> entry slot
    std::vector<Entry> m_entries;
    std::vector<quint32> m_free;   // reusable entry slots
    std::vector<Weight> m_tree;    // Fenwick over positions
    std::vector<quint32> m_owner;  // position -> entry slot, kHole or kEmpty
    std::set<quint64> m_holes;     // positions of holes
    quint64 m_next = 0;
    Weight m_total = 0;
};

} // namespace cachescope
