#include "cache/cachemanager.h"
#include "cacheoverviewmodel.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "overviewpage.h"
#include "python.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QListWidget>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTest>
#include <QTreeView>

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

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldOpenOnTheDemoAndShowCountersMoving()
    {
        // Given the embedded demo, wired as the application wires it
        QFile config(test::sourcePath(QStringLiteral("resources/demo/demo-config.json")));
        QVERIFY(config.open(QIODevice::ReadOnly));
        auto demo = DemoEnvironment::create(config.readAll());
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

    void shouldKeepPagesInTheirOrder()
    {
        MainWindow window;
        auto *config = new QWidget;
        auto *keys = new QWidget;
        window.addPage(MainWindow::Page::Config, QStringLiteral("Config"), config);
        window.addPage(MainWindow::Page::Keys, QStringLiteral("Keys"), keys);
        auto *pages = window.findChild<QListWidget *>();
        QCOMPARE(pages->count(), 3);
        QCOMPARE(pages->item(0)->text(), QStringLiteral("Overview"));
        QCOMPARE(pages->item(1)->text(), QStringLiteral("Keys"));
        QCOMPARE(pages->item(2)->text(), QStringLiteral("Config"));
        window.showPage(MainWindow::Page::Keys);
        QCOMPARE(pages->currentRow(), 1);
        QCOMPARE(window.page(MainWindow::Page::Keys), keys);
        QVERIFY(!window.page(MainWindow::Page::HitRates));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
