// The Timeouts page's models on the embedded demo's metadata database (a real SQLite file that
// DemoMetadata writes and MetadataDatabase reads back through QtSql), with the demo's config:
// TimeoutModel, TimeoutFilterProxy and TimeoutAuditModel under QAbstractItemModelTester, the
// edit preview, a committed cache_timeout edit applied without a reset, and the audit of entries
// written into the demo's real SimpleCache.
#include "checkok.h"
#include "demofiles.h"
#include "supersetschema.h"
#include "timeoutauditmodel.h"
#include "timeoutfilterproxy.h"
#include "timeoutmodel.h"

#include "demo/demoenvironment.h"
#include "demo/demometadata.h"
#include "demo/demoworkload.h"
#include "metadata/metadatadatabase.h"
#include "metadata/metadatauri.h"
#include "timeouts/auditsamples.h"
#include "timeouts/timeoutedit.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

namespace {

Expected<MetadataSnapshot> readSnapshot(const QString &file)
{
    auto uri = MetadataUri::parse(QStringLiteral("sqlite:///") + file);
    if (!uri)
        return Error{uri.error()};
    MetadataDatabase db(*uri);
    if (auto opened = db.open(); !opened)
        return Error{opened.error()};
    return db.snapshot();
}

// Waits for the model's background resolution to be swapped in.
bool settle(TimeoutModel &model)
{
    if (!model.isResolving())
        return true;
    QSignalSpy done(&model, &TimeoutModel::resolvingChanged);
    return done.wait(30000) && !model.isResolving();
}

} // namespace

