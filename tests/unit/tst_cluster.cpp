// Redis Cluster on a real 3-master cluster (Debian's redis-server --cluster-enabled yes, joined by
// redis-cli --cluster create, every node behind a password): slots computed as the server does,
// RedisClusterCache keys spread over every master with get_many/delete_many split by slot, SCAN
// of every master merged under one cursor, MOVED and ASK followed while a slot migrates (also
// from a plain one-node URL and from the `cache` command), INFO per master summed per cluster,
// and Python's Flask-Caching RedisClusterCache reading what CacheScope writes and the other way.
#include "browse/rediskeysource.h"
#include "capacity/monitorrecorder.h"
#include "capacity/tracereader.h"
#include "capacity/whatif.h"
#include "cache/cachemanager.h"
#include "cache/rediscache.h"
#include "config/configloader.h"
#include "monitor/monitorsampler.h"
#include "monitor/redisinfopoller.h"
#include "keytreemodel.h"
#include "redis/redisclient.h"
#include "redis/rediscluster.h"
#include "redis/clusterscanreader.h"
#include "redis/redisconnector.h"
#include "redis/redisnotices.h"
#include "checkok.h"
#include "cli.h"
#include "keytreewalk.h"
#include "python.h"
#include "redisclusterset.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSet>
#include <QUrl>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <set>
#include <thread>

using namespace cachescope;
using namespace cachescope::test;

namespace {

const QString kPassword = QStringLiteral("cluster pw");

// DBSIZE of every node, read directly.
QList<qint64> dbSizes(const RedisClusterSet &set)
{
    QList<qint64> sizes;
    for (int i = 0; i < set.size(); ++i)
        sizes << set.command(i, {"DBSIZE"}).mid(1).trimmed().toLongLong();
    return sizes;
}

// A key of `prefix` that falls in a slot owned by node `owner`.
QByteArray keyOn(RedisClusterSet &set, const QByteArray &prefix, int owner, int from = 0)
{
    for (int i = from; i < from + 100000; ++i) {
        const QByteArray key = prefix + "k" + QByteArray::number(i);
        if (set.ownerOf(RedisClusterRouter::keySlot(key)) == owner)
            return key;
    }
    return {};
}

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

