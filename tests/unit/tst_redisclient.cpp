#include "redis/redisclient.h"
#include "redisserver.h"
#include "checkok.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace cachescope;
using namespace std::chrono_literals;

class TestRedisClient : public QObject
{
    Q_OBJECT

private slots:
    void commandsAndReplyTypes()
    {
        test::RedisServer server;
        const QString started = server.start();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisClient client(server.redisUrl(2));
        auto c = client.connect();
        CHECK_OK(c);
        QVERIFY(client.isConnected());

        const QByteArray binaryKey("k\0\r\n\xff", 5);
        const QByteArray binaryValue = QByteArray(70000, '\0') + "tail\r\n";
        auto set = client.command({"SET", binaryKey, binaryValue});
        CHECK_OK(set);
        QCOMPARE(set->type, RedisReply::Type::Status);
        QCOMPARE(set->string, QByteArray("OK"));
        auto get = client.command({"GET", binaryKey});
        CHECK_OK(get);
        QCOMPARE(get->type, RedisReply::Type::String);
        QCOMPARE(get->string, binaryValue);
        auto nil = client.command({"GET", "missing"});
        CHECK_OK(nil);
        QVERIFY(nil->isNil());
        auto err = client.command({"INCR", binaryKey});
        CHECK_OK(err); // a Redis error is a reply, not a connection failure
        QVERIFY(err->isError());
        QVERIFY(err->string.startsWith("ERR"));
        client.command({"RPUSH", "list", "a", "b"});
        auto arr = client.command({"LRANGE", "list", "0", "-1"});
        CHECK_OK(arr);
        QCOMPARE(arr->type, RedisReply::Type::Array);
        QCOMPARE(arr->elements.size(), size_t(2));
        QCOMPARE(arr->elements[1].string, QByteArray("b"));

        // SELECT happened: the key lives in DB 2, not DB 0.
        QVERIFY(server.command({"DBSIZE"}).startsWith(":0"));
        QVERIFY(server.command({"SELECT", "2"}).startsWith("+OK"));
    }

