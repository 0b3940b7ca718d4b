#pragma once

// Plain value types read from Superset's metadata database (design: METADATA.md). They cross
// threads by queued signals, so every type is copyable and declared to the meta-type system.
// Integers that Superset stores as nullable columns are std::optional: nullopt = SQL NULL
// ("not set, ask the next link"), which is not the same as 0.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <optional>

namespace cachescope {

// The three kinds of object that carry a cache_timeout column.
enum class MetadataKind { Database, Dataset, Chart };

inline QString metadataKindName(MetadataKind kind) // "database", "dataset", "chart" (the CLI's words)
{
    switch (kind) {
    case MetadataKind::Database:
        return QStringLiteral("database");
    case MetadataKind::Dataset:
        return QStringLiteral("dataset");
    case MetadataKind::Chart:
        return QStringLiteral("chart");
    }
    return {};
}

// dbs.extra["metadata_cache_timeout"] (superset/models/core.py › Database.metadata_cache_timeout):
// timeouts of the schema/table/catalog name lists Superset memoizes in CACHE_CONFIG.
struct MetadataCacheTimeouts
{
    std::optional<qint64> schema;  // "schema_cache_timeout"
    std::optional<qint64> table;   // "table_cache_timeout"
    std::optional<qint64> catalog; // "catalog_cache_timeout" (4.1+)
};

// One row of `dbs`. The sqlalchemy_uri column may hold a password, so it is never read: the
// backend name is cut out of its scheme by the database server itself.
struct DatabaseRow
{
    qint64 id = 0;
    QString name;                       // database_name
    QString backend;                    // scheme before '+': "postgresql", "mysql", "sqlite", ...
    std::optional<qint64> cacheTimeout; // dbs.cache_timeout
    MetadataCacheTimeouts metadataCacheTimeout;
    QString extraError;                 // why dbs.extra could not be read as JSON, else empty
};

// One row of `tables` (a dataset: SqlaTable).
struct DatasetRow
{
    qint64 id = 0;
    QString schema;                     // NULL -> empty
    QString tableName;
    QString catalog;                    // 4.1+; empty when NULL or the column is missing
    qint64 databaseId = 0;
    std::optional<qint64> cacheTimeout; // tables.cache_timeout
    bool isVirtual = false;             // tables.sql is non-empty (SqlaTable.kind == VIRTUAL)

    // The key cache_keys.datasource_uid uses for this dataset ("12__table").
    QString datasourceUid() const { return QString::number(id) + QStringLiteral("__table"); }
};

// One row of `slices` (a chart).
struct ChartRow
{
    qint64 id = 0;
    QString name;                       // slice_name
    QString vizType;
    std::optional<qint64> datasourceId;
    QString datasourceType;             // "table" for SQL datasets
    std::optional<qint64> cacheTimeout; // slices.cache_timeout
    // "cache_timeout" inside slices.params (the saved form data): legacy viz.py reads this one,
    // not the column. nullopt when absent, null, "" or not a number.
    std::optional<qint64> formDataCacheTimeout;
    QString paramsError;                // why params could not be read, when it mattered
    bool hasQueryContext = false;       // slices.query_context is set (the chart-data API path)
    QList<qint64> dashboardIds;         // from dashboard_slices, ascending
};

// One row of `dashboards` (names only).
struct DashboardRow
{
    qint64 id = 0;
    QString title; // dashboard_title
    QString slug;
};

// One row of `cache_keys` (FORMATS.md §4(f)).
struct CacheKeyRow
{
    qint64 id = 0;
    QString cacheKey;                   // the un-prefixed key given to the cache
    std::optional<qint64> cacheTimeout; // the explicit timeout set_and_log_cache was given
    QString datasourceUid;              // "12__table"
    QDateTime createdOn;                // naive server-local time, as Superset writes it
};

// One row of `key_value` (FORMATS.md §5.1).
struct KeyValueRow
{
    qint64 id = 0;
    QString resource;                   // "superset_metastore_cache", "dashboard_permalink", ...
    QUuid uuid;
    QByteArray value;                   // filled only when asked for (listings carry valueSize)
    qint64 valueSize = 0;
    QDateTime createdOn;                // invalid = NULL
    QDateTime changedOn;
    QDateTime expiresOn;                // invalid = NULL = never expires
    std::optional<qint64> createdByFk;
    std::optional<qint64> changedByFk;
};

// What the schema of an opened metadata database says about itself.
struct SchemaInfo
{
    QString driver;          // Qt driver: "QSQLITE", "QPSQL", "QMYSQL"
    QString dialect;         // "sqlite", "postgresql", "mysql"
    QString serverVersion;   // as the server reports it, when it does
    QString alembicRevision; // alembic_version.version_num; empty when absent
    // The Superset release that revision implies: "4.1.0" for a release head, "4.0 + migrations"
    // for a revision between two heads, "unknown, newer or fork" for a revision not in the
    // table, empty without a revision (METADATA.md "Which release wrote this database").
    QString release;
    // The release family ("1.5", "2.0", "2.1", "3.0", "3.1", "4.0", "4.1", "5.0", ...) the
    // revision belongs to; empty when unknown.
    QString releaseFamily;
    bool releaseKnown = false;    // the revision is in the table
    QStringList missingTables;    // tables CacheScope reads that are absent: "key_value"
    QStringList missingColumns;   // "slices.query_context", "tables.catalog"

