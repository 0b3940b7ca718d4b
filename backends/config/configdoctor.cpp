#include "configdoctor.h"

#include <QRegularExpression>

namespace cachescope {

namespace {

SourceSpan spanFor(const CacheSpec &spec, std::initializer_list<const char *> keys)
{
    for (const char *k : keys) {
        const auto it = spec.spans.find(QLatin1String(k));
        if (it != spec.spans.end() && it->isValid())
            return *it;
    }
    const auto it = spec.spans.find(purposeConfigName(spec.purpose));
    return it != spec.spans.end() ? *it : SourceSpan{};
}

bool isRedisLike(const CacheSpec &s)
{
    return s.backend == BackendType::Redis || s.backend == BackendType::RedisSentinel || s.backend == BackendType::RedisCluster;
}

QString serverKey(const CacheSpec &s)
{
    if (s.backend == BackendType::RedisSentinel)
        return QStringLiteral("sentinel:%1/%2").arg(s.sentinelMaster, QString::number(s.db));
    if (s.backend == BackendType::RedisCluster)
        return QStringLiteral("cluster:%1").arg(s.cluster);
    QString host = s.host.toLower();
    if (host == u"127.0.0.1" || host == u"::1")
        host = QStringLiteral("localhost");
    return QStringLiteral("%1:%2/%3").arg(host, QString::number(s.port), QString::number(s.db));
}

py::Diagnostic finding(const QString &severity, const QString &code, const QString &message, const SourceSpan &span)
{
    return py::Diagnostic{severity, span, code, message, {}};
}

} // namespace

std::vector<py::Diagnostic> ConfigDoctor::examine(const ConfigReport &report)
{
    std::vector<py::Diagnostic> out;
    if (!report.globals)
        return out;
    const QList<CacheSpec> &caches = report.caches;

    // Two caches on one keyspace (Superset issue 18639) or one prefix shadowing another.
    for (int i = 0; i < caches.size(); ++i) {
        for (int j = i + 1; j < caches.size(); ++j) {
            const CacheSpec &a = caches[i], &b = caches[j];
            const QString an = purposeConfigName(a.purpose), bn = purposeConfigName(b.purpose);
            if (a.backend == BackendType::FileSystem && b.backend == BackendType::FileSystem && !a.directory.isEmpty()
                && a.directory == b.directory) {
                out.push_back(finding(QStringLiteral("error"), QStringLiteral("shared-keyspace"),
                                      QStringLiteral("%1 and %2 use the same directory %3: deleting or pruning one cache removes the "
                                                     "other's entries, and equal keys overwrite each other")
                                          .arg(an, bn, a.directory),
                                      spanFor(b, {"CACHE_DIR", "cache_dir"})));
                continue;
            }
            if (!isRedisLike(a) || !isRedisLike(b) || serverKey(a) != serverKey(b))
                continue;
            if (a.keyPrefix == b.keyPrefix) {
                out.push_back(finding(QStringLiteral("error"), QStringLiteral("shared-keyspace"),
                                      QStringLiteral("%1 and %2 share server, database and key prefix '%3' (%4): entries overwrite each "
                                                     "other and clearing one cache clears both; charts can come back empty at random "
                                                     "(Superset issue 18639). Give each cache its own CACHE_KEY_PREFIX.")
                                          .arg(an, bn, QString::fromUtf8(a.keyPrefix), serverKey(a)),
                                      spanFor(b, {"CACHE_KEY_PREFIX", "key_prefix"})));
            } else if (a.keyPrefix.startsWith(b.keyPrefix) || b.keyPrefix.startsWith(a.keyPrefix)) {
                const bool aShorter = a.keyPrefix.size() < b.keyPrefix.size();
                const CacheSpec &shorter = aShorter ? a : b, &longer = aShorter ? b : a;
                out.push_back(finding(QStringLiteral("warning"), QStringLiteral("prefix-overlap"),
                                      QStringLiteral("the key prefix '%1' of %2 is a prefix of '%3' (%4) on the same server and "
                                                     "database: a key scan or delete by prefix for %2 also matches %4's keys")
                                          .arg(QString::fromUtf8(shorter.keyPrefix), purposeConfigName(shorter.purpose),
                                               QString::fromUtf8(longer.keyPrefix), purposeConfigName(longer.purpose)),
                                      spanFor(shorter, {"CACHE_KEY_PREFIX", "key_prefix"})));
            }
        }
    }

    const bool container = report.fileName.contains(QStringLiteral("docker"), Qt::CaseInsensitive)
                        || report.fileName.contains(QStringLiteral("helm"), Qt::CaseInsensitive)
                        || report.source.contains(QStringLiteral("/app/")) || report.importedModules.contains(QStringLiteral("superset_config_docker"));

    for (const CacheSpec &s : caches) {
        const QString name = purposeConfigName(s.purpose);
        const QString spelling = s.backendSpelling;
        static const QStringList legacy = {QStringLiteral("null"), QStringLiteral("simple"), QStringLiteral("filesystem"),
                                           QStringLiteral("redis"), QStringLiteral("redissentinel"), QStringLiteral("rediscluster"),
                                           QStringLiteral("uwsgi"), QStringLiteral("memcached"), QStringLiteral("gaememcached"),
                                           QStringLiteral("saslmemcached"), QStringLiteral("spreadsaslmemcached")};
        if (s.purpose != CachePurpose::Results && legacy.contains(spelling) && s.spans.contains(QStringLiteral("CACHE_TYPE")))
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("legacy-cache-type"),
                                  QStringLiteral("%1: CACHE_TYPE '%2' is a deprecated Flask-Caching name (removed in Flask-Caching 2.5); "
                                                 "use '%3'. Superset's own checks only recognise the class names.")
                                      .arg(name, spelling,
                                           spelling == u"saslmemcached"         ? QStringLiteral("SASLMemcachedCache")
                                           : spelling == u"spreadsaslmemcached" ? QStringLiteral("SpreadSASLMemcachedCache")
                                                                                : backendTypeName(s.backend)),
                                  spanFor(s, {"CACHE_TYPE"})));
        if (s.purpose != CachePurpose::Results && spelling.startsWith(QStringLiteral("cachelib.")))
            out.push_back(finding(QStringLiteral("error"), QStringLiteral("cachelib-cache-type"),
                                  QStringLiteral("%1: CACHE_TYPE '%2' imports cachelib's class, which Flask-Caching ≤ 2.4 calls with the "
                                                 "Flask app as the Redis client; every set() fails. Use 'RedisCache'.")
                                      .arg(name, spelling),
                                  spanFor(s, {"CACHE_TYPE"})));
        if (s.backend == BackendType::Unknown && s.purpose != CachePurpose::Results)
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("unknown-backend"),
                                  QStringLiteral("%1: cache type '%2' is not one CacheScope can open").arg(name, spelling),
                                  spanFor(s, {"CACHE_TYPE"})));
        if (s.backend == BackendType::Null && (s.purpose == CachePurpose::Cache || s.purpose == CachePurpose::Data))
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("caching-off"),
                                  s.spans.isEmpty()
                                      ? QStringLiteral("%1 is not set: Superset's default is NullCache, so caching is off for %2")
                                            .arg(name, s.purpose == CachePurpose::Data ? QStringLiteral("chart data") : QStringLiteral("metadata"))
                                      : QStringLiteral("%1 uses NullCache: caching is off for %2")
                                            .arg(name, s.purpose == CachePurpose::Data ? QStringLiteral("chart data") : QStringLiteral("metadata")),
                                  spanFor(s, {"CACHE_TYPE"})));
        if (s.backend == BackendType::Simple)
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("simple-cache"),
                                  QStringLiteral("%1 uses SimpleCache: it lives inside one process, so with several gunicorn workers "
                                                 "or Celery each worker has its own cache (misses, stale entries, no shared results)")
                                      .arg(name),
                                  spanFor(s, {"CACHE_TYPE"})));
        if (s.backend == BackendType::FileSystem && s.threshold <= 500)
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("filesystem-threshold"),
                                  QStringLiteral("%1: FileSystemCache keeps at most %2 files; once full, cachelib prunes on every set and "
                                                 "entries that never expire (timeout 0) are evicted first. Raise CACHE_THRESHOLD or use Redis.")
                                      .arg(name)
                                      .arg(s.threshold),
                                  spanFor(s, {"CACHE_THRESHOLD", "threshold", "CACHE_TYPE"})));
        if (isRedisLike(s) && s.backend == BackendType::Redis && container
            && (s.host == u"localhost" || s.host == u"127.0.0.1" || s.host == u"::1"))
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("localhost-in-container"),
                                  QStringLiteral("%1 points at Redis on %2, but this config is for a container: localhost is the "
                                                 "container itself, not the Redis service")
                                      .arg(name, s.host),
                                  spanFor(s, {"CACHE_REDIS_HOST", "host", "CACHE_REDIS_URL"})));
        if (s.defaultTimeout == 0 && (s.purpose == CachePurpose::Data || s.purpose == CachePurpose::Cache)
            && s.backend != BackendType::Null)
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("never-expires"),
                                  QStringLiteral("%1: CACHE_DEFAULT_TIMEOUT 0 means entries never expire; chart data stays stale until "
                                                 "evicted or cleared by hand")
                                      .arg(name),
                                  spanFor(s, {"CACHE_DEFAULT_TIMEOUT"})));
        if (s.purpose == CachePurpose::Results && s.backendSpelling == u"dict")
            out.push_back(finding(QStringLiteral("error"), QStringLiteral("results-backend-dict"),
                                  QStringLiteral("RESULTS_BACKEND is a dict, but Superset needs a cache object such as "
                                                 "RedisCache(host=..., key_prefix='superset_results'); async SQL Lab queries fail "
                                                 "(Superset issue 34338)"),
                                  spanFor(s, {})));
        if (s.purpose == CachePurpose::Results && s.backend == BackendType::Unknown && s.backendSpelling != u"dict")
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("unknown-backend"),
                                  QStringLiteral("RESULTS_BACKEND is %1, which CacheScope cannot open").arg(s.backendSpelling),
                                  spanFor(s, {})));
    }

    // RESULTS_BACKEND unset while asynchronous queries are on.
    bool hasResults = false;
    for (const CacheSpec &s : caches)
        hasResults = hasResults || s.purpose == CachePurpose::Results;
    if (!hasResults) {
        bool async = false;
        SourceSpan where;
        if (py::ValuePtr flags = report.setting(QStringLiteral("FEATURE_FLAGS")); flags && flags->kind == py::Value::Kind::Dict) {
            if (const auto *e = flags->dict->entry(QStringLiteral("GLOBAL_ASYNC_QUERIES")))
                if (e->value->kind == py::Value::Kind::Bool && e->value->b) {
                    async = true;
                    where = e->span;
                }
        }
        for (const char *celery : {"CELERY_CONFIG", "CeleryConfig"}) {
            py::ValuePtr c = report.setting(QLatin1String(celery));
            if (c && c->kind != py::Value::Kind::None && !async) {
                async = true;
                where = report.settingSpan(QLatin1String(celery));
            }
        }
        if (async)
            out.push_back(finding(QStringLiteral("warning"), QStringLiteral("results-backend-missing"),
                                  QStringLiteral("asynchronous queries are set up (Celery or GLOBAL_ASYNC_QUERIES) but RESULTS_BACKEND "
                                                 "is not set: SQL Lab cannot store async results"),
                                  where));
    }

    // werkzeug.contrib.cache was removed in Werkzeug 1.0.
    const QStringList lines = report.source.split(u'\n');
    static const QRegularExpression werkzeug(QStringLiteral("^\\s*(from|import)\\s+werkzeug\\.contrib"));
    bool importsWerkzeug = false;
    for (const QString &m : report.importedModules)
        importsWerkzeug = importsWerkzeug || m.startsWith(QStringLiteral("werkzeug.contrib"));
    for (int i = 0; importsWerkzeug && i < lines.size(); ++i) {
        const auto m = werkzeug.match(lines[i]);
        if (m.hasMatch())
            out.push_back(finding(QStringLiteral("error"), QStringLiteral("werkzeug-contrib"),
                                  QStringLiteral("werkzeug.contrib.cache was removed in Werkzeug 1.0: this import fails on any current "
                                                 "Superset; use cachelib (same class names)"),
                                  SourceSpan{i + 1, int(m.capturedStart(1)) + 1, i + 1, int(lines[i].size()) + 1}));
    }
    return out;
}

} // namespace cachescope
