#include "monitor/statsdlistener.h"

#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <cmath>

using namespace cachescope;

class TestStatsdListener : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesRealDatagramsAndCountsMalformed();
    void supersetCountersGiveTheDataCacheHitRate();
    void prefixIsConfigurable();
    void forwardsEveryDatagramUnchanged();
    void parseAddress();
    void hostileLinesAreRejected();

private:
    static void send(quint16 port, const QByteArray &datagram)
    {
        QUdpSocket out;
        QCOMPARE(out.writeDatagram(datagram, QHostAddress::LocalHost, port), qint64(datagram.size()));
    }
};

void TestStatsdListener::parsesRealDatagramsAndCountsMalformed()
{
    StatsdListener listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    QSignalSpy metrics(&listener, &StatsdListener::metricReceived);
    const QList<QByteArray> datagrams = {
        "superset.loaded_from_cache:1|c",
        "superset.sqllab.query.results_backend_read:12.5|ms|@0.25",
        "superset.active:+3|g|#env:prod,team:data,flag",
        "a:1|c\nb:2|h\n\nc:-4|g",   // three lines in one datagram, an empty line skipped
        "garbage",                 // malformed: no shape
        "x:abc|c",                 // malformed: value
        "x:1|zz",                  // malformed: type
        "x:1|c|@2",                // malformed: sample rate above 1
        "users:alice|s",
    };
    for (const QByteArray &d : datagrams)
        send(listener.localPort(), d);
    QTRY_COMPARE_WITH_TIMEOUT(listener.datagramsReceived(), quint64(datagrams.size()), 5000);
    QCOMPARE(listener.malformedLines(), quint64(4));
    QCOMPARE(listener.metricsParsed(), quint64(7));
    QCOMPARE(metrics.size(), 7);

    QHash<QByteArray, StatsdMetric> byName;
    for (const auto &args : metrics) {
        const auto m = args.at(0).value<StatsdMetric>();
        byName.insert(m.name, m);
    }
    const StatsdMetric timer = byName.value("superset.sqllab.query.results_backend_read");
    QCOMPARE(timer.type, StatsdMetric::Type::Timer);
    QCOMPARE(timer.value, 12.5);
    QCOMPARE(timer.sampleRate, 0.25);
    const StatsdMetric gauge = byName.value("superset.active");
    QCOMPARE(gauge.type, StatsdMetric::Type::Gauge);
    QVERIFY(gauge.relativeGauge);
    QCOMPARE(gauge.value, 3.0);
    QCOMPARE(gauge.tags.size(), 3);
    QCOMPARE(gauge.tags.at(0), qMakePair(QByteArray("env"), QByteArray("prod")));
    QCOMPARE(gauge.tags.at(2), qMakePair(QByteArray("flag"), QByteArray()));
    QCOMPARE(byName.value("b").type, StatsdMetric::Type::Histogram);
    QCOMPARE(byName.value("c").value, -4.0);
    QCOMPARE(byName.value("users").type, StatsdMetric::Type::Set);
}

void TestStatsdListener::supersetCountersGiveTheDataCacheHitRate()
{
    StatsdListener listener;
    listener.setIntervalMs(100);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    QSignalSpy samples(&listener, &StatsdListener::hitSample);
    // 6 hits, 2 misses without force (one sent at @0.5 counts twice), 1 forced refresh (not a miss
    // as Superset sees it: the cache was not asked), 3 sets. loading_from_cache is not a second hit.
    QList<QByteArray> datagrams;
    for (int i = 0; i < 6; ++i)
        datagrams << "superset.loading_from_cache:1|c" << "superset.loaded_from_cache:1|c";
    datagrams << "superset.loaded_from_source:1|c" << "superset.loaded_from_source_without_force:1|c|@0.5";
    datagrams << "superset.loaded_from_source:1|c";
    datagrams << "superset.set_cache_key:1|c\nsuperset.set_cache_key:1|c\nsuperset.set_cache_key:1|c|#x:y";
    datagrams << "other.loaded_from_cache:1|c"; // another app's prefix
    for (const QByteArray &d : datagrams)
        send(listener.localPort(), d);
    QTRY_COMPARE_WITH_TIMEOUT(listener.datagramsReceived(), quint64(datagrams.size()), 5000);
    const auto seenBefore = samples.size();
    QTRY_VERIFY_WITH_TIMEOUT(samples.size() > seenBefore, 5000); // the interval holding the last datagram ended
    double hits = 0, misses = 0, sets = 0;
    for (const auto &args : samples) {
        const auto s = args.at(0).value<HitRateSample>();
        QCOMPARE(s.cache, QStringLiteral("DATA_CACHE_CONFIG"));
        QCOMPARE(s.source, SampleSource::Statsd);
        QCOMPARE(s.exactness, Exactness::AsReported);
        hits += s.hitsPerSecond * s.intervalSeconds;
        misses += s.missesPerSecond * s.intervalSeconds;
        sets += s.setsPerSecond * s.intervalSeconds;
    }
    QCOMPARE(std::lround(hits), 6L);
    QCOMPARE(std::lround(misses), 2L);
    QCOMPARE(std::lround(sets), 3L);
}

