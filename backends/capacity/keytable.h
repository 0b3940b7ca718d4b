#pragma once

#include "tracekey.h"

#include <QtGlobal>

#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace cachescope {

// Large tables are looked up at random: with 4 KiB pages nearly every lookup also misses the
// TLB. Arrays of 2 MiB and more are therefore allocated 2 MiB-aligned and offered to the kernel
// for transparent huge pages (madvise; a no-op where THP is off).
template<typename T>
struct HugePageAllocator
{
    using value_type = T;
    static constexpr size_t kHuge = size_t(2) << 20;
    HugePageAllocator() = default;
    template<typename U>
    HugePageAllocator(const HugePageAllocator<U> &) noexcept
    {
    }
    T *allocate(size_t n)
    {
        const size_t bytes = n * sizeof(T);
        if (bytes < kHuge)
            return std::allocator<T>().allocate(n);
        void *p = std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge);
        if (!p)
            throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        madvise(p, bytes, MADV_HUGEPAGE);
#endif
        return static_cast<T *>(p);
    }
    void deallocate(T *p, size_t n) noexcept
    {
        if (n * sizeof(T) < kHuge)
            std::allocator<T>().deallocate(p, n);
        else
            std::free(p);
    }
    template<typename U>
    bool operator==(const HugePageAllocator<U> &) const noexcept
    {
        return true;
    }
};

// A hash map from 64-bit trace keys to small values for the simulators' hot paths: open
// addressing with linear probing over one array of {key, value} (a lookup is usually one cache
// line), at most 5/8 full, deletion by backward shift (no tombstones, so a long replay does not
// degrade). Key 0 is a valid key: the empty-slot marker is kept apart from the keys.
template<typename V>
class KeyTable
{
public:
    KeyTable() { rehash(16); }

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    void clear()
    {
        m_slots.assign(m_slots.size(), Slot{});
        m_size = 0;
    }
    void reserve(qsizetype n)
    {
        size_t want = 16;
        while (want * 5 / 8 < size_t(n))
            want *= 2;
        if (want > m_slots.size())
            rehash(want);
    }
    // Bytes the table holds (for memory accounting).
    size_t memoryBytes() const { return m_slots.capacity() * sizeof(Slot); }

    // Starts loading the slot a lookup of `key` begins at. Callers that know their next keys
    // (a batch of trace records) prefetch a few ahead: a lookup is one cache miss otherwise.
    void prefetch(quint64 key) const { __builtin_prefetch(&m_slots[slotFor(key)]); }

    V *find(quint64 key)
    {
        const size_t m = m_slots.size() - 1;
        for (size_t s = slotFor(key);; s = (s + 1) & m) {
            Slot &slot = m_slots[s];
            if (!slot.used)
                return nullptr;
            if (slot.key == key)
                return &slot.value;
        }
    }
    const V *find(quint64 key) const { return const_cast<KeyTable *>(this)->find(key); }
    bool contains(quint64 key) const { return find(key) != nullptr; }

    // The value for key, inserted as V{} when absent; *inserted says which.
    V &findOrInsert(quint64 key, bool *inserted = nullptr)
    {
        if (size_t(m_size + 1) * 8 > m_slots.size() * 5)
            rehash(m_slots.size() * 2);
        const size_t m = m_slots.size() - 1;
        for (size_t s = slotFor(key);; s = (s + 1) & m) {
            Slot &slot = m_slots[s];
            if (!slot.used) {
                slot.used = true;
                slot.key = key;
                slot.value = V{};
                ++m_size;
                if (inserted)
                    *inserted = true;
                return slot.value;
            }
            if (slot.key == key) {
                if (inserted)
                    *inserted = false;
                return slot.value;
            }
        }
    }
    void insertOrAssign(quint64 key, V value) { findOrInsert(key) = std::move(value); }

    bool erase(quint64 key)
    {
        const size_t m = m_slots.size() - 1;
        size_t s = slotFor(key);
        for (;; s = (s + 1) & m) {
            if (!m_slots[s].used)
                return false;
            if (m_slots[s].key == key)
                break;
        }
        // Backward shift: move later members of the probe run into the hole when their home
        // slot does not lie (cyclically) between the hole and them.
        size_t hole = s;
        for (size_t j = (s + 1) & m; m_slots[j].used; j = (j + 1) & m) {
            const size_t home = slotFor(m_slots[j].key);
            const bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                m_slots[hole] = std::move(m_slots[j]);
                hole = j;
            }
        }
        m_slots[hole] = Slot{};
        --m_size;
        return true;
    }

    template<typename F>
    void forEach(F f) const
    {
        for (const Slot &slot : m_slots)
            if (slot.used)
                f(slot.key, slot.value);
    }
    template<typename F>
    void forEachMutable(F f)
    {
        for (Slot &slot : m_slots)
            if (slot.used)
                f(slot.key, slot.value);
    }

private:
    struct Slot
    {
        quint64 key = 0;
        V value{};
        bool used = false;
    };
    size_t slotFor(quint64 key) const { return size_t(traceMix(key)) & (m_slots.size() - 1); }
    void rehash(size_t count)
    {
        std::vector<Slot, HugePageAllocator<Slot>> old = std::move(m_slots);
        m_slots.assign(count, Slot{});
        m_size = 0;
        for (Slot &slot : old)
            if (slot.used)
                findOrInsert(slot.key) = std::move(slot.value);
    }

    std::vector<Slot, HugePageAllocator<Slot>> m_slots;
    qsizetype m_size = 0;
};

} // namespace cachescope
