#include "demometadata.h"

#include <QDateTime>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#include <atomic>
#include <optional>

namespace cachescope {

namespace {

std::atomic<int> g_connections{0};

// Superset 4.1's DDL for the tables CacheScope reads, exactly as SQLAlchemy 1.4 emits it for SQLite
// from Superset's model declarations (superset/models/core.py Database, connectors/sqla/models.py
// SqlaTable, models/slice.py Slice, models/dashboard.py Dashboard and dashboard_slices,
// models/cache.py CacheKey, key_value/models.py KeyValueEntry @ 4.1.0; tests/support/
// superset_schema.py declares them with every column, and tst_timeoutmodel reads this file back
// through those declarations). ab_user is there for the foreign keys.
const char *const kSchema[] = {
    "CREATE TABLE ab_user (id INTEGER NOT NULL, first_name VARCHAR(64) NOT NULL, "
    "last_name VARCHAR(64) NOT NULL, username VARCHAR(64) NOT NULL, active BOOLEAN, "
    "email VARCHAR(64) NOT NULL, PRIMARY KEY (id), UNIQUE (username), UNIQUE (email))",
    "CREATE TABLE cache_keys (id INTEGER NOT NULL, cache_key VARCHAR(256) NOT NULL, cache_timeout INTEGER, "
    "datasource_uid VARCHAR(64) NOT NULL, created_on DATETIME, PRIMARY KEY (id))",
    "CREATE INDEX ix_cache_keys_datasource_uid ON cache_keys (datasource_uid)",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))",
    "CREATE TABLE dbs (id INTEGER NOT NULL, verbose_name VARCHAR(250), "
    "database_name VARCHAR(250) NOT NULL, sqlalchemy_uri VARCHAR(1024) NOT NULL, password BLOB, "
    "cache_timeout INTEGER, select_as_create_table_as BOOLEAN, expose_in_sqllab BOOLEAN, "
    "allow_run_async BOOLEAN, allow_file_upload BOOLEAN, allow_ctas BOOLEAN, allow_cvas BOOLEAN, "
    "allow_dml BOOLEAN, force_ctas_schema VARCHAR(250), extra TEXT, encrypted_extra BLOB, "
    "impersonate_user BOOLEAN, created_on DATETIME, changed_on DATETIME, created_by_fk INTEGER, "
    "changed_by_fk INTEGER, uuid BINARY(16), PRIMARY KEY (id), UNIQUE (verbose_name), "
    "UNIQUE (database_name), FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id), UNIQUE (uuid))",
    "CREATE TABLE slices (id INTEGER NOT NULL, slice_name VARCHAR(250), datasource_id INTEGER, "
    "datasource_type VARCHAR(200), datasource_name VARCHAR(2000), viz_type VARCHAR(250), params TEXT, "
    "query_context TEXT, description TEXT, cache_timeout INTEGER, perm VARCHAR(1000), "
    "schema_perm VARCHAR(1000), last_saved_at DATETIME, last_saved_by_fk INTEGER, certified_by TEXT, "
    "certification_details TEXT, created_on DATETIME, changed_on DATETIME, created_by_fk INTEGER, "
    "changed_by_fk INTEGER, uuid BINARY(16), catalog_perm VARCHAR(1000), PRIMARY KEY (id), "
    "FOREIGN KEY(last_saved_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id), UNIQUE (uuid))",
    "CREATE TABLE dashboards (id INTEGER NOT NULL, dashboard_title VARCHAR(500), position_json TEXT, "
    "description TEXT, css TEXT, json_metadata TEXT, slug VARCHAR(255), published BOOLEAN, "
    "created_on DATETIME, changed_on DATETIME, created_by_fk INTEGER, changed_by_fk INTEGER, "
    "uuid BINARY(16), PRIMARY KEY (id), UNIQUE (slug), FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id), UNIQUE (uuid))",
    "CREATE TABLE key_value (id INTEGER NOT NULL, resource VARCHAR(32) NOT NULL, value BLOB NOT NULL, "
    "uuid BINARY(16), created_on DATETIME, created_by_fk INTEGER, changed_on DATETIME, "
    "changed_by_fk INTEGER, expires_on DATETIME, PRIMARY KEY (id), "
    "FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id))",
    "CREATE INDEX ix_key_value_expires_on ON key_value (expires_on)",
    "CREATE UNIQUE INDEX ix_key_value_uuid ON key_value (uuid)",
    "CREATE TABLE tables (id INTEGER NOT NULL, description TEXT, default_endpoint TEXT, "
    "is_featured BOOLEAN, filter_select_enabled BOOLEAN, \"offset\" INTEGER, cache_timeout INTEGER, "
    "params VARCHAR(1000), perm VARCHAR(1000), schema_perm VARCHAR(1000), "
    "table_name VARCHAR(250) NOT NULL, main_dttm_col VARCHAR(250), database_id INTEGER NOT NULL, "
    "fetch_values_predicate TEXT, schema VARCHAR(255), sql TEXT, is_sqllab_view BOOLEAN, "
    "template_params TEXT, extra TEXT, created_on DATETIME, changed_on DATETIME, created_by_fk INTEGER, "
    "changed_by_fk INTEGER, uuid BINARY(16), catalog VARCHAR(256), catalog_perm VARCHAR(1000), "
    "PRIMARY KEY (id), CONSTRAINT _customer_location_uc UNIQUE (database_id, schema, table_name), "
    "FOREIGN KEY(database_id) REFERENCES dbs (id), FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), "
    "FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id), UNIQUE (uuid))",
    "CREATE TABLE dashboard_slices (id INTEGER NOT NULL, dashboard_id INTEGER, slice_id INTEGER, "
    "PRIMARY KEY (id), CONSTRAINT uq_dashboard_slice UNIQUE (dashboard_id, slice_id), "
    "FOREIGN KEY(dashboard_id) REFERENCES dashboards (id) ON DELETE CASCADE, "
    "FOREIGN KEY(slice_id) REFERENCES slices (id) ON DELETE CASCADE)",
};

