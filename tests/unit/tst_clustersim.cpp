// The capacity planner's Redis Cluster: masters that each evict on their own, and the trace header
// and command line that carry how many there are.

#include "capacity/clustersim.h"
#include "capacity/redismemory.h"
#include "capacity/redissim.h"
#include "capacity/tracerecord.h"

#include <QTest>

using namespace cachescope;

namespace {

SimOp setOp(quint64 key, qint64 timeMs, quint32 valueSize = 200)
{
    SimOp op;
    op.timeMs = timeMs;
    op.key = key;
    op.keySize = 20;
    op.valueSize = valueSize;
    op.kind = SimKind::Set;
    return op;
}

SimOp readOp(quint64 key, qint64 timeMs, quint32 valueSize = 200)
{
    SimOp op = setOp(key, timeMs, valueSize);
    op.kind = SimKind::Read;
    return op;
}

// The first `n` keys (from `from` on) that live on master `master` of `masters`.
std::vector<quint64> keysOn(int master, int masters, int n, quint64 from = 1)
{
    std::vector<quint64> out;
    for (quint64 k = from; int(out.size()) < n; ++k)
        if (ClusterSim::masterOf(k, masters) == master)
            out.push_back(k);
    return out;
}

} // namespace

class TestClusterSim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneMasterIsOneServer()
    {
        // masters = 1 (and any non-Redis policy) is the plain simulator, replaying alike.
        auto one = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, 200000, 7, 1);
        QVERIFY(dynamic_cast<RedisSim *>(one.get()));
        QVERIFY(!dynamic_cast<ClusterSim *>(CacheSim::create(CachePolicy::Lru, SizeUnit::Keys, 100, 1, 3).get()));
        auto three = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, 200000, 7, 3);
        auto *cluster = dynamic_cast<ClusterSim *>(three.get());
        QVERIFY(cluster);
        QCOMPARE(cluster->masters(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(cluster->master(i).capacity(), quint64(200000 / 3));
    }

    void keysSpreadOverEveryMaster()
    {
        constexpr int kMasters = 3, kKeys = 30000;
        std::array<int, kMasters> count{};
        for (quint64 k = 0; k < kKeys; ++k)
            ++count[size_t(ClusterSim::masterOf(k, kMasters))];
        for (int c : count)
            QVERIFY2(c > kKeys / kMasters * 9 / 10 && c < kKeys / kMasters * 11 / 10, qPrintable(QString::number(c)));
        // Sequential ids (oracleGeneral traces) too: the hash is mixed, not the id's low bits.
        QCOMPARE(ClusterSim::masterOf(12345, 1), 0);
    }

    void aFullMasterEvictsWhileOthersHaveRoom()
    {
        // 60 keys of ~300 Redis bytes, all on master 0: the cluster's total (3 x 8 KiB) would hold
        // them, one master's third does not. One server of the same total evicts nothing.
        const quint64 capacity = 3 * 8192;
        auto cluster = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, capacity, 1, 3);
        auto single = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, capacity, 1, 1);
        qint64 t = 1000;
        for (quint64 k : keysOn(0, 3, 60)) {
            cluster->apply(setOp(k, t));
            single->apply(setOp(k, t));
            t += 10;
        }
        QCOMPARE(single->stats().evictions, quint64(0));
        QVERIFY(cluster->stats().evictions > 0);
        auto *c = dynamic_cast<ClusterSim *>(cluster.get());
        // Redis evicts before each command: the last write may stand over the limit until the next.
        QVERIFY(c->master(0).used() <= capacity / 3 + redismemory::entryBytes(20, 200, false));
        QCOMPARE(c->master(1).entries(), 0);
        QCOMPARE(c->master(2).entries(), 0);
        QCOMPARE(cluster->stats().evictions, c->master(0).stats().evictions);
        QCOMPARE(cluster->entries(), c->master(0).entries());
    }

    void statsAreTheMastersSummed()
    {
        auto sim = CacheSim::create(CachePolicy::RedisAllKeysLfu, SizeUnit::RedisBytes, 3 * 20000, 5, 3);
        auto *c = dynamic_cast<ClusterSim *>(sim.get());
        QVERIFY(c);
        qint64 t = 0;
        quint64 hits = 0;
        for (int round = 0; round < 4; ++round)
            for (quint64 k = 0; k < 400; ++k)
                hits += sim->apply(readOp(k, t += 3));
        quint64 reads = 0, masterHits = 0, evictions = 0, insertions = 0, used = 0;
        for (int i = 0; i < c->masters(); ++i) {
            reads += c->master(i).stats().reads;
            masterHits += c->master(i).stats().hits;
            evictions += c->master(i).stats().evictions;
            insertions += c->master(i).stats().insertions;
            used += c->master(i).used();
            QVERIFY(c->master(i).stats().reads > 0);
        }
        QCOMPARE(sim->stats().reads, quint64(1600));
        QCOMPARE(reads, quint64(1600));
        QCOMPARE(sim->stats().hits, hits);
        QCOMPARE(sim->stats().hits, masterHits);
        QCOMPARE(sim->stats().evictions, evictions);
        QCOMPARE(sim->stats().insertions, insertions);
        QVERIFY(sim->stats().evictions > 0); // 400 keys of ~300 bytes do not fit in 60 kB
        QCOMPARE(sim->used(), used);
    }

    void everyMasterHasItsOwnTables()
    {
        // No eviction: the same keys cost N masters their own dict bucket arrays, each grown to
        // a power of two for its share (redis › src/dict.c _dictExpandIfNeeded).
        constexpr int kKeys = 3000;
        auto cluster = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, quint64(1) << 40, 1, 3);
        auto single = CacheSim::create(CachePolicy::RedisAllKeysLru, SizeUnit::RedisBytes, quint64(1) << 40, 1, 1);
        for (quint64 k = 0; k < kKeys; ++k) {
            cluster->apply(setOp(k, qint64(k)));
            single->apply(setOp(k, qint64(k)));
        }
        auto *c = dynamic_cast<ClusterSim *>(cluster.get());
        quint64 tables = 0;
        for (int i = 0; i < 3; ++i)
            tables += redismemory::tableBytes(quint64(c->master(i).entries()));
        const quint64 data = single->used() - redismemory::tableBytes(kKeys);
        QCOMPARE(cluster->used(), data + tables);
        QVERIFY(tables != redismemory::tableBytes(kKeys));
    }

    void headerCarriesTheMasters()
    {
        TraceHeader h;
        h.source = QStringLiteral("monitor");
        TraceCacheInfo cluster{QStringLiteral("CACHE_CONFIG"), QStringLiteral("RedisCache"), 300, 0, 3 << 20, QStringLiteral("allkeys-lru")};
        cluster.masters = 3;
        TraceCacheInfo single{QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("RedisCache"), 300, 0, 1 << 20, {}};
        h.caches = {cluster, single};
        const QByteArray json = traceHeaderToJson(h);
        QCOMPARE(json.count("\"masters\""), 1); // one server: no member, as traces before clusters
        auto back = traceHeaderFromJson(json, QStringLiteral("t.cstrace"));
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(*back, h);

        for (const char *bad : {"0", "-3", "2.5", "16385", "1e300", "\"3\""}) {
            QByteArray hostile = json;
            hostile.replace(QByteArray("\"masters\":3"), QByteArray(QByteArray("\"masters\":") + bad));
            auto r = traceHeaderFromJson(hostile, QStringLiteral("t.cstrace"));
            QVERIFY2(!r, bad);
            QVERIFY2(r.error().contains(QStringLiteral("t.cstrace")) && r.error().contains(QStringLiteral("CACHE_CONFIG"))
                         && r.error().contains(QStringLiteral("masters")),
                     qPrintable(r.error()));
        }
    }
};

QTEST_GUILESS_MAIN(TestClusterSim)
#include "tst_clustersim.moc"
