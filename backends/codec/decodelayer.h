#pragma once

#include <QString>
#include <QVariantMap>

namespace cachescope {

// One peeled layer of a cache entry: what it was, where it sat in the bytes it was found in
// (the previous layer's output), and notes worth showing (expiry, protocol, ratio...).
struct DecodeLayer
{
    enum class Kind {
        RedisEnvelope, // "!" + pickle
        RedisInteger,  // plain ASCII integer (cachelib >= 0.15.4 counters)
        MemcachedValue, // "VALUE <key> <flags> <n>\r\n" + data: a memcached item; the flags say what follows
        FileSystemHeader,
        LegacyFileSystemHeader,
        Pickle,
        Zlib,
        Gzip,
        Msgpack,
        Json,
        Arrow,
        Image,
        Text,
        Raw,
    };

    Kind kind = Kind::Raw;
    qint64 offset = 0;
    qint64 size = 0;
    QVariantMap notes;

    static QString kindName(Kind kind);             // "redis-envelope", "pickle", "zlib", ...
    static bool kindFromName(const QString &name, Kind *kind);
};

} // namespace cachescope
