#include "timeoutaudit.h"

#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

#include <algorithm>

namespace cachescope {

QString auditStatusName(AuditStatus status)
{
    switch (status) {
    case AuditStatus::Match: return QStringLiteral("match");
    case AuditStatus::Mismatch: return QStringLiteral("mismatch");
    case AuditStatus::Unknown: return QStringLiteral("unknown");
    case AuditStatus::NotChartData: return QStringLiteral("not-chart-data");
    }
    return {};
}

QString auditMappingName(AuditMapping mapping)
{
    switch (mapping) {
    case AuditMapping::CacheKeys: return QStringLiteral("cache_keys");
    case AuditMapping::SqlTableName: return QStringLiteral("sql-table-name");
    case AuditMapping::None: return QStringLiteral("none");
    }
    return {};
}

namespace {

// set_and_log_cache's "dttm": datetime.utcnow().isoformat().split(".")[0] (naive UTC) up to 5.x,
// datetime.now(tz=utc).isoformat(timespec="seconds") later (FORMATS.md §4(b)).
QDateTime parseDttm(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        return {};
    static const QRegularExpression offset(QStringLiteral(R"((Z|[+-]\d\d:?\d\d)$)"));
    if (!offset.match(text).hasMatch())
        t.setTimeSpec(Qt::UTC); // naive: utcnow()
    return t.toUTC();
}

QString seconds(std::optional<qint64> v)
{
    return v && *v != 0 ? QStringLiteral("%1 s").arg(*v) : QStringLiteral("no expiry");
}

struct Auditor
{
    const QList<CacheKeyRow> &cacheKeys;
    const TimeoutIndex &index;
    const QDateTime &now;
    const AuditOptions &options;
    QHash<QString, const CacheKeyRow *> byKey;
    QHash<QString, QList<int>> datasetsByTable; // lower-case table name -> dataset indexes (physical only)
    DecoderChain decoder;

    Auditor(const QList<CacheKeyRow> &keys, const TimeoutIndex &idx, const QDateTime &n, const AuditOptions &o)
        : cacheKeys(keys), index(idx), now(n), options(o)
    {
        for (const CacheKeyRow &row : cacheKeys)
            byKey.insert(row.cacheKey, &row); // later rows win: the newest write of that key
        const auto &datasets = index.snapshot().datasets;
        for (int i = 0; i < datasets.size(); ++i)
            if (!datasets[i].isVirtual)
                datasetsByTable[datasets[i].tableName.toLower()].append(i);
    }

    // The one physical dataset whose table the SQL names (schema-qualified when several share it).
    QList<int> datasetsInSql(const QString &sql) const
    {
        static const QRegularExpression identifier(QStringLiteral(R"([A-Za-z_][A-Za-z0-9_$]*)"));
        QSet<QString> tokens;
        for (auto it = identifier.globalMatch(sql); it.hasNext();)
            tokens.insert(it.next().captured().toLower());
        QList<int> found;
        for (const QString &t : tokens)
            for (int i : datasetsByTable.value(t))
                found << i;
        if (found.size() > 1) {
            QList<int> qualified;
            for (int i : found) {
                const QString schema = index.snapshot().datasets[i].schema.toLower();
                if (!schema.isEmpty() && tokens.contains(schema))
                    qualified << i;
            }
            if (!qualified.isEmpty())
                found = qualified;
        }
        return found;
    }

