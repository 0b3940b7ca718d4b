// The chart-data timeout chain of every Superset release family, as data (timeoutrules.cpp) and
// as the resolver walks it: every cited rule is exercised with None, 0, -1 and a positive value at
// every link, and the expected results are written out by hand from the Superset source.
#include "config/configloader.h"
#include "timeouts/timeoutresolver.h"

#include <QTest>

using namespace cachescope;

namespace {

using Opt = std::optional<qint64>;

// "None" or a number, so the data tables read like the rules.
Opt opt(const QString &text)
{
    if (text == u"None")
        return std::nullopt;
    return text.toLongLong();
}

const QStringList kGroupA = {QStringLiteral("1.5"), QStringLiteral("2.0")};
const QStringList kGroupB = {QStringLiteral("2.0.1"), QStringLiteral("2.1")};
const QStringList kGroupC = {QStringLiteral("3.0"), QStringLiteral("3.1"), QStringLiteral("4.0"), QStringLiteral("4.1"),
                             QStringLiteral("5.0")};
const QStringList kGroupD = {QStringLiteral("6.0")};
const QStringList kGroupE = {QStringLiteral("master")};

const FamilyRules &rulesFor(const QString &id)
{
    const auto choice = familyFromVersion(id);
    return familyRules(choice.family);
}

// CACHE_DEFAULT_TIMEOUT = 600 in the file, DATA_CACHE_CONFIG = {RedisCache, CACHE_DEFAULT_TIMEOUT: 120}.
TimeoutConfig redisConfig()
{
    TimeoutConfig c;
    c.cacheDefaultTimeout = 600;
    c.cacheDefaultFromFile = true;
    c.cacheDefaultAt = SourceRef{QStringLiteral("superset_config.py"), 3, 1};
    c.dataCacheDefaultTimeout = 120;
    c.dataCacheAt = SourceRef{QStringLiteral("superset_config.py"), 7, 5};
    c.dataBackend = BackendType::Redis;
    return c;
}

QStringList codes(const TimeoutResolution &r)
{
    QStringList out;
    for (const auto &p : r.pitfalls)
        out << p.code;
    out.sort();
    return out;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

class TestTimeoutResolver : public QObject
{
    Q_OBJECT

private:
    // One expected outcome for every family of a group.
    static void addGroup(const char *name, const QStringList &families, const char *chart, const char *dataset,
                         const char *database, qint64 effective, const QString &source, bool bypass, bool written,
                         const QStringList &pitfalls)
    {
        for (const QString &f : families)
            QTest::addRow("%s @ %s", name, qPrintable(f))
                << f << QString::fromLatin1(chart) << QString::fromLatin1(dataset) << QString::fromLatin1(database) << effective << source << bypass << written << sorted(pitfalls);
    }

private Q_SLOTS:
    void shouldResolveEveryFamilysChain_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("chart");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<QString>("database");
        QTest::addColumn<qint64>("effective");
        QTest::addColumn<QString>("source");
        QTest::addColumn<bool>("bypass");
        QTest::addColumn<bool>("written");
        QTest::addColumn<QStringList>("pitfalls");
        const char *N = "None";
        const QString CDT = QStringLiteral("CACHE_DEFAULT_TIMEOUT");
        const QString DCC = QStringLiteral("DATA_CACHE_CONFIG");
        const QString chart = QStringLiteral("chart"), dataset = QStringLiteral("dataset"), db = QStringLiteral("database");
        const QString ignored = QStringLiteral("data-cache-config-ignored"), zero = QStringLiteral("zero-skips-chain");
        const QString chartIgnored = QStringLiteral("chart-ignored");
        const QString notBypass = QStringLiteral("minus-one-not-bypass"), never = QStringLiteral("minus-one-never-expire");
        const QString skipped = QStringLiteral("minus-one-skipped");

        // Nothing set: 1.5/2.0 go straight to CACHE_DEFAULT_TIMEOUT (no DATA_CACHE_CONFIG step, PR #21441).
        addGroup("all None", kGroupA, N, N, N, 600, CDT, false, true, {ignored});
        addGroup("all None", kGroupB + kGroupC + kGroupD + kGroupE, N, N, N, 120, DCC, false, true, {});
        // A positive chart timeout: ignored before 2.0.1 (issue #21635), used from 2.0.1.
        addGroup("chart 5", kGroupA, "5", "30", "60", 30, dataset, false, true, {chartIgnored});
        addGroup("chart 5", kGroupB + kGroupC + kGroupD + kGroupE, "5", "30", "60", 5, chart, false, true, {});
        // 0 at the chart: falsy to the processor until master, which keeps it (never expires).
        addGroup("chart 0", kGroupA, "0", "30", "60", 30, dataset, false, true, {chartIgnored});
        addGroup("chart 0", kGroupB + kGroupC + kGroupD, "0", "30", "60", 120, DCC, false, true, {zero});
        addGroup("chart 0", kGroupE, "0", "30", "60", 0, chart, false, true, {});
        // 0 at the dataset.
        addGroup("dataset 0", kGroupA, N, "0", "60", 600, CDT, false, true, {zero, ignored});
        addGroup("dataset 0", kGroupB + kGroupC + kGroupD, N, "0", "60", 120, DCC, false, true, {zero});
        addGroup("dataset 0", kGroupE, N, "0", "60", 0, dataset, false, true, {});
        // 0 at the database.
        addGroup("database 0", kGroupA, N, N, "0", 600, CDT, false, true, {zero, ignored});
        addGroup("database 0", kGroupB + kGroupC + kGroupD, N, N, "0", 120, DCC, false, true, {zero});
        addGroup("database 0", kGroupE, N, N, "0", 0, db, false, true, {});
        // A positive database timeout when the chart and dataset have none.
        addGroup("database 60", kGroupA + kGroupB + kGroupC + kGroupD + kGroupE, N, N, "60", 60, db, false, true, {});
        // A 0 dataset below a set chart: only 1.5/2.0 (no chart step) ever see the 0.
        addGroup("chart 5 dataset 0", kGroupA, "5", "0", "60", 600, CDT, false, true, {chartIgnored, zero, ignored});
        addGroup("chart 5 dataset 0", kGroupB + kGroupC + kGroupD + kGroupE, "5", "0", "60", 5, chart, false, true, {});
        // -1 at the chart: no bypass before 3.0 (PR #23439) and Redis keeps it forever; 3.0–5.0 bypass
        // reads but still write a never-expiring entry; 6.0 and master skip the write (PR #34654).
        addGroup("chart -1", kGroupA, "-1", "30", "60", 30, dataset, false, true, {chartIgnored});
        addGroup("chart -1", kGroupB, "-1", "30", "60", -1, chart, false, true, {notBypass, never});
        addGroup("chart -1", kGroupC, "-1", "30", "60", -1, chart, true, true, {never});
        addGroup("chart -1", kGroupD + kGroupE, "-1", "30", "60", -1, chart, true, false, {skipped});
        // -1 at the dataset.
        addGroup("dataset -1", kGroupA + kGroupB, N, "-1", "60", -1, dataset, false, true, {notBypass, never});
        addGroup("dataset -1", kGroupC, N, "-1", "60", -1, dataset, true, true, {never});
        addGroup("dataset -1", kGroupD + kGroupE, N, "-1", "60", -1, dataset, true, false, {skipped});
        // -1 at the database.
        addGroup("database -1", kGroupA + kGroupB, N, N, "-1", -1, db, false, true, {notBypass, never});
        addGroup("database -1", kGroupC, N, N, "-1", -1, db, true, true, {never});
        addGroup("database -1", kGroupD + kGroupE, N, N, "-1", -1, db, true, false, {skipped});
        // -1 at the chart of 1.5/2.0 is never seen, but -1 at the dataset below it is.
        addGroup("chart 7 dataset -1", kGroupA, "7", "-1", "60", -1, dataset, false, true, {chartIgnored, notBypass, never});
    }

    void shouldResolveEveryFamilysChain()
    {
        QFETCH(QString, family);
        QFETCH(QString, chart);
        QFETCH(QString, dataset);
        QFETCH(QString, database);
        QFETCH(qint64, effective);
        QFETCH(QString, source);
        QFETCH(bool, bypass);
        QFETCH(bool, written);
        QFETCH(QStringList, pitfalls);
        TimeoutChain chain;
        chain.chart = opt(chart);
        chain.dataset = opt(dataset);
        chain.database = opt(database);
        const auto r = resolveTimeout(rulesFor(family), redisConfig(), chain);
        QCOMPARE(r.effective, effective);
        QCOMPARE(timeoutLinkName(r.source), source);
        QCOMPARE(r.bypass, bypass);
        QCOMPARE(r.written, written);
        QCOMPARE(codes(r), pitfalls);
        if (source == u"DATA_CACHE_CONFIG")
            QCOMPARE(r.at.toString(), QStringLiteral("superset_config.py:7"));
        if (source == u"CACHE_DEFAULT_TIMEOUT")
            QCOMPARE(r.at.toString(), QStringLiteral("superset_config.py:3"));
    }

    void shouldExplainTheStepsOfAFalsyZero()
    {
        TimeoutChain chain{0, 30, 60, std::nullopt, true};
        const auto r = resolveTimeout(familyRules(SupersetFamily::V4_1), redisConfig(), chain);
        QList<StepVerdict> verdicts;
        QStringList links;
        for (const auto &s : r.steps) {
            verdicts << s.verdict;
            links << timeoutLinkName(s.link);
        }
        QCOMPARE(links.join(u' '), QStringLiteral("custom chart dataset database DATA_CACHE_CONFIG CACHE_DEFAULT_TIMEOUT"));
        QCOMPARE(verdicts, (QList<StepVerdict>{StepVerdict::NotSet, StepVerdict::FalsySkipped, StepVerdict::Skipped,
                                                StepVerdict::Skipped, StepVerdict::Used, StepVerdict::Skipped}));
        const auto &p = r.pitfalls.first();
        QVERIFY2(p.message.contains(u"the dataset and the database are never asked"), qPrintable(p.message));
        QVERIFY2(p.citation.contains(u"query_context_processor.py:706-715 @ 4.1.0"), qPrintable(p.citation));
    }

    void shouldSayWhichStepA15ReleaseLacks()
    {
        TimeoutChain chain{5, 30, 60, std::nullopt, true};
        const auto r = resolveTimeout(familyRules(SupersetFamily::V1_5), redisConfig(), chain);
        QCOMPARE(r.steps.at(1).verdict, StepVerdict::NotInRelease);
        QCOMPARE(r.steps.at(1).value, Opt(5));
        QVERIFY(r.pitfalls.first().message.contains(u"ignores the chart's own timeout (5)"));
        QVERIFY(r.pitfalls.first().citation.contains(u"#21635"));
    }

    void shouldFallBackToSupersetsDefaultWithoutAConfigValue()
    {
        TimeoutConfig c; // nothing in the file
        c.dataBackend = BackendType::Redis;
        for (const auto &rules : allFamilyRules()) {
            const auto r = resolveTimeout(rules, c, TimeoutChain{});
            QCOMPARE(r.effective, qint64(86400));
            QCOMPARE(r.source, TimeoutLink::CacheDefaultTimeout);
            QVERIFY(!r.at.isValid());
            QVERIFY(r.pitfalls.isEmpty());
        }
    }

    void shouldNotCallANullCacheABypass()
    {
        TimeoutConfig c = redisConfig();
        c.dataBackend = BackendType::Null;
        const auto plain = resolveTimeout(familyRules(SupersetFamily::V5_0), c, TimeoutChain{std::nullopt, 30, std::nullopt, {}, true});
        QCOMPARE(plain.effective, qint64(30));
        QVERIFY(!plain.bypass);
        QVERIFY(!plain.written);
        QCOMPARE(plain.stored.kind, StoredExpiry::NotStored);
        QCOMPARE(codes(plain).join(u','), QStringLiteral("null-cache"));
        // -1 still forces the query (the flag is Superset's, whatever the backend).
        const auto minus = resolveTimeout(familyRules(SupersetFamily::V5_0), c, TimeoutChain{-1, {}, {}, {}, true});
        QVERIFY(minus.bypass);
        QVERIFY(!minus.written);
    }

    void shouldSayWhatEachBackendMakesOfMinusOne_data()
    {
        QTest::addColumn<int>("backend");
        QTest::addColumn<int>("stored");
        QTest::addColumn<QString>("pitfall");
        QTest::addRow("redis") << int(BackendType::Redis) << int(StoredExpiry::Never) << QStringLiteral("minus-one-never-expire");
        QTest::addRow("sentinel") << int(BackendType::RedisSentinel) << int(StoredExpiry::Never) << QStringLiteral("minus-one-never-expire");
        QTest::addRow("metastore") << int(BackendType::SupersetMetastore) << int(StoredExpiry::Never) << QStringLiteral("minus-one-never-expire");
        QTest::addRow("filesystem") << int(BackendType::FileSystem) << int(StoredExpiry::ExpiredAtOnce) << QStringLiteral("minus-one-expired");
        QTest::addRow("simple") << int(BackendType::Simple) << int(StoredExpiry::ExpiredAtOnce) << QStringLiteral("minus-one-expired");
        QTest::addRow("memcached") << int(BackendType::Memcached) << int(StoredExpiry::ExpiredAtOnce) << QStringLiteral("minus-one-expired");
    }

    void shouldSayWhatEachBackendMakesOfMinusOne()
    {
        QFETCH(int, backend);
        QFETCH(int, stored);
        QFETCH(QString, pitfall);
        TimeoutConfig c = redisConfig();
        c.dataBackend = BackendType(backend);
        const auto r = resolveTimeout(familyRules(SupersetFamily::V4_0), c, TimeoutChain{-1, {}, {}, {}, true});
        QCOMPARE(int(r.stored.kind), stored);
        QVERIFY(r.bypass);
        QVERIFY2(r.hasPitfall(pitfall), qPrintable(codes(r).join(u',')));
        // From 6.0 nothing is written, whatever the backend.
        const auto later = resolveTimeout(familyRules(SupersetFamily::V6_0), c, TimeoutChain{-1, {}, {}, {}, true});
        QVERIFY(!later.written);
        QCOMPARE(later.stored.kind, StoredExpiry::NotStored);
        QVERIFY(!later.hasPitfall(pitfall));
    }

    void shouldFlagANegativeTimeoutRedisRejects()
    {
        const auto r = resolveTimeout(familyRules(SupersetFamily::V4_1), redisConfig(), TimeoutChain{-5, {}, {}, {}, true});
        QCOMPARE(r.effective, qint64(-5));
        QVERIFY(!r.bypass);
        QCOMPARE(r.stored.kind, StoredExpiry::Rejected);
        QCOMPARE(codes(r).join(u','), QStringLiteral("negative-rejected"));
    }

    void shouldHonourACustomTimeoutAsEachFamilyDoes()
    {
        TimeoutRequest zero;
        zero.custom = 0;
        TimeoutChain chain{5, 30, 60, {}, true};
        const auto old = resolveTimeout(familyRules(SupersetFamily::V3_1), redisConfig(), chain, zero);
        QCOMPARE(old.effective, qint64(120)); // 0 is falsy there too
        QCOMPARE(codes(old).join(u','), QStringLiteral("zero-skips-chain"));
        const auto master = resolveTimeout(familyRules(SupersetFamily::Master), redisConfig(), chain, zero);
        QCOMPARE(master.effective, qint64(0));
        QCOMPARE(master.source, TimeoutLink::Custom);
        TimeoutRequest custom;
        custom.custom = 45;
        for (const auto &rules : allFamilyRules()) {
            const auto r = resolveTimeout(rules, redisConfig(), chain, custom);
            QCOMPARE(r.effective, qint64(45));
            QCOMPARE(r.source, TimeoutLink::Custom);
        }
    }

    void shouldUseTheNativeFilterTimeoutOnlyOnMasterAndOnlyForFilterQueries()
    {
        TimeoutConfig c = redisConfig();
        c.nativeFilterOptionsTimeout = 15;
        c.nativeFilterAt = SourceRef{QStringLiteral("superset_config.py"), 9, 1};
        TimeoutRequest filter;
        filter.nativeFilterOptions = true;
        TimeoutChain chain{5, 30, 60, {}, true};
        const auto master = resolveTimeout(familyRules(SupersetFamily::Master), c, chain, filter);
        QCOMPARE(master.effective, qint64(15));
        QCOMPARE(timeoutLinkName(master.source), QStringLiteral("NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT"));
        QCOMPARE(master.at.toString(), QStringLiteral("superset_config.py:9"));
        QCOMPARE(resolveTimeout(familyRules(SupersetFamily::Master), c, chain).effective, qint64(5)); // a chart query
        QCOMPARE(resolveTimeout(familyRules(SupersetFamily::V6_0), c, chain, filter).effective, qint64(5));
        c.nativeFilterOptionsTimeout.reset();
        QCOMPARE(resolveTimeout(familyRules(SupersetFamily::Master), c, chain, filter).effective, qint64(5));
    }

    void shouldFloorOnlyAsyncExecutionsOnMaster()
    {
        TimeoutRequest async;
        async.async = true;
        const auto &master = familyRules(SupersetFamily::Master);
        TimeoutChain sixty{std::nullopt, std::nullopt, 60, {}, true};
        const auto floored = resolveTimeout(master, redisConfig(), sixty, async);
        QCOMPARE(floored.effective, qint64(300)); // superset/config.py default, 5 minutes
        QVERIFY(floored.floored);
        QCOMPARE(timeoutLinkName(floored.source), QStringLiteral("GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL"));
        QCOMPARE(resolveTimeout(master, redisConfig(), sixty).effective, qint64(60)); // synchronous
        QCOMPARE(resolveTimeout(familyRules(SupersetFamily::V6_0), redisConfig(), sixty, async).effective, qint64(60));
        TimeoutConfig low = redisConfig();
        low.asyncMinCacheTtl = 30;
        QCOMPARE(resolveTimeout(master, low, sixty, async).effective, qint64(60));
        QCOMPARE(resolveTimeout(master, redisConfig(), TimeoutChain{0, {}, {}, {}, true}, async).effective, qint64(0));
        QCOMPARE(resolveTimeout(master, redisConfig(), TimeoutChain{-1, {}, {}, {}, true}, async).effective, qint64(-1));
    }

    void shouldWalkTheLegacyVizPath()
    {
        TimeoutRequest legacy;
        legacy.legacy = true;
        // The chart's 0 never reaches the form data; the saved params' value does.
        const auto fromParams = resolveTimeout(familyRules(SupersetFamily::V4_1), redisConfig(), TimeoutChain{0, 30, 60, 45, true}, legacy);
        QCOMPARE(fromParams.effective, qint64(45));
        QCOMPARE(fromParams.source, TimeoutLink::FormData);
        QCOMPARE(codes(fromParams).join(u','), QStringLiteral("legacy-zero-dropped"));
        const auto fromDataset = resolveTimeout(familyRules(SupersetFamily::V4_1), redisConfig(), TimeoutChain{0, 30, 60, {}, true}, legacy);
        QCOMPARE(fromDataset.effective, qint64(30));
        // The legacy chain tests `is not None` everywhere: a 0 dataset is kept (never expires).
        const auto zero = resolveTimeout(familyRules(SupersetFamily::V2_0), redisConfig(), TimeoutChain{{}, 0, 60, {}, true}, legacy);
        QCOMPARE(zero.effective, qint64(0));
        QCOMPARE(zero.source, TimeoutLink::Dataset);
        // The legacy path consults DATA_CACHE_CONFIG even in 1.5.
        QCOMPARE(resolveTimeout(familyRules(SupersetFamily::V1_5), redisConfig(), TimeoutChain{}, legacy).effective, qint64(120));
        // -1 forces the legacy query from 3.0 (viz.py `force = self.force or cache_timeout == -1`).
        QVERIFY(!resolveTimeout(familyRules(SupersetFamily::V2_1), redisConfig(), TimeoutChain{7, -1, {}, -1, true}, legacy).bypass);
        QVERIFY(resolveTimeout(familyRules(SupersetFamily::V3_0), redisConfig(), TimeoutChain{-1, {}, {}, {}, true}, legacy).bypass);
    }

    void shouldResolveDatasetAndDatabaseRows()
    {
        const auto &rules = familyRules(SupersetFamily::V4_1);
        const auto ds = resolveForDataset(rules, redisConfig(), 30, 60);
        QCOMPARE(ds.effective, qint64(30));
        QCOMPARE(ds.source, TimeoutLink::Dataset);
        const auto dsNone = resolveForDataset(rules, redisConfig(), std::nullopt, 60);
        QCOMPARE(dsNone.source, TimeoutLink::Database);
        const auto dbNone = resolveForDatabase(rules, redisConfig(), std::nullopt);
        QCOMPARE(dbNone.effective, qint64(120));
        QCOMPARE(dbNone.source, TimeoutLink::DataCacheConfig);
    }

    void shouldReadTheSettingsAndWhereTheyAreFromAConfig()
    {
        const QString source = QStringLiteral("from datetime import timedelta\n"
                                              "\n"
                                              "CACHE_DEFAULT_TIMEOUT = 600\n"
                                              "DATA_CACHE_CONFIG = {\n"
                                              "    \"CACHE_TYPE\": \"RedisCache\",\n"
                                              "    \"CACHE_KEY_PREFIX\": \"superset_data_\",\n"
                                              "    \"CACHE_DEFAULT_TIMEOUT\": int(timedelta(minutes=2).total_seconds()),\n"
                                              "}\n"
                                              "NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT = 15\n");
        const auto report = ConfigLoader::loadSource(source, QStringLiteral("/etc/superset/superset_config.py"), {});
        QVERIFY2(report.loaded, qPrintable(report.error));
        const auto c = TimeoutConfig::fromReport(report);
        QCOMPARE(c.cacheDefaultTimeout, qint64(600));
        QVERIFY(c.cacheDefaultFromFile);
        QCOMPARE(c.cacheDefaultAt.toString(), QStringLiteral("/etc/superset/superset_config.py:3"));
        QCOMPARE(c.dataCacheDefaultTimeout, Opt(120));
        QCOMPARE(c.dataCacheAt.line, 7);
        QCOMPARE(c.nativeFilterOptionsTimeout, Opt(15));
        QCOMPARE(c.dataBackend, BackendType::Redis);
        QVERIFY(c.problems.isEmpty());
    }

    void shouldTreatANoneOrMissingDataCacheTimeoutAsNotSet()
    {
        const auto none = TimeoutConfig::fromReport(ConfigLoader::loadSource(
            QStringLiteral("DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_DEFAULT_TIMEOUT\": None}\n"),
            QStringLiteral("a.py"), {}));
        QVERIFY(!none.dataCacheDefaultTimeout);
        QVERIFY(!none.cacheDefaultFromFile);
        QCOMPARE(none.cacheDefaultTimeout, qint64(86400));
        const auto bad = TimeoutConfig::fromReport(
            ConfigLoader::loadSource(QStringLiteral("CACHE_DEFAULT_TIMEOUT = 'one day'\n"), QStringLiteral("b.py"), {}));
        QCOMPARE(bad.problems.size(), 1);
        QVERIFY2(bad.problems.first().contains(u"b.py:1"), qPrintable(bad.problems.first()));
    }

    void shouldMapVersionsToFamilies_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("noted");
        QTest::addRow("1.5") << QStringLiteral("1.5") << QStringLiteral("1.5") << false;
        QTest::addRow("1.5.3") << QStringLiteral("1.5.3") << QStringLiteral("1.5") << false;
        QTest::addRow("2.0") << QStringLiteral("2.0") << QStringLiteral("2.0") << false;
        QTest::addRow("2.0.0") << QStringLiteral("2.0.0") << QStringLiteral("2.0") << false;
        QTest::addRow("2.0.1") << QStringLiteral("2.0.1") << QStringLiteral("2.0.1") << false;
        QTest::addRow("2.1.3") << QStringLiteral("2.1.3") << QStringLiteral("2.1") << false;
        QTest::addRow("3.0") << QStringLiteral("3.0") << QStringLiteral("3.0") << false;
        QTest::addRow("3.1.2") << QStringLiteral("3.1.2") << QStringLiteral("3.1") << false;
        QTest::addRow("4.0.2") << QStringLiteral("4.0.2") << QStringLiteral("4.0") << false;
        QTest::addRow("4.1") << QStringLiteral("4.1") << QStringLiteral("4.1") << false;
        QTest::addRow("5.0.0") << QStringLiteral("5.0.0") << QStringLiteral("5.0") << false;
        QTest::addRow("6.0") << QStringLiteral("6.0") << QStringLiteral("6.0") << false;
        QTest::addRow("6.1 newer") << QStringLiteral("6.1") << QStringLiteral("master") << true;
        QTest::addRow("7.0 newer") << QStringLiteral("7.0.0") << QStringLiteral("master") << true;
        QTest::addRow("master") << QStringLiteral("master") << QStringLiteral("master") << false;
        QTest::addRow("4.2 gap") << QStringLiteral("4.2") << QStringLiteral("4.1") << true;
    }

