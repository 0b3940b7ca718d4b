#pragma once

#include "redisclient.h"
#include "redisurl.h"

#include <QMutex>
#include <QObject>
#include <QSet>

#include <atomic>
#include <vector>

class QThread;

namespace cachescope {

class AsyncRedisWorker;

// A Redis connection for the GUI thread: send() and sendPipeline() return a request id at once
// and never block; the I/O runs on a private thread that owns a blocking RedisClient and handles
// requests in order. Results arrive as signals on the thread that owns this object. When the
// server goes away the request in flight fails ("Redis host:port: ... failed: ..."), the state
// goes Disconnected, requests sent meanwhile fail with "not connected", and the connection comes
// back by itself (back-off 100 ms doubling to 10 s). An idle link is checked with a PING every s.
class AsyncRedisConnection : public QObject
{
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    explicit AsyncRedisConnection(RedisUrl url, QObject *parent = nullptr);
    ~AsyncRedisConnection() override;

    // Starts connecting (and reconnecting); close() stops and disconnects.
    void open();
    void close();
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    const RedisUrl &url() const { return m_url; }

    // Thread-safe and non-blocking; ids are unique and increasing.
    quint64 send(QList<QByteArray> args);
    quint64 sendPipeline(QList<QList<QByteArray>> commands);
    // A cancelled request's result is dropped instead of delivered (stale SCAN pages etc.).
    void cancel(quint64 id);

signals:
    void stateChanged(cachescope::AsyncRedisConnection::State state);
    void replyReady(quint64 id, const cachescope::RedisReply &reply);
    void pipelineReady(quint64 id, const std::vector<cachescope::RedisReply> &replies);
    void requestFailed(quint64 id, const QString &message);

private:
    bool takeCancelled(quint64 id);

    RedisUrl m_url;
    QThread *m_thread = nullptr;
    AsyncRedisWorker *m_worker = nullptr;
    std::atomic<quint64> m_nextId{0};
    QMutex m_cancelMutex;
    QSet<quint64> m_cancelled;
    State m_state = State::Disconnected;
    QString m_lastError;
};

} // namespace cachescope
