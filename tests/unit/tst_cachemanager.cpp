#include "cache/cachemanager.h"
#include "python.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

class tst_CacheManager : public QObject
{
    Q_OBJECT

private:
    static CacheSpec simple(CachePurpose purpose, int threshold = 500, qint64 timeout = 300)
    {
        CacheSpec spec;
        spec.purpose = purpose;
        spec.backend = BackendType::Simple;
        spec.threshold = threshold;
        spec.defaultTimeout = timeout;
        return spec;
    }

private Q_SLOTS:
    void shouldBuildOneCachePerPurposeInOrder()
    {
        // Given specs for three purposes with three backends
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        CacheSpec results;
        results.purpose = CachePurpose::Results;
        results.backend = BackendType::FileSystem;
        results.directory = dir.filePath(QStringLiteral("sqllab"));
        results.defaultTimeout = 86400;
        CacheSpec null;
        null.purpose = CachePurpose::Cache;
        null.backend = BackendType::Null;

        // When the manager builds them
        auto manager = CacheManager::create({simple(CachePurpose::Data, 10, 600), results, null});
        QVERIFY2(manager, qPrintable(manager ? QString() : manager.error()));

        // Then each purpose has its cache, in the given order, with the spec's settings
        const QList<CachePurpose> expected{CachePurpose::Data, CachePurpose::Results, CachePurpose::Cache};
        QCOMPARE((*manager)->purposes(), expected);
        QCOMPARE((*manager)->cache(CachePurpose::Data)->backendName(), QStringLiteral("SimpleCache"));
        QCOMPARE((*manager)->cache(CachePurpose::Data)->defaultTimeout(), 600);
        QCOMPARE((*manager)->cache(CachePurpose::Results)->backendName(), QStringLiteral("FileSystemCache"));
        QCOMPARE((*manager)->cache(CachePurpose::Results)->defaultTimeout(), 86400);
        QCOMPARE((*manager)->cache(CachePurpose::Cache)->backendName(), QStringLiteral("NullCache"));
        QVERIFY(!(*manager)->cache(CachePurpose::Thumbnail));
        QVERIFY(!(*manager)->spec(CachePurpose::Thumbnail));
        QVERIFY(!(*manager)->contains(CachePurpose::Thumbnail));
        QCOMPARE((*manager)->spec(CachePurpose::Data)->threshold, 10);
    }

    void shouldKeepValuesPerPurposeApart()
    {
        auto manager = CacheManager::create({simple(CachePurpose::Data), simple(CachePurpose::FilterState)});
        QVERIFY(manager);
        auto data = (*manager)->cache(CachePurpose::Data);
        auto filters = (*manager)->cache(CachePurpose::FilterState);
        QVERIFY(data->set("k", PyValue::integer(1)));
        auto fromFilters = filters->get("k");
        QVERIFY(fromFilters);
        QVERIFY(!fromFilters->has_value());
        auto fromData = data->get("k");
        QVERIFY(fromData && fromData->has_value());
        QCOMPARE((*fromData)->toInt(), 1);
        QCOMPARE(data->counters().snapshot().hits, 1u);
        QCOMPARE(filters->counters().snapshot().misses, 1u);
    }

