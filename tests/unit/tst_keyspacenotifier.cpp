#include "monitor/keyspacenotifier.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QTest>

using namespace cachescope;

namespace {

// Collects the notifier's signals on the test's thread (queued: the notifier emits from its own).
struct Collector : QObject
{
    explicit Collector(KeyspaceNotifier &n)
    {
        connect(&n, &KeyspaceNotifier::keyEventSample, this, [this](const KeyEventSample &s) {
            expired[s.cache] += s.expired;
            evicted[s.cache] += s.evicted;
            samples.append(s);
        });
        connect(&n, &KeyspaceNotifier::stateChanged, this,
                [this](KeyspaceNotifier::State s, const QString &) { states.append(s); });
    }
    quint64 sum(const QHash<QString, quint64> &h) const
    {
        quint64 n = 0;
        for (quint64 v : h)
            n += v;
        return n;
    }
    QHash<QString, quint64> expired, evicted;
    QList<KeyEventSample> samples;
    QList<KeyspaceNotifier::State> states;
};

RedisUrl urlOf(const test::RedisServer &server, const QString &user = {}, const QString &password = {})
{
    RedisUrl url = RedisUrl::parse(server.url()).value();
    url.username = user;
    url.password = password;
    return url;
}

qint64 infoField(RedisClient &client, const QByteArray &section, const QByteArray &field)
{
    auto r = client.command({"INFO", section});
    if (!r || r->isError())
        return -1;
    for (const QByteArray &line : r->string.split('\n'))
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().toLongLong();
    return -1;
}

// Calls of one command the server has executed ("config|set": Redis 7 counts subcommands apart).
qint64 commandCalls(RedisClient &client, const QByteArray &command)
{
    auto r = client.command({"INFO", "commandstats"});
    if (!r || r->isError())
        return -1;
    const QByteArray key = "cmdstat_" + command + ":calls=";
    for (const QByteArray &line : r->string.split('\n'))
        if (line.startsWith(key))
            return line.mid(key.size(), line.indexOf(',') - key.size()).toLongLong();
    return 0; // commandstats omits commands never called
}

qint64 configSetCalls(RedisClient &client)
{
    return commandCalls(client, "config|set");
}

qint64 numPat(RedisClient &client)
{
    auto r = client.command({"PUBSUB", "NUMPAT"});
    return r && r->type == RedisReply::Type::Integer ? r->integer : -1;
}

QByteArray notifyConfig(RedisClient &client)
{
    auto r = client.command({"CONFIG", "GET", "notify-keyspace-events"});
    return r && r->elements.size() == 2 ? r->elements[1].string : QByteArray("?");
}

void expireKeys(RedisClient &client, const QByteArray &prefix, int n)
{
    for (int i = 0; i < n; ++i)
        QVERIFY(client.command({"SET", prefix + QByteArray::number(i), "v", "PX", "100"}));
}

} // namespace

class TestKeyspaceNotifier : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesFlags();
    void longestPrefixWins();
    void countsExpiredKeysPerPrefixExactly();
    void offServerIsReportedAndNothingSubscribed();
    void neverSendsConfigSetEvenWhenAllowedOnlyGet();
    void forbiddenConfigGetIsUnknown();
    void evictedPerPrefixSumToInfoEvictedKeys();
    void resubscribesAfterServerRestart();
};

void TestKeyspaceNotifier::parsesFlags()
{
    auto f = KeyspaceNotifier::parseFlags("");
    QVERIFY(!f.expired && !f.evicted);
    f = KeyspaceNotifier::parseFlags("xE");
    QVERIFY(f.expired && !f.evicted);
    f = KeyspaceNotifier::parseFlags("Kx"); // keyspace channels only: the key is not the payload
    QVERIFY(!f.expired && !f.evicted);
    f = KeyspaceNotifier::parseFlags("eE");
    QVERIFY(!f.expired && f.evicted);
    f = KeyspaceNotifier::parseFlags("AE");
    QVERIFY(f.expired && f.evicted);
    QCOMPARE(KeyspaceNotifier::flagsWith("", "x"), QByteArray("Ex"));
    QCOMPARE(KeyspaceNotifier::flagsWith("Kg", "xe"), QByteArray("KgExe"));
    QCOMPARE(KeyspaceNotifier::flagsWith("AK", "xe"), QByteArray("AKE"));
    QCOMPARE(KeyspaceNotifier::flagsWith("xE", "x"), QByteArray("xE"));
}