// 4.1.0's alembic head (superset/migrations/versions @ 4.1.0; METADATA.md).
const char kAlembicHead[] = "48cbb571fa3a";

struct Database
{
    int id;
    const char *name;
    const char *uri; // never read by CacheScope beyond its scheme; no password
    std::optional<int> timeout;
};
// 0 at a database is falsy to the chart-data chain: its charts fall to the config's defaults.
const Database kDatabases[] = {
    {1, "examples", "postgresql+psycopg2://superset@db:5432/examples", std::nullopt},
    {2, "warehouse", "postgresql://analyst@warehouse:5432/dwh", 3600},
    {3, "legacy_reports", "mysql+mysqldb://reports@legacy:3306/reports", 0},
};

struct Dataset
{
    int id;
    int table;            // DemoMetadata::chartTable(table), -1 for the virtual dataset
    int database;
    const char *schema;
    std::optional<int> timeout;
};
const Dataset kDatasets[] = {
    {1, 0, 1, "public", 120},  {2, 1, 1, "public", 120},   {3, 2, 1, "public", std::nullopt},
    {4, 3, 2, "sales", std::nullopt}, {5, 4, 2, "sales", 120}, {6, 5, 2, "sales", 120},
    {7, 6, 3, "reports", std::nullopt}, {8, 7, 3, "reports", 120}, {9, 8, 1, "public", 120},
    {10, 9, 1, "public", 120}, {11, 10, 2, "sales", 120}, {12, 11, 1, "public", std::nullopt},
    {13, -1, 1, "public", std::nullopt},
};

