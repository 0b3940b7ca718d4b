#include "monitorsampler.h"

#include "redis/redisclient.h"
#include "redis/redisstream.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QThread>

namespace cachescope {

MonitorSampler::MonitorSampler(RedisUrl url, QObject *parent) : QObject(parent), m_url(std::move(url))
{
    qRegisterMetaType<HitRateSample>();
    qRegisterMetaType<QHash<QString, MonitorEstimator::Totals>>();
}

MonitorSampler::~MonitorSampler()
{
    stop();
}

QString MonitorSampler::costWarning()
{
    return QStringLiteral("MONITOR makes Redis send every command it executes to CacheScope. On a busy "
                          "server this can cut its throughput by half or more. It runs only for the time "
                          "box you choose, on its own connection, and the hit rates it gives are estimates.");
}

void MonitorSampler::addPrefix(const QByteArray &prefix, const QString &cache)
{
    m_prefixes.append({prefix, cache});
}

bool MonitorSampler::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void MonitorSampler::start(int seconds)
{
    if (isRunning())
        return;
    m_stop = false;
    m_monitoring = false;
    seconds = qBound(1, seconds, 3600);
    m_thread.reset(QThread::create([this, seconds] { run(seconds); }));
    m_thread->setObjectName(QStringLiteral("MonitorSampler"));
    m_thread->start();
}

void MonitorSampler::stop()
{
    if (!m_thread)
        return;
    m_stop = true;
    m_thread->wait();
    m_thread.reset();
}

void MonitorSampler::run(int seconds)
{
    const QString server = m_url.redacted();
    auto fail = [&](const QString &why) { Q_EMIT errorOccurred(QStringLiteral("MONITOR on %1: %2").arg(server, why)); };

    // A cluster (its url, or one node of it given as a plain url): MONITOR on every master, as
    // each sees only the commands of its own slots. Their lines are merged into the cache's
    // estimate (a key lives on one master) and also counted per node, labelled "<cache> node
    // host:port", as the INFO figures are.
    QStringList nodes;
    {
        RedisClient client(m_url);
        auto cluster = client.discoverCluster();
        if (!cluster)
            return fail(cluster.error());
        if (*cluster) {
            auto masters = client.masters();
            if (!masters)
                return fail(masters.error());
            nodes = *masters;
        }
    }
    struct Node
    {
        std::unique_ptr<RedisStream> stream;
        std::unique_ptr<MonitorEstimator> estimator; // per node; none for a single server
    };
    std::vector<Node> streams;
    for (qsizetype i = 0; i < qMax<qsizetype>(1, nodes.size()); ++i) {
        Node n;
        n.stream = std::make_unique<RedisStream>(nodes.isEmpty() ? m_url : m_url.clusterNode(nodes[i]));
        const QString where = nodes.isEmpty() ? server : QStringLiteral("node %1").arg(nodes[i]);
        if (auto opened = n.stream->open(); !opened)
            return fail(nodes.isEmpty() ? opened.error() : QStringLiteral("%1: %2").arg(where, opened.error()));
        auto ok = n.stream->command({"MONITOR"});
        if (!ok)
            return fail(nodes.isEmpty() ? ok.error() : QStringLiteral("%1: %2").arg(where, ok.error()));
        if (ok->isError())
            return fail(nodes.isEmpty() ? QString::fromUtf8(ok->string)
                                        : QStringLiteral("%1: %2").arg(where, QString::fromUtf8(ok->string)));
        if (!nodes.isEmpty()) {
            n.estimator = std::make_unique<MonitorEstimator>(m_missWindow);
            for (const auto &[prefix, cache] : m_prefixes)
                n.estimator->addPrefix(prefix, QStringLiteral("%1 %2").arg(cache, where));
        }
        streams.push_back(std::move(n));
    }
    m_monitoring = true;
    Q_EMIT started();

    MonitorEstimator estimator(m_missWindow);
    for (const auto &[prefix, cache] : m_prefixes)
        estimator.addPrefix(prefix, cache);

    QElapsedTimer box, interval;
    box.start();
    interval.start();
    const qint64 boxMs = qint64(seconds) * 1000;
    bool idle = false;
    while (!m_stop && box.elapsed() < boxMs) {
        // At most 100 ms of waiting per round: the stop flag is checked at least 10 times a second.
        bool read = false;
        for (size_t i = 0; i < streams.size() && !m_stop; ++i) {
            auto next = streams[i].stream->next(idle ? int(100 / streams.size()) : 0);
            if (!next) {
                fail(nodes.isEmpty() ? next.error() : QStringLiteral("node %1: %2").arg(nodes[qsizetype(i)], next.error()));
                m_stop = true;
                break;
            }
            if (!next->has_value())
                continue;
            read = true;
            if ((*next)->type != RedisReply::Type::Status)
                continue;
            if (auto line = MonitorLine::parse((*next)->string)) {
                estimator.feed(*line);
                if (streams[i].estimator)
                    streams[i].estimator->feed(*line);
            }
        }
        idle = !read;
        if (interval.elapsed() >= m_intervalMs) {
            const double secs = double(interval.restart()) / 1000.0;
            // Verdicts follow the server's own clock (line timestamps), never ours.
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (const HitRateSample &s : estimator.takeSamples(now, secs))
                Q_EMIT hitSample(s);
            for (Node &n : streams)
                if (n.estimator)
                    for (const HitRateSample &s : n.estimator->takeSamples(now, secs))
                        Q_EMIT hitSample(s);
        }
    }
    m_monitoring = false;
    QHash<QString, MonitorEstimator::Totals> totals = estimator.finish();
    for (Node &n : streams)
        if (n.estimator)
            totals.insert(n.estimator->finish());
    Q_EMIT finished(totals);
}

} // namespace cachescope
