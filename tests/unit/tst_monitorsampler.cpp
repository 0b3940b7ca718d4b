#include "monitor/monitorestimator.h"
#include "monitor/monitorline.h"
#include "monitor/monitorsampler.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace cachescope;

class TestMonitorSampler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesEscapedLines();
    void rejectsBrokenLines();
    void longestPrefixWins();
    void estimatorOnScriptedWorkloadWithinTwoPoints();
    void readsWithoutWriteWithinWindowAreHits();
    void pendingReadsAreBounded();
};

void TestMonitorSampler::parsesEscapedLines()
{
    auto line = MonitorLine::parse("1700000000.123456 [3 127.0.0.1:50000] \"SET\" \"a \\\"quoted\\\" key\" \"\\x00\\xffbin\\\\\\r\\n\"");
    QVERIFY2(line, qPrintable(line ? QString() : line.error()));
    QCOMPARE(line->db, 3);
    QCOMPARE(line->client, QByteArray("127.0.0.1:50000"));
    QCOMPARE(line->args.size(), 3);
    QCOMPARE(line->args.at(1), QByteArray("a \"quoted\" key"));
    QCOMPARE(line->args.at(2), QByteArray("\x00\xff" "bin\\\r\n", 8));
    QVERIFY(qAbs(line->timestamp - 1700000000.123456) < 1e-6);
    auto lua = MonitorLine::parse("1.5 [0 lua] \"get\" \"k\"");
    QVERIFY(lua);
    QCOMPARE(lua->client, QByteArray("lua"));
}

void TestMonitorSampler::rejectsBrokenLines()
{
    QVERIFY(!MonitorLine::parse("OK"));
    QVERIFY(!MonitorLine::parse("1.0 [0 c] \"unterminated"));
    QVERIFY(!MonitorLine::parse("1.0 [0 c] unquoted"));
    QVERIFY(!MonitorLine::parse("1.0 [0 c] \"\\x4\""));
    QVERIFY(!MonitorLine::parse("x [0 c] \"GET\""));
    QVERIFY(!MonitorLine::parse("1.0 [0 c] "));
}

void TestMonitorSampler::longestPrefixWins()
{
    MonitorEstimator e;
    e.addPrefix("superset_", QStringLiteral("CACHE_CONFIG"));
    e.addPrefix("superset_data_", QStringLiteral("DATA_CACHE_CONFIG"));
    e.addPrefix("s", QStringLiteral("S"));
    QCOMPARE(e.cacheForKey("superset_data_abc"), QStringLiteral("DATA_CACHE_CONFIG"));
    QCOMPARE(e.cacheForKey("superset_abc"), QStringLiteral("CACHE_CONFIG"));
    QCOMPARE(e.cacheForKey("sx"), QStringLiteral("S"));
    QCOMPARE(e.cacheForKey("other"), QString());
}

