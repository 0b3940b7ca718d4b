#include "cache/cachemanager.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"
#include "democontrolspanel.h"
#include "mainwindow.h"
#include "demofiles.h"

#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <memory>

using namespace cachescope;

namespace {

std::unique_ptr<DemoEnvironment> createDemo(const QJsonObject &overrides = {})
{
    auto created = DemoEnvironment::create(test::demoConfigJson(overrides), test::demoSupersetConfig());
    if (!created) {
        qWarning("%s", qPrintable(created.error()));
        return nullptr;
    }
    return std::move(*created);
}

quint64 dataReads(const Cache &cache)
{
    const CacheCountersSnapshot c = cache.counters().snapshot();
    return c.hits + c.misses;
}

// Hit rate of the Data cache over its next `reads` reads (after skipping `warmUp` reads). Holds
// the cache object itself, so a rebuild mid-measurement (a threshold change) cannot mix two caches.
void measureDataHitRate(CacheManager &manager, quint64 warmUp, quint64 reads, double *rate)
{
    const std::shared_ptr<Cache> cache = manager.cache(CachePurpose::Data);
    QVERIFY(cache);
    const quint64 start = dataReads(*cache);
    QTRY_VERIFY_WITH_TIMEOUT(dataReads(*cache) >= start + warmUp, 120000);
    const CacheCountersSnapshot before = cache->counters().snapshot();
    QTRY_VERIFY_WITH_TIMEOUT(dataReads(*cache) >= before.hits + before.misses + reads, 120000);
    const CacheCountersSnapshot after = cache->counters().snapshot();
    const quint64 hits = after.hits - before.hits;
    const quint64 total = hits + after.misses - before.misses;
    *rate = double(hits) / double(total);
}

// True when neither the workload nor the Data cache counted anything during `ms`.
bool stillFor(DemoWorkload &workload, int ms)
{
    const auto cache = workload.cacheManager().cache(CachePurpose::Data);
    const quint64 requests = workload.requestsServed();
    const quint64 reads = cache ? dataReads(*cache) : 0;
    QTest::qWait(ms);
    return workload.requestsServed() == requests && (cache ? dataReads(*cache) : 0) == reads;
}

} // namespace

