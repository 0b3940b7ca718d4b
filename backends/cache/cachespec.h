#pragma once

#include "common/expected.h"
#include "redis/redisurl.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace cachescope {

// Where a setting came from in superset_config.py (0 = not from the file: a default).
struct SourceSpan
{
    int line = 0;   // 1-based
    int column = 0; // 1-based
    int endLine = 0;
    int endColumn = 0;
    bool isValid() const { return line > 0; }
};

// The cache purposes Superset builds (superset/utils/cache_manager.py + the results backend).
enum class CachePurpose {
    Cache,            // CACHE_CONFIG
    Data,             // DATA_CACHE_CONFIG
    FilterState,      // FILTER_STATE_CACHE_CONFIG
    ExploreFormData,  // EXPLORE_FORM_DATA_CACHE_CONFIG
    Thumbnail,        // THUMBNAIL_CACHE_CONFIG
    Results,          // RESULTS_BACKEND
    GlobalAsyncQueries, // GLOBAL_ASYNC_QUERIES_CACHE_BACKEND
};

QString purposeConfigName(CachePurpose purpose);          // "DATA_CACHE_CONFIG"
std::optional<CachePurpose> purposeFromConfigName(const QString &name);
QList<CachePurpose> allPurposes();

enum class BackendType {
    Null,
    Simple,
    FileSystem,
    Redis,
    RedisSentinel,
    RedisCluster,
    Memcached,
    SupersetMetastore,
    Unknown,
};

QString backendTypeName(BackendType type); // "RedisCache"
// Accepts Flask-Caching spellings: "RedisCache", "redis", dotted paths, class names of cachelib.
BackendType backendTypeFromName(const QString &name);

// One cache, after Flask-Caching's and Superset's defaults were applied: everything needed to
// build it and to show where each value came from.
struct CacheSpec
{
    CachePurpose purpose = CachePurpose::Cache;
    BackendType backend = BackendType::Null;
    QString backendSpelling;      // as written, e.g. "redis" or "flask_caching.backends.RedisCache"
    qint64 defaultTimeout = 300;  // seconds; 0 = never
    QByteArray keyPrefix;         // Redis/Memcached; FileSystem and Simple ignore it
    int threshold = 500;          // Simple / FileSystem
    QString directory;            // FileSystem
    QString redisUrl;             // redis://, unix:// ... (wins over host/port/db, as redis-py's from_url)
    QString host = QStringLiteral("localhost");
    int port = 6379;
    int db = 0;
    QString username;
    QString password;             // secret: never logged
    RedisTls tls;                 // CACHE_OPTIONS ssl*, CACHE_REDIS_SSL*, RedisCache(ssl=...): never dropped
    QList<QPair<QString, int>> sentinels;
    QString sentinelMaster;
    QString sentinelUsername;     // CACHE_OPTIONS sentinel_username
    QString sentinelPassword;     // CACHE_REDIS_SENTINEL_PASSWORD: secret, never logged
    RedisTls sentinelTls;         // CACHE_OPTIONS sentinel_ssl*: the sentinels' own TLS
    QString cluster;              // "h1:p1,h2:p2"
    // Memcached family: CACHE_MEMCACHED_SERVERS (or the servers argument) as (address, weight);
    // empty = cachelib's default 127.0.0.1:11211. username/password above are
    // CACHE_MEMCACHED_USERNAME/PASSWORD for the SASL variants.
    QList<QPair<QString, int>> memcachedServers;
    QString memcachedServersError; // the setting is there but no list of addresses (why)
    QStringList memcachedBehaviors; // pylibmc behaviors from CACHE_OPTIONS, "name=value"
    bool useMsgpack = true;       // RESULTS_BACKEND_USE_MSGPACK, results backend only
    // SupersetMetastoreCache: the metadata database holding its key_value rows (the config's
    // SQLALCHEMY_DATABASE_URI; secret: may hold a password), the value codec ("json" for
    // JsonKeyValueCodec, "pickle" when no CODEC is given, else the class named) and the hash of
    // the key namespace (HASH_ALGORITHM: "md5" up to 5.x, "sha256" where a release defaults to it).
    QString metadataUri;
    QString codec;
    QString hashAlgorithm = QStringLiteral("md5");
    QMap<QString, SourceSpan> spans; // setting name (e.g. "CACHE_KEY_PREFIX") -> where it was set

    // redis://[user:***@]host:port/db, memcached://[user:***@]host:port[,...], the directory or
    // the metadata database; never shows a password.
    QString displayLocation() const;

    // The one way from a Redis-backed spec (RedisCache, RedisSentinelCache) to what
    // RedisConnector opens, as redis-py would: CACHE_REDIS_URL wins over host/port/password
    // (its DB only when it names one), TLS settings from every source are kept, and a Sentinel
    // cache asks its sentinels for `role` (Flask-Caching reads through a replica, writes to the
    // master). An error names the purpose and the reason.
    Expected<RedisUrl> connectionUrl(RedisSentinel::Role role = RedisSentinel::Role::Master) const;
    bool isRedisBacked() const
    {
        return backend == BackendType::Redis || backend == BackendType::RedisSentinel || backend == BackendType::RedisCluster;
    }
};

} // namespace cachescope
