#include "redisinfopoller.h"

#include "redis/redisclient.h"
#include "redisinforates.h"

#include <QDateTime>
#include <QThread>

#include <map>

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

namespace {

// A cluster's figures: every master's own, summed (a cache's keys are spread over all of them).
RedisInfoRates::Result summed(const std::vector<RedisInfoRates::Result> &nodes, const QString &server)
{
    RedisInfoRates::Result out;
    out.server.server = server;
    bool allHits = !nodes.empty();
    HitRateSample hits;
    for (const auto &n : nodes) {
        out.server.timestampMs = std::max(out.server.timestampMs, n.server.timestampMs);
        out.server.intervalSeconds = std::max(out.server.intervalSeconds, n.server.intervalSeconds);
        out.server.usedMemory += n.server.usedMemory;
        out.server.maxMemory += n.server.maxMemory;
        out.server.evictionsPerSecond += n.server.evictionsPerSecond;
        out.server.expirationsPerSecond += n.server.expirationsPerSecond;
        out.server.opsPerSecond += n.server.opsPerSecond;
        out.server.keys += n.server.keys;
        out.server.expires += n.server.expires;
        out.server.counterReset = out.server.counterReset || n.server.counterReset;
        if (!n.hits) {
            allHits = false;
            continue;
        }
        hits.timestampMs = std::max(hits.timestampMs, n.hits->timestampMs);
        hits.source = n.hits->source;
        hits.exactness = n.hits->exactness;
        hits.intervalSeconds = std::max(hits.intervalSeconds, n.hits->intervalSeconds);
        hits.hitsPerSecond += n.hits->hitsPerSecond;
        hits.missesPerSecond += n.hits->missesPerSecond;
        hits.setsPerSecond += n.hits->setsPerSecond;
    }
    if (allHits) {
        hits.cache = server;
        out.hits = hits;
    }
    return out;
}

} // namespace

// A cluster: INFO on every master in one round (sent together), each master's rates as its own
// samples ("<cluster> node host:port"), and their sum as the cluster's.
void RedisInfoPoller::runCluster(RedisClient &client)
{
    std::map<QString, RedisInfoRates> rates;
    QString lastError;
    do {
        auto masters = client.masters();
        auto replies = masters ? client.onEveryMaster({"INFO", "all"}) : Expected<std::vector<RedisReply>>(Error{masters.error()});
        QString why = replies ? QString() : replies.error();
        for (size_t i = 0; replies && why.isEmpty() && i < replies->size(); ++i)
            if ((*replies)[i].isError())
                why = QStringLiteral("INFO on %1 failed: %2").arg(masters->value(qsizetype(i)), QString::fromUtf8((*replies)[i].string));
        if (!why.isEmpty()) {
            if (why != lastError)
                Q_EMIT errorOccurred(why);
            lastError = why;
            Q_EMIT pollFailed(QDateTime::currentMSecsSinceEpoch(), why);
            client.disconnect(); // the slot map is asked again on the next tick
            continue;
        }
        lastError.clear();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        std::vector<RedisInfoRates::Result> results;
        for (size_t i = 0; i < replies->size(); ++i) {
            const QString node = QStringLiteral("%1 node %2").arg(m_server, masters->value(qsizetype(i)));
            auto it = rates.try_emplace(node, node).first;
            results.push_back(it->second.feed((*replies)[i].string, now));
            if (results.back().hits)
                Q_EMIT hitSample(*results.back().hits);
        }
        const auto total = summed(results, m_server);
        if (total.server.intervalSeconds > 0)
            Q_EMIT serverSample(total.server);
        if (total.hits)
            Q_EMIT hitSample(*total.hits);
    } while (!m_stop.tryAcquire(1, m_intervalMs));
}

void RedisInfoPoller::run()
{
    RedisClient client(m_url);
    // A cluster url, or one node of a cluster given as a plain url: every master is polled.
    if (auto cluster = client.discoverCluster(); cluster && *cluster)
        return runCluster(client);
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
