#pragma once

#include "redisclient.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <chrono>

namespace cachescope {

// The half of AsyncRedisConnection that lives on its I/O thread: owns the blocking RedisClient,
// runs requests in arrival order, keeps the link alive with a PING and reconnects with
// exponential back-off. Only AsyncRedisConnection talks to it (queued calls and signals).
class AsyncRedisWorker : public QObject
{
    Q_OBJECT

public:
    // Matches AsyncRedisConnection::State.
    enum class State { Disconnected, Connecting, Connected };

    explicit AsyncRedisWorker(RedisUrl url);

    // Called on the worker thread (through QMetaObject::invokeMethod).
    void open();
    void close();
    void runCommand(quint64 id, const QList<QByteArray> &args);
    void runPipeline(quint64 id, const QList<QList<QByteArray>> &commands);
    // Any thread: requests still queued are dropped unrun (the owner is being destroyed).
    void abandon() { m_abandoned.store(true); }

    static constexpr std::chrono::milliseconds kFirstRetry{100};
    static constexpr std::chrono::milliseconds kMaxRetry{10000};
    static constexpr std::chrono::milliseconds kKeepAlive{1000};

signals:
    void stateChanged(int state, const QString &reason);
    void replyReady(quint64 id, const cachescope::RedisReply &reply);
    void pipelineReady(quint64 id, const std::vector<cachescope::RedisReply> &replies);
    void requestFailed(quint64 id, const QString &message);

private:
    void tryConnect();
    void lost(const QString &reason);
    void setState(State state, const QString &reason = {});
    void keepAlive();
    template<typename Request, typename Reply>
    void run(quint64 id, Request &&request, void (AsyncRedisWorker::*ready)(quint64, const Reply &));

    RedisClient m_client;
    State m_state = State::Disconnected;
    bool m_open = false;
    std::chrono::milliseconds m_retryDelay = kFirstRetry;
    QTimer m_retryTimer;
    QTimer m_keepAliveTimer;
    QString m_lastError;
    std::atomic<bool> m_abandoned{false};
};

} // namespace cachescope
