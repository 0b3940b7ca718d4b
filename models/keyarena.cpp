#include "keyarena.h"

#include <QHashFunctions>
#include <QtConcurrent/QtConcurrentRun>

#include <cstring>

namespace cachescope {

size_t KeyArena::hash(QByteArrayView key)
{
    return qHash(key, 0x5bd1e995u);
}

KeyArena::~KeyArena()
{
    if (m_spare.isValid())
        delete[] m_spare.result(); // a 4 MiB memset: never long
}

void KeyArena::clear()
{
    m_chunks.clear();
    m_chunkUsed = 0;
    m_offsets.clear();
    for (Shard &shard : m_shards)
        shard = Shard{};
}

void KeyArena::startSpareChunk()
{
    // new[] of 4 MiB maps fresh pages; writing one byte per page faults them in here, on a
    // pool thread, instead of one by one on the GUI thread as keys are copied in.
    m_spare = QtConcurrent::run([] {
        char *chunk = new char[kChunkSize];
        for (quint32 at = 0; at < kChunkSize; at += 4096)
            chunk[at] = 0;
        return chunk;
    });
}

quint32 KeyArena::find(QByteArrayView key, size_t h) const
{
    const Shard &shard = m_shards[h & (kShards - 1)];
    if (!shard.table)
        return kNoKey;
    const quint32 tag = quint32(quint64(h) >> 32);
    for (quint32 slot = tag & shard.mask;; slot = (slot + 1) & shard.mask) {
        const Slot v = shard.table[slot];
        if (!v)
            return kNoKey;
        if (quint32(v >> 32) == tag && view(quint32(v) - 1) == key)
            return quint32(v) - 1;
    }
}

void KeyArena::growShard(Shard &shard)
{
    const quint32 size = shard.table ? (shard.mask + 1) * 2 : 16;
    auto bigger = std::make_unique<Slot[]>(size); // zeroed: empty slots
    const quint32 mask = size - 1;
    for (quint32 i = 0; shard.table && i <= shard.mask; ++i) {
        const Slot v = shard.table[i];
        if (!v)
            continue;
        quint32 slot = quint32(v >> 32) & mask;
        while (bigger[slot])
            slot = (slot + 1) & mask;
        bigger[slot] = v;
    }
    shard.table = std::move(bigger);
    shard.mask = mask;
}

quint32 KeyArena::add(QByteArrayView key, size_t h)
{
    const size_t id = m_offsets.size();
    if (key.size() > 0xffff || id + 2 >= kNoKey || (m_chunks.size() >= kMaxChunks && m_chunkUsed + key.size() + 2 > kChunkSize))
        return kNoKey;
    if (m_chunks.empty() || m_chunkUsed + quint32(key.size()) + 2 > kChunkSize) {
        if (m_spare.isValid() && m_spare.isFinished()) { // never wait for it: the pool may be busy
            m_chunks.emplace_back(m_spare.result());
            m_spare = {};
        } else {
            m_chunks.push_back(std::make_unique_for_overwrite<char[]>(kChunkSize));
        }
        m_chunkUsed = 0;
    } else if (m_chunkUsed > kChunkSize / 2 && !m_spare.isValid()) {
        startSpareChunk(); // a keyspace that fills half a chunk probably needs the next one
    }
    char *p = m_chunks.back().get() + m_chunkUsed;
    p[0] = char(key.size() & 0xff);
    p[1] = char((key.size() >> 8) & 0xff);
    std::memcpy(p + 2, key.data(), size_t(key.size()));
    m_offsets.push_back(quint32((m_chunks.size() - 1) << kChunkBits) | m_chunkUsed);
    m_chunkUsed += quint32(key.size()) + 2;

    const size_t index = h & (kShards - 1);
    Shard &shard = m_shards[index];
    // Each shard grows at its own load factor (0.4 .. 0.7): with a uniform hash, equal
    // thresholds would make all shards rehash within the same few batches (one long stall).
    const size_t capacity = shard.table ? size_t(shard.mask) + 1 : 0;
    if ((size_t(shard.count) + 1) * 1024 > capacity * (410 + index * 307 / (kShards - 1)))
        growShard(shard);
    const quint32 tag = quint32(quint64(h) >> 32);
    quint32 slot = tag & shard.mask;
    while (shard.table[slot])
        slot = (slot + 1) & shard.mask;
    shard.table[slot] = (Slot(tag) << 32) | Slot(id + 1);
    ++shard.count;
    return quint32(id);
}

} // namespace cachescope