    void pipeline()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        RedisClient client(server.redisUrl());
        QList<QList<QByteArray>> cmds;
        for (int i = 0; i < 500; ++i)
            cmds.append(QList<QByteArray>{"SET", "p" + QByteArray::number(i), QByteArray::number(i * 3)});
        cmds.append(QList<QByteArray>{"INCR", "p7"});
        cmds.append(QList<QByteArray>{"HGET", "p1", "x"}); // WRONGTYPE error in the middle of a pipeline
        cmds.append(QList<QByteArray>{"GET", "p499"});
        auto r = client.pipeline(cmds);
        CHECK_OK(r);
        QCOMPARE(r->size(), size_t(503));
        QCOMPARE((*r)[0].string, QByteArray("OK"));
        QCOMPARE((*r)[500].integer, 22);
        QVERIFY((*r)[501].isError());
        QCOMPARE((*r)[502].string, QByteArray("1497"));
        auto empty = client.pipeline({});
        CHECK_OK(empty);
        QVERIFY(empty->empty());
    }

    void socketTimeoutIsMilliseconds()
    {
        // 1500 ms socket timeout vs a 1 s server-side block: succeeds only when 1500 ms became
        // 1.5 s (not 1.5 ms in tv_usec); a 0 s-timeout-forever block then times out.
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        RedisUrl url = server.redisUrl();
        url.socketTimeout = 1500ms;
        RedisClient client(url);
        auto r = client.command({"BLPOP", "nothing", "1"});
        CHECK_OK(r);
        QVERIFY(r->isNil() || (r->type == RedisReply::Type::Array && r->elements.empty()));
        auto blocked = client.command({"BLPOP", "nothing", "0"});
        QVERIFY(!blocked);
        QVERIFY2(blocked.error().contains(QStringLiteral("timed out")), qPrintable(blocked.error()));
        QVERIFY2(blocked.error().contains(QStringLiteral("127.0.0.1:%1").arg(server.port())), qPrintable(blocked.error()));
    }

    void requirePass()
    {
        test::RedisServer server;
        const QString started = server.start({QStringLiteral("--requirepass"), QStringLiteral("s3cr3t pass")});
        QVERIFY2(started.isEmpty(), qPrintable(started));
        auto good = RedisUrl::parse(QStringLiteral("redis://:s3cr3t%20pass@127.0.0.1:%1/1").arg(server.port()));
        CHECK_OK(good);
        RedisClient ok(*good);
        CHECK_OK(ok.connect());
        auto ping = ok.command({"PING"});
        CHECK_OK(ping);
        QCOMPARE(ping->string, QByteArray("PONG"));

        auto bad = RedisUrl::parse(QStringLiteral("redis://:wrong-one@127.0.0.1:%1/0").arg(server.port()));
        RedisClient wrong(*bad);
        auto c = wrong.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("authentication failed")), qPrintable(c.error()));
        QVERIFY(!c.error().contains(QStringLiteral("wrong-one")));

        RedisClient none(server.redisUrl());
        auto noAuth = none.command({"GET", "x"});
        CHECK_OK(noAuth); // connected, but the server refuses: NOAUTH comes back as an error reply
        QVERIFY(noAuth->isError());
        QVERIFY(noAuth->string.startsWith("NOAUTH"));
    }

    void aclUser()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        QVERIFY(server.command({"ACL", "SETUSER", "alice", "on", ">wonder:land", "~app:*", "+@all"}).startsWith("+OK"));
        auto u = RedisUrl::parse(QStringLiteral("redis://alice:wonder%3Aland@127.0.0.1:%1/0").arg(server.port()));
        CHECK_OK(u);
        RedisClient alice(*u);
        CHECK_OK(alice.connect());
        auto who = alice.command({"ACL", "WHOAMI"});
        CHECK_OK(who);
        QCOMPARE(who->string, QByteArray("alice"));
        auto allowed = alice.command({"SET", "app:1", "v"});
        CHECK_OK(allowed);
        QVERIFY(!allowed->isError());
        auto denied = alice.command({"SET", "other", "v"});
        CHECK_OK(denied);
        QVERIFY(denied->isError()); // NOPERM: the ACL user really is in effect

        // A nopass ACL user named without a password: AUTH bob "" (what redis-py sends).
        QVERIFY(server.command({"ACL", "SETUSER", "bob", "on", "nopass", "~*", "+@all"}).startsWith("+OK"));
        auto bobUrl = RedisUrl::parse(QStringLiteral("redis://bob@127.0.0.1:%1/0").arg(server.port()));
        CHECK_OK(bobUrl);
        RedisClient bob(*bobUrl);
        auto bobWho = bob.command({"ACL", "WHOAMI"});
        CHECK_OK(bobWho);
        QCOMPARE(bobWho->string, QByteArray("bob"));

        auto wrongUrl = RedisUrl::parse(QStringLiteral("redis://alice:nope@127.0.0.1:%1/0").arg(server.port()));
        RedisClient wrong(*wrongUrl);
        auto c = wrong.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("alice")), qPrintable(c.error()));
        QVERIFY(!c.error().contains(QStringLiteral("nope")));
    }

    void ipv6Loopback()
    {
        test::RedisServer server;
        const QString started = server.start({QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")});
        QVERIFY2(started.isEmpty(), qPrintable(started));
        auto u = RedisUrl::parse(QStringLiteral("redis://[::1]:%1/3").arg(server.port()));
        CHECK_OK(u);
        RedisClient client(*u);
        CHECK_OK(client.command({"SET", "six", "yes"}));
        auto info = client.command({"CLIENT", "INFO"});
        CHECK_OK(info);
        QVERIFY2(info->string.contains("addr=[::1]") || info->string.contains("addr=::1"), info->string.constData());
        QVERIFY(client.serverName().startsWith(QStringLiteral("[::1]:")));
    }

    void unixSocket()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("redis test.sock"));
        test::RedisServer server;
        QVERIFY(server.start({QStringLiteral("--unixsocket"), path, QStringLiteral("--unixsocketperm"), QStringLiteral("700")})
                    .isEmpty());
        auto u = RedisUrl::parse(QStringLiteral("unix://%1?db=4").arg(QString::fromLatin1(QUrl::toPercentEncoding(path, "/"))));
        CHECK_OK(u);
        QCOMPARE(u->unixSocket, path);
        RedisClient client(*u);
        CHECK_OK(client.command({"SET", "via", "unix"}));
        auto info = client.command({"CLIENT", "INFO"});
        CHECK_OK(info);
        QVERIFY2(info->string.contains("db=4"), info->string.constData());
        QVERIFY2(info->string.contains(QByteArray("laddr=" + path.toUtf8())) || info->string.contains("addr=/"), info->string.constData());
    }

    void deadPort()
    {
        RedisUrl url;
        url.host = QStringLiteral("127.0.0.1");
        url.port = test::freeLoopbackPort();
        url.password = QStringLiteral("never-shown");
        RedisClient client(url);
        auto c = client.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("127.0.0.1:%1").arg(url.port)), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(c.error()));
        QVERIFY(!c.error().contains(QStringLiteral("never-shown")));
        auto r = client.command({"PING"});
        QVERIFY(!r);
        QVERIFY(!client.isConnected());
        auto p = client.pipeline({{"PING"}});
        QVERIFY(!p);
    }

    void serverKilledMidSession()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        RedisClient client(server.redisUrl());
        CHECK_OK(client.command({"SET", "a", "1"}));

        server.stop();
        auto down = client.command({"GET", "a"});
        QVERIFY(!down);
        QVERIFY2(down.error().contains(QStringLiteral("127.0.0.1:%1").arg(server.port())), qPrintable(down.error()));

        QVERIFY(server.restart().isEmpty());
        // Idempotent command on a connection that went stale: reconnected once, transparently.
        auto back = client.command({"SET", "a", "2"});
        CHECK_OK(back);
        QCOMPARE(back->string, QByteArray("OK"));

        QVERIFY(server.restart().isEmpty());
        auto pipe = client.pipeline({{"SET", "b", "1"}, {"GET", "b"}});
        CHECK_OK(pipe);
        QCOMPARE((*pipe)[1].string, QByteArray("1"));

        // INCR is never resent after an unknown outcome: the stale connection's failure surfaces.
        QVERIFY(server.restart().isEmpty());
        auto incr = client.command({"INCR", "n"});
        QVERIFY(!incr);
        auto again = client.command({"INCR", "n"});
        CHECK_OK(again);
        QCOMPARE(again->integer, 1);
    }
};

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
