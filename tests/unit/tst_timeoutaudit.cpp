// Configured vs actual (timeoutaudit.cpp) on its own: chart-data entries pickled by Debian's
// cachelib and pandas exactly as Superset's set_and_log_cache stores them, judged against a
// metadata snapshot written out here, at a fixed "now" so every age and TTL is known.
// The same audit runs end to end through `cachescope audit` in tst_timeoutscli.
#include "checkok.h"
#include "python.h"
#include "timeouts/timeoutaudit.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cachescope;
using namespace cachescope::test;

namespace {

const QDateTime kNow(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);

// name -> RedisSerializer bytes ('!' + pickle) of a payload; `dttm` as Superset ≤ 5.x writes it
// (naive UTC, no fraction) unless the payload says otherwise.
const char *kPayloads = R"PY(
import sys, json
from datetime import datetime, timedelta, timezone
import pandas as pd
from cachelib.serializers import RedisSerializer
now = datetime.fromisoformat(sys.argv[1])
def naive(age):
    return (now - timedelta(seconds=age)).isoformat().split(".")[0]
def chart(sql, dttm):
    p = {"df": pd.DataFrame({"ds": [1, 2], "count": [3, 4]}), "query": sql,
         "applied_template_filters": [], "annotation_data": {}, "sql_rowcount": 2}
    if dttm is not None:
        p["dttm"] = dttm
    return p
births = "SELECT ds, count(*) FROM birth_names GROUP BY ds"
aware = (now.replace(tzinfo=timezone.utc) - timedelta(seconds=50)).astimezone(timezone(timedelta(hours=2)))
payloads = {
    "age30": chart(births, naive(30)),
    "age100": chart(births, naive(100)),
    "age1000": chart(births, naive(1000)),
    "sales": chart("SELECT * FROM sales.orders WHERE amount > 0", naive(0)),
    "orders": chart("SELECT * FROM orders", naive(0)),
    "nowhere": chart("SELECT 1", naive(0)),
    "nodttm": chart(births, None),
    "aware": chart(births, aware.isoformat(timespec="seconds")),
    "text": "not chart data",
}
s = RedisSerializer()
print(json.dumps({k: s.dumps(v).hex() for k, v in payloads.items()}))
)PY";

// CACHE_DEFAULT_TIMEOUT 600, DATA_CACHE_CONFIG a RedisCache with its own 300.
TimeoutConfig redisConfig()
{
    TimeoutConfig c;
    c.cacheDefaultTimeout = 600;
    c.cacheDefaultFromFile = true;
    c.dataCacheDefaultTimeout = 300;
    c.dataBackend = BackendType::Redis;
    return c;
}

// Dataset 1 birth_names (chart 10, no own timeout: 300), datasets 2 sales.orders (charts 11 with
// 5 and 12 with a falsy 0: 300) and 3 public.orders (no chart), dataset 5 events with -1 (chart 13).
MetadataSnapshot snapshot()
{
    MetadataSnapshot s;
    s.databases = {DatabaseRow{1, QStringLiteral("examples"), QStringLiteral("postgresql"), std::nullopt, {}, {}}};
    auto dataset = [](qint64 id, const char *schema, const char *table, std::optional<qint64> timeout) {
        DatasetRow d;
        d.id = id;
        d.schema = QString::fromLatin1(schema);
        d.tableName = QString::fromLatin1(table);
        d.databaseId = 1;
        d.cacheTimeout = timeout;
        return d;
    };
    s.datasets = {dataset(1, "public", "birth_names", std::nullopt), dataset(2, "sales", "orders", 3600),
                  dataset(3, "public", "orders", std::nullopt), dataset(5, "public", "events", -1)};
    auto chart = [](qint64 id, qint64 dataset, std::optional<qint64> timeout) {
        ChartRow c;
        c.id = id;
        c.name = QStringLiteral("chart %1").arg(id);
        c.datasourceId = dataset;
        c.datasourceType = QStringLiteral("table");
        c.cacheTimeout = timeout;
        c.hasQueryContext = true;
        return c;
    };
    s.charts = {chart(10, 1, std::nullopt), chart(11, 2, 5), chart(12, 2, 0), chart(13, 5, std::nullopt)};
    return s;
}

CacheKeyRow cacheKey(qint64 id, const char *key, std::optional<qint64> timeout, const char *uid)
{
    return CacheKeyRow{id, QString::fromLatin1(key), timeout, QString::fromLatin1(uid), {}};
}

} // namespace

class TestTimeoutAudit : public QObject
{
    Q_OBJECT

