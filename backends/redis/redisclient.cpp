#include "redisclient.h"

#include "rediscluster.h"
#include "redisconnector.h"
#include "redisnotices.h"
#include "respreader.h"

#include <algorithm>
#include <array>

namespace cachescope {

namespace {

bool isReadOnlyReply(const RedisReply &r)
{
    return r.isError() && r.string.startsWith("READONLY");
}

// The commands of an encoded pipeline again as argument lists (a request is RESP arrays of bulk
// strings, which the reply reader reads as well).
Expected<QList<QList<QByteArray>>> decodeRequest(const QByteArray &request, qsizetype count)
{
    RespReader reader;
    if (auto fed = reader.feed(request); !fed)
        return Error{fed.error()};
    QList<QList<QByteArray>> commands;
    commands.reserve(count);
    for (qsizetype i = 0; i < count; ++i) {
        auto next = reader.next();
        if (!next || !*next || (*next)->type != RedisReply::Type::Array)
            return makeError(QStringLiteral("malformed encoded request"));
        QList<QByteArray> args;
        args.reserve(qsizetype((*next)->elements.size()));
        for (auto &e : (*next)->elements)
            args.append(std::move(e.string));
        commands.append(std::move(args));
    }
    return commands;
}

} // namespace

struct RedisClient::Private
{
    std::unique_ptr<RedisConnection> connection;
    QString lastServerName; // the node last connected, for messages after it is gone
    std::unique_ptr<RedisClusterRouter> cluster; // routing by slot (cluster url or a redirect seen)
    bool clusterChecked = false;                 // INFO cluster asked of the one server
};

RedisClient::RedisClient(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}

RedisClient::~RedisClient() = default;

QString RedisClient::serverName() const
{
    if (d->cluster)
        return d->cluster->name();
    if (d->connection)
        return d->connection->serverName();
    return d->lastServerName.isEmpty() ? RedisConnector::serverName(m_url) : d->lastServerName;
}

bool RedisClient::isConnected() const
{
    if (d->cluster)
        return d->cluster->hasSlotMap();
    return d->connection && !d->connection->isBroken();
}

void RedisClient::disconnect()
{
    d->connection.reset();
    d->cluster.reset();
    d->clusterChecked = false; // a plain url's server is asked again whether it is a cluster node
}

bool RedisClient::isCluster() const
{
    return d->cluster != nullptr || m_url.isCluster();
}

Expected<bool> RedisClient::connect()
{
    d->connection.reset();
    if (m_url.isCluster()) {
        d->cluster = std::make_unique<RedisClusterRouter>(m_url, m_url.clusterNodes);
        return d->cluster->refresh();
    }
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

Expected<std::vector<RedisReply>> RedisClient::routed(const QList<QList<QByteArray>> &commands, bool resendable)
{
    if (!d->cluster)
        if (auto c = connect(); !c)
            return Error{c.error()};
    return d->cluster->run(commands, resendable);
}

void RedisClient::turnToCluster(const QString &why)
{
    const QString node = d->connection ? d->connection->address() : RedisConnector::serverName(m_url, false);
    const qsizetype colon = node.lastIndexOf(u':');
    QString host = node.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    RedisNotices::post(QStringLiteral("%1 is a Redis Cluster node: %2").arg(node, why));
    d->cluster = std::make_unique<RedisClusterRouter>(m_url, QList<QPair<QString, int>>{{host, node.mid(colon + 1).toInt()}});
    d->connection.reset();
}

Expected<bool> RedisClient::discoverCluster()
{
    if (isCluster())
        return true;
    if (d->clusterChecked || m_url.sentinel)
        return false;
    const QList<QByteArray> info{QByteArrayLiteral("INFO"), QByteArrayLiteral("cluster")};
    QByteArray request;
    RedisConnection::appendCommand(request, info);
    auto r = sendWithRetry(request, 1, "INFO", [] { return true; });
    if (!r)
        return Error{r.error()};
    d->clusterChecked = true;
    // A server that refuses INFO (a proxy, an ACL without it) is treated as a single server.
    if (r->front().isError() || !r->front().string.contains("cluster_enabled:1"))
        return false;
    turnToCluster(QStringLiteral("listing and routing through every master of the cluster"));
    return true;
}

Expected<bool> RedisClient::discoverClusterFor(const QList<QList<QByteArray>> &commands)
{
    // Only a key listing needs to know beforehand: every other command of a cluster node
    // answers MOVED/ASK/CROSSSLOT by itself when it belongs elsewhere.
    if (isCluster() || d->clusterChecked || m_url.sentinel)
        return isCluster();
    for (const auto &args : commands)
        if (!args.isEmpty() && args.first().compare("SCAN", Qt::CaseInsensitive) == 0)
            return discoverCluster();
    return false;
}

Expected<bool> RedisClient::followRedirects(std::vector<RedisReply> &replies, const QList<QList<QByteArray>> &commands)
{
    QList<qsizetype> redirected;
    for (size_t i = 0; i < replies.size(); ++i)
        if (RedisClusterRouter::isClusterReply(replies[i]))
            redirected << qsizetype(i);
    if (redirected.isEmpty())
        return true;
    if (!d->cluster)
        turnToCluster(QStringLiteral("following MOVED/ASK to the node of each key"));
    QList<QList<QByteArray>> again;
    for (qsizetype i : redirected)
        again.append(commands.at(i));
    auto r = d->cluster->run(again, true); // a redirect applied nothing: safe to send again
    if (!r)
        return Error{r.error()};
    for (qsizetype k = 0; k < redirected.size(); ++k)
        replies[size_t(redirected[k])] = std::move((*r)[size_t(k)]);
    return true;
}

Expected<QStringList> RedisClient::masters()
{
    auto cluster = discoverCluster();
    if (!cluster)
        return Error{cluster.error()};
    if (!*cluster)
        return QStringList{serverName()};
    if (!d->cluster || !d->cluster->hasSlotMap())
        if (auto c = d->cluster ? d->cluster->refresh() : connect(); !c)
            return Error{c.error()};
    return d->cluster->masters();
}

Expected<std::vector<RedisReply>> RedisClient::onEveryMaster(const QList<QByteArray> &args)
{
    auto nodes = masters();
    if (!nodes)
        return Error{nodes.error()};
    if (!d->cluster)
        return pipeline({args});
    QList<QPair<QString, QList<QByteArray>>> commands;
    for (const QString &node : *nodes)
        commands.append({node, args});
    return d->cluster->onMasters(commands);
}

Expected<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return makeError(QStringLiteral("Redis %1: empty command").arg(serverName()));
    if (auto c = discoverClusterFor({args}); !c)
        return Error{c.error()};
    if (isCluster()) {
        auto r = routed({args}, isIdempotent(args));
        if (!r)
            return Error{r.error()};
        return std::move(r->front());
    }
    QByteArray request;
    request.reserve(RedisConnection::encodedSizeBound(args));
    RedisConnection::appendCommand(request, args);
    const QByteArray name = args.first().toUpper();
    auto r = sendWithRetry(request, 1, name.constData(), [&] { return isIdempotent(args); });
    if (!r)
        return Error{r.error()};
    if (auto f = followRedirects(*r, {args}); !f)
        return Error{f.error()};
    return std::move(r->front());
}

Expected<std::vector<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    if (commands.isEmpty())
        return std::vector<RedisReply>{};
    const auto resendable = [&] {
        return std::all_of(commands.begin(), commands.end(), [](const auto &args) { return isIdempotent(args); });
    };
    if (auto c = discoverClusterFor(commands); !c)
        return Error{c.error()};
    if (isCluster())
        return routed(commands, resendable());
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
    auto r = sendWithRetry(request, commands.size(), what ? what : single.constData(), resendable);
    if (r)
        if (auto f = followRedirects(*r, commands); !f)
            return Error{f.error()};
    return r;
}

Expected<std::vector<RedisReply>> RedisClient::pipelineEncoded(const QByteArray &request, qsizetype count, bool resendable)
{
    if (count <= 0)
        return std::vector<RedisReply>{};
    if (isCluster()) {
        auto commands = decodeRequest(request, count);
        if (!commands)
            return makeError(QStringLiteral("Redis %1: %2").arg(serverName(), commands.error()));
        return routed(*commands, resendable);
    }
    auto r = sendWithRetry(request, count, "pipeline", [&] { return resendable; });
    if (r && std::any_of(r->begin(), r->end(), RedisClusterRouter::isClusterReply)) {
        auto commands = decodeRequest(request, count);
        if (!commands)
            return makeError(QStringLiteral("Redis %1: %2").arg(serverName(), commands.error()));
        if (auto f = followRedirects(*r, *commands); !f)
            return Error{f.error()};
    }
    return r;
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
