#include "timeoutscommand.h"

#include "cache/filesystementry.h"
#include "clioutput.h"
#include "redis/redisclient.h"
#include "timeouts/timeoutaudit.h"
#include "timeoutscontext.h"

#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace cachescope {

namespace {

const QString kCommand = QStringLiteral("audit");

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

QJsonValue optionalJson(const std::optional<qint64> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

} // namespace

int runAuditCommand(const QStringList &args)
{
    TimeoutsContext::Args ctxArgs;
    QStringList rest;
    for (int i = 0; i < args.size(); ++i) {
        QString error;
        switch (ctxArgs.environment.take(args, &i, &error)) {
        case ConfigCommandLine::EnvironmentArgs::Take::Taken: break;
        case ConfigCommandLine::EnvironmentArgs::Take::Error: return cli::fail(kCommand, error, 2);
        case ConfigCommandLine::EnvironmentArgs::Take::NotMine: rest << args[i]; break;
        }
    }
    QCommandLineParser parser;
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("The superset_config.py."), QStringLiteral("FILE"));
    const QCommandLineOption metadataDb(QStringLiteral("metadata-db"), QStringLiteral("SQLAlchemy URI of the metadata database."),
                                        QStringLiteral("URI"));
    const QCommandLineOption version(QStringLiteral("superset-version"), QStringLiteral("The Superset release whose rules apply."),
                                     QStringLiteral("X.Y"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("Read at most N entries (default 1000)."), QStringLiteral("N"));
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("Print every entry, not only mismatches and unknowns."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object per line."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({config, metadataDb, version, limit, all, json, help});
    if (!parser.parse(QStringList{QStringLiteral("cachescope audit")} + rest))
        return cli::fail(kCommand, parser.errorText(), 2);
    if (parser.isSet(help)) {
        cli::writeOut("Usage: cachescope audit --config FILE [--metadata-db URI] [--superset-version X.Y] [--limit N] [--all] [--json]\n\n"
                      "Configured vs actual: for each chart-data entry of DATA_CACHE_CONFIG's cache, the TTL it was given\n"
                      "(remaining TTL + age from its dttm) against the effective timeout its chart's chain gives today, with\n"
                      "the likely reason of each mismatch. Entries are tied to charts through cache_keys, else through the\n"
                      "table their SQL names (said so). The last line sums up.\n");
        cli::writeOut(parser.helpText().toUtf8());
        cli::writeOut("With --config:\n" + ConfigCommandLine::EnvironmentArgs::usage());
        return 0;
    }
    if (!parser.isSet(config))
        return cli::fail(kCommand, QStringLiteral("--config FILE is required"), 2);
    qint64 maxEntries = 1000;
    if (parser.isSet(limit)) {
        bool ok = false;
        maxEntries = parser.value(limit).toLongLong(&ok);
        if (!ok || maxEntries < 1)
            return cli::fail(kCommand, QStringLiteral("--limit needs a positive number"), 2);
    }
    ctxArgs.configFile = parser.value(config);
    ctxArgs.metadataUri = parser.value(metadataDb);
    ctxArgs.supersetVersion = parser.value(version);
    int status = 0;
    QString error;
    auto ctx = TimeoutsContext::open(ctxArgs, &status, &error);
    if (!ctx)
        return cli::fail(kCommand, error, status);
    if (!ctx->metadata)
        return cli::fail(kCommand, QStringLiteral("the audit needs the metadata database: give --metadata-db URI or set "
                                                  "SQLALCHEMY_DATABASE_URI"),
                         2);
    auto snapshot = ctx->snapshot();
    if (!snapshot)
        return cli::fail(kCommand, QStringLiteral("%1: %2").arg(ctx->metadataSource, snapshot.error()), 1);
    if (!ctx->familyReason.isEmpty())
        cli::fail(kCommand, ctx->familyReason, 0);
    // cache_keys, all of it (it is keyed by what the entries are keyed by).
    QList<CacheKeyRow> cacheKeys;
    if (snapshot->cacheKeyCount) {
        qint64 after = 0;
        while (true) {
            const auto page = ctx->metadata->call([after](MetadataDatabase &db) { return db.cacheKeys(after, 5000); });
            if (!page)
                return cli::fail(kCommand, page.error(), 1);
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
    case BackendType::Null:
        return cli::fail(kCommand, QStringLiteral("DATA_CACHE_CONFIG is a NullCache: there is nothing cached to audit"), 1);
    default:
        return cli::fail(kCommand, QStringLiteral("DATA_CACHE_CONFIG is a %1: auditing it is not supported yet (Redis and "
                                                  "FileSystemCache are)")
                                       .arg(backendTypeName(data->backend)),
                         1);
    }
    if (!samples)
        return cli::fail(kCommand, samples.error(), 1);
    const TimeoutIndex index(std::move(*snapshot), ctx->config, ctx->family);
    const AuditReport report = auditChartData(*samples, cacheKeys, index, QDateTime::currentDateTimeUtc());
    const bool asJson = parser.isSet(json);
    for (const AuditEntry &e : report.entries) {
        if (e.status == AuditStatus::NotChartData || (e.status == AuditStatus::Match && !parser.isSet(all)))
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