    void shouldMapVersionsToFamilies()
    {
        QFETCH(QString, version);
        QFETCH(QString, family);
        QFETCH(bool, noted);
        const auto choice = familyFromVersion(version);
        QVERIFY2(choice.error.isEmpty(), qPrintable(choice.error));
        QCOMPARE(familyId(choice.family), family);
        QCOMPARE(!choice.note.isEmpty(), noted);
    }

    void shouldRefuseVersionsItCannotPlace()
    {
        QVERIFY(familyFromVersion(QStringLiteral("1.4")).error.contains(u"older than the oldest family known"));
        QVERIFY(familyFromVersion(QStringLiteral("0.38.1")).error.contains(u"1.5"));
        QVERIFY(familyFromVersion(QStringLiteral("five")).error.contains(u"not a Superset version"));
    }

    void shouldGuessTheFamilyFromTheAlembicRevision_data()
    {
        QTest::addColumn<QString>("revision");
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("exact");
        QTest::addColumn<QString>("says");
        // Heads from METADATA.md, re-derived from the migrations at each tag.
        QTest::addRow("1.5.0 head") << QStringLiteral("58df9d617f14") << QStringLiteral("1.5") << true << QStringLiteral("Superset 1.5.0");
        QTest::addRow("2.0.x head") << QStringLiteral("e09b4ae78457") << QStringLiteral("2.0.1") << false << QStringLiteral("2.0.0 - 2.0.1: assuming 2.0.1");
        QTest::addRow("2.1.0 head") << QStringLiteral("f3c2d8ec8595") << QStringLiteral("2.1") << true << QStringLiteral("2.1.0");
        QTest::addRow("3.0.0 head") << QStringLiteral("ec54aca4c8a2") << QStringLiteral("3.0") << true << QStringLiteral("3.0.0");
        QTest::addRow("3.1.0 head") << QStringLiteral("b7851ee5522f") << QStringLiteral("3.1") << true << QStringLiteral("3.1.0");
        QTest::addRow("4.0.0 head") << QStringLiteral("17fcea065655") << QStringLiteral("4.0") << true << QStringLiteral("4.0.0");
        QTest::addRow("4.1.0 head") << QStringLiteral("48cbb571fa3a") << QStringLiteral("4.1") << true << QStringLiteral("4.1.0");
        QTest::addRow("5.0 head") << QStringLiteral("32bf93dfe2a4") << QStringLiteral("5.0") << true << QStringLiteral("5.0.0rc2");
        QTest::addRow("3.0.x head") << QStringLiteral("4b85906e5b91") << QStringLiteral("3.0") << true << QStringLiteral("3.0.1 - 3.0.4");
        QTest::addRow("1.4 head") << QStringLiteral("aea15018d53b") << QStringLiteral("1.5") << false << QStringLiteral("older than the oldest family known");
        QTest::addRow("unknown") << QStringLiteral("ffffffffffff") << QStringLiteral("master") << false << QStringLiteral("newer release or a fork");
        QTest::addRow("empty") << QStringLiteral("") << QStringLiteral("master") << false << QStringLiteral("no alembic_version row");
    }

