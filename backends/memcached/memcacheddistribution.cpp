#include "memcacheddistribution.h"

#include <zlib.h>

namespace cachescope {

MemcachedDistribution::MemcachedDistribution(MemcachedClientKind kind, const QList<int> &weights)
    : m_kind(kind), m_servers(int(weights.size()))
{
    if (m_kind == MemcachedClientKind::PythonMemcache)
        for (int server = 0; server < m_servers; ++server)
            for (int i = 0; i < weights.at(server); ++i)
                m_buckets.append(server);
}

quint32 MemcachedDistribution::oneAtATime(QByteArrayView key)
{
    quint32 value = 0;
    for (const char c : key) {
        // libhashkit reads `(uint32_t)*ptr` through a `const char *`: on x86-64, where char is
        // signed, bytes >= 0x80 sign-extend. That is what pylibmc on Debian's and Superset's
        // x86-64 images does (and what the interop test proves); an ARM64 build would differ.
        value += quint32(qint32(static_cast<signed char>(c)));
        value += value << 10;
        value ^= value >> 6;
    }
    value += value << 3;
    value ^= value >> 11;
    value += value << 15;
    return value;
}

quint32 MemcachedDistribution::pythonMemcacheHash(QByteArrayView key)
{
    const quint32 crc = quint32(::crc32(0, reinterpret_cast<const Bytef *>(key.data()), uInt(key.size())));
    const quint32 h = (crc >> 16) & 0x7fff;
    return h ? h : 1;
}

int MemcachedDistribution::serverFor(QByteArrayView key) const
{
    if (m_servers <= 1)
        return 0;
    if (m_kind == MemcachedClientKind::PythonMemcache)
        return m_buckets.isEmpty() ? 0 : m_buckets.at(int(pythonMemcacheHash(key) % quint32(m_buckets.size())));
    return int(oneAtATime(key) % quint32(m_servers));
}

} // namespace cachescope
