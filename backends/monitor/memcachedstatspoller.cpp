#include "memcachedstatspoller.h"

#include "memcachedstatsrates.h"

#include <QDateTime>
#include <QThread>

namespace cachescope {

MemcachedStatsPoller::MemcachedStatsPoller(MemcachedEndpoint server, MemcachedLink::Credentials credentials,
                                           int intervalMs, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(server))
    , m_credentials(std::move(credentials))
    , m_server(QStringLiteral("memcached://") + m_endpoint.name())
    , m_intervalMs(qMax(50, intervalMs))
{
    qRegisterMetaType<HitRateSample>();
    qRegisterMetaType<ServerSample>();
}

MemcachedStatsPoller::~MemcachedStatsPoller()
{
    stop();
}

bool MemcachedStatsPoller::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void MemcachedStatsPoller::start()
{
    if (isRunning())
        return;
    m_stop.acquire(m_stop.available()); // forget an earlier stop()
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("MemcachedStatsPoller"));
    m_thread->start();
}

void MemcachedStatsPoller::stop()
{
    if (!m_thread)
        return;
    m_stop.release();
    m_thread->wait();
    m_thread.reset();
}

void MemcachedStatsPoller::run()
{
    MemcachedLink link(m_endpoint, std::chrono::milliseconds(qMax(1000, m_intervalMs)), m_credentials);
    MemcachedStatsRates rates(m_server);
    QString lastError;
    int tick = 0;
    std::optional<std::pair<bool, char>> announced;
    do {
        QString why;
        // The settings rarely change: read them on the first tick and every 30th after it.
        if (tick++ % 30 == 0 && link.protocol() == MemcachedLink::Protocol::Text) {
            auto settings = link.stats("settings");
            if (settings) {
                bool enabled = false;
                char delimiter = ':';
                for (const auto &[name, value] : *settings) {
                    if (name == "detail_enabled")
                        enabled = value == "yes";
                    else if (name == "stat_key_prefix" && value.size() == 1)
                        delimiter = value.at(0);
                }
                rates.setSettings(enabled, delimiter);
                if (announced != std::pair(enabled, delimiter)) {
                    announced = std::pair(enabled, delimiter);
                    Q_EMIT detailSettings(m_server, enabled, delimiter);
                }
            }
        }
        auto stats = link.stats();
        QList<QByteArray> detail;
        if (stats && link.protocol() == MemcachedLink::Protocol::Text && announced && announced->first) {
            auto lines = link.statsDetailDump();
            if (lines)
                detail = std::move(*lines);
            else
                why = lines.error();
        }
        if (!stats)
            why = stats.error();
        if (!why.isEmpty()) {
            if (why != lastError)
                Q_EMIT errorOccurred(why);
            lastError = why;
            continue;
        }
        lastError.clear();
        const auto result = rates.feed(*stats, detail, QDateTime::currentMSecsSinceEpoch());
        if (result.server.intervalSeconds > 0)
            Q_EMIT serverSample(result.server);
        if (result.hits)
            Q_EMIT hitSample(*result.hits);
        for (const auto &p : result.prefixes)
            Q_EMIT prefixSample(p);
    } while (!m_stop.tryAcquire(1, m_intervalMs));
}

} // namespace cachescope
