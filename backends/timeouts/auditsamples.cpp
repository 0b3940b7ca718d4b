#include "auditsamples.h"

#include "cache/filesystementry.h"
#include "cache/metastorecache.h"
#include "metadata/metadataconnection.h"
#include "config/configcommandline.h"
#include "redis/redisclient.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <cmath>

namespace cachescope {

namespace {

Error stopped()
{
    return makeError(QStringLiteral("audit stopped"));
}

bool isStopped(const std::atomic_bool *stop)
{
    return stop && stop->load(std::memory_order_relaxed);
}

// SCAN prefix*, then GET and PTTL pipelined per page.
Expected<QList<AuditSample>> redisSamples(const CacheSpec &spec, qint64 limit, const std::atomic_bool *stop)
{
    const auto url = ConfigCommandLine::redisUrl(spec);
    if (!url)
        return Error{url.error()};
    RedisClient client(*url);
    if (auto c = client.connect(); !c)
        return Error{c.error()};
    QList<AuditSample> samples;
    QByteArray cursor = "0";
    const QByteArray match = spec.keyPrefix + '*';
    do {
        if (isStopped(stop))
            return stopped();
        const auto page = client.command({"SCAN", cursor, "MATCH", match, "COUNT", "1000"});
        if (!page)
            return Error{page.error()};
        if (page->isError() || page->elements.size() != 2)
            return makeError(QStringLiteral("%1: SCAN failed: %2").arg(client.serverName(), QString::fromUtf8(page->string)));
        cursor = page->elements[0].string;
        QList<QList<QByteArray>> commands;
        QList<QByteArray> keys;
        for (const RedisReply &k : page->elements[1].elements) {
            if (limit >= 0 && samples.size() + keys.size() >= limit)
                break;
            keys << k.string;
            commands << QList<QByteArray>{"GET", k.string} << QList<QByteArray>{"PTTL", k.string};
        }
        if (!commands.isEmpty()) {
            const auto replies = client.pipeline(commands);
            if (!replies)
                return Error{replies.error()};
            for (qsizetype i = 0; i < keys.size(); ++i) {
                const RedisReply &value = (*replies)[size_t(2 * i)];
                const RedisReply &pttl = (*replies)[size_t(2 * i + 1)];
                if (value.type != RedisReply::Type::String || pttl.integer == -2)
                    continue; // gone between SCAN and GET, or not a string
                AuditSample s;
                s.key = keys[i];
                s.appKey = keys[i].mid(spec.keyPrefix.size());
                s.payload = value.string;
                s.backend = DecodeHints::Backend::Redis;
                if (pttl.integer >= 0)
                    s.remaining = qint64(std::llround(double(pttl.integer) / 1000.0));
                samples << s;
            }
        }
    } while (cursor != "0" && (limit < 0 || samples.size() < limit));
    return samples;
}

// The entry files of a cache directory; a name is the key's md5 (or sha256), known from cache_keys.
Expected<QList<AuditSample>> directorySamples(const CacheSpec &spec, const QList<CacheKeyRow> &cacheKeys, qint64 limit,
                                              const std::atomic_bool *stop)
{
    QDir dir(spec.directory);
    if (!dir.exists())
        return makeError(QStringLiteral("%1: CACHE_DIR %2 does not exist").arg(purposeConfigName(spec.purpose), spec.directory));
    QHash<QString, QByteArray> keyByFile;
    for (const CacheKeyRow &row : cacheKeys) {
        keyByFile.insert(QString::fromLatin1(QCryptographicHash::hash(row.cacheKey.toUtf8(), QCryptographicHash::Md5).toHex()),
                         row.cacheKey.toUtf8());
        keyByFile.insert(QString::fromLatin1(QCryptographicHash::hash(row.cacheKey.toUtf8(), QCryptographicHash::Sha256).toHex()),
                         row.cacheKey.toUtf8());
    }
    static const QRegularExpression hexName(QStringLiteral("^([0-9a-f]{32}|[0-9a-f]{64})$"));
    static const QString countFile = QString::fromLatin1(QCryptographicHash::hash("__wz_cache_count", QCryptographicHash::Md5).toHex());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<AuditSample> samples;
    for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
        if (limit >= 0 && samples.size() >= limit)
            break;
        if (isStopped(stop))
            return stopped();
        if (!hexName.match(name).hasMatch() || name == countFile)
            continue;
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly) || f.size() > (256ll << 20))
            continue;
        AuditSample s;
        s.key = name.toLatin1();
        s.appKey = keyByFile.value(name);
        s.payload = f.readAll();
        s.backend = DecodeHints::Backend::FileSystem;
        const auto header = parseFileSystemHeader(s.payload);
        if (!header)
            continue;
        if (header->expiry != 0)
            s.remaining = header->expiry - now;
        if (s.remaining && *s.remaining < 0)
            continue; // expired: cachelib reads it as a miss
        samples << s;
    }
    return samples;
}

