// Trace formats, capture and MONITOR conversion of the capacity planner (backends/capacity):
// CacheScope's own format round-trips; Twitter CSV and oracleGeneral files written by Debian's
// python3 (csv and struct modules, an independent writer) are read back, and ours are read by
// python3; bad input gives located errors and keeps what can be used.

#include "capacity/monitortrace.h"
#include "capacity/recordsource.h"
#include "capacity/tracecapture.h"
#include "capacity/tracekey.h"
#include "capacity/tracereader.h"
#include "capacity/tracewriter.h"

#include "cache/cachemanager.h"
#include "codec/picklewriter.h"
#include "monitor/recorder.h"

#include "python.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QtEndian>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zstd.h>

#include <limits>

using namespace cachescope;

namespace {

TraceHeader twoCaches()
{
    TraceHeader h;
    h.source = QStringLiteral("test");
    h.exactOutcomes = true;
    h.startMs = 1'700'000'000'000;
    h.caches = {TraceCacheInfo{QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("SimpleCache"), 600, 400, 0, {}},
                TraceCacheInfo{QStringLiteral("CACHE_CONFIG"), QStringLiteral("RedisCache"), 300, 0, 1 << 20,
                               QStringLiteral("allkeys-lru")}};
    return h;
}

TraceRecords randomRecords(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    TraceRecords out;
    qint64 t = 1'700'000'000'000;
    for (int i = 0; i < n; ++i) {
        TraceRecord r;
        t += rng.bounded(3000);
        r.timeMs = t;
        r.key = rng.generate64();
        r.keySize = rng.bounded(2) ? rng.bounded(300u) : std::numeric_limits<quint32>::max() - rng.bounded(3u);
        r.valueSize = rng.bounded(4) ? rng.bounded(100000u) : std::numeric_limits<quint32>::max();
        r.op = TraceOp(rng.bounded(kTraceOpCount));
        r.ttl = r.op == TraceOp::Set ? qint32(rng.bounded(3) == 0 ? -1 : int(rng.bounded(100000))) : 0;
        r.cache = quint8(rng.bounded(2));
        out.push_back(r);
    }
    return out;
}

Expected<TraceRecords> readAll(const QString &path, TraceFormat format = TraceFormat::Auto, QStringList *warnings = nullptr,
                               TraceHeader *header = nullptr)
{
    auto reader = TraceReader::open(path, format);
    if (!reader)
        return Error{reader.error()};
    TraceRecords all;
    for (;;) {
        auto got = (*reader)->read(all, 1000);
        if (!got)
            return Error{got.error()};
        if (*got == 0)
            break;
    }
    if (warnings)
        *warnings = (*reader)->warnings();
    if (header)
        *header = (*reader)->header();
    return all;
}

Expected<bool> writeAll(const QString &path, TraceFormat format, const TraceHeader &header, const TraceRecords &records,
                        QStringList *warnings = nullptr)
{
    auto writer = TraceWriter::create(path, format, header);
    if (!writer)
        return Error{writer.error()};
    if (auto ok = (*writer)->write(records); !ok)
        return ok;
    auto ok = (*writer)->finish();
    if (warnings)
        *warnings = (*writer)->warnings();
    return ok;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

QJsonObject pythonJson(const QString &script, const QStringList &args)
{
    auto out = test::runPython(script, args);
    if (!out) {
        qWarning("%s", qPrintable(out.error()));
        return {};
    }
    return QJsonDocument::fromJson(*out).object();
}

// Debian's python3 writes a Twitter trace with the csv module: every operation name, a header
// line, keys holding commas, sizes at the limits.
const char kPyWriteTwitter[] = R"PY(
import csv, json, random, sys
random.seed(11)
ops = ["get", "gets", "set", "add", "replace", "cas", "append", "prepend", "delete", "incr", "decr"]
rows, keys = [], []
t = 1583020800
for i in range(5000):
    t += random.choice([0, 0, 1])
    k = "nz:u:%d" % random.randint(0, 700) if i % 50 else "ns,with,commas:%d" % random.randint(0, 5)
    op = ops[i % len(ops)]
    ttl = random.choice([0, 60, 3600]) if op in ("set", "add", "replace", "cas") else 0
    vs = 4294967295 if i == 7 else random.randint(0, 100000)
    rows.append([t, k, len(k), vs, random.randint(1, 40), op, ttl])
    keys.append(k)
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["timestamp", "anonymized key", "key size", "value size", "client id", "operation", "TTL"])
    w.writerows(rows)
print(json.dumps({"rows": len(rows), "unique": len(set(keys)),
                  "ops": {o: sum(1 for r in rows if r[5] == o) for o in ops},
                  "ttl_sum": sum(r[6] for r in rows), "value_sum": sum(r[3] for r in rows),
                  "first": rows[0], "last": rows[-1]}))
)PY";

