#include "redis/redisurl.h"
#include "python.h"
#include "checkok.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cachescope;
using namespace std::chrono_literals;

class TestRedisUrl : public QObject
{
    Q_OBJECT

private slots:
    void defaults()
    {
        auto u = RedisUrl::parse(QStringLiteral("redis://"));
        CHECK_OK(u);
        QCOMPARE(u->host, QStringLiteral("localhost"));
        QCOMPARE(u->port, 6379);
        QCOMPARE(u->db, 0);
        QVERIFY(!u->dbInUrl);
        QVERIFY(u->username.isEmpty());
        QVERIFY(u->password.isEmpty());
    }

    void full()
    {
        auto u = RedisUrl::parse(QStringLiteral(
            "redis://al%40ice:p%3Ass%2Fw%20rd@cache.example.org:6390/3?socket_timeout=2.5&socket_connect_timeout=0.25&health_check_interval=3"));
        CHECK_OK(u);
        QCOMPARE(u->host, QStringLiteral("cache.example.org"));
        QCOMPARE(u->port, 6390);
        QCOMPARE(u->db, 3);
        QVERIFY(u->dbInUrl);
        QCOMPARE(u->username, QStringLiteral("al@ice"));
        QCOMPARE(u->password, QStringLiteral("p:ss/w rd"));
        QCOMPARE(u->socketTimeout, 2500ms);
        QCOMPARE(u->connectTimeout, 250ms);
    }

    void passwordOnly()
    {
        auto u = RedisUrl::parse(QStringLiteral("redis://:secret@127.0.0.1/1"));
        CHECK_OK(u);
        QVERIFY(u->username.isEmpty());
        QCOMPARE(u->password, QStringLiteral("secret"));
        QCOMPARE(u->db, 1);
        QCOMPARE(u->port, 6379);
    }

    void queryDbWinsOverPath()
    {
        // redis-py 4.3.4 parse_url: the path is used "if a querystring value wasn't specified".
        auto u = RedisUrl::parse(QStringLiteral("redis://h:1/2?db=5"));
        CHECK_OK(u);
        QCOMPARE(u->db, 5);
        auto v = RedisUrl::parse(QStringLiteral("redis://h:1?db=7"));
        CHECK_OK(v);
        QCOMPARE(v->db, 7);
        QVERIFY(v->dbInUrl);
    }

    void ipv6()
    {
        auto u = RedisUrl::parse(QStringLiteral("redis://[::1]:7000/4"));
        CHECK_OK(u);
        QCOMPARE(u->host, QStringLiteral("::1"));
        QCOMPARE(u->port, 7000);
        QCOMPARE(u->db, 4);
        QCOMPARE(u->redacted(), QStringLiteral("redis://[::1]:7000/4"));
    }

    void unixSocket()
    {
        auto u = RedisUrl::parse(QStringLiteral("unix://:pw@/run/redis/redis%20server.sock?db=2"));
        CHECK_OK(u);
        QCOMPARE(u->unixSocket, QStringLiteral("/run/redis/redis server.sock"));
        QCOMPARE(u->db, 2);
        QCOMPARE(u->password, QStringLiteral("pw"));
        QVERIFY(!u->redacted().contains(QStringLiteral("pw")));
        QVERIFY(RedisUrl::parse(QStringLiteral("unix://")).hasValue() == false);
    }

    void rediss()
    {
        auto u = RedisUrl::parse(QStringLiteral("rediss://h:6380/0"));
        QVERIFY(!u);
        QVERIFY2(u.error().contains(QStringLiteral("TLS (rediss://) is not supported yet")), qPrintable(u.error()));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("scheme") << QStringLiteral("http://h/0") << QStringLiteral("http");
        QTest::newRow("no scheme") << QStringLiteral("localhost:6379") << QStringLiteral("scheme");
        QTest::newRow("port text") << QStringLiteral("redis://h:abc/0") << QStringLiteral("port");
        QTest::newRow("port range") << QStringLiteral("redis://h:70000/0") << QStringLiteral("port");
        QTest::newRow("port zero") << QStringLiteral("redis://h:0/0") << QStringLiteral("port");
        QTest::newRow("path db") << QStringLiteral("redis://h:1/x1") << QStringLiteral("/x1");
        QTest::newRow("negative db") << QStringLiteral("redis://h:1/-1") << QStringLiteral("DB");
        QTest::newRow("query db") << QStringLiteral("redis://h:1?db=two") << QStringLiteral("two");
        QTest::newRow("timeout") << QStringLiteral("redis://h?socket_timeout=soon") << QStringLiteral("socket_timeout");
        QTest::newRow("empty") << QString() << QStringLiteral("empty");
    }

    void errors()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        auto u = RedisUrl::parse(url);
        QVERIFY(!u);
        QVERIFY2(u.error().contains(mentions, Qt::CaseInsensitive), qPrintable(u.error()));
    }

    void redactedHidesPassword()
    {
        auto u = RedisUrl::parse(QStringLiteral("redis://bob:hunter2@10.0.0.5:6379/2"));
        CHECK_OK(u);
        const QString r = u->redacted();
        QVERIFY(!r.contains(QStringLiteral("hunter2")));
        QCOMPARE(r, QStringLiteral("redis://bob:***@10.0.0.5:6379/2"));
        // Errors never echo the password either.
        auto bad = RedisUrl::parse(QStringLiteral("redis://bob:hunter2@10.0.0.5:99999/2"));
        QVERIFY(!bad);
        QVERIFY2(!bad.error().contains(QStringLiteral("hunter2")), qPrintable(bad.error()));
    }

    // The same URLs through redis-py 4.3.4's parse_url (what Flask-Caching uses).
    void matchesRedisPy()
    {
        const QStringList urls{
            QStringLiteral("redis://127.0.0.1:6391/2"),
            QStringLiteral("redis://u%3Ax:p%40ss@h.example:1234/9"),
            QStringLiteral("redis://:only@h"),
            QStringLiteral("redis://h/3?db=4"),
            QStringLiteral("redis://[::1]:6000/1"),
            QStringLiteral("unix:///tmp/r.sock?db=6"),
        };
        const QString script = QStringLiteral(
            "import json,sys\nfrom redis.connection import parse_url\n"
            "print(json.dumps([parse_url(u) for u in sys.argv[1:]], default=str))\n");
        auto out = test::runPython(script, urls);
        CHECK_OK(out);
        const QJsonArray arr = QJsonDocument::fromJson(*out).array();
        QCOMPARE(arr.size(), urls.size());
        for (int i = 0; i < urls.size(); ++i) {
            const QJsonObject py = arr.at(i).toObject();
            auto u = RedisUrl::parse(urls.at(i));
            CHECK_OK(u);
            QCOMPARE(u->db, py.value(QStringLiteral("db")).toInt(0));
            QCOMPARE(u->password, py.value(QStringLiteral("password")).toString());
            QCOMPARE(u->username, py.value(QStringLiteral("username")).toString());
            if (py.contains(QStringLiteral("path"))) {
                QCOMPARE(u->unixSocket, py.value(QStringLiteral("path")).toString());
            } else {
                QCOMPARE(u->host, py.value(QStringLiteral("host")).toString(QStringLiteral("localhost")));
                QCOMPARE(u->port, py.value(QStringLiteral("port")).toInt(6379));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "tst_redisurl.moc"
