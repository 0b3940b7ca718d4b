#pragma once

#include "hitratesample.h"
#include "monitorestimator.h"
#include "redis/redisurl.h"

#include <QHash>
#include <QObject>

#include <atomic>
#include <memory>

class QThread;

namespace cachescope {

// Opt-in MONITOR for a time box on a dedicated connection and thread. MONITOR makes the server copy
// every command to this client, which costs it throughput: the UI must show costWarning() and ask
// first. Emits estimated per-prefix samples every interval and the totals when the box ends.
// Reads through RedisStream: RedisClient is request/response, MONITOR is an endless reply stream
// that must be read with a timeout and a stop flag.
class MonitorSampler : public QObject
{
    Q_OBJECT
public:
    explicit MonitorSampler(RedisUrl url, QObject *parent = nullptr);
    ~MonitorSampler() override;

    static QString costWarning();

    void addPrefix(const QByteArray &prefix, const QString &cache);
    void setMissWindowSeconds(double seconds) { m_missWindow = seconds; }
    void setIntervalMs(int ms) { m_intervalMs = qMax(10, ms); }

    void start(int seconds); // time box; at most 3600 s
    void stop();             // blocks until the connection is closed
    bool isRunning() const;
    // True once MONITOR answered +OK: commands from now on are seen.
    bool isMonitoring() const { return m_monitoring.load(); }

Q_SIGNALS:
    void started();
    void hitSample(const cachescope::HitRateSample &sample);
    void finished(const QHash<QString, cachescope::MonitorEstimator::Totals> &totals);
    void errorOccurred(const QString &message);

private:
    void run(int seconds);

    RedisUrl m_url;
    QList<QPair<QByteArray, QString>> m_prefixes;
    double m_missWindow = 5.0;
    int m_intervalMs = 1000;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_monitoring{false};
    std::unique_ptr<QThread> m_thread;
};

} // namespace cachescope