    QHash<QString, QByteArray> m_payloads;

    AuditSample sample(const char *key, const char *payload, std::optional<qint64> remaining, const char *appKey = nullptr)
    {
        AuditSample s;
        s.key = QByteArray("superset_data_") + key;
        s.appKey = appKey ? QByteArray(appKey) : QByteArray(key);
        s.remaining = remaining;
        s.payload = m_payloads.value(QString::fromLatin1(payload));
        s.backend = DecodeHints::Backend::Redis;
        return s;
    }

    static const AuditEntry *entry(const AuditReport &report, const char *key)
    {
        for (const AuditEntry &e : report.entries)
            if (e.key == QByteArray("superset_data_") + key)
                return &e;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto out = runPython(QString::fromLatin1(kPayloads), {kNow.toString(Qt::ISODate).chopped(1)});
        CHECK_OK(out);
        const QJsonObject o = QJsonDocument::fromJson(*out).object();
        for (auto it = o.begin(); it != o.end(); ++it)
            m_payloads.insert(it.key(), QByteArray::fromHex(it.value().toString().toLatin1()));
        QCOMPARE(m_payloads.size(), 9);
    }

    void judgesEveryEntryAgainstTodaysChain()
    {
        const TimeoutIndex index(snapshot(), redisConfig(), familyFromVersion(QStringLiteral("4.1")).family);
        const QList<CacheKeyRow> keys = {cacheKey(1, "match", 300, "1__table"), cacheKey(2, "lowered", 3600, "1__table"),
                                         cacheKey(3, "edge", 300, "1__table"), cacheKey(4, "past", 300, "1__table"),
                                         cacheKey(5, "minus", -1, "5__table")};
        const QList<AuditSample> samples = {
            sample("match", "age30", 270),          // 300 given, 300 today
            sample("edge", "age30", 273),           // 303: inside the 3 s a whole-second dttm allows
            sample("past", "age30", 274),           // 304: outside
            sample("lowered", "age100", 3500),      // 3600 given and recorded; 300 today
            sample("noexpiry", "age1000", std::nullopt), // not in cache_keys; tied by its SQL
            sample("sales", "sales", 5),            // sales.orders: charts 11 (5) and 12 (0 → 300)
            sample("orders", "orders", 100),        // two datasets named orders, no schema: unknown
            sample("nowhere", "nowhere", 100),      // names no dataset
            sample("nodttm", "nodttm", 100),        // no age
            sample("aware", "aware", 250),          // dttm with an offset (6.x writes aware UTC)
            sample("minus", "age1000", std::nullopt), // the chain gives -1; Redis kept no expiry
            sample("text", "text", 100),
        };
        const AuditReport report = auditChartData(samples, keys, index, kNow);
        QCOMPARE(report.entries.size(), samples.size());
        QCOMPARE(report.family, familyFromVersion(QStringLiteral("4.1")).family);

        const AuditEntry *match = entry(report, "match");
        QCOMPARE(match->status, AuditStatus::Match);
        QCOMPARE(match->mapping, AuditMapping::CacheKeys);
        QCOMPARE(match->age, std::optional<qint64>(30));
        QCOMPARE(match->given, std::optional<qint64>(300));
        QCOMPARE(match->recorded, std::optional<qint64>(300));
        QCOMPARE(match->chartIds, QList<qint64>{10});
        QCOMPARE(match->expected, QList<qint64>{300});
        QCOMPARE(match->cachedAt, kNow.addSecs(-30));

        QCOMPARE(entry(report, "edge")->status, AuditStatus::Match);
        const AuditEntry *past = entry(report, "past");
        QCOMPARE(past->status, AuditStatus::Mismatch);
        QVERIFY2(past->reason.contains(u"given 304 s, longer than the 300 s"), qPrintable(past->reason));

        const AuditEntry *lowered = entry(report, "lowered");
        QCOMPARE(lowered->status, AuditStatus::Mismatch);
        QCOMPARE(lowered->given, std::optional<qint64>(3600));
        QVERIFY2(lowered->reason.contains(u"cache_keys recorded timeout 3600"), qPrintable(lowered->reason));
        QVERIFY2(lowered->reason.contains(u"set before the timeout was lowered"), qPrintable(lowered->reason));

        const AuditEntry *noExpiry = entry(report, "noexpiry");
        QCOMPARE(noExpiry->status, AuditStatus::Mismatch);
        QCOMPARE(noExpiry->mapping, AuditMapping::SqlTableName);
        QCOMPARE(noExpiry->datasetId, std::optional<qint64>(1));
        QCOMPARE(noExpiry->given, std::nullopt);
        QVERIFY2(noExpiry->reason.contains(u"stored without expiry although the chain gives 300 s"), qPrintable(noExpiry->reason));

        // The schema in the SQL picks sales.orders; either of its charts may have written it.
        const AuditEntry *sales = entry(report, "sales");
        QCOMPARE(sales->status, AuditStatus::Match);
        QCOMPARE(sales->datasetId, std::optional<qint64>(2));
        QCOMPARE(sales->chartIds, (QList<qint64>{11, 12}));
        QCOMPARE(sales->expected, (QList<qint64>{5, 300}));
        QVERIFY2(sales->reason.contains(u"ambiguous"), qPrintable(sales->reason));

        const AuditEntry *orders = entry(report, "orders");
        QCOMPARE(orders->status, AuditStatus::Unknown);
        QVERIFY2(orders->reason.contains(u"names 2 datasets' tables"), qPrintable(orders->reason));
        QCOMPARE(entry(report, "nowhere")->status, AuditStatus::Unknown);
        QCOMPARE(entry(report, "nowhere")->mapping, AuditMapping::None);
        const AuditEntry *nodttm = entry(report, "nodttm");
        QCOMPARE(nodttm->status, AuditStatus::Unknown);
        QVERIFY2(nodttm->reason.contains(u"no readable dttm"), qPrintable(nodttm->reason));

        const AuditEntry *aware = entry(report, "aware");
        QCOMPARE(aware->status, AuditStatus::Match);
        QCOMPARE(aware->age, std::optional<qint64>(50));

        const AuditEntry *minus = entry(report, "minus");
        QCOMPARE(minus->status, AuditStatus::Mismatch);
        QCOMPARE(minus->expected, QList<qint64>{-1});
        QVERIFY2(minus->reason.contains(u"PR #34654"), qPrintable(minus->reason));

        const AuditEntry *text = entry(report, "text");
        QCOMPARE(text->status, AuditStatus::NotChartData);

        QCOMPARE(report.chartData, 11);
        QCOMPARE(report.matches, 4);    // match, edge, sales, aware
        QCOMPARE(report.mismatches, 4); // past, lowered, noexpiry, minus
        QCOMPARE(report.unknown, 3);    // orders, nowhere, nodttm
        // Fragmentation: entries per dataset, and per chart where one chart is certain.
        QCOMPARE(report.variantsPerDataset.value(1), 7); // match, edge, past, lowered, noexpiry, nodttm, aware
        QCOMPARE(report.variantsPerDataset.value(2), 1);
        QCOMPARE(report.variantsPerChart.value(10), report.variantsPerDataset.value(1));
        QVERIFY(!report.variantsPerChart.contains(11));
    }

