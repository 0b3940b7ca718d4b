#include "cache/globmatch.h"
#include "cache/simplecache.h"
#include "codec/picklereader.h"
#include "python.h"
#include "checkok.h"
#include "fakeclock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <memory>

using namespace cachescope;

namespace {

using test::errorOf;

// The start time these tests were written against (ms since the epoch).
struct FakeClock : test::FakeClock
{
    FakeClock() : test::FakeClock(1'700'000'000'500) {}
};

PyValue sampleValue()
{
    return PyValue::dict({{PyValue::str(QByteArray("a")), PyValue::list({PyValue::integer(1), PyValue::floating(2.5)})},
                          {PyValue::str(QByteArray("b")), PyValue::tuple({PyValue::none(), PyValue::boolean(true)})},
                          {PyValue::str(QByteArray("c")), PyValue::bytes(QByteArray("\x00\xff", 2))}});
}

QList<QByteArray> scanAll(Cache &cache, const QByteArray &glob = "*", int count = 1000)
{
    QList<QByteArray> keys;
    QByteArray cursor = "0";
    for (int guard = 0; guard < 100000; ++guard) {
        auto page = cache.scan(cursor, glob, count);
        if (!page)
            return {};
        keys += page->keys;
        cursor = page->nextCursor;
        if (cursor == "0")
            break;
    }
    return keys;
}

} // namespace

