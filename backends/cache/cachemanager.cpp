#include "cachemanager.h"

#include "filesystemcache.h"
#include "metastorecache.h"
#include "metadata/metadataconnection.h"
#include "memcachedcache.h"
#include "nullcache.h"
#include "simplecache.h"
#if __has_include("rediscache.h")
#include "rediscache.h"
#define CACHESCOPE_HAVE_REDISCACHE 1
#endif

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cachescope {

CacheManager::~CacheManager() = default;

Expected<std::unique_ptr<CacheManager>> CacheManager::create(const QList<CacheSpec> &specs, Access access)
{
    auto manager = std::make_unique<CacheManager>();
    manager->m_access = access;
    for (const CacheSpec &spec : specs) {
        auto added = manager->setCache(spec);
        if (!added)
            return Error{added.error()};
    }
    return manager;
}

Expected<std::unique_ptr<Cache>> CacheManager::buildCache(const CacheSpec &spec, Access access)
{
    if (access == Access::ReadOnly && spec.backend == BackendType::FileSystem && !spec.directory.isEmpty())
        return std::unique_ptr<Cache>(FileSystemCache::openReadOnly(spec.directory, spec.threshold, spec.defaultTimeout));
    auto built = buildWritableCache(spec);
    if (built && access == Access::ReadOnly)
        (*built)->setWritable(false);
    return built;
}

Expected<std::unique_ptr<Cache>> CacheManager::buildWritableCache(const CacheSpec &spec)
{
    const QString purpose = purposeConfigName(spec.purpose);
    switch (spec.backend) {
    case BackendType::Null:
        return std::unique_ptr<Cache>(std::make_unique<NullCache>());
    case BackendType::Simple:
        return std::unique_ptr<Cache>(std::make_unique<SimpleCache>(spec.threshold, spec.defaultTimeout));
    case BackendType::FileSystem:
        if (spec.directory.isEmpty())
            return makeError(QStringLiteral("%1: FileSystemCache needs CACHE_DIR").arg(purpose));
        return std::unique_ptr<Cache>(
            std::make_unique<FileSystemCache>(spec.directory, spec.threshold, spec.defaultTimeout));
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster: {
#ifdef CACHESCOPE_HAVE_REDISCACHE
        auto url = spec.connectionUrl();
        if (!url)
            return Error{url.error()};
        return std::unique_ptr<Cache>(std::make_unique<RedisCache>(*url, spec.keyPrefix, spec.defaultTimeout));
#else
        return makeError(QStringLiteral("%1: RedisCache is not available in this build").arg(purpose));
#endif
    }
    case BackendType::SupersetMetastore: {
        // Its rows live in the metadata database; connecting waits for the first use, on the
        // connection's own thread.
        if (spec.metadataUri.isEmpty())
            return makeError(QStringLiteral("%1: SupersetMetastoreCache keeps its entries in the metadata database, and "
                                            "the config's SQLALCHEMY_DATABASE_URI is not a plain string here")
                                 .arg(purpose));
        auto uri = MetadataUri::parse(spec.metadataUri);
        if (!uri)
            return makeError(QStringLiteral("%1: %2").arg(purpose, uri.error()));
        SupersetMetastoreCache::Options options;
        options.keyPrefix = spec.keyPrefix;
        options.defaultTimeout = spec.defaultTimeout;
        options.namespaceHash = spec.hashAlgorithm == QStringLiteral("sha256") ? SupersetMetastoreCache::NamespaceHash::Sha256
                                                                               : SupersetMetastoreCache::NamespaceHash::Md5;
        if (spec.codec == QStringLiteral("json"))
            options.codec = SupersetMetastoreCache::Codec::Json;
        else if (spec.codec.isEmpty() || spec.codec == QStringLiteral("pickle"))
            options.codec = SupersetMetastoreCache::Codec::Pickle;
        else
            return makeError(QStringLiteral("%1: CODEC %2 is not supported (JsonKeyValueCodec and PickleKeyValueCodec are)")
                                 .arg(purpose, spec.codec));
        return std::unique_ptr<Cache>(
            std::make_unique<SupersetMetastoreCache>(std::make_shared<MetadataConnection>(*uri), options));
    }
    case BackendType::Memcached: {
        auto options = MemcachedCache::optionsFromSpec(spec);
        if (!options)
            return Error{options.error()};
        return std::unique_ptr<Cache>(std::make_unique<MemcachedCache>(*options, spec.keyPrefix, spec.defaultTimeout));
    }
    default:
        break;
    }
    const QString spelling = spec.backendSpelling.isEmpty() ? backendTypeName(spec.backend) : spec.backendSpelling;
    return makeError(QStringLiteral("%1: the backend %2 is not supported yet").arg(purpose, spelling));
}

namespace {

// Replaces ${NAME} from variables; an unknown name is an error naming the setting.
Expected<QString> substitute(const QString &text, const QHash<QString, QString> &variables, const QString &where)
{
    static const QRegularExpression pattern(QStringLiteral("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    QString out;
    qsizetype last = 0;
    auto it = pattern.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString name = m.captured(1);
        if (!variables.contains(name))
            return makeError(QStringLiteral("%1: unknown variable ${%2}").arg(where, name));
        out += QStringView(text).mid(last, m.capturedStart() - last);
        out += variables.value(name);
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

Expected<qint64> readInteger(const QJsonObject &object, const QString &name, qint64 fallback, const QString &where)
{
    const QJsonValue v = object.value(name);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())))
        return makeError(QStringLiteral("%1.%2: expected an integer").arg(where, name));
    return qint64(v.toDouble());
}

Expected<QString> readString(const QJsonObject &object, const QString &name, const QString &where,
                             const QHash<QString, QString> &variables)
{
    const QJsonValue v = object.value(name);
    if (v.isUndefined() || v.isNull())
        return QString();
    if (!v.isString())
        return makeError(QStringLiteral("%1.%2: expected a string").arg(where, name));
    return substitute(v.toString(), variables, where + u'.' + name);
}

} // namespace

Expected<QList<CacheSpec>> CacheManager::specsFromJson(const QByteArray &json, const QHash<QString, QString> &variables)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("cache spec: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset));
    if (!doc.isObject())
        return makeError(QStringLiteral("cache spec: expected a JSON object at the top level"));
    const QJsonObject root = doc.object();
    auto globalTimeout = readInteger(root, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 300, QStringLiteral("cache spec"));
    if (!globalTimeout)
        return Error{globalTimeout.error()};
    const QJsonValue cachesValue = root.value(QStringLiteral("caches"));
    if (!cachesValue.isObject())
        return makeError(QStringLiteral("cache spec: \"caches\" must be an object of purpose -> settings"));

    QList<CacheSpec> specs;
    const QJsonObject caches = cachesValue.toObject();
    for (auto it = caches.begin(); it != caches.end(); ++it) {
        const QString where = it.key();
        const auto purpose = purposeFromConfigName(where);
        if (!purpose)
            return makeError(QStringLiteral("cache spec: unknown cache purpose %1").arg(where));
        if (!it.value().isObject())
            return makeError(QStringLiteral("%1: expected an object of CACHE_* settings").arg(where));
        const QJsonObject o = it.value().toObject();

        CacheSpec spec;
        spec.purpose = *purpose;
        auto type = readString(o, QStringLiteral("CACHE_TYPE"), where, variables);
        if (!type)
            return Error{type.error()};
        spec.backendSpelling = type->isEmpty() ? QStringLiteral("NullCache") : *type;
        spec.backend = backendTypeFromName(spec.backendSpelling);
        if (spec.backend == BackendType::Unknown)
            return makeError(QStringLiteral("%1.CACHE_TYPE: unknown backend %2").arg(where, spec.backendSpelling));

        auto timeout = readInteger(o, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), *globalTimeout, where);
        auto threshold = readInteger(o, QStringLiteral("CACHE_THRESHOLD"), 500, where);
        auto prefix = readString(o, QStringLiteral("CACHE_KEY_PREFIX"), where, variables);
        auto dir = readString(o, QStringLiteral("CACHE_DIR"), where, variables);
        auto url = readString(o, QStringLiteral("CACHE_REDIS_URL"), where, variables);
        auto host = readString(o, QStringLiteral("CACHE_REDIS_HOST"), where, variables);
        auto port = readInteger(o, QStringLiteral("CACHE_REDIS_PORT"), 6379, where);
        auto db = readInteger(o, QStringLiteral("CACHE_REDIS_DB"), 0, where);
        auto password = readString(o, QStringLiteral("CACHE_REDIS_PASSWORD"), where, variables);
        for (const QString *error : {timeout ? nullptr : &timeout.error(), threshold ? nullptr : &threshold.error(),
                                     prefix ? nullptr : &prefix.error(), dir ? nullptr : &dir.error(),
                                     url ? nullptr : &url.error(), host ? nullptr : &host.error(),
                                     port ? nullptr : &port.error(), db ? nullptr : &db.error(),
                                     password ? nullptr : &password.error()}) {
            if (error)
                return makeError(*error);
        }
        if (*timeout < 0)
            return makeError(QStringLiteral("%1.CACHE_DEFAULT_TIMEOUT: must not be negative").arg(where));
        if (*threshold < 0 || *threshold > std::numeric_limits<int>::max())
            return makeError(QStringLiteral("%1.CACHE_THRESHOLD: out of range").arg(where));
        spec.defaultTimeout = *timeout;
        spec.threshold = int(*threshold);
        spec.keyPrefix = prefix->toUtf8();
        spec.directory = *dir;
        spec.redisUrl = *url;
        if (!host->isEmpty())
            spec.host = *host;
        spec.port = int(*port);
        spec.db = int(*db);
        spec.password = *password;
        specs.append(spec);
    }
    return specs;
}