struct Chart
{
    int id;
    const char *name;
    const char *viz;
    int dataset;              // 0: not a SQL dataset (datasource_type "query")
    std::optional<int> timeout;
    std::optional<int> formDataTimeout; // slices.params' cache_timeout (the legacy explore path)
};
const Chart kCharts[] = {
    {1, "Revenue by country", "echarts_timeseries_bar", 1, std::nullopt, std::nullopt},
    {2, "Revenue trend", "echarts_timeseries_line", 1, std::nullopt, std::nullopt},
    {3, "Top products", "table", 2, 0, std::nullopt},                  // 0 is falsy: dataset and database skipped
    {4, "Orders per year", "echarts_timeseries_bar", 3, 120, std::nullopt}, // read only from 2.0.1 on
    {5, "Warehouse stock", "big_number_total", 4, std::nullopt, std::nullopt},
    {6, "Shipping delays", "echarts_timeseries_line", 5, -1, std::nullopt}, // bypass from 3.0
    {7, "Margin by region", "pivot_table_v2", 6, std::nullopt, std::nullopt},
    {8, "Margin heatmap", "heatmap_v2", 6, 60, 60},
    {9, "Legacy KPI", "big_number", 7, std::nullopt, std::nullopt},
    {10, "Legacy pivot", "pivot_table_v2", 8, std::nullopt, std::nullopt},
    {11, "Customer churn", "echarts_area", 9, std::nullopt, std::nullopt},
    {12, "Basket size", "histogram_v2", 10, std::nullopt, std::nullopt},
    {13, "Returns", "table", 11, std::nullopt, std::nullopt},
    {14, "Forecast", "echarts_timeseries_line", 12, std::nullopt, std::nullopt},
    {15, "Recent orders", "table", 13, std::nullopt, std::nullopt},
    {16, "Ad-hoc query", "table", 0, std::nullopt, std::nullopt},
};

struct Dashboard
{
    int id;
    const char *title;
    const char *slug;
    QList<int> charts;
};
const Dashboard kDashboards[] = {
    {1, "Sales overview", "sales", {1, 2, 3, 4, 15}},
    {2, "Executive KPIs", "kpis", {1, 5, 11, 14}},
    {3, "Operations", "ops", {5, 6, 7, 8, 13}},
    {4, "Legacy reports", "legacy", {9, 10, 12, 16}},
};

QVariant nullable(const std::optional<int> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::Int));
}

} // namespace

