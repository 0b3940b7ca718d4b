#pragma once

#include "keytable.h"

#include <QtGlobal>

#include <bit>
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
    void prefetch(quint64 key) const { m_index.prefetch(key); }
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

// The same stack for sizes in keys (every weight 1), laid out for speed: the key table maps each
// key straight to its position, a bitmap marks the live positions and a Fenwick tree counts them
// per 64-position block (for 4M positions: 512 KiB of bits, 256 KiB of tree, both cache-friendly).
// Nothing per position besides one bit: renumbering walks the key table and ranks each position
// in the bitmap. A use costs one key-table probe (prefetchable) and a few short tree walks.
class UnitLruStack
{
public:
    static constexpr quint64 kCold = ~quint64(0);

    UnitLruStack() { reset(1 << 16); }

    quint64 access(quint64 key, quint32 = 1)
    {
        if (m_next == capacity())
            compact();
        bool inserted = false;
        quint32 &pos = m_pos.findOrInsert(key, &inserted);
        quint64 distance = kCold;
        if (inserted) {
            if (!m_holes.empty())
                consumeHole(*m_holes.rbegin());
        } else {
            const quint32 p = pos;
            distance = quint64(m_total - prefixCount(p)) + 1;
            if (!m_holes.empty() && *m_holes.rbegin() > p) {
                consumeHole(*m_holes.rbegin());
                m_holes.insert(p); // its marker stays, as a hole
            } else {
                clear(p);
            }
        }
        pos = m_next;
        set(m_next);
        ++m_next;
        return distance;
    }

    // access() for up to kBatch keys in order (repeats allowed), distances out. The key-table
    // lookups of the whole batch are issued first, so their cache misses overlap instead of
    // each waiting for the tree walks of the access before it (3x on a 1M-key Zipf trace).
    static constexpr size_t kBatch = 16;
    void accessBatch(const quint64 *keys, size_t n, quint64 *distances)
    {
        quint32 *held[kBatch];
        m_pos.reserve(m_pos.size() + qsizetype(n)); // no rehash while the slots are held
        for (size_t i = 0; i < n; ++i) {
            bool inserted = false;
            held[i] = &m_pos.findOrInsert(keys[i], &inserted);
            if (inserted)
                *held[i] = kUnplaced;
        }
        for (size_t i = 0; i < n; ++i) {
            if (m_next == capacity())
                compact(); // rewrites positions in place: the held slots stay valid
            quint32 &pos = *held[i];
            quint64 distance = kCold;
            if (pos == kUnplaced) {
                if (!m_holes.empty())
                    consumeHole(*m_holes.rbegin());
            } else {
                distance = quint64(m_total - prefixCount(pos)) + 1;
                if (!m_holes.empty() && *m_holes.rbegin() > pos) {
                    consumeHole(*m_holes.rbegin());
                    m_holes.insert(pos);
                } else {
                    clear(pos);
                }
            }
            pos = m_next;
            set(m_next);
            ++m_next;
            distances[i] = distance;
        }
    }

    bool remove(quint64 key)
    {
        const quint32 *pos = m_pos.find(key);
        if (!pos)
            return false;
        m_holes.insert(*pos);
        m_pos.erase(key);
        return true;
    }

    bool forget(quint64 key)
    {
        const quint32 *pos = m_pos.find(key);
        if (!pos)
            return false;
        clear(*pos);
        m_pos.erase(key);
        return true;
    }

    bool contains(quint64 key) const { return m_pos.contains(key); }
    void prefetch(quint64 key) const { m_pos.prefetch(key); }
    qsizetype keys() const { return m_pos.size(); }
    quint64 totalWeight() const { return m_total; }

private:
    static constexpr quint32 kUnplaced = ~quint32(0); // a key inserted by this batch, not yet placed
    quint32 capacity() const { return quint32(m_bits.size() * 64); }
    void set(quint32 pos)
    {
        m_bits[pos >> 6] |= quint64(1) << (pos & 63);
        addBlock(pos >> 6, 1);
        ++m_total;
    }
    void clear(quint32 pos)
    {
        m_bits[pos >> 6] &= ~(quint64(1) << (pos & 63));
        addBlock(pos >> 6, quint32(-1));
        --m_total;
    }
    void consumeHole(quint32 pos)
    {
        clear(pos);
        m_holes.erase(pos);
    }
    void addBlock(size_t block, quint32 delta)
    {
        for (size_t i = block + 1; i <= m_tree.size(); i += i & (~i + 1))
            m_tree[i - 1] += delta;
    }
    // Live markers at positions <= pos.
    quint32 prefixCount(quint32 pos) const
    {
        const size_t block = pos >> 6;
        quint32 n = 0;
        for (size_t i = block; i > 0; i &= i - 1)
            n += m_tree[i - 1];
        const unsigned bit = pos & 63;
        const quint64 mask = bit == 63 ? ~quint64(0) : (quint64(2) << bit) - 1;
        return n + quint32(std::popcount(m_bits[block] & mask));
    }

    void reset(size_t positions)
    {
        const size_t blocks = (positions + 63) / 64;
        m_bits.assign(blocks, 0);
        m_tree.assign(blocks, 0);
        m_next = 0;
        m_total = 0;
    }

    // Renumbers the live markers (keys and holes) 0..L-1, keeping their order: a marker's new
    // position is its rank among the live ones, read off the bitmap and per-block prefix counts.
    void compact()
    {
        std::vector<quint32> before(m_bits.size() + 1, 0); // live markers in the blocks before each
        for (size_t b = 0; b < m_bits.size(); ++b)
            before[b + 1] = before[b] + quint32(std::popcount(m_bits[b]));
        auto rank = [&](quint32 pos) {
            const quint64 below = (quint64(1) << (pos & 63)) - 1;
            return before[pos >> 6] + quint32(std::popcount(m_bits[pos >> 6] & below));
        };
        m_pos.forEachMutable([&](quint64, quint32 &pos) {
            if (pos != kUnplaced) // a key of the batch being placed has no position yet
                pos = rank(pos);
        });
        std::set<quint32> holes;
        for (quint32 h : m_holes)
            holes.insert(rank(h));
        const size_t live = before.back();
        // Room for 3 x the live markers more before the next renumbering.
        reset(qMax<size_t>(1 << 16, live * 4));
        for (size_t i = 0; i < live / 64; ++i)
            m_bits[i] = ~quint64(0);
        if (live % 64)
            m_bits[live / 64] = (quint64(1) << (live % 64)) - 1;
        for (size_t b = 0; b < m_tree.size(); ++b)
            m_tree[b] = quint32(std::popcount(m_bits[b]));
        for (size_t i = 0; i < m_tree.size(); ++i) { // linear Fenwick build
            const size_t parent = i | (i + 1);
            if (parent < m_tree.size())
                m_tree[parent] += m_tree[i];
        }
        m_total = quint32(live);
        m_next = quint32(live);
        m_holes = std::move(holes);
    }

    KeyTable<quint32> m_pos;     // key -> its position
    std::vector<quint64> m_bits; // live positions (keys and holes)
    std::vector<quint32> m_tree; // Fenwick over 64-position blocks
    std::set<quint32> m_holes;
    quint32 m_next = 0;
    quint32 m_total = 0;
};

} // namespace cachescope
