#include "monitorsampler.h"

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

    RedisStream stream(m_url);
    if (auto opened = stream.open(); !opened)
        return fail(opened.error());
    auto ok = stream.command({"MONITOR"});
    if (!ok)
        return fail(ok.error());
    if (ok->isError())
        return fail(QString::fromUtf8(ok->string));
    m_monitoring = true;
    Q_EMIT started();

    MonitorEstimator estimator(m_missWindow);
    for (const auto &[prefix, cache] : m_prefixes)
        estimator.addPrefix(prefix, cache);

    QElapsedTimer box, interval;
    box.start();
    interval.start();
    const qint64 boxMs = qint64(seconds) * 1000;
    while (!m_stop && box.elapsed() < boxMs) {
        // At most 100 ms per wait: the stop flag is checked at least 10 times a second.
        auto next = stream.next(100);
        if (!next) {
            fail(next.error());
            break;
        }
        if (next->has_value() && (*next)->type == RedisReply::Type::Status) {
            if (auto line = MonitorLine::parse((*next)->string))
                estimator.feed(*line);
        }
        if (interval.elapsed() >= m_intervalMs) {
            const double secs = double(interval.restart()) / 1000.0;
            // Verdicts follow the server's own clock (line timestamps), never ours.
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (const HitRateSample &s : estimator.takeSamples(now, secs))
                Q_EMIT hitSample(s);
        }
    }
    m_monitoring = false;
    Q_EMIT finished(estimator.finish());
}

} // namespace cachescope
