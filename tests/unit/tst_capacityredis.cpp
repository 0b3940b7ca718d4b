// The capacity planner's Redis model against a real redis-server: the per-key memory model
// equals MEMORY USAGE and predicts used_memory; each simulated eviction policy (allkeys-lru,
// allkeys-lfu, volatile-lru with TTLs) replayed on a server with that maxmemory and
// maxmemory-policy gives the server's hit ratio within 0.03 at three sizes; and a 3-master
// cluster, each master evicting on its own, is predicted as closely.

#include "capacity/cachesim.h"
#include "capacity/redismemory.h"
#include "capacity/replay.h"

#include "demo/zipfsampler.h"
#include "redis/redisclient.h"
#include "redis/rediscluster.h"

#include "redisclusterset.h"
#include "redisserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <functional>
#include <memory>
#include <random>

using namespace cachescope;

namespace {

// A get that misses is filled at once (demand fill): one script call per request keeps a
// pipeline of requests in one round trip while each fill still follows its own miss.
const char kGetOrFill[] = "local v = redis.call('GET', KEYS[1]) "
                          "if v then return 1 end "
                          "local ttl = tonumber(ARGV[2]) "
                          "if ttl > 0 then redis.call('SET', KEYS[1], string.rep('x', tonumber(ARGV[1])), 'EX', ttl) "
                          "else redis.call('SET', KEYS[1], string.rep('x', tonumber(ARGV[1]))) end "
                          "return 0";

qint64 infoField(RedisClient &client, const QByteArray &section, const QByteArray &field)
{
    auto r = client.command({"INFO", section});
    if (!r)
        return -1;
    for (const QByteArray &line : r->string.split('\n'))
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().toLongLong();
    return -1;
}

struct Request
{
    int key;
    quint32 size;
    qint32 ttl;
};

std::vector<Request> zipfRequests(int n, int keys, double skew, bool ttl, quint32 seed)
{
    std::mt19937 rng(seed);
    ZipfSampler zipf(keys, skew);
    std::vector<Request> out;
    for (int i = 0; i < n; ++i) {
        const int k = zipf.sample(rng);
        // Sizes 100..1100 bytes, fixed per key; TTLs 1..4 s, fixed per key.
        out.push_back({k, 100 + quint32((k * 7919) % 1000), ttl ? 1 + (k % 4) : 0});
    }
    return out;
}

QByteArray keyName(int k)
{
    return "superset_data_" + QByteArray::number(k);
}

struct ReplayOutcome
{
    double hitRatio = 0;
    TraceRecords trace; // the requests as the simulator replays them, timed as they were sent
};

// Replays the requests in pipelined batches paced to `perSecond`, recording when each batch was
// sent. Each request goes to clients[owner(key)]: one server, or the master of the key's slot.
Expected<ReplayOutcome> replayOnServers(const std::vector<RedisClient *> &clients, const std::function<int(int)> &owner,
                                        const QByteArray &sha, const std::vector<Request> &requests, int perSecond)
{
    constexpr int kBatch = 100;
    ReplayOutcome outcome;
    quint64 hits = 0;
    QElapsedTimer clock;
    clock.start();
    const qint64 epoch = QDateTime::currentMSecsSinceEpoch();
    for (size_t at = 0; at < requests.size(); at += kBatch) {
        const qint64 due = qint64(double(at) * 1000.0 / perSecond);
        if (clock.elapsed() < due)
            QThread::msleep(quint64(due - clock.elapsed()));
        const qint64 now = epoch + clock.elapsed();
        std::vector<QByteArray> request(clients.size());
        std::vector<qsizetype> count(clients.size(), 0);
        const size_t end = qMin(requests.size(), at + kBatch);
        for (size_t i = at; i < end; ++i) {
            const Request &r = requests[i];
            const size_t to = size_t(owner(r.key));
            RedisClient::appendArrayHeader(request[to], 6);
            RedisClient::appendBulk(request[to], {"EVALSHA"});
            RedisClient::appendBulk(request[to], {sha});
            RedisClient::appendBulk(request[to], {"1"});
            RedisClient::appendBulk(request[to], {keyName(r.key)});
            RedisClient::appendBulk(request[to], {QByteArray::number(r.size)});
            RedisClient::appendBulk(request[to], {QByteArray::number(r.ttl)});
            ++count[to];
            TraceRecord t;
            t.timeMs = now;
            t.key = quint64(r.key);
            t.keySize = quint32(keyName(r.key).size());
            t.valueSize = r.size;
            t.op = TraceOp::Get;
            outcome.trace.push_back(t);
        }
        for (size_t c = 0; c < clients.size(); ++c) {
            if (!count[c])
                continue;
            auto replies = clients[c]->pipelineEncoded(request[c], count[c], false);
            if (!replies)
                return Error{replies.error()};
            for (const RedisReply &reply : *replies) {
                if (reply.isError())
                    return makeError(QStringLiteral("server: %1").arg(QString::fromUtf8(reply.string)));
                hits += reply.integer == 1;
            }
        }
    }
    outcome.hitRatio = double(hits) / double(requests.size());
    return outcome;
}

Expected<ReplayOutcome> replayOnServer(RedisClient &client, const QByteArray &sha, const std::vector<Request> &requests,
                                       int perSecond)
{
    return replayOnServers({&client}, [](int) { return 0; }, sha, requests, perSecond);
}

double simulate(CachePolicy policy, quint64 budget, const TraceRecords &trace, const std::vector<Request> &requests,
                quint64 seed, int masters = 1)
{
    auto sim = CacheSim::create(policy, SizeUnit::RedisBytes, budget, seed, masters);
    // The fill TTL of each key is its own (the script's argument), as a set before it would give.
    for (size_t i = 0; i < trace.size(); ++i) {
        SimOp op;
        op.timeMs = trace[i].timeMs;
        op.key = trace[i].key;
        op.keySize = trace[i].keySize;
        op.valueSize = trace[i].valueSize;
        op.ttl = requests[i].ttl;
        op.kind = SimKind::Read;
        sim->apply(op);
    }
    return sim->stats().hitRatio();
}

} // namespace