    RedisClusterSet m_set;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY");
        RedisClusterSet::Options options;
        options.password = kPassword;
        const QString started = m_set.start(options);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        QCOMPARE(m_set.size(), 3);
    }

    void cleanupTestCase() { m_set.stop(); }

    // CRC16 of the key or of its {hash tag}, as the server computes it (CLUSTER KEYSLOT).
    void keySlotAsTheServer()
    {
        QList<QByteArray> keys{"foo", "123456789", "{user1000}.following", "{user1000}.followers", "foo{}{bar}",
                               "foo{{bar}}zap", "foo{bar}{zap}", "{}", "", "superset_\xc3\xbc\x00\xff"};
        for (int i = 0; i < 200; ++i)
            keys << "superset_" + QByteArray::number(i * 7919);
        QCOMPARE(RedisClusterRouter::keySlot("123456789"), 0x31C3 & 16383);
        for (const QByteArray &key : keys) {
            const QByteArray reply = m_set.command(0, {"CLUSTER", "KEYSLOT", key});
            QVERIFY2(reply.startsWith(':'), reply.constData());
            QCOMPARE(RedisClusterRouter::keySlot(key), reply.mid(1).trimmed().toInt());
        }
        QCOMPARE(RedisClusterRouter::keySlot("{user1000}.following"), RedisClusterRouter::keySlot("user1000"));
    }

    // Flask-Caching's cluster cache puts no hash tag in its keys: they spread over every master,
    // and CacheScope's get_many / delete_many / scan / clear cover all of them.
    void cacheSpreadsOverEveryMaster()
    {
        RedisCache cache(m_set.url(), "spread_");
        QCOMPARE(cache.backendName(), QStringLiteral("RedisClusterCache"));
        cache.setWritable(true);
        QList<std::pair<QByteArray, PyValue>> items;
        QList<QByteArray> keys;
        for (int i = 0; i < 300; ++i) {
            keys << "k" + QByteArray::number(i);
            items.append({keys.last(), PyValue::str("value " + QByteArray::number(i))});
        }
        auto written = cache.setMany(items);
        CHECK_OK(written);
        QCOMPARE(written->size(), 300);
        for (qint64 n : dbSizes(m_set))
            QVERIFY2(n > 50, "every master holds a share of the keys");

        auto values = cache.getMany(keys + QList<QByteArray>{"missing"});
        CHECK_OK(values);
        QCOMPARE(values->size(), 301);
        for (int i = 0; i < 300; ++i) {
            QVERIFY((*values)[i].has_value());
            QCOMPARE((*values)[i]->repr(), QStringLiteral("'value %1'").arg(i));
        }
        QVERIFY(!values->last().has_value());

        auto counter = cache.inc("counter", 5);
        CHECK_OK(counter);
        QCOMPARE(**counter, 5);
        auto has = cache.has("k7");
        CHECK_OK(has);
        QVERIFY(*has);

        auto deleted = cache.removeMany({"k0", "k1", "k2", "nope"});
        CHECK_OK(deleted);
        QCOMPARE(*deleted, (QList<QByteArray>{"k0", "k1", "k2"}));

        // scan walks all masters under one cursor, and ends.
        std::set<QByteArray> seen;
        QByteArray cursor = "0";
        int pages = 0;
        do {
            auto page = cache.scan(cursor, "*", 50);
            CHECK_OK(page);
            for (const QByteArray &k : page->keys)
                seen.insert(k);
            cursor = page->nextCursor;
            QVERIFY(++pages < 1000);
        } while (cursor != "0");
        QCOMPARE(seen.size(), size_t(298)); // 297 k's + counter
        QVERIFY(seen.count("counter") && seen.count("k299") && !seen.count("k0"));

        auto cleared = cache.clear();
        CHECK_OK(cleared);
        QVERIFY(*cleared);
        for (qint64 n : dbSizes(m_set))
            QCOMPARE(n, 0);
    }

    // Flask-Caching 2.0.2 RedisClusterCache (redis-py 4.3.4 RedisCluster) from a config: Python
    // writes, CacheScope reads; CacheScope writes, Python reads. Byte for byte the same entries.
    void flaskCachingInterop()
    {
        const QString source = QStringLiteral("CACHE_CONFIG = {\n"
                                              "    'CACHE_TYPE': 'RedisClusterCache',\n"
                                              "    'CACHE_REDIS_CLUSTER': '%1',\n"
                                              "    'CACHE_REDIS_PASSWORD': '%2',\n"
                                              "    'CACHE_KEY_PREFIX': 'superset_',\n"
                                              "}\n")
                                   .arg(m_set.startupNodes(), kPassword);
        const ConfigReport report = ConfigLoader::loadSource(source, QStringLiteral("superset_config.py"), {});
        QVERIFY2(report.loaded, qPrintable(report.error));
        const CacheSpec spec = report.caches.first();
        QCOMPARE(spec.backend, BackendType::RedisCluster);
        auto built = CacheManager::buildCache(spec, CacheManager::Access::ReadWrite);
        CHECK_OK(built);
        Cache &cache = **built;
        QCOMPARE(cache.backendName(), QStringLiteral("RedisClusterCache"));
        QVERIFY2(!cache.location().contains(kPassword), qPrintable(cache.location()));

        const QString python = QStringLiteral(
            "import sys, json, types\n"
            "from flask import Flask\n"
            "from flask_caching import Cache\n"
            "cfg = types.ModuleType('superset_config')\n"
            "exec(sys.stdin.read(), cfg.__dict__)\n"
            "cache = Cache(Flask('t'), config=cfg.CACHE_CONFIG).cache\n"
            "assert type(cache).__name__ == 'RedisClusterCache'\n"
            "if sys.argv[1] == 'write':\n"
            "    for i in range(40):\n"
            "        assert cache.set('py_%d' % i, {'n': i, 'rows': [1.5, None, 'x' * i]})\n"
            "    cache.set_many({'py_many_%d' % i: i * 1000 for i in range(20)})\n"
            "    print('ok')\n"
            "else:\n"
            "    print(json.dumps([repr(cache.get('cs_%d' % i)) for i in range(40)]))\n");
        CHECK_OK(runPython(python, {QStringLiteral("write")}, source.toUtf8()));
        QList<QByteArray> keys;
        for (int i = 0; i < 40; ++i)
            keys << "py_" + QByteArray::number(i);
        auto got = cache.getMany(keys);
        CHECK_OK(got);
        for (int i = 0; i < 40; ++i) {
            QVERIFY((*got)[i].has_value());
            QCOMPARE((*got)[i]->repr(), QStringLiteral("{'n': %1, 'rows': [1.5, None, '%2']}").arg(i).arg(QString(i, u'x')));
        }
        auto many = cache.get("py_many_19");
        CHECK_OK(many);
        QCOMPARE((*many)->repr(), QStringLiteral("19000"));

        for (int i = 0; i < 40; ++i)
            CHECK_OK(cache.set("cs_" + QByteArray::number(i),
                               PyValue::list({PyValue::str(QByteArray::number(i)), PyValue::floating(i + 0.5)})));
        auto read = runPython(python, {QStringLiteral("read")}, source.toUtf8());
        CHECK_OK(read);
        const QJsonArray reprs = QJsonDocument::fromJson(read->trimmed()).array();
        QCOMPARE(reprs.size(), 40);
        for (int i = 0; i < 40; ++i)
            QCOMPARE(reprs.at(i).toString(), QStringLiteral("['%1', %2.5]").arg(i).arg(i));
        CHECK_OK(cache.clear());
    }

    // A plain URL naming one node: the first MOVED turns the client to the slot map. Then a slot
    // migrates: ASK while it is half-way (the key already moved, a new key), MOVED once it is done.
    void followsMovedAndAsk()
    {
        RedisCache viaOneNode(m_set.nodeUrl(0), "moved_");
        viaOneNode.setWritable(true);
        for (int i = 0; i < 60; ++i)
            CHECK_OK(viaOneNode.set("k" + QByteArray::number(i), PyValue::integer(i)));
        for (qint64 n : dbSizes(m_set))
            QVERIFY(n > 0);
        for (int i = 0; i < 60; ++i) {
            auto v = viaOneNode.get("k" + QByteArray::number(i));
            CHECK_OK(v);
            QCOMPARE((*v)->repr(), QString::number(i));
        }
        QVERIFY(RedisNotices::instance().all().join(u'\n').contains(QStringLiteral("is a Redis Cluster node")));

        // Half-migrated slot: the key already sits on the importing node; the source answers ASK.
        const QByteArray key = keyOn(m_set, "moved_", 1);
        QVERIFY(!key.isEmpty());
        const int slot = RedisClusterRouter::keySlot(key);
        CHECK_OK(viaOneNode.set(key.mid(6), PyValue::str(QStringLiteral("before migration"))));
        QString migrated = m_set.migrateSlot(slot, 2, false);
        QVERIFY2(migrated.isEmpty(), qPrintable(migrated));
        QVERIFY(m_set.command(1, {"GET", key}).startsWith("-ASK"));
        auto asked = viaOneNode.get(key.mid(6));
        CHECK_OK(asked);
        QCOMPARE((*asked)->repr(), QStringLiteral("'before migration'"));
        // A new key of that slot goes to the importing node as well (ASK, then ASKING).
        QByteArray sibling;
        for (int i = 0; sibling.isEmpty() && i < 2000000; ++i) {
            const QByteArray candidate = "moved_s" + QByteArray::number(i);
            if (RedisClusterRouter::keySlot(candidate) == slot)
                sibling = candidate;
        }
        QVERIFY(!sibling.isEmpty());
        CHECK_OK(viaOneNode.set(sibling.mid(6), PyValue::str(QStringLiteral("during migration"))));

        // Done: both ends know the new owner; the old one answers MOVED.
        migrated = m_set.migrateSlot(slot, 2, true);
        QVERIFY2(migrated.isEmpty(), qPrintable(migrated));
        QVERIFY(m_set.command(1, {"GET", key}).startsWith("-MOVED"));
        RedisCache fresh(m_set.nodeUrl(1), "moved_");
        for (const QByteArray &k : {key, sibling}) {
            auto v = fresh.get(k.mid(6));
            CHECK_OK(v);
            QVERIFY2(v->has_value(), k.constData());
        }
        QCOMPARE(m_set.ownerOf(slot), 2);

        // The command line, given one node: get and set follow the redirects too.
        const QString url = QStringLiteral("redis://:%1@127.0.0.1:%2/0").arg(QString::fromUtf8(QUrl::toPercentEncoding(kPassword))).arg(m_set.node(0).port());
        const CliResult set = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"),
                                      QStringLiteral("moved_"), QStringLiteral("set"), QString::fromUtf8(key.mid(6)),
                                      QStringLiteral("{\"from\": \"cli\"}")});
        QVERIFY2(set.exitCode == 0, set.err.constData());
        const CliResult get = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"),
                                      QStringLiteral("moved_"), QStringLiteral("get"), QString::fromUtf8(key.mid(6))});
        QVERIFY2(get.exitCode == 0, get.err.constData());
        QVERIFY2(get.out.contains("cli"), get.out.constData());
        QVERIFY2(!get.err.contains(kPassword.toUtf8()), get.err.constData());
        RedisCache cluster(m_set.url(), "moved_");
        cluster.setWritable(true);
        CHECK_OK(cluster.clear());
    }

    // The key browser on a cluster: one continuous scan walks every master (per-master cursors
    // in one). A slot moves (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE) while the walk is half
    // done: the walk notices the new topology and begins again, so the moving slot's keys are not
    // lost behind a master's cursor, and the tree holds every key exactly once.
    void keySourceScansEveryMaster()
    {
        RedisClient writer(m_set.url());
        QList<QList<QByteArray>> sets;
        std::set<QByteArray> expected;
        for (int i = 0; i < 6000; ++i) {
            const QByteArray key = "tree_" + QByteArray::number(i % 5) + ":" + QByteArray::number(i);
            sets.append({"SET", key, "v"});
            expected.insert(key);
        }
        CHECK_OK(writer.pipeline(sets));

        RedisKeySource source(m_set.url(), "tree_");
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBatchSize(200);
        model.setSource(&source);
        QSignalSpy errors(&model, &KeyTreeModel::errorOccurred);
        std::multiset<QByteArray> delivered;
        bool migratedMidway = false;
        int batches = 0;
        // A slot of master 0 holding some of the keys: it moves to master 1 under the scan.
        const QByteArray moving = *std::find_if(expected.begin(), expected.end(), [&](const QByteArray &k) {
            return m_set.ownerOf(RedisClusterRouter::keySlot(k)) == 0;
        });
        const int slot = RedisClusterRouter::keySlot(moving);
        const auto movingKeys = std::count_if(expected.begin(), expected.end(),
                                              [&](const QByteArray &k) { return RedisClusterRouter::keySlot(k) == slot; });
        QVERIFY(movingKeys > 0);
        connect(&source, &KeySource::scanReady, &model, [&](quint64, const ScanBatch &batch) {
            delivered.insert(batch.keys.begin(), batch.keys.end());
            if (++batches == 2 && !migratedMidway) {
                migratedMidway = true;
                const QString e = m_set.migrateSlot(slot, 1, true);
                QVERIFY2(e.isEmpty(), qPrintable(e));
            }
        });
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete() || !errors.isEmpty(), 60000);
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().at(0).toString()));
        QVERIFY(migratedMidway);
        QCOMPARE(m_set.ownerOf(slot), 1);
        // The walk began again after the move: keys of the first batches came twice from the source.
        QVERIFY2(delivered.size() > expected.size(), qPrintable(QString::number(delivered.size())));
        for (const QByteArray &k : expected)
            QVERIFY2(delivered.count(k) >= 1, k.constData());
        // The tree: each key once, nothing else.
        QCOMPARE(model.loadedKeyCount(), quint64(expected.size()));
        QList<QByteArray> inTree;
        collectKeys(model, {}, inTree);
        QCOMPARE(std::set<QByteArray>(inTree.begin(), inTree.end()), expected);
        QCOMPARE(inTree.size(), qsizetype(expected.size()));

        // A key of the moved slot, read through the source: the value comes back (MOVED followed).
        QSignalSpy value(&source, &KeySource::valueReady);
        source.requestValue(moving);
        QTRY_COMPARE_WITH_TIMEOUT(value.size(), 1, 20000);
        QVERIFY(value.first().at(3).toBool());
    }

    // Each master's SCAN steps are read ahead by a reader of its own; a caller may still hand
    // back any cursor of the walk. Going back to an earlier cursor, abandoning a walk half-way
    // and beginning again, and changing COUNT mid-walk all list every key: a reader's pages of
    // the old chain are never handed out for another cursor.
    void scanReadersFollowTheCursorGiven()
    {
        RedisClient client(m_set.url());
        QList<QList<QByteArray>> sets;
        std::set<QByteArray> expected;
        for (int i = 0; i < 900; ++i) {
            const QByteArray key = "walk:" + QByteArray::number(i);
            sets.append({"SET", key, "v"});
            expected.insert(key);
        }
        CHECK_OK(client.pipeline(sets));
        auto step = [&](const QByteArray &cursor, int count, std::set<QByteArray> &into) -> QByteArray {
            auto r = client.command({"SCAN", cursor, "MATCH", "walk:*", "COUNT", QByteArray::number(count)});
            if (!r || r->isError() || r->elements.size() != 2)
                return QByteArrayLiteral("error");
            for (const RedisReply &k : r->elements[1].elements)
                into.insert(k.string);
            return r->elements[0].string;
        };
        auto walkFrom = [&](QByteArray cursor, std::set<QByteArray> &into) {
            int steps = 0;
            do // COUNT changes under the readers
                cursor = step(cursor, 20 + steps % 3 * 15, into);
            while (cursor != "0" && cursor != "error" && ++steps < 10000);
            return cursor;
        };

        // Three steps ahead, then back to the cursor after the first: that one's page again.
        std::set<QByteArray> first, ahead;
        const QByteArray c1 = step("0", 20, first);
        QVERIFY(c1 != "0" && c1 != "error");
        QByteArray c = c1;
        for (int i = 0; i < 3; ++i)
            c = step(c, 20, ahead);
        QVERIFY(c != "error");
        std::set<QByteArray> rest = first;
        QCOMPARE(walkFrom(c1, rest), QByteArray("0"));
        QCOMPARE(rest, expected);

        // A walk left half-way, then a new one from "0": every key again.
        std::set<QByteArray> abandoned;
        c = "0";
        for (int i = 0; i < 4; ++i)
            c = step(c, 20, abandoned);
        QVERIFY(c != "0" && c != "error");
        std::set<QByteArray> again;
        QCOMPARE(walkFrom("0", again), QByteArray("0"));
        QCOMPARE(again, expected);

        QList<QByteArray> del{"DEL"};
        del.append(QList<QByteArray>(expected.begin(), expected.end()));
        CHECK_OK(client.command(del));
    }

    // A reader left with pages nobody takes (a Load all cancelled half-way) lets its connection
    // and its pages go once idle, and a caller coming back still gets its pages.
    void abandonedReaderLetsGo()
    {
        // Keys of one hash slot: all on the master the reader walks.
        RedisClient client(m_set.url());
        QList<QList<QByteArray>> sets;
        std::set<QByteArray> expected;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray key = "{idle}" + QByteArray::number(i);
            sets.append({"SET", key, "v"});
            expected.insert(key);
        }
        CHECK_OK(client.pipeline(sets));
        const int owner = m_set.ownerOf(RedisClusterRouter::keySlot("{idle}"));
        QVERIFY(owner >= 0);
        const QString node = QStringLiteral("127.0.0.1:%1").arg(m_set.node(owner).port());
        auto scanClients = [&] {
            int n = 0;
            for (const QByteArray &line : m_set.command(owner, {"CLIENT", "LIST"}).split('\n'))
                n += line.contains(" cmd=scan ");
            return n;
        };
        QCOMPARE(scanClients(), 0);
        RedisConnectOptions options;
        options.selectDb = false;
        ClusterScanReader reader([&] { return RedisConnector::open(m_set.url().clusterNode(node), options); },
                                 std::chrono::milliseconds(300));
        const ClusterScanReader::Step first{{"SCAN", "0", "MATCH", "{idle}*", "COUNT", "10"}};
        auto page = reader.take(first);
        QVERIFY2(page, qPrintable(page.error()));
        QCOMPARE(scanClients(), 1); // reading ahead on a connection of its own
        // Nobody takes the rest: after the idle time the connection is gone.
        QTRY_COMPARE_WITH_TIMEOUT(scanClients(), 0, 10000);
        // Coming back to where the walk stood: the chain begins again there, and the walk ends
        // with every key.
        std::set<QByteArray> seen;
        for (const RedisReply &k : page->front().elements[1].elements)
            seen.insert(k.string);
        QByteArray cursor = page->front().elements[0].string;
        int steps = 0;
        while (cursor != "0" && ++steps < 10000) {
            auto next = reader.take({{"SCAN", cursor, "MATCH", "{idle}*", "COUNT", "10"}});
            QVERIFY2(next, qPrintable(next.error()));
            for (const RedisReply &k : next->front().elements[1].elements)
                seen.insert(k.string);
            cursor = next->front().elements[0].string;
        }
        QCOMPARE(seen, expected);
        QList<QByteArray> del{"DEL"};
        for (const QByteArray &k : expected) {
            del.append(k);
            if (del.size() == 200) {
                CHECK_OK(client.command(del));
                del = {"DEL"};
            }
        }
        if (del.size() > 1)
            CHECK_OK(client.command(del));
    }

    // The cluster parsers on the gaps that writing fuzz_cluster's invariants showed (the fuzz
    // target checks the same on any input): cursor numbers are sent as SCAN wants them, a cursor
    // no walk makes is refused, a bare IPv6 MOVED target is named as the slot map names it, a
    // redirect without a node is not a redirect, and a slot claimed twice is an error.
    void clusterParsersRefuseWhatTheRouterCannotUse()
    {
        auto cursor = ClusterCursor::parse("+12,-,7;a;0", 3);
        QVERIFY(cursor);
        QCOMPARE(cursor->text(), QByteArray("12,-,7;a;0"));
        QVERIFY(!ClusterCursor::parse("-,-,-;a;0", 3));
        QVERIFY(!ClusterCursor::parse("1,2;a;0", 3));

        RedisReply moved;
        moved.type = RedisReply::Type::Error;
        moved.string = "MOVED 1 ::1:7000";
        const ClusterRedirect r = ClusterRedirect::parse(moved, QStringLiteral("127.0.0.1:7001"));
        QCOMPARE(r.kind, ClusterRedirect::Kind::Moved);
        QCOMPARE(r.node, QStringLiteral("[::1]:7000"));
        moved.string = "MOVED 1 ";
        QCOMPARE(ClusterRedirect::parse(moved, QStringLiteral("127.0.0.1:7001")).kind, ClusterRedirect::Kind::None);
        moved.string = "ASK 16384 127.0.0.1:7000";
        QCOMPARE(ClusterRedirect::parse(moved, QStringLiteral("127.0.0.1:7001")).kind, ClusterRedirect::Kind::None);

        auto range = [](qint64 from, qint64 to, int port) {
            RedisReply r;
            r.type = RedisReply::Type::Array;
            RedisReply host;
            host.type = RedisReply::Type::String;
            host.string = "127.0.0.1";
            RedisReply master;
            master.type = RedisReply::Type::Array;
            master.elements = {host, RedisReply{RedisReply::Type::Integer, port, {}, {}}};
            r.elements = {RedisReply{RedisReply::Type::Integer, from, {}, {}}, RedisReply{RedisReply::Type::Integer, to, {}, {}},
                          master};
            return r;
        };
        RedisReply slotReply;
        slotReply.type = RedisReply::Type::Array;
        slotReply.elements = {range(100, 16383, 7001), range(0, 99, 7000)};
        auto map = ClusterSlotMap::parse(slotReply, QStringLiteral("127.0.0.1:7000"));
        CHECK_OK(map);
        QCOMPARE(map->masters, (QStringList{QStringLiteral("127.0.0.1:7000"), QStringLiteral("127.0.0.1:7001")}));
        QCOMPARE(map->owner[0], qint16(0));
        QCOMPARE(map->owner[16383], qint16(1));
        slotReply.elements.push_back(range(50, 60, 7002));
        map = ClusterSlotMap::parse(slotReply, QStringLiteral("127.0.0.1:7000"));
        QVERIFY(!map);
        QVERIFY2(map.error().contains(QStringLiteral("slot 50 is claimed twice")), qPrintable(map.error()));
        slotReply.elements = {range(0, 16383, 70000)};
        QVERIFY(!ClusterSlotMap::parse(slotReply, QStringLiteral("127.0.0.1:7000")));
    }

    // `cachescope keys --redis redis://ONE-NODE` on a cluster lists every master's keys (it asks
    // the node whether it is a cluster node, and says so on stderr), each key once.
    void keysCommandFromOneNode()
    {
        const QString url = QStringLiteral("redis://:%1@127.0.0.1:%2/0")
                                .arg(QString::fromUtf8(QUrl::toPercentEncoding(kPassword)))
                                .arg(m_set.node(2).port());
        const CliResult keys = runCli({QStringLiteral("keys"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"),
                                       QStringLiteral("tree_")});
        QVERIFY2(keys.exitCode == 0, keys.err.constData());
        QVERIFY2(keys.err.contains("is a Redis Cluster node"), keys.err.constData());
        QVERIFY2(!keys.err.contains(kPassword.toUtf8()) && !keys.out.contains(kPassword.toUtf8()), keys.err.constData());
        const QList<QByteArray> lines = keys.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 6000);
        QCOMPARE(QSet<QByteArray>(lines.begin(), lines.end()).size(), 6000);
        QVERIFY(lines.contains("tree_3:4998"));
        RedisCache cleanup(m_set.url(), "tree_");
        cleanup.setWritable(true);
        CHECK_OK(cleanup.clear());
    }

    // INFO of every master: each one's hit rate as its own sample, the sum as the cluster's.
    void infoPerNodeSummed()
    {
        RedisCache cache(m_set.url(), "info_");
        cache.setWritable(true);
        RedisInfoPoller poller(m_set.url(), 200);
        QList<HitRateSample> samples;
        QObject receiver; // queued samples after this function are not delivered to its locals
        connect(&poller, &RedisInfoPoller::hitSample, &receiver, [&](const HitRateSample &s) { samples.append(s); });
        poller.start();
        QList<QByteArray> keys;
        for (int i = 0; i < 90; ++i)
            keys << "k" + QByteArray::number(i);
        for (const QByteArray &k : keys)
            CHECK_OK(cache.set(k, PyValue::integer(1)));
        QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 4, 10000);
        for (int round = 0; round < 30; ++round) {
            CHECK_OK(cache.getMany(keys)); // 90 hits, spread over the masters
            QTest::qWait(20);
        }
        const QString cluster = m_set.url().redacted();
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(samples.begin(), samples.end(), [&](const HitRateSample &s) {
            return s.cache == cluster && s.hitsPerSecond > 0;
        }), 10000);
        poller.stop();
        QSet<QString> nodes;
        for (const HitRateSample &s : samples)
            if (s.cache.startsWith(cluster + QStringLiteral(" node ")))
                nodes.insert(s.cache);
        QCOMPARE(nodes.size(), 3);
        // In one tick, the cluster's figure is the sum of the masters' (same timestamps).
        for (const HitRateSample &total : samples) {
            if (total.cache != cluster || total.hitsPerSecond <= 0)
                continue;
            double sum = 0;
            int parts = 0;
            for (const HitRateSample &s : samples)
                if (s.cache != cluster && s.timestampMs == total.timestampMs) {
                    sum += s.hitsPerSecond;
                    ++parts;
                }
            if (parts == 3) {
                QVERIFY(qAbs(sum - total.hitsPerSecond) < 1e-6);
                break;
            }
        }
        CHECK_OK(cache.clear());
    }
    // MONITOR on every master at once: a cache's commands spread over the masters are counted
    // for the cache (merged) and per node ("<cache> node host:port"), with the totals of each.
    void monitorPerNode()
    {
        RedisCache cache(m_set.url(), "mon_");
        cache.setWritable(true);
        MonitorSampler sampler(m_set.url());
        sampler.addPrefix("mon_", QStringLiteral("CACHE_CONFIG"));
        sampler.setIntervalMs(200);
        QList<HitRateSample> samples;
        QHash<QString, MonitorEstimator::Totals> totals;
        bool finished = false;
        QSignalSpy failed(&sampler, &MonitorSampler::errorOccurred);
        QObject receiver; // queued signals after this function are not delivered to its locals
        connect(&sampler, &MonitorSampler::hitSample, &receiver, [&](const HitRateSample &s) { samples.append(s); });
        connect(&sampler, &MonitorSampler::finished, &receiver, [&](const QHash<QString, MonitorEstimator::Totals> &t) {
            totals = t;
            finished = true;
        });
        sampler.start(60);
        QTRY_VERIFY_WITH_TIMEOUT(sampler.isMonitoring() || !failed.isEmpty(), 20000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        QList<QByteArray> keys;
        for (int i = 0; i < 60; ++i)
            keys << "k" + QByteArray::number(i);
        for (const QByteArray &k : keys)
            CHECK_OK(cache.set(k, PyValue::integer(1)));
        for (const QByteArray &k : keys)
            CHECK_OK(cache.get(k));
        QTRY_VERIFY_WITH_TIMEOUT(!samples.isEmpty(), 10000);
        QTest::qWait(600);
        sampler.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        // 60 SETs and 60 GETs: all of them in the cache's totals, split over three nodes.
        QVERIFY(totals.contains(QStringLiteral("CACHE_CONFIG")));
        QCOMPARE(totals.value(QStringLiteral("CACHE_CONFIG")).writes, 60ull);
        QCOMPARE(totals.value(QStringLiteral("CACHE_CONFIG")).reads, 60ull);
        quint64 nodeReads = 0, nodeWrites = 0;
        int nodes = 0;
        for (auto it = totals.begin(); it != totals.end(); ++it) {
            if (!it.key().startsWith(QStringLiteral("CACHE_CONFIG node 127.0.0.1:")))
                continue;
            ++nodes;
            QVERIFY2(it->reads > 0, qPrintable(it.key()));
            nodeReads += it->reads;
            nodeWrites += it->writes;
        }
        QCOMPARE(nodes, 3);
        QCOMPARE(nodeReads, 60ull);
        QCOMPARE(nodeWrites, 60ull);
        QVERIFY(std::any_of(samples.begin(), samples.end(),
                            [](const HitRateSample &s) { return s.cache.startsWith(QStringLiteral("CACHE_CONFIG node ")); }));
        CHECK_OK(cache.clear());
    }

    // `capacity record` on a cluster: MONITOR on every master (each sees only its own slots'
    // commands), their streams merged into one trace, and the cache's memory the masters'
    // together. 60 SETs and 60 GETs spread over the three masters are all in the trace.
    void recordMonitorsEveryMaster()
    {
        for (int i = 0; i < m_set.size(); ++i)
            QVERIFY(m_set.command(i, {"CONFIG", "SET", "maxmemory", "64mb"}).startsWith("+OK"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cluster.cstrace"));
        TraceCacheInfo info;
        info.name = QStringLiteral("CACHE_CONFIG");
        const QList<MonitorTarget> targets{MonitorTarget{m_set.url(), {{QByteArray("rec_"), info}}}};
        std::atomic_bool stop{false}, finished{false};
        Expected<MonitorCapture> captured = makeError(QStringLiteral("not run"));
        std::thread recorder([&] {
            captured = recordMonitorTrace(targets, path, TraceFormat::CacheScope, 600, 1.0, 1.0, &stop);
            finished = true;
        });
        // Also when a check fails half-way: the recorder stops, and the masters get their limit back.
        const auto cleanup = qScopeGuard([&] {
            stop = true;
            recorder.join();
            for (int i = 0; i < m_set.size(); ++i)
                m_set.command(i, {"CONFIG", "SET", "maxmemory", "0"});
        });
        auto monitorLine = [&](int node) {
            for (const QByteArray &line : m_set.command(node, {"CLIENT", "LIST"}).split('\n'))
                if (line.contains("cmd=monitor"))
                    return line;
            return QByteArray();
        };
        for (int i = 0; i < m_set.size(); ++i)
            QTRY_VERIFY_WITH_TIMEOUT(!monitorLine(i).isEmpty() || finished, 20000);
        QVERIFY2(!finished, captured ? "the recorder ended early" : qPrintable(captured.error()));

        RedisCache cache(m_set.url(), "rec_");
        cache.setWritable(true);
        QSet<int> owners;
        for (int i = 0; i < 60; ++i) {
            const QByteArray key = "k" + QByteArray::number(i);
            owners.insert(m_set.ownerOf(RedisClusterRouter::keySlot(QByteArray("rec_" + key))));
            CHECK_OK(cache.set(key, PyValue::integer(i)));
        }
        for (int i = 0; i < 60; ++i)
            CHECK_OK(cache.get("k" + QByteArray::number(i)));
        QCOMPARE(owners.size(), 3);
        // Every master has written its MONITOR lines out (nothing left in the client's output
        // buffers); what reached the recorder's sockets is read after `stop`.
        for (int i = 0; i < m_set.size(); ++i)
            QTRY_VERIFY_WITH_TIMEOUT(monitorLine(i).contains(" oll=0 ") && monitorLine(i).contains(" omem=0 "), 20000);
        stop = true;
        QTRY_VERIFY_WITH_TIMEOUT(finished, 60000);
        QVERIFY2(captured, qPrintable(captured.error()));

        auto reader = TraceReader::open(path);
        QVERIFY2(reader, qPrintable(reader.error()));
        const TraceHeader header = (*reader)->header();
        QCOMPARE(header.cacheNames(), QStringList{QStringLiteral("CACHE_CONFIG")});
        // Three masters of 64 MB, less what each uses besides its data.
        const qint64 mb = 1024 * 1024;
        QVERIFY2(header.caches[0].maxMemory > 3 * 56 * mb && header.caches[0].maxMemory <= 3 * 64 * mb,
                 qPrintable(QString::number(header.caches[0].maxMemory)));
        // ... each evicting on its own: the what-if replays three masters of a third each.
        QCOMPARE(header.caches[0].masters, 3);
        QVERIFY2(currentConfigFor(header.caches[0]).description.contains(QStringLiteral("on 3 cluster masters")),
                 qPrintable(currentConfigFor(header.caches[0]).description));
        TraceRecords records;
        for (;;) {
            auto got = (*reader)->read(records);
            QVERIFY2(got, qPrintable(got.error()));
            if (*got == 0)
                break;
        }
        int sets = 0, hits = 0;
        for (const TraceRecord &r : records) {
            sets += r.op == TraceOp::Set;
            hits += r.op == TraceOp::GetHit;
        }
        QCOMPARE(sets, 60);
        QCOMPARE(hits, 60);
        CHECK_OK(cache.clear());
    }

    // Last (it takes a master down): a master that dies gives the key browser and the layer a
    // clear error naming the node, within the client's retries, and nothing hangs.
    void deadMasterIsAClearError()
    {
        RedisCache cache(m_set.url(), "dead_");
        cache.setWritable(true);
        const QByteArray onDead = keyOn(m_set, "dead_", 2);
        QVERIFY(!onDead.isEmpty());
        CHECK_OK(cache.set(onDead.mid(5), PyValue::integer(1)));
        const QString deadNode = QStringLiteral("127.0.0.1:%1").arg(m_set.node(2).port());
        m_set.node(2).kill();

        auto got = cache.get(onDead.mid(5));
        QVERIFY(!got);
        QVERIFY2(got.error().contains(deadNode), qPrintable(got.error()));

        RedisKeySource source(m_set.url(), "dead_");
        QSignalSpy failed(&source, &KeySource::scanFailed);
        source.requestScan("0", "dead_*", 100, true);
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 60000);
        const QString error = failed.first().at(1).toString();
        QVERIFY2(error.contains(QStringLiteral("SCAN on")) && error.contains(deadNode), qPrintable(error));
        QVERIFY2(!error.contains(kPassword), qPrintable(error));
    }
};

QTEST_MAIN(TestCluster)
#include "tst_cluster.moc"
