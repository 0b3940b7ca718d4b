// Sentinel on a real set (Debian's redis-server and redis-sentinel: one master, one replica,
// three sentinels): CacheScope finds the master and a replica through the sentinels as redis-py
// does, reads and writes as Flask-Caching's RedisSentinelCache does, follows a failover by itself
// while the key browser scans (the scan finishes on the promoted replica, no key lost or twice),
// and Python's Flask-Caching reads what CacheScope writes and the other way round.
#include "browse/rediskeysource.h"
#include "cacheoverviewmodel.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "cache/cachemanager.h"
#include "cache/rediscache.h"
#include "config/configloader.h"
#include "keytreemodel.h"
#include "monitor/redisinfopoller.h"
#include "redis/redisclient.h"
#include "redis/redisnotices.h"
#include "checkok.h"
#include "keytreewalk.h"
#include "python.h"
#include "redissentinelset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <set>

using namespace cachescope;
using namespace cachescope::test;

namespace {

RedisUrl sentinelUrl(const RedisSentinelSet &set, RedisSentinel::Role role, int db = 0)
{
    RedisUrl url;
    url.db = db;
    url.password = set.options().password;
    RedisSentinel s;
    s.sentinels = set.sentinels();
    s.master = set.options().masterName;
    s.role = role;
    s.password = set.options().sentinelPassword;
    url.sentinel = s;
    return url;
}

QString roleOf(RedisClient &client)
{
    auto r = client.command({"ROLE"});
    return r && !r->elements.empty() ? QString::fromUtf8(r->elements[0].string) : QString();
}

// `count` keys "superset_<n % 7>:<n>" (seven namespaces) written through `client`, 5,000 a pipeline.
QList<QByteArray> fillKeys(RedisClient &client, const QByteArray &prefix, int count)
{
    QList<QByteArray> keys;
    for (int i = 0; i < count; ++i)
        keys << prefix + QByteArray::number(i % 7) + ':' + QByteArray::number(i);
    for (qsizetype at = 0; at < keys.size(); at += 5000) {
        QList<QList<QByteArray>> cmds;
        for (qsizetype i = at; i < qMin(keys.size(), at + 5000); ++i)
            cmds.append(QList<QByteArray>{"SET", keys[i], "v"});
        if (!client.pipeline(cmds))
            return {};
    }
    return keys;
}

QString pyStr(const QString &s)
{
    return QStringLiteral("'%1'").arg(s);
}

} // namespace