class TestCapacityRedis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void memoryUsageMatchesModel()
    {
        test::RedisServer server;
        const QString error = server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        RedisClient client(server.redisUrl());
        QVERIFY(client.connect());
        int checked = 0;
        for (int keySize : {5, 20, 31, 32, 40, 100, 255, 256, 300}) {
            for (int valueSize : {10, 44, 45, 100, 1000, 5000, 40000, 70000}) {
                const QByteArray key = QByteArray(keySize - 1, 'k') + char('a' + checked % 26);
                auto set = client.command({"SET", key, QByteArray(valueSize, 'v')});
                QVERIFY(set && !set->isError());
                auto usage = client.command({"MEMORY", "USAGE", key, "SAMPLES", "0"});
                QVERIFY(usage && !usage->isError());
                QVERIFY2(quint64(usage->integer) == redismemory::memoryUsageReport(quint64(key.size()), quint64(valueSize)),
                         qPrintable(QStringLiteral("key %1 B, value %2 B: MEMORY USAGE %3, model %4")
                                        .arg(key.size())
                                        .arg(valueSize)
                                        .arg(usage->integer)
                                        .arg(redismemory::memoryUsageReport(quint64(key.size()), quint64(valueSize)))));
                QVERIFY(client.command({"DEL", key}));
                ++checked;
            }
        }
        QCOMPARE(checked, 72);

        // used_memory grows by the model's bytes: 3000 keys with TTLs, then their dict tables. On a
        // fresh server, so no client buffer of the big values above is freed in between.
        test::RedisServer fresh;
        QVERIFY(fresh.start().isEmpty());
        RedisClient second(fresh.redisUrl());
        QVERIFY(second.connect());
        measureGrowth(second);
    }