class tst_TimeoutModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DemoEnvironment> m_demo;
    MetadataSnapshot m_snapshot;

    QVariant cell(const TimeoutModel &m, MetadataKind kind, qint64 id, int column, int role = Qt::DisplayRole)
    {
        return m.indexOf(kind, id, column).data(role);
    }
    qint64 effective(const TimeoutModel &m, qint64 chart)
    {
        return cell(m, MetadataKind::Chart, chart, 0, TimeoutModel::EffectiveRole).toLongLong();
    }
    TimeoutLink source(const TimeoutModel &m, qint64 chart)
    {
        return TimeoutLink(cell(m, MetadataKind::Chart, chart, 0, TimeoutModel::SourceRole).toInt());
    }

    // As the Timeouts page loads it: the family guessed from the schema's alembic revision.
    void loadModel(TimeoutModel &model)
    {
        model.setConfig(m_demo->timeoutConfig(), m_demo->cacheTimeoutRows());
        model.setSnapshot(m_snapshot);
        model.setFamily(familyFromAlembicRevision(m_snapshot.schema.alembicRevision).family);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QByteArray json = test::demoConfigJson();
        const QByteArray py = test::demoSupersetConfig();
        QVERIFY2(!json.isEmpty() && !py.isEmpty(), "resources/demo/ not found (CACHESCOPE_SOURCE_DIR)");
        auto demo = DemoEnvironment::create(json, py);
        CHECK_OK(demo);
        m_demo = std::move(*demo);
        auto snapshot = readSnapshot(m_demo->metadataFile());
        CHECK_OK(snapshot);
        m_snapshot = *snapshot;
    }

    void demoMetadataDatabase()
    {
        // Superset 4.1's tables, every row read back through QtSql, nothing missing.
        QCOMPARE(m_snapshot.databases.size(), 3);
        QCOMPARE(m_snapshot.datasets.size(), 13);
        QCOMPARE(m_snapshot.charts.size(), 16);
        QCOMPARE(m_snapshot.dashboards.size(), 4);
        QCOMPARE(m_snapshot.schema.alembicRevision, QStringLiteral("48cbb571fa3a"));
        QVERIFY2(m_snapshot.warnings.isEmpty(), qPrintable(m_snapshot.warnings.join(u'\n')));
        // Every workload chart's table is a dataset: 300 charts × 3 variants recorded.
        QCOMPARE(m_snapshot.cacheKeyCount.value_or(-1), 300 * DemoWorkload::kChartVariants);
        QCOMPARE(m_snapshot.charts[2].cacheTimeout, std::optional<qint64>(0));
        QCOMPARE(m_snapshot.databases[2].cacheTimeout, std::optional<qint64>(0));
        QVERIFY(!m_snapshot.charts[0].cacheTimeout);

        // The file is never overwritten, and a failed write leaves nothing behind.
        DemoMetadata metadata;
        QVERIFY(!metadata.write(m_demo->metadataFile()));
        QTemporaryDir dir;
        const QString blocked = dir.filePath(QStringLiteral("missing/superset.db"));
        const auto failed = metadata.write(blocked);
        QVERIFY(!failed);
        QVERIFY2(failed.error().contains(blocked), qPrintable(failed.error()));
        QVERIFY(!QFileInfo::exists(blocked));
    }

    void demoMetadataReadBySqlAlchemy()
    {
        // Superset's own declarations (SQLAlchemy 1.4, UUIDType) read the demo's file as we do.
        const auto dump = test::dumpSupersetSchema(QStringLiteral("sqlite:///") + m_demo->metadataFile());
        CHECK_OK(dump);
        QCOMPARE((*dump)[u"alembic_revision"].toString(), m_snapshot.schema.alembicRevision);
        QCOMPARE((*dump)[u"cache_key_count"].toInteger(), *m_snapshot.cacheKeyCount);
        auto own = [](const QJsonValue &v) { return v.isNull() ? std::optional<qint64>() : std::optional<qint64>(v.toInteger()); };
        const QJsonArray charts = (*dump)[u"charts"].toArray();
        QCOMPARE(charts.size(), m_snapshot.charts.size());
        for (int i = 0; i < charts.size(); ++i) {
            const QJsonObject c = charts[i].toObject();
            const ChartRow &row = m_snapshot.charts[i];
            QCOMPARE(c[u"id"].toInteger(), row.id);
            QCOMPARE(c[u"name"].toString(), row.name);
            QCOMPARE(own(c[u"cache_timeout"]), row.cacheTimeout);
            QCOMPARE(c[u"datasource_type"].toString(), row.datasourceType);
            QCOMPARE(own(c[u"form_data_cache_timeout"]), row.formDataCacheTimeout);
            QList<qint64> dashboards;
            for (const QJsonValue &d : c[u"dashboard_ids"].toArray())
                dashboards << d.toInteger();
            QList<qint64> ours(row.dashboardIds.begin(), row.dashboardIds.end());
            std::sort(ours.begin(), ours.end());
            QCOMPARE(ours, dashboards);
        }
        const QJsonArray datasets = (*dump)[u"datasets"].toArray();
        QCOMPARE(datasets.size(), m_snapshot.datasets.size());
        for (int i = 0; i < datasets.size(); ++i) {
            const QJsonObject d = datasets[i].toObject();
            QCOMPARE(d[u"table_name"].toString(), m_snapshot.datasets[i].tableName);
            QCOMPARE(own(d[u"cache_timeout"]), m_snapshot.datasets[i].cacheTimeout);
            QCOMPARE(d[u"is_virtual"].toBool(), m_snapshot.datasets[i].isVirtual);
        }
        const QJsonArray databases = (*dump)[u"databases"].toArray();
        QCOMPARE(databases.size(), m_snapshot.databases.size());
        for (int i = 0; i < databases.size(); ++i)
            QCOMPARE(own(databases[i].toObject()[u"cache_timeout"]), m_snapshot.databases[i].cacheTimeout);
    }

    void demoConfigLinks()
    {
        // The demo's superset_config.py: CACHE_DEFAULT_TIMEOUT (one day) on line 21,
        // DATA_CACHE_CONFIG's own 600.
        const TimeoutConfig &c = m_demo->timeoutConfig();
        QCOMPARE(c.cacheDefaultTimeout, 86400);
        QVERIFY(c.cacheDefaultFromFile);
        QVERIFY2(c.cacheDefaultAt.toString().endsWith(QStringLiteral("superset_config.py:21")), qPrintable(c.cacheDefaultAt.toString()));
        QCOMPARE(c.dataCacheDefaultTimeout, std::optional<qint64>(600));
        QCOMPARE(c.dataBackend, BackendType::Simple);
        QCOMPARE(m_demo->cacheTimeoutRows().size(), 6);
    }

    void resolvesEveryLink()
    {
        TimeoutModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        loadModel(model);
        QVERIFY(settle(model));
        QCOMPARE(model.chartCount(), 16);
        QCOMPARE(model.family(), SupersetFamily::V4_1); // the demo writes 4.1's alembic head

        // Own NULL → the dataset's 120.
        QCOMPARE(effective(model, 1), 120);
        QCOMPARE(source(model, 1), TimeoutLink::Dataset);
        // A chart's 0 is falsy: dataset (120) and database skipped, DATA_CACHE_CONFIG's 600 applies.
        QCOMPARE(effective(model, 3), 600);
        QCOMPARE(source(model, 3), TimeoutLink::DataCacheConfig);
        QVERIFY(cell(model, MetadataKind::Chart, 3, 0, TimeoutModel::PitfallsRole).toUInt()
                & TimeoutModel::pitfallBit(QStringLiteral("zero-skips-chain")));
        QVERIFY(!cell(model, MetadataKind::Chart, 3, TimeoutModel::PitfallsColumn).toString().isEmpty());
        // Dataset and chart NULL → the database's 3600.
        QCOMPARE(effective(model, 5), 3600);
        QCOMPARE(source(model, 5), TimeoutLink::Database);
        // The database's 0 is falsy too.
        QCOMPARE(effective(model, 9), 600);
        // -1 at the chart bypasses the cache on current master.
        QVERIFY(cell(model, MetadataKind::Chart, 6, 0, TimeoutModel::BypassRole).toBool());
        QCOMPARE(cell(model, MetadataKind::Chart, 6, TimeoutModel::EffectiveColumn).toString(), QStringLiteral("-1: bypass"));
        QCOMPARE(cell(model, MetadataKind::Chart, 8, TimeoutModel::OwnColumn).toString(), QStringLiteral("60"));
        QCOMPARE(cell(model, MetadataKind::Chart, 1, TimeoutModel::OwnColumn).toString(), QStringLiteral("NULL"));
        QVERIFY(cell(model, MetadataKind::Chart, 1, TimeoutModel::DetailsColumn).toString().contains(QStringLiteral("Sales overview")));

        // The hierarchy: chart 1 under dataset 1 under database 1; the ad-hoc query chart in its own group.
        const QModelIndex chart1 = model.indexOf(MetadataKind::Chart, 1);
        QCOMPARE(model.objectIdAt(chart1.parent()), std::optional<qint64>(1));
        QCOMPARE(model.kindAt(chart1.parent()), TimeoutModel::RowKind::Dataset);
        QCOMPARE(model.kindAt(chart1.parent().parent()), TimeoutModel::RowKind::Database);
        QCOMPARE(model.indexOf(MetadataKind::Chart, 16).parent(), model.indexOfGroup(TimeoutModel::Group::OrphanCharts));
        // Cache rows: DATA_CACHE_CONFIG's own 600 from the demo's superset_config.py.
        const QModelIndex data = model.indexOfCache(CachePurpose::Data, TimeoutModel::SourceColumn);
        QVERIFY2(data.data().toString().contains(QStringLiteral("superset_config.py:")), qPrintable(data.data().toString()));
        QCOMPARE(model.indexOfCache(CachePurpose::Data, TimeoutModel::OwnColumn).data().toString(), QStringLiteral("600"));

        // The explanation of one row names each link.
        const auto r = model.resolutionAt(model.indexOf(MetadataKind::Chart, 3));
        QVERIFY(r);
        QCOMPARE(r->effective, 600);
        QVERIFY(!r->steps.isEmpty());

        // Current master tests `is not None`: the chart's 0 is kept, the entry never expires.
        model.setFamily(SupersetFamily::Master);
        QVERIFY(settle(model));
        QCOMPARE(effective(model, 3), 0);
        QCOMPARE(source(model, 3), TimeoutLink::Chart);
        QCOMPARE(cell(model, MetadataKind::Chart, 3, TimeoutModel::EffectiveColumn).toString(), QStringLiteral("never (0)"));
    }

    void familySwitchKeepsTheTree()
    {
        TimeoutModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        loadModel(model);
        QVERIFY(settle(model));
        QCOMPARE(effective(model, 4), 120);
        QCOMPARE(source(model, 4), TimeoutLink::Chart);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        // 2.0.0 has no chart step and no DATA_CACHE_CONFIG step: chart 4's 120 is ignored.
        model.setFamily(SupersetFamily::V2_0);
        QVERIFY(settle(model));
        QCOMPARE(resets.count(), 0);
        QVERIFY(changes.count() > 0);
        QCOMPARE(effective(model, 4), 86400);
        QCOMPARE(source(model, 4), TimeoutLink::CacheDefaultTimeout);
        QVERIFY(cell(model, MetadataKind::Chart, 4, 0, TimeoutModel::PitfallsRole).toUInt()
                & TimeoutModel::pitfallBit(QStringLiteral("chart-ignored")));
        // -1 bypasses only from 3.0.
        QVERIFY(!cell(model, MetadataKind::Chart, 6, 0, TimeoutModel::BypassRole).toBool());
    }

    void committedEditAnnouncesOnlyItsRows()
    {
        TimeoutModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        loadModel(model);
        QVERIFY(settle(model));

        // A real write: read-only until unlocked, then one transaction.
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("superset.db"));
        QVERIFY(QFile::copy(m_demo->metadataFile(), file));
        auto uri = MetadataUri::parse(QStringLiteral("sqlite:///") + file);
        CHECK_OK(uri);
        MetadataDatabase db(*uri);
        CHECK_OK(db.open());
        QVERIFY(!db.setCacheTimeout(MetadataKind::Dataset, 4, 300));
        CHECK_OK(db.unlockWrites());
        auto change = db.setCacheTimeout(MetadataKind::Dataset, 4, 300);
        CHECK_OK(change);
        QVERIFY(change->written);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        model.applyChange(*change);
        QVERIFY(settle(model));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(effective(model, 5), 300);
        QCOMPARE(source(model, 5), TimeoutLink::Dataset);
        QCOMPARE(cell(model, MetadataKind::Dataset, 4, TimeoutModel::OwnColumn).toString(), QStringLiteral("300"));
        // One dataChanged for the dataset row, one for its single chart: nothing else.
        QCOMPARE(changes.count(), 2);

        // A reload of the same rows keeps the tree too.
        auto reread = db.snapshot();
        CHECK_OK(reread);
        model.setSnapshot(*reread);
        QVERIFY(settle(model));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(effective(model, 5), 300);
    }

    void filterAndSearch()
    {
        TimeoutModel model;
        TimeoutFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        loadModel(model);
        QVERIFY(settle(model));

        auto visibleCharts = [&] {
            QList<qint64> ids;
            std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
                for (int r = 0; r < proxy.rowCount(parent); ++r) {
                    const QModelIndex i = proxy.index(r, 0, parent);
                    if (i.data(TimeoutModel::KindRole).toInt() == int(TimeoutModel::RowKind::Chart))
                        ids << i.data(TimeoutModel::IdRole).toLongLong();
                    walk(i);
                }
            };
            walk({});
            std::sort(ids.begin(), ids.end());
            return ids;
        };
        QCOMPARE(visibleCharts().size(), 16);
        proxy.setFilter(TimeoutFilterProxy::Filter::Bypass);
        QCOMPARE(visibleCharts(), QList<qint64>{6});
        proxy.setFilter(TimeoutFilterProxy::Filter::OwnSet);
        QCOMPARE(visibleCharts(), (QList<qint64>{3, 4, 6, 8}));
        proxy.setFilter(TimeoutFilterProxy::Filter::All);
        // A database found by name shows everything under it; a dashboard name finds its charts.
        proxy.setSearchText(QStringLiteral("legacy_reports"));
        QCOMPARE(visibleCharts(), (QList<qint64>{9, 10}));
        proxy.setSearchText(QStringLiteral("Executive KPIs"));
        QCOMPARE(visibleCharts(), (QList<qint64>{1, 5, 11, 14}));
        proxy.setSearchText(QStringLiteral("#13"));
        QCOMPARE(visibleCharts(), (QList<qint64>{13, 15})); // chart 13, and dataset 13's chart
        proxy.setSearchText(QString());

        // Sorting by the effective timeout keeps the groups in their order.
        proxy.sort(TimeoutModel::EffectiveColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(TimeoutModel::IdRole).toInt(), int(TimeoutModel::Group::Caches));
    }

    void editPreview()
    {
        TimeoutModel model;
        loadModel(model);
        QVERIFY(settle(model));
        const auto index = model.timeoutIndex();
        QVERIFY(index);

        // Dataset 6 reaches charts 7 and 8; chart 8 keeps its own 60.
        auto p = previewTimeoutEdit(*index, MetadataKind::Dataset, 6, 30);
        CHECK_OK(p);
        QCOMPARE(p->ownBefore, std::optional<qint64>(120));
        QCOMPARE(p->charts.size(), 2);
        QCOMPARE(p->changedCharts, 1);
        QCOMPARE(p->charts[0].chartId, 7);
        QCOMPARE(p->charts[0].beforeEffective, 120);
        QCOMPARE(p->charts[0].afterEffective, 30);
        QVERIFY(!p->charts[1].changed());

        // Clearing chart 3's falsy 0 lets the dataset's 120 through.
        auto chart = previewTimeoutEdit(*index, MetadataKind::Chart, 3, std::nullopt);
        CHECK_OK(chart);
        QCOMPARE(chart->before.effective, 600);
        QCOMPARE(chart->after.effective, 120);
        QCOMPARE(chart->after.source, TimeoutLink::Dataset);

        const auto unknown = previewTimeoutEdit(*index, MetadataKind::Chart, 999, 10);
        QVERIFY(!unknown);
        QVERIFY(unknown.error().contains(QStringLiteral("999")));
        QVERIFY(!previewTimeoutEdit(*index, MetadataKind::Database, 1, -2));
        QVERIFY(!previewTimeoutEdit(*index, MetadataKind::Database, 1, qint64(1) << 31));
    }

    void auditOfTheDemoCache()
    {
        TimeoutModel model;
        loadModel(model);
        QVERIFY(settle(model));
        const auto index = model.timeoutIndex();

        // Entries written into the demo's real SimpleCache as the workload writes them: workload
        // chart 0 (table sales_0 → dataset 1, 120 s today) with 120 s; workload chart 3 (sales_3 →
        // dataset 4 → database 2's 3600) with 120 s, as if written before the timeout changed.
        const CacheManager::Handle data = m_demo->manager().handle(CachePurpose::Data);
        QVERIFY(data);
        {
            const auto lock = data.lock();
            QVERIFY(data.cache->clear());
            for (int chart : {0, 3}) {
                const QByteArray key = DemoWorkload::chartDataKey(chart, 0);
                CHECK_OK(data.cache->set(key, DemoWorkload::chartPayload(chart, 0, key, 120), qint64(120)));
            }
        }
        auto uri = MetadataUri::parse(QStringLiteral("sqlite:///") + m_demo->metadataFile());
        CHECK_OK(uri);
        MetadataDatabase db(*uri);
        CHECK_OK(db.open());
        auto keys = db.cacheKeys(0, 5000);
        CHECK_OK(keys);
        AuditSampleSources sources;
        sources.inProcess = data;
        auto samples = auditSamples(*m_demo->manager().spec(CachePurpose::Data), *keys, -1, sources);
        CHECK_OK(samples);
        QCOMPARE(samples->size(), 2);
        const AuditReport report = auditChartData(*samples, *keys, *index, QDateTime::currentDateTimeUtc());
        QCOMPARE(report.chartData, 2);
        QCOMPARE(report.matches, 1);
        QCOMPARE(report.mismatches, 1);

        TimeoutAuditModel audit;
        QAbstractItemModelTester tester(&audit, QAbstractItemModelTester::FailureReportingMode::QtTest);
        audit.setReport(report, index);
        QCOMPARE(audit.rowCount(), 2);
        // Mismatches first, tied to chart 5 through cache_keys.
        QCOMPARE(audit.index(0, 0).data(TimeoutAuditModel::StatusRole).toInt(), int(AuditStatus::Mismatch));
        QVERIFY2(audit.index(0, TimeoutAuditModel::ChartColumn).data().toString().contains(QStringLiteral("Warehouse stock")),
                 qPrintable(audit.index(0, TimeoutAuditModel::ChartColumn).data().toString()));
        QCOMPARE(audit.index(0, TimeoutAuditModel::ExpectedColumn).data().toString(), QStringLiteral("3600 s"));
        QVERIFY(!audit.index(0, TimeoutAuditModel::ReasonColumn).data().toString().isEmpty());
        QCOMPARE(audit.index(1, 0).data(TimeoutAuditModel::StatusRole).toInt(), int(AuditStatus::Match));
        audit.clear();
        QCOMPARE(audit.rowCount(), 0);
        const auto lock = data.lock();
        QVERIFY(data.cache->clear());
    }

    void cleanupTestCase()
    {
        m_demo.reset();
    }
};

QTEST_MAIN(tst_TimeoutModel)
#include "tst_timeoutmodel.moc"
