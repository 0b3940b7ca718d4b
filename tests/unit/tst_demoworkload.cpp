#include "cache/cachemanager.h"
#include "configcommand.h"
#include "demo/demoenvironment.h"
#include "demo/demosettings.h"
#include "demo/demoworkload.h"
#include "demo/zipfsampler.h"
#include "demofiles.h"
#include "python.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace cachescope;

namespace {

// The shipped demo with some "demo" knobs replaced (JSON text of the overrides).
Expected<std::unique_ptr<DemoEnvironment>> shippedDemo(const QByteArray &demoOverrides = {})
{
    return DemoEnvironment::create(test::demoConfigJson(QJsonDocument::fromJson(demoOverrides).object()), test::demoSupersetConfig());
}

CacheCountersSnapshot countersOf(CacheManager &manager, CachePurpose purpose)
{
    auto cache = manager.cache(purpose);
    return cache ? cache->counters().snapshot() : CacheCountersSnapshot{};
}

} // namespace

class tst_DemoWorkload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldSkewPopularityTowardsLowRanks()
    {
        // Given a Zipf sampler with skew 1.2 over 100 charts
        const ZipfSampler zipf(100, 1.2);
        double total = 0;
        for (int k = 0; k < 100; ++k)
            total += zipf.probability(k);
        QVERIFY(qAbs(total - 1.0) < 1e-9);
        QVERIFY(zipf.probability(0) > zipf.probability(1));
        QVERIFY(zipf.probability(1) > zipf.probability(10));
        QCOMPARE(zipf.probability(100), 0.0);

        // When drawn often, the draws follow it: rank 0 is the most frequent, all draws in range
        std::mt19937 rng(7);
        QList<int> histogram(100, 0);
        for (int i = 0; i < 20000; ++i) {
            const int r = zipf.sample(rng);
            QVERIFY(r >= 0 && r < 100);
            ++histogram[r];
        }
        QVERIFY(histogram[0] > histogram[1]);
        QVERIFY(histogram[1] > histogram[50]);
        // 1/H(100, 1.2) is about 0.24; the sample is well within a few points of it
        QVERIFY2(qAbs(histogram[0] / 20000.0 - zipf.probability(0)) < 0.03, qPrintable(QString::number(histogram[0])));
    }

    void shouldBeUniformWithoutSkew()
    {
        const ZipfSampler zipf(4, 0.0);
        for (int k = 0; k < 4; ++k)
            QVERIFY(qAbs(zipf.probability(k) - 0.25) < 1e-12);
        const ZipfSampler one(0, 1.0); // degenerate sizes still sample something valid
        std::mt19937 rng(1);
        QCOMPARE(one.sample(rng), 0);
    }

    void shouldReadSettingsFromJson()
    {
        auto s = DemoSettings::fromJson(QJsonDocument::fromJson(
            R"({"users": 3, "skew": 0.5, "chart_timeout": 0, "threshold": 50, "charts": 10, "request_interval_ms": 5})").object());
        QVERIFY2(s, qPrintable(s ? QString() : s.error()));
        QCOMPARE(s->users, 3);
        QCOMPARE(s->skew, 0.5);
        QCOMPARE(s->chartTimeout, 0);
        QCOMPARE(s->threshold, 50);
        QCOMPARE(s->charts, 10);
        QCOMPARE(s->requestIntervalMs, 5);
        QCOMPARE(s->dashboards, DemoSettings{}.dashboards);

        auto bad = DemoSettings::fromJson(QJsonDocument::fromJson(R"({"users": -1})").object());
        QVERIFY(!bad);
        QVERIFY2(bad.error().contains(QStringLiteral("demo.users")), qPrintable(bad.error()));
        auto wrongType = DemoSettings::fromJson(QJsonDocument::fromJson(R"({"skew": "high"})").object());
        QVERIFY(!wrongType);
        QVERIFY2(wrongType.error().contains(QStringLiteral("demo.skew")), qPrintable(wrongType.error()));
    }

    void shouldBuildAChartPayloadLikeSuperset()
    {
        const PyValue payload = DemoWorkload::chartPayload(5, 1, "abc123", 600);
        QCOMPARE(payload.kind(), PyValue::Kind::Dict);
        QVERIFY(payload.get("status"));
        QCOMPARE(payload.get("status")->toQString(), QStringLiteral("success"));
        QCOMPARE(payload.get("cache_key")->bytesData(), QByteArray("abc123"));
        QCOMPARE(payload.get("cache_timeout")->toInt(), 600);
        QVERIFY(payload.get("error")->isNone());
        const PyValue *data = payload.get("data");
        QVERIFY(data && data->kind() == PyValue::Kind::List);
        QCOMPARE(qint64(data->items().size()), payload.get("rowcount")->toInt());
        QVERIFY(!data->items().empty());
        QVERIFY(data->items().front().get("SUM(num)"));
    }

    void shouldDriveEveryDemoCacheAndStopCleanly()
    {
        // Given the demo with many fast users
        auto env = shippedDemo(R"({"users": 50, "request_interval_ms": 20})");
        QVERIFY2(env, qPrintable(env ? QString() : env.error()));
        CacheManager &manager = (*env)->manager();
        DemoWorkload &workload = (*env)->workload();
        QSignalSpy failures(&workload, &DemoWorkload::workloadFailed);
        QVERIFY(!workload.isRunning());

        // When it runs
        workload.start();
        QVERIFY(workload.isRunning());

        // Then charts miss, compute and set, and later hit; the other purposes see traffic too
        QTRY_VERIFY_WITH_TIMEOUT(countersOf(manager, CachePurpose::Data).hits > 0, 20000);
        const CacheCountersSnapshot data = countersOf(manager, CachePurpose::Data);
        QVERIFY(data.misses > 0);
        QVERIFY(data.sets > 0);
        QVERIFY(workload.chartsComputed() > 0);
        QVERIFY(workload.requestsServed() >= data.hits + data.misses);
        for (CachePurpose p : {CachePurpose::ExploreFormData, CachePurpose::FilterState, CachePurpose::Thumbnail,
                               CachePurpose::Results, CachePurpose::Cache})
            QTRY_VERIFY2_WITH_TIMEOUT(countersOf(manager, p).sets > 0, qPrintable(purposeConfigName(p)), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(countersOf(manager, CachePurpose::Results).hits > 0, 20000);

        // And stopping ends all traffic
        workload.stop();
        QVERIFY(!workload.isRunning());
        const quint64 servedAtStop = workload.requestsServed();
        const CacheCountersSnapshot atStop = countersOf(manager, CachePurpose::Data);
        QTest::qWait(100);
        QCOMPARE(workload.requestsServed(), servedAtStop);
        QCOMPARE(countersOf(manager, CachePurpose::Data).hits, atStop.hits);
        QCOMPARE(countersOf(manager, CachePurpose::Data).errors, 0u);
        QCOMPARE(failures.count(), 0);

        // And it can start again
        workload.start();
        QTRY_VERIFY_WITH_TIMEOUT(workload.requestsServed() > servedAtStop, 20000);
        workload.stop();
    }

    void shouldFollowKnobsWhileRunning()
    {
        auto env = shippedDemo(R"({"users": 40, "request_interval_ms": 20})");
        QVERIFY(env);
        CacheManager &manager = (*env)->manager();
        DemoWorkload &workload = (*env)->workload();
        const auto original = manager.cache(CachePurpose::Data);
        workload.start();

        // The threshold knob starts at the config's Data threshold, and the cache is not rebuilt for it
        QCOMPARE(workload.settings().threshold, manager.spec(CachePurpose::Data)->threshold);
        QTRY_VERIFY_WITH_TIMEOUT(countersOf(manager, CachePurpose::Data).sets > 0, 20000);
        QCOMPARE(manager.cache(CachePurpose::Data), original);

        // A new threshold rebuilds the Data cache, whose entries then stay within it
        workload.setThreshold(25);
        QTRY_COMPARE_WITH_TIMEOUT(manager.spec(CachePurpose::Data)->threshold, 25, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(countersOf(manager, CachePurpose::Data).sets > 100, 20000);
        auto entries = manager.countEntries(CachePurpose::Data);
        QVERIFY2(entries, qPrintable(entries ? QString() : entries.error()));
        QVERIFY2(*entries <= 26, qPrintable(QString::number(*entries))); // cachelib may hold threshold + 1

        // No users: no requests
        workload.setUsers(0);
        QTest::qWait(300); // let the batch in flight finish (at most one tick of requests)
        const quint64 served = workload.requestsServed();
        QTest::qWait(200);
        QCOMPARE(workload.requestsServed(), served);

        workload.setUsers(10);
        workload.setSkew(2.0);
        workload.setChartTimeout(5);
        QCOMPARE(workload.settings().users, 10);
        QCOMPARE(workload.settings().skew, 2.0);
        QCOMPARE(workload.settings().chartTimeout, 5);
        QTRY_VERIFY_WITH_TIMEOUT(workload.requestsServed() > served, 20000);
        // Destroying the environment while the workload runs stops it first
    }

    void shouldBuildTheDemoCachesFromItsOwnSupersetConfig()
    {
        // Given the shipped demo (its knobs and its superset_config.py)
        auto env = shippedDemo();
        QVERIFY2(env, qPrintable(env ? QString() : env.error()));
        const QString dir = (*env)->directory();

        // Then the config is on disk in the demo's directory, which stands for SUPERSET_HOME
        const QString file = (*env)->configFile();
        QCOMPARE(QFileInfo(file).absolutePath(), QFileInfo(dir).absoluteFilePath());
        QCOMPARE((*env)->configEnvironment().value(QStringLiteral("SUPERSET_HOME")), dir);

        // And every Superset purpose was built from it, with the file's settings
        CacheManager &manager = (*env)->manager();
        for (CachePurpose p : {CachePurpose::Cache, CachePurpose::Data, CachePurpose::FilterState,
                               CachePurpose::ExploreFormData, CachePurpose::Thumbnail, CachePurpose::Results})
            QVERIFY2(manager.contains(p), qPrintable(purposeConfigName(p)));
        const CacheSpec data = *manager.spec(CachePurpose::Data);
        QCOMPARE(data.backend, BackendType::Simple);
        QVERIFY(data.keyPrefix.isEmpty()); // Flask-Caching's SimpleCache takes no CACHE_KEY_PREFIX
        QCOMPARE(data.defaultTimeout, 600);
        QCOMPARE(data.threshold, 400);
        QCOMPARE(manager.spec(CachePurpose::FilterState)->defaultTimeout, 90 * 86400);
        const CacheSpec results = *manager.spec(CachePurpose::Results);
        QCOMPARE(results.backend, BackendType::FileSystem);
        QCOMPARE(results.directory, dir + QStringLiteral("/sqllab"));
        QCOMPARE(results.threshold, 500);
        QCOMPARE(results.defaultTimeout, 86400);
        // The workload's threshold knob starts at the Data cache's threshold from the file
        QCOMPARE((*env)->workload().settings().threshold, 400);

        // And Python itself evaluates the file to the same settings (the config oracle: the real
        // interpreter, with recording stubs for cachelib and friends)
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString envFile = scratch.filePath(QStringLiteral("demo.env"));
        QFile e(envFile);
        QVERIFY(e.open(QIODevice::WriteOnly));
        e.write("SUPERSET_HOME=" + dir.toUtf8() + '\n');
        e.close();
        QFile oracleScript(test::sourcePath(QStringLiteral("tests/fixtures/oracle/configoracle.py")));
        QVERIFY(oracleScript.open(QIODevice::ReadOnly));
        auto python = test::runPython(QString::fromUtf8(oracleScript.readAll()), {file, envFile, QStringLiteral("--all")});
        QVERIFY2(python, qPrintable(python ? QString() : python.error()));
        const QJsonObject reference = QJsonDocument::fromJson(*python).object();
        QVERIFY2(reference.value(QStringLiteral("loaded")).toBool(), python->constData());
        const ConfigCommandOutput shown = runConfigCommand(
            {QStringLiteral("show"), file, QStringLiteral("--json"), QStringLiteral("--all"), QStringLiteral("--no-process-env"),
             QStringLiteral("--env"), QStringLiteral("SUPERSET_HOME=") + dir},
            {});
        QCOMPARE(shown.exitCode, 0);
        const QJsonObject ours = QJsonDocument::fromJson(shown.out).object();
        QCOMPARE(ours.value(QStringLiteral("settings")).toObject(), reference.value(QStringLiteral("settings")).toObject());
        QCOMPARE(ours.value(QStringLiteral("settings")).toObject().value(QStringLiteral("SQLALCHEMY_DATABASE_URI")).toString(),
                 QStringLiteral("sqlite:///") + dir + QStringLiteral("/superset.db"));
    }

    void shouldRefuseABrokenDemoConfig()
    {
        auto env = DemoEnvironment::create(R"({"caches": {"DATA_CACHE_CONFIG": {"CACHE_TYPE": "simple"}}, "demo": {"users": "many"}})");
        QVERIFY(!env);
        QVERIFY2(env.error().contains(QStringLiteral("demo.users")), qPrintable(env.error()));
        auto noCaches = DemoEnvironment::create("{}");
        QVERIFY(!noCaches);
        QVERIFY2(noCaches.error().contains(QStringLiteral("caches")), qPrintable(noCaches.error()));
        // A demo superset_config.py that does not load names the file and why
        auto broken = DemoEnvironment::create(test::demoConfigJson(), "CACHE_CONFIG = {\n");
        QVERIFY(!broken);
        QVERIFY2(broken.error().contains(QStringLiteral("superset_config.py")), qPrintable(broken.error()));
    }

    void shouldSkipPurposesTheManagerLacks()
    {
        // Only a Data cache: the workload still runs and touches nothing else
        auto env = DemoEnvironment::create(
            R"({"caches": {"DATA_CACHE_CONFIG": {"CACHE_TYPE": "simple", "CACHE_THRESHOLD": 1000}},
                "demo": {"users": 20, "request_interval_ms": 10}})");
        QVERIFY2(env, qPrintable(env ? QString() : env.error()));
        (*env)->workload().start();
        QTRY_VERIFY_WITH_TIMEOUT(countersOf((*env)->manager(), CachePurpose::Data).hits > 0, 20000);
        (*env)->workload().stop();
        QCOMPARE(countersOf((*env)->manager(), CachePurpose::Data).errors, 0u);
    }
};

QTEST_GUILESS_MAIN(tst_DemoWorkload)
#include "tst_demoworkload.moc"