// An in-process cache: its key scan, stored bytes and TTL, each call under the use lock.
Expected<QList<AuditSample>> cacheSamples(const CacheManager::Handle &handle, qint64 limit, const std::atomic_bool *stop)
{
    QList<AuditSample> samples;
    QByteArray cursor = "0";
    do {
        if (isStopped(stop))
            return stopped();
        Expected<ScanPage> page = [&] {
            const auto lock = handle.lock();
            return handle.cache->scan(cursor, "*", 500);
        }();
        if (!page)
            return Error{page.error()};
        cursor = page->nextCursor;
        for (const QByteArray &key : page->keys) {
            if (limit >= 0 && samples.size() >= limit)
                break;
            const auto lock = handle.lock();
            const auto bytes = handle.cache->rawGet(key);
            const auto ttl = handle.cache->ttl(key);
            if (!bytes || !ttl || !bytes->has_value() || ttl->state == EntryTtl::State::Missing)
                continue; // gone meanwhile (or unreadable: nothing to compare)
            AuditSample s;
            s.key = handle.cache->keyPrefix() + key;
            s.appKey = key;
            s.payload = **bytes;
            if (ttl->state == EntryTtl::State::Expires)
                s.remaining = ttl->seconds;
            samples << s;
        }
    } while (!cursor.isEmpty() && cursor != "0" && (limit < 0 || samples.size() < limit));
    return samples;
}

// Chart-data rows of a metastore-backed data cache (key_value, resource superset_metastore_cache):
// keys are not stored, so a row's key is known when cache_keys names a key whose uuid3 it is.
// expires_on is naive: server-local time up to 5.x, UTC where a release writes UTC.
Expected<QList<AuditSample>> metastoreSamples(MetadataConnection &connection, const CacheSpec &spec,
                                              const QList<CacheKeyRow> &cacheKeys, qint64 limit, bool utc,
                                              const std::atomic_bool *stop)
{
    const auto hash = spec.hashAlgorithm == u"sha256" ? SupersetMetastoreCache::NamespaceHash::Sha256
                                                      : SupersetMetastoreCache::NamespaceHash::Md5;
    const QUuid ns = SupersetMetastoreCache::namespaceFor(spec.keyPrefix, hash);
    QHash<QUuid, QByteArray> keyByUuid;
    for (const CacheKeyRow &row : cacheKeys)
        keyByUuid.insert(SupersetMetastoreCache::uuid3(ns, row.cacheKey.toUtf8()), row.cacheKey.toUtf8());
    QDateTime now = utc ? QDateTime::currentDateTimeUtc() : QDateTime::currentDateTime();
    now = QDateTime(now.date(), now.time(), Qt::UTC); // the naive wall clock, as MetadataDatabase returns them
    const QString resource = SupersetMetastoreCache::resource();
    return connection.call([&](MetadataDatabase &db) -> Expected<QList<AuditSample>> {
        QList<AuditSample> samples;
        qint64 after = 0;
        while (limit < 0 || samples.size() < limit) {
            if (isStopped(stop))
                return stopped();
            auto page = db.keyValueEntries(resource, after, 500);
            if (!page)
                return Error{page.error()};
            for (const KeyValueRow &listed : *page) {
                after = listed.id;
                if (listed.expiresOn.isValid() && listed.expiresOn <= now)
                    continue; // expired: a miss for Superset
                auto full = db.keyValueEntry(resource, listed.uuid);
                if (!full)
                    return Error{full.error()};
                if (!*full)
                    continue;
                AuditSample s;
                s.key = listed.uuid.toString(QUuid::WithoutBraces).toLatin1();
                s.appKey = keyByUuid.value(listed.uuid);
                s.payload = (*full)->value;
                s.backend = DecodeHints::Backend::Metastore;
                if (listed.expiresOn.isValid())
                    s.remaining = now.secsTo(listed.expiresOn);
                samples << s;
                if (limit >= 0 && samples.size() >= limit)
                    break;
            }
            if (page->size() < 500)
                break;
        }
        return samples;
    });
}

} // namespace

Expected<QList<AuditSample>> auditSamples(const CacheSpec &spec, const QList<CacheKeyRow> &cacheKeys, qint64 limit,
                                          const AuditSampleSources &sources)
{
    const CacheManager::Handle &inProcess = sources.inProcess;
    const std::atomic_bool *stop = sources.stop;
    switch (spec.backend) {
    case BackendType::Redis: return redisSamples(spec, limit, stop);
    case BackendType::FileSystem: return directorySamples(spec, cacheKeys, limit, stop);
    case BackendType::SupersetMetastore:
        if (!sources.metadata)
            return makeError(QStringLiteral("%1 is a SupersetMetastoreCache: its rows live in the metadata database, "
                                            "which is not open").arg(purposeConfigName(spec.purpose)));
        return metastoreSamples(*sources.metadata, spec, cacheKeys, limit, sources.metastoreUtc, stop);
    case BackendType::Null:
        return makeError(QStringLiteral("%1 is a NullCache: there is nothing cached to audit").arg(purposeConfigName(spec.purpose)));
    default:
        if (inProcess && spec.backend == BackendType::Simple)
            return cacheSamples(inProcess, limit, stop);
        return makeError(QStringLiteral("%1 is a %2: auditing it is not supported yet (Redis, FileSystemCache, "
                                        "SupersetMetastoreCache and the embedded demo's SimpleCache are)")
                             .arg(purposeConfigName(spec.purpose), backendTypeName(spec.backend)));
    }
}

} // namespace cachescope
