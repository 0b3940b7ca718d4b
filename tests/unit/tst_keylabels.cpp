// Keys labelled with their chart, dataset and dashboards, and the variants per chart
// (timeouts/keylabels.h, the Keys page's label columns). cache_keys and the rest of the schema are
// written by Python (SQLAlchemy with Superset's table definitions) into real SQLite, PostgreSQL
// and MariaDB databases; the keys are on a real redis-server; the demo window labels its own.
// CACHESCOPE_SCREENSHOT_KEYLABELS=/path.png saves the demo's Keys page with its labels.
#include "checkok.h"
#include "commandline.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "keytreemodel.h"
#include "mainwindow.h"
#include "metadataservers.h"
#include "namespacelistview.h"
#include "process.h"
#include "python.h"
#include "redisserver.h"
#include "supersetschema.h"
#include "timeoutspage.h"
#include "window.h"

#include "browse/rediskeysource.h"
#include "metadata/metadatadatabase.h"
#include "redis/redisclient.h"
#include "timeouts/keylabels.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace cachescope;
using namespace cachescope::test;

namespace {

// Beside the basic fixture's rows (a*32 and b*32 on dataset 2, c*32 on dataset 1): c*32 recorded
// again later on dataset 3 (the newest row wins), d*32 of a non-SQL datasource and e*32 of a
// dataset that does not exist (neither can be labelled), f*32 on dataset 2 once more.
const char *kExtraRows =
    "INSERT INTO cache_keys (id, cache_key, cache_timeout, datasource_uid, created_on) VALUES "
    "(10, 'cccccccccccccccccccccccccccccccc', 60, '3__table', '2024-05-06 08:00:00'), "
    "(11, 'dddddddddddddddddddddddddddddddd', NULL, '7__query', '2024-05-06 08:00:01'), "
    "(12, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', NULL, '99__table', '2024-05-06 08:00:02'), "
    "(13, 'ffffffffffffffffffffffffffffffff', 300, '2__table', '2024-05-06 08:00:03')";

QByteArray key(char c)
{
    return QByteArray(32, c);
}

// The basic fixture's snapshot and every cache_keys row, read back through the real driver.
Expected<std::shared_ptr<KeyLabelIndex>> labelsOf(const QString &uri, int pageSize, bool *truncated = nullptr,
                                                  qint64 maxRows = 2000000)
{
    auto parsed = MetadataUri::parse(uri);
    if (!parsed)
        return Error{parsed.error()};
    MetadataDatabase db(*parsed);
    if (auto opened = db.open(); !opened)
        return Error{opened.error()};
    auto snapshot = db.snapshot();
    if (!snapshot)
        return Error{snapshot.error()};
    auto index = std::make_shared<const TimeoutIndex>(*snapshot, TimeoutConfig{}, SupersetFamily::V4_1);
    KeyLabelIndex::LoadOptions options;
    options.pageSize = pageSize;
    options.maxRows = maxRows;
    options.truncated = truncated;
    return KeyLabelIndex::load(index, false, [&db](qint64 after, int limit) { return db.cacheKeys(after, limit); }, options);
}

} // namespace

class TestKeyLabels : public QObject
{
    Q_OBJECT
    MetadataServers m_servers;
    RedisServer m_redis;
    QString m_sqlite;
    QHash<QString, QString> m_uris; // backend -> database

private Q_SLOTS:
    void initTestCase()
    {
        const QString started = m_servers.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        QVERIFY2(m_redis.start().isEmpty(), "redis-server did not start");
        QList<QPair<QString, QString>> databases;
        for (const QString &backend : MetadataServers::backends()) {
            auto uri = m_servers.database(backend, QStringLiteral("labels"));
            CHECK_OK(uri);
            databases.append({*uri, QStringLiteral("4.1")});
            m_uris.insert(backend, *uri);
        }
        CHECK_OK(createSupersetSchemas(databases));
        for (const auto &[uri, family] : std::as_const(databases))
            CHECK_OK(runSupersetSql(uri, QString::fromLatin1(kExtraRows)));
        m_sqlite = databases.first().first;
    }

    void labelsJoinCacheKeysWithChartsDatasetsAndDashboards_data()
    {
        QTest::addColumn<QString>("backend");
        for (const QString &backend : MetadataServers::backends())
            QTest::newRow(qPrintable(backend)) << backend;
    }

