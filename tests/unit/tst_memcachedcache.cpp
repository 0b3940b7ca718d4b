// MemcachedCache's own rules (no Python needed for these; tst_memcachedinterop proves the bytes):
// cachelib's key test, timeout normalisation, the variant a config spelling builds, reads and
// writes against a real memcached, and the safe-by-default refusals.
#include "cache/memcachedcache.h"
#include "checkok.h"
#include "memcachedserver.h"
#include "redisserver.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTest>

using namespace cachescope;

class TestMemcachedCache : public QObject
{
    Q_OBJECT
    test::MemcachedServer m_server;

    MemcachedCache::Options options(MemcachedCache::Variant variant = MemcachedCache::Variant::FlaskCaching) const
    {
        MemcachedCache::Options o;
        o.client.servers = {m_server.endpoint()};
        o.variant = variant;
        return o;
    }

private slots:
    void initTestCase()
    {
        const QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void keyRules_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("problem"); // empty: fine
        QTest::addColumn<bool>("byCachelib");
        QTest::addRow("plain") << QByteArray("superset_abc") << QString() << false;
        QTest::addRow("utf-8") << QByteArray("k\xc3\xbc\xe2\x98\x83") << QString() << false;
        QTest::addRow("250 bytes") << QByteArray(250, 'k') << QString() << false;
        QTest::addRow("empty") << QByteArray() << QStringLiteral("empty") << true;
        QTest::addRow("space") << QByteArray("a b") << QStringLiteral("space") << true;
        QTest::addRow("newline") << QByteArray("a\n") << QStringLiteral("U+000a") << true;
        QTest::addRow("bang") << QByteArray("a!") << QStringLiteral("U+0021") << true;
        QTest::addRow("y diaeresis") << QByteArray("\xc3\xbf") << QStringLiteral("U+00FF") << true;
        QTest::addRow("251 chars") << QByteArray(251, 'k') << QStringLiteral("251 characters") << true;
        QTest::addRow("402 bytes") << QByteArray(QByteArray("\xc3\xa9").repeated(201)) << QStringLiteral("402 bytes") << false;
        QTest::addRow("not utf-8") << QByteArray("\xff") << QStringLiteral("not valid UTF-8") << false;
    }
    void keyRules()
    {
        QFETCH(QByteArray, key);
        QFETCH(QString, problem);
        QFETCH(bool, byCachelib);
        bool refused = false;
        const QString got = MemcachedCache::keyProblem(key, &refused);
        if (problem.isEmpty()) {
            QVERIFY2(got.isEmpty(), qPrintable(got));
            return;
        }
        QVERIFY2(got.contains(problem), qPrintable(got));
        QCOMPARE(refused, byCachelib);
    }

    void variantsFromSpellings_data()
    {
        QTest::addColumn<QString>("spelling");
        QTest::addColumn<int>("purpose");
        QTest::addColumn<int>("variant");
        QTest::addColumn<QString>("name");
        using V = MemcachedCache::Variant;
        QTest::addRow("MemcachedCache") << "MemcachedCache" << int(CachePurpose::Data) << int(V::FlaskCaching) << "MemcachedCache";
        QTest::addRow("memcached") << "memcached" << int(CachePurpose::Data) << int(V::FlaskCaching) << "MemcachedCache";
        QTest::addRow("gaememcached") << "gaememcached" << int(CachePurpose::Data) << int(V::FlaskCaching) << "MemcachedCache";
        QTest::addRow("saslmemcached") << "saslmemcached" << int(CachePurpose::Cache) << int(V::FlaskCachingSasl)
                                       << "SASLMemcachedCache";
        QTest::addRow("dotted spread") << "flask_caching.backends.memcache.SpreadSASLMemcachedCache" << int(CachePurpose::Cache)
                                       << int(V::FlaskCachingSpread) << "SpreadSASLMemcachedCache";
        QTest::addRow("cachelib object") << "cachelib.memcached.MemcachedCache" << int(CachePurpose::Results)
                                         << int(V::Cachelib) << "MemcachedCache";
        QTest::addRow("flask object as results") << "flask_caching.backends.memcache.MemcachedCache"
                                                 << int(CachePurpose::Results) << int(V::FlaskCaching) << "MemcachedCache";
    }
    void variantsFromSpellings()
    {
        QFETCH(QString, spelling);
        QFETCH(int, purpose);
        QFETCH(int, variant);
        QFETCH(QString, name);
        CacheSpec spec;
        spec.purpose = CachePurpose(purpose);
        spec.backend = backendTypeFromName(spelling);
        QCOMPARE(spec.backend, BackendType::Memcached);
        spec.backendSpelling = spelling;
        spec.username = QStringLiteral("u");
        spec.password = QStringLiteral("p");
        auto o = MemcachedCache::optionsFromSpec(spec);
        CHECK_OK(o);
        QCOMPARE(int(o->variant), variant);
        QCOMPARE(MemcachedCache::variantName(o->variant), name);
        // cachelib's default server when none is given; credentials only for the SASL variants.
        QCOMPARE(o->client.servers.size(), 1);
        QCOMPARE(o->client.servers.front().name(), QStringLiteral("127.0.0.1:11211"));
        QCOMPARE(o->client.credentials.isSet(), name.contains(QStringLiteral("SASL")));
    }

