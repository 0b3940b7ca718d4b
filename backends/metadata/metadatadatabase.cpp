// MetadataDatabase, first part: the connection, the schema, the snapshot and the timeout edits.
// The cache tables (cache_keys, key_value) are in metadatakeyvalue.cpp.
#include "metadatadatabase.h"

#include "supersetreleases.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QElapsedTimer>
#include <QUrl>

#include <algorithm>
#include <limits>

namespace cachescope {

namespace {

std::atomic<quint64> g_connectionCounter{0};

// The columns CacheScope reads, per table. A missing one is reported, never fatal
// (column names: METADATA.md, checked against superset/models/*.py at 1.5.0 ... 5.0.0rc2).
struct TableColumns
{
    const char *table;
    QList<const char *> columns;
};

const QList<TableColumns> &wantedSchema()
{
    static const QList<TableColumns> schema{
        {"dbs", {"id", "database_name", "sqlalchemy_uri", "cache_timeout", "extra"}},
        {"tables", {"id", "table_name", "schema", "catalog", "database_id", "cache_timeout", "sql"}},
        {"slices", {"id", "slice_name", "viz_type", "datasource_id", "datasource_type", "params", "query_context",
                    "cache_timeout"}},
        {"dashboards", {"id", "dashboard_title", "slug"}},
        {"dashboard_slices", {"dashboard_id", "slice_id"}},
        {"cache_keys", {"id", "cache_key", "cache_timeout", "datasource_uid", "created_on"}},
        {"key_value", {"id", "resource", "value", "uuid", "created_on", "created_by_fk", "changed_on", "changed_by_fk",
                       "expires_on"}},
        {"alembic_version", {"version_num"}},
    };
    return schema;
}

QString tableOf(MetadataKind kind)
{
    switch (kind) {
    case MetadataKind::Database:
        return QStringLiteral("dbs");
    case MetadataKind::Dataset:
        return QStringLiteral("tables");
    case MetadataKind::Chart:
        return QStringLiteral("slices");
    }
    return {};
}

QString nameColumnOf(MetadataKind kind)
{
    switch (kind) {
    case MetadataKind::Database:
        return QStringLiteral("database_name");
    case MetadataKind::Dataset:
        return QStringLiteral("table_name");
    case MetadataKind::Chart:
        return QStringLiteral("slice_name");
    }
    return {};
}

// Python's int() of a JSON value, as legacy viz.py applies it to form_data["cache_timeout"]:
// numbers are truncated, numeric strings parsed, booleans are 0/1; null and "" are "absent".
std::optional<qint64> pythonInt(const QJsonValue &v, QString *error)
{
    switch (v.type()) {
    case QJsonValue::Double:
        return qint64(v.toDouble());
    case QJsonValue::Bool:
        return v.toBool() ? 1 : 0;
    case QJsonValue::String: {
        const QString s = v.toString().trimmed();
        if (s.isEmpty())
            return std::nullopt;
        bool ok = false;
        const qint64 n = s.toLongLong(&ok);
        if (ok)
            return n;
        if (error)
            *error = QStringLiteral("cache_timeout '%1' in params is not a number").arg(v.toString().left(40));
        return std::nullopt;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return std::nullopt;
    default:
        if (error)
            *error = QStringLiteral("cache_timeout in params is not a number");
        return std::nullopt;
    }
}

MetadataCacheTimeouts metadataTimeouts(const QString &extra, QString *error)
{
    MetadataCacheTimeouts out;
    if (extra.trimmed().isEmpty())
        return out;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(extra.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("extra is not a JSON object (%1 at offset %2)").arg(pe.errorString()).arg(pe.offset);
        return out;
    }
    const QJsonValue mct = doc.object().value(QStringLiteral("metadata_cache_timeout"));
    if (!mct.isObject())
        return out;
    const QJsonObject o = mct.toObject();
    out.schema = pythonInt(o.value(QStringLiteral("schema_cache_timeout")), error);
    out.table = pythonInt(o.value(QStringLiteral("table_cache_timeout")), error);
    out.catalog = pythonInt(o.value(QStringLiteral("catalog_cache_timeout")), error);
    return out;
}

template<typename Row>
void sortById(QList<Row> &rows)
{
    auto byId = [](const Row &a, const Row &b) { return a.id < b.id; };
    if (std::is_sorted(rows.cbegin(), rows.cend(), byId))
        return;
    // Rows arrive out of order from a parallel scan: sort (id, position) pairs and move each row
    // once, instead of the many moves of a sort of the rows themselves (a ChartRow is ~150 bytes).
    std::vector<std::pair<qint64, qsizetype>> order;
    order.reserve(size_t(rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i)
        order.emplace_back(rows.at(i).id, i);
    std::sort(order.begin(), order.end());
    QList<Row> sorted;
    sorted.reserve(rows.size());
    for (const auto &entry : order)
        sorted.append(std::move(rows[entry.second]));
    rows = std::move(sorted);
}

} // namespace

std::optional<qint64> MetadataDatabase::nullableInt(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    return ok ? std::optional<qint64>(n) : std::nullopt;
}

MetadataDatabase::MetadataDatabase(MetadataUri uri) : m_uri(std::move(uri))
{
    m_connectionName = QStringLiteral("cachescope-metadata-%1").arg(g_connectionCounter.fetch_add(1) + 1);
}

MetadataDatabase::~MetadataDatabase()
{
    close();
}

QSqlDatabase MetadataDatabase::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

bool MetadataDatabase::isOpen() const
{
    return m_open;
}

void MetadataDatabase::close()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = database();
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_open = false;
}

QString MetadataDatabase::scrub(QString text) const
{
    // Drivers quote connection strings in some errors; a password of 1-2 characters would turn
    // every message into noise, and cannot be told apart from ordinary text anyway.
    const QString &pw = m_uri.password;
    if (pw.size() >= 3) {
        text.replace(pw, QStringLiteral("***"));
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(pw));
        if (encoded != pw)
            text.replace(encoded, QStringLiteral("***"));
    }
    return text;
}

Error MetadataDatabase::failure(const QString &what, const QString &driverText) const
{
    return makeError(scrub(QStringLiteral("metadata database %1: %2: %3").arg(m_uri.redacted(), what, driverText.trimmed())));
}

Error MetadataDatabase::failure(const QString &what, const QSqlQuery &query) const
{
    const QSqlError e = query.lastError();
    QString text = e.databaseText();
    if (!e.driverText().isEmpty() && !text.contains(e.driverText()))
        text = text.isEmpty() ? e.driverText() : e.driverText() + QStringLiteral(": ") + text;
    return failure(what, text);
}

QString MetadataDatabase::quoted(const QString &identifier) const
{
    return database().driver()->escapeIdentifier(identifier, QSqlDriver::FieldName);
}

Expected<bool> MetadataDatabase::connect(bool readOnly)
{
    close();
    const QString driver = m_uri.qtDriver();
    if (!QSqlDatabase::isDriverAvailable(driver))
        return makeError(QStringLiteral("metadata database %1: the Qt %2 driver (%3) is not installed: apt-get install %4")
                             .arg(m_uri.redacted(), m_uri.dialectName(), driver, m_uri.driverPackage()));
    if (m_uri.dialect == MetadataUri::Dialect::Sqlite && !m_uri.sqliteUri) {
        // QSQLITE would create a missing file when writable, and says only "unable to open"
        // when read-only: name the cause instead.
        const QFileInfo file(m_uri.database);
        if (!file.exists())
            return makeError(QStringLiteral("metadata database %1: the SQLite file %2 does not exist")
                                 .arg(m_uri.redacted(), m_uri.database));
        if (!file.isFile())
            return makeError(QStringLiteral("metadata database %1: %2 is not a file").arg(m_uri.redacted(), m_uri.database));
        if (!file.isReadable())
            return makeError(QStringLiteral("metadata database %1: the SQLite file %2 is not readable")
                                 .arg(m_uri.redacted(), m_uri.database));
    }

    QStringList options;
    if (!m_uri.connectOptions.isEmpty())
        options.append(m_uri.connectOptions);
    switch (m_uri.dialect) {
    case MetadataUri::Dialect::Sqlite:
        if (readOnly)
            options.append(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (m_uri.sqliteUri)
            options.append(QStringLiteral("QSQLITE_OPEN_URI"));
        break;
    case MetadataUri::Dialect::Postgresql:
        if (!m_uri.connectOptions.contains(QStringLiteral("connect_timeout=")))
            options.append(QStringLiteral("connect_timeout='10'"));
        break;
    case MetadataUri::Dialect::Mysql:
        if (!m_uri.connectOptions.contains(QStringLiteral("MYSQL_OPT_CONNECT_TIMEOUT")))
            options.append(QStringLiteral("MYSQL_OPT_CONNECT_TIMEOUT=10"));
        // Matched rows instead of changed rows, so an UPDATE that writes the same value still
        // says the row exists (the upsert depends on it).
        options.append(QStringLiteral("CLIENT_FOUND_ROWS"));
        break;
    }

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, m_connectionName);
        db.setDatabaseName(m_uri.database);
        if (!m_uri.host.isEmpty())
            db.setHostName(m_uri.host);
        if (m_uri.port > 0)
            db.setPort(m_uri.port);
        if (!m_uri.user.isEmpty())
            db.setUserName(m_uri.user);
        if (!m_uri.password.isEmpty())
            db.setPassword(m_uri.password);
        db.setConnectOptions(options.join(u';'));
        if (!db.open()) {
            const QSqlError e = db.lastError();
            const QString text = e.databaseText().isEmpty() ? e.driverText() : e.databaseText();
            Error err = failure(QStringLiteral("cannot connect"), text);
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connectionName);
            return err;
        }
    }
    m_open = true;
    auto session = setSessionReadOnly(readOnly);
    if (!session) {
        close();
        return session;
    }
    m_readOnly = readOnly;
    return true;
}

