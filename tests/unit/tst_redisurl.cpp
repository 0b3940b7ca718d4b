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
        auto plain = RedisUrl::parse(QStringLiteral("redis://h:6379/0"));
        CHECK_OK(plain);
        QVERIFY(!plain->tls.enabled);

        auto u = RedisUrl::parse(QStringLiteral("rediss://:pw@h:6380/3"));
        CHECK_OK(u);
        QVERIFY(u->tls.enabled);
        QCOMPARE(u->port, 6380);
        QCOMPARE(u->db, 3);
        // redis-py's SSLConnection defaults: verification required, no host name check.
        QCOMPARE(u->tls.certReqs, RedisTls::CertReqs::Required);
        QVERIFY(!u->tls.checkHostname);
        QCOMPARE(u->redacted(), QStringLiteral("rediss://:***@h:6380/3"));

        auto q = RedisUrl::parse(QStringLiteral(
            "rediss://h?ssl_cert_reqs=none&ssl_ca_certs=%2Fetc%2Fca%20bundle.pem&ssl_certfile=/c.pem"
            "&ssl_keyfile=/k.pem&ssl_check_hostname=True&ssl_ca_path=/etc/ssl/certs&ssl_password=s3cret"));
        CHECK_OK(q);
        QCOMPARE(q->tls.certReqs, RedisTls::CertReqs::None);
        QCOMPARE(q->tls.caCerts, QStringLiteral("/etc/ca bundle.pem"));
        QCOMPARE(q->tls.certFile, QStringLiteral("/c.pem"));
        QCOMPARE(q->tls.keyFile, QStringLiteral("/k.pem"));
        QCOMPARE(q->tls.caPath, QStringLiteral("/etc/ssl/certs"));
        QCOMPARE(q->tls.keyPassword, QStringLiteral("s3cret"));
        QVERIFY(q->tls.checkHostname);
        QVERIFY(!q->redacted().contains(QStringLiteral("s3cret")));

        // ?ssl= turns TLS on (or off) on a redis:// URL; redis-py's to_bool spellings.
        QVERIFY(RedisUrl::parse(QStringLiteral("redis://h?ssl=true"))->tls.enabled);
        QVERIFY(!RedisUrl::parse(QStringLiteral("rediss://h?ssl=no"))->tls.enabled);
        QVERIFY(!RedisUrl::parse(QStringLiteral("rediss://h?ssl_check_hostname=f"))->tls.checkHostname);
        QCOMPARE(RedisUrl::parse(QStringLiteral("rediss://h?ssl_cert_reqs=OPTIONAL"))->tls.certReqs,
                 RedisTls::CertReqs::Optional);
    }

    // from_url(url, **kwargs): the given settings are the start, what the URL names wins.
    void defaultsThenUrl()
    {
        RedisUrl given;
        given.host = QStringLiteral("config-host");
        given.port = 7000;
        given.db = 4;
        given.password = QStringLiteral("from-config");
        given.tls.enabled = true;
        given.tls.caCerts = QStringLiteral("/etc/ca.pem");
        auto u = RedisUrl::parse(QStringLiteral("redis://url-host?ssl_certfile=/c.pem"), given);
        CHECK_OK(u);
        QCOMPARE(u->host, QStringLiteral("url-host"));
        QCOMPARE(u->port, 7000);
        QCOMPARE(u->db, 4);
        QVERIFY(!u->dbInUrl);
        QCOMPARE(u->password, QStringLiteral("from-config"));
        QVERIFY(u->tls.enabled); // never dropped: a redis:// URL does not switch TLS off
        QCOMPARE(u->tls.caCerts, QStringLiteral("/etc/ca.pem"));
        QCOMPARE(u->tls.certFile, QStringLiteral("/c.pem"));
        auto v = RedisUrl::parse(QStringLiteral("redis://:url-pw@url-host:7001/2"), given);
        CHECK_OK(v);
        QCOMPARE(v->password, QStringLiteral("url-pw"));
        QCOMPARE(v->port, 7001);
        QCOMPARE(v->db, 2);
        QVERIFY(v->dbInUrl);
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
        QTest::newRow("cert reqs") << QStringLiteral("rediss://h?ssl_cert_reqs=maybe") << QStringLiteral("ssl_cert_reqs");
        QTest::newRow("tls on unix") << QStringLiteral("unix:///tmp/r.sock?ssl=1") << QStringLiteral("unix socket");
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
            QStringLiteral("rediss://:pw@tls.example:6380/5?ssl_cert_reqs=optional&ssl_ca_certs=/ca.pem"),
            QStringLiteral("rediss://tls.example?ssl_check_hostname=yes&ssl_certfile=%2Fc%20d.pem&ssl_keyfile=/k.pem"),
        };
        const QString script = QStringLiteral(
            "import json,sys\nfrom redis.connection import parse_url\n"
            "print(json.dumps([parse_url(u) for u in sys.argv[1:]], default=lambda c: c.__name__))\n");
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
            // TLS: redis-py picks SSLConnection and passes the ssl_* strings on to it.
            QCOMPARE(u->tls.enabled, py.value(QStringLiteral("connection_class")).toString() == u"SSLConnection");
            if (py.contains(QStringLiteral("ssl_cert_reqs")))
                QCOMPARE(RedisTls::certReqsName(u->tls.certReqs), py.value(QStringLiteral("ssl_cert_reqs")).toString());
            QCOMPARE(u->tls.caCerts, py.value(QStringLiteral("ssl_ca_certs")).toString());
            QCOMPARE(u->tls.certFile, py.value(QStringLiteral("ssl_certfile")).toString());
            QCOMPARE(u->tls.keyFile, py.value(QStringLiteral("ssl_keyfile")).toString());
            QCOMPARE(u->tls.checkHostname, py.value(QStringLiteral("ssl_check_hostname")).toBool());
        }
    }
};

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "tst_redisurl.moc"
