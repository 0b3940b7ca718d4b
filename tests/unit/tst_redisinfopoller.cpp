#include "monitor/redisinfopoller.h"
#include "monitor/redisinforates.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace cachescope;

namespace {

// Sums rate x interval over samples: the number of events the poller saw.
struct Totals
{
    double hits = 0, misses = 0, sets = 0;
    void add(const HitRateSample &s)
    {
        hits += s.hitsPerSecond * s.intervalSeconds;
        misses += s.missesPerSecond * s.intervalSeconds;
        sets += s.setsPerSecond * s.intervalSeconds;
    }
};

} // namespace

class TestRedisInfoPoller : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ratesFollowTheTestsOwnGets();
    void restartMidPollGivesNoNegativeRate();
    void configResetStatIsACounterReset();
    void parseInfoSkipsSectionsAndCrlf();
};

void TestRedisInfoPoller::ratesFollowTheTestsOwnGets()
{
    test::RedisServer server;
    QCOMPARE(server.start(), QString());
    RedisClient client(RedisUrl::parse(server.url()).value());
    QVERIFY(client.connect());
    for (int i = 0; i < 10; ++i)
        QVERIFY(client.command({"SET", "present:" + QByteArray::number(i), "v"}));

    RedisInfoPoller poller(RedisUrl::parse(server.url()).value(), 100);
    QSignalSpy hits(&poller, &RedisInfoPoller::hitSample);
    QSignalSpy servers(&poller, &RedisInfoPoller::serverSample);
    poller.start();
    QVERIFY(hits.wait(5000)); // baseline taken and one interval seen

    // The workload after the baseline: 37 GETs of present keys, 23 of absent keys, 5 SETs.
    for (int i = 0; i < 37; ++i)
        QVERIFY(client.command({"GET", "present:" + QByteArray::number(i % 10)}));
    for (int i = 0; i < 23; ++i)
        QVERIFY(client.command({"GET", "absent:" + QByteArray::number(i)}));
    for (int i = 0; i < 5; ++i)
        QVERIFY(client.command({"SETEX", "new:" + QByteArray::number(i), "100", "v"}));

    Totals seen;
    const int firstWorkloadSample = int(hits.size());
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            Totals t;
            for (int i = firstWorkloadSample; i < hits.size(); ++i)
                t.add(hits.at(i).at(0).value<HitRateSample>());
            seen = t;
            return std::lround(t.hits) >= 37 && std::lround(t.misses) >= 23 && std::lround(t.sets) >= 5;
        }(),
        10000);
    // Two more intervals: nothing else touched the keyspace, so the totals stay exact.
    const auto more = hits.size();
    QTRY_VERIFY_WITH_TIMEOUT(hits.size() >= more + 2, 5000);
    poller.stop();
    Totals total;
    for (int i = firstWorkloadSample; i < hits.size(); ++i) {
        const auto s = hits.at(i).at(0).value<HitRateSample>();
        QCOMPARE(s.source, SampleSource::RedisInfo);
        QCOMPARE(s.exactness, Exactness::ServerWide);
        total.add(s);
    }
    QCOMPARE(std::lround(total.hits), 37L);
    QCOMPARE(std::lround(total.misses), 23L);
    QCOMPARE(std::lround(total.sets), 5L);

    QVERIFY(!servers.isEmpty());
    const auto last = servers.last().at(0).value<ServerSample>();
    QCOMPARE(last.keys, quint64(15));
    QCOMPARE(last.expires, quint64(5));
    QVERIFY(last.usedMemory > 0);
}

