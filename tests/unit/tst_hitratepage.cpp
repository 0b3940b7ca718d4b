#include "hitratepage.h"
#include "hitrateplot.h"
#include "hitrateseries.h"

// qcustomplot.h uses `foreach`, which QT_NO_FOREACH removes.
#define foreach(variable, container) for (variable : container)
#include <qcustomplot.h>
#undef foreach

#include <QFile>
#include <QImage>
#include <QRandomGenerator>
#include <QSet>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cachescope;

namespace {

constexpr qint64 kStart = 1'764'547'200; // a fixed minute boundary, so windows hold known counts

// A demo-like session: caches with different hit rates, a cold-start dip, a server under load.
void feedDemo(HitRateSeries &model, qint64 seconds)
{
    QRandomGenerator rng(1);
    struct Cache
    {
        QString name;
        SampleSource source;
        Exactness exactness;
        double rate;
        double reads;
    };
    const QList<Cache> caches = {
        {QStringLiteral("DATA_CACHE_CONFIG"), SampleSource::Embedded, Exactness::Exact, 0.82, 120},
        {QStringLiteral("DATA_CACHE_CONFIG"), SampleSource::Statsd, Exactness::AsReported, 0.80, 40},
        {QStringLiteral("CACHE_CONFIG"), SampleSource::Embedded, Exactness::Exact, 0.96, 60},
        {QStringLiteral("FILTER_STATE_CACHE_CONFIG"), SampleSource::Embedded, Exactness::Exact, 0.55, 15},
        {QStringLiteral("superset_results_"), SampleSource::Monitor, Exactness::Estimated, 0.35, 8},
        {QStringLiteral("redis://127.0.0.1:6379/0"), SampleSource::RedisInfo, Exactness::ServerWide, 0.78, 260},
    };
    for (qint64 t = 0; t < seconds; ++t) {
        for (const Cache &c : caches) {
            // A cold start: the hit rate climbs over the first two minutes, dips when keys expire at 5 min.
            double rate = c.rate * std::min(1.0, 0.2 + double(t) / 120.0);
            if (t >= 300 && t < 330)
                rate *= 0.6;
            rate = qBound(0.0, rate + (rng.generateDouble() - 0.5) * 0.06, 1.0);
            const double reads = c.reads * (0.8 + 0.4 * rng.generateDouble());
            HitRateSample s;
            s.timestampMs = (kStart + t) * 1000;
            s.cache = c.name;
            s.source = c.source;
            s.exactness = c.exactness;
            s.intervalSeconds = 1;
            s.hitsPerSecond = reads * rate;
            s.missesPerSecond = reads * (1 - rate);
            s.setsPerSecond = s.missesPerSecond * 0.95;
            model.addHitSample(s);
        }
        ServerSample v;
        v.timestampMs = (kStart + t) * 1000;
        v.server = QStringLiteral("redis://127.0.0.1:6379/0");
        v.intervalSeconds = 1;
        v.usedMemory = quint64(180 + t / 10) * 1024 * 1024;
        v.maxMemory = quint64(512) * 1024 * 1024;
        v.evictionsPerSecond = t > 400 ? 3 + 2 * rng.generateDouble() : 0;
        v.expirationsPerSecond = (t >= 300 && t < 330) ? 40 : 2 * rng.generateDouble();
        v.opsPerSecond = 900 + 200 * rng.generateDouble();
        v.keys = 20000 + quint64(t) * 3;
        v.expires = 18000 + quint64(t) * 3;
        model.addServerSample(v);
    }
}

QCustomPlot *customPlot(HitRatePlot *plot)
{
    return plot->findChild<QCustomPlot *>();
}

} // namespace

class TestHitRatePage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsAndChartFollowTheModel();
    void windowsReloadAtTheirResolution();
    void onlyOneReplotPerFrameAndPause();
    void crosshairShowsValues();
    void legendClickTogglesALine();
    void reThemesOnPaletteChange();
    void exports();
    void serverPanel();
    void screenshot();
};

