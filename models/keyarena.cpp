#include "keyarena.h"

#include <QHashFunctions>

#include <cstring>

namespace cachescope {

namespace {

size_t hashKey(QByteArrayView key)
{
    return qHash(key, 0x5bd1e995u);
}

} // namespace

void KeyArena::clear()
{
    m_chunks.clear();
    m_chunkUsed = 0;
    m_offsets.clear();
    for (auto &t : m_shards)
        std::vector<quint32>().swap(t);
    m_shardCounts.fill(0);
}

quint32 KeyArena::find(QByteArrayView key) const
{
    const size_t h = hashKey(key);
    const std::vector<quint32> &table = m_shards[h & (kShards - 1)];
    if (table.empty())
        return kNoKey;
    const quint32 tag = quint32((h >> kShardBits) & 31) << kIdBits;
    const size_t mask = table.size() - 1;
    for (size_t slot = (h >> (kShardBits + 5)) & mask;; slot = (slot + 1) & mask) {
        const quint32 v = table[slot];
        if (!v)
            return kNoKey;
        if ((v & ~kIdMask) == tag && view((v & kIdMask) - 1) == key)
            return (v & kIdMask) - 1;
    }
}

void KeyArena::growShard(size_t shard)
{
    std::vector<quint32> &table = m_shards[shard];
    std::vector<quint32> bigger(table.empty() ? 16 : table.size() * 2, 0);
    const size_t mask = bigger.size() - 1;
    for (quint32 v : table) {
        if (!v)
            continue;
        const size_t h = hashKey(view((v & kIdMask) - 1));
        size_t slot = (h >> (kShardBits + 5)) & mask;
        while (bigger[slot])
            slot = (slot + 1) & mask;
        bigger[slot] = v;
    }
    table.swap(bigger);
}

quint32 KeyArena::add(QByteArrayView key)
{
    const size_t id = m_offsets.size();
    if (key.size() > 0xffff || id + 2 >= kIdMask || (m_chunks.size() >= kMaxChunks && m_chunkUsed + key.size() + 2 > kChunkSize))
        return kNoKey;
    if (m_chunks.empty() || m_chunkUsed + quint32(key.size()) + 2 > kChunkSize) {
        m_chunks.push_back(std::make_unique_for_overwrite<char[]>(kChunkSize));
        m_chunkUsed = 0;
    }
    char *p = m_chunks.back().get() + m_chunkUsed;
    p[0] = char(key.size() & 0xff);
    p[1] = char((key.size() >> 8) & 0xff);
    std::memcpy(p + 2, key.data(), size_t(key.size()));
    m_offsets.push_back(quint32((m_chunks.size() - 1) << kChunkBits) | m_chunkUsed);
    m_chunkUsed += quint32(key.size()) + 2;

    const size_t h = hashKey(key);
    const size_t shard = h & (kShards - 1);
    // Each shard grows at its own load factor (0.5 .. 0.85): with a uniform hash, equal
    // thresholds would make all shards rehash within the same few batches (one long stall).
    if ((size_t(m_shardCounts[shard]) + 1) * 256 > m_shards[shard].size() * (128 + shard * 90 / (kShards - 1)))
        growShard(shard);
    std::vector<quint32> &table = m_shards[shard];
    const size_t mask = table.size() - 1;
    size_t slot = (h >> (kShardBits + 5)) & mask;
    while (table[slot])
        slot = (slot + 1) & mask;
    table[slot] = (quint32((h >> kShardBits) & 31) << kIdBits) | quint32(id + 1);
    ++m_shardCounts[shard];
    return quint32(id);
}

} // namespace cachescope
