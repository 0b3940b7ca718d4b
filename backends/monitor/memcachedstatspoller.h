#pragma once

#include "hitratesample.h"
#include "memcached/memcachedclient.h"

#include <QObject>
#include <QSemaphore>

#include <memory>

class QThread;

namespace cachescope {

// Polls `stats` of one memcached server every interval on its own thread with its own
// connection (a slow server never blocks the GUI), plus `stats detail dump` when the server
// collects per-prefix statistics (`stats settings`: detail_enabled). It never turns detail
// collection on: that is a server setting the administrator owns (`stats detail on`, and -D for
// the delimiter). Reconnects on the next tick after a failure; a restart shows as a counter
// reset, not as a negative rate.
class MemcachedStatsPoller : public QObject
{
    Q_OBJECT
public:
    MemcachedStatsPoller(MemcachedEndpoint server, MemcachedLink::Credentials credentials, int intervalMs = 1000,
                         QObject *parent = nullptr);
    ~MemcachedStatsPoller() override;

    void start();
    void stop(); // blocks until the thread has finished (at most one round trip)
    bool isRunning() const;
    QString server() const { return m_server; }

Q_SIGNALS:
    void hitSample(const cachescope::HitRateSample &sample);
    // Per key prefix (sample.cache = the memcached prefix, before the delimiter).
    void prefixSample(const cachescope::HitRateSample &sample);
    void serverSample(const cachescope::ServerSample &sample);
    // Whether the server collects per-prefix statistics, and its prefix delimiter (-D).
    void detailSettings(const QString &server, bool enabled, char delimiter);
    void errorOccurred(const QString &message);

private:
    void run();

    MemcachedEndpoint m_endpoint;
    MemcachedLink::Credentials m_credentials;
    QString m_server;
    int m_intervalMs;
    QSemaphore m_stop;
    std::unique_ptr<QThread> m_thread;
};

} // namespace cachescope