class tst_DemoControlsPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldShowTheWorkloadsSettings()
    {
        // Given a demo configured with particular knobs
        auto demo = createDemo(
            {{QStringLiteral("users"), 12}, {QStringLiteral("skew"), 0.75}, {QStringLiteral("chart_timeout"), 0}});
        QVERIFY(demo);

        // When a panel is made for its workload
        DemoControlsPanel panel(&demo->workload());

        // Then every control shows the workload's value (the threshold is the Data cache's configured one)
        QCOMPARE(panel.usersSpin()->value(), 12);
        QCOMPARE(panel.usersSlider()->value(), 12);
        QCOMPARE(panel.skewSpin()->value(), 0.75);
        QCOMPARE(panel.skewSlider()->value(), 15); // 0.05 per step
        QCOMPARE(panel.timeoutSpin()->value(), 0);
        QCOMPARE(panel.timeoutSpin()->text(), QStringLiteral("never"));
        QCOMPARE(panel.timeoutSlider()->value(), panel.timeoutSlider()->maximum()); // "never" is the longest
        QCOMPARE(panel.thresholdSpin()->value(), demo->manager().spec(CachePurpose::Data)->threshold);
        QVERIFY(panel.thresholdSpin()->isEnabled());
        QCOMPARE(panel.usersSlider()->maximum(), 64);
        QCOMPARE(panel.skewSpin()->maximum(), 2.5);
    }

    void shouldDebounceSliderDragsAndApplySpinBoxesAtOnce()
    {
        // Given a panel on a (stopped) demo workload
        auto demo = createDemo();
        QVERIFY(demo);
        DemoWorkload &workload = demo->workload();
        DemoControlsPanel panel(&workload);
        QSignalSpy changed(&workload, &DemoWorkload::settingsChanged);
        QSignalSpy applied(&panel, &DemoControlsPanel::settingsApplied);
        const int initialThreshold = workload.settings().threshold;

        // When the threshold slider is dragged across several stops
        QSlider *slider = panel.thresholdSlider();
        const int from = slider->value();
        for (int step = 1; step <= 4; ++step)
            slider->setValue(from - step);

        // Then the spin box follows at once, but the workload only gets the last value, once
        const int shown = panel.thresholdSpin()->value();
        QVERIFY(shown < initialThreshold);
        QCOMPARE(workload.settings().threshold, initialThreshold);
        QCOMPARE(changed.count(), 0);
        QTRY_COMPARE(workload.settings().threshold, shown);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(applied.count(), 1);

        // When a spin box is set, it applies without waiting, and its slider follows
        panel.usersSpin()->setValue(30);
        QCOMPARE(workload.settings().users, 30);
        QCOMPARE(panel.usersSlider()->value(), 30);
        panel.timeoutSpin()->setValue(7); // between two slider stops: the slider goes to the nearer
        QCOMPARE(workload.settings().chartTimeout, 7);
        QCOMPARE(panel.timeoutSpin()->text(), QStringLiteral("7 s"));
        // and a drag of another slider leaves a value that is not a slider stop alone
        panel.usersSlider()->setValue(20);
        QTRY_COMPARE(workload.settings().users, 20);
        QCOMPARE(workload.settings().chartTimeout, 7);
        QCOMPARE(panel.timeoutSpin()->value(), 7);

        // When the workload is changed elsewhere, the panel shows it
        workload.setSkew(2.0);
        QCOMPARE(panel.skewSpin()->value(), 2.0);
        QCOMPARE(panel.skewSlider()->value(), 40);

        // When Reset is clicked, the configured settings come back, in the controls and the workload
        const DemoSettings initial = panel.initialSettings();
        QTest::mouseClick(panel.resetButton(), Qt::LeftButton);
        const DemoSettings now = workload.settings();
        QCOMPARE(now.users, initial.users);
        QCOMPARE(now.skew, initial.skew);
        QCOMPARE(now.chartTimeout, initial.chartTimeout);
        QCOMPARE(now.threshold, initialThreshold);
        QCOMPARE(panel.usersSpin()->value(), initial.users);
        QCOMPARE(panel.thresholdSpin()->value(), initialThreshold);
        QCOMPARE(panel.timeoutSpin()->value(), int(initial.chartTimeout));
    }

    void shouldStopTheCountersWhenUsersGoToZero()
    {
        // Given the running demo with its panel
        auto demo = createDemo();
        QVERIFY(demo);
        DemoWorkload &workload = demo->workload();
        DemoControlsPanel panel(&workload);
        panel.show();
        workload.start();
        QTRY_VERIFY_WITH_TIMEOUT(workload.requestsServed() > 20, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.recentHitRateText().contains(QStringLiteral("reads/s")), 30000);

        // When the users slider goes to 0
        panel.usersSlider()->setValue(0);
        QCOMPARE(panel.usersSpin()->text(), QStringLiteral("paused"));
        QTRY_COMPARE(workload.settings().users, 0);

        // Then the counters stop moving, and stay still
        QTRY_VERIFY_WITH_TIMEOUT(stillFor(workload, 300), 10000);
        QVERIFY(stillFor(workload, 1000));
        QVERIFY(workload.isRunning());
        // and the recent rate says so once the last reads leave its window
        QTRY_VERIFY_WITH_TIMEOUT(panel.recentHitRateText().contains(QStringLiteral("no reads")), 30000);

        // When users come back, so do the requests
        const quint64 before = workload.requestsServed();
        panel.usersSpin()->setValue(4);
        QTRY_VERIFY_WITH_TIMEOUT(workload.requestsServed() > before + 10, 30000);
        workload.stop();
    }

    void shouldRaiseTheDataHitRateWithTheThreshold()
    {
        // Given a busy demo whose chart data never expires (so only the threshold limits hits)
        auto demo = createDemo({{QStringLiteral("users"), 32},
                                {QStringLiteral("request_interval_ms"), 40},
                                {QStringLiteral("chart_timeout"), 0}});
        QVERIFY(demo);
        DemoWorkload &workload = demo->workload();
        CacheManager &manager = demo->manager();
        DemoControlsPanel panel(&workload);
        workload.start();

        // When the threshold is set tiny in the spin box, the workload rebuilds the Data cache with it
        panel.thresholdSpin()->setValue(5);
        QTRY_COMPARE_WITH_TIMEOUT(manager.spec(CachePurpose::Data)->threshold, 5, 30000);
        double tiny = 0;
        measureDataHitRate(manager, 200, 1500, &tiny);
        if (QTest::currentTestFailed())
            return;

        // When the threshold slider goes to its top stop
        panel.thresholdSlider()->setValue(panel.thresholdSlider()->maximum());
        const int large = panel.thresholdSpin()->value();
        QVERIFY(large >= 5000);
        QTRY_COMPARE_WITH_TIMEOUT(manager.spec(CachePurpose::Data)->threshold, large, 30000);
        double roomy = 0;
        measureDataHitRate(manager, 0, 1500, &roomy);
        if (QTest::currentTestFailed())
            return;
        workload.stop();

        // Then the Data cache hits far more often
        qInfo("Data cache hit rate: threshold 5 -> %.3f, threshold %d -> %.3f", tiny, large, roomy);
        QVERIFY2(roomy > tiny + 0.2, qPrintable(QStringLiteral("tiny %1, large %2").arg(tiny).arg(roomy)));
    }

    void shouldRaiseTheDataHitRateWithTheTimeout()
    {
        // Given a demo of 20 equally popular charts (60 data keys, far below the threshold) whose
        // data expires after 1 s, at a pace where a key is read about once a second or less
        auto demo = createDemo({{QStringLiteral("users"), 16},
                                {QStringLiteral("request_interval_ms"), 250},
                                {QStringLiteral("charts"), 20},
                                {QStringLiteral("skew"), 0},
                                {QStringLiteral("chart_timeout"), 1}});
        QVERIFY(demo);
        DemoWorkload &workload = demo->workload();
        CacheManager &manager = demo->manager();
        DemoControlsPanel panel(&workload);
        QCOMPARE(panel.timeoutSpin()->value(), 1);
        workload.start();
        double short_ = 0;
        measureDataHitRate(manager, 100, 400, &short_);
        if (QTest::currentTestFailed())
            return;

        // When the timeout slider goes to "never"
        panel.timeoutSlider()->setValue(panel.timeoutSlider()->maximum());
        QCOMPARE(panel.timeoutSpin()->text(), QStringLiteral("never"));
        QTRY_COMPARE(workload.settings().chartTimeout, 0);
        double never = 0;
        measureDataHitRate(manager, 150, 400, &never);
        if (QTest::currentTestFailed())
            return;
        workload.stop();

        // Then the Data cache hits far more often
        qInfo("Data cache hit rate: timeout 1 s -> %.3f, never -> %.3f", short_, never);
        QVERIFY2(never > short_ + 0.2, qPrintable(QStringLiteral("1 s %1, never %2").arg(short_).arg(never)));
    }

    void shouldShowTheControlsOnlyForTheEmbeddedDemo()
    {
        auto demo = createDemo();
        QVERIFY(demo);
        MainWindow window;
        window.setCacheManager(&demo->manager(), QStringLiteral("Some caches"));
        window.resize(1280, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.demoControls());
        QVERIFY(!window.findChild<DemoControlsPanel *>());

        window.setDemoWorkload(&demo->workload());
        QVERIFY(window.demoControls());
        QCOMPARE(window.demoControls()->workload(), &demo->workload());
        QTRY_VERIFY(window.demoControls()->isVisible());
        // Beneath the pages, within the window
        QVERIFY(window.demoControls()->geometry().height() > 0);
        QVERIFY(window.rect().contains(window.demoControls()->mapTo(&window, QPoint(0, 0))));

        window.setDemoWorkload(nullptr);
        QVERIFY(!window.demoControls());
        QVERIFY(!window.findChild<DemoControlsPanel *>());
    }
};

QTEST_MAIN(tst_DemoControlsPanel)
#include "tst_democontrolspanel.moc"