private:
    void measureGrowth(RedisClient &client)
    {
        QVERIFY(client.command({"SET", "warm", "x", "EX", "1000"})); // the dicts exist from here
        QVERIFY(client.command({"DEL", "warm"}));
        const qint64 before = infoField(client, "memory", "used_memory");
        quint64 expected = 0;
        QList<QList<QByteArray>> batch;
        for (int i = 0; i < 3000; ++i) {
            const QByteArray key = "superset_data_" + QByteArray::number(i);
            const int valueSize = 100 + (i * 37) % 900;
            batch.append({"SET", key, QByteArray(valueSize, 'v'), "EX", "1000"});
            expected += redismemory::entryBytes(quint64(key.size()), quint64(valueSize), true);
        }
        QVERIFY(client.pipeline(batch));
        QTest::qWait(1500); // incremental rehashing ends (serverCron), leaving one table per dict
        expected += redismemory::tableBytes(3000) * 2 - redismemory::tableBytes(1) * 2;
        const qint64 after = infoField(client, "memory", "used_memory");
        const double ratio = double(after - before) / double(expected);
        qInfo("3000 keys: used_memory grew by %lld, the model says %llu (ratio %.4f)", after - before,
              static_cast<unsigned long long>(expected), ratio);
        QVERIFY2(ratio > 0.99 && ratio < 1.01, qPrintable(QString::number(ratio)));
    }