QList<CachePurpose> CacheManager::purposes() const
{
    std::lock_guard lock(m_mapMutex);
    return m_order;
}

bool CacheManager::contains(CachePurpose purpose) const
{
    std::lock_guard lock(m_mapMutex);
    return m_entries.count(purpose) > 0;
}

std::optional<CacheSpec> CacheManager::spec(CachePurpose purpose) const
{
    std::lock_guard lock(m_mapMutex);
    auto it = m_entries.find(purpose);
    if (it == m_entries.end())
        return std::nullopt;
    return it->second.spec;
}

std::shared_ptr<Cache> CacheManager::cache(CachePurpose purpose) const
{
    std::lock_guard lock(m_mapMutex);
    auto it = m_entries.find(purpose);
    return it == m_entries.end() ? nullptr : it->second.cache;
}

std::unique_lock<std::mutex> CacheManager::lockForUse(CachePurpose purpose) const
{
    // The mutex is shared and never replaced for a purpose, so it outlives the map lock.
    return handle(purpose).lock();
}

CacheManager::Handle CacheManager::handle(CachePurpose purpose) const
{
    std::lock_guard lock(m_mapMutex);
    auto it = m_entries.find(purpose);
    if (it == m_entries.end())
        return {};
    return Handle{purpose, it->second.cache, it->second.useMutex};
}

