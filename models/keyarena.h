#pragma once

#include "chunkedvector.h"

#include <QByteArrayView>

#include <array>
#include <memory>
#include <vector>

namespace cachescope {

// The key names a KeyTreeModel holds, each stored once and found again by its bytes (SCAN repeats
// keys). Split out of KeyTreeModel so the model file keeps to the tree.
//
// Bytes: fixed 4 MiB chunks (no reallocation, so no copy stalls), each key stored as a 2-byte
// length then its bytes; offsets[id] = chunk << 22 | position. Dedupe: 4096 open-addressing
// shards (so growing one rehashes 1/4096 of the keys, never a long stall); a slot holds key id + 1
// (27 bits) and 5 hash bits that spare most compares. Bounded: 64 KiB per name, 4 GiB of names,
// 134M keys.
class KeyArena
{
public:
    static constexpr quint32 kNoKey = 0xffffffffu;

    KeyArena() = default;
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
    quint32 find(QByteArrayView key) const; // kNoKey if absent
    quint32 add(QByteArrayView key);        // `key` must be absent; kNoKey when a bound is reached
    void clear();

private:
    static constexpr int kIdBits = 27;
    static constexpr quint32 kIdMask = (1u << kIdBits) - 1;
    static constexpr int kChunkBits = 22;
    static constexpr quint32 kChunkSize = 1u << kChunkBits;
    static constexpr quint32 kChunkMask = kChunkSize - 1;
    static constexpr size_t kMaxChunks = 1024;
    static constexpr int kShardBits = 12;
    static constexpr size_t kShards = size_t(1) << kShardBits;

    void growShard(size_t shard);

    std::vector<std::unique_ptr<char[]>> m_chunks;
    quint32 m_chunkUsed = 0;
    ChunkedVector<quint32, 16> m_offsets;
    std::array<std::vector<quint32>, kShards> m_shards;
    std::array<quint32, kShards> m_shardCounts{};
};

} // namespace cachescope
