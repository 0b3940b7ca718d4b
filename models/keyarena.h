#pragma once

#include "chunkedvector.h"

#include <QByteArrayView>
#include <QFuture>

#include <array>
#include <memory>
#include <vector>

namespace cachescope {

// The key names a KeyTreeModel holds, each stored once and found again by its bytes (SCAN repeats
// keys). Split out of KeyTreeModel so the model file keeps to the tree.
//
// Bytes: fixed 4 MiB chunks (no reallocation, so no copy stalls), each key stored as a 2-byte
// length then its bytes; offsets[id] = chunk << 22 | position. The next chunk is allocated and
// its pages touched on a pool thread ahead of need, so the GUI thread does not take a thousand
// page faults whenever a chunk fills. Dedupe: 4096 open-addressing shards (so growing one
// rehashes 1/4096 of the keys, never a long stall); a slot holds key id + 1 and 32 bits of the
// key's hash, so a miss (most keys are new) rarely reads key bytes, probes stay short (at most
// 0.4 .. 0.7 full) and growing a shard never reads the arena. Bounded: 64 KiB per name, 4 GiB of
// names, 2^32 - 2 keys.
class KeyArena
{
public:
    static constexpr quint32 kNoKey = 0xffffffffu;

    KeyArena() = default;
    ~KeyArena();
    KeyArena(const KeyArena &) = delete;
    KeyArena &operator=(const KeyArena &) = delete;

    size_t size() const { return m_offsets.size(); }
    QByteArrayView view(quint32 id) const
    {
        const quint32 off = m_offsets[id];
        const char *p = m_chunks[off >> kChunkBits].get() + (off & kChunkMask);
        const qsizetype len = qsizetype(quint8(p[0])) | (qsizetype(quint8(p[1])) << 8);
        return QByteArrayView(p + 2, len);
    }
    quint32 find(QByteArrayView key) const { return find(key, hash(key)); } // kNoKey if absent
    quint32 add(QByteArrayView key) { return add(key, hash(key)); } // `key` absent; kNoKey at a bound
    void clear();

    // For a batch: hash every key first and prefetch() a few keys ahead, so the one random
    // memory access per key (its table slot) overlaps with the work on the keys before it.
    static size_t hash(QByteArrayView key);
    void prefetch(size_t h) const
    {
        // Unconditional (an empty shard prefetches address 0, which is harmless): GCC 12 drops the
        // prefetch instruction when it sits under a condition, or when the index is computed from
        // a vector's size(), hence the stored mask.
        const Shard &shard = m_shards[h & (kShards - 1)];
        __builtin_prefetch(shard.table.get() + (quint32(quint64(h) >> 32) & shard.mask));
    }
    quint32 find(QByteArrayView key, size_t h) const;
    quint32 add(QByteArrayView key, size_t h);

private:
    static constexpr int kChunkBits = 22;
    static constexpr quint32 kChunkSize = 1u << kChunkBits;
    static constexpr quint32 kChunkMask = kChunkSize - 1;
    static constexpr size_t kMaxChunks = 1024;
    static constexpr int kShardBits = 12;
    static constexpr size_t kShards = size_t(1) << kShardBits;

    // id + 1 in the low half (0 = empty), the hash's high 32 bits in the high half; the slot
    // index within a shard comes from those same bits, so a rehash needs nothing else.
    using Slot = quint64;
    struct Shard
    {
        std::unique_ptr<Slot[]> table; // a power of two of them, or none yet
        quint32 mask = 0;              // slot count - 1
        quint32 count = 0;
    };
    void growShard(Shard &shard);
    void startSpareChunk();

    std::vector<std::unique_ptr<char[]>> m_chunks;
    quint32 m_chunkUsed = 0;
    ChunkedVector<quint32, 16> m_offsets;
    std::array<Shard, kShards> m_shards;
    QFuture<char *> m_spare; // the next chunk, being touched on a pool thread
};

} // namespace cachescope
