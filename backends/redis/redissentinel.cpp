// Sentinel discovery for RedisConnector: which node a Sentinel-managed url means right now.
// As redis-py 4.3.4's redis/sentinel.py (what Flask-Caching 2.0.2's RedisSentinelCache uses):
// the master is what a sentinel answers to SENTINEL get-master-addr-by-name, the sentinels are
// asked in the order given until one knows it; a replica (slave_for) is one that no sentinel
// flags down, taken in turn, and the master when none is left. Unlike redis-py the node's ROLE
// is checked before the connection is handed out, so a demoted master that a sentinel still
// names (during a failover) is not written to.

#include "redisconnection_p.h"
#include "redisconnector.h"
#include "redisnotices.h"

#include <QHash>
#include <QMutex>
#include <QMutexLocker>

#include <atomic>

namespace cachescope {

namespace {

struct Node
{
    QString host;
    int port = 0;
    QString text() const
    {
        return (host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host) % QLatin1Char(':')
               % QString::number(port);
    }
};

// The last master each Sentinel service named, to note a failover once when it is seen.
QMutex g_mastersMutex;
QHash<QString, QString> g_masters;
std::atomic<unsigned> g_replicaTurn{0};

QString serviceKey(const RedisSentinel &s)
{
    QStringList where;
    for (const auto &[host, port] : s.sentinels)
        where << QStringLiteral("%1:%2").arg(host).arg(port);
    return s.master % QLatin1Char('@') % where.join(QLatin1Char(','));
}

void noteMaster(const RedisSentinel &s, const Node &master)
{
    const QString key = serviceKey(s);
    QString previous;
    {
        QMutexLocker lock(&g_mastersMutex);
        previous = g_masters.value(key);
        if (previous == master.text())
            return;
        g_masters.insert(key, master.text());
    }
    if (!previous.isEmpty())
        RedisNotices::post(QStringLiteral("Sentinel %1: failover followed — the master is now %2 (was %3)")
                               .arg(s.master, master.text(), previous));
}

// A connection to one sentinel: its own password, user and TLS (sentinel_kwargs), no SELECT.
RedisUrl sentinelUrl(const RedisUrl &url, const QString &host, int port)
{
    RedisUrl s;
    s.host = host;
    s.port = port;
    s.unixSocket.clear();
    s.username = url.sentinel->username;
    s.password = url.sentinel->password;
    s.tls = url.sentinel->tls;
    s.connectTimeout = url.connectTimeout;
    s.socketTimeout = url.socketTimeout;
    return s;
}

std::optional<Node> parseMaster(const RedisReply &r)
{
    if (r.type != RedisReply::Type::Array || r.elements.size() != 2)
        return std::nullopt;
    bool ok = false;
    const int port = r.elements[1].string.toInt(&ok);
    if (!ok || port <= 0 || port > 65535 || r.elements[0].string.isEmpty())
        return std::nullopt;
    return Node{QString::fromUtf8(r.elements[0].string), port};
}

// SENTINEL replicas: one flat field/value array per replica. Replicas a sentinel sees as down
// or disconnected are skipped; after a failover that includes the old master, still listed.
QList<Node> healthyReplicas(const RedisReply &r)
{
    QList<Node> out;
    if (r.type != RedisReply::Type::Array)
        return out;
    for (const RedisReply &replica : r.elements) {
        QHash<QByteArray, QByteArray> fields;
        for (size_t i = 0; i + 1 < replica.elements.size(); i += 2)
            fields.insert(replica.elements[i].string, replica.elements[i + 1].string);
        const QByteArray flags = fields.value("flags");
        if (flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected"))
            continue;
        bool ok = false;
        const int port = fields.value("port").toInt(&ok);
        if (ok && port > 0 && !fields.value("ip").isEmpty())
            out.append(Node{QString::fromUtf8(fields.value("ip")), port});
    }
    return out;
}

// ROLE's first element: "master", "slave" (or "sentinel"); empty when the user may not run it.
QByteArray roleOf(RedisConnection &c)
{
    auto r = c.command({QByteArrayLiteral("ROLE")});
    if (!r || r->type != RedisReply::Type::Array || r->elements.empty())
        return {};
    return r->elements[0].string;
}

} // namespace

Expected<std::unique_ptr<RedisConnection>> RedisConnector::openThroughSentinels(const RedisUrl &url,
                                                                                 const RedisConnectOptions &options)
{
    const RedisSentinel &s = *url.sentinel;
    const bool wantMaster = s.role == RedisSentinel::Role::Master;
    const QString service = QStringLiteral("Redis sentinel %1").arg(s.master);
    if (s.sentinels.isEmpty())
        return makeError(QStringLiteral("%1: no sentinels are configured (CACHE_REDIS_SENTINELS)").arg(service));
    QStringList problems;
    for (const auto &[sentinelHost, sentinelPort] : s.sentinels) {
        const RedisUrl viaUrl = sentinelUrl(url, sentinelHost, sentinelPort);
        auto via = openNode(viaUrl, sentinelHost, sentinelPort, RedisConnectOptions{false, {}});
        if (!via) {
            problems << via.error();
            continue;
        }
        const QString sentinelName = (*via)->serverName();
        auto answer = (*via)->command({QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("get-master-addr-by-name"),
                                       s.master.toUtf8()});
        if (!answer) {
            problems << answer.error();
            continue;
        }
        if (answer->isError()) {
            problems << QStringLiteral("sentinel %1: %2").arg(sentinelName, QString::fromUtf8(answer->string.left(200)));
            continue;
        }
        const auto master = parseMaster(*answer);
        if (!master) {
            problems << QStringLiteral("sentinel %1 knows no master named \"%2\"").arg(sentinelName, s.master);
            continue;
        }
        noteMaster(s, *master);

        QList<Node> candidates;
        if (!wantMaster) {
            auto replicas = (*via)->command({QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("replicas"), s.master.toUtf8()});
            if (replicas && !replicas->isError()) {
                candidates = healthyReplicas(*replicas);
                if (!candidates.isEmpty()) // take the replicas in turn, as redis-py's rotate_slaves
                    std::rotate(candidates.begin(), candidates.begin() + (g_replicaTurn++ % candidates.size()),
                                candidates.end());
            }
        }
        candidates.append(*master); // a replica pool falls back to the master, as redis-py's does
        via->reset();

        for (const Node &node : std::as_const(candidates)) {
            const bool isMaster = node.host == master->host && node.port == master->port;
            auto c = openNode(url, node.host, node.port, options);
            if (!c) {
                problems << c.error();
                continue;
            }
            const QByteArray role = roleOf(**c);
            if (!role.isEmpty() && (isMaster ? role != "master" : role != "slave")) {
                problems << QStringLiteral("%1 answers ROLE %2, not %3 (a failover in progress?)")
                                .arg(node.text(), QString::fromUtf8(role),
                                     isMaster ? QStringLiteral("master") : QStringLiteral("replica"));
                continue;
            }
            return c;
        }
    }
    return makeError(QStringLiteral("%1: no %2 reachable: %3")
                         .arg(service, wantMaster ? QStringLiteral("master") : QStringLiteral("replica or master"),
                              problems.join(QStringLiteral("; "))));
}

} // namespace cachescope
