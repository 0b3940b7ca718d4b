#include "tracerecording.h"

#include "tracereader.h"
#include "tracewriter.h"

#include <QAtomicInt>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <limits>

namespace cachescope {

namespace {

QAtomicInt g_connections;

// One QtSql connection, removed with this object.
class Connection
{
public:
    explicit Connection(const QString &path, bool readOnly)
        : m_name(QStringLiteral("cachescope-trace-%1").arg(g_connections.fetchAndAddRelaxed(1)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        // The window's recorder writes the same file on its own connection: wait for its lock.
        db.setConnectOptions(readOnly ? QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000")
                                      : QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    ~Connection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
};

class RecordingReader : public TraceReader
{
public:
    explicit RecordingReader(const QString &path) : TraceReader(TraceFormat::Recording, path), m_connection(path, true) {}

    Expected<bool> openTrace()
    {
        QSqlDatabase db = m_connection.db();
        if (!db.open())
            return makeError(QStringLiteral("cannot open recording %1: %2").arg(name(), db.lastError().text()));
        const QStringList tables = db.tables();
        if (!tables.contains(QStringLiteral("capacity_trace")) || !tables.contains(QStringLiteral("capacity_meta"))) {
            qint64 samples = 0;
            if (tables.contains(QStringLiteral("hit_samples"))) {
                QSqlQuery count(db);
                if (count.exec(QStringLiteral("SELECT COUNT(*) FROM hit_samples")) && count.next())
                    samples = count.value(0).toLongLong();
            }
            return makeError(tables.contains(QStringLiteral("hit_samples"))
                                 ? QStringLiteral("%1 is a recording of %2 hit-rate sample(s) without a request trace: "
                                                  "it holds rates, not requests. Record with the Capacity page's capture "
                                                  "on, or use `cachescope capacity record`")
                                       .arg(name())
                                       .arg(samples)
                                 : QStringLiteral("%1 is an SQLite file without a CacheScope request trace (no "
                                                  "capacity_trace table)")
                                       .arg(name()));
        }
        QSqlQuery meta(db);
        if (!meta.exec(QStringLiteral("SELECT value FROM capacity_meta WHERE key = 'header'")) || !meta.next())
            return makeError(QStringLiteral("%1: the trace has no header (capacity_meta)").arg(name()));
        auto header = traceHeaderFromJson(meta.value(0).toString().toUtf8(), name());
        if (!header)
            return Error{header.error()};
        m_header = *header;
        return restart();
    }

protected:
    Expected<qsizetype> readRecords(TraceRecords &out, qsizetype max) override
    {
        qsizetype n = 0;
        while (n < max && m_query->next()) {
            const qint64 id = m_query->value(0).toLongLong();
            const qint64 cache = m_query->value(2).toLongLong();
            const qint64 keySize = m_query->value(4).toLongLong();
            const qint64 valueSize = m_query->value(5).toLongLong();
            const qint64 op = m_query->value(6).toLongLong();
            const qint64 ttl = m_query->value(7).toLongLong();
            auto bad = [&](const QString &why) {
                return makeError(QStringLiteral("%1: capacity_trace row %2: %3").arg(name()).arg(id).arg(why));
            };
            if (op < 0 || op >= kTraceOpCount)
                return bad(QStringLiteral("operation code %1 is not one of 0-%2").arg(op).arg(kTraceOpCount - 1));
            if (cache < 0 || cache >= m_header.caches.size())
                return bad(QStringLiteral("cache index %1, the header names %2").arg(cache).arg(m_header.caches.size()));
            if (keySize < 0 || keySize > std::numeric_limits<quint32>::max() || valueSize < 0
                || valueSize > std::numeric_limits<quint32>::max())
                return bad(QStringLiteral("a size outside 0-4294967295"));
            if (ttl < std::numeric_limits<qint32>::min() || ttl > std::numeric_limits<qint32>::max())
                return bad(QStringLiteral("TTL %1 out of range").arg(ttl));
            TraceRecord r;
            r.timeMs = m_query->value(1).toLongLong();
            r.cache = quint8(cache);
            r.key = quint64(m_query->value(3).toLongLong());
            r.keySize = quint32(keySize);
            r.valueSize = quint32(valueSize);
            r.op = TraceOp(op);
            r.ttl = qint32(ttl);
            out.push_back(r);
            ++n;
        }
        if (n == 0 && m_query->lastError().isValid())
            return makeError(QStringLiteral("%1: %2").arg(name(), m_query->lastError().text()));
        return n;
    }

    Expected<bool> restart() override
    {
        m_query = std::make_unique<QSqlQuery>(m_connection.db());
        m_query->setForwardOnly(true);
        if (!m_query->exec(QStringLiteral("SELECT id, ts_ms, cache, key, key_size, value_size, op, ttl FROM capacity_trace "
                                          "ORDER BY id")))
            return makeError(QStringLiteral("%1: %2").arg(name(), m_query->lastError().text()));
        return true;
    }

public:
    ~RecordingReader() override { m_query.reset(); }

private:
    Connection m_connection;
    std::unique_ptr<QSqlQuery> m_query;
};

class RecordingWriter : public TraceWriter
{
public:
    RecordingWriter(const QString &path, const TraceHeader &header) : m_path(path), m_header(header), m_connection(path, false) {}

    Expected<bool> open()
    {
        QSqlDatabase db = m_connection.db();
        if (!db.open())
            return makeError(QStringLiteral("cannot open recording %1: %2").arg(m_path, db.lastError().text()));
        QSqlQuery q(db);
        const QStringList schema = {
            QStringLiteral("CREATE TABLE IF NOT EXISTS capacity_meta(key TEXT PRIMARY KEY, value TEXT)"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS capacity_trace(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, "
                           "cache INTEGER NOT NULL, key INTEGER NOT NULL, key_size INTEGER, value_size INTEGER, op INTEGER, "
                           "ttl INTEGER)"),
        };
        for (const QString &sql : schema)
            if (!q.exec(sql))
                return makeError(QStringLiteral("recording %1: %2").arg(m_path, q.lastError().text()));
        // A recording that already holds a trace keeps its header (its cache indexes) when the
        // caches are the same; otherwise appending would mix two numberings.
        if (q.exec(QStringLiteral("SELECT value FROM capacity_meta WHERE key = 'header'")) && q.next()) {
            auto existing = traceHeaderFromJson(q.value(0).toString().toUtf8(), m_path);
            if (existing && existing->cacheNames() != m_header.cacheNames())
                return makeError(QStringLiteral("recording %1 already holds a trace of other caches (%2)")
                                     .arg(m_path, existing->cacheNames().join(QStringLiteral(", "))));
            return true;
        }
        q.prepare(QStringLiteral("INSERT INTO capacity_meta(key, value) VALUES('header', ?)"));
        q.addBindValue(QString::fromUtf8(traceHeaderToJson(m_header)));
        if (!q.exec())
            return makeError(QStringLiteral("recording %1: %2").arg(m_path, q.lastError().text()));
        return true;
    }

    Expected<bool> write(const TraceRecord *records, qsizetype count) override
    {
        if (count == 0)
            return true;
        QSqlDatabase db = m_connection.db();
        if (!db.transaction())
            return makeError(QStringLiteral("recording %1: %2").arg(m_path, db.lastError().text()));
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO capacity_trace(ts_ms, cache, key, key_size, value_size, op, ttl) "
                                 "VALUES(?, ?, ?, ?, ?, ?, ?)"));
        for (qsizetype i = 0; i < count; ++i) {
            const TraceRecord &r = records[i];
            q.bindValue(0, r.timeMs);
            q.bindValue(1, int(r.cache));
            q.bindValue(2, qint64(r.key));
            q.bindValue(3, qint64(r.keySize));
            q.bindValue(4, qint64(r.valueSize));
            q.bindValue(5, int(r.op));
            q.bindValue(6, int(r.ttl));
            if (!q.exec()) {
                const QString why = q.lastError().text();
                db.rollback();
                return makeError(QStringLiteral("recording %1: %2").arg(m_path, why));
            }
        }
        if (!db.commit())
            return makeError(QStringLiteral("recording %1: %2").arg(m_path, db.lastError().text()));
        m_written += quint64(count);
        return true;
    }

    Expected<bool> finish() override { return true; }

private:
    QString m_path;
    TraceHeader m_header;
    Connection m_connection;
};

} // namespace

Expected<std::unique_ptr<TraceReader>> RecordingTrace::openReader(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return makeError(QStringLiteral("cannot open recording %1: no such file").arg(path));
    auto reader = std::make_unique<RecordingReader>(path);
    if (auto ok = reader->openTrace(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceReader>(std::move(reader));
}

Expected<std::unique_ptr<TraceWriter>> RecordingTrace::createWriter(const QString &path, const TraceHeader &header)
{
    auto writer = std::make_unique<RecordingWriter>(path, header);
    if (auto ok = writer->open(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceWriter>(std::move(writer));
}

} // namespace cachescope
