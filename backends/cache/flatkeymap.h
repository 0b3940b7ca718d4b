#pragma once

#include <QByteArray>
#include <QHashSeed>

#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace cachescope {

// A byte-string-keyed hash map for the in-process cache's hot path: open addressing (linear
// probing) over 4-byte slots {item index, hash tag} into a dense item vector. A lookup touches
// one random slot and then the item, and items sit in insertion order, so walking keys in that
// order (the common pattern) reads memory sequentially. std::unordered_map needed three
// dependent cache misses per lookup with 200k keys. Erase moves the last item into the hole
// (order is not kept: callers that need it keep their own). Keys are hashed with a per-process
// seed, so colliding keys cannot be precomputed. Holds fewer than 2^32 * 7/8 items (the slot
// word's index field). Not thread-safe.
template<typename V>
class FlatKeyMap
{
public:
    size_t size() const { return m_items.size(); }

    V *find(const QByteArray &key)
    {
        const qsizetype i = indexOf(key, hashOf(key));
        return i < 0 ? nullptr : &m_items[size_t(i)].value;
    }
    bool contains(const QByteArray &key) { return find(key) != nullptr; }

    // `key` must not be stored yet.
    V &insert(const QByteArray &key, V value)
    {
        if ((m_items.size() + 1) * 8 > m_slots.size() * 7)
            rehash(m_slots.empty() ? 16 : m_slots.size() * 2);
        const quint64 h = hashOf(key);
        m_items.push_back(Item{key, h, std::move(value)});
        place(h, quint32(m_items.size()));
        return m_items.back().value;
    }

    bool erase(const QByteArray &key)
    {
        const qsizetype i = indexOf(key, hashOf(key));
        if (i < 0)
            return false;
        eraseAt(size_t(i));
        return true;
    }

    // Removes every item for which pred(key, value) is true.
    template<typename Pred>
    void eraseIf(Pred &&pred)
    {
        for (size_t i = 0; i < m_items.size();) {
            if (pred(m_items[i].key, m_items[i].value))
                eraseAt(i); // the last item moved into i: look at i again
            else
                ++i;
        }
    }

    void clear()
    {
        m_items.clear();
        m_slots.clear();
    }

    // Seeded per process; public so tests can check that every key byte reaches it.
    static quint64 hashOf(const QByteArray &key)
    {
        static const quint64 seed = mix(quint64(QHashSeed::globalSeed()) + 0x2545F4914F6CDD1Dull);
        const char *p = key.constData();
        const qsizetype size = key.size();
        quint64 h = seed ^ (quint64(size) * 0xFF51AFD7ED558CCDull);
        qsizetype n = size;
        while (n >= 8) {
            h = mix(h ^ load<quint64>(p)) * 0x9E3779B97F4A7C15ull;
            p += 8;
            n -= 8;
        }
        if (n > 0) // h already holds the length, so a tail read overlapping hashed bytes is fine
            h = mix(h ^ (size >= 8 ? load<quint64>(p + n - 8) : shortTail(p, n))) * 0x9E3779B97F4A7C15ull;
        return mix(h);
    }

private:
    // One 32-bit word per slot: the low log2(slot count) bits hold the item index + 1 (0 = empty;
    // there are fewer items than slots, so it fits) and the bits above them hold the same bits
    // of the hash's upper half as a tag, so most probes that do not match never read the item.
    // Half the size of {tag, index} pairs (measured ~5% faster gets with 200k keys).
    using Slot = quint32;
    struct Item
    {
        QByteArray key;
        quint64 hash;
        V value;
    };