Expected<bool> CacheManager::setCache(const CacheSpec &spec)
{
    auto built = buildCache(spec, m_access);
    if (!built)
        return Error{built.error()};
    adoptCache(spec, std::move(*built));
    return true;
}

void CacheManager::adoptCache(const CacheSpec &spec, std::unique_ptr<Cache> cache)
{
    std::shared_ptr<Cache> shared = std::move(cache);
    std::lock_guard lock(m_mapMutex);
    auto it = m_entries.find(spec.purpose);
    if (it == m_entries.end()) {
        Entry entry;
        entry.spec = spec;
        entry.cache = std::move(shared);
        m_entries.emplace(spec.purpose, std::move(entry));
        m_order.append(spec.purpose);
    } else {
        // A replacement (a new threshold) stays observed as the cache it replaces was.
        if (it->second.cache && it->second.cache->observer() && !shared->observer())
            shared->setObserver(it->second.cache->observer(), it->second.cache->observerTag());
        it->second.spec = spec;
        it->second.cache = std::move(shared);
    }
}

Expected<qint64> CacheManager::countEntries(CachePurpose purpose, qint64 limit, const std::atomic_bool *stop) const
{
    const Handle h = handle(purpose);
    if (!h)
        return makeError(QStringLiteral("%1: no such cache").arg(purposeConfigName(purpose)));
    return countEntries(h, limit, stop);
}

Expected<qint64> CacheManager::countEntries(const Handle &handle, qint64 limit, const std::atomic_bool *stop)
{
    const QString name = purposeConfigName(handle.purpose);
    if (!handle)
        return makeError(QStringLiteral("%1: no such cache").arg(name));
    qint64 count = 0;
    QByteArray cursor = "0";
    do {
        if (stop && stop->load(std::memory_order_relaxed))
            return makeError(QStringLiteral("%1: entry count cancelled").arg(name));
        Expected<ScanPage> page = [&] {
            auto lock = handle.lock(); // one page at a time, so the cache's users wait at most that long
            return handle.cache->scan(cursor, "*", 1000);
        }();
        if (!page)
            return makeError(QStringLiteral("%1: cannot count entries: %2").arg(name, page.error()));
        count += page->keys.size();
        // A cursor that does not move would loop forever on a broken backend.
        if (page->nextCursor == cursor && !page->nextCursor.isEmpty() && page->nextCursor != "0")
            return makeError(QStringLiteral("%1: key scan did not advance").arg(name));
        cursor = page->nextCursor;
    } while (count < limit && !cursor.isEmpty() && cursor != "0");
    return std::min(count, limit);
}

} // namespace cachescope
