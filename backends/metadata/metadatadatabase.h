#pragma once

#include "common/expected.h"
#include "metadatatypes.h"
#include "metadatauri.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QUuid>

#include <functional>
#include <optional>

class QSqlDatabase;
class QSqlQuery;

namespace cachescope {

// A blocking connection to Superset's metadata database through QtSql (design: METADATA.md).
// Every call blocks, so it is used on a worker thread only (MetadataWorker owns one); QtSql
// connections belong to the thread that opened them, so one instance is opened, used and
// destroyed on one thread. Each instance has its own uniquely named QSqlDatabase connection.
//
// Safe by default: open() is read-only (SQLite opened with QSQLITE_OPEN_READONLY; PostgreSQL and
// MySQL sessions set to read-only transactions), and every write is refused with a clear message
// until unlockWrites(). Errors name the database by its redacted URI and never contain the
// password, also when a driver's own message would have quoted it.
//
// Date-times: Superset writes naive datetime.now() values (server-local time, or UTC in recent
// releases). They are returned as stored, as wall-clock QDateTimes with Qt::UTC as their spec so
// that no time-zone conversion ever touches them ("naive"); callers decide what they mean.
class MetadataDatabase
{
public:
    explicit MetadataDatabase(MetadataUri uri);
    ~MetadataDatabase();
    MetadataDatabase(const MetadataDatabase &) = delete;
    MetadataDatabase &operator=(const MetadataDatabase &) = delete;

    const MetadataUri &uri() const { return m_uri; }
    // The QtSql connection's name (unique per instance), for diagnostics and tests on this thread.
    QString connectionName() const { return m_connectionName; }
    QString redactedUri() const { return m_uri.redacted(); }

    // Connects read-only and inspects the schema. A missing Qt driver, a missing SQLite file, a
    // refused login or a database without Superset's tables is one message naming the cause.
    Expected<SchemaInfo> open();
    bool isOpen() const;
    void close();
    const SchemaInfo &schemaInfo() const { return m_schema; }

    bool isReadOnly() const { return m_readOnly; }
    // Explicit, per connection: SQLite is reopened read-write (never created), a server session
    // switches to read-write transactions.
    Expected<bool> unlockWrites();
    Expected<bool> lockWrites();

    // Reads dbs, tables, slices, dashboards/dashboard_slices, the counts of cache_keys and of
    // the metastore cache's key_value rows, inside one read transaction. Missing tables or
    // columns are skipped (SchemaInfo lists them); rows that cannot be read completely are
    // kept with their error text. isCancelled, when given, is polled and ends early with an error.
    Expected<MetadataSnapshot> snapshot(const std::function<bool()> &isCancelled = {});

    // The statement setCacheTimeout runs, with literal values, for a dry run.
    QString cacheTimeoutSql(MetadataKind kind, qint64 id, std::optional<qint64> seconds) const;
    // Sets (or with nullopt, clears to NULL) one object's cache_timeout in ONE transaction and
    // reads it back. Refused on a read-only connection; an unknown id or a value that does not
    // fit Superset's INTEGER column is an error and changes nothing.
    Expected<TimeoutChange> setCacheTimeout(MetadataKind kind, qint64 id, std::optional<qint64> seconds);

    // cache_keys rows with id > afterId (ascending), optionally of one datasource ("12__table").
    Expected<QList<CacheKeyRow>> cacheKeys(qint64 afterId = 0, int limit = 1000, const QString &datasourceUid = {});
    Expected<qint64> cacheKeyCount();

    // key_value, as Superset's KeyValueDAO uses it (superset/daos/key_value.py @ 4.1.0).
    // The row of (resource, uuid), with its value; nullopt when there is none (expired rows are
    // returned: the caller decides, as KeyValueEntry.is_expired does).
    Expected<std::optional<KeyValueRow>> keyValueEntry(const QString &resource, const QUuid &uuid);
    // Rows of one resource with id > afterId, ascending, without values (valueSize is set).
    Expected<QList<KeyValueRow>> keyValueEntries(const QString &resource, qint64 afterId = 0, int limit = 1000);
    Expected<qint64> keyValueCount(const QString &resource);
    // upsert_entry: updates value, expires_on, changed_on (and changed_by_fk = NULL) of the row,
    // or inserts (resource, value, uuid, created_on, expires_on). One transaction. now is the
    // naive time Superset would have written (datetime.now()).
    Expected<bool> keyValueUpsert(const QString &resource, const QUuid &uuid, const QByteArray &value,
                                  const QDateTime &expiresOn, const QDateTime &now);
    // The metastore cache's add() (3.0+): delete_expired_entries(resource) then create_entry in
    // one transaction; false, and nothing changed, when a row with that uuid exists already.
    Expected<bool> keyValueAdd(const QString &resource, const QUuid &uuid, const QByteArray &value,
                               const QDateTime &expiresOn, const QDateTime &now);
    // delete_entry: true when a row was deleted.
    Expected<bool> keyValueDelete(const QString &resource, const QUuid &uuid);
    // Changes expires_on (invalid = NULL = never) of one row, and its changed_on; true when it existed.
    Expected<bool> keyValueSetExpiry(const QString &resource, const QUuid &uuid, const QDateTime &expiresOn,
                                     const QDateTime &now);

    // "YYYY-MM-DD HH:MM:SS.ffffff", the text SQLAlchemy's SQLite DATETIME stores (and every
    // dialect accepts): SQLite compares these as strings, so the format must be exactly this.
    static QString formatNaive(const QDateTime &naive);
    // Reads what a driver returns for a DATETIME column (QDateTime or text) as a naive value.
    static QDateTime toNaive(const QVariant &value);

private:
    QSqlDatabase database() const;
    Expected<bool> connect(bool readOnly);
    Expected<bool> setSessionReadOnly(bool readOnly);
    Expected<SchemaInfo> inspect();
    QString quoted(const QString &identifier) const;
    QString scrub(QString text) const;            // removes the password from driver messages
    Error failure(const QString &what, const QSqlQuery &query) const;
    Error failure(const QString &what, const QString &driverText) const;
    Expected<bool> requireWritable(const QString &operation) const;
    Expected<bool> requireTable(const QString &table) const;
    QString keyValueColumns(bool withValue) const;
    KeyValueRow keyValueRow(const QSqlQuery &query) const; // a row selected with keyValueColumns
    Expected<bool> requireKeyValueWrite(const QString &operation) const;
    bool insertKeyValue(QSqlQuery &query, const QString &resource, const QUuid &uuid, const QByteArray &value,
                        const QDateTime &expiresOn, const QDateTime &now) const;
    static std::optional<qint64> nullableInt(const QVariant &value); // NULL -> nullopt
    QVariant uuidParameter(const QUuid &uuid) const;
    QUuid uuidFrom(const QVariant &value) const;
    Expected<bool> begin();
    Expected<bool> commit();
    void rollback();

    MetadataUri m_uri;
    QString m_connectionName;
    SchemaInfo m_schema;
    bool m_readOnly = true;
    bool m_open = false;
};

} // namespace cachescope