    void labelsJoinCacheKeysWithChartsDatasetsAndDashboards()
    {
        QFETCH(QString, backend);
        // Pages of two rows: the paging must not lose or repeat a row.
        auto labels = labelsOf(m_uris.value(backend), 2);
        CHECK_OK(labels);
        const KeyLabelIndex &l = **labels;

        // Dataset 2 (sales.orders on "warehouse") is used by two saved charts: both are candidates.
        const auto a = l.find(key('a'));
        QVERIFY(a);
        QCOMPARE(a.source, KeyLabelIndex::Source::CacheKeys);
        QCOMPARE(a.label->datasetId, 2);
        QCOMPARE(a.label->chartIds, (QList<qint64>{2, 8}));
        QCOMPARE(a.label->chart, QStringLiteral("one of 2 charts: Orders (5 s) (#2), Empty timeout (#8)"));
        QCOMPARE(a.label->dataset, QStringLiteral("sales.orders (#2) · warehouse"));
        QCOMPARE(a.label->dashboards, QStringLiteral("Sales, World's Bank Data"));
        QCOMPARE(a.label->variants, 3); // a, b and f
        QVERIFY2(a.label->variantsNote.contains(QStringLiteral("shared by its 2 charts")), qPrintable(a.label->variantsNote));
        QCOMPARE(l.find(key('b')).label, a.label);
        QCOMPARE(l.find(key('f')).label, a.label);

        // c*32 was recorded on dataset 1, then again on dataset 3: the newest row wins, and the
        // variants move with it.
        const auto c = l.find(key('c'));
        QVERIFY(c);
        QCOMPARE(c.label->datasetId, 3);
        QCOMPARE(c.label->chart, QStringLiteral("Zero chart (#3)"));
        QCOMPARE(c.label->dataset, QStringLiteral("sales.orders_virtual (#3) · warehouse"));
        QCOMPARE(c.label->dashboards, QStringLiteral("Sales"));
        QCOMPARE(c.label->variants, 1);

        // A non-SQL datasource and an unknown dataset cannot be labelled; nor can a key never recorded.
        QVERIFY(!l.find(key('d')));
        QVERIFY(!l.find(key('e')));
        QVERIFY(!l.find(key('z')));
        QCOMPARE(l.unmatchedRows(), 2);
        QCOMPARE(l.keyCount(), 4);
        // A lookup matches the whole key, not a prefix of it.
        QVERIFY(!l.find(key('a').left(31)));
        QVERIFY(!l.find(QByteArray(key('a') + 'a')));
    }

    void decodedEntriesAreLabelledAsGuesses()
    {
        auto labels = labelsOf(m_sqlite, 1000);
        CHECK_OK(labels);
        KeyLabelIndex l = **labels;
        // The audit tied a payload to dataset 1 by its SQL (birth_names): one chart, "Births by year".
        l.addDecoded("0123456789abcdef0123456789abcdef", 1);
        const auto hit = l.find("0123456789abcdef0123456789abcdef");
        QVERIFY(hit);
        QCOMPARE(hit.source, KeyLabelIndex::Source::Decoded);
        QCOMPARE(hit.label->chart, QStringLiteral("Births by year (#1)"));
        QCOMPARE(hit.label->dashboards, QStringLiteral("World's Bank Data"));
        QCOMPARE(hit.label->variants, 1);
        // cache_keys' own record is not overridden by a guess.
        l.addDecoded(key('a'), 1);
        QCOMPARE(l.find(key('a')).label->datasetId, 2);
        QCOMPARE(l.find(key('a')).source, KeyLabelIndex::Source::CacheKeys);
        // The index it was copied from is unchanged (it stays shared with the views).
        QVERIFY(!(*labels)->find("0123456789abcdef0123456789abcdef"));
    }

    void aBoundedReadSaysItStopped()
    {
        bool truncated = false;
        auto labels = labelsOf(m_sqlite, 1000, &truncated, 3);
        CHECK_OK(labels);
        QVERIFY(truncated);
        QCOMPARE((*labels)->keyCount() + (*labels)->unmatchedRows(), 3);
        auto all = labelsOf(m_sqlite, 1000, &truncated, 7); // exactly the table's 7 rows
        CHECK_OK(all);
        QVERIFY(!truncated);
    }

