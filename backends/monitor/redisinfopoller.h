#pragma once

#include "hitratesample.h"
#include "redis/redisurl.h"

#include <QObject>
#include <QSemaphore>

#include <atomic>
#include <memory>

class QThread;

namespace cachescope {

class RedisClient;

// Polls INFO of one server every interval on its own thread with its own connection (so a slow
// server never blocks the GUI) and emits rates. Reconnects on the next tick after a failure;
// a restart shows up as a counter reset, not as a negative rate. A tick whose INFO got no answer
// says so (pollFailed, every tick: the time line gets a gap); errorOccurred reports a new reason
// once. On a cluster every master is polled, each one's hit rate is emitted as its own sample and
// their sum as the cluster's.
class RedisInfoPoller : public QObject
{
    Q_OBJECT
public:
    explicit RedisInfoPoller(RedisUrl url, int intervalMs = 1000, QObject *parent = nullptr);
    ~RedisInfoPoller() override;

    void start();
    void stop(); // blocks until the thread has finished (at most one INFO round trip)
    bool isRunning() const;
    QString server() const { return m_server; }

Q_SIGNALS:
    void hitSample(const cachescope::HitRateSample &sample);
    void serverSample(const cachescope::ServerSample &sample);
    void errorOccurred(const QString &message);
    void pollFailed(qint64 timestampMs, const QString &message);

private:
    void run();
    void runCluster(RedisClient &client);

    RedisUrl m_url;
    QString m_server;
    int m_intervalMs;
    QSemaphore m_stop;
    std::unique_ptr<QThread> m_thread;
};

} // namespace cachescope