    static quint64 mix(quint64 x)
    {
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53ull;
        x ^= x >> 29;
        return x;
    }
    template<typename T>
    static T load(const char *p)
    {
        T w;
        std::memcpy(&w, p, sizeof w);
        return w;
    }
    // 1 to 7 bytes as a word, each byte read at least once and none past the end. A memcpy of
    // n bytes into a zeroed word compiled to a byte loop whose stores the word load cannot be
    // forwarded from: the load waited for the stores to reach the cache, and the slot address
    // waited for it. A SimpleCache get of a 2-7 byte key took ~90 ns with it, ~60 ns without.
    static quint64 shortTail(const char *p, qsizetype n)
    {
        if (n >= 4)
            return quint64(load<quint32>(p)) << 32 | load<quint32>(p + n - 4);
        return quint64(quint8(p[0])) << 16 | quint64(quint8(p[n >> 1])) << 8 | quint8(p[n - 1]);
    }
    static bool sameKey(const QByteArray &a, const QByteArray &b)
    {
        // Keys are implicitly shared: the caller's key is often the stored one itself.
        return a.size() == b.size()
            && (a.constData() == b.constData() || std::memcmp(a.constData(), b.constData(), size_t(a.size())) == 0);
    }
    size_t mask() const { return m_slots.size() - 1; }
    // The slot index bits equal the home-position bits: one mask serves both.
    quint32 itemOf(Slot slot) const { return slot & quint32(mask()); }
    Slot tagOf(quint64 h) const { return quint32(h >> 32) & ~quint32(mask()); }

    qsizetype indexOf(const QByteArray &key, quint64 h) const
    {
        if (m_slots.empty())
            return -1;
        const Slot tag = tagOf(h);
        const Slot tagBits = ~quint32(mask());
        for (size_t s = size_t(h) & mask();; s = (s + 1) & mask()) {
            const Slot slot = m_slots[s];
            if (slot == 0)
                return -1;
            if ((slot & tagBits) == tag && sameKey(m_items[itemOf(slot) - 1].key, key))
                return qsizetype(itemOf(slot) - 1);
        }
    }
    size_t slotOf(quint64 h, quint32 item) const
    {
        size_t s = size_t(h) & mask();
        while (itemOf(m_slots[s]) != item)
            s = (s + 1) & mask();
        return s;
    }
    void place(quint64 h, quint32 item)
    {
        size_t s = size_t(h) & mask();
        while (m_slots[s] != 0)
            s = (s + 1) & mask();
        m_slots[s] = tagOf(h) | item;
    }
    void rehash(size_t slotCount)
    {
        if (slotCount > (size_t(1) << 32)) // the index would not fit a slot word
            throw std::length_error("FlatKeyMap: too many items");
        m_slots.assign(slotCount, Slot{0});
        for (size_t i = 0; i < m_items.size(); ++i)
            place(m_items[i].hash, quint32(i + 1));
    }
    void eraseAt(size_t i)
    {
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        size_t hole = slotOf(m_items[i].hash, quint32(i + 1));
        for (size_t s = (hole + 1) & mask(); m_slots[s] != 0; s = (s + 1) & mask()) {
            const size_t home = size_t(m_items[itemOf(m_slots[s]) - 1].hash) & mask();
            // Move s into the hole when its home is not within (hole, s] cyclically.
            const bool homeBetween = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
            if (!homeBetween) {
                m_slots[hole] = m_slots[s];
                hole = s;
            }
        }
        m_slots[hole] = 0;
        const size_t last = m_items.size() - 1;
        if (i != last) {
            Slot &moved = m_slots[slotOf(m_items[last].hash, quint32(last + 1))];
            moved = (moved & ~quint32(mask())) | quint32(i + 1);
            m_items[i] = std::move(m_items[last]);
        }
        m_items.pop_back();
    }

    // Power of two, at most 7/8 full: the slot array is the one random access per lookup, and
    // keeping it small (1 MB for 200k keys instead of 2 MB at 1/2) keeps it in cache and TLB,
    // which measured ~1.6x faster; long linear probes stay within a few cache lines.
    std::vector<Slot> m_slots;
    std::vector<Item> m_items;
};

} // namespace cachescope
