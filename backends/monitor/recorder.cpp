#include "recorder.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

namespace cachescope {

namespace {

QAtomicInt g_connectionCounter;

Expected<bool> exec(QSqlQuery &q, const QString &sql)
{
    if (!q.exec(sql))
        return makeError(QStringLiteral("recording: %1").arg(q.lastError().text()));
    return true;
}

} // namespace

Recorder::Recorder(QObject *parent) : QObject(parent), m_flushTimer(new QTimer(this))
{
    m_flushTimer->setInterval(500);
    connect(m_flushTimer, &QTimer::timeout, this, [this] { flush(); });
}

Recorder::~Recorder()
{
    close();
}

Expected<bool> Recorder::open(const QString &path)
{
    close();
    const QString name = QStringLiteral("cachescope-recorder-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open()) {
            const QString why = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            return makeError(QStringLiteral("cannot open recording %1: %2").arg(path, why));
        }
        QSqlQuery q(db);
        const QStringList schema = {
            QStringLiteral("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS hit_samples(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, "
                           "cache TEXT NOT NULL, source TEXT NOT NULL, exactness TEXT NOT NULL, interval_s REAL, "
                           "hits_per_s REAL, misses_per_s REAL, sets_per_s REAL)"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS server_samples(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, "
                           "server TEXT NOT NULL, interval_s REAL, used_memory INTEGER, max_memory INTEGER, "
                           "evictions_per_s REAL, expirations_per_s REAL, ops_per_s REAL, keys INTEGER, "
                           "expires INTEGER, counter_reset INTEGER)"),
            QStringLiteral("INSERT OR IGNORE INTO meta VALUES('format', 'cachescope-recording')"),
            QStringLiteral("INSERT OR IGNORE INTO meta VALUES('version', '%1')").arg(kFormatVersion),
            QStringLiteral("INSERT OR IGNORE INTO meta VALUES('created_ms', '%1')").arg(QDateTime::currentMSecsSinceEpoch()),
        };
        for (const QString &sql : schema) {
            if (auto ok = exec(q, sql); !ok) {
                q = QSqlQuery();
                db.close();
                db = QSqlDatabase();
                QSqlDatabase::removeDatabase(name);
                return makeError(QStringLiteral("cannot create recording %1: %2").arg(path, ok.error()));
            }
        }
    }
    m_connection = name;
    m_flushTimer->start();
    return true;
}

void Recorder::close()
{
    if (m_connection.isEmpty())
        return;
    flush();
    m_flushTimer->stop();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

void Recorder::recordHit(const HitRateSample &sample)
{
    if (isOpen())
        m_hitBuffer.append(sample);
}

void Recorder::recordServer(const ServerSample &sample)
{
    if (isOpen())
        m_serverBuffer.append(sample);
}

Expected<bool> Recorder::flush()
{
    if (!isOpen() || (m_hitBuffer.isEmpty() && m_serverBuffer.isEmpty()))
        return true;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction())
        return makeError(QStringLiteral("recording: %1").arg(db.lastError().text()));
    QSqlQuery hit(db);
    hit.prepare(QStringLiteral("INSERT INTO hit_samples(ts_ms, cache, source, exactness, interval_s, hits_per_s, "
                               "misses_per_s, sets_per_s) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const HitRateSample &s : std::as_const(m_hitBuffer)) {
        hit.addBindValue(s.timestampMs);
        hit.addBindValue(s.cache);
        hit.addBindValue(sampleSourceName(s.source));
        hit.addBindValue(exactnessName(s.exactness));
        hit.addBindValue(s.intervalSeconds);
        hit.addBindValue(s.hitsPerSecond);
        hit.addBindValue(s.missesPerSecond);
        hit.addBindValue(s.setsPerSecond);
        if (!hit.exec()) {
            db.rollback();
            return makeError(QStringLiteral("recording: %1").arg(hit.lastError().text()));
        }
    }
    QSqlQuery server(db);
    server.prepare(QStringLiteral("INSERT INTO server_samples(ts_ms, server, interval_s, used_memory, max_memory, "
                                  "evictions_per_s, expirations_per_s, ops_per_s, keys, expires, counter_reset) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const ServerSample &s : std::as_const(m_serverBuffer)) {
        server.addBindValue(s.timestampMs);
        server.addBindValue(s.server);
        server.addBindValue(s.intervalSeconds);
        server.addBindValue(qint64(s.usedMemory));
        server.addBindValue(qint64(s.maxMemory));
        server.addBindValue(s.evictionsPerSecond);
        server.addBindValue(s.expirationsPerSecond);
        server.addBindValue(s.opsPerSecond);
        server.addBindValue(qint64(s.keys));
        server.addBindValue(qint64(s.expires));
        server.addBindValue(s.counterReset ? 1 : 0);
        if (!server.exec()) {
            db.rollback();
            return makeError(QStringLiteral("recording: %1").arg(server.lastError().text()));
        }
    }
    if (!db.commit())
        return makeError(QStringLiteral("recording: %1").arg(db.lastError().text()));
    m_recorded += quint64(m_hitBuffer.size() + m_serverBuffer.size());
    m_hitBuffer.clear();
    m_serverBuffer.clear();
    return true;
}

} // namespace cachescope
