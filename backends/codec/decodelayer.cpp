#include "decodelayer.h"

namespace cachescope {

namespace {

struct KindName
{
    DecodeLayer::Kind kind;
    const char *name;
};

constexpr KindName kNames[] = {
    {DecodeLayer::Kind::RedisEnvelope, "redis-envelope"},
    {DecodeLayer::Kind::RedisInteger, "redis-integer"},
    {DecodeLayer::Kind::MemcachedValue, "memcached-value"},
    {DecodeLayer::Kind::FileSystemHeader, "filesystem-header"},
    {DecodeLayer::Kind::LegacyFileSystemHeader, "legacy-filesystem-header"},
    {DecodeLayer::Kind::Pickle, "pickle"},
    {DecodeLayer::Kind::Zlib, "zlib"},
    {DecodeLayer::Kind::Gzip, "gzip"},
    {DecodeLayer::Kind::Msgpack, "msgpack"},
    {DecodeLayer::Kind::Json, "json"},
    {DecodeLayer::Kind::Arrow, "arrow"},
    {DecodeLayer::Kind::Image, "image"},
    {DecodeLayer::Kind::Text, "text"},
    {DecodeLayer::Kind::Raw, "raw"},
};

} // namespace

QString DecodeLayer::kindName(Kind kind)
{
    for (const auto &k : kNames) {
        if (k.kind == kind)
            return QLatin1String(k.name);
    }
    return QStringLiteral("raw");
}

bool DecodeLayer::kindFromName(const QString &name, Kind *kind)
{
    for (const auto &k : kNames) {
        if (name == QLatin1String(k.name)) {
            *kind = k.kind;
            return true;
        }
    }
    return false;
}

} // namespace cachescope