private Q_SLOTS:
    void policiesMatchRedis_data()
    {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<bool>("ttl");
        QTest::newRow("allkeys-lru") << QStringLiteral("allkeys-lru") << false;
        QTest::newRow("allkeys-lfu") << QStringLiteral("allkeys-lfu") << false;
        QTest::newRow("volatile-lru, TTLs") << QStringLiteral("volatile-lru") << true;
        QTest::newRow("allkeys-lru, TTLs") << QStringLiteral("allkeys-lru") << true;
    }

    void policiesMatchRedis()
    {
        QFETCH(QString, policy);
        QFETCH(bool, ttl);
        const auto simPolicy = policyFromName(policy);
        QVERIFY(simPolicy);
        constexpr int kKeys = 6000;
        const std::vector<Request> requests = zipfRequests(60000, kKeys, 0.9, ttl, 7);
        // The working set: every key once, in Redis's bytes.
        quint64 workingSet = redismemory::tableBytes(kKeys) * (ttl ? 2 : 1);
        for (int k = 0; k < kKeys; ++k)
            workingSet += redismemory::entryBytes(quint64(keyName(k).size()), 100 + quint64((k * 7919) % 1000), ttl);
        for (double fraction : {0.1, 0.3, 0.6}) {
            const quint64 budget = quint64(double(workingSet) * fraction);
            test::RedisServer server;
            const QString error = server.start({QStringLiteral("--maxmemory-policy"), policy});
            QVERIFY2(error.isEmpty(), qPrintable(error));
            RedisClient client(server.redisUrl());
            QVERIFY(client.connect());
            auto loaded = client.command({"SCRIPT", "LOAD", kGetOrFill});
            QVERIFY(loaded && !loaded->isError());
            const QByteArray sha = loaded->string;
            // Everything that is not the data (the script, this client, the empty dicts) is the
            // baseline: maxmemory = baseline + the budget the simulation gets.
            QVERIFY(replayOnServer(client, sha, {{-1, 100, 5}}, 1000));
            QVERIFY(client.command({"DEL", keyName(-1)}));
            const qint64 baseline = infoField(client, "memory", "used_memory");
            QVERIFY(baseline > 0);
            QVERIFY(client.command({"CONFIG", "SET", "maxmemory", QByteArray::number(quint64(baseline) + budget)}));
            auto real = replayOnServer(client, sha, requests, 20000);
            QVERIFY2(real, qPrintable(real.error()));
            const qint64 evicted = infoField(client, "stats", "evicted_keys");
            double simulated = 0;
            for (quint64 seed : {1, 2, 3})
                simulated += simulate(*simPolicy, budget, real->trace, requests, seed) / 3;
            qInfo("%s%s at %.0f %% of the working set (%llu bytes): redis %.4f, simulated %.4f, difference %+.4f "
                  "(%lld evictions)",
                  qPrintable(policy), ttl ? " with TTLs" : "", fraction * 100, static_cast<unsigned long long>(budget),
                  real->hitRatio, simulated, simulated - real->hitRatio, evicted);
            QVERIFY(evicted > 0);
            QVERIFY2(std::abs(simulated - real->hitRatio) <= 0.03,
                     qPrintable(QStringLiteral("redis %1, simulated %2").arg(real->hitRatio).arg(simulated)));
        }
    }

    // A real 3-master cluster, each master with a third of the budget and allkeys-lru, replaying
    // the same gets (each sent to the master of its key's slot): the cluster simulation (a
    // RedisSim per master) gives the cluster's hit ratio within 0.03 at three sizes.
    void clusterMatchesRedisCluster()
    {
        constexpr int kKeys = 6000;
        const std::vector<Request> requests = zipfRequests(60000, kKeys, 0.9, false, 11);
        quint64 workingSet = redismemory::tableBytes(kKeys);
        for (int k = 0; k < kKeys; ++k)
            workingSet += redismemory::entryBytes(quint64(keyName(k).size()), 100 + quint64((k * 7919) % 1000), false);
        for (double fraction : {0.1, 0.3, 0.6}) {
            const quint64 budget = quint64(double(workingSet) * fraction);
            test::RedisClusterSet cluster;
            const QString error = cluster.start();
            QVERIFY2(error.isEmpty(), qPrintable(error));
            const QList<int> owners = cluster.slotOwners();
            QVERIFY(!owners.contains(-1));
            std::vector<std::unique_ptr<RedisClient>> clients;
            std::vector<RedisClient *> raw;
            QByteArray sha;
            for (int i = 0; i < cluster.size(); ++i) {
                clients.push_back(std::make_unique<RedisClient>(cluster.nodeUrl(i)));
                raw.push_back(clients.back().get());
                QVERIFY(raw.back()->connect());
                QVERIFY(raw.back()->command({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}));
                auto loaded = raw.back()->command({"SCRIPT", "LOAD", kGetOrFill});
                QVERIFY(loaded && !loaded->isError());
                sha = loaded->string; // the same on every master
            }
            auto owner = [&](int key) { return owners[RedisClusterRouter::keySlot(keyName(key))]; };
            // Each master's baseline as on one server (its dicts exist, the script is loaded),
            // then maxmemory = baseline + a third of the budget.
            for (int i = 0; i < cluster.size(); ++i) {
                int warm = -1;
                while (owner(warm) != i)
                    --warm;
                QVERIFY(replayOnServers(raw, owner, sha, {{warm, 100, 5}}, 1000));
                QVERIFY(raw[size_t(i)]->command({"DEL", keyName(warm)}));
                const qint64 baseline = infoField(*raw[size_t(i)], "memory", "used_memory");
                QVERIFY(baseline > 0);
                QVERIFY(raw[size_t(i)]->command(
                    {"CONFIG", "SET", "maxmemory", QByteArray::number(quint64(baseline) + budget / quint64(cluster.size()))}));
            }
            auto real = replayOnServers(raw, owner, sha, requests, 20000);
            QVERIFY2(real, qPrintable(real.error()));
            qint64 evicted = 0;
            for (RedisClient *c : raw)
                evicted += infoField(*c, "stats", "evicted_keys");
            double asCluster = 0, asOne = 0;
            for (quint64 seed : {1, 2, 3}) {
                asCluster += simulate(CachePolicy::RedisAllKeysLru, budget, real->trace, requests, seed, cluster.size()) / 3;
                asOne += simulate(CachePolicy::RedisAllKeysLru, budget, real->trace, requests, seed) / 3;
            }
            qInfo("cluster of %d at %.0f %% of the working set (%llu bytes): redis %.4f, simulated as a cluster %.4f "
                  "(%+.4f), as one server %.4f (%+.4f), %lld evictions",
                  cluster.size(), fraction * 100, static_cast<unsigned long long>(budget), real->hitRatio, asCluster,
                  asCluster - real->hitRatio, asOne, asOne - real->hitRatio, evicted);
            QVERIFY(evicted > 0);
            QVERIFY2(std::abs(asCluster - real->hitRatio) <= 0.03,
                     qPrintable(QStringLiteral("redis %1, simulated %2").arg(real->hitRatio).arg(asCluster)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCapacityRedis)
#include "tst_capacityredis.moc"