class TestSimpleCache : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsValues()
    {
        SimpleCache cache;
        QCOMPARE(*cache.set("k", sampleValue()), true);
        auto got = cache.get("k");
        QVERIFY(got && got->has_value());
        QCOMPARE(**got, sampleValue());
        QCOMPARE(*cache.set("none", PyValue::none()), true);
        // A stored None reads back as None: has() tells it apart from a miss.
        QVERIFY(cache.get("none")->has_value());
        QCOMPARE(*cache.has("none"), true);
        QVERIFY(!cache.get("missing")->has_value());
    }

    void rawGetIsThePickle()
    {
        SimpleCache cache;
        cache.set("k", sampleValue());
        auto raw = cache.rawGet("k");
        QVERIFY(raw && raw->has_value());
        QVERIFY((*raw)->startsWith("\x80\x05"));
        QCOMPARE(*PickleReader().loads(**raw), sampleValue());
        QCOMPARE(cache.entrySize("k")->value(), qint64((*raw)->size()));
        QVERIFY(!cache.rawGet("nope")->has_value());
        // The remembered pickle follows overwrites.
        cache.set("k", PyValue::integer(7));
        QCOMPARE(*PickleReader().loads(cache.rawGet("k")->value()), PyValue::integer(7));
        QCOMPARE(cache.entrySize("k")->value(), qint64(cache.rawGet("k")->value().size()));
        QVERIFY(!cache.entrySize("nope")->has_value());
    }

    void thresholdZeroBecomes500()
    {
        QCOMPARE(SimpleCache(0).threshold(), 500);
        QCOMPARE(SimpleCache(7).threshold(), 7);
    }

    void timeoutsWithInjectedClock()
    {
        FakeClock clock;
        clock.set(1'000'000'900); // 1000000.9 s: int(time()) floors to 1000000
        SimpleCache cache(500, 300);
        cache.setClock(clock.clock());
        cache.set("default", PyValue::integer(1));     // expires 1000300
        cache.set("ten", PyValue::integer(2), 10);      // expires 1000010
        cache.set("never", PyValue::integer(3), 0);     // 0
        cache.set("past", PyValue::integer(4), -1);     // stored as -1: already expired
        QCOMPARE(*cache.has("ten"), true);
        QVERIFY(cache.ttl("never")->state == EntryTtl::State::Never);
        auto ttl = *cache.ttl("ten");
        QVERIFY(ttl.state == EntryTtl::State::Expires);
        QCOMPARE(ttl.seconds, 10); // 9.1 s left, rounded up
        QCOMPARE(*cache.has("past"), false);
        QVERIFY(!cache.get("past")->has_value());
        QVERIFY(cache.ttl("past")->state == EntryTtl::State::Missing);

        clock.set(1'000'009'999); // alive while expires > time()
        QCOMPARE(*cache.has("ten"), true);
        clock.set(1'000'010'000); // expires == time(): gone (strict >)
        QCOMPARE(*cache.has("ten"), false);
        QVERIFY(!cache.get("ten")->has_value());
        QVERIFY(cache.ttl("ten")->state == EntryTtl::State::Missing);
        // Expired entries stay stored until pruned: rawGet/entrySize/scan still see them.
        QVERIFY(cache.rawGet("ten")->has_value());
        QCOMPARE(cache.entryCount(), 4);

        clock.set(1'000'300'000);
        QCOMPARE(*cache.has("default"), false);
        clock.set(4'000'000'000'000);
        QCOMPARE(*cache.has("never"), true);
        QCOMPARE(cache.get("never")->value(), PyValue::integer(3));
    }

    void absurdTimeoutsDoNotOverflow()
    {
        SimpleCache cache;
        QVERIFY(*cache.set("max", PyValue::integer(1), std::numeric_limits<qint64>::max()));
        QVERIFY(*cache.set("min", PyValue::integer(1), std::numeric_limits<qint64>::min()));
        QCOMPARE(*cache.has("max"), true);
        QCOMPARE(*cache.has("min"), false);
        QVERIFY(cache.ttl("max")->state == EntryTtl::State::Expires);
        QVERIFY(cache.ttl("max")->seconds > 0);
    }

    void addDeleteClearReturnValues()
    {
        FakeClock clock;
        SimpleCache cache;
        cache.setClock(clock.clock());
        QCOMPARE(*cache.add("k", PyValue::integer(1)), true);
        QCOMPARE(*cache.add("k", PyValue::integer(2)), false);
        QCOMPARE(cache.get("k")->value(), PyValue::integer(1));
        // An expired but stored key still blocks add() (`key in self._cache`).
        cache.set("old", PyValue::integer(1), -5);
        QCOMPARE(*cache.add("old", PyValue::integer(2)), false);
        // delete() reports whether the key was stored, expired or not.
        QCOMPARE(*cache.remove("old"), true);
        QCOMPARE(*cache.remove("old"), false);
        QCOMPARE(*cache.add("old", PyValue::integer(2)), true);
        QCOMPARE(*cache.removeMany({"k", "zzz", "old"}), (QList<QByteArray>{"k", "old"}));
        cache.set("a", PyValue::integer(1));
        QCOMPARE(*cache.clear(), true);
        QCOMPARE(cache.entryCount(), 0);
        QVERIFY(!cache.get("a")->has_value());
    }

    void manyKeyCalls()
    {
        SimpleCache cache;
        auto written = cache.setMany({{"a", PyValue::integer(1)}, {"b", PyValue::integer(2)}});
        QCOMPARE(*written, (QList<QByteArray>{"a", "b"}));
        auto values = *cache.getMany({"a", "x", "b"});
        QCOMPARE(values.size(), 3);
        QCOMPARE(*values[0], PyValue::integer(1));
        QVERIFY(!values[1].has_value());
        QCOMPARE(*values[2], PyValue::integer(2));
    }

    void incFollowsPythonArithmetic()
    {
        SimpleCache cache;
        QCOMPARE(cache.inc("n")->value(), 1);
        QCOMPARE(cache.inc("n", 10)->value(), 11);
        QCOMPARE(cache.dec("n", 20)->value(), -9);
        QCOMPARE(cache.get("n")->value(), PyValue::integer(-9));
        cache.set("t", PyValue::boolean(true));
        QCOMPARE(cache.inc("t")->value(), 2); // True + 1
        cache.set("e", PyValue::str(QByteArray())); // falsy: `"" or 0`
        QCOMPARE(cache.inc("e", 3)->value(), 3);
        cache.set("s", PyValue::str(QByteArray("x")));
        QVERIFY(!cache.inc("s")); // TypeError in Python
        cache.set("big", PyValue::integer(std::numeric_limits<qint64>::max()));
        QVERIFY(!cache.inc("big"));
        QCOMPARE(cache.counters().snapshot().errors, 2u);
    }

    void scanWithGlobAndCursor()
    {
        SimpleCache cache(10'000);
        for (int i = 0; i < 250; ++i)
            cache.set("user:" + QByteArray::number(i), PyValue::integer(i));
        cache.set("other", PyValue::integer(0));
        QCOMPARE(scanAll(cache, "*", 7).size(), 251);
        QCOMPARE(scanAll(cache, "user:1?", 7).size(), 10);
        QCOMPARE(scanAll(cache, "user:[12]", 3), (QList<QByteArray>{"user:1", "user:2"}));
        QCOMPARE(scanAll(cache, "user:[!0-8]", 3), (QList<QByteArray>{"user:9"}));
        QCOMPARE(scanAll(cache, "oth*"), (QList<QByteArray>{"other"}));
        // Deleting while scanning never repeats or skips keys that stay.
        QList<QByteArray> seen;
        auto page = *cache.scan("0", "*", 50);
        seen += page.keys;
        cache.remove("user:0");
        cache.remove("user:1");
        QByteArray cursor = page.nextCursor;
        while (cursor != "0") {
            page = *cache.scan(cursor, "*", 50);
            seen += page.keys;
            cursor = page.nextCursor;
        }
        QCOMPARE(seen.size(), 251);
        QVERIFY(!cache.scan("not-a-number"));
    }

    void globMatching()
    {
        QVERIFY(globMatch("*", ""));
        QVERIFY(globMatch("", ""));
        QVERIFY(!globMatch("", "a"));
        QVERIFY(globMatch("a*b*c", "axxbyyc"));
        QVERIFY(!globMatch("a*b*c", "axxbyy"));
        QVERIFY(globMatch("*:*:*", "superset:chart:42"));
        QVERIFY(globMatch("?x", "ax"));
        QVERIFY(!globMatch("?x", "x"));
        QVERIFY(globMatch("[a-c]1", "b1"));
        QVERIFY(!globMatch("[a-c]1", "d1"));
        QVERIFY(globMatch("[!a-c]1", "d1"));
        QVERIFY(globMatch("[^a-c]1", "d1"));
        QVERIFY(globMatch("[]]", "]"));            // ']' first in a set is literal (fnmatch)
        QVERIFY(globMatch("a[", "a["));            // unterminated '[' is literal
        QVERIFY(globMatch("\\*x", "*x"));        // escaped star
        QVERIFY(!globMatch("\\*x", "ax"));
        QVERIFY(globMatch("a\\?", "a?"));
        // Pathological pattern stays fast (no exponential backtracking).
        QVERIFY(!globMatch("*a*a*a*a*a*a*a*a*a*b", QByteArray(5000, 'a')));
    }

    void pruneRemovesExpiredIncludingNeverThenOldest()
    {
        FakeClock clock;
        SimpleCache cache(3, 300);
        cache.setClock(clock.clock());
        cache.set("never", PyValue::integer(0), 0);
        cache.set("long", PyValue::integer(1), 1000);
        cache.set("short", PyValue::integer(2), 100);
        cache.set("fourth", PyValue::integer(3), 500); // len 3 before: no prune
        QCOMPARE(cache.entryCount(), 4);
        // len 4 > 3: _remove_expired drops `expires < now`, i.e. the never-expiring one (0),
        // leaving 3 -> no longer over; then "fifth" makes 4 again.
        cache.set("fifth", PyValue::integer(4), 700);
        QCOMPARE(scanAll(cache), (QList<QByteArray>{"long", "short", "fourth", "fifth"}));
        // Over again: nothing expired, so the earliest expiry goes ("short").
        cache.set("sixth", PyValue::integer(5), 900);
        QCOMPARE(scanAll(cache), (QList<QByteArray>{"long", "fourth", "fifth", "sixth"}));
    }

    void matchesPythonSimpleCacheOnARandomSequence()
    {
        // The same operations, clock readings included, through cachelib's SimpleCache
        // (time patched) and ours; every return value and the final dict order must agree.
        QRandomGenerator rng(20261201);
        QJsonArray ops;
        qint64 now = 1'700'000'000'250;
        const int timeouts[] = {-3, 0, 1, 2, 5, 30, 300};
        for (int i = 0; i < 600; ++i) {
            now += rng.bounded(0, 1500);
            QJsonObject op;
            static const char *kinds[] = {"set", "set", "set", "add", "get", "has", "delete", "inc"};
            op[QStringLiteral("op")] = QLatin1String(kinds[rng.bounded(8)]);
            op[QStringLiteral("key")] = QStringLiteral("k%1").arg(rng.bounded(12));
            op[QStringLiteral("value")] = int(rng.bounded(1000));
            const int t = rng.bounded(8);
            op[QStringLiteral("timeout")] = t == 7 ? QJsonValue() : QJsonValue(timeouts[t]);
            op[QStringLiteral("ms")] = double(now);
            ops.append(op);
        }
        const QString script = QStringLiteral(R"PY(
import json, sys
import cachelib.simple as S
ops = json.load(sys.stdin)
now = [0.0]
S.time = lambda: now[0]
c = S.SimpleCache(threshold=5, default_timeout=3)
out = []
for op in ops:
    now[0] = op["ms"] / 1000.0
    k, v, t = op["key"], op["value"], op["timeout"]
    name = op["op"]
    if name == "set": r = c.set(k, v, t)
    elif name == "add": r = c.add(k, v, t)
    elif name == "get": r = c.get(k)
    elif name == "has": r = c.has(k)
    elif name == "delete": r = c.delete(k)
    else: r = c.inc(k, v)
    out.append(r)
print(json.dumps({"results": out, "keys": list(c._cache.keys())}))
)PY");
        auto py = test::runPython(script, {}, QJsonDocument(ops).toJson(QJsonDocument::Compact));
        QVERIFY2(py, qPrintable(errorOf(py)));
        const QJsonObject expected = QJsonDocument::fromJson(*py).object();
        const QJsonArray results = expected[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), ops.size());

        FakeClock clock;
        SimpleCache cache(5, 3);
        cache.setClock(clock.clock());
        for (qsizetype i = 0; i < ops.size(); ++i) {
            const QJsonObject op = ops[i].toObject();
            clock.set(qint64(op[QStringLiteral("ms")].toDouble()));
            const QByteArray key = op[QStringLiteral("key")].toString().toUtf8();
            const qint64 v = op[QStringLiteral("value")].toInt();
            const Timeout t = op[QStringLiteral("timeout")].isNull() ? Timeout{} : Timeout{op[QStringLiteral("timeout")].toInt()};
            const QString name = op[QStringLiteral("op")].toString();
            QJsonValue mine;
            if (name == QLatin1String("set"))
                mine = *cache.set(key, PyValue::integer(v), t);
            else if (name == QLatin1String("add"))
                mine = *cache.add(key, PyValue::integer(v), t);
            else if (name == QLatin1String("get")) {
                auto got = *cache.get(key);
                mine = got ? QJsonValue(got->toInt()) : QJsonValue();
            } else if (name == QLatin1String("has"))
                mine = *cache.has(key);
            else if (name == QLatin1String("delete"))
                mine = *cache.remove(key);
            else {
                auto r = cache.inc(key, v);
                QVERIFY2(r, qPrintable(errorOf(r)));
                mine = r->has_value() ? QJsonValue(r->value()) : QJsonValue();
            }
            QVERIFY2(mine == results[i], qPrintable(QStringLiteral("op %1 (%2 %3): python %4, ours %5")
                                                          .arg(i).arg(name, QString::fromUtf8(key))
                                                          .arg(QString::fromUtf8(QJsonDocument(QJsonArray{results[i]}).toJson(QJsonDocument::Compact)),
                                                               QString::fromUtf8(QJsonDocument(QJsonArray{mine}).toJson(QJsonDocument::Compact)))));
        }
        QStringList pyKeys;
        for (const auto &k : expected[QStringLiteral("keys")].toArray())
            pyKeys.append(k.toString());
        QStringList ourKeys;
        for (const auto &k : scanAll(cache))
            ourKeys.append(QString::fromUtf8(k));
        QCOMPARE(ourKeys, pyKeys);
    }

    void concurrentWritersAndReaders()
    {
        SimpleCache cache(100'000);
        std::atomic<int> failures{0};
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&cache, &failures, t] {
                for (int i = 0; i < 2000; ++i) {
                    const QByteArray key = "t" + QByteArray::number(t) + ":" + QByteArray::number(i % 50);
                    if (!cache.set(key, PyValue::integer(i)))
                        ++failures;
                    if (!cache.get(key))
                        ++failures;
                    if (!cache.inc("shared"))
                        ++failures;
                    if (i % 100 == 0 && !cache.scan("0", "t*", 20))
                        ++failures;
                }
            }));
        }
        for (auto *th : threads)
            th->start();
        for (auto *th : threads) {
            th->wait();
            delete th;
        }
        QCOMPARE(failures.load(), 0);
        QCOMPARE(cache.get("shared")->value(), PyValue::integer(8000)); // inc is atomic
        QCOMPARE(cache.entryCount(), 4 * 50 + 1);
        const auto s = cache.counters().snapshot();
        QCOMPARE(s.hits, 8001u); // 8000 per-thread gets + the final get("shared")
        QCOMPARE(s.misses, 0u);
        QCOMPARE(s.sets, 16000u); // 8000 sets + 8000 incs
        QCOMPARE(s.operations, 24001u); // set, get and inc per step; scans are not traffic
        QCOMPARE(s.errors, 0u);
    }

    // A single get is counted by its hit or miss alone and stands for one operation; get_many
    // is one operation with a hit or miss per key; has/set/delete are operations without either.
    void countersCountEachCallOnce()
    {
        SimpleCache cache;
        cache.set("a", PyValue::integer(1));
        cache.get("a");
        cache.get("nope");
        cache.getMany({"a", "nope", "a"});
        cache.has("a");
        cache.remove("a");
        cache.get("a");
        auto s = cache.counters().snapshot();
        QCOMPARE(s.hits, 3u);
        QCOMPARE(s.misses, 3u);
        QCOMPARE(s.sets, 1u);
        QCOMPARE(s.deletes, 1u);
        QCOMPARE(s.operations, 7u);
        QCOMPARE(s.errors, 0u);
        for (int i = 0; i < 64; ++i)
            cache.get("a");
        s = cache.counters().snapshot();
        QCOMPARE(s.operations, 71u);
        QCOMPARE(s.misses, 67u);
        QVERIFY(s.timedOperations >= 4 && s.timedOperations <= 5); // one call in 16 per thread
    }

    void realClockExpiry()
    {
        SimpleCache cache;
        cache.set("short", PyValue::integer(1), 1);
        cache.set("long", PyValue::integer(1), 3600);
        QCOMPARE(*cache.has("long"), true);
        // int(time()) + 1 is reached within at most a second.
        QTRY_VERIFY_WITH_TIMEOUT(!*cache.has("short"), 5000);
        QCOMPARE(*cache.has("long"), true);
    }
};

QTEST_GUILESS_MAIN(TestSimpleCache)
#include "tst_simplecache.moc"