void TestKeyspaceNotifier::longestPrefixWins()
{
    KeyspaceNotifier n(RedisUrl{});
    n.addPrefix("superset_", QStringLiteral("CACHE_CONFIG"));
    n.addPrefix("superset_data_", QStringLiteral("DATA_CACHE_CONFIG"));
    QCOMPARE(n.cacheForKey("superset_data_1"), QStringLiteral("DATA_CACHE_CONFIG"));
    QCOMPARE(n.cacheForKey("superset_1"), QStringLiteral("CACHE_CONFIG"));
    QCOMPARE(n.cacheForKey("x"), QStringLiteral("(other)"));
    n.setUnmatchedName({});
    QCOMPARE(n.cacheForKey("x"), QString());
}

void TestKeyspaceNotifier::countsExpiredKeysPerPrefixExactly()
{
    test::RedisServer server;
    QCOMPARE(server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("Ex")}), QString());
    RedisClient client(urlOf(server));
    QVERIFY(client.connect());
    RedisUrl db1Url = urlOf(server);
    db1Url.db = 1;
    RedisClient db1(db1Url);
    QVERIFY(db1.connect());

    KeyspaceNotifier notifier(urlOf(server));
    notifier.addPrefix("superset_", QStringLiteral("CACHE_CONFIG"));
    notifier.addPrefix("superset_data_", QStringLiteral("DATA_CACHE_CONFIG"));
    notifier.setIntervalMs(50);
    Collector c(notifier);
    const qint64 expiredBefore = infoField(client, "stats", "expired_keys");
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Subscribed, 5000);
    QVERIFY(notifier.statusMessage().contains(u"expired key events of db 0"));

    expireKeys(client, "superset_", 7);
    expireKeys(client, "superset_data_", 11);
    expireKeys(client, "other_", 3);
    expireKeys(db1, "superset_", 5); // another DB: not this cache's keys
    QVERIFY(client.command({"SET", "superset_forever", "v"}));
    // Active expiry removes them within a few server cycles; INFO confirms all 26 are gone.
    QTRY_COMPARE_WITH_TIMEOUT(infoField(client, "stats", "expired_keys") - expiredBefore, qint64(26), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(c.sum(c.expired), quint64(21), 5000);
    QTest::qWait(300); // later samples must not add anything
    notifier.stop();
    QCOMPARE(c.expired.value(QStringLiteral("CACHE_CONFIG")), quint64(7));
    QCOMPARE(c.expired.value(QStringLiteral("DATA_CACHE_CONFIG")), quint64(11));
    QCOMPARE(c.expired.value(QStringLiteral("(other)")), quint64(3));
    QCOMPARE(c.sum(c.evicted), quint64(0));
    for (const KeyEventSample &s : std::as_const(c.samples)) {
        QCOMPARE(s.server, urlOf(server).redacted());
        QVERIFY(s.timestampMs > 0);
        QVERIFY(s.intervalSeconds >= 0);
        if (s.intervalSeconds > 0)
            QVERIFY(qAbs(s.expiredPerSecond() * s.intervalSeconds - double(s.expired)) < 1e-6);
    }
    QCOMPARE(configSetCalls(client), qint64(0));
    QCOMPARE(notifyConfig(client), QByteArray("xE"));
}

