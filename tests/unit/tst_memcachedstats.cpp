// memcached statistics: the rates from successive `stats` / `stats detail dump` answers (pure),
// and the poller against a real memcached started with -D ':' whose per-prefix statistics the
// test turns on for itself (CacheScope never does: it is the administrator's setting).
#include "checkok.h"
#include "memcached/memcachedclient.h"
#include "memcachedserver.h"
#include "monitor/memcachedstatspoller.h"
#include "monitor/memcachedstatsrates.h"

#include <QSignalSpy>
#include <QTest>

using namespace cachescope;

namespace {

QList<std::pair<QByteArray, QByteArray>> stats(const QByteArray &pid, qint64 uptime, quint64 hits, quint64 misses, quint64 sets,
                                               quint64 evictions = 0)
{
    return {{"pid", pid},
            {"uptime", QByteArray::number(uptime)},
            {"get_hits", QByteArray::number(hits)},
            {"get_misses", QByteArray::number(misses)},
            {"cmd_get", QByteArray::number(hits + misses)},
            {"cmd_set", QByteArray::number(sets)},
            {"evictions", QByteArray::number(evictions)},
            {"bytes", "4096"},
            {"limit_maxbytes", "67108864"},
            {"curr_items", "12"}};
}

} // namespace

class TestMemcachedStats : public QObject
{
    Q_OBJECT

private slots:
    void ratesFromCounters()
    {
        MemcachedStatsRates rates(QStringLiteral("memcached://h:1"));
        rates.setSettings(true, ':');
        auto first = rates.feed(stats("7", 100, 10, 10, 5), {"PREFIX superset get 10 hit 4 set 2 del 0"}, 1000);
        QVERIFY(!first.hits);
        QCOMPARE(first.server.usedMemory, 4096u);
        QCOMPARE(first.server.maxMemory, 67108864u);
        QCOMPARE(first.server.keys, 12u);
        auto second = rates.feed(stats("7", 102, 40, 20, 15, 4),
                                 {"PREFIX superset get 30 hit 19 set 6 del 0", "PREFIX other get 1 hit 1 set 0 del 0"}, 3000);
        QVERIFY(second.hits);
        QCOMPARE(second.hits->source, SampleSource::MemcachedStats);
        QCOMPARE(second.hits->exactness, Exactness::ServerWide);
        QCOMPARE(second.hits->hitsPerSecond, 15.0);
        QCOMPARE(second.hits->missesPerSecond, 5.0);
        QCOMPARE(second.hits->setsPerSecond, 5.0);
        QCOMPARE(second.server.evictionsPerSecond, 2.0);
        QCOMPARE(second.prefixes.size(), 2);
        const auto superset = std::find_if(second.prefixes.begin(), second.prefixes.end(),
                                           [](const HitRateSample &s) { return s.cache == u"superset"; });
        QVERIFY(superset != second.prefixes.end());
        QCOMPARE(superset->exactness, Exactness::Exact);
        QCOMPARE(superset->hitsPerSecond, 7.5);   // (19 - 4) / 2 s
        QCOMPARE(superset->missesPerSecond, 2.5); // ((30 - 19) - (10 - 4)) / 2 s
        QCOMPARE(superset->setsPerSecond, 2.0);
        // A restart (new pid) gives no hit sample and zero rates, never a negative spike.
        auto restarted = rates.feed(stats("8", 1, 1, 0, 0), {}, 4000);
        QVERIFY(!restarted.hits);
        QVERIFY(restarted.server.counterReset);
        QCOMPARE(restarted.server.evictionsPerSecond, 0.0);
        auto after = rates.feed(stats("8", 2, 3, 1, 0), {}, 5000);
        QVERIFY(after.hits);
        QCOMPARE(after.hits->hitsPerSecond, 2.0);
    }

    void detailPrefixOfCacheKeyPrefixes()
    {
        QCOMPARE(MemcachedStatsRates::detailPrefixOf("superset:data:", ':'), QByteArray("superset"));
        QCOMPARE(MemcachedStatsRates::detailPrefixOf("data:", ':'), QByteArray("data"));
        QCOMPARE(MemcachedStatsRates::detailPrefixOf("superset_data_", ':'), QByteArray());
        QCOMPARE(MemcachedStatsRates::detailPrefixOf("superset_data_", '_'), QByteArray("superset"));
    }

    void pollerAgainstARealServer()
    {
        test::MemcachedServer server;
        const QString error = server.start({QStringLiteral("-D"), QStringLiteral(":")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(server.command("stats detail on\r\n"), QByteArray("OK\r\n"));
        MemcachedStatsPoller poller(server.endpoint(), {}, 200);
        QSignalSpy hits(&poller, &MemcachedStatsPoller::hitSample);
        QSignalSpy prefixes(&poller, &MemcachedStatsPoller::prefixSample);
        QSignalSpy servers(&poller, &MemcachedStatsPoller::serverSample);
        QSignalSpy settings(&poller, &MemcachedStatsPoller::detailSettings);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(!settings.isEmpty(), 10000);
        QVERIFY(settings.at(0).at(1).toBool());
        QCOMPARE(settings.at(0).at(2).value<char>(), ':');
        // Traffic: 3 hits and 1 miss under "data:", 2 misses under "thumb:".
        MemcachedClient::Options o;
        o.servers = {server.endpoint()};
        MemcachedClient client(o);
        CHECK_OK(client.store({{MemcachedLink::StoreCommand::Set, "data:a", MemcachedItem{0, "v"}, 0}}));
        bool sawData = false;
        for (int round = 0; round < 3 && !sawData; ++round) {
            prefixes.clear();
            for (int i = 0; i < 3; ++i)
                CHECK_OK(client.get({"data:a"}));
            CHECK_OK(client.get({"data:missing"}));
            CHECK_OK(client.get({"thumb:x", "thumb:y"}));
            QTRY_VERIFY_WITH_TIMEOUT(!prefixes.isEmpty(), 10000);
            for (const auto &signal : prefixes) {
                const auto s = signal.at(0).value<HitRateSample>();
                if (s.cache == u"data" && s.hitsPerSecond > 0) {
                    sawData = true;
                    QVERIFY(s.missesPerSecond > 0);
                    QVERIFY(s.hitsPerSecond > s.missesPerSecond);
                }
            }
        }
        QVERIFY(sawData);
        QTRY_VERIFY(!hits.isEmpty() && !servers.isEmpty());
        const auto s = servers.last().at(0).value<ServerSample>();
        QCOMPARE(s.server, QStringLiteral("memcached://%1").arg(server.address()));
        QCOMPARE(s.maxMemory, 64u << 20);
        QVERIFY(s.usedMemory > 0);
        poller.stop();
        QVERIFY(!poller.isRunning());
    }

    void pollerSaysWhenDetailIsOffAndWhenTheServerIsGone()
    {
        test::MemcachedServer server;
        const QString error = server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        MemcachedStatsPoller poller(server.endpoint(), {}, 100);
        QSignalSpy settings(&poller, &MemcachedStatsPoller::detailSettings);
        QSignalSpy errors(&poller, &MemcachedStatsPoller::errorOccurred);
        QSignalSpy prefixes(&poller, &MemcachedStatsPoller::prefixSample);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(!settings.isEmpty(), 10000);
        QVERIFY(!settings.at(0).at(1).toBool());
        server.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 10000);
        QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("memcached 127.0.0.1:")),
                 qPrintable(errors.at(0).at(0).toString()));
        QVERIFY(prefixes.isEmpty());
        poller.stop();
    }
};

QTEST_GUILESS_MAIN(TestMemcachedStats)
#include "tst_memcachedstats.moc"
