// `cachescope capacity` through the real executable (CACHESCOPE_BINARY): the curve JSON exactly as
// the issue states it, equal to an independent LRU (Python's OrderedDict) on a trace Python wrote;
// usage and input errors; and `capacity record` capturing a live redis-server with MONITOR while
// Debian's cachelib (python3) uses it the way Superset does.

#include "capacity/tracereader.h"

#include "cli.h"
#include "python.h"
#include "redisserver.h"

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
using test::runCli;

namespace {

// Writes a Twitter-format trace and replays it through an OrderedDict LRU with the command's
// rules (a get that misses is filled, a set inserts or updates, a delete removes), in keys.
const char kPyTraceAndLru[] = R"PY(
import collections, json, random, sys
random.seed(3)
path, sizes = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
rows = []
for i in range(30000):
    k = "k%d" % int(random.paretovariate(0.8) * 3)
    op = random.choices(["get", "set", "delete"], [85, 12, 3])[0]
    rows.append((1600000000 + i // 10, k, len(k), random.randint(1, 9000), 7, op, 0))
with open(path, "w") as f:
    for r in rows:
        f.write(",".join(map(str, r)) + "\n")
out = {"requests": len(rows), "gets": sum(r[5] == "get" for r in rows), "unique_keys": len(set(r[1] for r in rows))}
curve = []
for size in sizes:
    lru, hits = collections.OrderedDict(), 0
    for r in rows:
        k, op = r[1], r[5]
        if op == "delete":
            lru.pop(k, None)
            continue
        if op == "get" and k in lru:
            hits += 1
        lru[k] = True
        lru.move_to_end(k)
        while len(lru) > size:
            lru.popitem(last=False)
    curve.append({"size": size, "hit_ratio": hits / out["gets"]})
out["curve"] = curve
print(json.dumps(out))
)PY";

// A Superset-like client: cachelib's RedisCache reading, missing, computing and setting.
const char kPySupersetTraffic[] = R"PY(
import sys, time
from cachelib.redis import RedisCache
port = int(sys.argv[1])
data = RedisCache(host="127.0.0.1", port=port, key_prefix="superset_data_", default_timeout=600)
other = RedisCache(host="127.0.0.1", port=port, key_prefix="superset_", default_timeout=300)
for round in range(3):
    for chart in range(20):
        key = "chart%d" % chart
        if data.get(key) is None:
            data.set(key, {"rows": list(range(chart * 10))})
    other.get("dashboard")
    other.set("dashboard", "x" * 100)
    time.sleep(0.2)
print("done")
)PY";

} // namespace

class TestCapacityCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(!qEnvironmentVariable("CACHESCOPE_BINARY").isEmpty(), "CTest sets CACHESCOPE_BINARY"); }

    void curveJsonEqualsOrderedDict()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(QStringLiteral("trace.csv"));
        auto py = test::runPython(QString::fromUtf8(kPyTraceAndLru), {trace, QStringLiteral("1,5,20,80,300")});
        QVERIFY2(py, qPrintable(py.error()));
        const QJsonObject expected = QJsonDocument::fromJson(*py).object();
        const test::CliResult r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--sizes"),
                                    QStringLiteral("1,5,20,80,300"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        // The members in the issue's order.
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^\{"requests":\d+,"gets":\d+,"unique_keys":\d+,"policy":"lru","sample":"exact","curve":\[\{"size":1,"hit_ratio":[0-9.e-]+\},)"))
                     .match(QString::fromUtf8(r.out))
                     .hasMatch(),
                 r.out.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        for (const char *field : {"requests", "gets", "unique_keys"})
            QCOMPARE(o.value(QLatin1String(field)).toDouble(), expected.value(QLatin1String(field)).toDouble());
        const QJsonArray curve = o.value(QStringLiteral("curve")).toArray();
        const QJsonArray pyCurve = expected.value(QStringLiteral("curve")).toArray();
        QCOMPARE(curve.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(curve[i].toObject().value(QStringLiteral("size")).toDouble(), pyCurve[i].toObject().value(QStringLiteral("size")).toDouble());
            QCOMPARE(curve[i].toObject().value(QStringLiteral("hit_ratio")).toDouble(),
                     pyCurve[i].toObject().value(QStringLiteral("hit_ratio")).toDouble());
        }

        // No --sizes: 100 points up to the working set.
        const test::CliResult all = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--json")});
        QCOMPARE(all.exitCode, 0);
        const QJsonArray points = QJsonDocument::fromJson(all.out).object().value(QStringLiteral("curve")).toArray();
        QCOMPARE(points.size(), 100);
        QCOMPARE(points.last().toObject().value(QStringLiteral("size")).toDouble(), expected.value(QStringLiteral("unique_keys")).toDouble());

        // Sampled, other policies, what-if and analysis all answer on the same file.
        for (const QStringList &extra : {QStringList{QStringLiteral("--sample"), QStringLiteral("0.5"), QStringLiteral("--error-band")},
                                          QStringList{QStringLiteral("--policy"), QStringLiteral("redis-lfu")},
                                          QStringList{QStringLiteral("--policy"), QStringLiteral("threshold"), QStringLiteral("--sizes"), QStringLiteral("10,100")},
                                          QStringList{QStringLiteral("--what-if"), QStringLiteral("50"), QStringLiteral("--ttl-scale"), QStringLiteral("2")},
                                          QStringList{QStringLiteral("--analyze")}}) {
            const test::CliResult x = runCli(QStringList{QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--json")} + extra);
            QVERIFY2(x.exitCode == 0, qPrintable(extra.join(u' ') + u": "_qs + QString::fromUtf8(x.err)));
            QVERIFY2(QJsonDocument::fromJson(x.out).isObject(), x.out.constData());
        }
    }

    void mastersSplitTheSize()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(QStringLiteral("trace.csv"));
        auto py = test::runPython(QString::fromUtf8(kPyTraceAndLru), {trace, QStringLiteral("10")});
        QVERIFY2(py, qPrintable(py.error()));
        auto whatIf = [&](const QStringList &extra) {
            const test::CliResult r = runCli(QStringList{QStringLiteral("capacity"), QStringLiteral("--trace"), trace,
                                                         QStringLiteral("--policy"), QStringLiteral("redis-lru"), QStringLiteral("--what-if"),
                                                         QStringLiteral("300k"), QStringLiteral("--json")}
                                             + extra);
            [&] { QCOMPARE(r.exitCode, 0); }();
            return QJsonDocument::fromJson(r.out).object();
        };
        // A Twitter trace says nothing of clusters: one server unless asked.
        const QJsonObject one = whatIf({});
        const QJsonObject three = whatIf({QStringLiteral("--masters"), QStringLiteral("3")});
        QCOMPARE(one.value(QStringLiteral("masters")).toInt(), 1);
        QCOMPARE(three.value(QStringLiteral("masters")).toInt(), 3);
        QVERIFY(one.value(QStringLiteral("evictions_per_s")).toDouble() > 0);
        // Three masters of a third each evict on their own: not the same replay as one server.
        QVERIFY(three.value(QStringLiteral("evictions_per_s")).toDouble() != one.value(QStringLiteral("evictions_per_s")).toDouble());
        QCOMPARE(three.value(QStringLiteral("gets_per_s")).toDouble(), one.value(QStringLiteral("gets_per_s")).toDouble());

        const test::CliResult curve = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--policy"),
                                              QStringLiteral("redis-lru"), QStringLiteral("--sizes"), QStringLiteral("100k,300k"),
                                              QStringLiteral("--masters"), QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(curve.exitCode, 0);
        QVERIFY2(curve.out.contains(R"("sample":"exact","masters":3,"curve":[)"), curve.out.constData());
        const test::CliResult text = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--policy"),
                                             QStringLiteral("redis-lru"), QStringLiteral("--sizes"), QStringLiteral("100k"),
                                             QStringLiteral("--masters"), QStringLiteral("3")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("shared by 3 cluster masters"), text.out.constData());

        // Only Redis runs as a cluster; 0 masters is no cluster.
        test::CliResult r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--masters"), QStringLiteral("3")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--masters needs a Redis policy"), r.err.constData());
        r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--policy"), QStringLiteral("redis-lru"),
                    QStringLiteral("--masters"), QStringLiteral("0")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--masters"), r.err.constData());
    }

    void oracleRecordsAreGets()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(QStringLiteral("t.oracleGeneral"));
        auto py = test::runPython(QStringLiteral("import struct, sys\n"
                                                 "with open(sys.argv[1], 'wb') as f:\n"
                                                 "    for i in range(1000):\n"
                                                 "        f.write(struct.pack('<IQIq', i, i % 10, 100, -1 if i >= 990 else i + 11))\n"),
                                  {trace});
        QVERIFY2(py, qPrintable(py.error()));
        const test::CliResult r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--sizes"),
                                    QStringLiteral("10"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(),
                 QByteArray(R"({"requests":1000,"gets":1000,"unique_keys":10,"policy":"lru","sample":"exact","curve":[{"size":10,"hit_ratio":0.99}]})"));
    }

    void errorsAreLocated()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.csv"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("1,k,3,10,1,get,0\n2,k,x3,10,1,get,0\n");
        f.close();
        test::CliResult r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), bad, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("bad.csv:2: key size 'x3'"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace")});
        QCOMPARE(r.exitCode, 2);
        r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), bad, QStringLiteral("--sizes"), QStringLiteral("0")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("'0' is not a positive size"));
        r = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), bad, QStringLiteral("--sample"), QStringLiteral("2")});
        QCOMPARE(r.exitCode, 2);
        r = runCli({QStringLiteral("capacity"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--trace-format"));
        r = runCli({QStringLiteral("--help")});
        QVERIFY(r.out.contains("capacity"));
    }

    void recordCapturesLiveRedis()
    {
        test::RedisServer server;
        QVERIFY(server.start({QStringLiteral("--maxmemory"), QStringLiteral("64mb"), QStringLiteral("--maxmemory-policy"),
                              QStringLiteral("allkeys-lfu")})
                    .isEmpty());
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("superset_config.py"));
        QFile c(config);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write("import os\n"
                "URL = f\"redis://127.0.0.1:{os.environ['PORT']}/0\"\n"
                "CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_', 'CACHE_REDIS_URL': URL}\n"
                "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_data_',\n"
                "                     'CACHE_REDIS_URL': URL, 'CACHE_DEFAULT_TIMEOUT': 600}\n"
                "FILTER_STATE_CACHE_CONFIG = {'CACHE_TYPE': 'SimpleCache'}\n");
        c.close();
        const QString trace = dir.filePath(QStringLiteral("live.cstrace"));
        QProcess record;
        record.start(qEnvironmentVariable("CACHESCOPE_BINARY"),
                     {QStringLiteral("capacity"), QStringLiteral("record"), trace, QStringLiteral("--config"), config,
                      QStringLiteral("--env"), u"PORT="_qs + QString::number(server.port()), QStringLiteral("--seconds"),
                      QStringLiteral("6"), QStringLiteral("--window"), QStringLiteral("1")});
        QVERIFY(record.waitForStarted());
        // Traffic once MONITOR is attached (CLIENT LIST shows its connection's last command).
        for (int i = 0; i < 100 && !server.command({"CLIENT", "LIST"}).contains("cmd=monitor"); ++i)
            QTest::qWait(50);
        auto py = test::runPython(QString::fromUtf8(kPySupersetTraffic), {QString::number(server.port())});
        QVERIFY2(py, qPrintable(py.error()));
        QVERIFY(record.waitForFinished(60000));
        const QByteArray err = record.readAllStandardError();
        QCOMPARE(record.exitCode(), 0);
        QVERIFY2(err.contains("MONITOR makes Redis"), err.constData());
        QVERIFY2(err.contains("FILTER_STATE_CACHE_CONFIG (SimpleCache)"), err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(record.readAllStandardOutput()).object();
        QCOMPARE(summary.value(QStringLiteral("outcomes")).toString(), QStringLiteral("estimated"));

        auto reader = TraceReader::open(trace);
        QVERIFY2(reader, qPrintable(reader.error()));
        const TraceHeader header = (*reader)->header();
        QCOMPARE(header.source, QStringLiteral("monitor"));
        QVERIFY(!header.exactOutcomes);
        QCOMPARE(header.cacheNames(), (QStringList{QStringLiteral("CACHE_CONFIG"), QStringLiteral("DATA_CACHE_CONFIG")}));
        QCOMPARE(header.caches[1].evictionPolicy, QStringLiteral("allkeys-lfu"));
        QVERIFY(header.caches[1].maxMemory > 60 * 1024 * 1024 && header.caches[1].maxMemory < 64 * 1024 * 1024);
        QCOMPARE(header.caches[1].defaultTimeout, 600);
        TraceRecords records;
        while (true) {
            auto got = (*reader)->read(records);
            QVERIFY(got);
            if (*got == 0)
                break;
        }
        int dataMisses = 0, dataHits = 0, dataSets = 0, other = 0;
        for (const TraceRecord &r : records) {
            if (r.cache == 1) {
                dataMisses += r.op == TraceOp::GetMiss;
                dataHits += r.op == TraceOp::GetHit;
                if (r.op == TraceOp::Set) {
                    ++dataSets;
                    QCOMPARE(r.ttl, 600); // cachelib sends SETEX with the default timeout
                }
            } else {
                ++other;
            }
        }
        // Round 1: 20 misses and 20 sets; rounds 2 and 3: 40 hits. The dashboard key: 3 reads, 3 sets.
        QCOMPARE(dataMisses, 20);
        QCOMPARE(dataSets, 20);
        QCOMPARE(dataHits, 40);
        QCOMPARE(other, 6);
        // And the trace gives a curve at once.
        const test::CliResult curve = runCli({QStringLiteral("capacity"), QStringLiteral("--trace"), trace, QStringLiteral("--cache"),
                                        QStringLiteral("data_cache_config"), QStringLiteral("--json"), QStringLiteral("--sizes"), QStringLiteral("20")});
        QCOMPARE(curve.exitCode, 0);
        QVERIFY2(curve.out.contains(R"("requests":80,"gets":60,"unique_keys":20)"), curve.out.constData());
        QVERIFY2(curve.out.contains(R"("hit_ratio":0.6666666666666666)"), curve.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCapacityCommand)
#include "tst_capacitycommand.moc"