    void shouldGuessTheFamilyFromTheAlembicRevision()
    {
        QFETCH(QString, revision);
        QFETCH(QString, family);
        QFETCH(bool, exact);
        QFETCH(QString, says);
        const auto guess = familyFromAlembicRevision(revision);
        QCOMPARE(familyId(guess.family), family);
        QCOMPARE(guess.exact, exact);
        QVERIFY2(guess.reason.contains(says), qPrintable(guess.reason));
    }

    void shouldPlaceARevisionBetweenTwoReleases()
    {
        // be1b217cd8cd first appears at 4.1.0 and is not its head: a build after 4.0.0.
        const auto guess = familyFromAlembicRevision(QStringLiteral("be1b217cd8cd"));
        QVERIFY(!guess.exact);
        QCOMPARE(guess.family, SupersetFamily::V4_0);
        QVERIFY2(guess.reason.contains(u"4.0 + migrations (a build before 4.1.0)"), qPrintable(guess.reason));
        // f3afaf1f11f0 came with 2.1.0: a build after 2.0.x, read with 2.0.1's rules.
        QCOMPARE(familyFromAlembicRevision(QStringLiteral("f3afaf1f11f0")).family, SupersetFamily::V2_0_1);
    }

    void shouldCiteEveryRule()
    {
        for (const auto &r : allFamilyRules()) {
            for (const char *cite : {r.chainCite, r.processorCite, r.bypassCite, r.writeCite, r.legacyCite, r.configCite,
                                     r.newStepsCite, r.source})
                QVERIFY2(cite && qstrlen(cite) > 10, r.id);
            QVERIFY2(QByteArray(r.chainCite).contains("query_context"), r.id);
        }
    }
};

QTEST_GUILESS_MAIN(TestTimeoutResolver)
#include "tst_timeoutresolver.moc"
