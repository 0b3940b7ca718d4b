#include "commandtarget.h"

#include "cache/filesystemcache.h"
#include "config/configcommandline.h"

#include <QRegularExpression>

namespace cachescope {

int cacheTargetOptionsGiven(const CommandLine &cl)
{
    int given = 0;
    for (const char *name : {"redis", "memcached", "dir", "config"})
        given += int(cl.hasOption(QLatin1String(name)) && cl.isSet(QLatin1String(name)));
    return given;
}

std::optional<CacheTarget> cacheTarget(const CommandLine &cl, int *status)
{
    auto has = [&cl](const char *name) { return cl.hasOption(QLatin1String(name)) && cl.isSet(QLatin1String(name)); };
    auto usage = [&](const QString &message) {
        *status = cl.usageError(message);
        return std::nullopt;
    };
    auto failure = [&](const QString &message) {
        *status = cl.fail(message);
        return std::nullopt;
    };
    if (cacheTargetOptionsGiven(cl) != 1) {
        QStringList sources;
        if (cl.hasOption(QStringLiteral("redis")))
            sources << QStringLiteral("--redis URL");
        if (cl.hasOption(QStringLiteral("memcached")))
            sources << QStringLiteral("--memcached SERVERS");
        if (cl.hasOption(QStringLiteral("dir")))
            sources << QStringLiteral("--dir DIR");
        if (cl.hasOption(QStringLiteral("config")))
            sources << QStringLiteral("--config FILE --cache PURPOSE");
        const QString last = sources.takeLast();
        return usage(QStringLiteral("give exactly one of %1 or %2").arg(sources.join(QStringLiteral(", ")), last));
    }
    if (has("cache") != has("config"))
        return usage(QStringLiteral("--config FILE and --cache PURPOSE go together"));
    if (has("memcached-client") && !has("memcached"))
        return usage(QStringLiteral("--memcached-client goes with --memcached SERVERS"));
    if (has("prefix") && !has("redis") && !has("memcached"))
        return usage(has("dir") ? QStringLiteral("--prefix does not apply to --dir: FileSystemCache file names hash the bare key")
                                : QStringLiteral("--prefix does not apply to --config: the config names the cache's prefix"));
    CacheTarget target;
    if (has("redis")) {
        auto url = RedisUrl::parse(cl.value(QStringLiteral("redis")));
        if (!url)
            return usage(url.error());
        target.redis = *url;
        target.prefix = cl.value(QStringLiteral("prefix")).toUtf8();
        return target;
    }
    if (has("memcached")) {
        auto servers = MemcachedEndpoint::parseList(cl.value(QStringLiteral("memcached")));
        if (!servers)
            return usage(servers.error());
        const QString client = cl.value(QStringLiteral("memcached-client"));
        if (client != u"pylibmc" && client != u"python-memcache")
            return usage(QStringLiteral("--memcached-client is pylibmc or python-memcache, not '%1'").arg(client));
        target.kind = CacheTarget::Kind::Memcached;
        target.memcached.client.servers = *servers;
        target.memcached.client.client = client == u"pylibmc" ? MemcachedClientKind::Pylibmc : MemcachedClientKind::PythonMemcache;
        target.prefix = cl.value(QStringLiteral("prefix")).toUtf8();
        return target;
    }
    if (has("dir")) {
        target.kind = CacheTarget::Kind::Directory;
        target.directory = cl.value(QStringLiteral("dir"));
        return target;
    }
    // A misspelt purpose is a usage error, reported even when the file would not load.
    const QString purposeName = cl.value(QStringLiteral("cache"));
    if (!purposeFromConfigName(purposeName.trimmed()))
        return usage(ConfigCommandLine::cacheSpec(ConfigReport{}, purposeName).error());
    const auto options = cl.environment().loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return usage(options.error());
    const auto report = ConfigCommandLine::loadForCommand(cl.value(QStringLiteral("config")), *options);
    if (!report)
        return failure(report.error());
    const auto spec = ConfigCommandLine::cacheSpec(*report, purposeName);
    if (!spec)
        return failure(spec.error());
    target.spec = *spec;
    const QString purpose = purposeConfigName(spec->purpose);
    switch (spec->backend) {
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster: {
        const auto url = ConfigCommandLine::redisUrl(*spec);
        if (!url)
            return failure(url.error());
        target.redis = *url;
        target.prefix = spec->keyPrefix;
        return target;
    }
    case BackendType::Memcached: {
        auto memcached = MemcachedCache::optionsFromSpec(*spec);
        if (!memcached)
            return failure(memcached.error());
        target.kind = CacheTarget::Kind::Memcached;
        target.memcached = *memcached;
        target.prefix = spec->keyPrefix;
        return target;
    }
    case BackendType::FileSystem:
        if (spec->directory.isEmpty())
            return failure(QStringLiteral("%1 is a FileSystemCache without CACHE_DIR").arg(purpose));
        target.kind = CacheTarget::Kind::Directory;
        target.directory = spec->directory;
        return target;
    case BackendType::SupersetMetastore:
        target.kind = CacheTarget::Kind::Metastore;
        return target;
    case BackendType::Null:
    case BackendType::Simple:
        return failure(QStringLiteral("%1 is a %2: it has no keys outside the Superset process")
                           .arg(purpose, backendTypeName(spec->backend)));
    default:
        return failure(QStringLiteral("%1 is a %2: reading it is not supported yet")
                           .arg(purpose, spec->backendSpelling.isEmpty() ? backendTypeName(spec->backend)
                                                                         : spec->backendSpelling));
    }
}

QList<KeyCandidate> keyCandidates(const CacheTarget &target, const QByteArray &key)
{
    const QString shown = QString::fromUtf8(key);
    QList<KeyCandidate> out;
    if (target.storesPrefixedKeys()) {
        out.append({target.prefix + key,
                    target.prefix.isEmpty() ? QStringLiteral("key '%1'").arg(shown)
                                            : QStringLiteral("cache key '%1' (stored as '%2')")
                                                  .arg(shown, QString::fromUtf8(target.prefix + key)),
                    true});
        if (!target.prefix.isEmpty() && key.startsWith(target.prefix) && key.size() > target.prefix.size())
            out.append({key,
                        QStringLiteral("stored key '%1' (cache key '%2')")
                            .arg(shown, QString::fromUtf8(key.mid(target.prefix.size()))),
                        false});
        return out;
    }
    // cachelib names a file by the md5 of the key (sha256 when configured so); `keys --dir` lists
    // those names, so a hex name is also taken as a file name.
    for (auto method : {FileSystemCache::HashMethod::Md5, FileSystemCache::HashMethod::Sha256}) {
        const QString name = FileSystemCache::fileNameForKey(key, method);
        out.append({name.toLatin1(), QStringLiteral("cache key '%1' (file %2)").arg(shown, name), true});
    }
    static const QRegularExpression hexName(QStringLiteral("^(?:[0-9a-f]{32}|[0-9a-f]{64})$"));
    if (hexName.match(shown).hasMatch())
        out.append({key, QStringLiteral("file %1").arg(shown), false});
    return out;
}

} // namespace cachescope