// Reads our Twitter CSV back with the csv module.
const char kPyReadTwitter[] = R"PY(
import csv, json, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
bad = [r for r in rows if len(r) != 7]
print(json.dumps({"rows": len(rows), "bad": len(bad),
                  "ops": sorted(set(r[5] for r in rows)),
                  "value_sum": sum(int(r[3]) for r in rows), "key_sum": sum(int(r[2]) for r in rows),
                  "ttl_sum": sum(int(r[6]) for r in rows), "unique": len(set(r[1] for r in rows)),
                  "hexkeys": all(len(r[1]) == 16 and int(r[1], 16) >= 0 for r in rows),
                  "t0": int(rows[0][0]), "t1": int(rows[-1][0])}))
)PY";

// Writes an oracleGeneral trace with struct, computing next_access_vtime as libCacheSim's
// traceConv does (1-based index of the next request to the object, -1 for none).
const char kPyWriteOracle[] = R"PY(
import json, random, struct, sys
random.seed(5)
n = 20000
reqs = []
t = 1000
for i in range(n):
    t += random.choice([0, 1])
    oid = random.randint(0, 3000) if i % 3 else 2**64 - 1 - random.randint(0, 10)
    size = 2**32 - 1 if i == 42 else random.randint(1, 1 << 20)
    reqs.append((t, oid, size))
nxt = [-1] * n
last = {}
for i in range(n - 1, -1, -1):
    oid = reqs[i][1]
    nxt[i] = last.get(oid, -1)
    last[oid] = i + 1
with open(sys.argv[1], "wb") as f:
    for (t, oid, size), v in zip(reqs, nxt):
        f.write(struct.pack("<IQIq", t, oid, size, v))
print(json.dumps({"n": n, "unique": len(last), "size_sum": sum(r[2] for r in reqs),
                  "first": list(reqs[0]), "last": list(reqs[-1]), "max_id": str(max(r[1] for r in reqs))}))
)PY";

// Checks our oracleGeneral file: record layout, sizes and every next_access_vtime.
const char kPyReadOracle[] = R"PY(
import json, struct, sys
data = open(sys.argv[1], "rb").read()
assert len(data) % 24 == 0, len(data)
recs = [struct.unpack_from("<IQIq", data, o) for o in range(0, len(data), 24)]
expect = [-1] * len(recs)
last = {}
for i in range(len(recs) - 1, -1, -1):
    expect[i] = last.get(recs[i][1], -1)
    last[recs[i][1]] = i + 1
print(json.dumps({"n": len(recs), "vtimes_ok": all(r[3] == e for r, e in zip(recs, expect)),
                  "size_sum": sum(r[2] for r in recs), "t0": recs[0][0] if recs else 0,
                  "ids": len(last)}))
)PY";

} // namespace

