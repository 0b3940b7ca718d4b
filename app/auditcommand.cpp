#include "timeoutscommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "timeouts/auditsamples.h"
#include "timeouts/timeoutaudit.h"
#include "timeoutscontext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

namespace cachescope {

namespace {

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
    if (!data)
        return cl.fail(QStringLiteral("DATA_CACHE_CONFIG is a NullCache: there is nothing cached to audit"));
    AuditSampleSources sources;
    sources.metadata = ctx->metadata.get();
    sources.metastoreUtc = ctx->family == SupersetFamily::Master;
    const Expected<QList<AuditSample>> samples = auditSamples(*data, cacheKeys, maxEntries, sources);
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
