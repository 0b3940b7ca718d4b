// FileSystemCache against the real thing: Debian's /usr/bin/python3 with cachelib 0.9.0 writing
// and reading the same directories (values, TTL headers, add(), count file, pruning, legacy files).
#include "cache/filesystemcache.h"
#include "codec/picklereader.h"
#include "python.h"
#include "checkok.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

using namespace cachescope;

namespace {

using test::errorOf;

QString name(const QByteArray &key)
{
    return FileSystemCache::fileNameForKey(key);
}

// The Python side of the value table; SAMPLES and deep_eq are prepended to every script.
const char *kPySamples = R"PY(
import json, math, os, pickle, struct, sys, time
from hashlib import md5
import cachelib
from cachelib import FileSystemCache
assert cachelib.__version__ == "0.9.0", cachelib.__version__
SAMPLES = {
    "none": None, "true": True, "false": False,
    "zero": 0, "small": 255, "k256": 256, "m65535": 65535, "m65536": 65536, "neg1": -1,
    "minint32": -2**31, "int32p": 2**31, "maxint64": 2**63 - 1, "minint64": -2**63,
    "two64": 2**64, "negbig": -(2**100), "tenp40": 10**40,
    "float": 1.5, "negzero": -0.0, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
    "tiny": 5e-324,
    "empty_str": "", "unicode": "h\u00e9llo \u20ac\U0001d11e \u65e5\u672c", "long_str": "xyz" * 100,
    "big_str": "\u00e9" * 40000,
    "empty_bytes": b"", "bytes": b"\x00\xff\x80", "big_bytes": bytes(range(256)) * 300,
    "bytearray": bytearray(b"ab\x00"),
    "nested": [1, [2, (3, 4.5)], {"a": {1, 2}, "b": None}, (), (1,), frozenset({"x"})],
    "dict": {"k": [None, True], "n": {"deep": {"deeper": [b"z"]}}, 7: "int key"},
    "set": {1, 2, 3}, "frozenset": frozenset({"a", "b"}), "tuple": (1, "two", 3.0),
    "empty_list": [], "empty_dict": {}, "big_list": list(range(2000)),
}
def deep_eq(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(deep_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(k in b and deep_eq(v, b[k]) for k, v in a.items())
    return a == b
def header(d, key):
    with open(os.path.join(d, md5(key.encode()).hexdigest()), "rb") as f:
        return struct.unpack("I", f.read(4))[0]
)PY";

PyValue s(const char *text)
{
    return PyValue::str(QByteArray(text));
}

// The C++ side of the same table.
QList<std::pair<QByteArray, PyValue>> samples()
{
    QByteArray big;
    for (int r = 0; r < 300; ++r)
        for (int i = 0; i < 256; ++i)
            big.append(char(i));
    PyValue::Items range;
    for (int i = 0; i < 2000; ++i)
        range.push_back(PyValue::integer(i));
    QByteArray bigStr;
    for (int i = 0; i < 40000; ++i)
        bigStr.append("\xc3\xa9");
    return {
        {"none", PyValue::none()},
        {"true", PyValue::boolean(true)},
        {"false", PyValue::boolean(false)},
        {"zero", PyValue::integer(0)},
        {"small", PyValue::integer(255)},
        {"k256", PyValue::integer(256)},
        {"m65535", PyValue::integer(65535)},
        {"m65536", PyValue::integer(65536)},
        {"neg1", PyValue::integer(-1)},
        {"minint32", PyValue::integer(-2147483648LL)},
        {"int32p", PyValue::integer(2147483648LL)},
        {"maxint64", PyValue::integer(std::numeric_limits<qint64>::max())},
        {"minint64", PyValue::integer(std::numeric_limits<qint64>::min())},
        {"two64", PyValue::bigIntegerFromDecimal("18446744073709551616")},
        {"negbig", PyValue::bigIntegerFromDecimal("-1267650600228229401496703205376")},
        {"tenp40", PyValue::bigIntegerFromDecimal("10000000000000000000000000000000000000000")},
        {"float", PyValue::floating(1.5)},
        {"negzero", PyValue::floating(-0.0)},
        {"nan", PyValue::floating(std::nan(""))},
        {"inf", PyValue::floating(std::numeric_limits<double>::infinity())},
        {"ninf", PyValue::floating(-std::numeric_limits<double>::infinity())},
        {"tiny", PyValue::floating(5e-324)},
        {"empty_str", PyValue::str(QByteArray())},
        {"unicode", PyValue::str(QStringLiteral("h\u00e9llo \u20ac\U0001d11e \u65e5\u672c"))},
        {"long_str", PyValue::str(QByteArray("xyz").repeated(100))},
        {"big_str", PyValue::str(bigStr)},
        {"empty_bytes", PyValue::bytes(QByteArray())},
        {"bytes", PyValue::bytes(QByteArray("\x00\xff\x80", 3))},
        {"big_bytes", PyValue::bytes(big)},
        {"bytearray", PyValue::byteArray(QByteArray("ab\x00", 3))},
        {"nested", PyValue::list({PyValue::integer(1),
                                  PyValue::list({PyValue::integer(2), PyValue::tuple({PyValue::integer(3), PyValue::floating(4.5)})}),
                                  PyValue::dict({{s("a"), PyValue::set({PyValue::integer(1), PyValue::integer(2)})}, {s("b"), PyValue::none()}}),
                                  PyValue::tuple(), PyValue::tuple({PyValue::integer(1)}), PyValue::frozenSet({s("x")})})},
        {"dict", PyValue::dict({{s("k"), PyValue::list({PyValue::none(), PyValue::boolean(true)})},
                                {s("n"), PyValue::dict({{s("deep"), PyValue::dict({{s("deeper"), PyValue::list({PyValue::bytes(QByteArray("z"))})}})}})},
                                {PyValue::integer(7), s("int key")}})},
        {"set", PyValue::set({PyValue::integer(1), PyValue::integer(2), PyValue::integer(3)})},
        {"frozenset", PyValue::frozenSet({s("a"), s("b")})},
        {"tuple", PyValue::tuple({PyValue::integer(1), s("two"), PyValue::floating(3.0)})},
        {"empty_list", PyValue::list()},
        {"empty_dict", PyValue::dict()},
        {"big_list", PyValue::list(range)},
    };
}

Expected<QJsonObject> runJson(const QString &body, const QStringList &args, const QByteArray &stdinData = {})
{
    auto out = test::runPython(QString::fromUtf8(kPySamples) + body, args, stdinData);
    if (!out)
        return Error{out.error()};
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(*out, &err);
    if (!doc.isObject())
        return makeError(QStringLiteral("python printed no JSON object: %1 (%2)").arg(QString::fromUtf8(out->left(400)), err.errorString()));
    return doc.object();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace

class TestFileSystemInterop : public QObject
{
    Q_OBJECT

private slots:
    void pythonWritesCacheScopeReads()
    {
        QTemporaryDir dir;
        auto py = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1])
ok = {k: c.set(k, v, 0) for k, v in SAMPLES.items()}
print(json.dumps({"ok": all(ok.values()), "n": len(ok)}))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        QVERIFY((*py)[QStringLiteral("ok")].toBool());
        const auto table = samples();
        QCOMPARE((*py)[QStringLiteral("n")].toInt(), int(table.size()));

        FileSystemCache cache(dir.path());
        for (const auto &[key, expected] : table) {
            auto got = cache.get(key);
            QVERIFY2(got, qPrintable(errorOf(got)));
            QVERIFY2(got->has_value(), key.constData());
            QVERIFY2(**got == expected, qPrintable(QString::fromUtf8(key) + QStringLiteral(": ") + (*got)->repr()));
            QVERIFY(cache.ttl(key)->state == EntryTtl::State::Never);
            auto entry = FileSystemCache::readEntryFile(dir.filePath(name(key)));
            QVERIFY(entry && entry->layout == FileSystemEntry::Layout::Struct && entry->expiry == 0);
        }
        // -0.0 keeps its sign (PyValue equality does not look at it).
        QVERIFY(std::signbit(cache.get("negzero")->value().toFloat()));
    }

    void cacheScopeWritesPythonReads()
    {
        QTemporaryDir dir;
        FileSystemCache cache(dir.path());
        for (const auto &[key, value] : samples()) {
            auto r = cache.set(key, value, 0);
            QVERIFY2(r && *r, qPrintable(QString::fromUtf8(key) + errorOf(r)));
        }
        auto py = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1])
bad = []
for k, v in SAMPLES.items():
    got = c.get(k)
    if not c.has(k) or not deep_eq(got, v):
        bad.append("%s: %r" % (k, got)[:200])
print(json.dumps({"bad": bad, "count": c._file_count}))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        const QJsonArray bad = (*py)[QStringLiteral("bad")].toArray();
        QVERIFY2(bad.isEmpty(), QJsonDocument(bad).toJson().constData());
        QCOMPARE((*py)[QStringLiteral("count")].toInt(), int(samples().size()));
    }

    void timeoutsAndAddPythonToCacheScope()
    {
        QTemporaryDir dir;
        const qint64 before = nowSeconds();
        auto py = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1], default_timeout=300)
