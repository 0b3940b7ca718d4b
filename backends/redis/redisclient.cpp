// TEMP: minimal blocking RedisClient (hiredis sync API) until the redis agent's version lands.
#include "redisclient.h"

#include <hiredis/hiredis.h>

namespace cachescope {

namespace {

RedisReply copyReply(const redisReply *r)
{
    RedisReply out;
    if (!r)
        return out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(r->elements);
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.push_back(copyReply(r->element[i]));
        break;
    default:
        break;
    }
    return out;
}

timeval toTimeval(std::chrono::milliseconds ms)
{
    timeval tv;
    tv.tv_sec = long(ms.count() / 1000);
    tv.tv_usec = long((ms.count() % 1000) * 1000);
    return tv;
}

} // namespace

struct RedisClient::Private
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

RedisClient::RedisClient(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}
RedisClient::~RedisClient() = default;

bool RedisClient::isConnected() const
{
    return d->ctx && !d->ctx->err;
}

Expected<bool> RedisClient::connect()
{
    d->reset();
    const timeval ctv = toTimeval(m_url.connectTimeout);
    d->ctx = m_url.unixSocket.isEmpty()
        ? redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, ctv)
        : redisConnectUnixWithTimeout(m_url.unixSocket.toUtf8().constData(), ctv);
    if (!d->ctx || d->ctx->err) {
        const QString why = d->ctx ? QString::fromUtf8(d->ctx->errstr) : QStringLiteral("out of memory");
        d->reset();
        return makeError(QStringLiteral("cannot connect to %1: %2").arg(m_url.redacted(), why));
    }
    redisSetTimeout(d->ctx, toTimeval(m_url.socketTimeout));
    QList<QList<QByteArray>> init;
    if (!m_url.password.isEmpty()) {
        if (m_url.username.isEmpty())
            init.append({"AUTH", m_url.password.toUtf8()});
        else
            init.append({"AUTH", m_url.username.toUtf8(), m_url.password.toUtf8()});
    }
    if (m_url.db != 0)
        init.append({"SELECT", QByteArray::number(m_url.db)});
    for (const auto &cmd : init) {
        std::vector<const char *> argv;
        std::vector<size_t> lens;
        for (const auto &a : cmd) {
            argv.push_back(a.constData());
            lens.push_back(size_t(a.size()));
        }
        auto *r = static_cast<redisReply *>(redisCommandArgv(d->ctx, int(argv.size()), argv.data(), lens.data()));
        if (!r || r->type == REDIS_REPLY_ERROR) {
            const QString why = r ? QString::fromUtf8(r->str, int(r->len)) : QString::fromUtf8(d->ctx->errstr);
            if (r)
                freeReplyObject(r);
            d->reset();
            return makeError(QStringLiteral("cannot open %1: %2 failed: %3")
                                 .arg(m_url.redacted(), QString::fromLatin1(cmd.first()), why));
        }
        freeReplyObject(r);
    }
    return true;
}

Expected<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    auto replies = pipeline({args});
    if (!replies)
        return makeError(replies.error());
    return std::move(replies->front());
}

Expected<std::vector<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!isConnected()) {
            auto c = connect();
            if (!c)
                return makeError(c.error());
        }
        for (const auto &cmd : commands) {
            std::vector<const char *> argv;
            std::vector<size_t> lens;
            argv.reserve(size_t(cmd.size()));
            lens.reserve(size_t(cmd.size()));
            for (const auto &a : cmd) {
                argv.push_back(a.constData());
                lens.push_back(size_t(a.size()));
            }
            redisAppendCommandArgv(d->ctx, int(argv.size()), argv.data(), lens.data());
        }
        std::vector<RedisReply> out;
        out.reserve(size_t(commands.size()));
        bool broken = false;
        for (qsizetype i = 0; i < commands.size(); ++i) {
            void *raw = nullptr;
            if (redisGetReply(d->ctx, &raw) != REDIS_OK) {
                broken = true;
                break;
            }
            out.push_back(copyReply(static_cast<redisReply *>(raw)));
            freeReplyObject(raw);
        }
        if (!broken)
            return out;
        const QString why = QString::fromUtf8(d->ctx->errstr);
        d->reset();
        if (attempt == 1)
            return makeError(QStringLiteral("%1: connection failed: %2").arg(m_url.redacted(), why));
    }
    return makeError(QStringLiteral("%1: connection failed").arg(m_url.redacted()));
}

} // namespace cachescope
