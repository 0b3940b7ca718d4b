// TEMP redis: minimal blocking RedisClient for the monitor branch until the redis branch lands.
#include "redisclient.h"

#include <hiredis/hiredis.h>

namespace cachescope {

namespace {

timeval toTimeval(std::chrono::milliseconds ms)
{
    timeval tv;
    tv.tv_sec = long(ms.count() / 1000);
    tv.tv_usec = long((ms.count() % 1000) * 1000);
    return tv;
}

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::String; out.string = QByteArray(r->str, qsizetype(r->len)); break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::Status; out.string = QByteArray(r->str, qsizetype(r->len)); break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::Error; out.string = QByteArray(r->str, qsizetype(r->len)); break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(r->elements);
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.push_back(convert(r->element[i]));
        break;
    default: out.type = RedisReply::Type::Nil; break;
    }
    return out;
}

} // namespace

struct RedisClient::Private
{
    redisContext *ctx = nullptr;
    void close()
    {
        if (ctx)
            redisFree(ctx);
        ctx = nullptr;
    }
};

RedisClient::RedisClient(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}

RedisClient::~RedisClient()
{
    d->close();
}

bool RedisClient::isConnected() const
{
    return d->ctx && !d->ctx->err;
}

Expected<bool> RedisClient::connect()
{
    d->close();
    const timeval tv = toTimeval(m_url.connectTimeout);
    d->ctx = m_url.unixSocket.isEmpty() ? redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, tv)
                                        : redisConnectUnixWithTimeout(m_url.unixSocket.toUtf8().constData(), tv);
    if (!d->ctx || d->ctx->err) {
        const QString why = d->ctx ? QString::fromUtf8(d->ctx->errstr) : QStringLiteral("out of memory");
        d->close();
        return makeError(QStringLiteral("cannot connect to %1: %2").arg(m_url.redacted(), why));
    }
    redisSetTimeout(d->ctx, toTimeval(m_url.socketTimeout));
    auto checked = [this](const QList<QByteArray> &args, const QString &what) -> Expected<bool> {
        auto r = command(args);
        if (!r)
            return makeError(r.error());
        if (r->isError())
            return makeError(QStringLiteral("%1 on %2 failed: %3").arg(what, m_url.redacted(), QString::fromUtf8(r->string)));
        return true;
    };
    if (!m_url.password.isEmpty()) {
        QList<QByteArray> args{"AUTH"};
        if (!m_url.username.isEmpty())
            args << m_url.username.toUtf8();
        args << m_url.password.toUtf8();
        if (auto ok = checked(args, QStringLiteral("AUTH")); !ok) {
            d->close();
            return ok;
        }
    }
    if (m_url.db != 0)
        if (auto ok = checked({"SELECT", QByteArray::number(m_url.db)}, QStringLiteral("SELECT")); !ok) {
            d->close();
            return ok;
        }
    return true;
}

Expected<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    if (!isConnected())
        return makeError(QStringLiteral("not connected to %1").arg(m_url.redacted()));
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lens.push_back(size_t(a.size()));
    }
    auto *reply = static_cast<redisReply *>(redisCommandArgv(d->ctx, int(argv.size()), argv.data(), lens.data()));
    if (!reply) {
        const QString why = QString::fromUtf8(d->ctx->errstr);
        d->close();
        return makeError(QStringLiteral("%1 on %2 failed: %3").arg(QString::fromUtf8(args.value(0)), m_url.redacted(), why));
    }
    RedisReply out = convert(reply);
    freeReplyObject(reply);
    return out;
}

Expected<std::vector<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    std::vector<RedisReply> out;
    for (const auto &c : commands) {
        auto r = command(c);
        if (!r)
            return makeError(r.error());
        out.push_back(std::move(r.value()));
    }
    return out;
}

} // namespace cachescope
