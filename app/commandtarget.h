#pragma once

#include "commandline.h"

#include "cache/cachespec.h"
#include "cache/memcachedcache.h"
#include "redis/redisurl.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace cachescope {

// The cache that CommandLine::addCacheTargetOptions' options name: --redis URL [--prefix P],
// --memcached SERVERS [--prefix P], --dir DIR, or a purpose of a superset_config.py (--config FILE
// --cache PURPOSE), resolved the way Superset would connect to it. One place, so every command
// reads the same cache the same way.
struct CacheTarget
{
    // Metastore: a SupersetMetastoreCache of --config, rows of the metadata database (spec names it).
    enum class Kind { Redis, Directory, Metastore, Memcached };
    Kind kind = Kind::Redis;
    RedisUrl redis;             // Kind::Redis
    MemcachedCache::Options memcached; // Kind::Memcached: servers, client, variant, SASL credentials
    QByteArray prefix;          // Redis and memcached: the key prefix (stored key = prefix + cache key)
    QString directory;          // Kind::Directory
    std::optional<CacheSpec> spec; // with --config: the cache's own settings (timeouts, threshold)
    bool storesPrefixedKeys() const { return kind != Kind::Directory; }
};

// Resolves the target, or reports why not through `cl` and sets *status: 2 for a usage error
// (none or several sources, a misspelt purpose, a malformed URL), 1 when the config did not load
// or names a cache without reachable entries (SimpleCache, NullCache, ...).
std::optional<CacheTarget> cacheTarget(const CommandLine &cl, int *status);

// How many of --redis, --memcached, --dir and --config were given (a command with another source
// checks it).
int cacheTargetOptionsGiven(const CommandLine &cl);

// A key as the user may hand it over: the cache key (what the application passes to cachelib)
// or the stored key that `cachescope keys` prints (Redis: prefix + cache key; a cache directory:
// the entry's file name). lookup() is called with stored keys, most likely first.
struct KeyCandidate
{
    QByteArray stored;   // the Redis key or the file name
    QString meaning;     // "cache key 'x' (stored as 'superset_x')" for messages
    bool isCacheKey = true;
};
QList<KeyCandidate> keyCandidates(const CacheTarget &target, const QByteArray &key);

} // namespace cachescope