void TestKeyspaceNotifier::offServerIsReportedAndNothingSubscribed()
{
    test::RedisServer server;
    QCOMPARE(server.start(), QString());
    RedisClient client(urlOf(server));
    QVERIFY(client.connect());
    KeyspaceNotifier notifier(urlOf(server));
    notifier.addPrefix("superset_", QStringLiteral("CACHE_CONFIG"));
    Collector c(notifier);
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Off, 5000);
    const QString expected = QStringLiteral("keyspace notifications are off on 127.0.0.1:%1 (notify-keyspace-events=''); "
                                            "enable with CONFIG SET notify-keyspace-events Ex — CacheScope never changes it for you")
                                 .arg(server.port());
    QCOMPARE(notifier.statusMessage(), expected);
    QTRY_VERIFY(!notifier.isRunning()); // it gives up: nothing to listen to
    QCOMPARE(numPat(client), qint64(0));
    QCOMPARE(commandCalls(client, "psubscribe"), qint64(0)); // never even tried
    QCOMPARE(c.samples.size(), 0);
    QCOMPARE(configSetCalls(client), qint64(0));
    QCOMPARE(notifyConfig(client), QByteArray());

    // The explicit user action does change it, exactly once; started again, the notifier subscribes.
    auto enabled = KeyspaceNotifier::enableNotifications(urlOf(server));
    QVERIFY2(enabled, qPrintable(enabled.error()));
    QVERIFY(KeyspaceNotifier::parseFlags(*enabled).expired);
    QCOMPARE(configSetCalls(client), qint64(1));
    QCOMPARE(notifyConfig(client), *enabled);
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Subscribed, 5000);
    QCOMPARE(numPat(client), qint64(1));
    QCOMPARE(commandCalls(client, "psubscribe"), qint64(1));
    expireKeys(client, "superset_", 4);
    QTRY_COMPARE_WITH_TIMEOUT(c.expired.value(QStringLiteral("CACHE_CONFIG")), quint64(4), 10000);
    notifier.stop();
    QCOMPARE(configSetCalls(client), qint64(1));
    // Already enabled: asking again changes nothing.
    QCOMPARE(KeyspaceNotifier::enableNotifications(urlOf(server)).value(), *enabled);
    QCOMPARE(configSetCalls(client), qint64(1));
}

// A user that may run everything but CONFIG SET: any attempt would be denied and written to ACL LOG.
void TestKeyspaceNotifier::neverSendsConfigSetEvenWhenAllowedOnlyGet()
{
    for (const QString &flags : {QString(), QStringLiteral("Ex")}) {
        test::RedisServer server;
        QCOMPARE(server.start({QStringLiteral("--notify-keyspace-events"), flags}), QString());
        RedisClient admin(urlOf(server));
        QVERIFY(admin.connect());
        QVERIFY(admin.command({"ACL", "SETUSER", "watcher", "on", ">pw", "~*", "allchannels", "+@all", "-config|set"}));
        KeyspaceNotifier notifier(urlOf(server, QStringLiteral("watcher"), QStringLiteral("pw")));
        notifier.start();
        const auto wanted = flags.isEmpty() ? KeyspaceNotifier::State::Off : KeyspaceNotifier::State::Subscribed;
        QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), wanted, 5000);
        notifier.stop();
        auto log = admin.command({"ACL", "LOG"});
        QVERIFY(log);
        QCOMPARE(log->elements.size(), size_t(0));
        QCOMPARE(configSetCalls(admin), qint64(0));
        QCOMPARE(notifyConfig(admin), flags.isEmpty() ? QByteArray() : QByteArray("xE"));
        // The probe itself works: an attempt by that user is refused and logged.
        RedisClient watcher(urlOf(server, QStringLiteral("watcher"), QStringLiteral("pw")));
        QVERIFY(watcher.connect());
        auto denied = watcher.command({"CONFIG", "SET", "notify-keyspace-events", "Ex"});
        QVERIFY(denied && denied->isError());
        log = admin.command({"ACL", "LOG"});
        QVERIFY(log);
        QCOMPARE(log->elements.size(), size_t(1));
    }
}

void TestKeyspaceNotifier::forbiddenConfigGetIsUnknown()
{
    test::RedisServer server;
    QCOMPARE(server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("Ex")}), QString());
    RedisClient admin(urlOf(server));
    QVERIFY(admin.connect());
    QVERIFY(admin.command({"ACL", "SETUSER", "app", "on", ">pw", "~*", "allchannels", "+@all", "-config"}));
    KeyspaceNotifier notifier(urlOf(server, QStringLiteral("app"), QStringLiteral("pw")));
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Unknown, 5000);
    QVERIFY2(notifier.statusMessage().contains(u"unknown"), qPrintable(notifier.statusMessage()));
    QVERIFY(notifier.statusMessage().contains(QStringLiteral("127.0.0.1:%1").arg(server.port())));
    QVERIFY(!notifier.statusMessage().contains(u"pw"));
    QTRY_VERIFY(!notifier.isRunning());
    QCOMPARE(numPat(admin), qint64(0)); // the events are on, but unknown to us: still nothing subscribed
    QCOMPARE(configSetCalls(admin), qint64(0));
}