class TestCapacityTrace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void binaryRoundTrip()
    {
        QTemporaryDir dir;
        const TraceRecords records = randomRecords(50000, 3);
        const QString path = dir.filePath(QStringLiteral("t.cstrace"));
        QVERIFY2(writeAll(path, TraceFormat::Auto, twoCaches(), records), "write");
        TraceHeader header;
        QStringList warnings;
        auto back = readAll(path, TraceFormat::Auto, &warnings, &header);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(header, twoCaches());
        QCOMPARE(back->size(), records.size());
        QVERIFY(*back == records);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
        // Compact: well under the 32 bytes of a record in memory.
        QVERIFY2(QFileInfo(path).size() < qint64(records.size()) * 24, qPrintable(QString::number(QFileInfo(path).size())));
    }

    void binaryTruncatedKeepsWhatCameBefore()
    {
        QTemporaryDir dir;
        const TraceRecords records = randomRecords(1000, 9);
        const QString path = dir.filePath(QStringLiteral("t.cstrace"));
        QVERIFY(writeAll(path, TraceFormat::CacheScope, twoCaches(), records));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() - 5)); // inside the last record
        f.close();
        QStringList warnings;
        auto back = readAll(path, TraceFormat::Auto, &warnings);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->size(), records.size() - 1);
        QVERIFY(std::equal(back->begin(), back->end(), records.begin()));
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(QStringLiteral("ends inside record 1000")), qPrintable(warnings[0]));
        QVERIFY(warnings[0].contains(path));
    }

    void binaryGarbageIsLocated()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.cstrace"));
        QVERIFY(writeAll(path, TraceFormat::CacheScope, twoCaches(), randomRecords(100, 1)));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        f.close();
        // The op byte of the first record: cache 7 does not exist in a two-cache header.
        const qsizetype first = 16 + qFromLittleEndian<quint32>(bytes.constData() + 12);
        bytes[first] = char(7 << 3);
        writeFile(path, bytes);
        auto back = readAll(path);
        QVERIFY(!back);
        QVERIFY2(back.error().contains(QStringLiteral("record 1 at byte %1").arg(first)), qPrintable(back.error()));
        QVERIFY(back.error().contains(QStringLiteral("cache index 7")));
        // A header that lies about its length.
        bytes[12] = char(0xFF);
        bytes[13] = char(0xFF);
        bytes[14] = char(0xFF);
        writeFile(path, bytes);
        back = readAll(path);
        QVERIFY(!back);
        QVERIFY2(back.error().contains(QStringLiteral("header length")), qPrintable(back.error()));
    }

    void timeGoingBackwardsIsHeld()
    {
        QTemporaryDir dir;
        TraceRecords records = randomRecords(10, 2);
        records[5].timeMs = records[4].timeMs - 7000;
        records[6].timeMs = records[4].timeMs - 1000;
        const QString path = dir.filePath(QStringLiteral("t.cstrace"));
        QVERIFY(writeAll(path, TraceFormat::CacheScope, twoCaches(), records));
        QStringList warnings;
        auto back = readAll(path, TraceFormat::Auto, &warnings);
        QVERIFY(back);
        QCOMPARE((*back)[5].timeMs, records[4].timeMs);
        QCOMPARE((*back)[6].timeMs, records[4].timeMs);
        QCOMPARE((*back)[7].timeMs, records[7].timeMs);
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(QStringLiteral("2 time(s) (first at record 6, by up to 7000 ms)")), qPrintable(warnings[0]));
    }

    void twitterWrittenByPython()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cluster52.0.csv"));
        const QJsonObject py = pythonJson(QString::fromUtf8(kPyWriteTwitter), {path});
        QVERIFY2(!py.isEmpty(), "python3 did not write the trace");
        TraceHeader header;
        auto records = readAll(path, TraceFormat::Auto, nullptr, &header);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(header.source, QStringLiteral("twitter"));
        QCOMPARE(header.caches.size(), 1);
        QCOMPARE(header.caches[0].name, QStringLiteral("cluster52.0"));
        QCOMPARE(qint64(records->size()), qint64(py.value(QStringLiteral("rows")).toDouble()));
        QHash<int, qint64> ops;
        qint64 ttlSum = 0, valueSum = 0;
        QSet<quint64> keys;
        for (const TraceRecord &r : *records) {
            ++ops[int(r.op)];
            ttlSum += r.ttl;
            valueSum += r.valueSize;
            keys.insert(r.key);
        }
        const QJsonObject pyOps = py.value(QStringLiteral("ops")).toObject();
        auto count = [&](std::initializer_list<const char *> names) {
            qint64 n = 0;
            for (const char *name : names)
                n += qint64(pyOps.value(QLatin1String(name)).toDouble());
            return n;
        };
        QCOMPARE(ops.value(int(TraceOp::Get)), count({"get", "gets"}));
        QCOMPARE(ops.value(int(TraceOp::Set)), count({"set", "add", "replace", "cas"}));
        QCOMPARE(ops.value(int(TraceOp::Update)), count({"append", "prepend", "incr", "decr"}));
        QCOMPARE(ops.value(int(TraceOp::Delete)), count({"delete"}));
        QCOMPARE(ttlSum, qint64(py.value(QStringLiteral("ttl_sum")).toDouble()));
        QCOMPARE(valueSum, qint64(py.value(QStringLiteral("value_sum")).toDouble()));
        QCOMPARE(keys.size(), qsizetype(py.value(QStringLiteral("unique")).toDouble()));
        const QJsonArray first = py.value(QStringLiteral("first")).toArray();
        QCOMPARE(records->front().timeMs, qint64(first[0].toDouble()) * 1000);
        QCOMPARE(records->front().key, traceKeyHash(first[1].toString().toUtf8()));
        QCOMPARE(records->front().keySize, quint32(first[2].toDouble()));
    }

    void twitterReadByPython()
    {
        QTemporaryDir dir;
        TraceRecords records = randomRecords(3000, 4);
        for (TraceRecord &r : records)
            r.ttl = qAbs(r.ttl); // Twitter TTLs are not negative
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY(writeAll(path, TraceFormat::Auto, twoCaches(), records));
        const QJsonObject py = pythonJson(QString::fromUtf8(kPyReadTwitter), {path});
        QCOMPARE(qint64(py.value(QStringLiteral("rows")).toDouble()), qint64(records.size()));
        QCOMPARE(py.value(QStringLiteral("bad")).toInt(), 0);
        QVERIFY(py.value(QStringLiteral("hexkeys")).toBool());
        qint64 valueSum = 0, keySum = 0, ttlSum = 0;
        QSet<quint64> keys;
        for (const TraceRecord &r : records) {
            valueSum += r.valueSize;
            keySum += r.keySize;
            ttlSum += r.op == TraceOp::Set ? r.ttl : 0;
            keys.insert(r.key);
        }
        QCOMPARE(qint64(py.value(QStringLiteral("value_sum")).toDouble()), valueSum);
        QCOMPARE(qint64(py.value(QStringLiteral("key_sum")).toDouble()), keySum);
        QCOMPARE(qint64(py.value(QStringLiteral("ttl_sum")).toDouble()), ttlSum);
        QCOMPARE(py.value(QStringLiteral("unique")).toInt(), int(keys.size()));
        QCOMPARE(py.value(QStringLiteral("ops")).toVariant().toStringList(),
                 (QStringList{QStringLiteral("delete"), QStringLiteral("get"), QStringLiteral("incr"), QStringLiteral("set")}));
        QCOMPARE(qint64(py.value(QStringLiteral("t0")).toDouble()), records.front().timeMs / 1000);
        // And our reader reads it back: same keys (hashes of the hex names), ops and sizes.
        auto back = readAll(path);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->size(), records.size());
        QCOMPARE((*back)[10].valueSize, records[10].valueSize);
    }

    void twitterBadInputIsLocated_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("non-numeric size") << QByteArray("1,k,3,10,1,get,0\n2,k,abc,10,1,get,0\n")
                                          << QStringLiteral(":2: key size 'abc' is not a byte count");
        QTest::newRow("2^63 value size") << QByteArray("1,k,3,9223372036854775808,1,set,0\n")
                                         << QStringLiteral(":1: value size '9223372036854775808' is not a byte count from 0 to 4294967295");
        QTest::newRow("unknown op") << QByteArray("1,k,3,10,1,get,0\n1,k,3,10,1,frobnicate,0\n")
                                    << QStringLiteral(":2: operation 'frobnicate' is not one of get");
        QTest::newRow("too few fields") << QByteArray("1,k,3,10,1,get,0\n5,k,3\n") << QStringLiteral(":2: 3 field(s)");
        QTest::newRow("timestamp") << QByteArray("1,k,3,10,1,get,0\nsoon,k,3,10,1,get,0\n")
                                   << QStringLiteral(":2: timestamp 'soon' is not a number");
        QTest::newRow("ttl") << QByteArray("1,k,3,10,1,set,9999999999\n") << QStringLiteral(":1: TTL '9999999999'");
        QTest::newRow("empty key") << QByteArray("1,,3,10,1,set,0\n") << QStringLiteral(":1: the key is empty");
        QTest::newRow("line without end") << QByteArray("1,") + QByteArray(200000, 'x') << QStringLiteral(":1: longer than 65536 bytes");
    }

    void twitterBadInputIsLocated()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.csv"));
        writeFile(path, text);
        auto records = readAll(path, TraceFormat::Twitter);
        QVERIFY(!records);
        QVERIFY2(records.error().contains(path + expected), qPrintable(records.error()));
    }

    void twitterTolerates()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ok.csv"));
        // CRLF, blank lines, a fractional timestamp, no final newline, operation case.
        writeFile(path, "10.250,a,1,5,0,GET,0\r\n\r\n11,b,1,7,0,Set,30\r\n12,a,1,0,0,delete,0");
        auto records = readAll(path);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(records->size(), size_t(3));
        QCOMPARE((*records)[0].timeMs, qint64(10250));
        QCOMPARE((*records)[1].op, TraceOp::Set);
        QCOMPARE((*records)[1].ttl, 30);
        QCOMPARE((*records)[2].op, TraceOp::Delete);
    }

    void oracleWrittenByPython()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.oracleGeneral"));
        const QJsonObject py = pythonJson(QString::fromUtf8(kPyWriteOracle), {path});
        QVERIFY(!py.isEmpty());
        TraceHeader header;
        auto records = readAll(path, TraceFormat::Auto, nullptr, &header);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(header.source, QStringLiteral("oracleGeneral"));
        QCOMPARE(qint64(records->size()), qint64(py.value(QStringLiteral("n")).toDouble()));
        QSet<quint64> ids;
        qint64 sizeSum = 0;
        quint64 maxId = 0;
        for (const TraceRecord &r : *records) {
            QCOMPARE(r.op, TraceOp::Get);
            ids.insert(r.key);
            sizeSum += r.valueSize;
            maxId = qMax(maxId, r.key);
        }
        QCOMPARE(ids.size(), qsizetype(py.value(QStringLiteral("unique")).toDouble()));
        QCOMPARE(sizeSum, qint64(py.value(QStringLiteral("size_sum")).toDouble()));
        QCOMPARE(QString::number(maxId), py.value(QStringLiteral("max_id")).toString()); // ids near 2^64 survive
        const QJsonArray first = py.value(QStringLiteral("first")).toArray();
        QCOMPARE(records->front().timeMs, qint64(first[0].toDouble()) * 1000);
    }

    void oracleReadByPython()
    {
        QTemporaryDir dir;
        TraceRecords records = randomRecords(5000, 8);
        for (TraceRecord &r : records)
            r.key %= 500; // reuse, so next_access_vtime has work to do
        const QString path = dir.filePath(QStringLiteral("out.oracleGeneral"));
        QStringList warnings;
        QVERIFY(writeAll(path, TraceFormat::Auto, twoCaches(), records, &warnings));
        qint64 reads = 0;
        double sizeSum = 0;
        QHash<quint64, quint32> known;
        for (const TraceRecord &r : records) {
            if (r.valueSize)
                known[r.key] = r.valueSize;
            if (!isRead(r.op))
                continue;
            ++reads;
            sizeSum += double(qMin<quint64>(quint64(r.keySize) + (r.valueSize ? r.valueSize : known.value(r.key)),
                                            std::numeric_limits<quint32>::max()));
        }
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(QStringLiteral("%1 write(s) and delete(s) were left out").arg(records.size() - reads)),
                 qPrintable(warnings[0]));
        const QJsonObject py = pythonJson(QString::fromUtf8(kPyReadOracle), {path});
        QCOMPARE(qint64(py.value(QStringLiteral("n")).toDouble()), reads);
        QVERIFY(py.value(QStringLiteral("vtimes_ok")).toBool());
        QCOMPARE(py.value(QStringLiteral("size_sum")).toDouble(), sizeSum);
        // Our reader accepts it (its vtimes all point forward).
        auto back = readAll(path);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(qint64(back->size()), reads);
    }

    void oracleBadInput()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.bin"));
        QByteArray rec(24, '\0');
        qToLittleEndian<qint64>(1, rec.data() + 16); // record 1's next access is itself: backwards
        writeFile(path, rec + rec);
        auto records = readAll(path);
        QVERIFY(!records);
        QVERIFY2(records.error().contains(QStringLiteral("record 1 at byte 0: next_access_vtime 1")), qPrintable(records.error()));
        // Not a whole number of records: auto-detection says why, an explicit format keeps the whole ones.
        QByteArray good(48, '\0');
        qToLittleEndian<qint64>(-1, good.data() + 16);
        qToLittleEndian<qint64>(-1, good.data() + 40);
        writeFile(path, good + QByteArray(7, '\x01'));
        records = readAll(path);
        QVERIFY(!records);
        QVERIFY2(records.error().contains(QStringLiteral("55 bytes are not a whole number of 24-byte")), qPrintable(records.error()));
        QStringList warnings;
        records = readAll(path, TraceFormat::Oracle, &warnings);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(records->size(), size_t(2));
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings[0].contains(QStringLiteral("7 trailing bytes")));
        writeFile(path, QByteArray());
        records = readAll(path);
        QVERIFY(!records);
        QVERIFY(records.error().contains(QStringLiteral("is empty")));
    }

    void zstdCompressedTwitter()
    {
        QTemporaryDir dir;
        QByteArray csv;
        for (int i = 0; i < 20000; ++i)
            csv += QByteArray::number(1000 + i / 10) + ",key" + QByteArray::number(i % 321) + ",6,100,1,get,0\n";
        QByteArray packed(qsizetype(ZSTD_compressBound(size_t(csv.size()))), '\0');
        const size_t n = ZSTD_compress(packed.data(), size_t(packed.size()), csv.constData(), size_t(csv.size()), 3);
        QVERIFY(!ZSTD_isError(n));
        packed.resize(qsizetype(n));
        const QString path = dir.filePath(QStringLiteral("cluster7.0.zst"));
        writeFile(path, packed);
        TraceHeader header;
        auto records = readAll(path, TraceFormat::Auto, nullptr, &header);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(records->size(), size_t(20000));
        QCOMPARE(header.caches[0].name, QStringLiteral("cluster7.0"));
        // A second pass (the curve's) works on the decompressed stream too.
        auto source = FileRecordSource::open(path);
        QVERIFY(source);
        quint64 passes[2] = {0, 0};
        for (quint64 &count : passes)
            QVERIFY((*source)->scan([&](const TraceRecord *, size_t c) {
                count += c;
                return true;
            }));
        QCOMPARE(passes[0], quint64(20000));
        QCOMPARE(passes[1], quint64(20000));
        // Truncated compressed data is an error naming the compressed offset.
        writeFile(path, packed.left(packed.size() / 2));
        records = readAll(path);
        QVERIFY(!records);
        QVERIFY2(records.error().contains(QStringLiteral("zstd")), qPrintable(records.error()));
    }

    void recordingHoldsTraceBesideSamples()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rec.sqlite"));
        {
            Recorder recorder;
            QVERIFY(recorder.open(path));
            HitRateSample s;
            s.timestampMs = 5;
            s.cache = QStringLiteral("DATA_CACHE_CONFIG");
            recorder.recordHit(s);
            QVERIFY(recorder.flush());
            recorder.close();
        }
        // Rates only: a clear error saying so.
        auto records = readAll(path);
        QVERIFY(!records);
        QVERIFY2(records.error().contains(QStringLiteral("recording of 1 hit-rate sample(s) without a request trace")),
                 qPrintable(records.error()));
        const TraceRecords written = randomRecords(2000, 12);
        QVERIFY(writeAll(path, TraceFormat::Auto, twoCaches(), written));
        TraceHeader header;
        records = readAll(path, TraceFormat::Auto, nullptr, &header);
        QVERIFY2(records, qPrintable(records.error()));
        QCOMPARE(header, twoCaches());
        QVERIFY(*records == written);
        // The samples are untouched.
        Recorder again;
        QVERIFY(again.open(path));
    }

    void embeddedCaptureIsExact()
    {
        QTemporaryDir dir;
        CacheSpec data;
        data.purpose = CachePurpose::Data;
        data.backend = BackendType::Simple;
        data.threshold = 50;
        data.defaultTimeout = 600;
        CacheSpec results;
        results.purpose = CachePurpose::Results;
        results.backend = BackendType::FileSystem;
        results.directory = dir.filePath(QStringLiteral("fs"));
        auto manager = CacheManager::create({data, results});
        QVERIFY2(manager, qPrintable(manager.error()));
        TraceCapture capture;
        capture.attach(**manager);
        QCOMPARE(capture.header().caches.size(), 2);
        QCOMPARE(capture.header().caches[0].threshold, 50);
        auto cache = (*manager)->cache(CachePurpose::Data);
        const PyValue value = PyValue::str(QByteArray(300, 'v'));
        QVERIFY(cache->get("a"));
        QVERIFY(cache->set("a", value, Timeout(60)));
        QVERIFY(cache->get("a"));
        QVERIFY(cache->remove("a"));
        QVERIFY((*manager)->cache(CachePurpose::Results)->set("r", value));
        // A replaced cache (a new threshold) stays observed.
        data.threshold = 70;
        QVERIFY((*manager)->setCache(data));
        QVERIFY((*manager)->cache(CachePurpose::Data)->get("b"));
        capture.flush();
        const auto records = capture.snapshot();
        QCOMPARE(records->size(), size_t(6));
        const quint32 pickled = quint32(PickleWriter(5).dumps(value)->size());
        const TraceOp ops[] = {TraceOp::GetMiss, TraceOp::Set, TraceOp::GetHit, TraceOp::Delete, TraceOp::Set, TraceOp::GetMiss};
        for (int i = 0; i < 6; ++i)
            QCOMPARE((*records)[size_t(i)].op, ops[i]);
        QCOMPARE((*records)[1].ttl, 60);
        QCOMPARE((*records)[1].valueSize, pickled);
        QCOMPARE((*records)[2].valueSize, pickled);
        QCOMPARE((*records)[4].valueSize, pickled + 4); // the FileSystemCache's expiry header
        QCOMPARE((*records)[4].ttl, 300);              // its default timeout
        QCOMPARE((*records)[4].cache, quint8(1));
        QCOMPARE((*records)[0].key, traceKeyHash("a"));
        QCOMPARE(capture.dropped(), quint64(0));
        capture.detach();
        QVERIFY(!(*manager)->cache(CachePurpose::Data)->observer());
    }

    void captureWritesFileOffTheCallerThread()
    {
        QTemporaryDir dir;
        CacheSpec data;
        data.purpose = CachePurpose::Data;
        data.backend = BackendType::Simple;
        auto manager = CacheManager::create({data});
        QVERIFY(manager);
        TraceCapture capture;
        capture.attach(**manager);
        QSignalSpy finished(&capture, &TraceCapture::fileFinished);
        const QString path = dir.filePath(QStringLiteral("live.cstrace"));
        capture.startFile(path);
        capture.flush();
        QTRY_VERIFY(capture.isWritingFile());
        auto cache = (*manager)->cache(CachePurpose::Data);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(cache->get(QByteArray::number(i % 37)));
        capture.stopFile();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished[0][1].toULongLong(), quint64(1000));
        auto back = readAll(path);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->size(), size_t(1000));
        // A bounded queue: a burst larger than it is dropped and counted, never waited for.
        TraceCapture tiny(TraceCapture::Options{64, 1000, 1.0});
        tiny.attach(**manager);
        for (int i = 0; i < 100000; ++i)
            QVERIFY(cache->get("x"));
        tiny.flush();
        QCOMPARE(tiny.captured() + tiny.dropped(), quint64(100000));
        QVERIFY(tiny.snapshot()->size() <= 1000);
        tiny.detach();
    }

    void monitorOutcomesAreEstimated()
    {
        MonitorTraceBuilder builder(5.0);
        TraceCacheInfo cacheConfig, dataConfig;
        cacheConfig.name = QStringLiteral("CACHE_CONFIG");
        dataConfig.name = QStringLiteral("DATA_CACHE_CONFIG");
        builder.addCache("superset_", cacheConfig);
        builder.addCache("superset_data_", dataConfig);
        auto line = [&](double t, QList<QByteArray> args) {
            MonitorLine l;
            l.timestamp = t;
            l.args = std::move(args);
            builder.feed(l);
        };
        line(100.0, {"GET", "superset_data_k1"});                         // miss: set follows
        line(100.1, {"SET", "superset_data_k1", "!abc", "EX", "600"});
        line(101.0, {"GET", "superset_data_k1"});                         // hit
        line(102.0, {"GET", "superset_x"});                               // CACHE_CONFIG, hit
        line(103.0, {"MGET", "superset_data_a", "other"});                // 'other' matches no prefix
        line(104.0, {"DEL", "superset_x"});
        line(104.5, {"PING"});
        line(120.0, {"SETEX", "superset_data_a", "30", "xy"});            // too late to make a miss
        TraceRecords out;
        builder.takeReady(105.5, out); // reads older than 100.5 have their verdict
        QCOMPARE(out.size(), size_t(2));
        builder.finish(out);
        QCOMPARE(out.size(), size_t(7));
        QCOMPARE(out[0].op, TraceOp::GetMiss);
        QCOMPARE(out[0].cache, quint8(1));
        QCOMPARE(out[0].key, traceKeyHash("k1"));
        QCOMPARE(out[0].keySize, quint32(16));
        QCOMPARE(out[1].op, TraceOp::Set);
        QCOMPARE(out[1].ttl, 600);
        QCOMPARE(out[1].valueSize, quint32(4));
        QCOMPARE(out[2].op, TraceOp::GetHit);
        QCOMPARE(out[3].cache, quint8(0));
        QCOMPARE(out[4].op, TraceOp::GetHit);
        QCOMPARE(out[5].op, TraceOp::Delete);
        QCOMPARE(out[6].ttl, 30);
        QCOMPARE(builder.unmatched(), quint64(1));
        QCOMPARE(builder.ignored(), quint64(1));
        QVERIFY(!builder.header().exactOutcomes);
        QVERIFY(builder.header().note.contains(QStringLiteral("estimated")));
    }

    void formatDetection()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x"));
        writeFile(path, QByteArray(25, '\x07'));
        auto r = readAll(path);
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("cannot tell the format")), qPrintable(r.error()));
        QVERIFY(r.error().contains(QStringLiteral("--trace-format")));
        auto missing = TraceReader::open(dir.filePath(QStringLiteral("none")));
        QVERIFY(!missing);
        QVERIFY(missing.error().contains(QStringLiteral("cannot open trace")));
    }
};

QTEST_GUILESS_MAIN(TestCapacityTrace)
#include "tst_capacitytrace.moc"
