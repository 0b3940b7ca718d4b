#include "cache/cache.h"
#include "cache/cachemanager.h"
#include "hitratefeed.h"
#include "hitrateseries.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <cmath>

using namespace cachescope;

class tst_HitRateFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldSampleTheEmbeddedLayerAndFollowAReplacedCache()
    {
        CacheSpec spec;
        spec.purpose = CachePurpose::Data;
        spec.backend = BackendType::Simple;
        auto manager = CacheManager::create({spec});
        QVERIFY(manager);
        HitRateSeries series;
        QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
        HitRateFeed feed(&series);
        feed.setCacheManager(manager->get());
        const QString data = purposeConfigName(CachePurpose::Data);

        // Given only misses, the exact row shows 0 %
        auto cache = (*manager)->cache(CachePurpose::Data);
        QVERIFY(cache->get("absent"));
        QTRY_VERIFY_WITH_TIMEOUT(series.rowOf(data, SampleSource::Embedded) >= 0
                                     && !std::isnan(series.currentHitRate(series.rowOf(data, SampleSource::Embedded))),
                                 10000);
        const int row = series.rowOf(data, SampleSource::Embedded);
        QCOMPARE(series.currentHitRate(row), 0.0);

        // When the cache is replaced (the demo's threshold knob) and the new one only hits,
        // then the rate follows the new cache's counters
        spec.threshold = 10;
        QVERIFY((*manager)->setCache(spec));
        cache.reset();
        auto replaced = (*manager)->cache(CachePurpose::Data);
        QVERIFY(replaced->set("k", PyValue::integer(1)));
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            (void)replaced->get("k"); // keep hitting until a sample of the new counters arrives
            return series.currentHitRate(row) == 1.0;
        }(), 15000);
        feed.setCacheManager(nullptr);
    }

    void shouldPollARedisPurposesServerAndKeepAnAdHocServer()
    {
        test::RedisServer server;
        const QString started = server.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        CacheSpec spec;
        spec.purpose = CachePurpose::Data;
        spec.backend = BackendType::Redis;
        spec.redisUrl = server.url(3); // another database of the same server
        spec.keyPrefix = "superset_data_";
        auto manager = CacheManager::create({spec});
        QVERIFY2(manager, qPrintable(manager ? QString() : manager.error()));
        HitRateSeries series;
        HitRateFeed feed(&series);
        QSignalSpy figures(&feed, &HitRateFeed::serverFigures);
        feed.setCacheManager(manager->get());
        auto url = RedisUrl::parse(server.url());
        QVERIFY(url);
        // One poller per server, whatever the database
        QCOMPARE(feed.servers(), QStringList{HitRateFeed::serverKey(*url)});
        QTRY_VERIFY_WITH_TIMEOUT(!figures.isEmpty(), 15000);
        QCOMPARE(figures.first().at(0).value<CachePurpose>(), CachePurpose::Data);
        QVERIFY(figures.first().at(1).toULongLong() > 0); // used_memory

        // An ad-hoc server stays polled when the manager changes; the config's one goes
        test::RedisServer other;
        QVERIFY(other.start().isEmpty());
        auto otherUrl = RedisUrl::parse(other.url());
        feed.addRedisServer(*otherUrl);
        feed.setCacheManager(nullptr);
        QCOMPARE(feed.servers(), QStringList{HitRateFeed::serverKey(*otherUrl)});
    }

    void shouldEstimatePerCacheRatesWithMonitorOnlyWhenAsked()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        CacheSpec spec;
        spec.purpose = CachePurpose::Data;
        spec.backend = BackendType::Redis;
        spec.redisUrl = server.url();
        spec.keyPrefix = "superset_data_";
        auto manager = CacheManager::create({spec});
        QVERIFY(manager);
        HitRateSeries series;
        HitRateFeed feed(&series);
        const QString data = purposeConfigName(CachePurpose::Data);
        QVERIFY(!feed.startMonitor(5).hasValue()); // no server polled yet: refused with a reason

        feed.setCacheManager(manager->get());
        QVERIFY(!feed.isMonitoring()); // never started by itself
        auto sampled = feed.startMonitor(30);
        QVERIFY2(sampled.hasValue(), qPrintable(sampled.error()));
        QCOMPARE(*sampled, 1);
        QTRY_VERIFY_WITH_TIMEOUT(server.command({"CLIENT", "LIST"}).contains("cmd=monitor"), 10000);
        // Given hits and misses under the Data prefix, the feed shows an estimated MONITOR row
        server.command({"SET", "superset_data_a", "x"});
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            server.command({"GET", "superset_data_a"});
            server.command({"GET", "superset_data_missing"});
            const int row = series.rowOf(data, SampleSource::Monitor);
            return row >= 0 && !std::isnan(series.currentHitRate(row));
        }(), 15000);
        feed.stopMonitor();
        QVERIFY(!feed.isMonitoring());
        QTRY_VERIFY_WITH_TIMEOUT(!server.command({"CLIENT", "LIST"}).contains("cmd=monitor"), 10000);
        feed.setCacheManager(nullptr);
    }

    void shouldTurnSupersetStatsdCountersIntoTheDataCacheRate()
    {
        HitRateSeries series;
        HitRateFeed feed(&series);
        const quint16 port = test::freeLoopbackPort();
        auto started = feed.startStatsd(QStringLiteral("127.0.0.1:%1").arg(port), "superset", {});
        QVERIFY2(started.hasValue(), qPrintable(started.error()));
        QVERIFY(feed.isListeningForStatsd());
        QUdpSocket sender;
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            sender.writeDatagram("superset.loaded_from_cache:3|c\nsuperset.loaded_from_source_without_force:1|c",
                                 QHostAddress::LocalHost, port);
            for (int row = 0; row < series.rowCount(); ++row)
                if (series.sourceAt(row) == SampleSource::Statsd && series.currentHitRate(row) == 0.75)
                    return true;
            return false;
        }(), 15000);
        feed.stopStatsd();
        QVERIFY(!feed.isListeningForStatsd());
    }
};

QTEST_GUILESS_MAIN(tst_HitRateFeed)
#include "tst_hitratefeed.moc"
