#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cachescope {

// The Superset release families whose chart-data timeout rules differ or were read separately.
// Each family's rules are data (FamilyRules below, filled in timeoutrules.cpp with the source line
// every flag comes from); the resolver only interprets them.
enum class SupersetFamily {
    V1_5,   // 1.5.x
    V2_0,   // 2.0.0
    V2_0_1, // 2.0.1 (the chart step and DATA_CACHE_CONFIG step were back-ported into it)
    V2_1,
    V3_0,
    V3_1,
    V4_0,
    V4_1,
    V5_0,
    V6_0,
    Master, // apache/superset master as read in 2026 (newest known)
};

// How QueryContextProcessor.get_cache_timeout tests what QueryContext.get_cache_timeout returned.
enum class ChainTest {
    Truthy,  // `if cache_timeout_rv:` — a 0 from the chart/dataset/database falls to the defaults
    NotNone, // `if (cache_timeout := ...) is not None:` — a 0 is kept (never expires)
};

// One release family's chart-data timeout rules. Every flag has the citation it was read from
// ("owner/repo › path:lines @ tag"); the rules hold for the synchronous /api/v1/chart/data path
// unless named "legacy" (superset/viz.py, the explore_json endpoint).
struct FamilyRules
{
    SupersetFamily family;
    const char *id;        // "2.0.1": what --superset-version prints and accepts
    const char *source;    // which snapshot the rules were read from

    // QueryContext.get_cache_timeout: custom → [chart] → dataset → database, each `is not None`.
    bool chartStep;
    const char *chainCite;
    // QueryContextProcessor.get_cache_timeout: the test on that result, then the config steps.
    ChainTest chainTest;
    bool dataCacheConfigStep; // DATA_CACHE_CONFIG["CACHE_DEFAULT_TIMEOUT"] (`is not None`) before CACHE_DEFAULT_TIMEOUT
    const char *processorCite;
    // NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT for native-filter option queries, between custom and chart.
    bool nativeFilterOptionsStep;
    // GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL: async executions floor 0 < t < floor up to the floor.
    bool asyncFloor;
    qint64 asyncFloorDefault; // superset/config.py default (seconds), when asyncFloor
    const char *newStepsCite;
    // -1: reads are bypassed (force_query), since PR #23439.
    bool minusOneBypassesRead;
    const char *bypassCite;
    // -1: still handed to cache.set() (set_and_log_cache), until PR #34654 skipped the write.
    bool minusOneWritten;
    const char *writeCite;
    // Legacy viz.py: form_data → dataset → database → DATA_CACHE_CONFIG → CACHE_DEFAULT_TIMEOUT,
    // every step `is not None`; -1 forces the query from 3.0. The form data's cache_timeout is the
    // chart's own only when truthy (Slice.form_data: `if self.cache_timeout:`).
    bool legacyMinusOneBypassesRead;
    const char *legacyCite;
    // superset/config.py: CACHE_DEFAULT_TIMEOUT's default, and where it is.
    qint64 cacheDefaultTimeoutDefault;
    const char *configCite;
};

const QList<FamilyRules> &allFamilyRules();
const FamilyRules &familyRules(SupersetFamily family);
SupersetFamily newestFamily();
QString familyId(SupersetFamily family);
// The ids --superset-version lists in its help ("1.5, 2.0, 2.0.1, ...").
QStringList familyIds();

// A release family from a version the user typed: "2.1", "2.1.3", "4.0.2", "2.0.0", "master".
// Newer than the newest family known → the newest, with a note; older than 1.5 or unreadable → error.
struct FamilyChoice
{
    SupersetFamily family = SupersetFamily::Master;
    QString note;  // non-empty when the version was mapped to another family
    QString error; // non-empty: no family
};
FamilyChoice familyFromVersion(const QString &version);

// Which release wrote a metadata database, from alembic_version.version_num (release heads and
// every revision each release added, read from superset/migrations/versions at each tag).
struct FamilyGuess
{
    SupersetFamily family = SupersetFamily::Master;
    bool exact = false; // the revision is a release head (still ambiguous for 2.0.0/2.0.1)
    QString reason;     // one sentence a user can read: what was assumed and why
};
FamilyGuess familyFromAlembicRevision(const QString &revision);

} // namespace cachescope