void TestKeyspaceNotifier::evictedPerPrefixSumToInfoEvictedKeys()
{
    test::RedisServer server;
    QCOMPARE(server.start({QStringLiteral("--maxmemory"), QStringLiteral("2mb"), QStringLiteral("--maxmemory-policy"),
                           QStringLiteral("allkeys-lru"), QStringLiteral("--notify-keyspace-events"), QStringLiteral("Eex")}),
             QString());
    RedisClient client(urlOf(server));
    QVERIFY(client.connect());
    KeyspaceNotifier notifier(urlOf(server));
    notifier.addPrefix("a_", QStringLiteral("A"));
    notifier.addPrefix("b_", QStringLiteral("B"));
    notifier.setIntervalMs(50);
    Collector c(notifier);
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Subscribed, 5000);
    QVERIFY(notifier.statusMessage().contains(u"expired and evicted"));

    const qint64 before = infoField(client, "stats", "evicted_keys");
    const QByteArray value(1024, 'v');
    int written = 0;
    while (infoField(client, "stats", "evicted_keys") - before < 300 && written < 40000) {
        QList<QList<QByteArray>> batch;
        for (int i = 0; i < 100; ++i, ++written)
            batch.append({"SET", (written % 3 ? "a_" : "b_") + QByteArray::number(written), value});
        QVERIFY(client.pipeline(batch));
    }
    const qint64 delta = infoField(client, "stats", "evicted_keys") - before;
    QVERIFY2(delta >= 300, qPrintable(QStringLiteral("only %1 evictions after %2 writes").arg(delta).arg(written)));
    QTRY_COMPARE_WITH_TIMEOUT(qint64(c.sum(c.evicted)), infoField(client, "stats", "evicted_keys") - before, 10000);
    QVERIFY(c.evicted.value(QStringLiteral("A")) > 0);
    QVERIFY(c.evicted.value(QStringLiteral("B")) > 0);
    QCOMPARE(c.evicted.value(QStringLiteral("(other)")), quint64(0));
    QCOMPARE(c.evicted.value(QStringLiteral("A")) + c.evicted.value(QStringLiteral("B")), c.sum(c.evicted));
    qInfo("writes=%d evicted_keys delta=%lld A=%llu B=%llu", written, delta, c.evicted.value(QStringLiteral("A")),
          c.evicted.value(QStringLiteral("B")));
    notifier.stop();
}

void TestKeyspaceNotifier::resubscribesAfterServerRestart()
{
    test::RedisServer server;
    QCOMPARE(server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("Ex")}), QString());
    KeyspaceNotifier notifier(urlOf(server));
    notifier.addPrefix("k_", QStringLiteral("K"));
    notifier.setIntervalMs(50);
    notifier.setRetryMs(50);
    Collector c(notifier);
    notifier.start();
    QTRY_COMPARE_WITH_TIMEOUT(notifier.state(), KeyspaceNotifier::State::Subscribed, 5000);
    {
        RedisClient client(urlOf(server));
        QVERIFY(client.connect());
        expireKeys(client, "k_", 2);
        QTRY_COMPARE_WITH_TIMEOUT(c.expired.value(QStringLiteral("K")), quint64(2), 5000);
    }

    QCOMPARE(server.restart(), QString());
    // The lost connection is reported, then the subscription comes back by itself.
    QTRY_VERIFY_WITH_TIMEOUT(c.states.count(KeyspaceNotifier::State::Subscribed) >= 2, 10000);
    const qsizetype firstSub = c.states.indexOf(KeyspaceNotifier::State::Subscribed);
    QVERIFY(c.states.indexOf(KeyspaceNotifier::State::Connecting, firstSub) > firstSub);
    RedisClient client(urlOf(server));
    QVERIFY(client.connect());
    QCOMPARE(numPat(client), qint64(1));
    expireKeys(client, "k_x", 5);
    QTRY_COMPARE_WITH_TIMEOUT(c.expired.value(QStringLiteral("K")), quint64(7), 5000);
    notifier.stop();
    QCOMPARE(notifier.state(), KeyspaceNotifier::State::Idle);
}

QTEST_GUILESS_MAIN(TestKeyspaceNotifier)
#include "tst_keyspacenotifier.moc"
