#pragma once

#include "common/expected.h"
#include "hitratesample.h"

#include <QList>
#include <QObject>
#include <QString>

class QTimer;

namespace cachescope {

// Records every sample of a session to an SQLite file (through QtSql) for replay later.
//
// Schema (format "cachescope-recording", version 1):
//   meta(key TEXT PRIMARY KEY, value TEXT)            -- format, version, created_ms
//   hit_samples(id INTEGER PRIMARY KEY,                 -- insertion order = arrival order
//               ts_ms INTEGER NOT NULL,                 -- end of the interval, ms since the epoch
//               cache TEXT NOT NULL,                    -- purpose, key prefix or server
//               source TEXT NOT NULL,                   -- embedded | redis-info | statsd | monitor
//               exactness TEXT NOT NULL,                -- exact | server-wide | as reported | estimated
//               interval_s REAL, hits_per_s REAL, misses_per_s REAL, sets_per_s REAL)
//   server_samples(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, server TEXT NOT NULL,
//               interval_s REAL, used_memory INTEGER, max_memory INTEGER,
//               evictions_per_s REAL, expirations_per_s REAL, ops_per_s REAL,
//               keys INTEGER, expires INTEGER, counter_reset INTEGER)
// Rates are stored as 8-byte IEEE REALs, so a replay reproduces them bit for bit.
// Rows are buffered and written in one transaction per flush (every 500 ms and on close).
class Recorder : public QObject
{
    Q_OBJECT
public:
    explicit Recorder(QObject *parent = nullptr);
    ~Recorder() override;

    // Creates the file (or appends to an existing recording).
    Expected<bool> open(const QString &path);
    void close();
    bool isOpen() const { return !m_connection.isEmpty(); }
    quint64 recordedCount() const { return m_recorded; }

    void recordHit(const cachescope::HitRateSample &sample);
    void recordServer(const cachescope::ServerSample &sample);
    Expected<bool> flush();

    static constexpr int kFormatVersion = 1;

private:
    QString m_connection;
    QList<HitRateSample> m_hitBuffer;
    QList<ServerSample> m_serverBuffer;
    QTimer *m_flushTimer;
    quint64 m_recorded = 0;
};

} // namespace cachescope