Expected<bool> MetadataDatabase::setSessionReadOnly(bool readOnly)
{
    QSqlQuery q(database());
    switch (m_uri.dialect) {
    case MetadataUri::Dialect::Sqlite:
        return true; // the open flag decides
    case MetadataUri::Dialect::Postgresql:
        // Timestamps with a time zone (recent Superset's expires_on) come back in UTC.
        if (!q.exec(QStringLiteral("SET TIME ZONE 'UTC'")))
            return failure(QStringLiteral("cannot set the session time zone"), q);
        if (!q.exec(readOnly ? QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                             : QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")))
            return failure(QStringLiteral("cannot set the session %1").arg(readOnly ? u"read-only" : u"read-write"), q);
        return true;
    case MetadataUri::Dialect::Mysql:
        if (!q.exec(readOnly ? QStringLiteral("SET SESSION TRANSACTION READ ONLY")
                             : QStringLiteral("SET SESSION TRANSACTION READ WRITE")))
            return failure(QStringLiteral("cannot set the session %1").arg(readOnly ? u"read-only" : u"read-write"), q);
        return true;
    }
    return true;
}

Expected<SchemaInfo> MetadataDatabase::open()
{
    auto connected = connect(true);
    if (!connected)
        return Error{connected.error()};
    auto info = inspect();
    if (!info) {
        close();
        return info;
    }
    m_schema = *info;
    return info;
}

Expected<SchemaInfo> MetadataDatabase::inspect()
{
    QSqlDatabase db = database();
    SchemaInfo info;
    info.driver = m_uri.qtDriver();
    info.dialect = m_uri.dialectName();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // SQLite reads the file only when a query needs it: count its schema so that a file that
    // is not a database fails here, by name.
    const QString versionSql = m_uri.dialect == MetadataUri::Dialect::Sqlite
                                   ? QStringLiteral("SELECT sqlite_version(), (SELECT COUNT(*) FROM sqlite_master)")
                               : m_uri.dialect == MetadataUri::Dialect::Postgresql ? QStringLiteral("SHOW server_version")
                                                                                   : QStringLiteral("SELECT VERSION()");
    if (!q.exec(versionSql))
        return failure(QStringLiteral("cannot read"), q);
    if (q.next())
        info.serverVersion = q.value(0).toString();
    q.finish();

    const QStringList existing = db.tables(QSql::Tables);
    for (const TableColumns &t : wantedSchema()) {
        const QString table = QString::fromLatin1(t.table);
        // tables() is the driver's catalogue; record() of a missing table is empty.
        const QSqlRecord record = db.record(table);
        if (record.isEmpty() && !existing.contains(table, Qt::CaseInsensitive)) {
            info.missingTables.append(table);
            continue;
        }
        for (const char *c : t.columns) {
            const QString column = QString::fromLatin1(c);
            if (record.indexOf(column) < 0)
                info.missingColumns.append(table + u'.' + column);
        }
    }
    if (!info.hasTable(QStringLiteral("dbs")) && !info.hasTable(QStringLiteral("tables"))
        && !info.hasTable(QStringLiteral("slices")))
        return makeError(QStringLiteral("metadata database %1 is not a Superset metadata database: it has no dbs, tables "
                                        "or slices table (wrong database, or `superset db upgrade` never ran)")
                             .arg(m_uri.redacted()));

    if (info.hasTable(QStringLiteral("alembic_version"))) {
        if (!q.exec(QStringLiteral("SELECT version_num FROM alembic_version")))
            return failure(QStringLiteral("cannot read alembic_version"), q);
        if (q.next())
            info.alembicRevision = q.value(0).toString().trimmed();
        q.finish();
    }
    const SupersetRelease release = supersetReleaseForRevision(info.alembicRevision);
    info.release = release.release;
    info.releaseFamily = release.family;
    info.releaseKnown = release.known;
    return info;
}

Expected<bool> MetadataDatabase::unlockWrites()
{
    if (!m_open)
        return makeError(QStringLiteral("metadata database %1 is not open").arg(m_uri.redacted()));
    if (!m_readOnly)
        return true;
    if (m_uri.dialect == MetadataUri::Dialect::Sqlite)
        return connect(false); // the open flag cannot change on an open handle
    auto set = setSessionReadOnly(false);
    if (set)
        m_readOnly = false;
    return set;
}

Expected<bool> MetadataDatabase::lockWrites()
{
    if (!m_open || m_readOnly)
        return true;
    if (m_uri.dialect == MetadataUri::Dialect::Sqlite)
        return connect(true);
    auto set = setSessionReadOnly(true);
    if (set)
        m_readOnly = true;
    return set;
}

Expected<bool> MetadataDatabase::requireWritable(const QString &operation) const
{
    if (!m_open)
        return makeError(QStringLiteral("%1 refused: metadata database %2 is not open").arg(operation, m_uri.redacted()));
    if (m_readOnly)
        return makeError(QStringLiteral("%1 refused: metadata database %2 is open read-only (unlock writes for this "
                                        "connection first)")
                             .arg(operation, m_uri.redacted()));
    return true;
}

Expected<bool> MetadataDatabase::requireTable(const QString &table) const
{
    if (!m_open)
        return makeError(QStringLiteral("metadata database %1 is not open").arg(m_uri.redacted()));
    if (!m_schema.hasTable(table))
        return makeError(QStringLiteral("metadata database %1 has no %2 table (Superset %3)")
                             .arg(m_uri.redacted(), table,
                                  m_schema.release.isEmpty() ? QStringLiteral("release unknown") : m_schema.release));
    return true;
}

Expected<bool> MetadataDatabase::begin()
{
    QSqlDatabase db = database();
    if (!db.transaction())
        return failure(QStringLiteral("cannot begin a transaction"), db.lastError().text());
    return true;
}

Expected<bool> MetadataDatabase::commit()
{
    QSqlDatabase db = database();
    if (!db.commit()) {
        const QString text = db.lastError().text();
        db.rollback();
        return failure(QStringLiteral("cannot commit"), text);
    }
    return true;
}

void MetadataDatabase::rollback()
{
    database().rollback();
}

QString MetadataDatabase::formatNaive(const QDateTime &naive)
{
    const QDate d = naive.date();
    const QTime t = naive.time();
    return QStringLiteral("%1-%2-%3 %4:%5:%6.%7")
        .arg(d.year(), 4, 10, QLatin1Char('0'))
        .arg(d.month(), 2, 10, QLatin1Char('0'))
        .arg(d.day(), 2, 10, QLatin1Char('0'))
        .arg(t.hour(), 2, 10, QLatin1Char('0'))
        .arg(t.minute(), 2, 10, QLatin1Char('0'))
        .arg(t.second(), 2, 10, QLatin1Char('0'))
        .arg(t.msec() * 1000, 6, 10, QLatin1Char('0'));
}

QDateTime MetadataDatabase::toNaive(const QVariant &value)
{
    if (value.isNull() || !value.isValid())
        return {};
    if (value.metaType().id() == QMetaType::QDateTime) {
        QDateTime dt = value.toDateTime();
        if (!dt.isValid())
            return {};
        if (dt.timeSpec() == Qt::OffsetFromUTC || dt.timeSpec() == Qt::UTC)
            dt = dt.toUTC(); // a timestamp with a time zone: its UTC wall clock
        return QDateTime(dt.date(), dt.time(), Qt::UTC);
    }
    // Text: "YYYY-MM-DD HH:MM:SS[.ffffff]" (SQLAlchemy on SQLite) or ISO with 'T'.
    const QString s = value.toString().trimmed();
    if (s.size() < 10)
        return {};
    const QDate date = QDate::fromString(s.left(10), Qt::ISODate);
    if (!date.isValid())
        return {};
    QTime time(0, 0);
    if (s.size() >= 19) {
        time = QTime::fromString(s.mid(11, 8), QStringLiteral("HH:mm:ss"));
        if (!time.isValid())
            return {};
        if (s.size() > 20 && s.at(19) == u'.') {
            QString frac = s.mid(20);
            qsizetype digits = 0;
            while (digits < frac.size() && frac.at(digits).isDigit())
                ++digits;
            frac = frac.left(std::min<qsizetype>(digits, 3)).leftJustified(3, u'0');
            time = time.addMSecs(frac.toInt());
        }
    }
    return QDateTime(date, time, Qt::UTC);
}

QVariant MetadataDatabase::uuidParameter(const QUuid &uuid) const
{
    // sqlalchemy_utils UUIDType(binary=True): native uuid on PostgreSQL, 16 raw bytes elsewhere.
    if (m_uri.dialect == MetadataUri::Dialect::Postgresql)
        return uuid.toString(QUuid::WithoutBraces);
    return uuid.toRfc4122();
}

QUuid MetadataDatabase::uuidFrom(const QVariant &value) const
{
    if (value.metaType().id() == QMetaType::QByteArray) {
        const QByteArray bytes = value.toByteArray();
        if (bytes.size() == 16)
            return QUuid::fromRfc4122(bytes);
        return QUuid::fromString(QString::fromLatin1(bytes));
    }
    return QUuid::fromString(value.toString());
}

Expected<MetadataSnapshot> MetadataDatabase::snapshot(const std::function<bool()> &isCancelled)
{
    if (!m_open)
        return makeError(QStringLiteral("metadata database %1 is not open").arg(m_uri.redacted()));
    QElapsedTimer timer;
    timer.start();
    MetadataSnapshot out;
    out.schema = m_schema;
    QSqlDatabase db = database();
    const bool pg = m_uri.dialect == MetadataUri::Dialect::Postgresql;
    const bool my = m_uri.dialect == MetadataUri::Dialect::Mysql;
    auto has = [&](const char *table, const char *column) {
        return m_schema.hasColumn(QString::fromLatin1(table), QString::fromLatin1(column));
    };
    // A column, or NULL when this release has no such column.
    auto col = [&](const char *table, const char *column) {
        return has(table, column) ? quoted(QString::fromLatin1(column)) : QStringLiteral("NULL");
    };
    auto cancelled = [&] { return isCancelled && isCancelled(); };
    auto cancelError = [&] { return makeError(QStringLiteral("metadata database %1: reading cancelled").arg(m_uri.redacted())); };
    const QString instr = pg ? QStringLiteral("strpos(%1, %2)") : QStringLiteral("instr(%1, %2)");

    // One read transaction, so the tables are read as of one moment (PostgreSQL: one snapshot).
    auto began = begin();
    if (!began)
        return Error{began.error()};
    struct Rollback
    {
        MetadataDatabase *self;
        ~Rollback() { self->rollback(); }
    } guard{this};
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (pg && !q.exec(QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")))
        return failure(QStringLiteral("cannot start a consistent read"), q);

    if (m_schema.hasTable(QStringLiteral("dbs"))) {
        // The scheme is cut out of sqlalchemy_uri by the server: the URI (and its password)
        // never reaches CacheScope.
        const QString uri = quoted(QStringLiteral("sqlalchemy_uri"));
        const QString scheme = !has("dbs", "sqlalchemy_uri") ? QStringLiteral("NULL")
                               : pg ? QStringLiteral("split_part(%1, ':', 1)").arg(uri)
                               : my ? QStringLiteral("SUBSTRING_INDEX(%1, ':', 1)").arg(uri)
                                    : QStringLiteral("substr(%1, 1, instr(%1, ':') - 1)").arg(uri);
        const QString sql = QStringLiteral("SELECT %1, %2, %3, %4, %5 FROM %6")
                                .arg(col("dbs", "id"), col("dbs", "database_name"), scheme, col("dbs", "cache_timeout"),
                                     col("dbs", "extra"), quoted(QStringLiteral("dbs")));
        if (!q.exec(sql))
            return failure(QStringLiteral("cannot read dbs"), q);
        while (q.next()) {
            DatabaseRow row;
            row.id = q.value(0).toLongLong();
            row.name = q.value(1).toString();
            row.backend = q.value(2).toString().section(u'+', 0, 0);
            row.cacheTimeout = nullableInt(q.value(3));
            row.metadataCacheTimeout = metadataTimeouts(q.value(4).toString(), &row.extraError);
            if (!row.extraError.isEmpty())
                out.warnings.append(QStringLiteral("database %1 (%2): %3").arg(row.id).arg(row.name, row.extraError));
            out.databases.append(std::move(row));
        }
        q.finish();
        sortById(out.databases);
    }
    if (cancelled())
        return cancelError();

    if (m_schema.hasTable(QStringLiteral("tables"))) {
        const QString sqlCol = quoted(QStringLiteral("sql"));
        const QString isVirtual = has("tables", "sql")
                                      ? QStringLiteral("CASE WHEN %1 IS NULL OR %1 = '' THEN 0 ELSE 1 END").arg(sqlCol)
                                      : QStringLiteral("0");
        const QString sql = QStringLiteral("SELECT %1, %2, %3, %4, %5, %6, %7 FROM %8")
                                .arg(col("tables", "id"), col("tables", "table_name"), col("tables", "schema"),
                                     col("tables", "catalog"), col("tables", "database_id"), col("tables", "cache_timeout"),
                                     isVirtual, quoted(QStringLiteral("tables")));
        if (!q.exec(sql))
            return failure(QStringLiteral("cannot read tables"), q);
        int n = 0;
        while (q.next()) {
            if ((++n & 4095) == 0 && cancelled())
                return cancelError();
            DatasetRow row;
            row.id = q.value(0).toLongLong();
            row.tableName = q.value(1).toString();
            row.schema = q.value(2).toString();
            row.catalog = q.value(3).toString();
            row.databaseId = q.value(4).toLongLong();
            row.cacheTimeout = nullableInt(q.value(5));
            row.isVirtual = q.value(6).toInt() != 0;
            out.datasets.append(std::move(row));
        }
        q.finish();
        sortById(out.datasets);
    }

    if (m_schema.hasTable(QStringLiteral("slices"))) {
        // params (the saved form data, often kilobytes) is fetched only for the rows that
        // mention cache_timeout; query_context only as present or not.
        const QString params = quoted(QStringLiteral("params"));
        const QString paramsExpr =
            has("slices", "params")
                ? QStringLiteral("CASE WHEN %1 > 0 THEN %2 END").arg(instr.arg(params, QStringLiteral("'cache_timeout'")), params)
                : QStringLiteral("NULL");
        const QString qc = quoted(QStringLiteral("query_context"));
        const QString qcExpr = has("slices", "query_context")
                                   ? QStringLiteral("CASE WHEN %1 IS NULL OR %1 = '' THEN 0 ELSE 1 END").arg(qc)
                                   : QStringLiteral("0");
        const QString sql = QStringLiteral("SELECT %1, %2, %3, %4, %5, %6, %7, %8 FROM %9")
                                .arg(col("slices", "id"), col("slices", "slice_name"), col("slices", "viz_type"),
                                     col("slices", "datasource_id"), col("slices", "datasource_type"),
                                     col("slices", "cache_timeout"), paramsExpr, qcExpr, quoted(QStringLiteral("slices")));
        if (!q.exec(sql))
            return failure(QStringLiteral("cannot read slices"), q);
        int n = 0;
        QString lastViz;
        QString lastType;
        while (q.next()) {
            if ((++n & 4095) == 0 && cancelled())
                return cancelError();
            ChartRow row;
            row.id = q.value(0).toLongLong();
            row.name = q.value(1).toString();
            // Few distinct viz and datasource types: share their strings instead of one copy a row.
            QString viz = q.value(2).toString();
            if (viz != lastViz)
                lastViz = std::move(viz);
            row.vizType = lastViz;
            QString type = q.value(4).toString();
            if (type != lastType)
                lastType = std::move(type);
            row.datasourceType = lastType;
            row.datasourceId = nullableInt(q.value(3));
            row.cacheTimeout = nullableInt(q.value(5));
            const QVariant p = q.value(6);
            if (!p.isNull()) {
                QJsonParseError pe;
                const QJsonDocument doc = QJsonDocument::fromJson(p.toString().toUtf8(), &pe);
                if (pe.error != QJsonParseError::NoError || !doc.isObject())
                    row.paramsError = QStringLiteral("params is not a JSON object (%1)").arg(pe.errorString());
                else
                    row.formDataCacheTimeout =
                        pythonInt(doc.object().value(QStringLiteral("cache_timeout")), &row.paramsError);
            }
            row.hasQueryContext = q.value(7).toInt() != 0;
            out.charts.append(std::move(row));
        }
        q.finish();
        sortById(out.charts);
    }
    if (cancelled())
        return cancelError();

    if (m_schema.hasTable(QStringLiteral("dashboards"))) {
        const QString sql = QStringLiteral("SELECT %1, %2, %3 FROM %4")
                                .arg(col("dashboards", "id"), col("dashboards", "dashboard_title"),
                                     col("dashboards", "slug"), quoted(QStringLiteral("dashboards")));
        if (!q.exec(sql))
            return failure(QStringLiteral("cannot read dashboards"), q);
        while (q.next())
            out.dashboards.append(DashboardRow{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString()});
        q.finish();
        sortById(out.dashboards);
    }
    if (m_schema.hasColumn(QStringLiteral("dashboard_slices"), QStringLiteral("slice_id"))
        && m_schema.hasColumn(QStringLiteral("dashboard_slices"), QStringLiteral("dashboard_id"))) {
        const QString sql = QStringLiteral("SELECT %1, %2 FROM %3")
                                .arg(quoted(QStringLiteral("slice_id")), quoted(QStringLiteral("dashboard_id")),
                                     quoted(QStringLiteral("dashboard_slices")));
        if (!q.exec(sql))
            return failure(QStringLiteral("cannot read dashboard_slices"), q);
        auto byId = [](const ChartRow &c, qint64 id) { return c.id < id; };
        while (q.next()) {
            const qint64 sliceId = q.value(0).toLongLong();
            auto it = std::lower_bound(out.charts.begin(), out.charts.end(), sliceId, byId);
            if (it != out.charts.end() && it->id == sliceId)
                it->dashboardIds.append(q.value(1).toLongLong());
        }
        q.finish();
        for (ChartRow &c : out.charts)
            std::sort(c.dashboardIds.begin(), c.dashboardIds.end());
    }

    if (m_schema.hasTable(QStringLiteral("cache_keys"))) {
        if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(quoted(QStringLiteral("cache_keys")))))
            return failure(QStringLiteral("cannot count cache_keys"), q);
        if (q.next())
            out.cacheKeyCount = q.value(0).toLongLong();
        q.finish();
    }
    if (m_schema.hasColumn(QStringLiteral("key_value"), QStringLiteral("resource"))) {
        q.prepare(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE %2 = ?")
                      .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource"))));
        q.addBindValue(QStringLiteral("superset_metastore_cache"));
        if (!q.exec())
            return failure(QStringLiteral("cannot count key_value"), q);
        if (q.next())
            out.metastoreCount = q.value(0).toLongLong();
        q.finish();
    }
    out.loadMs = timer.elapsed();
    return out;
}

QString MetadataDatabase::cacheTimeoutSql(MetadataKind kind, qint64 id, std::optional<qint64> seconds) const
{
    auto quote = [this](const QString &identifier) -> QString {
        if (QSqlDatabase::contains(m_connectionName) && database().driver())
            return quoted(identifier);
        const QChar q = m_uri.dialect == MetadataUri::Dialect::Mysql ? u'`' : u'"';
        return q + identifier + q;
    };
    return QStringLiteral("UPDATE %1 SET %2 = %3 WHERE %4 = %5;")
        .arg(quote(tableOf(kind)), quote(QStringLiteral("cache_timeout")),
             seconds ? QString::number(*seconds) : QStringLiteral("NULL"), quote(QStringLiteral("id")))
        .arg(id);
}

Expected<TimeoutChange> MetadataDatabase::setCacheTimeout(MetadataKind kind, qint64 id, std::optional<qint64> seconds)
{
    const QString what = QStringLiteral("setting the cache_timeout of %1 %2").arg(metadataKindName(kind)).arg(id);
    auto writable = requireWritable(what);
    if (!writable)
        return Error{writable.error()};
    const QString table = tableOf(kind);
    if (!m_schema.hasColumn(table, QStringLiteral("cache_timeout")))
        return makeError(QStringLiteral("%1 refused: %2.cache_timeout does not exist in metadata database %3")
                             .arg(what, table, m_uri.redacted()));
    // Superset's columns are sqlalchemy Integer: 32 bits on every dialect.
    if (seconds && (*seconds < std::numeric_limits<qint32>::min() || *seconds > std::numeric_limits<qint32>::max()))
        return makeError(QStringLiteral("%1 refused: %2 does not fit the INTEGER column %3.cache_timeout")
                             .arg(what)
                             .arg(*seconds)
                             .arg(table));

    TimeoutChange change;
    change.kind = kind;
    change.id = id;
    change.after = seconds;
    change.sql = cacheTimeoutSql(kind, id, seconds);

    auto began = begin();
    if (!began)
        return Error{began.error()};
    QSqlQuery q(database());
    q.setForwardOnly(true);
    const QString lock = m_uri.dialect == MetadataUri::Dialect::Sqlite ? QString() : QStringLiteral(" FOR UPDATE");
    const QString select = QStringLiteral("SELECT %1, %2 FROM %3 WHERE %4 = ?%5")
                               .arg(quoted(nameColumnOf(kind)), quoted(QStringLiteral("cache_timeout")), quoted(table),
                                    quoted(QStringLiteral("id")), lock);
    q.prepare(select);
    q.addBindValue(id);
    if (!q.exec()) {
        Error e = failure(what, q);
        rollback();
        return e;
    }
    if (!q.next()) {
        rollback();
        return makeError(QStringLiteral("%1 refused: there is no %2 with id %3 in metadata database %4")
                             .arg(what, metadataKindName(kind))
                             .arg(id)
                             .arg(m_uri.redacted()));
    }
    change.name = q.value(0).toString();
    change.before = nullableInt(q.value(1));
    q.finish();

    q.prepare(QStringLiteral("UPDATE %1 SET %2 = ? WHERE %3 = ?")
                  .arg(quoted(table), quoted(QStringLiteral("cache_timeout")), quoted(QStringLiteral("id"))));
    q.addBindValue(seconds ? QVariant(*seconds) : QVariant(QMetaType::fromType<qint64>()));
    q.addBindValue(id);
    if (!q.exec()) {
        Error e = failure(what, q);
        rollback();
        return e;
    }
    if (q.numRowsAffected() != 1) {
        const int affected = q.numRowsAffected();
        rollback();
        return makeError(QStringLiteral("%1: the UPDATE matched %2 rows instead of 1; nothing was changed").arg(what).arg(affected));
    }
    q.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?")
                  .arg(quoted(QStringLiteral("cache_timeout")), quoted(table), quoted(QStringLiteral("id"))));
    q.addBindValue(id);
    if (!q.exec() || !q.next()) {
        Error e = failure(what, q);
        rollback();
        return e;
    }
    change.after = nullableInt(q.value(0));
    q.finish();
    auto committed = commit();
    if (!committed)
        return Error{committed.error()};
    change.written = true;
    return change;
}

} // namespace cachescope
