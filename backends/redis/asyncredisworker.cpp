#include "asyncredisworker.h"

namespace cachescope {

AsyncRedisWorker::AsyncRedisWorker(RedisUrl url)
    : m_client(std::move(url)), m_retryTimer(this), m_keepAliveTimer(this)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &AsyncRedisWorker::tryConnect);
    m_keepAliveTimer.setInterval(kKeepAlive);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &AsyncRedisWorker::keepAlive);
}

void AsyncRedisWorker::setState(State state, const QString &reason)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(int(state), reason);
}

void AsyncRedisWorker::open()
{
    m_open = true;
    m_retryDelay = kFirstRetry;
    tryConnect();
}

void AsyncRedisWorker::close()
{
    m_open = false;
    m_retryTimer.stop();
    m_keepAliveTimer.stop();
    m_client.disconnect();
    setState(State::Disconnected, QStringLiteral("closed"));
}

void AsyncRedisWorker::tryConnect()
{
    if (!m_open || m_abandoned.load())
        return;
    setState(State::Connecting);
    auto c = m_client.connect();
    if (c) {
        m_retryDelay = kFirstRetry;
        m_lastError.clear();
        m_keepAliveTimer.start();
        setState(State::Connected);
        return;
    }
    lost(c.error());
}

void AsyncRedisWorker::lost(const QString &reason)
{
    m_keepAliveTimer.stop();
    m_client.disconnect();
    m_lastError = reason;
    setState(State::Disconnected, reason);
    if (!m_open)
        return;
    // Exponential back-off: 100 ms, 200 ms, ... capped at 10 s; reset after a good connect.
    m_retryTimer.start(m_retryDelay);
    m_retryDelay = std::min(m_retryDelay * 2, kMaxRetry);
}

void AsyncRedisWorker::keepAlive()
{
    if (m_state != State::Connected)
        return;
    auto r = m_client.command({QByteArrayLiteral("PING")});
    if (!r)
        lost(r.error());
}

// Common to both kinds of request: dropped once abandoned, refused while not connected, and a
// failure both answers the request and counts as a lost link.
template<typename Request, typename Reply>
void AsyncRedisWorker::run(quint64 id, Request &&request, void (AsyncRedisWorker::*ready)(quint64, const Reply &))
{
    if (m_abandoned.load())
        return;
    if (m_state != State::Connected) {
        emit requestFailed(id, QStringLiteral("Redis %1: not connected%2")
                                   .arg(m_client.serverName(),
                                        m_lastError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_lastError)));
        return;
    }
    auto r = request();
    if (!r) {
        emit requestFailed(id, r.error());
        lost(r.error());
        return;
    }
    emit (this->*ready)(id, *r);
}

void AsyncRedisWorker::runCommand(quint64 id, const QList<QByteArray> &args)
{
    run(id, [&] { return m_client.command(args); }, &AsyncRedisWorker::replyReady);
}

void AsyncRedisWorker::runPipeline(quint64 id, const QList<QList<QByteArray>> &commands)
{
    run(id, [&] { return m_client.pipeline(commands); }, &AsyncRedisWorker::pipelineReady);
}

} // namespace cachescope
