#include "redisclient.h"

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <algorithm>
#include <array>

namespace cachescope {

namespace {

// std::chrono at the API boundary: milliseconds go to tv_sec + tv_usec (not ms into tv_usec).
timeval toTimeval(std::chrono::milliseconds ms)
{
    if (ms.count() <= 0)
        ms = std::chrono::milliseconds(1);
    timeval tv{};
    tv.tv_sec = time_t(ms.count() / 1000);
    tv.tv_usec = suseconds_t((ms.count() % 1000) * 1000);
    return tv;
}

RedisReply copyReply(const redisReply *r, int depth = 0)
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
        // "OK" answers every SET of a pipeline: static data, no allocation or refcount per reply.
        if (r->len == 2 && r->str[0] == 'O' && r->str[1] == 'K')
            out.string = QByteArrayLiteral("OK");
        else
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
        if (depth < 64) { // hiredis itself caps nesting at 7; stay bounded whatever it does
            out.elements.reserve(r->elements);
            for (size_t i = 0; i < r->elements; ++i)
                out.elements.push_back(copyReply(r->element[i], depth + 1));
        }
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

struct ReplyDeleter
{
    void operator()(void *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

// Upper bound of appendResp's output, to size the request buffer once.
qsizetype respSize(const QList<QByteArray> &args)
{
    qsizetype n = 24;
    for (const auto &a : args)
        n += a.size() + 26;
    return n;
}

// RESP request encoding, done here instead of hiredis' sds formatting: one buffer for a whole
// pipeline, handed to hiredis with a single redisAppendFormattedCommand.
// Lengths are never negative; digits by hand (snprintf was a visible cost per argument).
void appendLen(QByteArray &out, char kind, qsizetype n)
{
    char num[24];
    char *end = num + sizeof num;
    char *p = end;
    *--p = '\n';
    *--p = '\r';
    quint64 v = quint64(n);
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v);
    *--p = kind;
    out.append(p, end - p);
}

void appendResp(QByteArray &out, const QList<QByteArray> &args)
{

    appendLen(out, '*', args.size());
    for (const auto &a : args) {
        appendLen(out, '$', a.size());
        out += a;
        out.append("\r\n", 2);
    }
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

QString RedisClient::serverName() const
{
    if (!m_url.unixSocket.isEmpty())
        return m_url.unixSocket % QLatin1Char('/') % QString::number(m_url.db);
    const QString host = m_url.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(m_url.host) : m_url.host;
    return host % QLatin1Char(':') % QString::number(m_url.port) % QLatin1Char('/') % QString::number(m_url.db);
}

bool RedisClient::isConnected() const
{
    return d->ctx && d->ctx->err == 0;
}

void RedisClient::disconnect()
{
    d->reset();
}

Error RedisClient::ioError(const char *what) const
{
    QString reason = QStringLiteral("connection lost");
    if (d->ctx && d->ctx->err) {
        reason = QString::fromLocal8Bit(d->ctx->errstr);
        if (d->ctx->err == REDIS_ERR_IO && reason.contains(QLatin1String("Resource temporarily unavailable")))
            reason = QStringLiteral("timed out after %1 ms").arg(m_url.socketTimeout.count());
        else if (d->ctx->err == REDIS_ERR_EOF || reason.isEmpty())
            reason = QStringLiteral("server closed the connection");
    }
    return makeError(QStringLiteral("Redis %1: %2 failed: %3").arg(serverName(), QLatin1String(what), reason));
}

Expected<bool> RedisClient::connect()
{
    d->reset();
    const timeval connectTv = toTimeval(m_url.connectTimeout);
    if (!m_url.unixSocket.isEmpty())
        d->ctx = redisConnectUnixWithTimeout(m_url.unixSocket.toLocal8Bit().constData(), connectTv);
    else
        d->ctx = redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, connectTv);
    if (!d->ctx)
        return makeError(QStringLiteral("Redis %1: cannot allocate a connection").arg(serverName()));
    if (d->ctx->err) {
        QString reason = QString::fromLocal8Bit(d->ctx->errstr);
        if (reason.contains(QLatin1String("Operation now in progress")) || reason.contains(QLatin1String("timed out")))
            reason = QStringLiteral("connect timed out after %1 ms").arg(m_url.connectTimeout.count());
        d->reset();
        return makeError(QStringLiteral("Redis %1: cannot connect: %2").arg(serverName(), reason));
    }
    redisSetTimeout(d->ctx, toTimeval(m_url.socketTimeout));
    if (m_url.unixSocket.isEmpty())
        redisEnableKeepAlive(d->ctx);

    if (!m_url.password.isEmpty() || !m_url.username.isEmpty()) {
        // As redis-py 4.3.4 on_connect: "AUTH user pass" when a user is named (pass may be empty,
        // for a nopass ACL user), "AUTH pass" otherwise, and the one-argument form again when a
        // pre-6.0 server rejects two arguments.
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_url.username.isEmpty())
            auth.append(m_url.username.toUtf8());
        auth.append(m_url.password.toUtf8());
        auto r = commandOnce(auth);
        if (r && r->isError() && auth.size() == 3 && r->string.contains("wrong number of arguments"))
            r = commandOnce({QByteArrayLiteral("AUTH"), m_url.password.toUtf8()});
        if (!r)
            return dropConnection(Error{r.error()});
        if (r->isError())
            return dropConnection(makeError(QStringLiteral("Redis %1: authentication failed%2: %3")
                                                .arg(serverName(),
                                                     m_url.username.isEmpty() ? QString() : QStringLiteral(" for user \"%1\"").arg(m_url.username),
                                                     QString::fromUtf8(r->string))));
    }
    if (m_url.db != 0) {
        auto r = commandOnce({QByteArrayLiteral("SELECT"), QByteArray::number(m_url.db)});
        if (!r)
            return dropConnection(Error{r.error()});
        if (r->isError())
            return dropConnection(makeError(QStringLiteral("Redis %1: SELECT %2 failed: %3")
                                                .arg(serverName()).arg(m_url.db).arg(QString::fromUtf8(r->string))));
    }
    return true;
}

bool RedisClient::isIdempotent(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return true;
    static const std::array<const char *, 22> once{
        "INCR",  "INCRBY", "INCRBYFLOAT", "DECR",  "DECRBY",  "APPEND", "LPUSH",   "RPUSH",
        "LPOP",  "RPOP",   "HINCRBY",     "HINCRBYFLOAT", "ZINCRBY", "XADD", "SPOP", "GETDEL",
        "LPUSHX", "RPUSHX", "RPOPLPUSH", "LMOVE", "PUBLISH", "EVAL"};
    const QByteArray name = args.first().toUpper();
    for (const char *c : once)
        if (name == c)
            return false;
    return true;
}

Expected<RedisReply> RedisClient::commandOnce(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return makeError(QStringLiteral("Redis %1: empty command").arg(serverName()));
    QByteArray request;
    request.reserve(respSize(args));
    appendResp(request, args);
    void *raw = nullptr;
    if (redisAppendFormattedCommand(d->ctx, request.constData(), size_t(request.size())) != REDIS_OK
        || redisGetReply(d->ctx, &raw) != REDIS_OK || !raw) {
        if (raw)
            freeReplyObject(raw);
        return dropConnection(ioError(args.first().toUpper().constData()));
    }
    ReplyPtr reply(raw);
    return copyReply(static_cast<redisReply *>(raw));
}

Error RedisClient::dropConnection(Error why)
{
    d->reset();
    return why;
}

// Connects when needed, then sends. A connection that broke while idle (server restart, idle
// timeout) fails on first use: reconnect once and resend when that cannot apply anything twice.
template<typename Once, typename Resendable>
auto RedisClient::sendWithRetry(Once &&once, Resendable &&resendable) -> decltype(once())
{
    const bool wasConnected = d->ctx != nullptr;
    if (!isConnected()) {
        auto c = connect();
        if (!c)
            return Error{c.error()};
    }
    auto r = once();
    if (!r && wasConnected && resendable()) {
        auto c = connect();
        if (!c)
            return Error{r.error() + QStringLiteral("; reconnect failed: ") + c.error()};
        r = once();
    }
    return r;
}

Expected<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    return sendWithRetry([&] { return commandOnce(args); }, [&] { return isIdempotent(args); });
}

Expected<std::vector<RedisReply>> RedisClient::pipelineOnce(const QList<QList<QByteArray>> &commands)
{
    QByteArray request;
    qsizetype need = 0;
    for (const auto &args : commands)
        need += respSize(args);
    request.reserve(need);
    for (const auto &args : commands) {
        if (args.isEmpty())
            return makeError(QStringLiteral("Redis %1: empty command in a pipeline").arg(serverName()));
        appendResp(request, args);
    }
    if (redisAppendFormattedCommand(d->ctx, request.constData(), size_t(request.size())) != REDIS_OK)
        return dropConnection(ioError("pipeline"));
    std::vector<RedisReply> replies;
    replies.reserve(size_t(commands.size()));
    for (qsizetype i = 0; i < commands.size(); ++i) {
        void *raw = nullptr;
        if (redisGetReply(d->ctx, &raw) != REDIS_OK || !raw) // replies still queued would be read by the next command
            return dropConnection(ioError(commands.at(i).first().toUpper().constData()));
        ReplyPtr reply(raw);
        replies.push_back(copyReply(static_cast<redisReply *>(raw)));
    }
    return replies;
}

void RedisClient::appendArrayHeader(QByteArray &out, qsizetype n)
{
    appendLen(out, '*', n);
}

void RedisClient::appendBulk(QByteArray &out, std::initializer_list<QByteArrayView> parts)
{
    qsizetype n = 0;
    for (const auto &p : parts)
        n += p.size();
    appendLen(out, '$', n);
    for (const auto &p : parts)
        out.append(p);
    out.append("\r\n", 2);
}

Expected<std::vector<RedisReply>> RedisClient::sendEncoded(const QByteArray &request, qsizetype count)
{
    if (redisAppendFormattedCommand(d->ctx, request.constData(), size_t(request.size())) != REDIS_OK)
        return dropConnection(ioError("pipeline"));
    std::vector<RedisReply> replies;
    replies.reserve(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        void *raw = nullptr;
        if (redisGetReply(d->ctx, &raw) != REDIS_OK || !raw) // replies still queued would be read by the next command
            return dropConnection(ioError("pipeline"));
        ReplyPtr reply(raw);
        replies.push_back(copyReply(static_cast<redisReply *>(raw)));
    }
    return replies;
}

Expected<std::vector<RedisReply>> RedisClient::pipelineEncoded(const QByteArray &request, qsizetype count, bool resendable)
{
    if (count <= 0)
        return std::vector<RedisReply>{};
    return sendWithRetry([&] { return sendEncoded(request, count); }, [&] { return resendable; });
}

Expected<std::vector<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    if (commands.isEmpty())
        return std::vector<RedisReply>{};
    return sendWithRetry([&] { return pipelineOnce(commands); }, [&] {
        return std::all_of(commands.begin(), commands.end(), [](const auto &args) { return isIdempotent(args); });
    });
}

} // namespace cachescope
