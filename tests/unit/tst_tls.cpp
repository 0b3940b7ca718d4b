// TLS to a real redis-server (Debian's is built with TLS) with certificates made by the real
// openssl command: every kind of Redis connection CacheScope opens speaks TLS, each failed check
// says which one failed, nothing falls back to plain text, and Python's cachelib / Flask-Caching
// read what CacheScope writes over TLS and the other way round.
#include "cache/cachemanager.h"
#include "cli.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "keytreemodel.h"
#include "cache/rediscache.h"
#include "config/configloader.h"
#include "monitor/redisinfopoller.h"
#include "redis/asyncredisconnection.h"
#include "redis/redisclient.h"
#include "redis/redisconnector.h"
#include "redis/redisnotices.h"
#include "redis/redisstream.h"
#include "checkok.h"
#include "python.h"
#include "redisserver.h"
#include "testcertificates.h"

#include <QApplication>
#include <QDialog>
#include <QJsonDocument>
#include <QLineEdit>
#include <QTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

using namespace cachescope;
using namespace cachescope::test;

namespace {

// A config asking for TLS, ACL users and a sentinel password in every way real configs do.
// (No raw string: moc takes the "//" of a URL inside one for a comment.)
const char *kEveryTlsSource =
    "import redis\n"
    "from cachelib.redis import RedisCache\n"
    "CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_REDIS_HOST\": \"cache.example\", \"CACHE_OPTIONS\": {\n"
    "    \"ssl\": True, \"ssl_cert_reqs\": \"none\", \"ssl_ca_certs\": \"/etc/ca.pem\", \"username\": \"acl-user\"}}\n"
    "DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_REDIS_SSL\": True, \"CACHE_REDIS_SSL_CERT_REQS\": \"optional\",\n"
    "    \"CACHE_REDIS_SSL_CA_CERTS\": \"/etc/ca.pem\", \"CACHE_REDIS_SSL_CERTFILE\": None, \"CACHE_REDIS_USER\": \"gaq\"}\n"
    "THUMBNAIL_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_REDIS_URL\": \"redis://plain.example:6379/0\",\n"
    "    \"CACHE_OPTIONS\": {\"ssl\": True, \"ssl_check_hostname\": True}}\n"
    "FILTER_STATE_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisSentinelCache\", \"CACHE_REDIS_SENTINELS\": [(\"s1\", 26379)],\n"
    "    \"CACHE_REDIS_SENTINEL_PASSWORD\": \"spw\", \"CACHE_OPTIONS\": {\"ssl\": True, \"sentinel_ssl\": True,\n"
    "    \"sentinel_ssl_ca_certs\": \"/etc/sentinel-ca.pem\", \"sentinel_username\": \"watcher\"}}\n"
    "EXPLORE_FORM_DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\",\n"
    "    \"CACHE_REDIS_URL\": \"rediss://:pw@tls.example:6390/4?ssl_cert_reqs=required&ssl_certfile=/c.pem&ssl_keyfile=/k.pem\"}\n"
    "RESULTS_BACKEND = RedisCache(host=redis.Redis(host=\"r.example\", port=6380, ssl=True, ssl_ca_certs=\"/etc/ca.pem\",\n"
    "    username=\"acl\", password=\"pw\"), key_prefix=\"sqllab_\")\n";

QString pyStr(const QString &s)
{
    return QStringLiteral("'%1'").arg(QString(s).replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('\''), QStringLiteral("\\'")));
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private:
    TestCertificates m_certs;
    RedisServer m_server;  // TLS, no client certificate needed
    RedisServer m_mutual;  // TLS, client certificate required (tls-auth-clients yes)