    AuditEntry audit(const AuditSample &s, AuditReport &report)
    {
        AuditEntry e;
        e.key = s.key;
        e.remaining = s.remaining;
        DecodeHints hints;
        hints.backend = s.backend;
        hints.purpose = DecodeHints::Purpose::ChartData;
        const DecodeResult decoded = decoder.decode(s.payload, hints);
        const PyValue &v = decoded.value;
        if (!decoded.ok()) {
            e.decodeError = decoded.error;
        }
        if (decoded.shape != u"chart-data" || v.kind() != PyValue::Kind::Dict) {
            e.status = AuditStatus::NotChartData;
            e.reason = decoded.ok() ? QStringLiteral("not a chart-data entry (%1)").arg(decoded.shape.isEmpty() ? QStringLiteral("other value") : decoded.shape)
                                    : QStringLiteral("cannot be decoded: %1").arg(decoded.error);
            return e;
        }
        ++report.chartData;
        if (const PyValue *dttm = v.get("dttm"); dttm && dttm->kind() == PyValue::Kind::Str)
            e.cachedAt = parseDttm(dttm->toQString());
        if (e.cachedAt.isValid()) {
            e.age = std::max<qint64>(0, e.cachedAt.secsTo(now));
            if (s.remaining)
                e.given = *s.remaining + *e.age;
        }
        // Which charts: cache_keys first, then the SQL's table name (a guess, said so).
        const QString appKey = QString::fromUtf8(s.appKey);
        if (const CacheKeyRow *row = byKey.value(appKey)) {
            e.recorded = row->cacheTimeout;
            static const QRegularExpression uid(QStringLiteral(R"(^(\d+)__table$)"));
            if (const auto m = uid.match(row->datasourceUid); m.hasMatch()) {
                e.datasetId = m.captured(1).toLongLong();
                e.mapping = AuditMapping::CacheKeys;
            }
        }
        if (!e.datasetId) {
            const PyValue *query = v.get("query");
            const QList<int> found = query && query->kind() == PyValue::Kind::Str ? datasetsInSql(query->toQString()) : QList<int>{};
            if (found.size() == 1) {
                e.datasetId = index.snapshot().datasets[found.first()].id;
                e.mapping = AuditMapping::SqlTableName;
            } else if (found.size() > 1) {
                e.status = AuditStatus::Unknown;
                e.reason = QStringLiteral("not in cache_keys, and its SQL names %1 datasets' tables: cannot tell which chart").arg(found.size());
                ++report.unknown;
                return e;
            }
        }
        if (!e.datasetId) {
            e.status = AuditStatus::Unknown;
            e.reason = QStringLiteral("not in cache_keys (STORE_CACHE_KEYS_IN_METADATA_DB is off?) and its SQL names no known "
                                      "dataset: cannot tell which chart");
            ++report.unknown;
            return e;
        }
        report.variantsPerDataset[*e.datasetId] += 1;
        const QList<int> charts = index.chartsOfDataset(*e.datasetId);
        QList<TimeoutResolution> resolutions;
        for (int c : charts) {
            e.chartIds << index.snapshot().charts[c].id;
            resolutions << index.resolveChart(c);
        }
        if (charts.isEmpty()) {
            // No saved chart on the dataset (explore, SQL Lab charts): a chart without own timeout.
            if (const DatasetRow *ds = index.dataset(*e.datasetId)) {
                const int row = int(ds - index.snapshot().datasets.constData());
                resolutions << index.resolveDataset(row);
            }
        }
        if (e.chartIds.size() == 1)
            report.variantsPerChart[e.chartIds.first()] += 1;
        for (const auto &r : resolutions)
            if (!e.expected.contains(r.effective))
                e.expected << r.effective;
        std::sort(e.expected.begin(), e.expected.end());
        if (!e.age) {
            e.status = AuditStatus::Unknown;
            e.reason = QStringLiteral("the payload has no readable dttm: its age is unknown");
            ++report.unknown;
            return e;
        }
        judge(e);
        if (e.status == AuditStatus::Match)
            ++report.matches;
        else if (e.status == AuditStatus::Mismatch)
            ++report.mismatches;
        else
            ++report.unknown;
        return e;
    }

    bool close(qint64 a, qint64 b) const { return std::abs(a - b) <= options.toleranceSeconds; }

