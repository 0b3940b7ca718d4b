#include "browse/keysource.h"
#include "cache/cachemanager.h"
#include "cacheoverviewmodel.h"
#include "hitratefeed.h"
#include "hitratepage.h"
#include "hitrateseries.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "keytreemodel.h"
#include "payloadview.h"
#include "redis/redisclient.h"
#include "redis/redisurl.h"
#include "redisserver.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "overviewpage.h"
#include "demofiles.h"
#include "python.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QListWidget>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <cmath>

using namespace cachescope;

namespace {

int rowOf(const QAbstractItemModel *model, CachePurpose purpose)
{
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, 0).data(CacheOverviewModel::PurposeRole).toInt() == int(purpose))
            return r;
    return -1;
}

quint64 number(const QAbstractItemModel *model, CachePurpose purpose, int column)
{
    const int row = rowOf(model, purpose);
    return row < 0 ? 0 : model->index(row, column).data(CacheOverviewModel::SortRole).toULongLong();
}

// The first key (not namespace) of a lazy key tree, fetching namespaces on the way as a view would.
QModelIndex firstLeaf(KeyTreeModel *model, const QModelIndex &parent = {})
{
    if (model->canFetchMore(parent))
        model->fetchMore(parent);
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        if (!model->isNamespace(i))
            return i;
        if (const QModelIndex leaf = firstLeaf(model, i); leaf.isValid())
            return leaf;
    }
    return {};
}

std::unique_ptr<DemoEnvironment> startDemo(MainWindow &window)
{
    auto demo = DemoEnvironment::create(test::demoConfigJson(), test::demoSupersetConfig());
    if (!demo)
        return {};
    window.setCacheManager(&(*demo)->manager(), QStringLiteral("Embedded demo"));
    window.setDemoWorkload(&(*demo)->workload());
    (*demo)->workload().start();
    return std::move(*demo);
}