    // Certificates as the server checks them: its own, plus the CA for client certificates.
    RedisTlsServerOptions serverTls(const QString &cert, const QString &key, bool mutual = false) const
    {
        return {cert, key, m_certs.caCert(), mutual};
    }
    // The mutual-TLS server with the right client certificate.
    RedisUrl mutualUrl(int db = 0) const
    {
        RedisUrl url = m_mutual.tlsUrl(db, m_certs.caCert());
        url.tls.certFile = m_certs.clientCert();
        url.tls.keyFile = m_certs.clientKey();
        return url;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString made = m_certs.create();
        QVERIFY2(made.isEmpty(), qPrintable(made));
        QString started = m_server.startTls(serverTls(m_certs.serverCert(), m_certs.serverKey()));
        QVERIFY2(started.isEmpty(), qPrintable(started));
        started = m_mutual.startTls(serverTls(m_certs.serverCert(), m_certs.serverKey(), true));
        QVERIFY2(started.isEmpty(), qPrintable(started));
    }

    // Every way a real config asks for TLS (or ACL, or a sentinel password) reaches CacheSpec and
    // the RedisUrl that is opened; none is dropped.
    void tlsSettingsFromEveryConfigSource()
    {
        ConfigLoader::Options options;
        const ConfigReport report = ConfigLoader::loadSource(QString::fromUtf8(kEveryTlsSource), QStringLiteral("superset_config.py"), options);
        QVERIFY2(report.loaded, qPrintable(report.error));
        QHash<CachePurpose, CacheSpec> specs;
        for (const CacheSpec &s : report.caches)
            specs.insert(s.purpose, s);

        auto url = [&](CachePurpose p) {
            auto u = specs.value(p).connectionUrl();
            if (!u)
                qWarning("%s", qPrintable(u.error()));
            return u ? *u : RedisUrl{};
        };
        const RedisUrl options1 = url(CachePurpose::Cache); // CACHE_OPTIONS
        QVERIFY(options1.tls.enabled);
        QCOMPARE(options1.tls.certReqs, RedisTls::CertReqs::None);
        QCOMPARE(options1.tls.caCerts, QStringLiteral("/etc/ca.pem"));
        QCOMPARE(options1.username, QStringLiteral("acl-user"));
        QCOMPARE(options1.host, QStringLiteral("cache.example"));
        QVERIFY(specs.value(CachePurpose::Cache).displayLocation().startsWith(QStringLiteral("rediss://")));

        const RedisUrl gaq = url(CachePurpose::Data); // Superset's CACHE_REDIS_SSL* keys
        QVERIFY(gaq.tls.enabled);
        QCOMPARE(gaq.tls.certReqs, RedisTls::CertReqs::Optional);
        QCOMPARE(gaq.tls.caCerts, QStringLiteral("/etc/ca.pem"));
        QVERIFY(gaq.tls.certFile.isEmpty());
        QCOMPARE(gaq.username, QStringLiteral("gaq"));

        const RedisUrl underUrl = url(CachePurpose::Thumbnail); // a redis:// URL does not drop ssl=True
        QVERIFY(underUrl.tls.enabled);
        QVERIFY(underUrl.tls.checkHostname);
        QCOMPARE(underUrl.host, QStringLiteral("plain.example"));

        const RedisUrl sentinel = url(CachePurpose::FilterState);
        QVERIFY(sentinel.sentinel.has_value());
        QVERIFY(sentinel.tls.enabled);
        QVERIFY(sentinel.sentinel->tls.enabled);
        QCOMPARE(sentinel.sentinel->tls.caCerts, QStringLiteral("/etc/sentinel-ca.pem"));
        QCOMPARE(sentinel.sentinel->password, QStringLiteral("spw"));
        QCOMPARE(sentinel.sentinel->username, QStringLiteral("watcher"));
        QCOMPARE(sentinel.sentinel->sentinels.value(0).first, QStringLiteral("s1"));

        const RedisUrl rediss = url(CachePurpose::ExploreFormData);
        QVERIFY(rediss.tls.enabled);
        QCOMPARE(rediss.tls.certFile, QStringLiteral("/c.pem"));
        QCOMPARE(rediss.tls.keyFile, QStringLiteral("/k.pem"));
        QCOMPARE(rediss.db, 4);
        QCOMPARE(rediss.port, 6390);

        const RedisUrl client = url(CachePurpose::Results); // RedisCache(host=redis.Redis(...))
        QCOMPARE(client.host, QStringLiteral("r.example"));
        QCOMPARE(client.port, 6380);
        QVERIFY(client.tls.enabled);
        QCOMPARE(client.username, QStringLiteral("acl"));
        QCOMPARE(client.password, QStringLiteral("pw"));
    }