    void judge(AuditEntry &e)
    {
        if (e.expected.isEmpty()) {
            e.status = AuditStatus::Unknown;
            e.reason = QStringLiteral("dataset %1 is not in the metadata database").arg(*e.datasetId);
            return;
        }
        const bool neverGiven = !e.given;
        for (qint64 x : e.expected) {
            // Redis keeps 0 and -1 as "no expiry"; the other backends keep 0 so.
            const bool expectNever = x == 0 || (x == -1 && e.remaining == std::nullopt);
            if ((neverGiven && expectNever) || (!neverGiven && x > 0 && close(*e.given, x))) {
                if (x == -1) {
                    e.status = AuditStatus::Mismatch;
                    e.reason = index.rules().minusOneWritten
                                   ? QStringLiteral("-1 written as \"never expire\": Superset %1 hands -1 to cache.set() and cachelib's "
                                                    "Redis backend stores it without expiry (PR #34654), so this entry never goes away")
                                         .arg(familyId(index.rules().family))
                                   : QStringLiteral("the chain gives -1, for which Superset %1 writes nothing (PR #34654): this entry "
                                                    "was written before, by an older release or an earlier timeout, and never expires")
                                         .arg(familyId(index.rules().family));
                    return;
                }
                e.status = AuditStatus::Match;
                if (e.expected.size() > 1)
                    e.reason = QStringLiteral("matches one of the %1 charts of dataset %2 (which one is ambiguous)")
                                   .arg(e.chartIds.size())
                                   .arg(*e.datasetId);
                return;
            }
        }
        e.status = AuditStatus::Mismatch;
        QStringList why;
        if (neverGiven)
            why << QStringLiteral("stored without expiry although the chain gives %1: written with 0 or -1 (a timeout since "
                                  "changed, or a release that writes -1 as never-expire)")
                       .arg(seconds(e.expected.first()));
        // What another release's rules give this chart: a deployment on another family than assumed,
        // or one of the pitfalls (2.0 ignores the chart, a falsy 0 ...).
        if (!neverGiven) {
            QStringList families;
            QString there;
            qint64 theirs = 0; // what those releases give: the measured TTL is only close to it
            for (const FamilyRules &rules : allFamilyRules()) {
                if (rules.family == index.rules().family)
                    continue;
                for (int c : index.chartsOfDataset(*e.datasetId)) {
                    const auto r = resolveTimeout(rules, index.config(), index.chainFor(index.snapshot().charts[c]));
                    if (r.effective > 0 && close(r.effective, *e.given)) {
                        families << QString::fromLatin1(rules.id);
                        if (!theirs)
                            theirs = r.effective;
                        for (const auto &p : r.pitfalls)
                            if (there.isEmpty() && (p.code == u"chart-ignored" || p.code == u"zero-skips-chain"
                                                    || p.code == u"data-cache-config-ignored"))
                                there = p.message;
                        break;
                    }
                }
            }
            if (!families.isEmpty())
                why << QStringLiteral("%1 s is what Superset %2 gives this chart, not %3%4: is the deployment on another release "
                                      "than the one assumed?")
                           .arg(theirs)
                           .arg(families.join(QStringLiteral(", ")), familyId(index.rules().family),
                                there.isEmpty() ? QString() : QStringLiteral(" (there: %1)").arg(there));
        }
        if (e.recorded && !neverGiven && close(*e.given, *e.recorded) && !e.expected.contains(*e.recorded))
            why << QStringLiteral("cache_keys recorded timeout %1 when it was written; the chain gives %2 today: set before the "
                                  "timeout changed")
                       .arg(*e.recorded)
                       .arg(seconds(e.expected.first()));
        if (!neverGiven) {
            if (*e.given > e.expected.last() && e.expected.first() > 0)
                why << QStringLiteral("given %1 s, longer than the %2 s the chain gives today: set before the timeout was "
                                      "lowered (it keeps its TTL until it expires)")
                           .arg(*e.given)
                           .arg(e.expected.last());
            else if (why.isEmpty())
                why << QStringLiteral("given %1 s, the chain gives %2 today: set before the timeout changed")
                           .arg(*e.given)
                           .arg(seconds(e.expected.first()));
        }
        e.reason = why.join(QStringLiteral("; "));
    }
};

} // namespace

AuditReport auditChartData(const QList<AuditSample> &samples, const QList<CacheKeyRow> &cacheKeys, const TimeoutIndex &index,
                           const QDateTime &nowUtc, const AuditOptions &options)
{
    AuditReport report;
    report.family = index.rules().family;
    Auditor auditor(cacheKeys, index, nowUtc, options);
    for (const AuditSample &s : samples)
        report.entries << auditor.audit(s, report);
    return report;
}

} // namespace cachescope