r = [c.set("d", 1), c.set("z", 2, 0), c.set("p", 3, 100), c.set("e", 4, -10)]
print(json.dumps({"r": r, "has": [c.has(k) for k in "dzpe"]}))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        const qint64 after = nowSeconds();
        QCOMPARE((*py)[QStringLiteral("has")].toArray(), (QJsonArray{true, true, true, false}));

        FileSystemCache cache(dir.path());
        QCOMPARE(*cache.has("d"), true);
        QCOMPARE(*cache.has("z"), true);
        QCOMPARE(*cache.has("p"), true);
        QCOMPARE(*cache.has("e"), false);
        QCOMPARE(cache.get("p")->value(), PyValue::integer(3));
        QVERIFY(!cache.get("e")->has_value());
        auto expiry = [&](const char *key) { return FileSystemCache::readEntryFile(dir.filePath(name(key)))->expiry; };
        QVERIFY(expiry("d") >= before + 300 && expiry("d") <= after + 300);
        QVERIFY(expiry("p") >= before + 100 && expiry("p") <= after + 100);
        QVERIFY(expiry("e") >= before - 10 && expiry("e") <= after - 10);
        QCOMPARE(expiry("z"), 0);
        QVERIFY(cache.ttl("z")->state == EntryTtl::State::Never);
        QVERIFY(cache.ttl("p")->state == EntryTtl::State::Expires);
        QVERIFY(cache.ttl("e")->state == EntryTtl::State::Missing);
        // add(): any existing file blocks it, the expired one included.
        QCOMPARE(*cache.add("e", PyValue::integer(9)), false);
        QCOMPARE(*cache.add("d", PyValue::integer(9)), false);
        QCOMPARE(*cache.add("fresh", PyValue::integer(9)), true);
        QCOMPARE(cache.countFileValue(), 5);
    }

    void timeoutsAndAddCacheScopeToPython()
    {
        QTemporaryDir dir;
        const qint64 before = nowSeconds();
        {
            FileSystemCache cache(dir.path(), 500, 300);
            QVERIFY(*cache.set("d", PyValue::integer(1)));
            QVERIFY(*cache.set("z", PyValue::integer(2), 0));
            QVERIFY(*cache.set("p", PyValue::integer(3), 100));
            QVERIFY(*cache.set("e", PyValue::integer(4), -10));
        }
        const qint64 after = nowSeconds();
        auto py = runJson(QStringLiteral(R"PY(
d = sys.argv[1]
counted = pickle.loads(open(os.path.join(d, md5(b"__wz_cache_count").hexdigest()), "rb").read()[4:])
c = FileSystemCache(d, default_timeout=300)
out = {"has": [c.has(k) for k in "dzpe"], "get": [c.get(k) for k in "dzpe"],
       "headers": [header(d, k) for k in "dzpe"], "counted": counted,
       "add": [c.add("e", 9), c.add("d", 9), c.add("fresh", 9)],
       "modes": sorted({oct(os.stat(os.path.join(d, f)).st_mode & 0o777) for f in os.listdir(d)})}
print(json.dumps(out))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        QCOMPARE((*py)[QStringLiteral("has")].toArray(), (QJsonArray{true, true, true, false}));
        QCOMPARE((*py)[QStringLiteral("get")].toArray(), (QJsonArray{1, 2, 3, QJsonValue()}));
        QCOMPARE((*py)[QStringLiteral("add")].toArray(), (QJsonArray{false, false, true}));
        QCOMPARE((*py)[QStringLiteral("counted")].toInt(), 4);
        QCOMPARE((*py)[QStringLiteral("modes")].toArray(), (QJsonArray{QStringLiteral("0o600")}));
        const QJsonArray headers = (*py)[QStringLiteral("headers")].toArray();
        QVERIFY(headers[0].toDouble() >= before + 300 && headers[0].toDouble() <= after + 300);
        QCOMPARE(headers[1].toInt(), 0);
        QVERIFY(headers[2].toDouble() >= before + 100 && headers[2].toDouble() <= after + 100);
        QVERIFY(headers[3].toDouble() >= before - 10 && headers[3].toDouble() <= after - 10);
    }

    void countFileMatchesAcrossImplementations()
    {
        QTemporaryDir a, b;
        auto py = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1])
for i in range(7):
    c.set("k%d" % i, i, 0)
c.set("k1", 11, 0)
c.delete("k2")
c.delete("nope")
c.add("k3", 0, 0)
print(json.dumps({"count": c._file_count}))
)PY"), {a.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        FileSystemCache cache(b.path());
        // Timeout 0 everywhere so the files do not depend on when each side ran.
        for (int i = 0; i < 7; ++i)
            cache.set("k" + QByteArray::number(i), PyValue::integer(i), 0);
        cache.set("k1", PyValue::integer(11), 0);
        cache.remove("k2");
        cache.remove("nope");
        cache.add("k3", PyValue::integer(0), 0);
        QCOMPARE(cache.countFileValue(), (*py)[QStringLiteral("count")].toInt());
        const QString countName = name("__wz_cache_count");
        QCOMPARE(readAll(b.filePath(countName)), readAll(a.filePath(countName)));
        // And each reads the other's: cachelib's recount at construction agrees with ours.
        FileSystemCache onA(a.path());
        QCOMPARE(onA.countFileValue(), 6);
        QCOMPARE(readAll(b.filePath(countName)), readAll(a.filePath(countName)));
        QStringList namesA = QDir(a.path()).entryList(QDir::Files, QDir::Name);
        QStringList namesB = QDir(b.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(namesB, namesA);
        for (const QString &n : namesA)
            QCOMPARE(readAll(b.filePath(n)), readAll(a.filePath(n)));
    }

    void pruningSequenceMatchesCachelib()
    {
        // One operation sequence on a fake clock, run by cachelib (time patched) in dir A and by
        // us in dir B. Live expiries are all distinct (ties would fall back to directory order,
        // which differs between two directories), so the surviving files must be identical.
        QRandomGenerator rng(424242);
        QJsonArray ops;
        const qint64 base = 1'800'000'000;
        for (int i = 0; i < 400; ++i) {
            QJsonObject op;
            static const char *kinds[] = {"set", "set", "set", "set", "add", "delete", "get", "has", "inc"};
            const QString kind = QLatin1String(kinds[rng.bounded(9)]);
            op[QStringLiteral("op")] = kind;
            const int k = rng.bounded(11);
            op[QStringLiteral("key")] = k == 10 ? QStringLiteral("forever") : QStringLiteral("k%1").arg(k);
            op[QStringLiteral("value")] = int(rng.bounded(500));
            op[QStringLiteral("ms")] = double((base + 2 * i) * 1000 + rng.bounded(999));
            QJsonValue timeout;
            if (k == 10) {
                timeout = 0;
            } else {
                switch (rng.bounded(3)) {
                case 0: timeout = QJsonValue(); break;               // default 301: base + 2i + 301
                case 1: timeout = 100 + 2 * i; break;                 // base + 4i + 100
                default: timeout = -(1000 + 4 * i); break;            // already expired
                }
            }
            op[QStringLiteral("timeout")] = timeout;
            ops.append(op);
        }
        QTemporaryDir a, b;
        auto py = runJson(QStringLiteral(R"PY(
import cachelib.file as F
ops = json.load(sys.stdin)
now = [ops[0]["ms"] / 1000.0]
F.time = lambda: now[0]
d = sys.argv[1]
c = FileSystemCache(d, threshold=4, default_timeout=301)
out = []
for op in ops:
    now[0] = op["ms"] / 1000.0
    k, v, t, name = op["key"], op["value"], op["timeout"], op["op"]
    if name == "set": r = c.set(k, v, t)
    elif name == "add": r = c.add(k, v, t)
    elif name == "delete": r = c.delete(k)
    elif name == "get": r = c.get(k)
    elif name == "has": r = c.has(k)
    else: r = c.inc(k, v)
    out.append(r)
print(json.dumps({"results": out, "count": c._file_count}))
)PY"), {a.path()}, QJsonDocument(ops).toJson(QJsonDocument::Compact));
        QVERIFY2(py, qPrintable(errorOf(py)));
        const QJsonArray results = (*py)[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), ops.size());

        auto ms = std::make_shared<qint64>(qint64(ops[0].toObject()[QStringLiteral("ms")].toDouble()));
        FileSystemCache cache(b.path(), 4, 301, 0600, FileSystemCache::HashMethod::Md5, [ms] { return *ms; });
        for (qsizetype i = 0; i < ops.size(); ++i) {
            const QJsonObject op = ops[i].toObject();
            *ms = qint64(op[QStringLiteral("ms")].toDouble());
            const QByteArray key = op[QStringLiteral("key")].toString().toUtf8();
            const qint64 v = op[QStringLiteral("value")].toInt();
            const Timeout t = op[QStringLiteral("timeout")].isNull() ? Timeout{} : Timeout{op[QStringLiteral("timeout")].toInt()};
            const QString kind = op[QStringLiteral("op")].toString();
            QJsonValue mine;
            if (kind == QLatin1String("set"))
                mine = *cache.set(key, PyValue::integer(v), t);
            else if (kind == QLatin1String("add"))
                mine = *cache.add(key, PyValue::integer(v), t);
            else if (kind == QLatin1String("delete"))
                mine = *cache.remove(key);
            else if (kind == QLatin1String("get")) {
                auto got = *cache.get(key);
                mine = got ? QJsonValue(got->toInt()) : QJsonValue();
            } else if (kind == QLatin1String("has"))
                mine = *cache.has(key);
            else {
                auto r = cache.inc(key, v);
                QVERIFY2(r, qPrintable(errorOf(r)));
                mine = r->has_value() ? QJsonValue(r->value()) : QJsonValue();
            }
            QVERIFY2(mine == results[i],
                     qPrintable(QStringLiteral("op %1 %2 %3: python %4, ours %5")
                                    .arg(i).arg(kind, QString::fromUtf8(key))
                                    .arg(QString::fromUtf8(QJsonDocument(QJsonArray{results[i]}).toJson(QJsonDocument::Compact)),
                                         QString::fromUtf8(QJsonDocument(QJsonArray{mine}).toJson(QJsonDocument::Compact)))));
        }
        QCOMPARE(cache.countFileValue(), (*py)[QStringLiteral("count")].toInt());
        const QStringList namesA = QDir(a.path()).entryList(QDir::Files, QDir::Name);
        const QStringList namesB = QDir(b.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(namesB, namesA);
        // 11 keys were written, threshold 4: pruning kept at most threshold + 1 entries.
        QVERIFY(namesA.size() >= 4 && namesA.size() <= 6);
        // Same expiry headers and values (the pickles themselves may differ in FRAME/memo
        // details; Python reads either).
        for (const QString &n : namesA) {
            const auto ea = FileSystemCache::readEntryFile(a.filePath(n));
            const auto eb = FileSystemCache::readEntryFile(b.filePath(n));
            QVERIFY2(ea && eb, qPrintable(n));
            QCOMPARE(readAll(b.filePath(n)).left(4), readAll(a.filePath(n)).left(4));
            QCOMPARE(*PickleReader().loads(eb->pickle), *PickleReader().loads(ea->pickle));
        }
    }

    void directoryOrderIsOsListdirOrder()
    {
        // Pruning ties (equal expiries, e.g. several never-expiring files) fall back to
        // os.listdir order; on the same directory ours must be the same order.
        QTemporaryDir dir;
        FileSystemCache cache(dir.path());
        for (int i = 0; i < 60; ++i)
            cache.set("key" + QByteArray::number(i), PyValue::integer(i), 0);
        auto py = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1])