void TestRedisInfoPoller::restartMidPollGivesNoNegativeRate()
{
    test::RedisServer server;
    QCOMPARE(server.start(), QString());
    RedisInfoPoller poller(RedisUrl::parse(server.url()).value(), 50);
    QSignalSpy hits(&poller, &RedisInfoPoller::hitSample);
    QSignalSpy servers(&poller, &RedisInfoPoller::serverSample);
    QSignalSpy errors(&poller, &RedisInfoPoller::errorOccurred);
    poller.start();
    {
        // Large counters before the restart, so the restarted server's are smaller.
        RedisClient client(RedisUrl::parse(server.url()).value());
        QVERIFY(client.connect());
        QVERIFY(client.command({"SET", "k", "v"}));
        for (int i = 0; i < 200; ++i)
            QVERIFY(client.command({"GET", i % 2 ? QByteArray("k") : QByteArray("nope")}));
    }
    QTRY_VERIFY_WITH_TIMEOUT(hits.size() >= 3, 5000);
    QCOMPARE(server.restart(), QString());
    {
        RedisClient client(RedisUrl::parse(server.url()).value());
        QVERIFY(client.connect());
        QVERIFY(client.command({"SET", "k", "v"}));
        for (int i = 0; i < 10; ++i)
            QVERIFY(client.command({"GET", "k"}));
    }
    // Polling resumes on the new server and sees the reset.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto &args : servers)
                if (args.at(0).value<ServerSample>().counterReset)
                    return true;
            return false;
        }(),
        10000);
    const auto afterReset = hits.size();
    QTRY_VERIFY_WITH_TIMEOUT(hits.size() >= afterReset + 2, 5000);
    poller.stop();
    for (const auto &args : hits) {
        const auto s = args.at(0).value<HitRateSample>();
        QVERIFY2(s.hitsPerSecond >= 0 && s.missesPerSecond >= 0 && s.setsPerSecond >= 0,
                 qPrintable(QStringLiteral("negative rate at %1").arg(s.timestampMs)));
    }
    for (const auto &args : servers) {
        const auto s = args.at(0).value<ServerSample>();
        QVERIFY(s.evictionsPerSecond >= 0 && s.expirationsPerSecond >= 0 && s.opsPerSecond >= 0);
    }
}

void TestRedisInfoPoller::configResetStatIsACounterReset()
{
    test::RedisServer server;
    QCOMPARE(server.start(), QString());
    RedisClient client(RedisUrl::parse(server.url()).value());
    QVERIFY(client.connect());
    QVERIFY(client.command({"SET", "k", "v"}));
    RedisInfoRates rates(QStringLiteral("s"));
    auto info = [&] { return client.command({"INFO", "all"}).value().string; };
    QVERIFY(!rates.feed(info(), 1000).hits); // baseline
    for (int i = 0; i < 50; ++i)
        QVERIFY(client.command({"GET", "k"}));
    auto second = rates.feed(info(), 2000);
    QVERIFY(second.hits);
    QCOMPARE(std::lround(second.hits->hitsPerSecond), 50L);
    QVERIFY(client.command({"CONFIG", "RESETSTAT"}));
    QVERIFY(client.command({"GET", "nope"}));
    auto third = rates.feed(info(), 3000);
    QVERIFY(third.server.counterReset);
    QVERIFY(!third.hits);
    for (int i = 0; i < 4; ++i)
        QVERIFY(client.command({"GET", "nope"}));
    auto fourth = rates.feed(info(), 4000);
    QVERIFY(fourth.hits);
    QCOMPARE(std::lround(fourth.hits->missesPerSecond), 4L);
    QCOMPARE(std::lround(fourth.hits->hitsPerSecond), 0L);
}

void TestRedisInfoPoller::parseInfoSkipsSectionsAndCrlf()
{
    const auto info = RedisInfoRates::parseInfo("# Stats\r\nkeyspace_hits:12\r\n\r\nweird line\r\ndb0:keys=1,expires=0\n");
    QCOMPARE(info.size(), 2);
    QCOMPARE(info.value("keyspace_hits"), QByteArray("12"));
    QCOMPARE(info.value("db0"), QByteArray("keys=1,expires=0"));
}

QTEST_GUILESS_MAIN(TestRedisInfoPoller)
#include "tst_redisinfopoller.moc"
