#include "hitrateseries.h"
#include "monitor/embeddedlayersampler.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace cachescope;

namespace {

HitRateSample sample(qint64 seconds, const QString &cache, double hits, double misses, double sets = 0,
                     SampleSource source = SampleSource::Embedded)
{
    HitRateSample s;
    s.timestampMs = seconds * 1000;
    s.cache = cache;
    s.source = source;
    s.exactness = source == SampleSource::Monitor ? Exactness::Estimated : Exactness::Exact;
    s.intervalSeconds = 1;
    s.hitsPerSecond = hits;
    s.missesPerSecond = misses;
    s.setsPerSecond = sets;
    return s;
}

} // namespace

class TestHitRateSeries : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsPerCacheAndSource();
    void ringBuffersAreBoundedRegardlessOfUptime();
    void windowsPickTheResolution();
    void outOfOrderAndSameSecond();
    void serverSeries();
    void embeddedSamplerIsExact();
};

void TestHitRateSeries::rowsPerCacheAndSource()
{
    HitRateSeries model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addHitSample(sample(100, QStringLiteral("DATA_CACHE_CONFIG"), 3, 1));
    model.addHitSample(sample(100, QStringLiteral("DATA_CACHE_CONFIG"), 1, 1, 0, SampleSource::Monitor));
    model.addHitSample(sample(101, QStringLiteral("DATA_CACHE_CONFIG"), 9, 1));
    model.addHitSample(sample(101, QStringLiteral("CACHE_CONFIG"), 0, 0));
    QCOMPARE(model.rowCount(), 3);
    const int data = model.rowOf(QStringLiteral("DATA_CACHE_CONFIG"), SampleSource::Embedded);
    QCOMPARE(model.index(data, HitRateSeries::HitRateColumn).data().toString(), QStringLiteral("90.0 %"));
    QCOMPARE(model.index(data, HitRateSeries::HitRateColumn).data(HitRateSeries::HitRateRole).toDouble(), 0.9);
    const int monitor = model.rowOf(QStringLiteral("DATA_CACHE_CONFIG"), SampleSource::Monitor);
    QCOMPARE(model.index(monitor, HitRateSeries::ExactnessColumn).data().toString(), QStringLiteral("estimated"));
    const int idle = model.rowOf(QStringLiteral("CACHE_CONFIG"), SampleSource::Embedded);
    QVERIFY(std::isnan(model.currentHitRate(idle)));
    const auto spark = model.index(data, HitRateSeries::SparklineColumn).data(HitRateSeries::SparklineRole).value<QList<double>>();
    QCOMPARE(spark, (QList<double>{75.0, 90.0}));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestHitRateSeries::ringBuffersAreBoundedRegardlessOfUptime()
{
    HitRateSeries model;
    const qint64 start = 1'700'000'000;
    model.addHitSample(sample(start, QStringLiteral("a"), 1, 1));
    const qsizetype bytesAtStart = model.memoryBytes();
    // Three days at one sample per second.
    const qint64 seconds = 3 * 24 * 3600;
    for (qint64 t = 1; t < seconds; ++t)
        model.addHitSample(sample(start + t, QStringLiteral("a"), double(t % 10), 1));
    QCOMPARE(model.memoryBytes(), bytesAtStart);
    QCOMPARE(model.finePointCount(0), qsizetype(HitRateSeries::kFineCapacity));
    QCOMPARE(model.coarsePointCount(0), qsizetype(HitRateSeries::kCoarseCapacity));
    const auto hour = model.points(0, 3600);
    QCOMPARE(hour.size(), 3600);
    QCOMPARE(hour.last().t, start + seconds - 1);
    for (qsizetype i = 1; i < hour.size(); ++i)
        QCOMPARE(hour[i].t, hour[i - 1].t + 1);
    const auto day = model.points(0, 24 * 3600);
    QVERIFY(day.size() <= HitRateSeries::kCoarseCapacity + 1);
    QVERIFY(day.size() >= HitRateSeries::kCoarseCapacity - 1);
    for (qsizetype i = 1; i < day.size(); ++i)
        QVERIFY(day[i].t > day[i - 1].t);
    // Many series from hostile input stop at the bound.
    for (int i = 0; i < 1000; ++i)
        model.addHitSample(sample(start + seconds, QStringLiteral("c%1").arg(i), 1, 0));
    QCOMPARE(model.rowCount(), HitRateSeries::kMaxSeries);
}

void TestHitRateSeries::windowsPickTheResolution()
{
    HitRateSeries model;
    const qint64 start = 6000 * 60; // a minute boundary
    for (qint64 t = 0; t < 600; ++t) // 10 minutes: hits 1/s, misses 3/s -> 25 %
        model.addHitSample(sample(start + t, QStringLiteral("a"), 1, 3, 2));
    const auto minute = model.points(0, 60);
    QCOMPARE(minute.size(), 60);
    const auto day = model.points(0, 24 * 3600);
    QCOMPARE(day.size(), 10); // 9 full minutes + the one in progress
    for (const SeriesPoint &p : day) {
        QCOMPARE(p.v[0], 25.0f);
        QCOMPARE(p.v[1], 1.0f);
        QCOMPARE(p.v[2], 3.0f);
        QCOMPARE(p.v[3], 2.0f);
        QCOMPARE(p.t % 60, 0);
    }
}

void TestHitRateSeries::outOfOrderAndSameSecond()
{
    HitRateSeries model;
    QSignalSpy added(&model, &HitRateSeries::pointAdded);
    model.addHitSample(sample(10, QStringLiteral("a"), 1, 0));
    model.addHitSample(sample(12, QStringLiteral("a"), 1, 1));
    model.addHitSample(sample(11, QStringLiteral("a"), 0, 1)); // late: dropped, plots stay in time order
    model.addHitSample(sample(12, QStringLiteral("a"), 3, 1)); // same second: replaces
    const auto pts = model.points(0, 60);
    QCOMPARE(pts.size(), 2);
    QCOMPARE(pts[1].v[0], 75.0f);
    QCOMPARE(added.size(), 3);
}

void TestHitRateSeries::serverSeries()
{
    HitRateSeries model;
    ServerSample s;
    s.server = QStringLiteral("redis://127.0.0.1:6379/0");
    s.timestampMs = 5000;
    s.intervalSeconds = 1;
    s.usedMemory = 2 * 1024 * 1024;
    s.maxMemory = 8 * 1024 * 1024;
    s.evictionsPerSecond = 4;
    s.opsPerSecond = 100;
    model.addServerSample(s);
    QCOMPARE(model.servers(), QStringList{s.server});
    QCOMPARE(model.latestServer(s.server), s);
    const auto pts = model.serverPoints(s.server, 60);
    QCOMPARE(pts.size(), 1);
    QCOMPARE(pts[0].v[0], 4.0f);
    QCOMPARE(pts[0].v[2], 100.0f);
    QCOMPARE(pts[0].v[3], 2.0f);
}

void TestHitRateSeries::embeddedSamplerIsExact()
{
    CacheCounters counters;
    EmbeddedLayerSampler sampler;
    sampler.addCache(QStringLiteral("DATA_CACHE_CONFIG"), &counters);
    sampler.sampleNow(1000);
    counters.addHits(30);
    counters.addMisses(10);
    counters.addSets(10);
    const auto samples = sampler.sampleNow(3000);
    QCOMPARE(samples.size(), 1);
    QCOMPARE(samples[0].exactness, Exactness::Exact);
    QCOMPARE(samples[0].hitsPerSecond, 15.0);
    QCOMPARE(samples[0].missesPerSecond, 5.0);
    QCOMPARE(samples[0].setsPerSecond, 5.0);
    QCOMPARE(samples[0].hitRate(), 0.75);

    // And on its own timer.
    QSignalSpy spy(&sampler, &EmbeddedLayerSampler::hitSample);
    sampler.setIntervalMs(20);
    sampler.start();
    counters.addHits(1);
    QVERIFY(spy.wait(2000));
    sampler.stop();
}

QTEST_GUILESS_MAIN(TestHitRateSeries)
#include "tst_hitrateseries.moc"