    void commandsAndPipelinesOverTls()
    {
        RedisClient client(m_server.tlsUrl(3, m_certs.caCert()));
        CHECK_OK(client.connect());
        const QByteArray big(3 * 1024 * 1024 + 17, 'x'); // many TLS records each way
        auto set = client.command({"SET", "tls:big", big});
        CHECK_OK(set);
        QCOMPARE(set->string, QByteArray("OK"));
        auto get = client.command({"GET", "tls:big"});
        CHECK_OK(get);
        QCOMPARE(get->string, big);
        QList<QList<QByteArray>> cmds;
        for (int i = 0; i < 300; ++i)
            cmds.append(QList<QByteArray>{"SET", "tls:" + QByteArray::number(i), QByteArray::number(i)});
        cmds.append(QList<QByteArray>{"GET", "tls:299"});
        auto r = client.pipeline(cmds);
        CHECK_OK(r);
        QCOMPARE(r->back().string, QByteArray("299"));
        // SELECT 3 went over TLS too: the plain port shows the key in DB 3 only.
        QVERIFY(m_server.command({"DBSIZE"}).startsWith(":0"));
        auto direct = RedisConnector::open(m_server.tlsUrl(0, m_certs.caCert()));
        CHECK_OK(direct);
        QVERIFY((*direct)->isTls());
    }