// A real server, real MONITOR: three caches with known hits and misses, cachelib's access pattern
// (GET; on a miss SETEX), shuffled together, plus MGET and DEL traffic.
void TestMonitorSampler::estimatorOnScriptedWorkloadWithinTwoPoints()
{
    test::RedisServer server;
    QCOMPARE(server.start(), QString());
    const RedisUrl url = RedisUrl::parse(server.url()).value();
    RedisClient client(url);
    QVERIFY(client.connect());

    struct Script
    {
        QByteArray prefix;
        QString cache;
        int hits;
        int misses;
    };
    const QList<Script> scripts = {
        {"superset_", QStringLiteral("CACHE_CONFIG"), 150, 50},            // 75 %
        {"superset_data_", QStringLiteral("DATA_CACHE_CONFIG"), 90, 210},  // 30 %
        {"thumb_", QStringLiteral("THUMBNAIL_CACHE_CONFIG"), 100, 0},      // 100 %
    };
    // Present keys for the hits exist before MONITOR starts.
    for (const Script &s : scripts)
        for (int i = 0; i < 20; ++i)
            QVERIFY(client.command({"SET", s.prefix + "hot" + QByteArray::number(i), "v"}));

    MonitorSampler sampler(url);
    for (const Script &s : scripts)
        sampler.addPrefix(s.prefix, s.cache);
    sampler.addPrefix("marker_", QStringLiteral("marker"));
    sampler.setIntervalMs(50);
    QSignalSpy samples(&sampler, &MonitorSampler::hitSample);
    QSignalSpy finished(&sampler, &MonitorSampler::finished);
    QSignalSpy errors(&sampler, &MonitorSampler::errorOccurred);
    sampler.start(60);
    QTRY_VERIFY_WITH_TIMEOUT(sampler.isMonitoring(), 5000);

    struct Op
    {
        int script;
        bool hit;
        int n;
    };
    QList<Op> ops;
    for (int s = 0; s < scripts.size(); ++s) {
        for (int i = 0; i < scripts[s].hits; ++i)
            ops.append({s, true, i});
        for (int i = 0; i < scripts[s].misses; ++i)
            ops.append({s, false, i});
    }
    QRandomGenerator rng(42);
    std::shuffle(ops.begin(), ops.end(), rng);
    for (const Op &op : ops) {
        const Script &s = scripts[op.script];
        if (op.hit) {
            QVERIFY(client.command({"GET", s.prefix + "hot" + QByteArray::number(op.n % 20)}));
        } else {
            const QByteArray key = s.prefix + "cold" + QByteArray::number(op.n);
            auto r = client.command({"GET", key});
            QVERIFY(r && r->isNil());
            QVERIFY(client.command({"SETEX", key, "300", "v"}));
        }
    }
    // MGET of present keys: hits; DEL traffic is counted as deletes, not reads.
    QVERIFY(client.command({"MGET", "thumb_hot1", "thumb_hot2"}));
    QVERIFY(client.command({"DEL", "superset_data_cold0"}));
    QVERIFY(client.command({"GET", "marker_end"}));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto &args : samples)
                if (args.at(0).value<HitRateSample>().cache == u"marker")
                    return true;
            return false;
        }(),
        10000);
    sampler.stop();
    QCOMPARE(errors.size(), 0);
    QCOMPARE(finished.size(), 1);
    const auto totals = finished.at(0).at(0).value<QHash<QString, MonitorEstimator::Totals>>();
    for (const Script &s : scripts) {
        const auto t = totals.value(s.cache);
        const int extraHits = s.cache == u"THUMBNAIL_CACHE_CONFIG" ? 2 : 0;
        const double expected = double(s.hits + extraHits) / double(s.hits + extraHits + s.misses);
        QVERIFY2(qAbs(t.hitRate() - expected) <= 0.02,
                 qPrintable(QStringLiteral("%1: estimated %2, true %3").arg(s.cache).arg(t.hitRate()).arg(expected)));
        QCOMPARE(t.reads, quint64(s.hits + extraHits + s.misses));
        QCOMPARE(t.writes, quint64(s.misses));
    }
    QCOMPARE(totals.value(QStringLiteral("DATA_CACHE_CONFIG")).deletes, quint64(1));

    // The per-interval samples add up to the same reads and writes.
    QHash<QString, double> reads, writes;
    for (const auto &args : samples) {
        const auto s = args.at(0).value<HitRateSample>();
        QCOMPARE(s.exactness, Exactness::Estimated);
        reads[s.cache] += (s.hitsPerSecond + s.missesPerSecond) * s.intervalSeconds;
        writes[s.cache] += s.setsPerSecond * s.intervalSeconds;
    }
    QCOMPARE(std::lround(reads.value(QStringLiteral("CACHE_CONFIG"))), 200L);
    QCOMPARE(std::lround(writes.value(QStringLiteral("DATA_CACHE_CONFIG"))), 210L);
}

void TestMonitorSampler::readsWithoutWriteWithinWindowAreHits()
{
    MonitorEstimator e(2.0);
    e.addPrefix("k", QStringLiteral("K"));
    auto feed = [&](double t, QList<QByteArray> args) {
        MonitorLine l;
        l.timestamp = t;
        l.args = std::move(args);
        e.feed(l);
    };
    feed(10.0, {"GET", "k1"});
    feed(10.1, {"SET", "k1", "v"}); // miss
    feed(11.0, {"GET", "k1"});      // hit: the next write comes after the window
    feed(20.0, {"SET", "k1", "v"});
    feed(21.0, {"GET", "k2"});
    feed(21.0, {"GET", "k2"});      // two concurrent misses of one key, one write fills both
    feed(21.5, {"set", "k2", "v"});
    const auto totals = e.finish().value(QStringLiteral("K"));
    QCOMPARE(totals.reads, quint64(4));
    QCOMPARE(totals.misses, quint64(3));
    QCOMPARE(totals.hits, quint64(1));
}

void TestMonitorSampler::pendingReadsAreBounded()
{
    MonitorEstimator e(1e9, 1000);
    e.addPrefix("", QStringLiteral("all"));
    for (int i = 0; i < 100000; ++i) {
        MonitorLine l;
        l.timestamp = 1.0;
        l.args = {"GET", "key" + QByteArray::number(i)};
        e.feed(l);
    }
    const auto t = e.totals().value(QStringLiteral("all"));
    QCOMPARE(t.reads, quint64(100000));
    QCOMPARE(t.hits, quint64(100000 - 1000)); // forced early verdicts beyond the bound
}

QTEST_GUILESS_MAIN(TestMonitorSampler)
#include "tst_monitorsampler.moc"