void TestHitRatePage::rowsAndChartFollowTheModel()
{
    HitRateSeries model;
    HitRatePage page(&model);
    page.resize(1000, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    feedDemo(model, 700);
    QCOMPARE(page.table()->model()->rowCount(), 6);
    QCOMPARE(page.selectedRow(), 0); // the first row is picked as soon as it exists
    QCOMPARE(page.windowSeconds(), 600);
    // Live appends keep a little more than the window, never the whole history.
    const int points = page.cachePlot()->pointCount(0);
    QVERIFY2(points >= 600 && points <= 700, qPrintable(QString::number(points)));
    page.selectRow(2);
    QCOMPARE(page.cachePlot()->pointCount(0), model.points(2, 600).size());
    QCOMPARE(page.table()->currentIndex().row(), 2);
}

void TestHitRatePage::windowsReloadAtTheirResolution()
{
    HitRateSeries model;
    feedDemo(model, 900);
    HitRatePage page(&model);
    page.resize(1000, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setWindowSeconds(60);
    QCOMPARE(page.cachePlot()->bucketSeconds(), 1);
    QCOMPARE(page.cachePlot()->pointCount(0), 60);
    // 24 h: the model's 1-minute points (15 of them), averaged into the plot's display buckets.
    page.setWindowSeconds(24 * 3600);
    const auto minutes = model.points(0, 24 * 3600);
    QCOMPARE(minutes.size(), 15);
    QSet<qint64> buckets;
    for (const SeriesPoint &p : minutes)
        buckets.insert(p.t - p.t % page.cachePlot()->bucketSeconds());
    QCOMPARE(page.cachePlot()->pointCount(0), buckets.size());
    // An hour of 1 s samples is averaged to about one point per pixel column.
    page.setWindowSeconds(3600);
    const int bucket = page.cachePlot()->bucketSeconds();
    QVERIFY(bucket > 1);
    QCOMPARE(page.cachePlot()->pointCount(0), (900 + bucket - 1) / bucket + (kStart % bucket ? 1 : 0));
    // Narrower: coarser buckets, reloaded from the model.
    page.resize(500, 800);
    QVERIFY(page.cachePlot()->bucketSeconds() > bucket);
    const int narrow = page.cachePlot()->bucketSeconds();
    QVERIFY(qAbs(page.cachePlot()->pointCount(0) - 900 / narrow) <= 1);
}

void TestHitRatePage::onlyOneReplotPerFrameAndPause()
{
    HitRateSeries model;
    HitRatePage page(&model);
    page.resize(1000, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    feedDemo(model, 10);
    QTRY_VERIFY(page.cachePlot()->replotCount() > 0);
    QTest::qWait(100);
    const int before = page.cachePlot()->replotCount();
    // 200 samples arrive between two frames: one replot draws them all.
    for (qint64 t = 10; t < 210; ++t) {
        HitRateSample s;
        s.timestampMs = (kStart + t) * 1000;
        s.cache = QStringLiteral("DATA_CACHE_CONFIG");
        s.intervalSeconds = 1;
        s.hitsPerSecond = 3;
        s.missesPerSecond = 1;
        model.addHitSample(s);
    }
    QTRY_VERIFY(page.cachePlot()->replotCount() > before);
    QTest::qWait(150);
    QCOMPARE(page.cachePlot()->replotCount(), before + 1);

    page.setPaused(true);
    const int paused = page.cachePlot()->replotCount();
    HitRateSample s;
    s.timestampMs = (kStart + 300) * 1000;
    s.cache = QStringLiteral("DATA_CACHE_CONFIG");
    s.hitsPerSecond = 1;
    model.addHitSample(s);
    QTest::qWait(150);
    QCOMPARE(page.cachePlot()->replotCount(), paused);
    QCOMPARE(page.cachePlot()->pointCount(0), 211); // data still collected while paused
    page.setPaused(false);
    QTRY_VERIFY(page.cachePlot()->replotCount() > paused);
}

void TestHitRatePage::crosshairShowsValues()
{
    HitRateSeries model;
    HitRateSample s;
    s.cache = QStringLiteral("c");
    s.intervalSeconds = 1;
    for (int t = 0; t < 30; ++t) {
        s.timestampMs = (kStart + t) * 1000;
        s.hitsPerSecond = t;
        s.missesPerSecond = 10;
        s.setsPerSecond = 2;
        model.addHitSample(s);
    }
    HitRatePage page(&model);
    page.resize(900, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.cachePlot()->replotNow();
    // Programmatic: at t = 20: 20 hits, 10 misses -> 66.7 %.
    page.cachePlot()->setCrosshair(double(kStart + 20));
    QString text = page.cachePlot()->crosshairText();
    QVERIFY2(text.contains(QStringLiteral("Hit rate %: 66.7")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Hits/s: 20.0")));
    QVERIFY(text.contains(QStringLiteral("Misses/s: 10.0")));
    // And with the mouse over the plot at t = 10: 10 hits / 20 reads.
    QCustomPlot *plot = customPlot(page.cachePlot());
    const int x = int(std::lround(plot->xAxis->coordToPixel(double(kStart + 10))));
    const int y = plot->axisRect()->rect().center().y();
    QMouseEvent move(QEvent::MouseMove, QPointF(x, y), plot->mapToGlobal(QPointF(x, y)), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(plot, &move);
    text = page.cachePlot()->crosshairText();
    QVERIFY2(text.contains(QStringLiteral("Hit rate %: 50.0")), qPrintable(text));
    page.cachePlot()->hideCrosshair();
    QVERIFY(page.cachePlot()->crosshairText().isEmpty());
}

void TestHitRatePage::legendClickTogglesALine()
{
    HitRateSeries model;
    feedDemo(model, 60);
    HitRatePage page(&model);
    page.resize(900, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.cachePlot()->replotNow();
    QCustomPlot *plot = customPlot(page.cachePlot());
    QCPAbstractLegendItem *misses = plot->legend->itemWithPlottable(plot->graph(2));
    QVERIFY(misses);
    QVERIFY(page.cachePlot()->isSeriesVisible(2));
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, misses->outerRect().center());
    QVERIFY(!page.cachePlot()->isSeriesVisible(2));
    QVERIFY(!plot->graph(2)->visible());
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, misses->outerRect().center());
    QVERIFY(page.cachePlot()->isSeriesVisible(2));
}

void TestHitRatePage::reThemesOnPaletteChange()
{
    HitRateSeries model;
    feedDemo(model, 60);
    HitRatePage page(&model);
    page.resize(900, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QCustomPlot *plot = customPlot(page.cachePlot());
    QPalette light;
    light.setColor(QPalette::Window, QColor(0xf0, 0xf0, 0xf0));
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::WindowText, Qt::black);
    page.setPalette(light);
    QVERIFY(plot->axisRect()->backgroundBrush().color().lightness() > 200);
    QCOMPARE(plot->xAxis->tickLabelColor(), QColor(Qt::black));
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    page.setPalette(dark);
    QVERIFY(plot->axisRect()->backgroundBrush().color().lightness() < 60);
    QCOMPARE(plot->xAxis->tickLabelColor(), QColor(0xe0, 0xe0, 0xe0));
    // And on screen: the middle of the plot area is dark.
    page.cachePlot()->replotNow();
    const QImage image = plot->grab().toImage();
    QVERIFY(image.pixelColor(plot->axisRect()->rect().topLeft() + QPoint(5, 5)).lightness() < 60);
}

void TestHitRatePage::exports()
{
    HitRateSeries model;
    feedDemo(model, 120);
    HitRatePage page(&model);
    page.resize(900, 700);
    page.show();
    page.setWindowSeconds(60);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("c.png"));
    const QString pdf = dir.filePath(QStringLiteral("c.pdf"));
    const QString csv = dir.filePath(QStringLiteral("c.csv"));
    QVERIFY(page.exportChart(png));
    QVERIFY(page.exportChart(pdf));
    QVERIFY(page.exportChart(csv));
    QVERIFY(!page.exportChart(dir.filePath(QStringLiteral("c.gif"))));
    QVERIFY(!QImage(png).isNull());
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    QVERIFY(pdfFile.read(5) == "%PDF-");
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csvFile.readAll().trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("time,Hit rate %,Hits/s,Misses/s,Sets/s"));
    // One row per point the model holds for the window.
    const auto pts = model.points(0, 60);
    QCOMPARE(lines.size() - 1, pts.size());
    const QList<QByteArray> last = lines.last().split(',');
    QVERIFY(qAbs(last.at(1).toDouble() - double(pts.last().v[0])) < 1e-6); // written with 10 digits
}

void TestHitRatePage::serverPanel()
{
    HitRateSeries model;
    feedDemo(model, 30);
    HitRatePage page(&model);
    page.resize(1000, 800);
    page.show();
    QCOMPARE(page.server(), QStringLiteral("redis://127.0.0.1:6379/0"));
    QVERIFY2(page.memoryText().contains(QStringLiteral("of 512")), qPrintable(page.memoryText()));
    QCOMPARE(page.serverPlot()->pointCount(2), 30);
}

// Not an assertion: writes the page as an image for a person to look at, when asked to.
void TestHitRatePage::screenshot()
{
    const QString dir = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    HitRateSeries model;
    feedDemo(model, 720);
    HitRatePage page(&model);
    page.resize(1200, 900);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.cachePlot()->replotNow();
    page.serverPlot()->replotNow();
    page.cachePlot()->setCrosshair(double(kStart + 560));
    page.cachePlot()->replotNow();
    QVERIFY(page.grab().save(dir + QStringLiteral("/cachescope-hitrates.png")));
    page.setWindowSeconds(3600);
    page.cachePlot()->hideCrosshair();
    page.cachePlot()->replotNow();
    page.serverPlot()->replotNow();
    QVERIFY(page.grab().save(dir + QStringLiteral("/cachescope-hitrates-1h.png")));
    page.setWindowSeconds(600);
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
    page.setPalette(dark);
    page.cachePlot()->replotNow();
    page.serverPlot()->replotNow();
    QVERIFY(page.grab().save(dir + QStringLiteral("/cachescope-hitrates-dark.png")));
}

QTEST_MAIN(TestHitRatePage)
#include "tst_hitratepage.moc"