    void behaviorsThatMoveKeysAreRefusedForSeveralServers()
    {
        CacheSpec spec;
        spec.purpose = CachePurpose::Cache;
        spec.backend = BackendType::Memcached;
        spec.backendSpelling = QStringLiteral("SASLMemcachedCache");
        spec.memcachedBehaviors = {QStringLiteral("tcp_nodelay=True"), QStringLiteral("hash='fnv1a_32'")};
        spec.memcachedServers = {{QStringLiteral("a:1"), 1}};
        CHECK_OK(MemcachedCache::optionsFromSpec(spec)); // one server: every key is on it anyway
        spec.memcachedServers.append({QStringLiteral("b:2"), 1});
        auto refused = MemcachedCache::optionsFromSpec(spec);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("hash='fnv1a_32'")), qPrintable(refused.error()));
        spec.memcachedBehaviors = {QStringLiteral("tcp_nodelay=True"), QStringLiteral("hash='default'"),
                                   QStringLiteral("ketama=False")};
        CHECK_OK(MemcachedCache::optionsFromSpec(spec));
    }

    void timeouts()
    {
        QCOMPARE(MemcachedCache::exptimeFor(300, 1700000000), 1700000300);
        QCOMPARE(MemcachedCache::exptimeFor(0, 1700000000), 0);
        QCOMPARE(MemcachedCache::exptimeFor(-1, 1700000000), -1); // cachelib passes negatives through
        MemcachedCache cache(options(), "t_", 120);
        CHECK_OK(cache.set("default", PyValue::integer(1)));
        CHECK_OK(cache.set("never", PyValue::integer(1), 0));
        CHECK_OK(cache.set("expired", PyValue::integer(1), -1));
        auto d = cache.ttl("default");
        CHECK_OK(d);
        QCOMPARE(d->state, EntryTtl::State::Expires);
        QVERIFY2(d->seconds >= 115 && d->seconds <= 121, qPrintable(QString::number(d->seconds)));
        auto n = cache.ttl("never");
        CHECK_OK(n);
        QCOMPARE(n->state, EntryTtl::State::Never);
        auto gone = cache.get("expired");
        CHECK_OK(gone);
        QVERIFY(!gone->has_value());
        auto missing = cache.ttl("missing");
        CHECK_OK(missing);
        QCOMPARE(missing->state, EntryTtl::State::Missing);
    }

    void readsWritesAndCounts()
    {
        MemcachedCache cache(options(), "rw_");
        CHECK_OK(cache.set("a", PyValue::str(QByteArray("alpha"))));
        auto got = cache.get("a");
        CHECK_OK(got);
        QCOMPARE(got->value_or(PyValue()), PyValue::str(QByteArray("alpha")));
        auto none = cache.get("b");
        CHECK_OK(none);
        QVERIFY(!none->has_value());
        const CacheCountersSnapshot counts = cache.counters().snapshot();
        QCOMPARE(counts.hits, 1u);
        QCOMPARE(counts.misses, 1u);
        QVERIFY(counts.bytesIn >= 5);
        auto raw = cache.rawGet("a");
        CHECK_OK(raw);
        QCOMPARE(raw->value_or(QByteArray()), QByteArray("VALUE rw_a 16 5\r\nalpha\r\n"));
        auto size = cache.entrySize("a");
        CHECK_OK(size);
        QCOMPARE(size->value_or(-1), 5);
        auto many = cache.getMany({"a", "b", "a b"});
        CHECK_OK(many);
        QCOMPARE(many->size(), 3);
        QVERIFY((*many)[0] && !(*many)[1] && !(*many)[2]);
        auto page = cache.scan("0", "a*");
        CHECK_OK(page);
        // metadump lists what memcached's LRU crawler has reached: an item set a moment ago can be
        // missing from one pass (seen on a loaded machine), so list again for a bounded while.
        QList<QByteArray> keys;
        QElapsedTimer listing;
        listing.start();
        do {
            keys.clear();
            QByteArray cursor = "0";
            do {
                auto p = cache.scan(cursor, "*");
                CHECK_OK(p);
                keys += p->keys;
                cursor = p->nextCursor;
            } while (cursor != "0");
        } while (!keys.contains("a") && listing.elapsed() < 5000 && (QThread::msleep(100), true));
        QVERIFY2(keys.contains("a"), "scan strips the prefix");
        QVERIFY(!keys.contains("rw_a"));
    }

    void readOnlyRefusesAndTouchesNothing()
    {
        MemcachedCache writer(options(), "ro_");
        CHECK_OK(writer.set("k", PyValue::integer(1)));
        MemcachedCache cache(options(), "ro_");
        cache.setWritable(false);
        for (auto result : {cache.set("k", PyValue::integer(2)), cache.add("n", PyValue::integer(2)), cache.remove("k"),
                            cache.clear()}) {
            QVERIFY(!result);
            QVERIFY2(result.error().contains(QStringLiteral("read-only")), qPrintable(result.error()));
        }
        QVERIFY(!cache.inc("k"));
        auto has = cache.has("k"); // a read, not cachelib's append
        CHECK_OK(has);
        QVERIFY(*has);
        auto still = writer.get("k");
        CHECK_OK(still);
        QCOMPARE(still->value_or(PyValue()), PyValue::integer(1));
    }

    void spreadRefusesWhatFlaskCachingRefuses()
    {
        MemcachedCache cache(options(MemcachedCache::Variant::FlaskCachingSpread), "sp_");
        // 33 chunks of 1048448 bytes do not fit in Flask-Caching's 32 keys.
        auto tooBig = cache.set("big", PyValue::bytes(QByteArray(33 * MemcachedCache::kSpreadChunkBytes, 'x')));
        QVERIFY(!tooBig);
        QVERIFY2(tooBig.error().contains(QStringLiteral("Cannot store value in less than 32 keys")),
                 qPrintable(tooBig.error()));
        CHECK_OK(cache.set("small", PyValue::list({PyValue::integer(1)})));
        auto raw = cache.rawGet("small");
        CHECK_OK(raw);
        QVERIFY2(raw->value_or(QByteArray()).startsWith("VALUE sp_small 0 "), raw->value_or(QByteArray()).constData());
        auto has = cache.has("small");
        CHECK_OK(has);
        QVERIFY(*has);
        auto deleted = cache.remove("small");
        CHECK_OK(deleted);
        QVERIFY(*deleted);
        auto gone = cache.get("small");
        CHECK_OK(gone);
        QVERIFY(!gone->has_value());
    }

    void unreachableServerIsNamed()
    {
        MemcachedCache::Options o;
        MemcachedEndpoint nowhere;
        nowhere.port = test::freeLoopbackPort();
        o.client.servers = {nowhere};
        MemcachedCache cache(o, "x_");
        auto got = cache.get("k");
        QVERIFY(!got);
        QVERIFY2(got.error().contains(QStringLiteral("get(\"k\")")), qPrintable(got.error()));
        QVERIFY2(got.error().contains(nowhere.name()), qPrintable(got.error()));
        QCOMPARE(cache.counters().snapshot().errors, 1u);
    }
};

QTEST_GUILESS_MAIN(TestMemcachedCache)
#include "tst_memcachedcache.moc"