    void hashedNamesFindFileSystemEntries()
    {
        auto parsed = MetadataUri::parse(m_sqlite);
        CHECK_OK(parsed);
        MetadataDatabase db(*parsed);
        CHECK_OK(db.open());
        auto snapshot = db.snapshot();
        CHECK_OK(snapshot);
        auto index = std::make_shared<const TimeoutIndex>(*snapshot, TimeoutConfig{}, SupersetFamily::V4_1);
        auto labels = KeyLabelIndex::load(index, true, [&db](qint64 after, int limit) { return db.cacheKeys(after, limit); }, {});
        CHECK_OK(labels);
        // cachelib's FileSystemCache file name of a*32: md5 of the key, as Python computes it.
        auto md5 = runPython(QStringLiteral("import hashlib; print(hashlib.md5(b'a' * 32).hexdigest(), end='')"));
        CHECK_OK(md5);
        QVERIFY((*labels)->find(*md5));
        QCOMPARE((*labels)->find(*md5).label->datasetId, 2);
    }

    void modelShowsLabelsJoinedByKey()
    {
        auto labels = labelsOf(m_sqlite, 1000);
        CHECK_OK(labels);
        // The chart-data cache on Redis: prefix + the key cache_keys recorded, plus keys it did not.
        RedisClient client(*RedisUrl::parse(m_redis.url()));
        CHECK_OK(client.connect());
        for (char c : {'a', 'b', 'c', 'd', 'f', 'z'})
            CHECK_OK(client.command({"SET", "superset_data_" + key(c), "x"}));
        CHECK_OK(client.command({"SET", "superset_other", "x"}));
        RedisKeySource source(*RedisUrl::parse(m_redis.url()), "superset_data_");

        KeysPage page;
        KeyTreeModel *model = page.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1400, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setSource(&source, QStringLiteral("DATA_CACHE_CONFIG"));
        page.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model->isScanComplete(), 20000);
        QCOMPARE(model->loadedKeyCount(), quint64(6));
        // No labels yet: the label columns are hidden and empty.
        QVERIFY(page.view()->header()->isSectionHidden(KeyTreeModel::ChartColumn));
        auto rowOf = [&](char c) {
            for (int r = 0; r < model->rowCount(); ++r)
                if (model->keyAt(model->index(r, 0)) == "superset_data_" + key(c))
                    return model->index(r, 0);
            return QModelIndex();
        };
        QVERIFY(rowOf('a').isValid());
        QVERIFY(!rowOf('a').siblingAtColumn(KeyTreeModel::ChartColumn).data().isValid());

        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        page.setKeyLabels(*labels);
        QVERIFY(changed.count() > 0); // the views repaint the label columns
        QVERIFY(!page.view()->header()->isSectionHidden(KeyTreeModel::ChartColumn));
        QVERIFY(!page.view()->header()->isSectionHidden(KeyTreeModel::VariantsColumn));
        auto cell = [&](char c, int column, int role = Qt::DisplayRole) { return rowOf(c).siblingAtColumn(column).data(role); };
        QCOMPARE(cell('a', KeyTreeModel::ChartColumn).toString(), QStringLiteral("one of 2 charts: Orders (5 s) (#2), Empty timeout (#8)"));
        QCOMPARE(cell('a', KeyTreeModel::DatasetColumn).toString(), QStringLiteral("sales.orders (#2) · warehouse"));
        QCOMPARE(cell('a', KeyTreeModel::DashboardColumn).toString(), QStringLiteral("Sales, World's Bank Data"));
        QCOMPARE(cell('a', KeyTreeModel::VariantsColumn).toInt(), 3);
        QCOMPARE(cell('a', 0, KeyTreeModel::DatasetIdRole).toLongLong(), 2);
        QCOMPARE(cell('a', 0, KeyTreeModel::ChartIdsRole).value<QList<qint64>>(), (QList<qint64>{2, 8}));
        QVERIFY(cell('a', KeyTreeModel::ChartColumn, Qt::ToolTipRole).toString().contains(QStringLiteral("cache_keys")));
        QCOMPARE(cell('c', KeyTreeModel::ChartColumn).toString(), QStringLiteral("Zero chart (#3)"));
        QCOMPARE(cell('c', KeyTreeModel::VariantsColumn).toInt(), 1);
        // Unrecorded keys stay unlabelled.
        QVERIFY(!cell('z', KeyTreeModel::ChartColumn).isValid());
        QCOMPARE(cell('z', 0, KeyTreeModel::VariantsRole).toInt(), -1);
        QVERIFY(!cell('d', KeyTreeModel::DatasetColumn).isValid());
        // What the view draws is what the model says.
        const QRect rect = page.view()->visualRect(rowOf('c').siblingAtColumn(KeyTreeModel::ChartColumn));
        QVERIFY(rect.isValid());