void TestStatsdListener::prefixIsConfigurable()
{
    StatsdListener listener;
    listener.setPrefix("analytics");
    listener.setIntervalMs(50);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    QSignalSpy samples(&listener, &StatsdListener::hitSample);
    send(listener.localPort(), "superset.loaded_from_cache:1|c");
    send(listener.localPort(), "analytics.loaded_from_cache:5|c");
    QTRY_COMPARE_WITH_TIMEOUT(listener.datagramsReceived(), quint64(2), 5000);
    const auto seenBefore = samples.size();
    QTRY_VERIFY_WITH_TIMEOUT(samples.size() > seenBefore, 5000);
    double hits = 0;
    for (const auto &args : samples) {
        const auto s = args.at(0).value<HitRateSample>();
        hits += s.hitsPerSecond * s.intervalSeconds;
    }
    QCOMPARE(std::lround(hits), 5L);
}

void TestStatsdListener::forwardsEveryDatagramUnchanged()
{
    QUdpSocket realStatsd;
    QVERIFY(realStatsd.bind(QHostAddress::LocalHost, 0));
    StatsdListener listener;
    listener.setForward(QHostAddress::LocalHost, realStatsd.localPort());
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));

    QList<QByteArray> sent;
    for (int i = 0; i < 200; ++i)
        sent << "superset.metric_" + QByteArray::number(i) + ":" + QByteArray::number(i) + "|c";
    sent << "not a metric at all" << QByteArray("\x00\xff binary", 9) << "a:1|c\nb:2|ms\n";
    QList<QByteArray> received;
    for (const QByteArray &d : sent) {
        send(listener.localPort(), d);
        // Paced, so the loopback buffers never drop: the listener must forward each one.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                while (realStatsd.hasPendingDatagrams())
                    received << realStatsd.receiveDatagram().data();
                return received.size() == sent.indexOf(d) + 1 || received.size() >= sent.size();
            }(),
            5000);
    }
    QCOMPARE(received, sent);
    QCOMPARE(listener.datagramsForwarded(), quint64(sent.size()));
    QCOMPARE(listener.malformedLines(), quint64(2));
}

void TestStatsdListener::parseAddress()
{
    auto a = StatsdListener::parseAddress(QStringLiteral("127.0.0.1:9125"));
    QVERIFY(a);
    QCOMPARE(a->first, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(a->second, quint16(9125));
    auto b = StatsdListener::parseAddress(QStringLiteral(":8126"));
    QVERIFY(b);
    QCOMPARE(b->second, quint16(8126));
    auto c = StatsdListener::parseAddress(QStringLiteral("localhost"));
    QVERIFY(c);
    QCOMPARE(c->second, quint16(8125));
    QVERIFY(!StatsdListener::parseAddress(QStringLiteral("127.0.0.1:99999")));
    QVERIFY(!StatsdListener::parseAddress(QStringLiteral("not-an-ip:1")));
}

void TestStatsdListener::hostileLinesAreRejected()
{
    QVERIFY(!StatsdMetric::parse(":1|c"));
    QVERIFY(!StatsdMetric::parse("a:|c"));
    QVERIFY(!StatsdMetric::parse("a:1"));
    QVERIFY(!StatsdMetric::parse("a:nan|g"));
    QVERIFY(!StatsdMetric::parse("a:inf|c"));
    QVERIFY(!StatsdMetric::parse("a:1|c|@0"));
    QVERIFY(!StatsdMetric::parse("a:1|c|junk"));
    QVERIFY(StatsdMetric::parse("a:1|c|@0.1|#t"));
    const QByteArray huge(60000, 'x');
    QVERIFY(!StatsdMetric::parse(huge));
}

QTEST_GUILESS_MAIN(TestStatsdListener)
#include "tst_statsdlistener.moc"
