#include "cache/nullcache.h"

#include <QtTest>

using namespace cachescope;

// NullCache must answer exactly as cachelib 0.9.0's BaseCache/NullCache does.
class TestNullCache : public QObject
{
    Q_OBJECT

private slots:
    void identity()
    {
        NullCache cache(42);
        QCOMPARE(cache.backendName(), QStringLiteral("NullCache"));
        QCOMPARE(cache.defaultTimeout(), 42);
        QVERIFY(!cache.location().isEmpty());
    }

    void writesSucceedButNothingIsStored()
    {
        NullCache cache;
        QCOMPARE(*cache.set("k", PyValue::integer(1)), true);
        QCOMPARE(*cache.set("k", PyValue::integer(1), 0), true);
        QCOMPARE(*cache.add("k", PyValue::integer(1)), true); // never "already exists"
        QCOMPARE(*cache.add("k", PyValue::integer(1)), true);
        QVERIFY(!cache.get("k")->has_value());
        QCOMPARE(*cache.has("k"), false);
        QCOMPARE(*cache.remove("k"), true);
        QCOMPARE(*cache.remove("never-set"), true);
        QCOMPARE(*cache.clear(), true);
    }

    void manyKeyCalls()
    {
        NullCache cache;
        const QList<QByteArray> keys{"a", "b", "c"};
        auto values = cache.getMany(keys);
        QVERIFY(values);
        QCOMPARE(values->size(), 3);
        for (const auto &v : *values)
            QVERIFY(!v.has_value());
        auto set = cache.setMany({{"a", PyValue::integer(1)}, {"b", PyValue::none()}});
        QCOMPARE(*set, (QList<QByteArray>{"a", "b"})); // every set() returned True
        QCOMPARE(*cache.removeMany(keys), keys);         // every delete() returned True
    }

    void incAndDecReturnTheDelta()
    {
        // BaseCache.inc: (get(key) or 0) + delta, returned because set() returns True.
        NullCache cache;
        QCOMPARE(cache.inc("n")->value(), 1);
        QCOMPARE(cache.inc("n", 5)->value(), 5);
        QCOMPARE(cache.dec("n", 3)->value(), -3);
    }

    void inspectionSeesNothing()
    {
        NullCache cache;
        cache.set("k", PyValue::str(QByteArray("v")));
        QVERIFY(!cache.rawGet("k")->has_value());
        QVERIFY(cache.ttl("k")->state == EntryTtl::State::Missing);
        QVERIFY(!cache.entrySize("k")->has_value());
        auto page = cache.scan("0");
        QVERIFY(page);
        QCOMPARE(page->nextCursor, QByteArray("0"));
        QVERIFY(page->keys.isEmpty());
    }

    void countersSeeOnlyMisses()
    {
        NullCache cache;
        cache.set("k", PyValue::integer(1));
        cache.get("k");
        cache.get("k");
        const auto s = cache.counters().snapshot();
        QCOMPARE(s.hits, 0u);
        QCOMPARE(s.misses, 2u);
        QCOMPARE(s.sets, 1u);
        QCOMPARE(s.errors, 0u);
    }

    void everyCallCountsALatencySampleIsTimed()
    {
        NullCache cache;
        for (int i = 0; i < 40; ++i)
            cache.get("k");
        const auto s = cache.counters().snapshot();
        QCOMPARE(s.operations, 40u);
        QVERIFY(s.timedOperations >= 2 && s.timedOperations <= 3); // one call in 16 per thread
        QVERIFY(s.meanLatencyUs() >= 0.0);
    }
};

QTEST_GUILESS_MAIN(TestNullCache)
#include "tst_nullcache.moc"
