// Drives `cachescope cache ...` as a user would: the real executable against a real
// redis-server and a real directory, with Python's cachelib on the other side.
#include "cli.h"
#include "python.h"
#include "redisserver.h"

#include <QFile>
#include <QJsonArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;
using namespace cachescope::test;

namespace {

// `cachescope cache ARGS`.
test::CliResult cacheCli(const QStringList &args, const QByteArray &stdinData = {})
{
    return test::runCli(QStringList{QStringLiteral("cache")} + args, stdinData);
}

} // namespace

class TestCacheCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY");
        const QString error = m_redis.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void shouldRoundTripValuesThroughRedis()
    {
        const QString url = m_redis.url();
        const QByteArray value = R"({"rows":[1,2.5,"é",null,true],"t":{"__tuple__":[1,{"__bytes__":"AAE="}]},"big":{"__int__":"123456789012345678901234567890"}})";
        auto set = cacheCli({QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("superset_"),
                           QStringLiteral("set"), QStringLiteral("k1"), QString::fromUtf8(value), QStringLiteral("--timeout"), QStringLiteral("120")});
        QCOMPARE(set.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(set.out).object().value(u"stored").toBool(), true);

        auto get = cacheCli({QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("superset_"), QStringLiteral("get"), QStringLiteral("k1")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(get.out), QJsonDocument::fromJson(value));

        auto ttl = cacheCli({QStringLiteral("--redis"), url, QStringLiteral("--prefix"), QStringLiteral("superset_"), QStringLiteral("ttl"), QStringLiteral("k1")});
        QCOMPARE(ttl.exitCode, 0);
        const int seconds = QJsonDocument::fromJson(ttl.out).object().value(u"ttl").toInt();
        QVERIFY2(seconds > 100 && seconds <= 120, ttl.out.constData());

        // Python's cachelib, with the same prefix, reads what the CLI wrote.
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='superset_')\n"
            "v = c.get('k1')\nprint(repr(v['t']), v['big'], v['rows'][2])"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        QCOMPARE(python->trimmed(), QByteArray("(1, b'\\x00\\x01') 123456789012345678901234567890 é"));
    }

    void shouldReadWhatPythonWrote()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='p_')\n"
            "c.set('py', {'a': [1, 2], 's': {3}}, timeout=0)"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("p_")};
        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("py")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(get.out), QJsonDocument::fromJson(R"({"a":[1,2],"s":{"__set__":[3]}})"));
        auto ttl = cacheCli(base + QStringList{QStringLiteral("ttl"), QStringLiteral("py")});
        QCOMPARE(ttl.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(ttl.out).object().value(u"ttl").isNull()); // never expires
    }

    void shouldTakeValuesFromStdinAndFiles()
    {
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("in_")};
        // A value of several megabytes goes through standard input.
        QByteArray big = "\"" + QByteArray(3 << 20, 'x') + "\"";
        auto set = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("big"), QStringLiteral("-")}, big);
        QCOMPARE(set.exitCode, 0);
        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("big")});
        QCOMPARE(get.out.trimmed(), big);

        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("v.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[1, 2, 3]");
        file.close();
        auto add = cacheCli(base + QStringList{QStringLiteral("add"), QStringLiteral("f"), u'@' + file.fileName()});
        QCOMPARE(add.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(add.out).object().value(u"added").toBool(), true);
        auto again = cacheCli(base + QStringList{QStringLiteral("add"), QStringLiteral("f"), QStringLiteral("5")});
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value(u"added").toBool(), false);
    }

    void shouldListDeleteAndFailClearly()
    {
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("ls_")};
        for (const char *k : {"a:1", "a:2", "b:1"})
            QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QLatin1String(k), QStringLiteral("1")}).exitCode, 0);
        m_redis.command({"SET", "other_a:1", "x"}); // outside the prefix: never listed
        auto keys = cacheCli(base + QStringList{QStringLiteral("keys"), QStringLiteral("a:*")});
        QCOMPARE(keys.exitCode, 0);
        QStringList listed;
        const QJsonArray array = QJsonDocument::fromJson(keys.out).array();
        for (const auto &v : array)
            listed << v.toString();
        listed.sort();
        QCOMPARE(listed, (QStringList{QStringLiteral("a:1"), QStringLiteral("a:2")}));

        auto del = cacheCli(base + QStringList{QStringLiteral("delete"), QStringLiteral("a:1")});
        QCOMPARE(QJsonDocument::fromJson(del.out).object().value(u"deleted").toBool(), true);
        auto missing = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("a:1")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("a:1"));
        QVERIFY(missing.out.isEmpty());

        auto badJson = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("x"), QStringLiteral("{nope")});
        QCOMPARE(badJson.exitCode, 1);
        QVERIFY(badJson.err.contains("not valid JSON"));

        auto dead = cacheCli({QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1/0").arg(freeLoopbackPort()),
                            QStringLiteral("get"), QStringLiteral("x")});
        QCOMPARE(dead.exitCode, 1);
        QVERIFY2(dead.err.contains("127.0.0.1"), dead.err.constData());

        // rediss:// to a plain-text port: the TLS handshake fails, nothing is tried in clear.
        auto tls = cacheCli({QStringLiteral("--redis"), QStringLiteral("rediss://127.0.0.1:%1/0").arg(m_redis.port()),
                           QStringLiteral("get"), QStringLiteral("x")});
        QCOMPARE(tls.exitCode, 1);
        QVERIFY2(tls.err.contains("TLS handshake failed"), tls.err.constData());
    }

    void shouldWorkOnACacheDirectoryLikeCachelib()
    {
        QTemporaryDir dir;
        const QStringList base{QStringLiteral("--dir"), dir.path()};
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("6f1f2c1e-uuid"), QStringLiteral("{\"__bytes__\":\"eJzLSM3JyVcozy/KSQEAGgsEXQ==\"}"), QStringLiteral("--timeout"), QStringLiteral("0")}).exitCode, 0);
        QElapsedTimer sincePythonSet; // the TTL runs down while Python and the CLI start
        sincePythonSet.start();
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.file import FileSystemCache\n"
            "c = FileSystemCache(sys.argv[1])\nimport zlib\nprint(zlib.decompress(c.get('6f1f2c1e-uuid')).decode())\n"
            "c.set('from-python', [1, 'two'], timeout=50)"),
            {dir.path()});
        QVERIFY2(python, qPrintable(python.error()));
        QCOMPARE(python->trimmed(), QByteArray("hello world"));
        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("from-python")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(get.out), QJsonDocument::fromJson("[1,\"two\"]"));
        auto ttl = cacheCli(base + QStringList{QStringLiteral("ttl"), QStringLiteral("from-python")});
        const int seconds = QJsonDocument::fromJson(ttl.out).object().value(u"ttl").toInt();
        const qint64 elapsed = (sincePythonSet.elapsed() + 999) / 1000;
        QVERIFY2(seconds <= 50 && seconds >= 50 - elapsed - 1, ttl.out.constData());
    }

    // JSON numbers that begin with '-' are values; anything else that does goes after `--`; an
    // option's value is taken whatever it looks like and then range-checked.
    void shouldTakeValuesThatLookLikeOptions()
    {
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("neg_")};
        auto set = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("n"), QStringLiteral("-1")});
        QVERIFY2(set.exitCode == 0, set.err.constData());
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("f"), QStringLiteral("-2.5e3")}).exitCode, 0);
        auto dashed = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("--"), QStringLiteral("-k"), QStringLiteral("\"dash\"")});
        QVERIFY2(dashed.exitCode == 0, dashed.err.constData());
        QCOMPARE(QJsonDocument::fromJson(dashed.out).object().value(u"key").toString(), QStringLiteral("-k"));
        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("n")});
        QCOMPARE(get.out, QByteArray("-1\n"));
        auto getDashed = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("--"), QStringLiteral("-k")});
        QCOMPARE(getDashed.out, QByteArray("\"dash\"\n"));

        // Python's cachelib reads what the CLI wrote.
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='neg_')\n"
            "print(repr(c.get('n')), repr(c.get('f')), repr(c.get('-k')))"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        QCOMPARE(python->trimmed(), QByteArray("-1 -2500.0 'dash'"));

        auto badTimeout = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("t"), QStringLiteral("1"),
                                                    QStringLiteral("--timeout"), QStringLiteral("-1")});
        QCOMPARE(badTimeout.exitCode, 2);
        QVERIFY2(badTimeout.err.startsWith("cachescope cache: --timeout needs a whole number >= 0, not '-1'\n"),
                 badTimeout.err.constData());
        auto notAnOption = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("-k")});
        QCOMPARE(notAnOption.exitCode, 2);
        QVERIFY2(notAnOption.err.contains("unknown option '-k'") && notAnOption.err.contains("after '--'"),
                 notAnOption.err.constData());
        QCOMPARE(m_redis.command({"EXISTS", "neg_t"}), QByteArray(":0\r\n")); // a usage error writes nothing
    }

    // A BOM (U+FEFF) that begins a str is data: Python writes 9 characters, the CLI shows 9, and
    // what the CLI writes (inline, from stdin, from @FILE, in a key) Python reads as written.
    void shouldKeepALeadingByteOrderMark()
    {
        const QString port = QString::number(m_redis.port());
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='bom_')\n"
            "c.set('s', '\\ufeffabcdefgh')\nc.set('\\ufeffkey', 'k')\n"
            "c.set('nested', ['\\ufeffa', {'\\ufeffk': '\\ufeffv'}])\n"),
            {port});
        QVERIFY2(python, qPrintable(python.error()));
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("bom_")};
        const QString bom(QChar(0xFEFF));

        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("s")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(get.out, QByteArray("\"\xEF\xBB\xBF" "abcdefgh\"\n"));
        auto nested = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("nested")});
        QCOMPARE(nested.out, QByteArray("[\"\xEF\xBB\xBF" "a\",{\"\xEF\xBB\xBF" "k\":\"\xEF\xBB\xBF" "v\"}]\n"));
        auto byKey = cacheCli(base + QStringList{QStringLiteral("get"), bom + QStringLiteral("key")});
        QVERIFY2(byKey.exitCode == 0, byKey.err.constData());
        QCOMPARE(byKey.out, QByteArray("\"k\"\n"));
        auto keys = cacheCli(base + QStringList{QStringLiteral("keys"), bom + u'*'});
        QCOMPARE(keys.exitCode, 0);
        auto listed = runPython(QStringLiteral("import sys, json\nprint([len(k) for k in json.loads(sys.stdin.read())])"),
                                {}, keys.out);
        QVERIFY2(listed, qPrintable(listed.error()));
        QCOMPARE(listed->trimmed(), QByteArray("[4]"));

        // Written by the CLI: inline, from standard input, from a file; and a key with a BOM.
        const QByteArray json = "\"\xEF\xBB\xBF" "abcdefgh\"";
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("w1"), QString::fromUtf8(json)}).exitCode, 0);
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("w2"), QStringLiteral("-")}, json).exitCode, 0);
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("v.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[" + json + "]");
        file.close();
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("w3"), u'@' + file.fileName()}).exitCode, 0);
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), bom + QStringLiteral("key2"), QStringLiteral("1")}).exitCode, 0);
        auto read = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='bom_')\n"
            "print(len(c.get('w1')), len(c.get('w2')), len(c.get('w3')[0]), c.get('w1')[0] == '\\ufeff', c.get('\\ufeffkey2'))"),
            {port});
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->trimmed(), QByteArray("9 9 9 True 1"));

        // A BOM before the JSON text is in no string: refused by name, nothing written.
        auto outside = cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("w4"), QStringLiteral("-")},
                              "\xEF\xBB\xBF" + json);
        QCOMPARE(outside.exitCode, 1);
        QVERIFY2(outside.err.contains("byte-order mark (U+FEFF) outside any string"), outside.err.constData());
        QCOMPARE(m_redis.command({"EXISTS", "bom_w4"}), QByteArray(":0\r\n"));
    }

    // `cachescope keys` prints stored keys (prefix included); get and ttl take one as well, and
    // say so; delete never guesses.
    void shouldReadByStoredKey()
    {
        m_redis.command({"DEL", "sk_a"});
        const QStringList base{QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"), QStringLiteral("sk_")};
        QCOMPARE(cacheCli(base + QStringList{QStringLiteral("set"), QStringLiteral("a"), QStringLiteral("7")}).exitCode, 0);
        auto get = cacheCli(base + QStringList{QStringLiteral("get"), QStringLiteral("sk_a")});
        QCOMPARE(get.exitCode, 0);
        QCOMPARE(get.out, QByteArray("7\n"));
        QVERIFY2(get.err.contains("stored key of cache key 'a'"), get.err.constData());
        auto ttl = cacheCli(base + QStringList{QStringLiteral("ttl"), QStringLiteral("sk_a")});
        QCOMPARE(ttl.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(ttl.out).object().value(u"key").toString(), QStringLiteral("a"));
        auto del = cacheCli(base + QStringList{QStringLiteral("delete"), QStringLiteral("sk_a")});
        QCOMPARE(QJsonDocument::fromJson(del.out).object().value(u"deleted").toBool(true), false);
        QVERIFY2(del.err.contains("delete 'a'"), del.err.constData());
        QCOMPARE(m_redis.command({"EXISTS", "sk_a"}), QByteArray(":1\r\n"));
    }

private:
    RedisServer m_redis;
};

QTEST_GUILESS_MAIN(TestCacheCommand)
#include "tst_cachecommand.moc"
