// `cachescope timeouts`, `timeouts set` and `audit` as a user runs them: the real executable
// (CACHESCOPE_BINARY) against metadata databases that Debian's SQLAlchemy created with Superset's
// tables on SQLite, a real PostgreSQL and a real MariaDB, a superset_config.py, and chart-data
// entries that Debian's cachelib and pandas wrote to a real redis-server.
#include "checkok.h"
#include "cli.h"
#include "mariadbserver.h"
#include "postgresserver.h"
#include "python.h"
#include "redisserver.h"
#include "supersetschema.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace cachescope;
using namespace cachescope::test;

namespace {

// kind/id -> row of `timeouts --json`.
QHash<QString, QJsonObject> rows(const QByteArray &out, bool *ok)
{
    QHash<QString, QJsonObject> byId;
    *ok = true;
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            *ok = false;
        const QJsonValue id = o.value(QStringLiteral("id"));
        byId.insert(o.value(QStringLiteral("kind")).toString() + u'/'
                        + (id.isString() ? id.toString() : QString::number(id.toInteger())),
                    o);
    }
    return byId;
}

QStringList pitfallCodes(const QJsonObject &row)
{
    QStringList codes;
    for (const QJsonValue &p : row.value(QStringLiteral("pitfalls")).toArray())
        codes << p.toObject().value(QStringLiteral("code")).toString();
    return codes;
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

// Writes chart-data entries the way Superset's set_and_log_cache does: a dict with a DataFrame, the
// SQL and "dttm" (naive UTC, ≤ 5.x), pickled by cachelib's RedisCache with the given timeout.
const char *kWriteEntries = R"PY(
import sys
from datetime import datetime, timedelta
import pandas as pd
from cachelib import RedisCache
rc = RedisCache(host="127.0.0.1", port=int(sys.argv[1]), key_prefix="superset_data_")
def payload(age, sql):
    return {"df": pd.DataFrame({"ds": [1, 2], "count": [3, 4]}), "query": sql,
            "applied_template_filters": [], "applied_filter_columns": [], "rejected_filter_columns": [],
            "annotation_data": {}, "sql_rowcount": 2,
            "dttm": (datetime.utcnow() - timedelta(seconds=age)).isoformat().split(".")[0]}
births = "SELECT ds, count(*) FROM birth_names GROUP BY ds"
rc.set("k1", payload(30, births), timeout=270)          # 300 given: what the chain gives
rc.set("k2", payload(100, births), timeout=3500)        # 3600 given, recorded in cache_keys: timeout lowered since
rc.set("k3", payload(1000, "SELECT * FROM public.events"), timeout=-1)  # -1: cachelib writes no expiry
rc.set("k4", payload(0, "SELECT * FROM sales.orders"), timeout=5)       # one of the two charts of dataset 2
rc.set("k5", payload(10, births), timeout=86390)        # not in cache_keys: tied by its SQL's table name
rc.set("k6", payload(0, "SELECT * FROM sales.orders WHERE amount > 0"), timeout=300)  # chart 0 → 300 (falsy)
rc.set("k7", "not chart data", timeout=100)
print("ok")
)PY";

} // namespace

class TestTimeoutsCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    RedisServer m_redis;
    PostgresServer m_pg;
    MariaDbServer m_maria;
    QHash<QString, QString> m_uris; // backend -> URI of a basic 4.1 database
    QString m_config;
    int m_counter = 0;

    Expected<QString> makeDatabase(const QString &backend, const QString &family)
    {
        const QString name = QStringLiteral("to_%1_%2").arg(backend).arg(++m_counter);
        QString uri;
        QString error;
        if (backend == u"sqlite") {
            uri = QStringLiteral("sqlite:///") + m_dir.filePath(name + QStringLiteral(".db"));
        } else if (backend == u"postgresql") {
            error = m_pg.createDatabase(name);
            uri = m_pg.uri(name, QStringLiteral("postgresql+psycopg2"));
        } else {
            error = m_maria.createDatabase(name);
            uri = m_maria.uri(name);
        }
        if (!error.isEmpty())
            return makeError(error);
        auto created = createSupersetSchema(uri, family);
        if (!created)
            return Error{created.error()};
        return uri;
    }

    static void backends()
    {
        QTest::addColumn<QString>("backend");
        for (const char *b : {"sqlite", "postgresql", "mysql"})
            QTest::newRow(b) << QString::fromLatin1(b);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error = m_redis.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = m_pg.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = m_maria.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const char *b : {"sqlite", "postgresql", "mysql"}) {
            auto uri = makeDatabase(QString::fromLatin1(b), QStringLiteral("4.1"));
            CHECK_OK(uri);
            m_uris.insert(QString::fromLatin1(b), *uri);
        }
        m_config = m_dir.filePath(QStringLiteral("superset_config.py"));
        QVERIFY(writeFile(m_config, QStringLiteral("CACHE_DEFAULT_TIMEOUT = 600\n"
                                                   "DATA_CACHE_CONFIG = {\n"
                                                   "    \"CACHE_TYPE\": \"RedisCache\",\n"
                                                   "    \"CACHE_REDIS_URL\": \"%1\",\n"
                                                   "    \"CACHE_KEY_PREFIX\": \"superset_data_\",\n"
                                                   "    \"CACHE_DEFAULT_TIMEOUT\": 300,\n"
                                                   "}\n")
                                        .arg(m_redis.url())
                                        .toUtf8()));
    }

    void cleanupTestCase()
    {
        m_pg.stop();
        m_maria.stop();
        m_redis.stop();
    }

    void timeoutsFollowsTheContractOnEveryDatabase_data() { backends(); }
    void timeoutsFollowsTheContractOnEveryDatabase()
    {
        QFETCH(QString, backend);
        const auto r = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"),
                               m_uris.value(backend), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("guessed Superset family 4.1"), r.err.constData());
        bool ok = false;
        const auto byId = rows(r.out, &ok);
        QVERIFY(ok);
        // A cache purpose: its own default, where it is set.
        const QJsonObject data = byId.value(QStringLiteral("cache/DATA_CACHE_CONFIG"));
        QCOMPARE(data.value(QStringLiteral("own")).toInteger(), 300);
        QCOMPARE(data.value(QStringLiteral("effective")).toInteger(), 300);
        QCOMPARE(data.value(QStringLiteral("source")).toString(), QStringLiteral("DATA_CACHE_CONFIG"));
        QCOMPARE(data.value(QStringLiteral("at")).toString(), m_config + QStringLiteral(":6"));
        QCOMPARE(data.value(QStringLiteral("name")).toString(), QStringLiteral("RedisCache"));
        // Charts under 4.1's rules (basic fixture of superset_schema.py).
        auto check = [&](const char *key, const QJsonValue &own, const QJsonValue &effective, const char *source, bool bypass) {
            const QJsonObject row = byId.value(QString::fromLatin1(key));
            QVERIFY2(!row.isEmpty(), key);
            QVERIFY2(row.value(QStringLiteral("own")) == own, key);
            QVERIFY2(row.value(QStringLiteral("effective")) == effective,
                     qPrintable(QString::fromLatin1(key) + u' ' + QString::fromUtf8(QJsonDocument(row).toJson())));
            QCOMPARE(row.value(QStringLiteral("source")).toString(), QString::fromLatin1(source));
            QCOMPARE(row.value(QStringLiteral("bypass")).toBool(), bypass);
        };
        const QJsonValue null(QJsonValue::Null);
        check("chart/1", null, 300, "DATA_CACHE_CONFIG", false);
        check("chart/2", 5, 5, "chart", false);
        check("chart/3", 0, 300, "DATA_CACHE_CONFIG", false); // 0 is falsy in 4.1
        check("chart/4", -1, -1, "chart", true);
        check("chart/5", null, 86400, "dataset", false);
        check("chart/7", 600, 600, "chart", false);            // a SQL Lab query datasource
        check("chart/8", null, 120, "dataset", false);
        check("dataset/3", 0, 300, "DATA_CACHE_CONFIG", false);
        check("dataset/4", -1, -1, "dataset", true);
        check("database/2", 3600, 3600, "database", false);
        check("database/3", 0, 300, "DATA_CACHE_CONFIG", false);
        check("database/4", -1, -1, "database", true);
        QVERIFY(pitfallCodes(byId.value(QStringLiteral("chart/3"))).contains(QStringLiteral("zero-skips-chain")));
        QVERIFY(pitfallCodes(byId.value(QStringLiteral("chart/4"))).contains(QStringLiteral("minus-one-never-expire")));
        QCOMPARE(byId.value(QStringLiteral("chart/2")).value(QStringLiteral("dashboards")).toArray().size(), 2);
        QCOMPARE(byId.value(QStringLiteral("chart/2")).value(QStringLiteral("dataset")).toInteger(), 2);
        QCOMPARE(byId.size(), 5 + 4 + 5 + 8);
        // The three databases hold the same rows: the output is the same byte for byte.
        if (backend != u"sqlite") {
            const auto lite = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"),
                                      m_uris.value(QStringLiteral("sqlite")), QStringLiteral("--json")});
            QCOMPARE(r.out, lite.out);
        }
    }

    void everyFamilyResolvesAsItsRulesSay()
    {
        const QString uri = m_uris.value(QStringLiteral("sqlite"));
        auto run = [&](const QString &version) {
            return runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), uri,
                           QStringLiteral("--superset-version"), version, QStringLiteral("--json")});
        };
        bool ok = false;
        // master keeps a 0: never expires, printed as null; -1 is kept as -1.
        const auto master = run(QStringLiteral("master"));
        QVERIFY2(master.exitCode == 0, master.err.constData());
        QVERIFY(!master.err.contains("guessed"));
        auto byId = rows(master.out, &ok);
        QVERIFY(byId.value(QStringLiteral("chart/3")).value(QStringLiteral("effective")).isNull());
        QCOMPARE(byId.value(QStringLiteral("chart/3")).value(QStringLiteral("source")).toString(), QStringLiteral("chart"));
        QVERIFY(byId.value(QStringLiteral("database/3")).value(QStringLiteral("effective")).isNull());
        QCOMPARE(byId.value(QStringLiteral("chart/4")).value(QStringLiteral("effective")).toInteger(), -1);
        QCOMPARE(pitfallCodes(byId.value(QStringLiteral("chart/4"))), QStringList{QStringLiteral("minus-one-skipped")});
        // 2.0 ignores the chart and DATA_CACHE_CONFIG.
        byId = rows(run(QStringLiteral("2.0")).out, &ok);
        QCOMPARE(byId.value(QStringLiteral("chart/2")).value(QStringLiteral("effective")).toInteger(), 120);
        QCOMPARE(byId.value(QStringLiteral("chart/2")).value(QStringLiteral("source")).toString(), QStringLiteral("dataset"));
        QVERIFY(pitfallCodes(byId.value(QStringLiteral("chart/2"))).contains(QStringLiteral("chart-ignored")));
        QCOMPARE(byId.value(QStringLiteral("chart/1")).value(QStringLiteral("effective")).toInteger(), 600);
        QVERIFY(pitfallCodes(byId.value(QStringLiteral("chart/1"))).contains(QStringLiteral("data-cache-config-ignored")));
        // 2.1 reads the chart, but -1 does not bypass yet.
        byId = rows(run(QStringLiteral("2.1.3")).out, &ok);
        QCOMPARE(byId.value(QStringLiteral("chart/2")).value(QStringLiteral("effective")).toInteger(), 5);
        QVERIFY(!byId.value(QStringLiteral("chart/4")).value(QStringLiteral("bypass")).toBool());
        // Newer than the families read: the newest, said so; older: refused.
        const auto newer = run(QStringLiteral("6.1"));
        QCOMPARE(newer.exitCode, 0);
        QVERIFY2(newer.err.contains("newer than the release families read"), newer.err.constData());
        const auto older = run(QStringLiteral("1.2"));
        QCOMPARE(older.exitCode, 2);
        QVERIFY2(older.err.contains("older than the oldest family known"), older.err.constData());
    }

    void theMetadataDbOptionWinsOverTheConfigsUri()
    {
        auto old = makeDatabase(QStringLiteral("sqlite"), QStringLiteral("2.1"));
        CHECK_OK(old);
        const QString config = m_dir.filePath(QStringLiteral("with_uri_config.py"));
        QVERIFY(writeFile(config, readFile(m_config) + "SQLALCHEMY_DATABASE_URI = \"" + old->toUtf8() + "\"\n"));
        const auto fromConfig = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), config, QStringLiteral("--json")});
        QVERIFY2(fromConfig.exitCode == 0, fromConfig.err.constData());
        QVERIFY2(fromConfig.err.contains("guessed Superset family 2.1"), fromConfig.err.constData());
        const auto fromOption = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), config, QStringLiteral("--metadata-db"),
                                        m_uris.value(QStringLiteral("postgresql")), QStringLiteral("--json")});
        QVERIFY2(fromOption.exitCode == 0, fromOption.err.constData());
        QVERIFY2(fromOption.err.contains("guessed Superset family 4.1"), fromOption.err.constData());
        QVERIFY(!fromOption.err.contains(PostgresServer::password().toUtf8()));
        // Without any metadata database: the caches only, and the newest family, said so.
        const auto none = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--json")});
        QCOMPARE(none.exitCode, 0);
        QVERIFY2(none.err.contains("no metadata database"), none.err.constData());
        bool ok = false;
        QCOMPARE(rows(none.out, &ok).size(), 5);
        // A database that cannot be reached: the caches, then a clear error and exit 1.
        const auto down = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"),
                                  QStringLiteral("postgresql://nobody:secret-pw@127.0.0.1:1/none"), QStringLiteral("--json")});
        QCOMPARE(down.exitCode, 1);
        QVERIFY2(down.err.contains("--metadata-db") && !down.err.contains("secret-pw"), down.err.constData());
    }

    void setCachePreviewsThenWritesAndRefusesTheEnvironment()
    {
        const QString config = m_dir.filePath(QStringLiteral("edit_config.py"));
        const QByteArray original = readFile(m_config) + "import os\nCACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", "
                                                         "\"CACHE_DEFAULT_TIMEOUT\": int(os.getenv(\"META_TIMEOUT\", \"60\"))}\n";
        QVERIFY(writeFile(config, original));
        const auto preview = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--cache"),
                                     QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("900"), QStringLiteral("--config"), config});
        QVERIFY2(preview.exitCode == 0, preview.err.constData());
        QVERIFY2(preview.out.contains("-    \"CACHE_DEFAULT_TIMEOUT\": 300,\n+    \"CACHE_DEFAULT_TIMEOUT\": 900,\n"), preview.out.constData());
        QVERIFY(preview.err.contains("nothing written"));
        QCOMPARE(readFile(config), original);
        const auto written = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--cache"),
                                     QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("900"), QStringLiteral("--config"), config,
                                     QStringLiteral("--write"), QStringLiteral("--json")});
        QVERIFY2(written.exitCode == 0, written.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(written.out).object();
        QVERIFY(o.value(QStringLiteral("written")).toBool());
        QCOMPARE(o.value(QStringLiteral("before")).toInteger(), 300);
        QVERIFY2(o.value(QStringLiteral("undo")).toString().contains(u"--cache DATA_CACHE_CONFIG 300"), written.out.constData());
        QByteArray expected = original;
        expected.replace("\"CACHE_DEFAULT_TIMEOUT\": 300,", "\"CACHE_DEFAULT_TIMEOUT\": 900,");
        QCOMPARE(readFile(config), expected);
        // -1 is a value, not an option.
        const auto minus = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--cache"),
                                   QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("-1"), QStringLiteral("--config"), config});
        QVERIFY2(minus.exitCode == 0 && minus.out.contains("+    \"CACHE_DEFAULT_TIMEOUT\": -1,"), minus.err.constData());
        // From the environment: refused, naming the variable; nothing written.
        const auto refused = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--cache"),
                                     QStringLiteral("CACHE_CONFIG"), QStringLiteral("30"), QStringLiteral("--config"), config,
                                     QStringLiteral("--write")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("environment variable META_TIMEOUT"), refused.err.constData());
        QCOMPARE(readFile(config), expected);
        // Usage errors.
        QCOMPARE(runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--cache"), QStringLiteral("DATA_CACHE_CONFIG"),
                         QStringLiteral("soon"), QStringLiteral("--config"), config})
                     .exitCode,
                 2);
        QCOMPARE(runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("1"),
                         QStringLiteral("--dataset"), QStringLiteral("2"), QStringLiteral("5"), QStringLiteral("--config"), config})
                     .exitCode,
                 2);
    }

    // The three commands parse with the one CommandLine: its help layout, its error wording and exit
    // codes, negative numbers as values.
    void commandLinesHaveTheSharedHelpAndErrors()
    {
        const auto help = runCli({QStringLiteral("timeouts"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.startsWith("Usage: cachescope timeouts --config FILE [--metadata-db URI] [--superset-version X.Y] [--json]\n"
                                     "                           set (--cache PURPOSE"),
                 help.out.constData());
        for (const char *part : {"\nOptions:\n  --config FILE", "\n  --superset-version X.Y", "\nConfig environment (with --config):\n",
                                 "\nCommands:\n  set ", "Exit status: 0 done, 1 the operation failed, 2 usage error."})
            QVERIFY2(help.out.contains(part), part);
        const auto setHelp = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("-h")});
        QCOMPARE(setHelp.exitCode, 0);
        QVERIFY2(setHelp.out.startsWith("Usage: cachescope timeouts set (--cache PURPOSE | --chart ID"), setHelp.out.constData());
        for (const char *part : {"\nArguments:\n  SECONDS|null", "\nWhat to change (one of):\n  --cache PURPOSE", "\n  --write "})
            QVERIFY2(setHelp.out.contains(part), part);
        const auto auditHelp = runCli({QStringLiteral("audit"), QStringLiteral("--help")});
        QCOMPARE(auditHelp.exitCode, 0);
        QVERIFY2(auditHelp.out.startsWith("Usage: cachescope audit --config FILE"), auditHelp.out.constData());
        QVERIFY2(auditHelp.out.contains("Read at most N entries. Default: 1000."), auditHelp.out.constData());

        struct Case
        {
            QStringList args;
            QByteArray err;
        };
        const QString config = m_config;
        const QList<Case> cases = {
            {{QStringLiteral("timeouts")}, "cachescope timeouts: missing --config FILE\nRun 'cachescope timeouts --help' for the options.\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("--config"), config, QStringLiteral("extra")},
             "cachescope timeouts: unexpected argument 'extra'\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("--config"), config, QStringLiteral("--superset-version"), QStringLiteral("1.2")},
             "cachescope timeouts: --superset-version: "},
            {{QStringLiteral("audit"), QStringLiteral("--config"), config, QStringLiteral("--limit"), QStringLiteral("0")},
             "cachescope audit: --limit needs a whole number >= 1, not '0'\n"},
            {{QStringLiteral("audit"), QStringLiteral("--config")}, "cachescope audit: --config needs a value (FILE)\n"},
            {{QStringLiteral("audit"), QStringLiteral("--bogus")}, "cachescope audit: unknown option '--bogus'\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("x"), QStringLiteral("5"),
              QStringLiteral("--config"), config},
             "cachescope timeouts set: --chart needs a whole number >= 1, not 'x'\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("1"), QStringLiteral("--config"), config},
             "cachescope timeouts set: missing SECONDS|null\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("1"), QStringLiteral("-2.5"),
              QStringLiteral("--config"), config},
             "cachescope timeouts set: '-2.5' is not a number of seconds or null\n"},
            {{QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("1"), QStringLiteral("-5")},
             "cachescope timeouts set: missing --config FILE\n"},
        };
        for (const Case &c : cases) {
            const auto r = runCli(c.args);
            QVERIFY2(r.exitCode == 2, qPrintable(c.args.join(u' ') + QStringLiteral(": exit %1").arg(r.exitCode)));
            QVERIFY2(r.err.startsWith(c.err), r.err.constData());
            QVERIFY2(r.err.endsWith(" --help' for the options.\n"), r.err.constData());
            QVERIFY(r.out.isEmpty());
        }
    }

    void setObjectPreviewsSqlThenWritesInOneTransaction_data() { backends(); }
    void setObjectPreviewsSqlThenWritesInOneTransaction()
    {
        QFETCH(QString, backend);
        auto uri = makeDatabase(backend, QStringLiteral("4.1"));
        CHECK_OK(uri);
        const QStringList base = {QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("3"),
                                  QStringLiteral("60"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), *uri};
        const auto preview = runCli(base + QStringList{QStringLiteral("--json")});
        QVERIFY2(preview.exitCode == 0, preview.err.constData());
        const QJsonObject p = QJsonDocument::fromJson(preview.out).object();
        QVERIFY2(p.value(QStringLiteral("sql")).toString().contains(u"UPDATE") && p.value(QStringLiteral("sql")).toString().contains(u"60"),
                 preview.out.constData());
        QCOMPARE(p.value(QStringLiteral("before")).toObject().value(QStringLiteral("effective")).toInteger(), 300);
        QCOMPARE(p.value(QStringLiteral("after")).toObject().value(QStringLiteral("effective")).toInteger(), 60);
        QCOMPARE(p.value(QStringLiteral("own_before")).toInteger(), 0);
        QVERIFY(!p.value(QStringLiteral("written")).toBool());
        auto chart3 = [&] {
            bool ok = false;
            return rows(runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), *uri,
                                QStringLiteral("--json")})
                            .out,
                        &ok)
                .value(QStringLiteral("chart/3"));
        };
        QCOMPARE(chart3().value(QStringLiteral("own")).toInteger(), 0); // the preview wrote nothing
        const auto write = runCli(base + QStringList{QStringLiteral("--write"), QStringLiteral("--json")});
        QVERIFY2(write.exitCode == 0, write.err.constData());
        QVERIFY(QJsonDocument::fromJson(write.out).object().value(QStringLiteral("written")).toBool());
        QCOMPARE(chart3().value(QStringLiteral("own")).toInteger(), 60);
        QCOMPARE(chart3().value(QStringLiteral("effective")).toInteger(), 60);
        // null clears the column; a dataset reaches every chart on it.
        const auto clear = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--dataset"), QStringLiteral("2"),
                                   QStringLiteral("null"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), *uri,
                                   QStringLiteral("--write"), QStringLiteral("--json")});
        QVERIFY2(clear.exitCode == 0, clear.err.constData());
        const QJsonObject c = QJsonDocument::fromJson(clear.out).object();
        QVERIFY(c.value(QStringLiteral("own_after")).isNull());
        QCOMPARE(c.value(QStringLiteral("charts_changed")).toInteger(), 1); // chart 8 (chart 2 has its own 5)
        QCOMPARE(c.value(QStringLiteral("after")).toObject().value(QStringLiteral("source")).toString(), QStringLiteral("database"));
        // An unknown id changes nothing.
        const auto missing = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--database"),
                                     QStringLiteral("999"), QStringLiteral("5"), QStringLiteral("--config"), m_config,
                                     QStringLiteral("--metadata-db"), *uri, QStringLiteral("--write")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("no database with id 999"), missing.err.constData());
    }

    void aReadOnlyMetadataDatabaseRefusesTheWriteClearly()
    {
        if (::geteuid() != 0)
            QSKIP("LOUD SKIP: a read-only mount needs root; as another user the directory mode would not stop SQLite's journal");
        const QString dir = m_dir.filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QProcess::execute(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                                            QStringLiteral("size=8m"), QStringLiteral("tmpfs"), dir}) == 0);
        auto unmount = qScopeGuard([&] { QProcess::execute(QStringLiteral("umount"), {dir}); });
        const QString uri = QStringLiteral("sqlite:///") + dir + QStringLiteral("/superset.db");
        CHECK_OK(createSupersetSchema(uri, QStringLiteral("4.1")));
        QVERIFY(QProcess::execute(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("remount,ro"), dir}) == 0);
        const auto r = runCli({QStringLiteral("timeouts"), QStringLiteral("set"), QStringLiteral("--chart"), QStringLiteral("2"),
                               QStringLiteral("30"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), uri,
                               QStringLiteral("--write")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read") || r.err.contains("Read"), r.err.constData());
        const auto after = runCli({QStringLiteral("timeouts"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), uri,
                                   QStringLiteral("--json")});
        bool ok = false;
        QCOMPARE(rows(after.out, &ok).value(QStringLiteral("chart/2")).value(QStringLiteral("own")).toInteger(), 5);
    }

    void auditListsMismatchesWithTheirLikelyReason_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }
    void auditListsMismatchesWithTheirLikelyReason()
    {
        QFETCH(QString, backend);
        auto uri = makeDatabase(backend, QStringLiteral("4.1"));
        CHECK_OK(uri);
        // cache_keys as STORE_CACHE_KEYS_IN_METADATA_DB writes it (k5 is missing on purpose).
        CHECK_OK(runSupersetSql(*uri, QStringLiteral("INSERT INTO cache_keys (cache_key, cache_timeout, datasource_uid) VALUES "
                                                     "('k1', 300, '1__table'), ('k2', 3600, '1__table'), ('k3', -1, '4__table'), "
                                                     "('k4', 5, '2__table'), ('k6', 300, '3__table')")));
        m_redis.command({"FLUSHDB"});
        const auto written = runPython(QString::fromUtf8(kWriteEntries), {QString::number(m_redis.port())});
        CHECK_OK(written);
        const auto r = runCli({QStringLiteral("audit"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), *uri,
                               QStringLiteral("--all"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QHash<QString, QJsonObject> byKey;
        QJsonObject summary;
        for (const QByteArray &line : r.out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("summary")).toBool())
                summary = o;
            else if (!o.isEmpty())
                byKey.insert(o.value(QStringLiteral("key")).toString(), o);
        }
        auto status = [&](const char *key) { return byKey.value(QStringLiteral("superset_data_") + QLatin1String(key)).value(QStringLiteral("status")).toString(); };
        auto reason = [&](const char *key) { return byKey.value(QStringLiteral("superset_data_") + QLatin1String(key)).value(QStringLiteral("reason")).toString(); };
        QCOMPARE(status("k1"), QStringLiteral("match"));
        // dttm and TTLs have whole seconds: the given TTL is 300 give or take the rounding.
        QVERIFY(std::abs(byKey.value(QStringLiteral("superset_data_k1")).value(QStringLiteral("given")).toInteger() - 300) <= 2);
        QCOMPARE(status("k2"), QStringLiteral("mismatch"));
        QVERIFY2(reason("k2").contains(u"recorded timeout 3600") && reason("k2").contains(u"lowered"), qPrintable(reason("k2")));
        QCOMPARE(status("k3"), QStringLiteral("mismatch"));
        QVERIFY2(reason("k3").contains(u"-1 written as \"never expire\""), qPrintable(reason("k3")));
        QVERIFY(byKey.value(QStringLiteral("superset_data_k3")).value(QStringLiteral("remaining")).isNull());
        QCOMPARE(status("k4"), QStringLiteral("match"));
        QVERIFY(reason("k4").contains(u"ambiguous"));
        QCOMPARE(status("k5"), QStringLiteral("mismatch"));
        QCOMPARE(byKey.value(QStringLiteral("superset_data_k5")).value(QStringLiteral("mapping")).toString(), QStringLiteral("sql-table-name"));
        QCOMPARE(status("k6"), QStringLiteral("match")); // chart 3's 0 is falsy in 4.1: 300
        QVERIFY(!byKey.contains(QStringLiteral("superset_data_k7")));
        QCOMPARE(summary.value(QStringLiteral("chart_data")).toInteger(), 6);
        QCOMPARE(summary.value(QStringLiteral("match")).toInteger(), 3);
        QCOMPARE(summary.value(QStringLiteral("mismatch")).toInteger(), 3);
        QCOMPARE(summary.value(QStringLiteral("variants_per_dataset")).toObject().value(QStringLiteral("1")).toInteger(), 3);
        // Under master's rules the falsy 0 is kept, so k6's 300 s is what the older releases give.
        const auto master = runCli({QStringLiteral("audit"), QStringLiteral("--config"), m_config, QStringLiteral("--metadata-db"), *uri,
                                    QStringLiteral("--superset-version"), QStringLiteral("master"), QStringLiteral("--json")});
        QVERIFY2(master.exitCode == 0, master.err.constData());
        QVERIFY2(master.out.contains("\"key\":\"superset_data_k6\""), master.out.constData());
        QVERIFY2(master.out.contains("300 s is what Superset 2.0.1, 2.1, 3.0, 3.1, 4.0, 4.1, 5.0, 6.0 gives this chart, not master"),
                 master.out.constData());
    }

    void auditReadsAFileSystemCacheThroughCacheKeys()
    {
        auto uri = makeDatabase(QStringLiteral("sqlite"), QStringLiteral("4.1"));
        CHECK_OK(uri);
        CHECK_OK(runSupersetSql(*uri, QStringLiteral("INSERT INTO cache_keys (cache_key, cache_timeout, datasource_uid) VALUES "
                                                     "('fk1', 300, '1__table')")));
        QTemporaryDir cacheDir;
        // Flask-Caching's FileSystemCache as Superset's DATA_CACHE_CONFIG builds it: md5 file names.
        const auto written = runPython(QStringLiteral(
                                           "import sys\n"
                                           "from datetime import datetime, timedelta\n"
                                           "import pandas as pd\n"
                                           "from cachelib import FileSystemCache\n"
                                           "fc = FileSystemCache(sys.argv[1], default_timeout=300)\n"
                                           "def payload(age):\n"
                                           "    return {'df': pd.DataFrame({'a': [1]}), 'query': 'SELECT * FROM birth_names',\n"
                                           "            'dttm': (datetime.utcnow() - timedelta(seconds=age)).isoformat().split('.')[0]}\n"
                                           "fc.set('fk1', payload(20), timeout=280)\n"
                                           "fc.set('fk2', payload(5), timeout=595)\n"
                                           "print('ok')\n"),
                                       {cacheDir.path()});
        CHECK_OK(written);
        const QString config = m_dir.filePath(QStringLiteral("fs_config.py"));
        QVERIFY(writeFile(config, QStringLiteral("DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"FileSystemCache\", \"CACHE_DIR\": \"%1\", "
                                                 "\"CACHE_DEFAULT_TIMEOUT\": 300}\n")
                                      .arg(cacheDir.path())
                                      .toUtf8()));
        const auto r = runCli({QStringLiteral("audit"), QStringLiteral("--config"), config, QStringLiteral("--metadata-db"), *uri,
                               QStringLiteral("--all"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString md5fk1 = QString::fromLatin1(QCryptographicHash::hash("fk1", QCryptographicHash::Md5).toHex());
        int matched = 0, bySql = 0;
        for (const QByteArray &line : r.out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("key")).toString() == md5fk1) {
                QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("match"));
                QCOMPARE(o.value(QStringLiteral("mapping")).toString(), QStringLiteral("cache_keys"));
                ++matched;
            } else if (o.value(QStringLiteral("mapping")).toString() == u"sql-table-name") {
                QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("mismatch")); // 600 given, 300 today
                ++bySql;
            }
        }
        QCOMPARE(matched, 1);
        QCOMPARE(bySql, 1);
    }

    void auditReadsAMetastoreDataCache()
    {
        auto uri = makeDatabase(QStringLiteral("sqlite"), QStringLiteral("4.1"));
        CHECK_OK(uri);
        CHECK_OK(runSupersetSql(*uri, QStringLiteral("INSERT INTO cache_keys (cache_key, cache_timeout, datasource_uid) VALUES "
                                                     "('mk1', 300, '1__table'), ('mk2', 86400, '1__table')")));
        // DATA_CACHE_CONFIG = {"CACHE_TYPE": "SupersetMetastoreCache", ...} (Superset's documented use): rows
        // written by the Python port of Superset's metastore code, pickled with a real DataFrame.
        const auto written = runPython(QStringLiteral(
                                           "import sys\n"
                                           "sys.path.insert(0, sys.argv[2])\n"
                                           "from datetime import datetime, timedelta\n"
                                           "import pandas as pd, sqlalchemy as sa\n"
                                           "import superset_metastore as m, superset_schema\n"
                                           "_, tables = superset_schema.declare('4.1')\n"
                                           "engine = sa.create_engine(sys.argv[1], future=True)\n"
                                           "cache = m.SupersetMetastoreCache.factory(engine, tables['key_value'],\n"
                                           "    {'CACHE_KEY_PREFIX': 'superset_results', 'CACHE_DEFAULT_TIMEOUT': 300})\n"
                                           "def payload(age):\n"
                                           "    return {'df': pd.DataFrame({'a': [1]}), 'query': 'SELECT * FROM birth_names',\n"
                                           "            'dttm': (datetime.utcnow() - timedelta(seconds=age)).isoformat().split('.')[0]}\n"
                                           "cache.set('mk1', payload(10), 290)\n"
                                           "cache.set('mk2', payload(60), 86340)\n"
                                           "print('ok')\n"),
                                       {*uri, sourcePath(QStringLiteral("tests/support"))});
        CHECK_OK(written);
        const QString config = m_dir.filePath(QStringLiteral("metastore_config.py"));
        QVERIFY(writeFile(config, QStringLiteral("DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"SupersetMetastoreCache\", "
                                                 "\"CACHE_KEY_PREFIX\": \"superset_results\", \"CACHE_DEFAULT_TIMEOUT\": 300}\n"
                                                 "SQLALCHEMY_DATABASE_URI = \"%1\"\n")
                                      .arg(*uri)
                                      .toUtf8()));
        const auto r = runCli({QStringLiteral("audit"), QStringLiteral("--config"), config, QStringLiteral("--all"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QStringList statuses;
        for (const QByteArray &line : r.out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.contains(QStringLiteral("status"))) {
                QCOMPARE(o.value(QStringLiteral("mapping")).toString(), QStringLiteral("cache_keys"));
                statuses << o.value(QStringLiteral("status")).toString() + u'/' + QString::number(o.value(QStringLiteral("recorded")).toInteger());
            }
        }
        statuses.sort();
        QCOMPARE(statuses, (QStringList{QStringLiteral("match/300"), QStringLiteral("mismatch/86400")}));
    }
};

QTEST_GUILESS_MAIN(TestTimeoutsCli)
#include "tst_timeoutscli.moc"
