#include "monitorsampler.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QThread>

#include <hiredis/hiredis.h>
#include <poll.h>

namespace cachescope {

namespace {

struct ContextDeleter
{
    void operator()(redisContext *c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter
{
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

timeval toTimeval(std::chrono::milliseconds ms)
{
    return timeval{long(ms.count() / 1000), long((ms.count() % 1000) * 1000)};
}

ReplyPtr blockingCommand(redisContext *c, const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lens.push_back(size_t(a.size()));
    }
    return ReplyPtr(static_cast<redisReply *>(redisCommandArgv(c, int(argv.size()), argv.data(), lens.data())));
}

} // namespace

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

    const timeval connectTimeout = toTimeval(m_url.connectTimeout);
    ContextPtr ctx(m_url.unixSocket.isEmpty()
                       ? redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, connectTimeout)
                       : redisConnectUnixWithTimeout(m_url.unixSocket.toUtf8().constData(), connectTimeout));
    if (!ctx || ctx->err)
        return fail(ctx ? QString::fromUtf8(ctx->errstr) : QStringLiteral("out of memory"));
    redisSetTimeout(ctx.get(), toTimeval(m_url.socketTimeout));
    if (!m_url.password.isEmpty()) {
        QList<QByteArray> args{"AUTH"};
        if (!m_url.username.isEmpty())
            args << m_url.username.toUtf8();
        args << m_url.password.toUtf8();
        ReplyPtr r = blockingCommand(ctx.get(), args);
        if (!r || r->type == REDIS_REPLY_ERROR)
            return fail(QStringLiteral("authentication failed"));
    }
    ReplyPtr ok = blockingCommand(ctx.get(), {"MONITOR"});
    if (!ok || ok->type == REDIS_REPLY_ERROR)
        return fail(ok ? QString::fromUtf8(ok->str, int(ok->len)) : QString::fromUtf8(ctx->errstr));
    m_monitoring = true;
    Q_EMIT started();

    MonitorEstimator estimator(m_missWindow);
    for (const auto &[prefix, cache] : m_prefixes)
        estimator.addPrefix(prefix, cache);

    QElapsedTimer box, interval;
    box.start();
    interval.start();
    const qint64 boxMs = qint64(seconds) * 1000;
    pollfd pfd{ctx->fd, POLLIN, 0};
    while (!m_stop && box.elapsed() < boxMs) {
        // Drain whatever the reader already holds before waiting on the socket again.
        void *raw = nullptr;
        if (redisGetReplyFromReader(ctx.get(), &raw) != REDIS_OK) {
            fail(QString::fromUtf8(ctx->errstr));
            break;
        }
        if (raw) {
            ReplyPtr reply(static_cast<redisReply *>(raw));
            if (reply->type == REDIS_REPLY_STATUS) {
                if (auto line = MonitorLine::parse(QByteArray(reply->str, qsizetype(reply->len))))
                    estimator.feed(*line);
            }
        } else {
            const int ready = ::poll(&pfd, 1, 100); // the stop flag is checked at least 10 times a second
            if (ready > 0 && redisBufferRead(ctx.get()) != REDIS_OK) {
                fail(QString::fromUtf8(ctx->errstr));
                break;
            }
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