Expected<bool> DemoMetadata::write(const QString &path) const
{
    if (QFile::exists(path))
        return makeError(QStringLiteral("demo metadata database %1 exists already").arg(path));
    const QString name = QStringLiteral("cachescope-demo-metadata-%1").arg(++g_connections);
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = QStringLiteral("cannot create %1: %2").arg(path, db.lastError().text());
        } else {
            QSqlQuery q(db);
            auto fail = [&](const QString &what) {
                error = QStringLiteral("demo metadata database %1: %2: %3").arg(path, what, q.lastError().text());
                return false;
            };
            auto run = [&](const QString &sql, const QVariantList &values = {}) {
                if (!q.prepare(sql))
                    return fail(sql.left(60));
                for (const QVariant &v : values)
                    q.addBindValue(v);
                return q.exec() || fail(sql.left(60));
            };
            // Written naive, local wall-clock time as datetime.now() would (SQLAlchemy's SQLite format).
            const QString now = QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000"));
            auto uuid = [] { return QUuid::createUuid().toRfc4122(); };
            bool ok = db.transaction() || fail(QStringLiteral("BEGIN"));
            for (const char *ddl : kSchema)
                ok = ok && run(QString::fromLatin1(ddl));
            ok = ok && run(QStringLiteral("INSERT INTO alembic_version (version_num) VALUES (?)"), {QString::fromLatin1(kAlembicHead)});
            for (const Database &d : kDatabases)
                ok = ok && run(QStringLiteral("INSERT INTO dbs (id, database_name, sqlalchemy_uri, cache_timeout, expose_in_sqllab, "
                                              "allow_run_async, extra, created_on, changed_on, uuid) VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?, ?)"),
                               {d.id, QString::fromLatin1(d.name), QString::fromLatin1(d.uri), nullable(d.timeout),
                                QStringLiteral("{\"metadata_cache_timeout\": {}}"), now, now, uuid()});
            for (const Dataset &ds : kDatasets) {
                const bool isVirtual = ds.table < 0;
                const QString table = isVirtual ? QStringLiteral("recent_orders") : chartTable(ds.table);
                const QVariant sql = isVirtual ? QVariant(QStringLiteral("SELECT * FROM %1 ORDER BY order_date DESC LIMIT 1000")
                                                              .arg(chartTable(0)))
                                               : QVariant(QMetaType(QMetaType::QString));
                ok = ok && run(QStringLiteral("INSERT INTO tables (id, cache_timeout, table_name, main_dttm_col, database_id, schema, "
                                              "sql, is_sqllab_view, created_on, changed_on, uuid) VALUES (?, ?, ?, 'order_date', ?, ?, ?, 0, ?, ?, ?)"),
                               {ds.id, nullable(ds.timeout), table, ds.database, QString::fromLatin1(ds.schema), sql, now, now, uuid()});
            }
            for (const Chart &c : kCharts) {
                QString params = QStringLiteral("{\"viz_type\": \"%1\"").arg(QString::fromLatin1(c.viz));
                if (c.dataset)
                    params += QStringLiteral(", \"datasource\": \"%1__table\"").arg(c.dataset);
                if (c.formDataTimeout)
                    params += QStringLiteral(", \"cache_timeout\": %1").arg(*c.formDataTimeout);
                params += u'}';
                const QVariant datasourceId = c.dataset ? QVariant(c.dataset) : QVariant(7);
                ok = ok && run(QStringLiteral("INSERT INTO slices (id, slice_name, datasource_id, datasource_type, viz_type, params, "
                                              "query_context, cache_timeout, created_on, changed_on, uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                               {c.id, QString::fromUtf8(c.name), datasourceId,
                                c.dataset ? QStringLiteral("table") : QStringLiteral("query"), QString::fromLatin1(c.viz), params,
                                QStringLiteral("{\"datasource\": {\"id\": %1, \"type\": \"table\"}}").arg(c.dataset),
                                nullable(c.timeout), now, now, uuid()});
            }
            int link = 0;
            for (const Dashboard &d : kDashboards) {
                ok = ok && run(QStringLiteral("INSERT INTO dashboards (id, dashboard_title, slug, published, created_on, changed_on, uuid) "
                                              "VALUES (?, ?, ?, 1, ?, ?, ?)"),
                               {d.id, QString::fromUtf8(d.title), QString::fromLatin1(d.slug), now, now, uuid()});
                for (int chart : d.charts)
                    ok = ok && run(QStringLiteral("INSERT INTO dashboard_slices (id, dashboard_id, slice_id) VALUES (?, ?, ?)"),
                                   {++link, d.id, chart});
            }
            // cache_keys as STORE_CACHE_KEYS_IN_METADATA_DB would have recorded the workload's writes.
            if (ok && chartDataKey && chartTable) {
                if (!q.prepare(QStringLiteral("INSERT INTO cache_keys (cache_key, cache_timeout, datasource_uid, created_on) "
                                              "VALUES (?, ?, ?, ?)")))
                    ok = fail(QStringLiteral("INSERT INTO cache_keys"));
                for (int chart = 0; ok && chart < workloadCharts; ++chart) {
                    int dataset = 0;
                    for (const Dataset &ds : kDatasets)
                        if (ds.table >= 0 && chartTable(ds.table) == chartTable(chart))
                            dataset = ds.id;
                    if (!dataset)
                        continue;
                    for (int v = 0; ok && v < variants; ++v) {
                        q.addBindValue(QString::fromLatin1(chartDataKey(chart, v)));
                        q.addBindValue(recordedTimeout);
                        q.addBindValue(QStringLiteral("%1__table").arg(dataset));
                        q.addBindValue(now);
                        ok = q.exec() || fail(QStringLiteral("INSERT INTO cache_keys"));
                    }
                }
            }
            if (ok && !db.commit())
                fail(QStringLiteral("COMMIT"));
            q.finish();
            if (!error.isEmpty())
                db.rollback();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    if (!error.isEmpty()) {
        QFile::remove(path);
        return makeError(error);
    }
    return true;
}

} // namespace cachescope
