#include "cachespec.h"

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
    case BackendType::SupersetMetastore:
        return QStringLiteral("metadata database");
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
        // Never show a password that may be inside the URL.
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
        return shown;
    }
    return QStringLiteral("redis://%1%2:%3/%4")
        .arg(username.isEmpty() ? QString() : username + QStringLiteral(":***@"), host)
        .arg(port)
        .arg(db);
}

} // namespace cachescope