        // Sorting by variants, descending: the three keys of dataset 2 first, unlabelled last.
        model->sort(KeyTreeModel::VariantsColumn, Qt::DescendingOrder);
        QList<int> variants;
        for (int r = 0; r < model->rowCount(); ++r)
            variants << model->index(r, 0).data(KeyTreeModel::VariantsRole).toInt();
        QCOMPARE(variants, (QList<int>{3, 3, 3, 1, -1, -1}));
        // By chart, ascending: by label text, unlabelled last.
        model->sort(KeyTreeModel::ChartColumn, Qt::AscendingOrder);
        QStringList charts;
        for (int r = 0; r < model->rowCount(); ++r)
            charts << model->index(r, KeyTreeModel::ChartColumn).data().toString();
        QCOMPARE(charts.first(), QStringLiteral("one of 2 charts: Orders (5 s) (#2), Empty timeout (#8)"));
        QCOMPARE(charts[3], QStringLiteral("Zero chart (#3)"));
        QVERIFY(charts[4].isEmpty() && charts[5].isEmpty());

        // The JSON export carries the labels of labelled keys.
        QTemporaryDir dir;
        page.view()->selectionModel()->select(rowOf('c'), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        page.view()->selectionModel()->select(rowOf('z'), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        const QString path = dir.filePath(QStringLiteral("keys.json"));
        QVERIFY(page.exportSelection(path, true));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray out = QJsonDocument::fromJson(f.readAll()).array();
        QCOMPARE(out.size(), 2);
        for (const QJsonValue &v : out) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("key")).toString().endsWith(u'c')) {
                QCOMPARE(o.value(QStringLiteral("chart")).toString(), QStringLiteral("Zero chart (#3)"));
                QCOMPARE(o.value(QStringLiteral("dataset_id")).toInteger(), 3);
                QCOMPARE(o.value(QStringLiteral("variants")).toInt(), 1);
            } else {
                QVERIFY(!o.contains(QStringLiteral("chart")));
            }
        }

        // Removing the labels hides the columns again.
        page.setKeyLabels(nullptr);
        QVERIFY(page.view()->header()->isSectionHidden(KeyTreeModel::ChartColumn));
        QVERIFY(!rowOf('a').siblingAtColumn(KeyTreeModel::ChartColumn).data().isValid());
    }

    void keysCommandJsonCarriesTheLabels()
    {
        // `cachescope keys --metadata-db` on the Redis keys, labelled from PostgreSQL.
        RedisClient client(*RedisUrl::parse(m_redis.url()));
        CHECK_OK(client.connect());
        for (char c : {'a', 'c', 'z'})
            CHECK_OK(client.command({"SET", "superset_data_" + key(c), "x"}));
        auto out = runProcess(qEnvironmentVariable("CACHESCOPE_BINARY"),
                              {QStringLiteral("keys"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                               QStringLiteral("superset_data_"), QStringLiteral("--metadata-db"), m_uris.value(QStringLiteral("postgresql"))});
        CHECK_OK(out);
        QHash<QString, QJsonObject> byKey;
        for (const QByteArray &line : out->split('\n'))
            if (!line.isEmpty())
                byKey.insert(QJsonDocument::fromJson(line).object().value(QStringLiteral("key")).toString(),
                             QJsonDocument::fromJson(line).object());
        const QJsonObject a = byKey.value(QStringLiteral("superset_data_") + QString::fromLatin1(key('a')));
        QCOMPARE(a.value(QStringLiteral("dataset_id")).toInteger(), 2);
        QCOMPARE(a.value(QStringLiteral("chart_ids")).toArray(), (QJsonArray{2, 8}));
        QCOMPARE(a.value(QStringLiteral("dashboards")).toString(), QStringLiteral("Sales, World's Bank Data"));
        QCOMPARE(a.value(QStringLiteral("variants")).toInt(), 3);
        const QJsonObject c = byKey.value(QStringLiteral("superset_data_") + QString::fromLatin1(key('c')));
        QCOMPARE(c.value(QStringLiteral("chart")).toString(), QStringLiteral("Zero chart (#3)"));
        QCOMPARE(c.value(QStringLiteral("variants")).toInt(), 1);
        const QJsonObject z = byKey.value(QStringLiteral("superset_data_") + QString::fromLatin1(key('z')));
        QVERIFY(!z.isEmpty());
        QVERIFY(!z.contains(QStringLiteral("chart")));
        // The password of the metadata database is not printed on a failure either.
        auto refused = runProcess(qEnvironmentVariable("CACHESCOPE_BINARY"),
                                  {QStringLiteral("keys"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--metadata-db"),
                                   QStringLiteral("postgresql://superset:Secr3tPw@127.0.0.1:1/none")});
        QVERIFY(!refused);
        QVERIFY2(!refused.error().contains(QStringLiteral("Secr3tPw")), qPrintable(refused.error()));
        QVERIFY2(refused.error().contains(QStringLiteral("127.0.0.1")), qPrintable(refused.error()));
    }

    void theDemoWindowLabelsItsChartDataKeys()
    {
        QTemporaryDir home;
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, home.path());
        CommandLine cl(QString(), QStringLiteral("test"));
        addWindowOptions(cl);
        QVERIFY(!cl.parse({QStringLiteral("--page"), QStringLiteral("keys")}));
        auto s = openWindow(cl);
        QVERIFY(s && s->demo);
        s->window->resize(1600, 900);
        s->window->show();
        QVERIFY(QTest::qWaitForWindowExposed(s->window.get()));
        s->window->showPage(MainWindow::Page::Keys);
        KeysBrowser *browser = s->window->keysBrowser();
        // The Timeouts page reads the demo's superset.db, then the Keys page its cache_keys.
        QTRY_VERIFY_WITH_TIMEOUT(browser->keyLabels() != nullptr, 30000);
        QVERIFY(browser->keyLabels()->keyCount() > 0);
        KeysPage *page = browser->keysPage();
        QCOMPARE(page->source() != nullptr, true);
        QCOMPARE(browser->connectionLabel(browser->currentConnection()).section(u'\n', 0, 0), QStringLiteral("DATA_CACHE_CONFIG"));
        // The workload fills the data cache: some loaded key gets a chart label.
        QModelIndex labelled;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                browser->refresh();
                QTest::qWait(300);
                KeyTreeModel *m = page->model();
                std::function<QModelIndex(const QModelIndex &)> find = [&](const QModelIndex &parent) -> QModelIndex {
                    for (int r = 0; r < m->rowCount(parent); ++r) {
                        const QModelIndex i = m->index(r, 0, parent);
                        if (m->isNamespace(i)) {
                            if (const QModelIndex f = find(i); f.isValid())
                                return f;
                        } else if (i.data(KeyTreeModel::DatasetIdRole).isValid()) {
                            return i;
                        }
                    }
                    return {};
                };
                labelled = find({});
                return labelled.isValid();
            }(),
            30000);
        QVERIFY(!labelled.siblingAtColumn(KeyTreeModel::ChartColumn).data().toString().isEmpty());
        QVERIFY(!labelled.siblingAtColumn(KeyTreeModel::DatasetColumn).data().toString().isEmpty());
        QVERIFY(labelled.siblingAtColumn(KeyTreeModel::VariantsColumn).data().toInt() > 0);
        QVERIFY(!page->view()->header()->isSectionHidden(KeyTreeModel::ChartColumn));

        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_KEYLABELS");
        if (!shot.isEmpty()) {
            page->view()->expandAll();
            page->model()->sort(KeyTreeModel::VariantsColumn, Qt::DescendingOrder);
            QTest::qWait(1500);
            QVERIFY(s->window->grab().save(shot));
        }
    }
};

QTEST_MAIN(TestKeyLabels)
#include "tst_keylabels.moc"
