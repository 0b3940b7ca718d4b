#include "backendexpiry.h"

namespace cachescope {

namespace {

// cachelib 0.9.0 (Debian 12) and 0.15.4 behave alike for these cases:
// - BaseCache._normalize_timeout: None → default_timeout (src/cachelib/base.py:16-19 @ 0.9.0);
// - RedisCache._normalize_timeout: 0 → -1, and set() sends a plain SET (no expiry) for -1, SETEX
//   otherwise (src/cachelib/redis.py:60-90 @ 0.9.0; src/cachelib/redis.py:39-70 `ex=timeout if
//   timeout != -1 else None` @ 0.15.0). So -1 and 0 both mean "never expires" on Redis, and any
//   other negative number reaches SETEX, which Redis rejects ("invalid expire time").
// - FileSystemCache._normalize_timeout: t != 0 → int(time()) + t (src/cachelib/file.py:97-101
//   @ 0.9.0), so a negative t writes an expiry in the past: get() misses at once.
// - SimpleCache / MemcachedCache._normalize_timeout: t > 0 → now + t, else t as is
//   (src/cachelib/simple.py:61-65, memcached.py:72-76 @ 0.9.0); SimpleCache.get() keeps
//   `expires == 0 or expires > time()`, so -1 misses at once; memcached drops negative exptimes.
// - SupersetMetastoreCache._get_expiry: t > 0 → now + t, else NULL = never expires
//   (superset/extensions/metastore_cache.py:57-61 @ 2.1.0, :74-78 @ 4.1.0).
const char *const kRedisCite = "pallets-eco/cachelib › src/cachelib/redis.py RedisCache._normalize_timeout/set @ 0.9.0, 0.15.0";
const char *const kFileCite = "pallets-eco/cachelib › src/cachelib/file.py:97-101 FileSystemCache._normalize_timeout @ 0.9.0";
const char *const kSimpleCite = "pallets-eco/cachelib › src/cachelib/simple.py:61-71 SimpleCache @ 0.9.0";
const char *const kMemcachedCite = "pallets-eco/cachelib › src/cachelib/memcached.py:72-76 @ 0.9.0";
const char *const kMetastoreCite = "apache/superset › superset/extensions/metastore_cache.py:74-78 _get_expiry @ 4.1.0";
const char *const kNullCite = "apache/superset › superset/utils/cache.py:49 set_and_log_cache returns for a NullCache";

} // namespace

BackendExpiry expiryOnBackend(BackendType backend, std::optional<qint64> timeout, qint64 backendDefault)
{
    const qint64 t = timeout.value_or(backendDefault);
    BackendExpiry e;
    e.backend = backend;
    e.timeout = timeout;
    e.backendDefault = backendDefault;
    auto set = [&](StoredExpiry kind, const char *cite) {
        e.kind = kind;
        e.seconds = kind == StoredExpiry::Seconds ? t : 0;
        e.citation = cite;
        return e;
    };
    switch (backend) {
    case BackendType::Null:
        return set(StoredExpiry::NotStored, kNullCite);
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster:
        if (t > 0)
            return set(StoredExpiry::Seconds, kRedisCite);
        return set(t == 0 || t == -1 ? StoredExpiry::Never : StoredExpiry::Rejected, kRedisCite);
    case BackendType::FileSystem:
        return set(t > 0 ? StoredExpiry::Seconds : t == 0 ? StoredExpiry::Never : StoredExpiry::ExpiredAtOnce, kFileCite);
    case BackendType::Simple:
        return set(t > 0 ? StoredExpiry::Seconds : t == 0 ? StoredExpiry::Never : StoredExpiry::ExpiredAtOnce, kSimpleCite);
    case BackendType::Memcached:
        return set(t > 0 ? StoredExpiry::Seconds : t == 0 ? StoredExpiry::Never : StoredExpiry::ExpiredAtOnce, kMemcachedCite);
    case BackendType::SupersetMetastore:
        return set(t > 0 ? StoredExpiry::Seconds : StoredExpiry::Never, kMetastoreCite);
    case BackendType::Unknown:
        break;
    }
    return set(StoredExpiry::Unknown, "");
}

QString BackendExpiry::explanation() const
{
    const qint64 t = timeout.value_or(backendDefault);
    const QString given = timeout ? QString::number(t) : QStringLiteral("None (→ default %1)").arg(backendDefault);
    switch (backend) {
    case BackendType::Null:
        return QStringLiteral("NullCache keeps nothing, whatever the timeout");
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster:
        if (kind == StoredExpiry::Seconds)
            return QStringLiteral("SETEX %1: expires after %1 s").arg(t);
        if (kind == StoredExpiry::Never)
            return QStringLiteral("timeout %1: cachelib sends a plain SET, the key never expires").arg(given);
        return QStringLiteral("timeout %1: SETEX with a negative time, which Redis rejects (\"invalid expire time\")").arg(given);
    case BackendType::FileSystem:
        if (kind == StoredExpiry::Seconds)
            return QStringLiteral("file header expiry now + %1 s").arg(t);
        if (kind == StoredExpiry::Never)
            return QStringLiteral("file header expiry 0: never expires (but pruned first when the directory is over its threshold)");
        return QStringLiteral("timeout %1: the file is written with an expiry in the past, every read misses").arg(given);
    case BackendType::Simple:
        if (kind == StoredExpiry::Seconds)
            return QStringLiteral("expires after %1 s").arg(t);
        if (kind == StoredExpiry::Never)
            return QStringLiteral("0: never expires (in the worker process only)");
        return QStringLiteral("timeout %1: stored already expired").arg(given);
    case BackendType::Memcached:
        if (kind == StoredExpiry::Seconds)
            return QStringLiteral("exptime now + %1 s").arg(t);
        if (kind == StoredExpiry::Never)
            return QStringLiteral("exptime 0: never expires");
        return QStringLiteral("timeout %1: a negative exptime, memcached expires the item at once").arg(given);
    case BackendType::SupersetMetastore:
        if (kind == StoredExpiry::Seconds)
            return QStringLiteral("expires_on = now + %1 s").arg(t);
        return QStringLiteral("timeout %1: expires_on NULL, the row never expires").arg(given);
    case BackendType::Unknown:
        break;
    }
    return QStringLiteral("a backend CacheScope has not read");
}

QString noneZeroMinusOneMeaning(BackendType backend, qint64 backendDefault)
{
    const QString none = QStringLiteral("None → the default (%1 s)").arg(backendDefault);
    switch (backend) {
    case BackendType::Null:
        return QStringLiteral("NullCache: nothing is stored, whatever the timeout");
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster:
        return QStringLiteral("%1; 0 → never expires (plain SET); -1 → never expires too (cachelib sends -1 as a plain "
                              "SET); other negatives → rejected by Redis")
            .arg(none);
    case BackendType::FileSystem:
        return QStringLiteral("%1; 0 → never expires; -1 → written already expired (every read misses)").arg(none);
    case BackendType::Simple:
        return QStringLiteral("%1; 0 → never expires; -1 → stored already expired").arg(none);
    case BackendType::Memcached:
        return QStringLiteral("%1; 0 → never expires; -1 → expired at once by memcached").arg(none);
    case BackendType::SupersetMetastore:
        return QStringLiteral("%1; 0 and -1 → expires_on NULL, never expires").arg(none);
    case BackendType::Unknown:
        break;
    }
    return QStringLiteral("unknown backend");
}

} // namespace cachescope
