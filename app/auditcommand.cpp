#include "timeoutscommand.h"

#include "cache/filesystementry.h"
#include "cache/metastorecache.h"
#include "clioutput.h"
#include "commandline.h"
#include "redis/redisclient.h"
#include "timeouts/timeoutaudit.h"
#include "timeoutscontext.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace cachescope {

namespace {

// Chart-data entries of a Redis data cache: SCAN prefix*, then GET and PTTL pipelined per page.
Expected<QList<AuditSample>> redisSamples(const CacheSpec &spec, qint64 limit)
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

// Chart-data entries of a FileSystemCache directory; file names are md5 (or sha256) of the key,
// so the key is known only when cache_keys names it.
Expected<QList<AuditSample>> directorySamples(const CacheSpec &spec, const QList<CacheKeyRow> &cacheKeys, qint64 limit)
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

// Chart-data rows of a metastore-backed data cache (key_value, resource superset_metastore_cache):
// keys are not stored, so a row's key is known when cache_keys names a key whose uuid3 it is.
// expires_on is naive: server-local time up to 5.x, UTC where a release writes UTC.
Expected<QList<AuditSample>> metastoreSamples(MetadataConnection &connection, const CacheSpec &spec,
                                              const QList<CacheKeyRow> &cacheKeys, qint64 limit, bool utc)
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

QJsonValue optionalJson(const std::optional<qint64> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

} // namespace

int runAuditCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("audit"),
                   QStringLiteral("Configured vs actual: for each chart-data entry of DATA_CACHE_CONFIG's cache (Redis,\n"
                                  "FileSystemCache or SupersetMetastoreCache), the TTL it was given (remaining TTL + age from\n"
                                  "its dttm) against the effective timeout its chart's chain gives today, with the likely\n"
                                  "reason of each mismatch. Entries are tied to charts through cache_keys, else through the\n"
                                  "table their SQL names (said so). The last line sums up."));
    cl.setSynopsis(QStringLiteral("--config FILE [--metadata-db URI] [--superset-version X.Y] [--limit N] [--all] [--json]"));
    TimeoutsContext::addOptions(cl);
    cl.addInteger(QStringLiteral("limit"), QStringLiteral("N"), QStringLiteral("Read at most N entries."), 1,
                  std::numeric_limits<qint64>::max(), QStringLiteral("1000"));
    cl.addFlag(QStringLiteral("all"), QStringLiteral("Print every entry, not only mismatches and unknowns."));
    cl.addJsonOption(QStringLiteral("One JSON object per line."));
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    const auto ctxArgs = TimeoutsContext::args(cl, &status);
    if (!ctxArgs)
        return status;
    const qint64 maxEntries = cl.integer(QStringLiteral("limit"), 1000);
    auto ctx = TimeoutsContext::open(*ctxArgs, cl, &status);
    if (!ctx)
        return status;
    if (!ctx->metadata)
        return cl.usageError(QStringLiteral("the audit needs the metadata database: give --metadata-db URI or set "
                                            "SQLALCHEMY_DATABASE_URI"));
    auto snapshot = ctx->snapshot();
    if (!snapshot)
        return cl.fail(QStringLiteral("%1: %2").arg(ctx->metadataSource, snapshot.error()));
    if (!ctx->familyReason.isEmpty())
        cl.note(ctx->familyReason);
    // cache_keys, all of it (it is keyed by what the entries are keyed by).
    QList<CacheKeyRow> cacheKeys;
    if (snapshot->cacheKeyCount) {
        qint64 after = 0;
        while (true) {
            const auto page = ctx->metadata->call([after](MetadataDatabase &db) { return db.cacheKeys(after, 5000); });
            if (!page)
                return cl.fail(page.error());
            cacheKeys << *page;
            if (page->size() < 5000)
                break;
            after = page->last().id;
        }
    }
    const CacheSpec *data = nullptr;
    for (const CacheSpec &spec : ctx->report.caches)
        if (spec.purpose == CachePurpose::Data)
            data = &spec;
    Expected<QList<AuditSample>> samples = QList<AuditSample>{};
    switch (data ? data->backend : BackendType::Null) {
    case BackendType::Redis:
        samples = redisSamples(*data, maxEntries);
        break;
    case BackendType::FileSystem:
        samples = directorySamples(*data, cacheKeys, maxEntries);
        break;
    case BackendType::SupersetMetastore:
        samples = metastoreSamples(*ctx->metadata, *data, cacheKeys, maxEntries, ctx->family == SupersetFamily::Master);
        break;
    case BackendType::Null:
        return cl.fail(QStringLiteral("DATA_CACHE_CONFIG is a NullCache: there is nothing cached to audit"));
    default:
        return cl.fail(QStringLiteral("DATA_CACHE_CONFIG is a %1: auditing it is not supported yet (Redis, FileSystemCache "
                                      "and SupersetMetastoreCache are)")
                           .arg(backendTypeName(data->backend)));
    }
    if (!samples)
        return cl.fail(samples.error());
    const TimeoutIndex index(std::move(*snapshot), ctx->config, ctx->family);
    const AuditReport report = auditChartData(*samples, cacheKeys, index, QDateTime::currentDateTimeUtc());
    const bool asJson = cl.isSet(QStringLiteral("json"));
    for (const AuditEntry &e : report.entries) {
        if (e.status == AuditStatus::NotChartData || (e.status == AuditStatus::Match && !cl.isSet(QStringLiteral("all"))))
            continue;
        if (asJson) {
            QJsonArray charts, expected;
            for (qint64 id : e.chartIds)
                charts.append(id);
            for (qint64 x : e.expected)
                expected.append(effectiveJson(x));
            QJsonObject o{{QStringLiteral("key"), QString::fromUtf8(e.key)},
                          {QStringLiteral("status"), auditStatusName(e.status)},
                          {QStringLiteral("reason"), e.reason},
                          {QStringLiteral("cached_at"), e.cachedAt.isValid() ? e.cachedAt.toString(Qt::ISODate) : QString()},
                          {QStringLiteral("age"), optionalJson(e.age)},
                          {QStringLiteral("remaining"), optionalJson(e.remaining)},
                          {QStringLiteral("given"), optionalJson(e.given)},
                          {QStringLiteral("recorded"), optionalJson(e.recorded)},
                          {QStringLiteral("expected"), expected},
                          {QStringLiteral("mapping"), auditMappingName(e.mapping)},
                          {QStringLiteral("dataset"), optionalJson(e.datasetId)},
                          {QStringLiteral("charts"), charts}};
            cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
        } else {
            cli::writeLine(QStringLiteral("%1 %2: %3").arg(auditStatusName(e.status), QString::fromUtf8(e.key), e.reason).toUtf8());
        }
    }
    QJsonObject variants;
    for (auto it = report.variantsPerDataset.begin(); it != report.variantsPerDataset.end(); ++it)
        variants.insert(QString::number(it.key()), it.value());
    const QJsonObject summary{{QStringLiteral("summary"), true},
                              {QStringLiteral("family"), familyId(report.family)},
                              {QStringLiteral("entries"), qint64(report.entries.size())},
                              {QStringLiteral("chart_data"), report.chartData},
                              {QStringLiteral("match"), report.matches},
                              {QStringLiteral("mismatch"), report.mismatches},
                              {QStringLiteral("unknown"), report.unknown},
                              {QStringLiteral("variants_per_dataset"), variants}};
    if (asJson)
        cli::writeLine(QJsonDocument(summary).toJson(QJsonDocument::Compact));
    else
        cli::writeLine(QStringLiteral("%1 entries, %2 chart data: %3 match, %4 mismatch, %5 unknown (family %6)")
                           .arg(report.entries.size())
                           .arg(report.chartData)
                           .arg(report.matches)
                           .arg(report.mismatches)
                           .arg(report.unknown)
                           .arg(familyId(report.family))
                           .toUtf8());
    return 0;
}

} // namespace cachescope
