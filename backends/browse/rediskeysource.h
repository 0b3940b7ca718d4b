#pragma once

#include "keysource.h"
#include "keyworkerthread.h"
#include "redis/redisurl.h"

#include <QHash>
#include <QMutex>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace cachescope {

class RedisClient;

// Keys of one Redis database. A dedicated worker thread owns a blocking RedisClient, so the GUI
// thread never waits on the network; answers come back as queued signals. A continuous scan
// re-posts itself after each batch, so metadata requests interleave with "Load all", and it
// stops sending while too many batches wait for the GUI thread (bounded memory). When the
// connection drops the worker reconnects with back-off; if the server restarted (new run_id)
// the scan begins again at cursor 0 and says so (ScanBatch::restarted). Once used, the source
// probes its server every second (one CLIENT ID round trip on the worker thread) and reports
// reachabilityChanged and serverReplaced (a new run_id) even while nothing else is asked.
class RedisKeySource : public KeySource
{
    Q_OBJECT
public:
    RedisKeySource(RedisUrl url, QByteArray keyPrefix, QObject *parent = nullptr);
    ~RedisKeySource() override;

    QString description() const override;
    quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous) override;
    quint64 requestMetadata(const QList<QByteArray> &keys) override;
    quint64 requestValue(const QByteArray &key) override;
    void cancel(quint64 id) override;

protected:
    void doDeleteKeys(quint64 id, const QList<QByteArray> &keys) override;
    void doDeleteNamespace(quint64 id, const QByteArray &namespacePath) override;
    void doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs) override;

private:
    struct Worker;
    void watchServer();
    void scanStep(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous);

    RedisUrl m_url;
    std::unique_ptr<Worker> m_worker;  // touched only on m_io's thread
    QMutex m_parkedMutex;
    std::atomic<int> m_batchesInFlight{0};
    std::function<void()> m_parked; // a continuous scan waiting for the GUI (guarded by m_parkedMutex)
    QTimer m_heartbeat;
    std::atomic<bool> m_probeQueued{false};
    KeyWorkerThread m_io; // last: stopped before m_worker and the rest are destroyed
};

} // namespace cachescope
