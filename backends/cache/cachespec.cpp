#include "cachespec.h"

#include "metadata/metadatauri.h"

namespace cachescope {

QString purposeConfigName(CachePurpose purpose)
{
    switch (purpose) {
    case CachePurpose::Cache: return QStringLiteral("CACHE_CONFIG");
    case CachePurpose::Data: return QStringLiteral("DATA_CACHE_CONFIG");
    case CachePurpose::FilterState: return QStringLiteral("FILTER_STATE_CACHE_CONFIG");
    case CachePurpose::ExploreFormData: return QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG");
    case CachePurpose::Thumbnail: return QStringLiteral("THUMBNAIL_CACHE_CONFIG");
    case CachePurpose::Results: return QStringLiteral("RESULTS_BACKEND");
    case CachePurpose::GlobalAsyncQueries: return QStringLiteral("GLOBAL_ASYNC_QUERIES_CACHE_BACKEND");
    }
    return {};
}

QList<CachePurpose> allPurposes()
{
    return {CachePurpose::Cache,     CachePurpose::Data,    CachePurpose::FilterState, CachePurpose::ExploreFormData,
            CachePurpose::Thumbnail, CachePurpose::Results, CachePurpose::GlobalAsyncQueries};
}

std::optional<CachePurpose> purposeFromConfigName(const QString &name)
{
    for (CachePurpose p : allPurposes())
        if (purposeConfigName(p).compare(name, Qt::CaseInsensitive) == 0)
            return p;
    return std::nullopt;
}

QString backendTypeName(BackendType type)
{
    switch (type) {
    case BackendType::Null: return QStringLiteral("NullCache");
    case BackendType::Simple: return QStringLiteral("SimpleCache");
    case BackendType::FileSystem: return QStringLiteral("FileSystemCache");
    case BackendType::Redis: return QStringLiteral("RedisCache");
    case BackendType::RedisSentinel: return QStringLiteral("RedisSentinelCache");
    case BackendType::RedisCluster: return QStringLiteral("RedisClusterCache");
    case BackendType::Memcached: return QStringLiteral("MemcachedCache");
    case BackendType::SupersetMetastore: return QStringLiteral("SupersetMetastoreCache");
    case BackendType::Unknown: return QStringLiteral("Unknown");
    }
    return {};
}

BackendType backendTypeFromName(const QString &name)
{
    // Flask-Caching prefixes dot-less names with flask_caching.backends. and imports them;
    // only the last component decides the class for every spelling we know.
    const QString last = name.section(QLatin1Char('.'), -1).trimmed().toLower();
    if (last == u"nullcache" || last == u"null")
        return BackendType::Null;
    if (last == u"simplecache" || last == u"simple")
        return BackendType::Simple;
    if (last == u"filesystemcache" || last == u"filesystem")
        return BackendType::FileSystem;
    if (last == u"rediscache" || last == u"redis")
        return BackendType::Redis;
    if (last == u"redissentinelcache" || last == u"redissentinel")
        return BackendType::RedisSentinel;
    if (last == u"redisclustercache" || last == u"rediscluster")
        return BackendType::RedisCluster;
    if (last.contains(u"memcache"))
        return BackendType::Memcached;
    if (last == u"supersetmetastorecache")
        return BackendType::SupersetMetastore;
    return BackendType::Unknown;
}

QString CacheSpec::displayLocation() const
{
    switch (backend) {
    case BackendType::FileSystem:
        return directory;
    case BackendType::Simple:
        return QStringLiteral("in-process");
    case BackendType::Null:
        return QStringLiteral("—");
    case BackendType::SupersetMetastore: {
        if (metadataUri.isEmpty())
            return QStringLiteral("metadata database");
        const auto uri = MetadataUri::parse(metadataUri);
        return QStringLiteral("metadata database %1").arg(uri ? uri->redacted() : QStringLiteral("(unreadable URI)"));
    }
    case BackendType::RedisSentinel:
        return QStringLiteral("sentinel %1").arg(sentinelMaster);
    case BackendType::RedisCluster:
        return QStringLiteral("cluster %1").arg(cluster);
    case BackendType::Memcached: {
        QStringList servers;
        for (const auto &server : memcachedServers)
            servers << server.first;
        const bool sasl = backendSpelling.contains(QStringLiteral("sasl"), Qt::CaseInsensitive) && !username.isEmpty();
        return QStringLiteral("memcached://%1%2")
            .arg(sasl ? username + QStringLiteral(":***@") : QString(),
                 servers.isEmpty() ? QStringLiteral("127.0.0.1:11211") : servers.join(QLatin1Char(',')));
    }
    default:
        break;
    }
    if (!redisUrl.isEmpty()) {
        // Never show a password that may be inside the URL (nor TLS options in its query).
        QString shown = redisUrl;
        const int at = shown.indexOf(QLatin1Char('@'));
        const int scheme = shown.indexOf(QStringLiteral("://"));
        if (at > 0 && scheme > 0 && at > scheme) {
            const QString userInfo = shown.mid(scheme + 3, at - scheme - 3);
            const int colon = userInfo.indexOf(QLatin1Char(':'));
            const QString user = colon >= 0 ? userInfo.left(colon) : QString();
            shown = shown.left(scheme + 3) + (user.isEmpty() ? QString() : user) + QStringLiteral(":***")
                  + shown.mid(at);
        }
        const int query = shown.indexOf(QLatin1Char('?'));
        if (query > 0 && shown.indexOf(QStringLiteral("ssl_password"), query) > 0)
            shown = shown.left(query);
        if (tls.enabled && shown.startsWith(QStringLiteral("redis://")))
            shown.insert(5, QLatin1Char('s'));
        return shown;
    }
    return QStringLiteral("%1://%2%3:%4/%5")
        .arg(tls.enabled ? QStringLiteral("rediss") : QStringLiteral("redis"),
             username.isEmpty() ? QString() : username + QStringLiteral(":***@"), host)
        .arg(port)
        .arg(db);
}

Expected<RedisUrl> CacheSpec::connectionUrl(RedisSentinel::Role role) const
{
    const QString purposeName = purposeConfigName(purpose);
    if (!isRedisBacked())
        return makeError(QStringLiteral("%1 is a %2, not a Redis cache").arg(purposeName, backendTypeName(backend)));
    if (redisUrl.isEmpty() && host.startsWith(u'<')) // "<redis.Redis client>": built in code we do not run
        return makeError(QStringLiteral("%1: the Redis server is built by code in the config (%2)").arg(purposeName, host));
    RedisUrl url;
    url.host = host;
    url.port = port;
    url.db = db;
    url.username = username;
    url.password = password;
    url.tls = tls;
    if (!redisUrl.isEmpty() && backend == BackendType::Redis) {
        // Flask-Caching: redis.from_url(CACHE_REDIS_URL, db=CACHE_REDIS_DB); the URL's own parts win.
        auto parsed = RedisUrl::parse(redisUrl, url);
        if (!parsed) // the message quotes the host part only, never the password
            return makeError(QStringLiteral("%1: %2").arg(purposeName, parsed.error()));
        url = *parsed;
    }
    if (backend == BackendType::RedisCluster) {
        // Flask-Caching 2.0.2 RedisClusterCache: RedisCluster(startup_nodes, password=...,
        // **CACHE_OPTIONS); CACHE_REDIS_URL and CACHE_REDIS_DB are not used, a cluster has DB 0.
        if (cluster.trimmed().isEmpty())
            return makeError(QStringLiteral("%1: RedisClusterCache without CACHE_REDIS_CLUSTER (host1:port1,host2:port2,...)")
                                 .arg(purposeName));
        auto nodes = RedisUrl::parseClusterNodes(cluster);
        if (!nodes)
            return makeError(QStringLiteral("%1: CACHE_REDIS_CLUSTER: %2").arg(purposeName, nodes.error()));
        url.clusterNodes = *nodes;
        url.host = nodes->first().first;
        url.port = nodes->first().second;
        url.db = 0;
        url.dbInUrl = false;
    }
    if (backend == BackendType::RedisSentinel) {
        RedisSentinel s;
        s.sentinels = sentinels;
        if (!sentinelMaster.isEmpty())
            s.master = sentinelMaster;
        s.role = role;
        s.username = sentinelUsername;
        s.password = sentinelPassword;
        s.tls = sentinelTls;
        url.sentinel = s;
    }
    return url;
}

} // namespace cachescope