class TestSentinel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void discoversMasterAndReplica()
    {
        RedisSentinelSet set;
        const QString started = set.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));

        RedisClient master(sentinelUrl(set, RedisSentinel::Role::Master, 2));
        CHECK_OK(master.connect());
        QCOMPARE(roleOf(master), QStringLiteral("master"));
        QVERIFY2(master.serverName().contains(QString::number(set.master().port())), qPrintable(master.serverName()));
        QVERIFY2(master.serverName().contains(QStringLiteral("sentinel mymaster")), qPrintable(master.serverName()));
        CHECK_OK(master.command({"SET", "k", "v"}));
        QVERIFY(set.master().command({"WAIT", "1", "5000"}).startsWith(":1"));

        RedisClient replica(sentinelUrl(set, RedisSentinel::Role::Replica, 2));
        CHECK_OK(replica.connect());
        QCOMPARE(roleOf(replica), QStringLiteral("slave"));
        QVERIFY2(replica.serverName().contains(QString::number(set.replica().port())), qPrintable(replica.serverName()));
        auto get = replica.command({"GET", "k"}); // SELECT 2 happened on the replica too
        CHECK_OK(get);
        QCOMPARE(get->string, QByteArray("v"));

        // The first sentinel is gone: the next one answers.
        RedisUrl withDead = sentinelUrl(set, RedisSentinel::Role::Master);
        withDead.sentinel->sentinels.prepend({QStringLiteral("127.0.0.1"), int(freeLoopbackPort())});
        RedisClient viaSecond(withDead);
        CHECK_OK(viaSecond.connect());

        // A master name no sentinel knows: said so, naming the sentinels asked.
        RedisUrl unknown = sentinelUrl(set, RedisSentinel::Role::Master);
        unknown.sentinel->master = QStringLiteral("nosuchmaster");
        RedisClient none(unknown);
        auto c = none.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("knows no master named \"nosuchmaster\"")), qPrintable(c.error()));
    }

    // ACL/AUTH on both sides: the data nodes' password and the sentinels' own one.
    void passwordsOnNodesAndSentinels()
    {
        RedisSentinelSet set;
        RedisSentinelSet::Options options;
        options.password = QStringLiteral("node pw");
        options.sentinelPassword = QStringLiteral("sentinel pw");
        const QString started = set.start(options);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisClient ok(sentinelUrl(set, RedisSentinel::Role::Master));
        CHECK_OK(ok.connect());
        QCOMPARE(roleOf(ok), QStringLiteral("master"));

        RedisUrl noSentinelPw = sentinelUrl(set, RedisSentinel::Role::Master);
        noSentinelPw.sentinel->password.clear();
        RedisClient refusedBySentinels(noSentinelPw);
        auto s = refusedBySentinels.connect();
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("NOAUTH")), qPrintable(s.error()));

        RedisUrl wrongNodePw = sentinelUrl(set, RedisSentinel::Role::Master);
        wrongNodePw.password = QStringLiteral("wrong");
        RedisClient refusedByNode(wrongNodePw);
        auto n = refusedByNode.connect();
        QVERIFY(!n);
        QVERIFY2(n.error().contains(QStringLiteral("authentication failed")), qPrintable(n.error()));
        QVERIFY(!n.error().contains(QStringLiteral("sentinel pw")) && !n.error().contains(QStringLiteral("wrong")));
    }

    // The key browser scans the master; the master dies in the middle of the scan. The scan
    // goes on by itself on the replica the sentinels promote, and the tree ends with every key
    // exactly once. The cache layer, the INFO poller (Overview, Hit rates) keep working too,
    // and the switch is noted for the user.
    void followsFailoverWhileScanning()
    {
        RedisSentinelSet set;
        const QString started = set.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisClient filler(sentinelUrl(set, RedisSentinel::Role::Master));
        const QList<QByteArray> keys = fillKeys(filler, "superset_", 200000);
        QCOMPARE(keys.size(), 200000);
        QVERIFY(set.master().command({"WAIT", "1", "10000"}).startsWith(":1"));

        RedisCache cache(sentinelUrl(set, RedisSentinel::Role::Master), "superset_");
        CHECK_OK(cache.set("before", PyValue::integer(1)));
        RedisInfoPoller poller(sentinelUrl(set, RedisSentinel::Role::Replica), 200);
        QSignalSpy serverSamples(&poller, &RedisInfoPoller::serverSample);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(serverSamples.count() >= 1, 10000);

        RedisKeySource source(sentinelUrl(set, RedisSentinel::Role::Master), "superset_");
        KeyTreeModel model; // (its QAbstractItemModelTester runs in tst_keytreemodel: here it would check 200k rows per batch)
        model.setBatchSize(100); // many round trips: the master dies mid-scan
        model.setSource(&source);
        QSignalSpy errors(&model, &KeyTreeModel::errorOccurred);
        QSignalSpy progress(&model, &KeyTreeModel::loadProgress);
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 30000); // the first batch is in
        QVERIFY2(!model.isScanComplete(), "the scan must still be running when the master dies");

        const QString failover = set.killMasterAndWaitForFailover();
        QVERIFY2(failover.isEmpty(), qPrintable(failover));
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 120000);
        QCOMPARE(errors.count(), 0);
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        const std::set<QByteArray> unique(loaded.begin(), loaded.end());
        QCOMPARE(unique.size(), size_t(loaded.size())); // nothing twice
        QCOMPARE(loaded.size(), keys.size() + 1);       // nothing lost ("before" is the one more)
        QVERIFY(unique == [&] {
            std::set<QByteArray> all(keys.begin(), keys.end());
            all.insert("superset_before");
            return all;
        }());

        // The cache writes to the new master and reads (no replica left) from it.
        CHECK_OK(cache.set("after", PyValue::integer(2)));
        auto after = cache.get("after");
        CHECK_OK(after);
        QVERIFY(after->has_value());
        QCOMPARE((*after)->repr(), QStringLiteral("2"));
        // INFO keeps coming, now from the promoted replica.
        const int samplesBefore = int(serverSamples.count());
        QTRY_VERIFY_WITH_TIMEOUT(serverSamples.count() > samplesBefore + 2, 20000);
        poller.stop();
        // After the failover the sentinels still list the dead master, as a replica flagged
        // s_down: a replica-role connection skips it and lands on the promoted node.
        QTRY_VERIFY_WITH_TIMEOUT(set.sentinelCommand(0, {"SENTINEL", "replicas", "mymaster"}).contains("s_down"), 30000);
        QVERIFY(set.sentinelCommand(0, {"SENTINEL", "replicas", "mymaster"}).contains(QByteArray::number(set.master().port())));
        RedisClient reader(sentinelUrl(set, RedisSentinel::Role::Replica));
        CHECK_OK(reader.connect());
        QVERIFY2(reader.serverName().contains(QString::number(set.replica().port())), qPrintable(reader.serverName()));
        // The switch was noted for the user.
        const QString noted = RedisNotices::instance().all().join(u'\n');
        QVERIFY2(noted.contains(QStringLiteral("failover followed")) && noted.contains(QString::number(set.replica().port())),
                 qPrintable(noted));
    }

    // The window as a user sees it: a config's RedisSentinelCache on the Overview, Keys and Hit
    // rates pages; the master dies while the Keys page loads. The load finishes on the promoted
    // replica with every key once, the Overview's server figures come back, nothing crashes, and
    // the message bar says the master moved.
    void windowFollowsFailover()
    {
        RedisSentinelSet set;
        const QString started = set.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisClient filler(sentinelUrl(set, RedisSentinel::Role::Master));
        constexpr int kKeys = 200000;
        QCOMPARE(fillKeys(filler, "superset_data_", kKeys).size(), kKeys);
        QVERIFY(set.master().command({"WAIT", "1", "10000"}).startsWith(":1"));

        CacheSpec spec;
        spec.purpose = CachePurpose::Data;
        spec.backend = BackendType::RedisSentinel;
        spec.sentinels = set.sentinels();
        spec.sentinelMaster = set.options().masterName;
        spec.keyPrefix = "superset_data_";
        auto manager = CacheManager::create({spec}, CacheManager::Access::ReadOnly);
        CHECK_OK(manager);
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        window.setCacheManager(manager->get(), QStringLiteral("sentinel config"));
        const QAbstractItemModel *overview = window.overviewModel();
        auto memory = [&] { return overview->index(0, CacheOverviewModel::Memory).data(CacheOverviewModel::SortRole).toLongLong(); };
        QTRY_VERIFY_WITH_TIMEOUT(memory() > 0, 30000);

        window.showPage(MainWindow::Page::Keys);
        KeysPage *page = window.keysBrowser()->keysPage();
        page->model()->setBatchSize(100);
        QSignalSpy progress(page->model(), &KeyTreeModel::loadProgress);
        page->loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 30000); // the first batch is in
        QVERIFY2(!page->model()->isScanComplete(), "the load must still be running when the master dies");
        const QString failover = set.killMasterAndWaitForFailover();
        QVERIFY2(failover.isEmpty(), qPrintable(failover));
        QTRY_VERIFY_WITH_TIMEOUT(page->model()->isScanComplete(), 120000);
        QCOMPARE(page->model()->loadedKeyCount(), quint64(kKeys));
        QList<QByteArray> loaded;
        collectKeys(*page->model(), {}, loaded);
        QCOMPARE(std::set<QByteArray>(loaded.begin(), loaded.end()).size(), size_t(kKeys));
        QTRY_VERIFY_WITH_TIMEOUT(window.messageBar()->text().contains(QStringLiteral("failover followed")), 10000);

        // The Overview's server figures come from the promoted node now: wait for a fresh one.
        window.showPage(MainWindow::Page::Overview);
        QVERIFY(set.replica().command({"SET", "superset_data_after", QByteArray(200000, 'x')}).startsWith("+OK"));
        const qint64 before = memory();
        QTRY_VERIFY_WITH_TIMEOUT(memory() > before, 30000);
        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_SENTINEL");
        if (!shot.isEmpty()) {
            window.showPage(MainWindow::Page::Keys);
            QVERIFY(window.grab().save(shot));
        }
    }

    // Flask-Caching 2.0.2's RedisSentinelCache through a superset_config.py, both directions:
    // Python writes to the master and reads from the replica, as CacheScope does.
    void flaskCachingInterop()
    {
        RedisSentinelSet set;
        RedisSentinelSet::Options options;
        options.password = QStringLiteral("nodepw");
        options.sentinelPassword = QStringLiteral("sentinelpw");
        const QString started = set.start(options);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        const QString source = QStringLiteral(
            "CACHE_CONFIG = {\n"
            "    'CACHE_TYPE': 'RedisSentinelCache',\n"
            "    'CACHE_REDIS_SENTINELS': %1,\n"
            "    'CACHE_REDIS_SENTINEL_MASTER': 'mymaster',\n"
            "    'CACHE_REDIS_PASSWORD': %2,\n"
            "    'CACHE_REDIS_SENTINEL_PASSWORD': %3,\n"
            "    'CACHE_REDIS_DB': 3,\n"
            "    'CACHE_KEY_PREFIX': 'superset_',\n"
            "}\n")
                                   .arg(set.pythonSentinels(), pyStr(options.password), pyStr(options.sentinelPassword));
        ConfigLoader::Options loaderOptions;
        const ConfigReport report = ConfigLoader::loadSource(source, QStringLiteral("superset_config.py"), loaderOptions);
        QVERIFY2(report.loaded, qPrintable(report.error));
        const CacheSpec spec = report.caches.first();
        QCOMPARE(spec.backend, BackendType::RedisSentinel);
        QCOMPARE(spec.sentinelPassword, options.sentinelPassword);
        auto built = CacheManager::buildCache(spec, CacheManager::Access::ReadWrite);
        CHECK_OK(built);
        Cache &cache = **built;
        QCOMPARE(cache.backendName(), QStringLiteral("RedisSentinelCache"));

        const QString python = QStringLiteral(
            "import sys, json, time, types\n"
            "from flask import Flask\n"
            "from flask_caching import Cache\n"
            "cfg = types.ModuleType('superset_config')\n"
            "exec(sys.stdin.read(), cfg.__dict__)\n"
            "cache = Cache(Flask('t'), config=cfg.CACHE_CONFIG).cache\n"
            "assert type(cache).__name__ == 'RedisSentinelCache'\n"
            "if sys.argv[1] == 'write':\n"
            "    assert cache.set('from_python', {'rows': [1, 2], 'ok': True})\n"
            "    print('ok')\n"
            "else:\n"
            "    deadline = time.time() + 10\n"  // reads come from the replica: let it catch up
            "    while cache.get('from_cachescope') is None and time.time() < deadline:\n"
            "        time.sleep(0.05)\n"
            "    print(json.dumps(repr(cache.get('from_cachescope'))))\n");
        CHECK_OK(runPython(python, {QStringLiteral("write")}, source.toUtf8()));
        QVERIFY(set.master().command({"WAIT", "1", "5000"}, options.password.toUtf8()).startsWith(":1"));
        auto got = cache.get("from_python"); // through the replica, as Flask-Caching reads
        CHECK_OK(got);
        QVERIFY(got->has_value());
        QCOMPARE((*got)->repr(), QStringLiteral("{'rows': [1, 2], 'ok': True}"));
        CHECK_OK(cache.set("from_cachescope", PyValue::list({PyValue::str(QByteArray("x")), PyValue::floating(0.5)})));
        auto read = runPython(python, {QStringLiteral("read")}, source.toUtf8());
        CHECK_OK(read);
        QCOMPARE(QJsonDocument::fromJson("[" + read->trimmed() + "]").array().at(0).toString(), QStringLiteral("['x', 0.5]"));
        // Both went to DB 3 of the master, under the prefix.
        RedisUrl db3 = set.master().redisUrl(3);
        db3.password = options.password;
        RedisClient direct(db3);
        auto keys = direct.command({"KEYS", "superset_from_*"});
        CHECK_OK(keys);
        QCOMPARE(keys->elements.size(), size_t(2));
    }
};

QTEST_MAIN(TestSentinel)
#include "tst_sentinel.moc"