print(json.dumps({"names": [os.path.basename(p) for p in c._list_dir()]}))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        QStringList pyNames;
        for (const auto &n : (*py)[QStringLiteral("names")].toArray())
            pyNames.append(n.toString());
        QCOMPARE(*cache.entryFileNames(), pyNames);
        // So with ties only, both evict the same files: two copies made the same way (same
        // names created in the same order, so the same directory order), one per implementation.
        QTemporaryDir copyA, copyB;
        for (const QString &n : QDir(dir.path()).entryList(QDir::Files, QDir::Name)) {
            QVERIFY(QFile::copy(dir.filePath(n), copyA.filePath(n)));
            QVERIFY(QFile::copy(dir.filePath(n), copyB.filePath(n)));
        }
        auto evicted = runJson(QStringLiteral(R"PY(
c = FileSystemCache(sys.argv[1], threshold=50)
c.set("trigger", 1, 0)
print(json.dumps({"names": sorted(os.listdir(sys.argv[1]))}))
)PY"), {copyA.path()});
        QVERIFY2(evicted, qPrintable(errorOf(evicted)));
        FileSystemCache small(copyB.path(), 50);
        QVERIFY(*small.set("trigger", PyValue::integer(1), 0));
        QStringList expected;
        for (const auto &n : (*evicted)[QStringLiteral("names")].toArray())
            expected.append(n.toString());
        QCOMPARE(expected.size(), 52); // 60 - 10 evicted, + "trigger", + the count file
        QCOMPARE(QDir(copyB.path()).entryList(QDir::Files, QDir::Name), expected);
    }

    void legacyFilesWrittenByPython()
    {
        QTemporaryDir dir;
        auto py = runJson(QStringLiteral(R"PY(
d = sys.argv[1]
now = int(time.time())
value = SAMPLES["dict"]
def legacy(key, expiry, header_protocol, value_protocol, value=value):
    with open(os.path.join(d, md5(key.encode()).hexdigest()), "wb") as f:
        pickle.dump(expiry, f, header_protocol)
        pickle.dump(value, f, value_protocol)
legacy("live", now + 600, pickle.HIGHEST_PROTOCOL, pickle.HIGHEST_PROTOCOL)   # cachelib 0.6
legacy("never", 0, 1, pickle.HIGHEST_PROTOCOL)                               # werkzeug.contrib.cache
legacy("p0", now + 600, 0, 2, SAMPLES["tuple"])                                               # protocol 0 header
legacy("old", now - 600, pickle.HIGHEST_PROTOCOL, pickle.HIGHEST_PROTOCOL)
print(json.dumps({"now": now}))
)PY"), {dir.path()});
        QVERIFY2(py, qPrintable(errorOf(py)));
        const qint64 now = (*py)[QStringLiteral("now")].toInteger();
        PyValue expected;
        for (const auto &[key, value] : samples())
            if (key == "dict")
                expected = value;
        FileSystemCache cache(dir.path());
        PyValue tuple;
        for (const auto &[key, value] : samples())
            if (key == "tuple")
                tuple = value;
        for (const char *key : {"live", "never", "p0"}) {
            auto got = cache.get(key);
            QVERIFY2(got && got->has_value(), key);
            QVERIFY2(**got == (QByteArray(key) == "p0" ? tuple : expected), qPrintable((*got)->repr()));
            QCOMPARE(*cache.has(key), true);
            auto entry = FileSystemCache::readEntryFile(dir.filePath(name(key)));
            QVERIFY2(entry, qPrintable(errorOf(entry)));
            QVERIFY(entry->layout == FileSystemEntry::Layout::Legacy);
        }
        QVERIFY(!cache.get("old")->has_value());
        QCOMPARE(*cache.has("old"), false);
        QCOMPARE(FileSystemCache::readEntryFile(dir.filePath(name("live")))->expiry, now + 600);
        QCOMPARE(FileSystemCache::readEntryFile(dir.filePath(name("never")))->expiry, 0);
        QVERIFY(cache.ttl("never")->state == EntryTtl::State::Never);
        QVERIFY(cache.ttl("live")->state == EntryTtl::State::Expires);
    }
};

QTEST_GUILESS_MAIN(TestFileSystemInterop)
#include "tst_filesysteminterop.moc"
