#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <cstring>

namespace cachescope {

// The key hash every CacheScope trace stores. It is part of the file format, so it is fixed here
// (no per-process seed): the same key gives the same hash in every capture and every run.
// 8 bytes at a time, multiply-xorshift rounds, and a final avalanche (SplitMix64's finaliser).
inline quint64 traceMix(quint64 x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

inline quint64 traceKeyHash(QByteArrayView key)
{
    const char *p = key.data();
    qsizetype n = key.size();
    quint64 h = 0x9E3779B97F4A7C15ull ^ (quint64(n) * 0xFF51AFD7ED558CCDull);
    while (n >= 8) {
        quint64 w;
        std::memcpy(&w, p, 8);
        h = traceMix(h ^ w);
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        quint64 w = 0;
        std::memcpy(&w, p, size_t(n));
        h = traceMix(h ^ w ^ (quint64(n) << 56));
    }
    return traceMix(h);
}

// Spatial sampling (SHARDS) needs a uniformly distributed hash of whatever the trace calls a key:
// oracleGeneral object ids can be small sequential numbers, so ids are mixed once more.
inline quint64 samplingHash(quint64 key)
{
    return traceMix(key ^ 0xD6E8FEB86659FD93ull);
}

} // namespace cachescope
