#pragma once

#include "codec/decoderchain.h"
#include "metadata/metadatatypes.h"
#include "timeouttable.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace cachescope {

// One entry of the chart-data cache as read from its backend.
struct AuditSample
{
    QByteArray key;                    // as stored (with the cache's key prefix)
    QByteArray appKey;                 // the key Superset used (without the prefix): what cache_keys records
    std::optional<qint64> remaining;   // seconds left; nullopt = no expiry
    QByteArray payload;                // the stored bytes (Redis value, FileSystemCache file, metastore value)
    DecodeHints::Backend backend = DecodeHints::Backend::Auto;
};

enum class AuditStatus {
    Match,        // the TTL it was given is what the chain gives today
    Mismatch,     // it is not: `reason` says what most likely happened
    Unknown,      // no chart could be tied to it, or no age could be read
    NotChartData, // some other entry of the cache (query context, memoized values, ...)
};
QString auditStatusName(AuditStatus status); // "match", "mismatch", "unknown", "not-chart-data"

// How the entry was tied to charts.
enum class AuditMapping {
    CacheKeys,    // cache_keys.datasource_uid (STORE_CACHE_KEYS_IN_METADATA_DB)
    SqlTableName, // the payload's SQL names exactly one dataset's table: a guess, said so
    None,
};
QString auditMappingName(AuditMapping mapping); // "cache_keys", "sql-table-name", "none"

struct AuditEntry
{
    QByteArray key;
    AuditStatus status = AuditStatus::Unknown;
    QString reason;
    QDateTime cachedAt;                 // the payload's dttm (UTC)
    std::optional<qint64> age;          // seconds since cachedAt
    std::optional<qint64> remaining;    // nullopt = never expires
    std::optional<qint64> given;        // remaining + age: the TTL it was written with; nullopt = never expires
    std::optional<qint64> recorded;     // cache_keys.cache_timeout, when recorded
    AuditMapping mapping = AuditMapping::None;
    std::optional<qint64> datasetId;
    QList<qint64> chartIds;             // the candidates (one chart: unambiguous)
    QList<qint64> expected;             // distinct effective timeouts of the candidates today (0 = never)
    QString decodeError;                // why the payload could not be read, when it could not
};

struct AuditReport
{
    SupersetFamily family = SupersetFamily::Master;
    QList<AuditEntry> entries;
    QHash<qint64, int> variantsPerDataset; // chart-data entries per dataset (fragmentation)
    QHash<qint64, int> variantsPerChart;   // only for entries tied to exactly one chart
    int chartData = 0, matches = 0, mismatches = 0, unknown = 0;
};

struct AuditOptions
{
    qint64 toleranceSeconds = 3; // dttm has whole seconds, TTLs too, and the write follows the dttm
};

// Compares what each chart-data entry was given with what its chart's chain gives today.
AuditReport auditChartData(const QList<AuditSample> &samples, const QList<CacheKeyRow> &cacheKeys,
                           const TimeoutIndex &index, const QDateTime &nowUtc, const AuditOptions &options = {});

} // namespace cachescope
