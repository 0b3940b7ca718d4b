// The command line on memcached, as a user runs it: the real executable (`cache`, `keys`,
// `decode`, `stats`) against real memcached servers — plain, two of them, and SASL through a
// superset_config.py — with Python's cachelib/Flask-Caching on the other side.
#include "cli.h"
#include "memcachedserver.h"
#include "redisserver.h"
#include "python.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace cachescope;
using test::runCli;

namespace {

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            lines << QJsonDocument::fromJson(line).object();
    return lines;
}

} // namespace

class TestMemcachedCli : public QObject
{
    Q_OBJECT
    test::MemcachedServer m_a;
    test::MemcachedServer m_b;
    test::MemcachedServer m_sasl;
    QTemporaryDir m_dir;
    const QString m_password = QStringLiteral("cli pass");

    QString servers() const { return m_a.address() + u',' + m_b.address(); }

    Expected<QByteArray> python(const QString &body)
    {
        return test::runPython(QStringLiteral("import sys\nfrom cachelib import MemcachedCache\n"
                                              "c = MemcachedCache(sys.argv[1].split(','), key_prefix='superset_')\n")
                                   + body,
                               {servers()});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY");
        for (auto *s : {&m_a, &m_b}) {
            const QString error = s->start({QStringLiteral("-D"), QStringLiteral(":")});
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        const QString error = m_sasl.startWithSasl({QStringLiteral("superset"), m_password});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void cacheCommandBothWays()
    {
        const QStringList target{QStringLiteral("--memcached"), servers(), QStringLiteral("--prefix"), QStringLiteral("superset_")};
        auto set = runCli(QStringList{QStringLiteral("cache")} + target
                          + QStringList{QStringLiteral("set"), QStringLiteral("k1"),
                                        QStringLiteral(R"({"rows":[1,2.5,"é"],"b":{"__bytes__":"AAE="}})"),
                                        QStringLiteral("--timeout"), QStringLiteral("120")});
        QCOMPARE(set.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(set.out).object().value(u"stored").toBool(), true);
        auto py = python(QStringLiteral("v = c.get('k1')\nprint(v['rows'][2], repr(v['b']))\nc.set('from_py', [1, 'two'], timeout=0)\n"));
        QVERIFY2(py, qPrintable(py.error()));
        QCOMPARE(py->trimmed(), QByteArray("é b'\\x00\\x01'"));
        auto get = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("get"), QStringLiteral("from_py")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(get.out).array(), (QJsonArray{1, QStringLiteral("two")}));
        // The stored key `keys` prints works for reads too.
        auto stored = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("get"), QStringLiteral("superset_from_py")});
        QCOMPARE(stored.exitCode, 0);
        QVERIFY2(stored.err.contains("stored key"), stored.err.constData());
        auto ttl = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("ttl"), QStringLiteral("k1")});
        QCOMPARE(ttl.exitCode, 0);
        const int seconds = QJsonDocument::fromJson(ttl.out).object().value(u"ttl").toInt();
        QVERIFY2(seconds > 100 && seconds <= 121, ttl.out.constData());
        // metadump lists what memcached's LRU crawler has reached: an item set a moment ago can be
        // missing from one pass (seen on a loaded machine), so list again for a bounded while.
        test::CliResult keys;
        QJsonArray listed;
        QElapsedTimer listing;
        listing.start();
        do {
            keys = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("keys")});
            QCOMPARE(keys.exitCode, 0);
            listed = QJsonDocument::fromJson(keys.out).array();
        } while (!listed.contains(QStringLiteral("k1")) && listing.elapsed() < 5000 && (QThread::msleep(100), true));
        QVERIFY2(listed.contains(QStringLiteral("k1")) && listed.contains(QStringLiteral("from_py")), keys.out.constData());
        auto del = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("delete"), QStringLiteral("k1")});
        QCOMPARE(del.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(del.out).object().value(u"deleted").toBool(), true);
        py = python(QStringLiteral("print(c.get('k1'))\n"));
        QVERIFY2(py, qPrintable(py.error()));
        QCOMPARE(py->trimmed(), QByteArray("None"));
        // A key memcached cannot hold is refused with the reason.
        auto bad = runCli(QStringList{QStringLiteral("cache")} + target
                          + QStringList{QStringLiteral("set"), QStringLiteral("a b"), QStringLiteral("1")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("contains a space"), bad.err.constData());
    }

    void keysAndDecode()
    {
        auto py = python(QStringLiteral("c.set('chart:1', {'data': [1, 2]}, timeout=600)\nc.set('n', 7)\n"));
        QVERIFY2(py, qPrintable(py.error()));
        auto keys = runCli({QStringLiteral("keys"), QStringLiteral("--memcached"), servers(), QStringLiteral("--prefix"),
                            QStringLiteral("superset_"), QStringLiteral("--meta")});
        QCOMPARE(keys.exitCode, 0);
        QJsonObject chart, n;
        for (const QJsonObject &o : jsonLines(keys.out)) {
            if (o.value(u"key").toString() == QLatin1String("superset_chart:1"))
                chart = o;
            if (o.value(u"key").toString() == QLatin1String("superset_n"))
                n = o;
        }
        QCOMPARE(chart.value(u"type").toString(), QStringLiteral("pickle"));
        QVERIFY2(chart.value(u"ttl_ms").toDouble() > 590000 && chart.value(u"ttl_ms").toDouble() <= 601000, keys.out.constData());
        QCOMPARE(n.value(u"type").toString(), QStringLiteral("int"));
        // cachelib's default 300 s, sent as time() + 300: memcached converts that absolute time with
        // its own one-second clock, so `mg ... t` may answer 301 right after the set.
        QVERIFY2(n.value(u"ttl_ms").toDouble() > 290000 && n.value(u"ttl_ms").toDouble() <= 301000, keys.out.constData());
        auto decode = runCli({QStringLiteral("decode"), QStringLiteral("--memcached"), servers(), QStringLiteral("--prefix"),
                              QStringLiteral("superset_"), QStringLiteral("chart:1"), QStringLiteral("--json")});
        QCOMPARE(decode.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(decode.out).object();
        const QJsonArray layers = doc.value(u"layers").toArray();
        QCOMPARE(layers.at(0).toObject().value(u"kind").toString(), QStringLiteral("memcached-value"));
        QCOMPARE(layers.at(1).toObject().value(u"kind").toString(), QStringLiteral("pickle"));
        QCOMPARE(doc.value(u"value").toObject().value(u"data").toArray(), (QJsonArray{1, 2}));
        // keys | decode: the stored key as printed.
        auto stored = runCli({QStringLiteral("decode"), QStringLiteral("--memcached"), servers(), QStringLiteral("--prefix"),
                              QStringLiteral("superset_"), QStringLiteral("superset_n")});
        QCOMPARE(stored.exitCode, 0);
        QVERIFY2(stored.out.contains("memcached-value") && stored.out.trimmed().endsWith("7"), stored.out.constData());
    }

    void configTargetsReadOnlyAndSasl()
    {
        const QString config = m_dir.filePath(QStringLiteral("superset_config.py"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("import os\n"
                               "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'MemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['%1', '%2'],\n"
                               "                     'CACHE_KEY_PREFIX': 'superset_'}\n"
                               "CACHE_CONFIG = {'CACHE_TYPE': 'SASLMemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['%3'],\n"
                               "                'CACHE_MEMCACHED_USERNAME': 'superset',\n"
                               "                'CACHE_MEMCACHED_PASSWORD': os.environ['MC_PASSWORD'], 'CACHE_KEY_PREFIX': 'meta:'}\n")
                    .arg(m_a.address(), m_b.address(), m_sasl.address())
                    .toUtf8());
        f.close();
        const QStringList env{QStringLiteral("--env"), QStringLiteral("MC_PASSWORD=") + m_password};
        auto write = runCli(QStringList{QStringLiteral("cache"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                        QStringLiteral("CACHE_CONFIG")}
                            + env + QStringList{QStringLiteral("set"), QStringLiteral("dash"), QStringLiteral(R"("x")")});
        QCOMPARE(write.exitCode, 0);
        auto py = test::runPython(QStringLiteral("import sys\nfrom flask_caching.backends.memcache import SASLMemcachedCache\n"
                                                 "c = SASLMemcachedCache([sys.argv[1]], key_prefix='meta:', username='superset', "
                                                 "password=sys.argv[2])\nprint(c.get('dash'))\n"),
                                  {m_sasl.address(), m_password});
        QVERIFY2(py, qPrintable(py.error()));
        QCOMPARE(py->trimmed(), QByteArray("x"));
        auto get = runCli(QStringList{QStringLiteral("cache"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                      QStringLiteral("CACHE_CONFIG")}
                          + env + QStringList{QStringLiteral("get"), QStringLiteral("dash")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(get.out.trimmed(), QByteArray("\"x\""));
        QVERIFY2(!get.out.contains(m_password.toUtf8()) && !get.err.contains(m_password.toUtf8()), "no password in output");
        auto keys = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                       QStringLiteral("CACHE_CONFIG")}
                           + env);
        QCOMPARE(keys.exitCode, 1);
        QVERIFY2(keys.err.contains("keys cannot be listed"), keys.err.constData());
        QVERIFY2(!keys.err.contains(m_password.toUtf8()), "no password in messages");
        auto data = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                       QStringLiteral("data_cache_config")}
                           + env);
        QCOMPARE(data.exitCode, 0);
    }

    void statsWithPerPrefixRates()
    {
        // The test's own servers collect per-prefix statistics (CacheScope never turns this on).
        for (auto *s : {&m_a, &m_b})
            QCOMPARE(s->command("stats detail on\r\n"), QByteArray("OK\r\n"));
        const QString config = m_dir.filePath(QStringLiteral("stats_config.py"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("DATA_CACHE_CONFIG = {'CACHE_TYPE': 'MemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['%1'],\n"
                               "                     'CACHE_KEY_PREFIX': 'data:'}\n")
                    .arg(m_a.address())
                    .toUtf8());
        f.close();
        QProcess stats;
        stats.start(qEnvironmentVariable("CACHESCOPE_BINARY"),
                    {QStringLiteral("stats"), QStringLiteral("--config"), config, QStringLiteral("--interval"),
                     QStringLiteral("0.3"), QStringLiteral("--count"), QStringLiteral("12"), QStringLiteral("--json")});
        QVERIFY(stats.waitForStarted());
        auto traffic = test::runPython(QStringLiteral(
                                           "import sys, time\nfrom cachelib import MemcachedCache\n"
                                           "c = MemcachedCache([sys.argv[1]], key_prefix='data:')\nc.set('a', 1)\n"
                                           "for _ in range(30):\n    c.get('a'); c.get('a'); c.get('missing'); time.sleep(0.1)\n"),
                                       {m_a.address()});
        QVERIFY2(traffic, qPrintable(traffic.error()));
        QVERIFY(stats.waitForFinished(60000));
        QCOMPARE(stats.exitCode(), 0);
        bool perCache = false, server = false;
        for (const QJsonObject &o : jsonLines(stats.readAllStandardOutput())) {
            if (o.value(u"type").toString() == QLatin1String("server") && o.value(u"server").toString() == QStringLiteral("memcached://") + m_a.address()) {
                server = true;
                QCOMPARE(o.value(u"caches").toArray(), (QJsonArray{QStringLiteral("DATA_CACHE_CONFIG")}));
            }
            if (o.value(u"cache").toString() == QLatin1String("DATA_CACHE_CONFIG") && o.value(u"source").toString() == QLatin1String("memcached-stats")
                && o.value(u"hits_per_s").toDouble() > 0) {
                perCache = true;
                QCOMPARE(o.value(u"exactness").toString(), QStringLiteral("exact"));
                QVERIFY(o.value(u"hit_rate").toDouble() > 0.5 && o.value(u"hit_rate").toDouble() < 0.8);
            }
        }
        QVERIFY(server);
        QVERIFY(perCache);
    }

    // A server that forbids metadump (-X): `keys` fails with the reason, `get` still works.
    void keysRefusedWithoutMetadump()
    {
        test::MemcachedServer noDump;
        const QString error = noDump.start({QStringLiteral("-X")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(noDump.command("set superset_k 16 0 1\r\nv\r\n"), QByteArray("STORED\r\n"));
        const QStringList target{QStringLiteral("--memcached"), noDump.address(), QStringLiteral("--prefix"), QStringLiteral("superset_")};
        auto keys = runCli(QStringList{QStringLiteral("keys")} + target);
        QCOMPARE(keys.exitCode, 1);
        QVERIFY2(keys.err.contains("keys cannot be listed") && keys.err.contains("-X"), keys.err.constData());
        QVERIFY2(keys.out.isEmpty(), keys.out.constData());
        auto get = runCli(QStringList{QStringLiteral("cache")} + target + QStringList{QStringLiteral("get"), QStringLiteral("k")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(get.out.trimmed(), QByteArray("\"v\""));
    }

    void usageErrors()
    {
        auto both = runCli({QStringLiteral("cache"), QStringLiteral("--memcached"), m_a.address(), QStringLiteral("--redis"),
                            QStringLiteral("redis://127.0.0.1:1/0"), QStringLiteral("get"), QStringLiteral("k")});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains("--memcached SERVERS"), both.err.constData());
        auto udp = runCli({QStringLiteral("keys"), QStringLiteral("--memcached"), QStringLiteral("udp:127.0.0.1:1")});
        QCOMPARE(udp.exitCode, 2);
        QVERIFY2(udp.err.contains("UDP"), udp.err.constData());
        auto client = runCli({QStringLiteral("cache"), QStringLiteral("--memcached"), m_a.address(), QStringLiteral("--memcached-client"),
                              QStringLiteral("libmc"), QStringLiteral("get"), QStringLiteral("k")});
        QCOMPARE(client.exitCode, 2);
        QVERIFY2(client.err.contains("pylibmc or python-memcache"), client.err.constData());
        MemcachedEndpoint nowhere;
        nowhere.port = test::freeLoopbackPort();
        auto down = runCli({QStringLiteral("cache"), QStringLiteral("--memcached"), nowhere.name(), QStringLiteral("get"),
                            QStringLiteral("k")});
        QCOMPARE(down.exitCode, 1);
        QVERIFY2(down.err.contains("cannot connect"), down.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestMemcachedCli)
#include "tst_memcachedcli.moc"
