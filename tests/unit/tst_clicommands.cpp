// Drives `cachescope config show`, `decode`, `keys`, `stats`, `record` and `replay` as a user
// would: the real executable (CACHESCOPE_BINARY) against fixture files, real redis-servers and
// cache entries written by Python's cachelib.
#include "cli.h"
#include "python.h"
#include "redisserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;
using namespace cachescope::test;

namespace {

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// One JSON object per non-empty line; an unparsable line fails the calling test through `ok`.
QList<QJsonObject> jsonLines(const QByteArray &out, bool *ok)
{
    QList<QJsonObject> lines;
    *ok = true;
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            *ok = false;
        lines << doc.object();
    }
    return lines;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString fixture(const QString &relative)
{
    return sourcePath(QStringLiteral("tests/fixtures/") + relative);
}

QStringList keysOf(const QList<QJsonObject> &lines)
{
    QStringList keys;
    for (const QJsonObject &o : lines)
        keys << o.value(u"key").toString();
    keys.sort();
    return keys;
}

} // namespace

class TestCliCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY");
        QString error = m_redis.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = m_redis2.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(m_dir.isValid());
    }

    // config show --json on a fixture: every cache field and setting the fixture expects.
    void configShowMatchesFixture()
    {
        const QString py = fixture(QStringLiteral("configs/07_fstring.py"));
        const QJsonObject expected = object(readFile(fixture(QStringLiteral("configs/07_fstring.json"))));
        QVERIFY(!expected.isEmpty());
        const test::CliResult r = runCli({QStringLiteral("config"), QStringLiteral("show"), py, QStringLiteral("--json"),
                                    QStringLiteral("--no-process-env"), QStringLiteral("--env-file"),
                                    fixture(QStringLiteral("configs/07_fstring.env"))});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject out = object(r.out);
        QVERIFY2(!out.isEmpty(), r.out.constData());
        const QJsonObject expCaches = expected.value(u"caches").toObject();
        QVERIFY(!expCaches.isEmpty());
        for (auto it = expCaches.begin(); it != expCaches.end(); ++it) {
            const QJsonObject got = out.value(u"caches").toObject().value(it.key()).toObject();
            const QJsonObject want = it.value().toObject();
            for (auto f = want.begin(); f != want.end(); ++f)
                QVERIFY2(got.value(f.key()) == f.value(), qPrintable(it.key() + u'.' + f.key()));
        }
        const QJsonObject expSettings = expected.value(u"settings").toObject();
        for (auto it = expSettings.begin(); it != expSettings.end(); ++it)
            QVERIFY2(out.value(u"settings").toObject().value(it.key()) == it.value(), qPrintable(it.key()));
        QVERIFY(!r.out.contains("s3cret")); // the env file's DB password is masked

        // --env wins over the env file, exactly as documented.
        const test::CliResult overridden = runCli({QStringLiteral("config"), QStringLiteral("show"), py, QStringLiteral("--json"),
                                             QStringLiteral("--no-process-env"), QStringLiteral("--env-file"),
                                             fixture(QStringLiteral("configs/07_fstring.env")), QStringLiteral("--env"),
                                             QStringLiteral("REDIS_PORT=7001")});
        QCOMPARE(object(overridden.out).value(u"caches").toObject().value(u"CACHE_CONFIG").toObject().value(u"port").toInt(), 7001);
    }

    void configShowSyntaxErrorIsLocated()
    {
        const test::CliResult r = runCli({QStringLiteral("config"), QStringLiteral("show"),
                                    fixture(QStringLiteral("configs/57_syntax_error.py")), QStringLiteral("--json"),
                                    QStringLiteral("--no-process-env")});
        QCOMPARE(r.exitCode, 1);
        // Line 4 of the fixture is `"CACHE_REDIS_HOST" = "redis",`: the '=' at column 24.
        QVERIFY2(r.err.contains("line 4, column 24"), r.err.constData());
        const QJsonObject out = object(r.out);
        QCOMPARE(out.value(u"loaded").toBool(true), false);
        const QJsonObject d = out.value(u"diagnostics").toArray().first().toObject();
        QCOMPARE(d.value(u"code").toString(), QStringLiteral("syntax-error"));
        QCOMPARE(d.value(u"line").toInt(), 4);
    }

    // The chart-data fixture written by make_payloads.py: cachelib's "!" + pickle of a dict with a
    // DataFrame of 3 rows and 8 columns.
    void decodeInputFixture()
    {
        const test::CliResult r = runCli({QStringLiteral("decode"), QStringLiteral("--input"),
                                    fixture(QStringLiteral("payloads/chart_data.bin")), QStringLiteral("--json"),
                                    QStringLiteral("--rows"), QStringLiteral("2")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject out = object(r.out);
        QStringList kinds;
        for (const auto &l : out.value(u"layers").toArray())
            kinds << l.toObject().value(u"kind").toString();
        QCOMPARE(kinds, (QStringList{QStringLiteral("redis-envelope"), QStringLiteral("pickle")}));
        const QJsonObject value = out.value(u"value").toObject();
        QCOMPARE(value.value(u"query").toString(), QStringLiteral("SELECT 1"));
        QCOMPARE(value.value(u"sql_rowcount").toInt(), 3);
        const QJsonObject df = value.value(u"df").toObject().value(u"__dataframe__").toObject();
        QCOMPARE(df.value(u"columns").toArray().toVariantList(),
                 (QVariantList{u"id"_qs, u"price"_qs, u"name"_qs, u"flag"_qs, u"ts"_qs, u"ts_tz"_qs, u"nullable"_qs, u"cat"_qs}));
        QCOMPARE(df.value(u"rows").toInt(), 3);
        const QJsonArray data = df.value(u"data").toArray();
        QCOMPARE(data.size(), 2); // --rows 2
        const QJsonArray row0 = data.at(0).toArray();
        QCOMPARE(row0.at(0).toInt(), 1);
        QCOMPARE(row0.at(1).toDouble(), 1.5);
        QCOMPARE(row0.at(2).toString(), QStringLiteral("a"));
        QCOMPARE(row0.at(3).toBool(), true);
        QCOMPARE(row0.at(7).toString(), QStringLiteral("x"));
        QCOMPARE(data.at(1).toArray().at(2).toString(), QStringLiteral("b\u00e9"));
    }

    void decodeTruncatedFileFailsWithOffset()
    {
        const QByteArray whole = readFile(fixture(QStringLiteral("payloads/chart_data.bin")));
        QVERIFY(whole.size() > 300);
        const QString path = m_dir.filePath(QStringLiteral("truncated.bin"));
        QVERIFY(writeFile(path, whole.left(300)));
        const test::CliResult r = runCli({QStringLiteral("decode"), QStringLiteral("--input"), path, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1);
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("offset (\\d+)")).match(QString::fromUtf8(r.err));
        QVERIFY2(m.hasMatch(), r.err.constData());
        const int offset = m.captured(1).toInt();
        QVERIFY2(offset > 0 && offset <= 300, r.err.constData()); // inside what was there
        QVERIFY(object(r.out).value(u"error").toString().contains(u"truncated"));
    }

    // What Superset's chart data cache holds: a dict with a pandas DataFrame, through cachelib.
    void decodeRedisEntryPythonWrote()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nimport pandas as pd\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='superset_')\n"
            "df = pd.DataFrame({'country': ['FR', 'DE', 'IT'], 'sales': [10, 20, 35], 'share': [0.5, 0.25, 0.25]})\n"
            "c.set('chart-1', {'df': df, 'query': 'SELECT country, sales', 'sql_rowcount': 3}, timeout=600)"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const test::CliResult r = runCli({QStringLiteral("decode"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                    QStringLiteral("superset_"), QStringLiteral("chart-1"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject value = object(r.out).value(u"value").toObject();
        QCOMPARE(value.value(u"query").toString(), QStringLiteral("SELECT country, sales"));
        const QJsonObject df = value.value(u"df").toObject().value(u"__dataframe__").toObject();
        QCOMPARE(df.value(u"columns").toArray().toVariantList(), (QVariantList{u"country"_qs, u"sales"_qs, u"share"_qs}));
        QCOMPARE(df.value(u"dtypes").toArray().toVariantList(), (QVariantList{u"object"_qs, u"int64"_qs, u"float64"_qs}));
        QCOMPARE(df.value(u"rows").toInt(), 3);
        const QJsonArray data = df.value(u"data").toArray();
        QCOMPARE(data.size(), 3);
        QCOMPARE(data.at(2).toArray().at(0).toString(), QStringLiteral("IT"));
        QCOMPARE(data.at(2).toArray().at(1).toInt(), 35);
        QCOMPARE(data.at(0).toArray().at(2).toDouble(), 0.5);

        const test::CliResult missing = runCli({QStringLiteral("decode"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                          QStringLiteral("superset_"), QStringLiteral("no-such-key")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("no-such-key"));
    }

    // SQL Lab's results backend (JSON path): zlib-compressed JSON bytes in a FileSystemCache.
    void decodeFileSystemEntryPythonWrote()
    {
        const QString dir = m_dir.filePath(QStringLiteral("results"));
        auto python = runPython(QStringLiteral(
            "import sys, json, zlib\nfrom cachelib.file import FileSystemCache\n"
            "c = FileSystemCache(sys.argv[1])\n"
            "payload = {'status': 'success', 'query_id': 42, 'columns': [{'name': 'n', 'type': 'INT'}],\n"
            "           'data': [{'n': 1}, {'n': 2}]}\n"
            "c.set('6f1f2c1e-results', zlib.compress(json.dumps(payload).encode('utf-8')), timeout=0)"),
            {dir});
        QVERIFY2(python, qPrintable(python.error()));
        const test::CliResult r = runCli({QStringLiteral("decode"), QStringLiteral("--dir"), dir, QStringLiteral("6f1f2c1e-results"),
                                    QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject out = object(r.out);
        QStringList kinds;
        for (const auto &l : out.value(u"layers").toArray())
            kinds << l.toObject().value(u"kind").toString();
        QVERIFY2(kinds.contains(u"filesystem-header"_qs) && kinds.contains(u"pickle"_qs) && kinds.contains(u"zlib"_qs)
                     && kinds.contains(u"json"_qs),
                 qPrintable(kinds.join(u',')));
        QVERIFY(kinds.indexOf(u"zlib"_qs) < kinds.indexOf(u"json"_qs));
        const QJsonObject value = out.value(u"value").toObject();
        QCOMPARE(value.value(u"status").toString(), QStringLiteral("success"));
        QCOMPARE(value.value(u"query_id").toInt(), 42);
        QCOMPARE(value.value(u"data").toArray().at(1).toObject().value(u"n").toInt(), 2);
    }

    void keysRedisMatchMetaJson()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='km_')\n"
            "c.set('a:1', 'x' * 1000, timeout=100)\nc.set('a:2', [1, 2], timeout=0)\nc.set('b:1', 1, timeout=0)\n"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const test::CliResult r = runCli({QStringLiteral("keys"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                    QStringLiteral("km_"), QStringLiteral("--match"), QStringLiteral("a:*"),
                                    QStringLiteral("--meta"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(r.out, &ok);
        QVERIFY2(ok, r.out.constData());
        QCOMPARE(keysOf(lines), (QStringList{QStringLiteral("km_a:1"), QStringLiteral("km_a:2")}));
        for (const QJsonObject &o : lines) {
            QCOMPARE(o.value(u"type").toString(), QStringLiteral("string"));
            const double ttl = o.value(u"ttl_ms").toDouble();
            const double size = o.value(u"size").toDouble();
            if (o.value(u"key").toString() == u"km_a:1") {
                QVERIFY2(ttl > 0 && ttl <= 100000, qPrintable(QString::number(ttl)));
                QVERIFY2(size >= 1000, qPrintable(QString::number(size))); // 1000 pickled characters at least
            } else {
                QCOMPARE(ttl, -1.0); // timeout=0: never expires
                QVERIFY(size > 0);
            }
        }
        const test::CliResult limited = runCli({QStringLiteral("keys"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                          QStringLiteral("km_"), QStringLiteral("--limit"), QStringLiteral("1")});
        QCOMPARE(limited.exitCode, 0);
        QCOMPARE(limited.out.count('\n'), 1);
        QVERIFY(limited.out.startsWith("km_"));
    }

    void keysFromConfig()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='superset_data_')\n"
            "c.set('k1', 1, timeout=0)\nc.set('k2', {'a': 1}, timeout=0)\n"
            "RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='other_').set('k3', 3)\n"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const QString config = m_dir.filePath(QStringLiteral("superset_config.py"));
        QVERIFY(writeFile(config, "import os\n"
                                  "REDIS_URL = f\"redis://127.0.0.1:{os.environ['PORT']}/0\"\n"
                                  "CACHE_CONFIG = {'CACHE_TYPE': 'SimpleCache'}\n"
                                  "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_data_',\n"
                                  "                     'CACHE_REDIS_URL': REDIS_URL}\n"
                                  "FILTER_STATE_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'f_',\n"
                                  "    'CACHE_REDIS_URL': f\"redis://:hunter2pw@127.0.0.1:{os.environ['DEAD_PORT']}/0\"}\n"));
        const QString port = QString::number(m_redis.port());
        const QString deadPort = QString::number(freeLoopbackPort());
        const QStringList env{QStringLiteral("--env"), u"PORT="_qs + port, QStringLiteral("--env"), u"DEAD_PORT="_qs + deadPort};

        const test::CliResult r = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                               QStringLiteral("data_cache_config"), QStringLiteral("--json")} + env);
        QCOMPARE(r.exitCode, 0);
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(r.out, &ok);
        QVERIFY2(ok, r.out.constData());
        QCOMPARE(keysOf(lines), (QStringList{QStringLiteral("superset_data_k1"), QStringLiteral("superset_data_k2")}));

        // The same environment from an env file.
        const QString envFile = m_dir.filePath(QStringLiteral("superset.env"));
        QVERIFY(writeFile(envFile, "PORT=" + port.toUtf8() + "\nexport DEAD_PORT=" + deadPort.toUtf8() + '\n'));
        const test::CliResult fromFile = runCli({QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                           QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("--env-file"), envFile,
                                           QStringLiteral("--no-process-env")});
        QCOMPARE(fromFile.exitCode, 0);
        QCOMPARE(fromFile.out.split('\n').size(), 3); // two keys and the final newline

        const test::CliResult simple = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                                    QStringLiteral("CACHE_CONFIG")} + env);
        QCOMPARE(simple.exitCode, 1);
        QVERIFY2(simple.err.contains("has no keys outside the Superset process"), simple.err.constData());

        const test::CliResult unknown = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                                     QStringLiteral("DATA_CACHE")} + env);
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("DATA_CACHE_CONFIG") && unknown.err.contains("RESULTS_BACKEND"), unknown.err.constData());

        const test::CliResult unreachable = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                                         QStringLiteral("FILTER_STATE_CACHE_CONFIG")} + env);
        QCOMPARE(unreachable.exitCode, 1);
        QVERIFY2(unreachable.err.contains(QString(u"127.0.0.1:"_qs + deadPort).toUtf8()), unreachable.err.constData());
        QVERIFY2(!unreachable.err.contains("hunter2pw"), unreachable.err.constData());

        const test::CliResult noEnv = runCli({QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                        QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("--no-process-env")});
        QCOMPARE(noEnv.exitCode, 1);
        QVERIFY2(noEnv.err.contains("PORT") && noEnv.err.contains("superset_config.py:2"), noEnv.err.constData());
    }

    // A FileSystemCache purpose lists the directory: cachelib's MD5 file names, and its count file.
    void keysFromConfigFileSystem()
    {
        const QString dir = m_dir.filePath(QStringLiteral("forms"));
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.file import FileSystemCache\n"
            "c = FileSystemCache(sys.argv[1])\nc.set('form-1', {'a': 1})\nc.set('form-2', 2, timeout=0)\n"),
            {dir});
        QVERIFY2(python, qPrintable(python.error()));
        const QString config = m_dir.filePath(QStringLiteral("fs_config.py"));
        QVERIFY(writeFile(config, "import os\nEXPLORE_FORM_DATA_CACHE_CONFIG = {'CACHE_TYPE': 'FileSystemCache',\n"
                                  "    'CACHE_DIR': os.path.join(os.environ['HOME_DIR'], 'forms')}\n"));
        const test::CliResult r = runCli({QStringLiteral("keys"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                    QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG"), QStringLiteral("--env"),
                                    u"HOME_DIR="_qs + m_dir.path(), QStringLiteral("--meta")});
        QCOMPARE(r.exitCode, 0);
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(r.out, &ok);
        QVERIFY2(ok, r.out.constData());
        auto md5 = [](const char *key) { return QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Md5).toHex()); };
        QStringList want{md5("form-1"), md5("form-2"), md5("__wz_cache_count")};
        want.sort();
        QCOMPARE(keysOf(lines), want);
        for (const QJsonObject &o : lines) {
            if (o.value(u"key").toString() == md5("form-1"))
                QVERIFY(o.value(u"ttl_ms").toDouble() > 0 && o.value(u"ttl_ms").toDouble() <= 300000); // cachelib's default 300 s
            else if (o.value(u"key").toString() == md5("form-2"))
                QCOMPARE(o.value(u"ttl_ms").toDouble(), -1.0);
            else
                QCOMPARE(o.value(u"app_key").toString(), QStringLiteral("__wz_cache_count"));
        }
    }

    void decodeFromConfig()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='superset_data_').set('dc', {'rows': [1, 2]})\n"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const QString config = m_dir.filePath(QStringLiteral("decode_config.py"));
        QVERIFY(writeFile(config, "import os\nDATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_data_',\n"
                                  "    'CACHE_REDIS_HOST': '127.0.0.1', 'CACHE_REDIS_PORT': int(os.environ['PORT'])}\n"));
        const test::CliResult r = runCli({QStringLiteral("decode"), QStringLiteral("--config"), config, QStringLiteral("--cache"),
                                    QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("--env"),
                                    u"PORT="_qs + QString::number(m_redis.port()), QStringLiteral("dc"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(object(r.out).value(u"value").toObject().value(u"rows").toArray().toVariantList(), (QVariantList{1, 2}));
    }

    void statsRedisPrintsSamples()
    {
        // Present and absent keys read before and during polling make the counters move.
        m_redis.command({"SET", "stats_present", "1"});
        const test::CliResult r = runCli({QStringLiteral("stats"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--interval"),
                                    QStringLiteral("0.2"), QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(r.out, &ok);
        QVERIFY2(ok, r.out.constData());
        int servers = 0, hits = 0;
        for (const QJsonObject &o : lines) {
            const QString type = o.value(u"type").toString();
            if (type == u"server") {
                ++servers;
                QCOMPARE(o.value(u"server").toString(), m_redis.url());
                QVERIFY(o.value(u"used_memory").isDouble() && o.value(u"used_memory").toDouble() > 0);
                QVERIFY(o.value(u"keys").toDouble() >= 1); // stats_present at least
                QVERIFY(o.value(u"ops_per_s").isDouble() && o.value(u"ops_per_s").toDouble() >= 0);
                QVERIFY(o.value(u"interval_s").toDouble() > 0);
            } else if (type == u"hit-rate") {
                ++hits;
                QCOMPARE(o.value(u"source").toString(), QStringLiteral("redis-info"));
                QVERIFY(o.value(u"hits_per_s").isDouble() && o.value(u"misses_per_s").isDouble());
                QVERIFY(o.value(u"hits_per_s").toDouble() >= 0 && o.value(u"misses_per_s").toDouble() >= 0);
            } else {
                QFAIL(qPrintable(u"unexpected line type "_qs + type));
            }
        }
        QCOMPARE(servers, 3);
        QCOMPARE(hits, 3);
    }

    // Two servers in one config: one INFO series each, naming the caches each serves.
    void statsFromConfigPollsEveryServer()
    {
        const QString config = m_dir.filePath(QStringLiteral("stats_config.py"));
        QVERIFY(writeFile(config,
                          "import os\nfrom cachelib.redis import RedisCache\n"
                          "P1 = int(os.environ['P1'])\n"
                          "CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_',\n"
                          "                'CACHE_REDIS_URL': f'redis://127.0.0.1:{P1}/0'}\n"
                          "DATA_CACHE_CONFIG = {**CACHE_CONFIG, 'CACHE_KEY_PREFIX': 'superset_data_', 'CACHE_REDIS_DB': 1}\n"
                          "THUMBNAIL_CACHE_CONFIG = {'CACHE_TYPE': 'NullCache'}\n"
                          "RESULTS_BACKEND = RedisCache(host='127.0.0.1', port=int(os.environ['P2']), key_prefix='sqllab_')\n"));
        const test::CliResult r = runCli({QStringLiteral("stats"), QStringLiteral("--config"), config, QStringLiteral("--env"),
                                    u"P1="_qs + QString::number(m_redis.port()), QStringLiteral("--env"),
                                    u"P2="_qs + QString::number(m_redis2.port()), QStringLiteral("--interval"), QStringLiteral("0.2"),
                                    QStringLiteral("--count"), QStringLiteral("2"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("THUMBNAIL_CACHE_CONFIG (NullCache)"), r.err.constData());
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(r.out, &ok);
        QVERIFY2(ok, r.out.constData());
        QHash<QString, int> perServer;
        QHash<QString, QVariantList> caches;
        for (const QJsonObject &o : lines) {
            if (o.value(u"type").toString() != u"server")
                continue;
            ++perServer[o.value(u"server").toString()];
            caches[o.value(u"server").toString()] = o.value(u"caches").toArray().toVariantList();
        }
        QCOMPARE(perServer.size(), 2);
        QVERIFY(perServer.value(m_redis.url()) >= 2);
        QVERIFY(perServer.value(m_redis2.url()) >= 2);
        QCOMPARE(caches.value(m_redis.url()), (QVariantList{u"CACHE_CONFIG"_qs, u"DATA_CACHE_CONFIG"_qs}));
        QCOMPARE(caches.value(m_redis2.url()), (QVariantList{u"RESULTS_BACKEND"_qs}));
    }

    // MONITOR attributes reads to the config's caches by their key prefixes.
    void statsFromConfigAttributesMonitorByPrefix()
    {
        const QString config = m_dir.filePath(QStringLiteral("monitor_config.py"));
        QVERIFY(writeFile(config, "import os\nURL = f\"redis://127.0.0.1:{os.environ['P1']}/0\"\n"
                                  "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'mon_data_', 'CACHE_REDIS_URL': URL}\n"
                                  "FILTER_STATE_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'mon_filter_',\n"
                                  "                             'CACHE_REDIS_URL': URL}\n"));
        QProcess process;
        process.start(qEnvironmentVariable("CACHESCOPE_BINARY"),
                      {QStringLiteral("stats"), QStringLiteral("--config"), config, QStringLiteral("--env"),
                       u"P1="_qs + QString::number(m_redis.port()), QStringLiteral("--monitor"), QStringLiteral("30"),
                       QStringLiteral("--interval"), QStringLiteral("0.5"), QStringLiteral("--count"), QStringLiteral("6"),
                       QStringLiteral("--json")});
        QVERIFY(process.waitForStarted());
        // The cost warning comes first; then wait until the server lists the MONITOR client, so
        // every read below is seen, and read through the prefixes.
        QByteArray err;
        QTRY_VERIFY2_WITH_TIMEOUT((err += process.readAllStandardError()).contains("MONITOR makes"), err.constData(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(m_redis.command({"CLIENT", "LIST"}).contains("cmd=monitor"), 10000);
        for (int i = 0; i < 6; ++i) {
            m_redis.command({"GET", "mon_data_" + QByteArray::number(i)});
            m_redis.command({"GET", "mon_filter_" + QByteArray::number(i)});
        }
        for (int i = 0; i < 3; ++i)
            m_redis.command({"GET", "mon_filter_x" + QByteArray::number(i)});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        bool ok = false;
        const QList<QJsonObject> lines = jsonLines(process.readAllStandardOutput(), &ok);
        QVERIFY(ok);
        QJsonObject totals;
        for (const QJsonObject &o : lines)
            if (o.value(u"type").toString() == u"monitor-totals")
                totals = o.value(u"caches").toObject();
        QVERIFY2(!totals.isEmpty(), "MONITOR ended with its totals");
        QCOMPARE(totals.value(u"DATA_CACHE_CONFIG").toObject().value(u"reads").toInt(), 6);
        QCOMPARE(totals.value(u"FILTER_STATE_CACHE_CONFIG").toObject().value(u"reads").toInt(), 9);
    }

    void recordThenReplayGivesTheSameSeries()
    {
        const QString file = m_dir.filePath(QStringLiteral("recording.db"));
        const test::CliResult rec = runCli({QStringLiteral("record"), file, QStringLiteral("--redis"), m_redis.url(),
                                      QStringLiteral("--interval"), QStringLiteral("0.2"), QStringLiteral("--count"),
                                      QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(rec.exitCode, 0);
        QVERIFY2(rec.err.contains("recorded 6 samples"), rec.err.constData());
        const test::CliResult rep = runCli({QStringLiteral("replay"), file, QStringLiteral("--json")});
        QCOMPARE(rep.exitCode, 0);
        bool ok1 = false, ok2 = false;
        const QList<QJsonObject> recorded = jsonLines(rec.out, &ok1);
        const QList<QJsonObject> replayed = jsonLines(rep.out, &ok2);
        QVERIFY(ok1 && ok2);
        QCOMPARE(recorded.size(), 6);
        // Per type, the same samples in the same order (samples of one instant may interleave differently).
        for (const QString &type : {u"server"_qs, u"hit-rate"_qs}) {
            QList<QJsonObject> a, b;
            for (const QJsonObject &o : recorded)
                if (o.value(u"type").toString() == type)
                    a << o;
            for (const QJsonObject &o : replayed)
                if (o.value(u"type").toString() == type)
                    b << o;
            QCOMPARE(a.size(), 3);
            QCOMPARE(b, a);
        }
    }

    // The natural pipeline: every key `keys` prints decodes as printed, through a real shell, for a
    // Redis cache and a cache directory of a config, and for --redis/--prefix and --dir.
    void keysPipeIntoDecode()
    {
        const QString dir = m_dir.filePath(QStringLiteral("pipe_fs"));
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\nfrom cachelib.file import FileSystemCache\n"
            "r = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='superset_pipe_')\n"
            "f = FileSystemCache(sys.argv[2])\n"
            "for i in range(3):\n"
            "    r.set('chart-%d' % i, {'n': i, 's': '\\ufeffx'})\n"
            "    f.set('form-%d' % i, {'n': i})\n"),
            {QString::number(m_redis.port()), dir});
        QVERIFY2(python, qPrintable(python.error()));
        const QString config = m_dir.filePath(QStringLiteral("pipe_config.py"));
        QVERIFY(writeFile(config, "import os\n"
                                  "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_pipe_',\n"
                                  "    'CACHE_REDIS_URL': f\"redis://127.0.0.1:{os.environ['PORT']}/0\"}\n"
                                  "EXPLORE_FORM_DATA_CACHE_CONFIG = {'CACHE_TYPE': 'FileSystemCache', 'CACHE_DIR': os.environ['DIR']}\n"));
        const QString env = QStringLiteral("--env PORT=%1 --env DIR='%2'").arg(m_redis.port()).arg(dir);
        const QString redisArgs = QStringLiteral("--redis %1 --prefix superset_pipe_").arg(m_redis.url());
        const struct
        {
            QString source;
            QString keysFilter;
        } cases[] = {
            {QStringLiteral("--config '%1' --cache DATA_CACHE_CONFIG %2").arg(config, env), QString()},
            {QStringLiteral("--config '%1' --cache EXPLORE_FORM_DATA_CACHE_CONFIG %2").arg(config, env), QString()},
            {redisArgs, QString()},
            {QStringLiteral("--dir '%1'").arg(dir), QString()},
        };
        for (const auto &c : cases) {
            // Each line of `keys` straight into `decode`; one JSON document per key.
            const QString script = QStringLiteral("set -e\n\"$0\" keys %1 | while IFS= read -r k; do\n"
                                                  "  \"$0\" decode %1 --json \"$k\"; done\n")
                                       .arg(c.source);
            QProcess sh;
            sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, qEnvironmentVariable("CACHESCOPE_BINARY")});
            QVERIFY(sh.waitForFinished(120000));
            const QByteArray err = sh.readAllStandardError();
            QVERIFY2(sh.exitCode() == 0, qPrintable(c.source + u": "_qs + QString::fromUtf8(err)));
            bool ok = false;
            const QList<QJsonObject> docs = jsonLines(sh.readAllStandardOutput(), &ok);
            QVERIFY2(ok, qPrintable(c.source));
            QStringList values;
            for (const QJsonObject &d : docs) {
                const QJsonValue v = d.value(u"value");
                if (v.isObject()) // the directory's count file decodes to an int
                    values << QString::number(v.toObject().value(u"n").toInt());
            }
            values.sort();
            QCOMPARE(values, (QStringList{u"0"_qs, u"1"_qs, u"2"_qs}));
        }
    }

    // A key that is a cache key and also a stored key names two entries: the cache key is
    // decoded and a note names the other; a cache directory takes a file name too.
    void decodeSaysWhichKeyWasMeant()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\nfrom cachelib.file import FileSystemCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='dk_')\n"
            "c.set('dk_x', 'the cache key dk_x')\nc.set('x', 'the cache key x')\n"
            "FileSystemCache(sys.argv[2]).set('form', 'in a file')\n"),
            {QString::number(m_redis.port()), m_dir.filePath(QStringLiteral("dk_fs"))});
        QVERIFY2(python, qPrintable(python.error()));
        const QStringList base{QStringLiteral("decode"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                               QStringLiteral("dk_"), QStringLiteral("--json")};
        const test::CliResult both = runCli(base + QStringList{QStringLiteral("dk_x")});
        QCOMPARE(both.exitCode, 0);
        QCOMPARE(object(both.out).value(u"value").toString(), QStringLiteral("the cache key dk_x"));
        QVERIFY2(both.err.contains("cache key 'dk_x' (stored as 'dk_dk_x')") && both.err.contains("stored key 'dk_x' (cache key 'x')"),
                 both.err.constData());
        const test::CliResult plain = runCli(base + QStringList{QStringLiteral("x")});
        QCOMPARE(object(plain.out).value(u"value").toString(), QStringLiteral("the cache key x"));
        QVERIFY2(plain.err.isEmpty(), plain.err.constData());

        const QString md5 = QString::fromLatin1(QCryptographicHash::hash("form", QCryptographicHash::Md5).toHex());
        for (const QString &key : {QStringLiteral("form"), md5}) {
            const test::CliResult fs = runCli({QStringLiteral("decode"), QStringLiteral("--dir"), m_dir.filePath(QStringLiteral("dk_fs")),
                                         key, QStringLiteral("--json")});
            QVERIFY2(fs.exitCode == 0, fs.err.constData());
            QCOMPARE(object(fs.out).value(u"value").toString(), QStringLiteral("in a file"));
        }
        const test::CliResult missing = runCli({QStringLiteral("decode"), QStringLiteral("--dir"), m_dir.filePath(QStringLiteral("dk_fs")),
                                          QStringLiteral("nope")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("key 'nope' not found") && missing.err.contains("cache key 'nope' (file "),
                 missing.err.constData());
    }

    // A leading U+FEFF survives decode (JSON and readable output) and keys (JSON lines).
    void decodeAndKeysKeepAByteOrderMark()
    {
        auto python = runPython(QStringLiteral(
            "import sys\nfrom cachelib.redis import RedisCache\n"
            "c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='bomd_')\n"
            "c.set('\\ufeffk', {'z': '\\ufeffabcdefgh', 'a': 1})\n"),
            {QString::number(m_redis.port())});
        QVERIFY2(python, qPrintable(python.error()));
        const QString key = QString(QChar(0xFEFF)) + u'k';
        const QStringList base{QStringLiteral("decode"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                               QStringLiteral("bomd_"), key};
        const test::CliResult json = runCli(base + QStringList{QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, json.err.constData());
        const test::CliResult readable = runCli(base);
        QVERIFY2(readable.exitCode == 0, readable.err.constData());
        // The readable value starts after the layer lines; key order is the dict's, not sorted.
        const QByteArray value = readable.out.mid(readable.out.indexOf("\n{") + 1);
        const test::CliResult keys = runCli({QStringLiteral("keys"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                       QStringLiteral("bomd_"), QStringLiteral("--json")});
        QCOMPARE(keys.exitCode, 0);
        auto check = runPython(QStringLiteral(
            "import sys, json\nd, v, k = sys.argv[1:4]\n"
            "print(len(json.loads(d)['value']['z']), len(json.loads(v)['z']), list(json.loads(v)),\n"
            "      [(len(o['key']), o['key'][5] == '\\ufeff', 'key_base64' in o) for o in map(json.loads, k.splitlines())])"),
            {QString::fromUtf8(json.out), QString::fromUtf8(value), QString::fromUtf8(keys.out)});
        QVERIFY2(check, qPrintable(check.error()));
        QCOMPARE(check->trimmed(), QByteArray("9 9 ['z', 'a'] [(7, True, False)]"));
    }

    // Every command answers --help on stdout with the same layout, and a usage error on stderr
    // with the same wording and exit status 2; so does `cachescope` itself.
    void everyCommandSharesHelpAndErrors()
    {
        const QList<QStringList> commands{{u"cache"_qs}, {u"config"_qs, u"show"_qs}, {u"decode"_qs}, {u"keys"_qs},
                                          {u"stats"_qs}, {u"record"_qs}, {u"replay"_qs}, {}};
        for (const QStringList &command : commands) {
            const QString name = (QStringList{u"cachescope"_qs} + command).join(u' ');
            const test::CliResult help = runCli(command + QStringList{QStringLiteral("--help")});
            QVERIFY2(help.exitCode == 0, qPrintable(name));
            QVERIFY2(help.out.startsWith(QByteArray("Usage: " + name.toUtf8() + ' ')), help.out.constData());
            QVERIFY2(help.out.contains("\nOptions:\n") && help.out.contains("  -h, --help "), help.out.constData());
            QVERIFY2(help.out.endsWith("Exit status: 0 done, 1 the operation failed, 2 usage error.\n"), help.out.constData());
            QVERIFY(help.err.isEmpty());
            const test::CliResult bogus = runCli(command + QStringList{QStringLiteral("--bogus")});
            QCOMPARE(bogus.exitCode, 2);
            const QString expected = name + u": unknown option '--bogus'\nRun '"_qs + name + u" --help' for the options.\n"_qs;
            if (command.isEmpty()) // the window's QApplication may log first (XDG_RUNTIME_DIR unset as root)
                QVERIFY2(bogus.err.endsWith(expected.toUtf8()), bogus.err.constData());
            else
                QCOMPARE(QString::fromUtf8(bogus.err), expected);
            QVERIFY(bogus.out.isEmpty());
        }
        const test::CliResult top = runCli({QStringLiteral("--help")});
        for (const char *c : {"cache", "config", "decode", "keys", "stats", "record", "replay"})
            QVERIFY2(top.out.contains(QByteArray("\n  " + QByteArray(c) + ' ')), c);
        QVERIFY(top.out.contains("--page PAGE"));
        const test::CliResult typo = runCli({QStringLiteral("kyes")});
        QCOMPARE(typo.exitCode, 2);
        QVERIFY2(typo.err.contains("cachescope: unknown command 'kyes'"), typo.err.constData());
        const test::CliResult badPage = runCli({QStringLiteral("--page"), QStringLiteral("nope")});
        QCOMPARE(badPage.exitCode, 2);
        QVERIFY2(badPage.err.contains("cachescope: unknown page 'nope'"), badPage.err.constData());
    }

    // Sibling values that begin with '-': they reach the range checks (exit 2, named), and
    // `--` lets a key that begins with '-' through.
    void negativeOptionValuesAreCheckedNotMistaken()
    {
        const QList<QPair<QStringList, QByteArray>> cases{
            {{u"stats"_qs, u"--redis"_qs, m_redis.url(), u"--interval"_qs, u"-1"_qs}, "--interval needs a number > 0, not '-1'"},
            {{u"keys"_qs, u"--dir"_qs, m_dir.path(), u"--limit"_qs, u"-5"_qs}, "--limit needs a whole number >= 0, not '-5'"},
            {{u"decode"_qs, u"--input"_qs, u"x"_qs, u"--rows"_qs, u"-1"_qs}, "--rows needs a whole number from 0 to"},
            {{u"replay"_qs, u"x"_qs, u"--speed"_qs, u"-2"_qs}, "--speed needs a number >= 0, not '-2'"},
        };
        for (const auto &[args, message] : cases) {
            const test::CliResult r = runCli(args);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains(message), r.err.constData());
        }
        m_redis.command({"SET", "dash_-k", "5"}); // how cachelib stores an int
        const test::CliResult dashed = runCli({QStringLiteral("decode"), QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--prefix"),
                                         QStringLiteral("dash_"), QStringLiteral("--json"), QStringLiteral("--"), QStringLiteral("-k")});
        QVERIFY2(dashed.exitCode == 0, dashed.err.constData());
        QCOMPARE(object(dashed.out).value(u"value").toInt(), 5);
    }

private:
    RedisServer m_redis;
    RedisServer m_redis2;
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliCommands)
#include "tst_clicommands.moc"
