#include "redisstream.h"

#include <hiredis/hiredis.h>

#include <poll.h>
#include <sys/time.h>

#include <vector>

namespace cachescope {

namespace {

timeval toTimeval(std::chrono::milliseconds ms)
{
    if (ms.count() <= 0)
        ms = std::chrono::milliseconds(1);
    timeval tv{};
    tv.tv_sec = time_t(ms.count() / 1000);
    tv.tv_usec = suseconds_t((ms.count() % 1000) * 1000);
    return tv;
}

struct ReplyDeleter
{
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// Streams only carry small shallow replies (status lines, pub/sub arrays): nesting is capped.
RedisReply copyReply(const redisReply *r, int depth = 0)
{
    RedisReply out;
    if (!r)
        return out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        out.type = r->type == REDIS_REPLY_STRING ? RedisReply::Type::String
                 : r->type == REDIS_REPLY_STATUS ? RedisReply::Type::Status
                                                 : RedisReply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        if (depth < 8) {
            out.elements.reserve(r->elements);
            for (size_t i = 0; i < r->elements; ++i)
                out.elements.push_back(copyReply(r->element[i], depth + 1));
        }
        break;
    default:
        break;
    }
    return out;
}

void toArgv(const QList<QByteArray> &args, std::vector<const char *> &argv, std::vector<size_t> &lens)
{
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lens.push_back(size_t(a.size()));
    }
}

} // namespace

struct RedisStream::Private
{
    redisContext *ctx = nullptr;
    void reset()
    {
        if (ctx)
            redisFree(ctx);
        ctx = nullptr;
    }
    ~Private() { reset(); }
};

RedisStream::RedisStream(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}

RedisStream::~RedisStream() = default;

QString RedisStream::serverName() const
{
    if (!m_url.unixSocket.isEmpty())
        return m_url.unixSocket;
    const QString host = m_url.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(m_url.host) : m_url.host;
    return host % QLatin1Char(':') % QString::number(m_url.port);
}

bool RedisStream::isOpen() const
{
    return d->ctx && d->ctx->err == 0;
}

void RedisStream::close()
{
    d->reset();
}

Error RedisStream::ioError(const char *what) const
{
    QString reason = QStringLiteral("connection lost");
    if (d->ctx && d->ctx->err) {
        reason = QString::fromLocal8Bit(d->ctx->errstr);
        if (d->ctx->err == REDIS_ERR_EOF || reason.isEmpty())
            reason = QStringLiteral("server closed the connection");
    }
    return makeError(QStringLiteral("Redis %1: %2 failed: %3").arg(serverName(), QLatin1String(what), reason));
}

Expected<bool> RedisStream::open()
{
    d->reset();
    const timeval connectTv = toTimeval(m_url.connectTimeout);
    d->ctx = m_url.unixSocket.isEmpty()
                 ? redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, connectTv)
                 : redisConnectUnixWithTimeout(m_url.unixSocket.toLocal8Bit().constData(), connectTv);
    if (!d->ctx)
        return makeError(QStringLiteral("Redis %1: cannot allocate a connection").arg(serverName()));
    if (d->ctx->err) {
        const QString reason = QString::fromLocal8Bit(d->ctx->errstr);
        d->reset();
        return makeError(QStringLiteral("Redis %1: cannot connect: %2").arg(serverName(), reason));
    }
    redisSetTimeout(d->ctx, toTimeval(m_url.socketTimeout));
    if (!m_url.password.isEmpty() || !m_url.username.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_url.username.isEmpty())
            auth.append(m_url.username.toUtf8());
        auth.append(m_url.password.toUtf8());
        auto r = command(auth);
        if (!r || r->isError()) {
            // The reply text is the server's ("WRONGPASS ..."), never the password.
            const QString why = r ? QString::fromUtf8(r->string) : r.error();
            d->reset();
            return makeError(QStringLiteral("Redis %1: authentication failed: %2").arg(serverName(), why));
        }
    }
    return true;
}

Expected<RedisReply> RedisStream::command(const QList<QByteArray> &args)
{
    if (!d->ctx)
        return makeError(QStringLiteral("Redis %1: not connected").arg(serverName()));
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    toArgv(args, argv, lens);
    ReplyPtr r(static_cast<redisReply *>(redisCommandArgv(d->ctx, int(argv.size()), argv.data(), lens.data())));
    if (!r)
        return ioError(args.value(0).constData());
    return copyReply(r.get());
}

Expected<bool> RedisStream::send(const QList<QByteArray> &args)
{
    if (!d->ctx)
        return makeError(QStringLiteral("Redis %1: not connected").arg(serverName()));
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    toArgv(args, argv, lens);
    if (redisAppendCommandArgv(d->ctx, int(argv.size()), argv.data(), lens.data()) != REDIS_OK)
        return ioError(args.value(0).constData());
    int done = 0;
    while (!done)
        if (redisBufferWrite(d->ctx, &done) != REDIS_OK)
            return ioError(args.value(0).constData());
    return true;
}

Expected<std::optional<RedisReply>> RedisStream::next(int timeoutMs)
{
    if (!d->ctx)
        return makeError(QStringLiteral("Redis %1: not connected").arg(serverName()));
    // Whatever the reader already holds comes first; the socket is only polled when it is empty.
    for (int round = 0; round < 2; ++round) {
        void *raw = nullptr;
        if (redisGetReplyFromReader(d->ctx, &raw) != REDIS_OK)
            return ioError("reading the stream");
        if (raw) {
            ReplyPtr reply(static_cast<redisReply *>(raw));
            return std::optional<RedisReply>(copyReply(reply.get()));
        }
        if (round == 1)
            break;
        pollfd pfd{d->ctx->fd, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, qMax(0, timeoutMs));
        if (ready <= 0)
            return std::optional<RedisReply>();
        if (redisBufferRead(d->ctx) != REDIS_OK)
            return ioError("reading the stream");
    }
    return std::optional<RedisReply>();
}

} // namespace cachescope