    void unknownCaIsNamed()
    {
        RedisClient other(m_server.tlsUrl(0, m_certs.otherCaCert()));
        auto c = other.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("unknown CA")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(m_certs.otherCaCert()), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("127.0.0.1:%1").arg(m_server.tlsPort())), qPrintable(c.error()));
        // Without ssl_ca_certs only the system store is asked: it does not know the test CA.
        RedisClient systemOnly(m_server.tlsUrl(0));
        auto s = systemOnly.connect();
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("unknown CA")), qPrintable(s.error()));
    }

    void verificationOffOnlyWhenAskedAndNoticed()
    {
        RedisUrl url = m_server.tlsUrl(0, m_certs.otherCaCert());
        url.tls.certReqs = RedisTls::CertReqs::None;
        QSignalSpy notices(&RedisNotices::instance(), &RedisNotices::posted);
        RedisClient client(url);
        CHECK_OK(client.connect());
        auto ping = client.command({"PING"});
        CHECK_OK(ping);
        QCOMPARE(ping->string, QByteArray("PONG"));
        bool noticed = false;
        for (const QString &n : RedisNotices::instance().all())
            noticed = noticed || (n.contains(QStringLiteral("verification is off")) && n.contains(QString::number(m_server.tlsPort())));
        QVERIFY2(noticed, qPrintable(RedisNotices::instance().all().join(u'\n')));
        // The same warning is not repeated by every reconnect.
        const int before = notices.count();
        CHECK_OK(client.connect());
        QCOMPARE(notices.count(), before);
        // "optional" verifies like "required" for a client (Python's ssl does the same).
        url.tls.certReqs = RedisTls::CertReqs::Optional;
        RedisClient optional(url);
        QVERIFY(!optional.connect());
        // check_hostname with verification off is a contradiction redis-py refuses too.
        url.tls.certReqs = RedisTls::CertReqs::None;
        url.tls.checkHostname = true;
        RedisClient contradictory(url);
        auto c = contradictory.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("ssl_check_hostname")), qPrintable(c.error()));
    }

    void hostNameCheckedOnlyWhenAsked()
    {
        RedisServer wrongName;
        const QString started = wrongName.startTls(serverTls(m_certs.wrongNameCert(), m_certs.wrongNameKey()));
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisUrl url = wrongName.tlsUrl(0, m_certs.caCert());
        RedisClient lenient(url); // redis-py's default: ssl_check_hostname=False
        CHECK_OK(lenient.connect());
        url.tls.checkHostname = true;
        RedisClient strict(url);
        auto c = strict.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("host name mismatch")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("wrong.example")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("not 127.0.0.1")), qPrintable(c.error()));
        // The right certificate passes the same check, by IP and by name.
        RedisUrl good = m_server.tlsUrl(0, m_certs.caCert());
        good.tls.checkHostname = true;
        RedisClient byIp(good);
        CHECK_OK(byIp.connect());
        good.host = QStringLiteral("localhost");
        RedisClient byName(good);
        CHECK_OK(byName.connect());
    }

    void expiredCertificateIsNamed()
    {
        RedisServer expired;
        const QString started = expired.startTls(serverTls(m_certs.expiredCert(), m_certs.expiredKey()));
        QVERIFY2(started.isEmpty(), qPrintable(started));
        RedisClient client(expired.tlsUrl(0, m_certs.caCert()));
        auto c = client.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("expired")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("GMT")), qPrintable(c.error())); // the date it expired
    }

    void mutualTls()
    {
        RedisUrl url = m_mutual.tlsUrl(0, m_certs.caCert());
        // No client certificate: under TLS 1.3 the refusal only shows at the first read; the
        // message still names the certificate.
        RedisClient without(url);
        auto c = without.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("client certificate")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("ssl_certfile")), qPrintable(c.error()));
        // A certificate from a CA the server does not trust: named with its file.
        url.tls.certFile = m_certs.otherCaClientCert();
        url.tls.keyFile = m_certs.otherCaClientKey();
        RedisClient stranger(url);
        auto s = stranger.connect();
        QVERIFY(!s);
        QVERIFY2(s.error().contains(m_certs.otherCaClientCert()), qPrintable(s.error()));
        // The right one.
        url.tls.certFile = m_certs.clientCert();
        url.tls.keyFile = m_certs.clientKey();
        RedisClient client(url);
        CHECK_OK(client.connect());
        auto ping = client.command({"PING"});
        CHECK_OK(ping);
        QCOMPARE(ping->string, QByteArray("PONG"));
        // A key that is not the certificate's: refused before connecting, naming both files.
        url.tls.keyFile = m_certs.otherCaClientKey();
        RedisClient mismatched(url);
        auto m = mismatched.connect();
        QVERIFY(!m);
        QVERIFY2(m.error().contains(m_certs.otherCaClientKey()) && m.error().contains(m_certs.clientCert()), qPrintable(m.error()));
    }

    void neverFallsBackToPlainText()
    {
        // TLS asked, plain port: the handshake fails; nothing is sent in clear.
        RedisUrl url = m_server.redisUrl();
        url.tls.enabled = true;
        url.tls.caCerts = m_certs.caCert();
        RedisClient client(url);
        auto c = client.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("did not answer in TLS")), qPrintable(c.error()));
        QVERIFY2(c.error().contains(QStringLiteral("does not fall back")), qPrintable(c.error()));
        // A config's RedisCache(..., ssl=True) against that plain port: TLS is still asked.
        ConfigLoader::Options options;
        const ConfigReport report = ConfigLoader::loadSource(
            QStringLiteral("from cachelib.redis import RedisCache\n"
                           "RESULTS_BACKEND = RedisCache(host='127.0.0.1', port=%1, ssl=True, ssl_cert_reqs='required',"
                           " ssl_ca_certs=%2, key_prefix='sr_')\n")
                .arg(m_server.port())
                .arg(pyStr(m_certs.caCert())),
            QStringLiteral("superset_config.py"), options);
        QVERIFY2(report.loaded, qPrintable(report.error));
        const CacheSpec *spec = nullptr;
        for (const CacheSpec &s : report.caches)
            if (s.purpose == CachePurpose::Results)
                spec = &s;
        QVERIFY(spec);
        QVERIFY(spec->tls.enabled);
        auto cache = CacheManager::buildCache(*spec, CacheManager::Access::ReadOnly);
        CHECK_OK(cache);
        QVERIFY2((*cache)->location().startsWith(QStringLiteral("rediss://")), qPrintable((*cache)->location()));
        auto get = (*cache)->get("k");
        QVERIFY(!get);
        QVERIFY2(get.error().contains(QStringLiteral("TLS")), qPrintable(get.error()));
    }

    void aclAndPasswordOverTls()
    {
        RedisServer server;
        QString started = server.startTls(serverTls(m_certs.serverCert(), m_certs.serverKey()),
                                          {QStringLiteral("--requirepass"), QStringLiteral("top secret")});
        QVERIFY2(started.isEmpty(), qPrintable(started));
        QVERIFY(server.command({"ACL", "SETUSER", "alice", "on", ">wonder:land", "~*", "+@all"}, "top secret").startsWith("+OK"));
        RedisUrl url = server.tlsUrl(0, m_certs.caCert());
        url.password = QStringLiteral("top secret");
        RedisClient byPassword(url);
        CHECK_OK(byPassword.connect());
        url.username = QStringLiteral("alice");
        url.password = QStringLiteral("wonder:land");
        RedisClient alice(url);
        CHECK_OK(alice.connect());
        auto who = alice.command({"ACL", "WHOAMI"});
        CHECK_OK(who);
        QCOMPARE(who->string, QByteArray("alice"));
        url.password = QStringLiteral("wrong");
        RedisClient wrong(url);
        auto c = wrong.connect();
        QVERIFY(!c);
        QVERIFY2(c.error().contains(QStringLiteral("authentication failed for user \"alice\"")), qPrintable(c.error()));
        QVERIFY(!c.error().contains(QStringLiteral("wonder")));
    }

    // MONITOR / SUBSCRIBE streams, the GUI's asynchronous connection and the INFO poller all
    // open through the same factory: each works over TLS with client certificates.
    void everyKindOfConnection()
    {
        const RedisUrl url = mutualUrl();

        RedisStream stream(url);
        CHECK_OK(stream.open());
        auto ok = stream.command({"MONITOR"});
        CHECK_OK(ok);
        QCOMPARE(ok->string, QByteArray("OK"));
        RedisClient writer(url);
        CHECK_OK(writer.command({"SET", "monitored", "1"}));
        bool seen = false;
        for (int i = 0; i < 50 && !seen; ++i) {
            auto next = stream.next(100);
            CHECK_OK(next);
            seen = next->has_value() && (*next)->string.contains("monitored");
        }
        QVERIFY(seen);

        AsyncRedisConnection async(url);
        QSignalSpy replies(&async, &AsyncRedisConnection::replyReady);
        async.open();
        QTRY_COMPARE_WITH_TIMEOUT(async.state(), AsyncRedisConnection::State::Connected, 10000);
        const quint64 id = async.send({"GET", "monitored"});
        QTRY_COMPARE_WITH_TIMEOUT(replies.count(), 1, 10000);
        QCOMPARE(replies.first().at(0).toULongLong(), id);
        QCOMPARE(replies.first().at(1).value<RedisReply>().string, QByteArray("1"));

        RedisInfoPoller poller(url, 100);
        QSignalSpy samples(&poller, &RedisInfoPoller::serverSample);
        QSignalSpy errors(&poller, &RedisInfoPoller::errorOccurred);
        poller.start();
        QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 1, 10000);
        poller.stop();
        QCOMPARE(errors.count(), 0);
    }

    // Python's cachelib RedisCache(ssl=True, ...) and Flask-Caching configured through
    // CACHE_OPTIONS and a rediss:// CACHE_REDIS_URL, against CacheScope's caches built from the
    // same settings in a superset_config.py: each side reads what the other wrote.
    void pythonInterop()
    {
        const QString ca = m_certs.caCert(), cert = m_certs.clientCert(), key = m_certs.clientKey();
        const int port = m_mutual.tlsPort();
        const QString source = QStringLiteral(
            "from cachelib.redis import RedisCache\n"
            "TLS = {'ssl': True, 'ssl_cert_reqs': 'required', 'ssl_ca_certs': %1, 'ssl_certfile': %2, 'ssl_keyfile': %3}\n"
            "RESULTS_BACKEND = RedisCache(host='127.0.0.1', port=%4, key_prefix='sqllab_', **TLS)\n"
            "CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_HOST': '127.0.0.1', 'CACHE_REDIS_PORT': %4,\n"
            "                'CACHE_REDIS_DB': 2, 'CACHE_KEY_PREFIX': 'superset_', 'CACHE_OPTIONS': TLS}\n"
            "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'data_',\n"
            "    'CACHE_REDIS_URL': 'rediss://127.0.0.1:%4/5?ssl_ca_certs=' + TLS['ssl_ca_certs']\n"
            "        + '&ssl_certfile=' + TLS['ssl_certfile'] + '&ssl_keyfile=' + TLS['ssl_keyfile']}\n")
                                   .arg(pyStr(ca), pyStr(cert), pyStr(key))
                                   .arg(port);
        ConfigLoader::Options options;
        const ConfigReport report = ConfigLoader::loadSource(source, QStringLiteral("superset_config.py"), options);
        QVERIFY2(report.loaded, qPrintable(report.error));
        QList<CacheSpec> redisSpecs;
        for (const CacheSpec &spec : report.caches)
            if (spec.isRedisBacked())
                redisSpecs << spec;
        QCOMPARE(redisSpecs.size(), 3);
        auto manager = CacheManager::create(redisSpecs, CacheManager::Access::ReadWrite);
        CHECK_OK(manager);

        // Python writes through the very same config (Flask-Caching builds CACHE_CONFIG and
        // DATA_CACHE_CONFIG, the results backend is the object itself), then reads ours.
        const QString python = QStringLiteral(
            "import sys, json, types\n"
            "from flask import Flask\n"
            "from flask_caching import Cache\n"
            "cfg = types.ModuleType('superset_config')\n"
            "exec(sys.stdin.read(), cfg.__dict__)\n"
            "app = Flask('t')\n"
            "caches = {'RESULTS_BACKEND': cfg.RESULTS_BACKEND}\n"
            "for name in ('CACHE_CONFIG', 'DATA_CACHE_CONFIG'):\n"
            "    caches[name] = Cache(app, config=getattr(cfg, name)).cache\n"
            "if sys.argv[1] == 'write':\n"
            "    for name, c in caches.items():\n"
            "        assert c.set('from_python', {'cache': name, 'n': [1, 2.5, None]}, timeout=300)\n"
            "    print('ok')\n"
            "else:\n"
            "    print(json.dumps({name: repr(c.get('from_cachescope')) for name, c in caches.items()}))\n");
        auto wrote = runPython(python, {QStringLiteral("write")}, source.toUtf8());
        CHECK_OK(wrote);
        for (CachePurpose purpose : {CachePurpose::Results, CachePurpose::Cache, CachePurpose::Data}) {
            auto cache = (*manager)->cache(purpose);
            QVERIFY(cache);
            auto got = cache->get("from_python");
            CHECK_OK(got);
            QVERIFY2(got->has_value(), qPrintable(purposeConfigName(purpose)));
            QCOMPARE((*got)->repr(), QStringLiteral("{'cache': '%1', 'n': [1, 2.5, None]}").arg(purposeConfigName(purpose)));
            CHECK_OK(cache->set("from_cachescope", PyValue::tuple({PyValue::str(purposeConfigName(purpose)), PyValue::integer(7)})));
        }
        auto read = runPython(python, {QStringLiteral("read")}, source.toUtf8());
        CHECK_OK(read);
        const QJsonObject seen = QJsonDocument::fromJson(*read).object();
        for (const QString &name : {QStringLiteral("RESULTS_BACKEND"), QStringLiteral("CACHE_CONFIG"), QStringLiteral("DATA_CACHE_CONFIG")})
            QCOMPARE(seen.value(name).toString(), QStringLiteral("('%1', 7)").arg(name));
        // The DBs and prefixes of each cache were honoured over TLS.
        RedisUrl plain = m_mutual.redisUrl(2);
        RedisClient db2(plain);
        auto keys = db2.command({"KEYS", "superset_*"});
        CHECK_OK(keys);
        QCOMPARE(keys->elements.size(), size_t(2));
    }

    // The "Connect to Redis URL…" dialog as a user fills it: a rediss:// URL and the CA, client
    // certificate and key fields; the Keys page then lists the keys over mutual TLS.
    void connectDialogOpensTlsConnection()
    {
        const RedisUrl url = mutualUrl();
        RedisClient writer(url);
        for (int i = 0; i < 3; ++i)
            CHECK_OK(writer.command({"SET", "dialog_" + QByteArray::number(i), "v"}));

        KeysBrowser browser;
        browser.resize(1100, 600);
        browser.show();
        bool filled = false;
        QTimer::singleShot(200, &browser, [&] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            for (QLineEdit *edit : dialog->findChildren<QLineEdit *>()) {
                const QString hint = edit->placeholderText();
                if (edit->text().startsWith(QStringLiteral("redis://")))
                    edit->setText(QStringLiteral("rediss://127.0.0.1:%1/0").arg(m_mutual.tlsPort()));
                else if (hint.contains(QStringLiteral("ssl_ca_certs")))
                    edit->setText(m_certs.caCert());
                else if (hint.contains(QStringLiteral("ssl_certfile")))
                    edit->setText(m_certs.clientCert());
                else if (hint.contains(QStringLiteral("ssl_keyfile")))
                    edit->setText(m_certs.clientKey());
                else if (hint.contains(QStringLiteral("superset_data_"))) // the key prefix
                    edit->setText(QStringLiteral("dialog_"));
            }
            filled = true;
            const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_TLS_DIALOG");
            if (!shot.isEmpty())
                dialog->grab().save(shot);
            dialog->accept();
        });
        browser.connectRedisInteractively();
        QVERIFY(filled);
        QCOMPARE(browser.connectionCount(), 1);
        QVERIFY2(browser.connectionLabel(0).contains(QStringLiteral("rediss://127.0.0.1:%1").arg(m_mutual.tlsPort())),
                 qPrintable(browser.connectionLabel(0)));
        KeysPage *page = browser.keysPage();
        page->loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(page->model()->isScanComplete(), 30000);
        QCOMPARE(page->model()->loadedKeyCount(), 3ull);
    }

    void commandLine()
    {
        QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY");
        const QString url = QStringLiteral("rediss://127.0.0.1:%1/0?ssl_ca_certs=%2")
                                .arg(m_server.tlsPort())
                                .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_certs.caCert())));
        auto set = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("cli_"),
                           QStringLiteral("set"), QStringLiteral("k"), QStringLiteral("[1,2]")});
        QVERIFY2(set.exitCode == 0, set.err.constData());
        auto get = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("cli_"),
                           QStringLiteral("get"), QStringLiteral("k")});
        QVERIFY2(get.exitCode == 0, get.err.constData());
        QVERIFY2(get.out.contains("[1,2]") || get.out.contains("[1, 2]"), get.out.constData());
        auto keys = runCli({QStringLiteral("keys"), QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("cli_")});
        QVERIFY2(keys.exitCode == 0, keys.err.constData());
        QVERIFY2(keys.out.contains("cli_k"), keys.out.constData());
        // Verification off: works, and says so on stderr.
        const QString insecure = QStringLiteral("rediss://127.0.0.1:%1/0?ssl_cert_reqs=none").arg(m_server.tlsPort());
        auto off = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), insecure, QStringLiteral("--prefix"),
                           QStringLiteral("cli_"), QStringLiteral("get"), QStringLiteral("k")});
        QVERIFY2(off.exitCode == 0, off.err.constData());
        QVERIFY2(off.err.contains("verification is off"), off.err.constData());
        // A wrong CA fails with the reason, exit 1.
        const QString wrongCa = QStringLiteral("rediss://127.0.0.1:%1/0?ssl_ca_certs=%2")
                                    .arg(m_server.tlsPort())
                                    .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_certs.otherCaCert())));
        auto bad = runCli({QStringLiteral("cache"), QStringLiteral("--redis"), wrongCa, QStringLiteral("get"), QStringLiteral("k")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("unknown CA"), bad.err.constData());
    }
};

QTEST_MAIN(TestTls)
#include "tst_tls.moc"