    void shouldApplyTheFileWideDefaultTimeout()
    {
        auto specs = CacheManager::specsFromJson(
            R"({"CACHE_DEFAULT_TIMEOUT": 42, "caches": {"CACHE_CONFIG": {"CACHE_TYPE": "simple"},
                "DATA_CACHE_CONFIG": {"CACHE_TYPE": "flask_caching.backends.SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0}}})");
        QVERIFY2(specs, qPrintable(specs ? QString() : specs.error()));
        QCOMPARE(specs->size(), 2);
        for (const CacheSpec &s : *specs) {
            QCOMPARE(s.backend, BackendType::Simple);
            QCOMPARE(s.defaultTimeout, s.purpose == CachePurpose::Cache ? 42 : 0);
        }
    }

    void shouldRejectBadSpecFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QString>("reason");
        QTest::addRow("not json") << QByteArray("{") << "cache spec" << "offset";
        QTest::addRow("not an object") << QByteArray("[]") << "cache spec" << "object";
        QTest::addRow("no caches") << QByteArray("{}") << "caches" << "object";
        QTest::addRow("unknown purpose") << QByteArray(R"({"caches": {"FOO_CONFIG": {}}})") << "FOO_CONFIG" << "unknown";
        QTest::addRow("unknown backend")
            << QByteArray(R"({"caches": {"CACHE_CONFIG": {"CACHE_TYPE": "TapeCache"}}})") << "CACHE_TYPE" << "TapeCache";
        QTest::addRow("timeout not a number")
            << QByteArray(R"({"caches": {"CACHE_CONFIG": {"CACHE_TYPE": "simple", "CACHE_DEFAULT_TIMEOUT": "5"}}})")
            << "CACHE_CONFIG.CACHE_DEFAULT_TIMEOUT" << "integer";
        QTest::addRow("negative timeout")
            << QByteArray(R"({"caches": {"CACHE_CONFIG": {"CACHE_TYPE": "simple", "CACHE_DEFAULT_TIMEOUT": -1}}})")
            << "CACHE_DEFAULT_TIMEOUT" << "negative";
        QTest::addRow("prefix not a string")
            << QByteArray(R"({"caches": {"CACHE_CONFIG": {"CACHE_TYPE": "simple", "CACHE_KEY_PREFIX": 3}}})")
            << "CACHE_KEY_PREFIX" << "string";
        QTest::addRow("unknown variable")
            << QByteArray(R"({"caches": {"RESULTS_BACKEND": {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": "${NOPE}/x"}}})")
            << "RESULTS_BACKEND.CACHE_DIR" << "${NOPE}";
    }

    void shouldRejectBadSpecFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, subject);
        QFETCH(QString, reason);
        auto specs = CacheManager::specsFromJson(json);
        QVERIFY(!specs);
        QVERIFY2(specs.error().contains(subject), qPrintable(specs.error()));
        QVERIFY2(specs.error().contains(reason), qPrintable(specs.error()));
    }

    void shouldRefuseSpecsItCannotBuild()
    {
        CacheSpec noDir;
        noDir.purpose = CachePurpose::Results;
        noDir.backend = BackendType::FileSystem;
        auto manager = CacheManager::create({simple(CachePurpose::Data), noDir});
        QVERIFY(!manager);
        QVERIFY2(manager.error().contains(QStringLiteral("RESULTS_BACKEND")), qPrintable(manager.error()));
        QVERIFY2(manager.error().contains(QStringLiteral("CACHE_DIR")), qPrintable(manager.error()));

        CacheSpec uwsgi;
        uwsgi.purpose = CachePurpose::Cache;
        uwsgi.backend = BackendType::Unknown;
        uwsgi.backendSpelling = QStringLiteral("UWSGICache");
        auto built = CacheManager::buildCache(uwsgi);
        QVERIFY(!built);
        QVERIFY2(built.error().contains(QStringLiteral("UWSGICache")), qPrintable(built.error()));
        QVERIFY2(built.error().contains(QStringLiteral("not supported")), qPrintable(built.error()));

        // Memcached builds without touching a server (connections open on first use); a server
        // address no client accepts is refused naming the purpose.
        CacheSpec memcached;
        memcached.purpose = CachePurpose::Cache;
        memcached.backend = BackendType::Memcached;
        memcached.backendSpelling = QStringLiteral("MemcachedCache");
        memcached.memcachedServers = {{QStringLiteral("127.0.0.1:1"), 1}};
        auto lazy = CacheManager::buildCache(memcached, CacheManager::Access::ReadOnly);
        QVERIFY2(lazy.hasValue(), qPrintable(lazy.error()));
        QCOMPARE((*lazy)->location(), QStringLiteral("memcached://127.0.0.1:1"));
        QVERIFY(!(*lazy)->isWritable());
        memcached.memcachedServers = {{QStringLiteral("udp:127.0.0.1:1"), 1}};
        auto udp = CacheManager::buildCache(memcached);
        QVERIFY(!udp);
        QVERIFY2(udp.error().startsWith(QStringLiteral("CACHE_CONFIG: ")), qPrintable(udp.error()));
    }

    void shouldBuildRedisOrSayItIsMissing()
    {
        CacheSpec redis;
        redis.purpose = CachePurpose::Data;
        redis.backend = BackendType::Redis;
        redis.redisUrl = QStringLiteral("redis://127.0.0.1:1/0");
        redis.keyPrefix = "superset_data_";
        auto built = CacheManager::buildCache(redis);
#if __has_include("cache/rediscache.h")
        // Building connects lazily or fails with a message naming the purpose; either way no crash.
        if (built)
            QCOMPARE((*built)->backendName(), QStringLiteral("RedisCache"));
        else
            QVERIFY2(built.error().contains(QStringLiteral("DATA_CACHE_CONFIG")), qPrintable(built.error()));
#else
        QVERIFY(!built);
        QVERIFY2(built.error().contains(QStringLiteral("DATA_CACHE_CONFIG")), qPrintable(built.error()));
        QVERIFY2(built.error().contains(QStringLiteral("not available")), qPrintable(built.error()));
#endif
    }

    void shouldCountEntriesByScanning()
    {
        auto manager = CacheManager::create({simple(CachePurpose::Data, 10000)});
        QVERIFY(manager);
        auto cache = (*manager)->cache(CachePurpose::Data);
        for (int i = 0; i < 2500; ++i) // more than one scan page
            QVERIFY(cache->set("key" + QByteArray::number(i), PyValue::integer(i)));
        auto all = (*manager)->countEntries(CachePurpose::Data);
        QVERIFY2(all, qPrintable(all ? QString() : all.error()));
        QCOMPARE(*all, 2500);
        auto capped = (*manager)->countEntries(CachePurpose::Data, 1000);
        QVERIFY(capped);
        QCOMPARE(*capped, 1000);
        // Inspection is not application traffic
        QCOMPARE(cache->counters().snapshot().hits + cache->counters().snapshot().misses, 0u);

        const std::atomic_bool stop{true};
        auto stopped = (*manager)->countEntries(CachePurpose::Data, 1'000'000, &stop);
        QVERIFY(!stopped);
        QVERIFY2(stopped.error().contains(QStringLiteral("cancelled")), qPrintable(stopped.error()));

        auto missing = (*manager)->countEntries(CachePurpose::Thumbnail);
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(QStringLiteral("THUMBNAIL_CACHE_CONFIG")), qPrintable(missing.error()));
    }

    void shouldReplaceACacheInPlace()
    {
        // Given a manager whose Data cache has traffic
        auto manager = CacheManager::create({simple(CachePurpose::Cache), simple(CachePurpose::Data, 500)});
        QVERIFY(manager);
        std::shared_ptr<Cache> old = (*manager)->cache(CachePurpose::Data);
        QVERIFY(old->set("a", PyValue::integer(1)));

        // When the Data cache is rebuilt with a new threshold
        QVERIFY((*manager)->setCache(simple(CachePurpose::Data, 7)));

        // Then it is a fresh cache at the same place in the order, and the old one stays valid for its holder
        const QList<CachePurpose> expected{CachePurpose::Cache, CachePurpose::Data};
        QCOMPARE((*manager)->purposes(), expected);
        QCOMPARE((*manager)->spec(CachePurpose::Data)->threshold, 7);
        QVERIFY((*manager)->cache(CachePurpose::Data) != old);
        QCOMPARE((*manager)->cache(CachePurpose::Data)->counters().snapshot().sets, 0u);
        QCOMPARE(old->counters().snapshot().sets, 1u);
    }

    void shouldSerialiseUseOfOneCache()
    {
        auto manager = CacheManager::create({simple(CachePurpose::Data), simple(CachePurpose::Cache)});
        QVERIFY(manager);
        auto data = (*manager)->lockForUse(CachePurpose::Data);
        QVERIFY(data.owns_lock());
        // Another purpose is independent; an unknown one gives an empty lock, never a wait
        auto other = (*manager)->lockForUse(CachePurpose::Cache);
        QVERIFY(other.owns_lock());
        QVERIFY(!(*manager)->lockForUse(CachePurpose::Thumbnail).owns_lock());
    }
};

QTEST_GUILESS_MAIN(tst_CacheManager)
#include "tst_cachemanager.moc"
