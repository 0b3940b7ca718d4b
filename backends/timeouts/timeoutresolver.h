#pragma once

#include "backendexpiry.h"
#include "timeoutrules.h"

#include <QList>
#include <QString>

#include <optional>

namespace cachescope {

struct ConfigReport;

// Where a config value was set: "superset_config.py:42" (empty file: Superset's own default).
struct SourceRef
{
    QString file;
    int line = 0;
    int column = 0;
    bool isValid() const { return line > 0; }
    QString toString() const; // "file:line", or "" when not from a file
};

// The config settings the chart-data timeout chain reads, with where each one was set.
struct TimeoutConfig
{
    // CACHE_DEFAULT_TIMEOUT: the file's value, else Superset's default (one day).
    qint64 cacheDefaultTimeout = 86400;
    bool cacheDefaultFromFile = false;
    SourceRef cacheDefaultAt;
    // DATA_CACHE_CONFIG's own CACHE_DEFAULT_TIMEOUT, only when that dict sets a non-None one.
    // (At start-up Superset copies CACHE_DEFAULT_TIMEOUT into the dict when it has none —
    // superset/utils/cache_manager.py:83-85 @ 2.0.1…5.0 — so the value is the same either way;
    // only the link that supplies it differs.)
    std::optional<qint64> dataCacheDefaultTimeout;
    SourceRef dataCacheAt;
    std::optional<qint64> nativeFilterOptionsTimeout; // NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT (master)
    SourceRef nativeFilterAt;
    std::optional<qint64> asyncMinCacheTtl;           // GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL (master)
    SourceRef asyncMinAt;
    BackendType dataBackend = BackendType::Null;       // DATA_CACHE_CONFIG's backend
    QStringList problems;                              // values that are not integers, named with where

    // Reads the settings from a loaded superset_config.py (default values when the file has none).
    static TimeoutConfig fromReport(const ConfigReport &report);
};

// One chart's chain of own timeouts (NULL in the metadata database = nullopt).
struct TimeoutChain
{
    std::optional<qint64> chart;    // slices.cache_timeout
    std::optional<qint64> dataset;  // tables.cache_timeout
    std::optional<qint64> database; // dbs.cache_timeout
    std::optional<qint64> formData; // slices.params' "cache_timeout" (legacy explore_json path only)
    bool hasDatabase = true;        // false: the dataset's database row is missing
};

// What kind of request asks: the CLI's rows are the synchronous chart-data path, no custom timeout.
struct TimeoutRequest
{
    std::optional<qint64> custom;     // custom_cache_timeout of the request
    bool nativeFilterOptions = false; // a native filter's option query (form_data native_filter_id + filter_* viz)
    bool async = false;               // executed by the async (GAQ/GTF) worker
    bool legacy = false;              // superset/viz.py (explore_json) instead of /api/v1/chart/data
};

enum class TimeoutLink {
    Custom,
    NativeFilterOptions,
    Chart,
    Dataset,
    Database,
    FormData,
    DataCacheConfig,
    CacheDefaultTimeout,
    AsyncFloor, // GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL raised the value (async executions, master)
};
// The JSON/CLI name: "custom", "NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT", "chart", "dataset", "database",
// "form_data", "DATA_CACHE_CONFIG", "CACHE_DEFAULT_TIMEOUT", "GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL".
QString timeoutLinkName(TimeoutLink link);

struct TimeoutPitfall
{
    QString code;     // stable: "chart-ignored", "zero-skips-chain", ...
    QString message;  // for this row, with its values
    QString citation; // where the rule is
};

// One step of the chain as Superset walks it.
enum class StepVerdict {
    NotSet,       // None: the next link is asked
    Used,         // this link supplied the timeout
    FalsySkipped, // a 0 that `if cache_timeout_rv:` throws away: the defaults are used instead
    Skipped,      // never reached (an earlier link answered, or a falsy 0 jumped over it)
    NotInRelease, // this release does not consult the link
    Floored,      // the async floor raised the value
};
QString stepVerdictText(StepVerdict verdict);

struct TimeoutStep
{
    TimeoutLink link;
    std::optional<qint64> value; // nullopt: None / not set
    StepVerdict verdict;
};

struct TimeoutResolution
{
    SupersetFamily family = SupersetFamily::Master;
    qint64 effective = 0;        // the integer Superset hands to cache.set() (0 = never expires)
    TimeoutLink source = TimeoutLink::CacheDefaultTimeout;
    SourceRef at;                // for config links: where the value was set
    bool bypass = false;         // Superset forces the query for this timeout (reads skip the cache)
    bool written = true;         // Superset calls cache.set() at all (false: -1 from 6.0, NullCache)
    bool floored = false;        // raised to GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL
    BackendExpiry stored;        // what DATA_CACHE_CONFIG's backend makes of `effective`
    QList<TimeoutStep> steps;
    QList<TimeoutPitfall> pitfalls;

    bool neverExpires() const { return effective == 0; }
    bool hasPitfall(const QString &code) const;
};

// The effective chart-data timeout of one chart under one family's rules, explained.
TimeoutResolution resolveTimeout(const FamilyRules &rules, const TimeoutConfig &config, const TimeoutChain &chain,
                                 const TimeoutRequest &request = {});

// What a chart without its own timeout gets on this dataset / on this database (the dataset and
// database rows of the Timeouts page and CLI).
TimeoutResolution resolveForDataset(const FamilyRules &rules, const TimeoutConfig &config,
                                    std::optional<qint64> datasetOwn, std::optional<qint64> databaseOwn);
TimeoutResolution resolveForDatabase(const FamilyRules &rules, const TimeoutConfig &config,
                                     std::optional<qint64> databaseOwn);

} // namespace cachescope