    // What an entry was given, read under another release's rules: 2.0's chart-data API ignores
    // the chart, so a chart's own 5 s is not what 2.0 writes.
    void namesTheReleaseWhoseRulesGiveWhatWasWritten()
    {
        const TimeoutIndex index(snapshot(), redisConfig(), familyFromVersion(QStringLiteral("4.1")).family);
        // sales.orders written with 3600 (its dataset's timeout): what 2.0 gives chart 11.
        const AuditReport report =
            auditChartData({sample("old", "sales", 3600)}, {cacheKey(1, "old", 3600, "2__table")}, index, kNow);
        const AuditEntry &e = report.entries.first();
        QCOMPARE(e.status, AuditStatus::Mismatch);
        QVERIFY2(e.reason.contains(u"3600 s is what Superset 1.5, 2.0"), qPrintable(e.reason));
        QVERIFY2(e.reason.contains(u"not 4.1"), qPrintable(e.reason));
    }

    void aDamagedPayloadIsNotChartDataAndSaysWhy()
    {
        const TimeoutIndex index(snapshot(), redisConfig(), familyFromVersion(QStringLiteral("4.1")).family);
        AuditSample s = sample("broken", "age30", 270);
        s.payload.truncate(s.payload.size() / 2);
        const AuditReport report = auditChartData({s}, {}, index, kNow);
        QCOMPARE(report.entries.first().status, AuditStatus::NotChartData);
        QVERIFY2(report.entries.first().reason.startsWith(u"cannot be decoded: "), qPrintable(report.entries.first().reason));
        QVERIFY(!report.entries.first().decodeError.isEmpty());
        QCOMPARE(report.chartData, 0);
    }
};

QTEST_GUILESS_MAIN(TestTimeoutAudit)
#include "tst_timeoutaudit.moc"
