#include "redisclient.h"

#include "redisconnector.h"

#include <algorithm>
#include <array>

namespace cachescope {

namespace {

bool isReadOnlyReply(const RedisReply &r)
{
    return r.isError() && r.string.startsWith("READONLY");
}

} // namespace

struct RedisClient::Private
{
    std::unique_ptr<RedisConnection> connection;
    QString lastServerName; // the node last connected, for messages after it is gone
};

RedisClient::RedisClient(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}

RedisClient::~RedisClient() = default;

QString RedisClient::serverName() const
{
    if (d->connection)
        return d->connection->serverName();
    return d->lastServerName.isEmpty() ? RedisConnector::serverName(m_url) : d->lastServerName;
}

bool RedisClient::isConnected() const
{
    return d->connection && !d->connection->isBroken();
}

void RedisClient::disconnect()
{
    d->connection.reset();
}

Expected<bool> RedisClient::connect()
{
    d->connection.reset();
    auto c = RedisConnector::open(m_url);
    if (!c)
        return Error{c.error()};
    d->connection = std::move(*c);
    d->lastServerName = d->connection->serverName();
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

Expected<std::vector<RedisReply>> RedisClient::sendEncoded(QByteArrayView request, qsizetype count, const char *what)
{
    auto r = d->connection->roundTrip(request, count, what);
    if (!r)
        d->connection.reset(); // left in an unknown state: never reused
    return r;
}

// Connects when needed, then sends. A connection that broke while idle (server restart, idle
// timeout) fails on first use: reconnect once and resend when that cannot apply anything twice.
// A Sentinel master that a failover demoted answers writes with READONLY (nothing applied):
// reconnect, which asks the sentinels again, and resend once.
template<typename Resendable>
Expected<std::vector<RedisReply>> RedisClient::sendWithRetry(QByteArrayView request, qsizetype count, const char *what,
                                                             Resendable &&resendable)
{
    const bool wasConnected = d->connection != nullptr;
    if (!isConnected()) {
        auto c = connect();
        if (!c)
            return Error{c.error()};
    }
    auto r = sendEncoded(request, count, what);
    const bool demoted = r && m_url.sentinel && std::any_of(r->begin(), r->end(), isReadOnlyReply);
    if (demoted || (!r && wasConnected && resendable())) {
        auto c = connect();
        if (!c)
            return demoted ? Error{c.error()} : Error{r.error() + QStringLiteral("; reconnect failed: ") + c.error()};
        r = sendEncoded(request, count, what);
    }
    return r;
}

Expected<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return makeError(QStringLiteral("Redis %1: empty command").arg(serverName()));
    QByteArray request;
    request.reserve(RedisConnection::encodedSizeBound(args));
    RedisConnection::appendCommand(request, args);
    const QByteArray name = args.first().toUpper();
    auto r = sendWithRetry(request, 1, name.constData(), [&] { return isIdempotent(args); });
    if (!r)
        return Error{r.error()};
    return std::move(r->front());
}

Expected<std::vector<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    if (commands.isEmpty())
        return std::vector<RedisReply>{};
    QByteArray request;
    qsizetype need = 0;
    for (const auto &args : commands)
        need += RedisConnection::encodedSizeBound(args);
    request.reserve(need);
    for (const auto &args : commands) {
        if (args.isEmpty())
            return makeError(QStringLiteral("Redis %1: empty command in a pipeline").arg(serverName()));
        RedisConnection::appendCommand(request, args);
    }
    const char *what = commands.size() == 1 ? nullptr : "pipeline";
    const QByteArray single = commands.size() == 1 ? commands.first().first().toUpper() : QByteArray();
    return sendWithRetry(request, commands.size(), what ? what : single.constData(), [&] {
        return std::all_of(commands.begin(), commands.end(), [](const auto &args) { return isIdempotent(args); });
    });
}

Expected<std::vector<RedisReply>> RedisClient::pipelineEncoded(const QByteArray &request, qsizetype count, bool resendable)
{
    if (count <= 0)
        return std::vector<RedisReply>{};
    return sendWithRetry(request, count, "pipeline", [&] { return resendable; });
}

void RedisClient::appendArrayHeader(QByteArray &out, qsizetype n)
{
    RedisConnection::appendArrayHeader(out, n);
}

void RedisClient::appendBulk(QByteArray &out, std::initializer_list<QByteArrayView> parts)
{
    RedisConnection::appendBulk(out, parts);
}

} // namespace cachescope
