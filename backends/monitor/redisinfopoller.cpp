#include "redisinfopoller.h"

#include "redis/redisclient.h"
#include "redisinforates.h"

#include <QDateTime>
#include <QThread>

namespace cachescope {

RedisInfoPoller::RedisInfoPoller(RedisUrl url, int intervalMs, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_server(m_url.redacted()), m_intervalMs(qMax(50, intervalMs))
{
    qRegisterMetaType<HitRateSample>();
    qRegisterMetaType<ServerSample>();
}

RedisInfoPoller::~RedisInfoPoller()
{
    stop();
}

bool RedisInfoPoller::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void RedisInfoPoller::start()
{
    if (isRunning())
        return;
    m_stop.acquire(m_stop.available()); // forget an earlier stop()
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("RedisInfoPoller"));
    m_thread->start();
}

void RedisInfoPoller::stop()
{
    if (!m_thread)
        return;
    m_stop.release();
    m_thread->wait();
    m_thread.reset();
}

void RedisInfoPoller::run()
{
    RedisClient client(m_url);
    RedisInfoRates rates(m_server);
    QString lastError;
    do {
        if (!client.isConnected()) {
            if (auto ok = client.connect(); !ok) {
                if (ok.error() != lastError)
                    Q_EMIT errorOccurred(ok.error());
                lastError = ok.error();
                Q_EMIT pollFailed(QDateTime::currentMSecsSinceEpoch(), lastError);
                continue;
            }
        }
        // "all" adds commandstats (for sets/s) to the default sections.
        auto reply = client.command({"INFO", "all"});
        if (!reply || reply->isError()) {
            const QString why = reply ? QStringLiteral("INFO on %1 failed: %2").arg(m_server, QString::fromUtf8(reply->string))
                                      : reply.error();
            if (why != lastError)
                Q_EMIT errorOccurred(why);
            lastError = why;
            Q_EMIT pollFailed(QDateTime::currentMSecsSinceEpoch(), why);
            continue;
        }
        lastError.clear();
        const auto result = rates.feed(reply->string, QDateTime::currentMSecsSinceEpoch());
        if (result.server.intervalSeconds > 0)
            Q_EMIT serverSample(result.server);
        if (result.hits)
            Q_EMIT hitSample(*result.hits);
    } while (!m_stop.tryAcquire(1, m_intervalMs));
}

} // namespace cachescope