    bool hasTable(const QString &table) const { return !missingTables.contains(table); }
    bool hasColumn(const QString &table, const QString &column) const
    {
        return hasTable(table) && !missingColumns.contains(table + u'.' + column);
    }
};

// Everything the timeout views need, read in one go (MetadataDatabase::snapshot). Rows are in
// ascending id order.
struct MetadataSnapshot
{
    SchemaInfo schema;
    QList<DatabaseRow> databases;
    QList<DatasetRow> datasets;
    QList<ChartRow> charts;
    QList<DashboardRow> dashboards;
    std::optional<qint64> cacheKeyCount;  // nullopt when cache_keys is missing
    std::optional<qint64> metastoreCount; // key_value rows of the metastore cache; nullopt when missing
    QStringList warnings;                 // rows that could not be read completely
    qint64 loadMs = 0;                    // wall-clock time the reads took
};

// A cache_timeout edit: what the column held before and holds after, in one transaction.
struct TimeoutChange
{
    MetadataKind kind = MetadataKind::Chart;
    qint64 id = 0;
    QString name;                 // the object's name as the metadata database has it
    std::optional<qint64> before;
    std::optional<qint64> after;
    QString sql;                  // the statement, with literal values (for a dry run or a log)
    bool written = false;         // false for a preview
};

} // namespace cachescope

// Every member is relocatable (Qt containers and strings, optionals of integers, QDateTime,
// QUuid), so lists of 100,000 rows grow by realloc instead of moving each row.
Q_DECLARE_TYPEINFO(cachescope::DatabaseRow, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(cachescope::DatasetRow, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(cachescope::ChartRow, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(cachescope::DashboardRow, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(cachescope::CacheKeyRow, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(cachescope::MetadataKind)
Q_DECLARE_METATYPE(cachescope::DatabaseRow)
Q_DECLARE_METATYPE(cachescope::DatasetRow)
Q_DECLARE_METATYPE(cachescope::ChartRow)
Q_DECLARE_METATYPE(cachescope::DashboardRow)
Q_DECLARE_METATYPE(cachescope::CacheKeyRow)
Q_DECLARE_METATYPE(cachescope::KeyValueRow)
Q_DECLARE_METATYPE(cachescope::SchemaInfo)
Q_DECLARE_METATYPE(cachescope::MetadataSnapshot)
Q_DECLARE_METATYPE(cachescope::TimeoutChange)