// Selects the first key of a cache purpose's connection and returns the payload view's JSON.
QByteArray showFirstKey(MainWindow &window, CachePurpose purpose)
{
    // The demo fills its caches after it starts: wait for entries, then (re)select the connection,
    // which scans afresh.
    if (!QTest::qWaitFor([&] { return number(window.overviewModel(), purpose, CacheOverviewModel::Entries) > 0; }, 30000))
        return "no entries";
    KeysBrowser *browser = window.keysBrowser();
    const int row = browser->rowOf(purpose);
    if (row < 0)
        return "no connection";
    browser->selectConnection(row);
    KeysPage *page = browser->keysPage();
    QModelIndex leaf;
    // A cache the demo rebuilt (its threshold knob) starts empty: selecting the connection again
    // rescans, as a user would.
    if (!QTest::qWaitFor([&] {
            if (page->model()->isScanComplete() && page->model()->loadedKeyCount() == 0)
                browser->selectConnection(row);
            return (leaf = firstLeaf(page->model())).isValid();
        }, 30000))
        return "no key";
    PayloadView *payload = page->payloadView();
    QSignalSpy decoded(payload, &PayloadView::decoded);
    page->view()->setCurrentIndex(leaf);
    if (!QTest::qWaitFor([&] { return !decoded.isEmpty(); }, 30000))
        return "not decoded";
    if (!decoded.last().at(0).toBool())
        return "not decoded: " + payload->result().error.toUtf8();
    return payload->valueJson();
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldOpenOnTheDemoAndShowCountersMoving()
    {
        // Given the embedded demo, wired as the application wires it
        auto demo = DemoEnvironment::create(test::demoConfigJson(), test::demoSupersetConfig());
        QVERIFY2(demo, qPrintable(demo ? QString() : demo.error()));
        MainWindow window;
        QAbstractItemModelTester tester(window.overviewModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.setCacheManager(&(*demo)->manager(), QStringLiteral("Embedded demo"));
        QObject::connect(&(*demo)->workload(), &DemoWorkload::workloadFailed, &window, &MainWindow::showError);
        (*demo)->workload().start();
        window.resize(1280, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Then the Overview page is current and lists every demo cache
        auto *pages = window.findChild<QListWidget *>();
        QVERIFY(pages);
        QCOMPARE(pages->currentItem()->text(), QStringLiteral("Overview"));
        QVERIFY(window.overviewPage()->isVisible());
        const QAbstractItemModel *shown = window.overviewPage()->view()->model();
        QCOMPARE(shown->rowCount(), int((*demo)->manager().purposes().size()));
        QCOMPARE(shown->rowCount(), 6);

        // And the counters the view shows move while the demo runs
        QTRY_VERIFY_WITH_TIMEOUT(number(shown, CachePurpose::Data, CacheOverviewModel::Hits) > 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(number(shown, CachePurpose::Data, CacheOverviewModel::Misses) > 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(number(shown, CachePurpose::Data, CacheOverviewModel::Entries) > 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(number(shown, CachePurpose::Results, CacheOverviewModel::Entries) > 0, 30000);
        const quint64 before = number(shown, CachePurpose::Data, CacheOverviewModel::Hits);
        QTRY_VERIFY_WITH_TIMEOUT(number(shown, CachePurpose::Data, CacheOverviewModel::Hits) > before, 30000);
        const int dataRow = rowOf(shown, CachePurpose::Data);
        QVERIFY(shown->index(dataRow, CacheOverviewModel::HitRate).data().toString().endsWith(QStringLiteral(" %")));
        QVERIFY2(window.overviewPage()->summaryText().contains(QStringLiteral("hit rate")),
                 qPrintable(window.overviewPage()->summaryText()));
        QVERIFY(!window.messageBar()->isVisible()); // the demo runs without errors

        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT");
        if (!shot.isEmpty())
            QVERIFY(window.grab().save(shot));
        (*demo)->workload().stop();
    }

    void shouldSortOnNumbersNotText()
    {
        auto manager = CacheManager::create({});
        QVERIFY(manager);
        for (auto [purpose, reads] : {std::pair{CachePurpose::Cache, 9}, {CachePurpose::Data, 10}, {CachePurpose::Thumbnail, 100}}) {
            CacheSpec spec;
            spec.purpose = purpose;
            spec.backend = BackendType::Simple;
            QVERIFY((*manager)->setCache(spec));
            for (int i = 0; i < reads; ++i)
                QVERIFY((*manager)->cache(purpose)->get("k"));
        }
        MainWindow window;
        window.setCacheManager(manager->get(), QStringLiteral("test"));
        window.overviewModel()->refresh();
        QTreeView *view = window.overviewPage()->view();
        view->sortByColumn(CacheOverviewModel::Misses, Qt::DescendingOrder);
        // "9" > "100" as text; as numbers the order is 100, 10, 9
        QCOMPARE(view->model()->index(0, CacheOverviewModel::Misses).data().toString(), QStringLiteral("100"));
        QCOMPARE(view->model()->index(1, CacheOverviewModel::Misses).data().toString(), QStringLiteral("10"));
        QCOMPARE(view->model()->index(2, CacheOverviewModel::Misses).data().toString(), QStringLiteral("9"));
    }

    void shouldShowErrorsInline()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.messageBar()->isVisible());
        window.showError(QStringLiteral("DATA_CACHE_CONFIG: connection refused"));
        QVERIFY(window.messageBar()->isVisible());
        QCOMPARE(window.messageBar()->text(), QStringLiteral("DATA_CACHE_CONFIG: connection refused"));
    }

    void shouldHaveEveryPage()
    {
        MainWindow window;
        auto *pages = window.findChild<QListWidget *>();
        QCOMPARE(pages->count(), 3);
        QCOMPARE(pages->item(0)->text(), QStringLiteral("Overview"));
        QCOMPARE(pages->item(1)->text(), QStringLiteral("Keys"));
        QCOMPARE(pages->item(2)->text(), QStringLiteral("Hit rates"));
        QCOMPARE(window.page(MainWindow::Page::Keys), window.keysBrowser());
        QCOMPARE(window.page(MainWindow::Page::HitRates), window.hitRatePage());
        QVERIFY(!window.page(MainWindow::Page::Config)); // its slot waits for the config page
        window.showPage(MainWindow::Page::HitRates);
        QCOMPARE(pages->currentRow(), 2);
    }

    void shouldListOneConnectionPerDemoCacheAndShowDecodedPayloads()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto demo = startDemo(window);
        QVERIFY(demo);
        window.showPage(MainWindow::Page::Keys);
        KeysBrowser *browser = window.keysBrowser();
        QCOMPARE(browser->connectionCount(), int(demo->manager().purposes().size()));
        for (CachePurpose purpose : demo->manager().purposes())
            QVERIFY2(browser->rowOf(purpose) >= 0, qPrintable(purposeConfigName(purpose)));
        QVERIFY(browser->connectionLabel(browser->rowOf(CachePurpose::Results)).contains(QStringLiteral("FileSystemCache")));
        // Read-only by default
        QVERIFY(!browser->keysPage()->source()->writesEnabled());
        QVERIFY(window.connectionStatus().contains(QStringLiteral("read-only")));

        // When a chart data key (in-process SimpleCache) is selected, its decoded payload is shown
        const QByteArray chart = showFirstKey(window, CachePurpose::Data);
        QVERIFY2(chart.contains("\"cache_key\"") && chart.contains("\"colnames\""), chart.left(300).constData());
        // labelled by the cache it came from (it also has "status" and a "data" list, like a SQL Lab result)
        QCOMPARE(browser->keysPage()->payloadView()->result().shape, QStringLiteral("chart-data"));
        // And a SQL Lab result from the FileSystemCache results directory too
        const QByteArray result = showFirstKey(window, CachePurpose::Results);
        QVERIFY2(!result.startsWith("no ") && !result.startsWith("not decoded"), result.left(300).constData());
        QVERIFY(window.keysBrowser()->keysPage()->payloadView()->layerButtonCount() > 1);
        QVERIFY(!window.messageBar()->isVisible());

        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_KEYS");
        if (!shot.isEmpty())
            QVERIFY(window.grab().save(shot));
        demo->workload().stop();
    }

    void shouldFeedTheHitRatesPageFromTheDemo()
    {
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        auto demo = startDemo(window);
        QVERIFY(demo);
        window.showPage(MainWindow::Page::HitRates);
        HitRateSeries *series = window.hitRateSeries();
        QAbstractItemModelTester tester(series, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString data = purposeConfigName(CachePurpose::Data);
        // Then the Data cache's row shows a rate from the exact embedded source
        QTRY_VERIFY_WITH_TIMEOUT(series->rowOf(data, SampleSource::Embedded) >= 0
                                     && !std::isnan(series->currentHitRate(series->rowOf(data, SampleSource::Embedded))),
                                 30000);
        const int row = series->rowOf(data, SampleSource::Embedded);
        QCOMPARE(series->exactnessAt(row), Exactness::Exact);
        const QAbstractItemModel *shown = window.hitRatePage()->table()->model();
        bool found = false;
        for (int r = 0; r < shown->rowCount(); ++r) {
            if (shown->index(r, HitRateSeries::CacheColumn).data().toString() == data) {
                found = true;
                QVERIFY2(shown->index(r, HitRateSeries::HitRateColumn).data().toString().contains(u'%'),
                         qPrintable(shown->index(r, HitRateSeries::HitRateColumn).data().toString()));
            }
        }
        QVERIFY(found);

        // Recording the session and replaying it feeds the same page
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("rec.sqlite"));
        QVERIFY(window.startRecording(file));
        QTRY_VERIFY_WITH_TIMEOUT(window.hitRateFeed()->recordedCount() >= 6, 30000);
        window.stopRecording();
        demo->workload().stop();
        QVERIFY(window.startReplay(file, 0));
        QVERIFY(window.hitRateFeed()->isReplaying());
        QTRY_VERIFY_WITH_TIMEOUT(series->rowOf(data, SampleSource::Embedded) >= 0, 30000);
        window.stopReplay();
        QVERIFY(!window.hitRateFeed()->isReplaying());
    }

    void shouldBrowseARedisConnectedByUrlAndShowServerFigures()
    {
        test::RedisServer server;
        const QString started = server.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        auto url = RedisUrl::parse(server.url());
        QVERIFY(url);
        RedisClient client(*url);
        QList<QList<QByteArray>> sets;
        for (int i = 0; i < 250; ++i)
            sets.append({"SET", "superset_data_" + QByteArray::number(i, 16).rightJustified(32, '0'), "v"});
        sets.append({"SET", "other_key", "v"});
        QVERIFY(client.pipeline(sets).hasValue());

        // A manager with a Redis data cache on that server, as a config would give
        CacheSpec spec;
        spec.purpose = CachePurpose::Data;
        spec.backend = BackendType::Redis;
        spec.redisUrl = server.url();
        spec.keyPrefix = "superset_data_";
        auto manager = CacheManager::create({spec});
        QVERIFY2(manager, qPrintable(manager ? QString() : manager.error()));
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QAbstractItemModelTester tester(window.overviewModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.setCacheManager(manager->get(), QStringLiteral("test config"));

        // When "Connect to Redis URL" is used with a prefix, the keys under it are listed
        KeysBrowser *browser = window.keysBrowser();
        auto row = browser->connectRedis(server.url(), "superset_data_");
        QVERIFY2(row, qPrintable(row ? QString() : row.error()));
        QCOMPARE(browser->currentConnection(), *row);
        QCOMPARE(browser->connectionCount(), 2);
        KeysPage *page = browser->keysPage();
        page->loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(page->model()->isScanComplete(), 30000);
        QCOMPARE(page->model()->loadedKeyCount(), 250ull);
        QVERIFY(window.connectionStatus().contains(HitRateFeed::serverKey(*url)));

        // And the Overview shows the server's memory and hit rate from INFO next to the layer's
        for (int i = 0; i < 20; ++i) {
            QVERIFY((*manager)->cache(CachePurpose::Data)->get("absent"));
            QVERIFY(client.command({"GET", "superset_data_" + QByteArray(32, '0')}).hasValue());
        }
        const QAbstractItemModel *model = window.overviewModel();
        QTRY_VERIFY_WITH_TIMEOUT(model->index(0, CacheOverviewModel::Memory).data(CacheOverviewModel::SortRole).toLongLong() > 0, 30000);
        QVERIFY(model->index(0, CacheOverviewModel::Memory).data().toString().contains(QStringLiteral("iB")));
        QTRY_VERIFY_WITH_TIMEOUT(model->index(0, CacheOverviewModel::ServerHitRate).data().toString().endsWith(QStringLiteral(" %")), 30000);
        QVERIFY(model->index(0, CacheOverviewModel::Location).data().toString().contains(QString::number(server.port())));
        QVERIFY(window.connectionStatus().contains(QStringLiteral("connected")));
        // And the Hit rates page has the server-wide row
        QTRY_VERIFY(window.hitRateSeries()->rowOf(HitRateFeed::serverKey(*url), SampleSource::RedisInfo) >= 0);
        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_REDIS_OVERVIEW");
        if (!shot.isEmpty()) {
            window.showPage(MainWindow::Page::Overview);
            QVERIFY(window.grab().save(shot));
        }
    }

    void shouldRefuseABadUrlAndAMissingDirectory()
    {
        MainWindow window;
        QVERIFY(!window.keysBrowser()->connectRedis(QStringLiteral("http://nope"), {}));
        QVERIFY(!window.keysBrowser()->openDirectory(QStringLiteral("/nonexistent/cachescope")));
        QCOMPARE(window.keysBrowser()->connectionCount(), 0);
    }

    void shouldOpenAPayloadFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("entry.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromHex("80044b2a2e")); // pickle of 42 (protocol 4)
        f.close();
        MainWindow window;
        PayloadView *view = window.openPayloadFile(path);
        QVERIFY(view);
        QSignalSpy decoded(view, &PayloadView::decoded);
        QTRY_COMPARE(decoded.size(), 1);
        QVERIFY(decoded.first().at(0).toBool());
        QVERIFY2(view->valueJson().contains("\"value\":42"), view->valueJson().constData());
        QVERIFY(!window.openPayloadFile(dir.filePath(QStringLiteral("missing"))));
        QVERIFY(window.messageBar()->isVisibleTo(&window));
        QVERIFY(window.messageBar()->text().contains(QStringLiteral("missing")));
    }

    void shouldKeepPagesInTheirOrder()
    {
        MainWindow window;
        auto *config = new QWidget;
        auto *keys = new QWidget;
        window.addPage(MainWindow::Page::Config, QStringLiteral("Config"), config);
        window.addPage(MainWindow::Page::Keys, QStringLiteral("Keys"), keys);
        auto *pages = window.findChild<QListWidget *>();
        QCOMPARE(pages->count(), 4);
        QCOMPARE(pages->item(0)->text(), QStringLiteral("Overview"));
        QCOMPARE(pages->item(1)->text(), QStringLiteral("Keys"));
        QCOMPARE(pages->item(2)->text(), QStringLiteral("Hit rates"));
        QCOMPARE(pages->item(3)->text(), QStringLiteral("Config"));
        window.showPage(MainWindow::Page::Keys);
        QCOMPARE(pages->currentRow(), 1);
        QCOMPARE(window.page(MainWindow::Page::Keys), keys); // replaced
        window.showPage(MainWindow::Page::Config);
        QCOMPARE(pages->currentRow(), 3);
        QCOMPARE(window.page(MainWindow::Page::Config), config);
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
