#pragma once

#include "common/expected.h"
#include "redisreply.h"
#include "redisurl.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <initializer_list>
#include <memory>
#include <vector>

namespace cachescope {

// A blocking request/response connection for worker threads and the CLI; never used on the GUI
// thread. Opens through RedisConnector (TCP/unix/TLS, AUTH, SELECT, Sentinel) and reconnects
// once on a broken connection. On a Sentinel-managed master a READONLY reply (the node was
// demoted by a failover) drops the connection and the command goes to the new master once.
// On a cluster (url.clusterNodes, or a node that answers MOVED/ASK/CROSSSLOT: `--redis
// redis://ONE-NODE`) commands are routed by slot (RedisClusterRouter): MOVED/ASK followed,
// multi-key commands split by slot, SCAN walking every master at once with one opaque cursor.
// Not thread-safe: one thread at a time (RedisCache guards it with a mutex).
class RedisClient
{
public:
    explicit RedisClient(RedisUrl url);
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    Expected<bool> connect();
    void disconnect();
    bool isConnected() const;
    // "127.0.0.1:6379/0", "/run/redis.sock/0" or, for a Sentinel-managed url once connected,
    // "127.0.0.1:7001/0 (sentinel mymaster)": how errors name the server (no password).
    QString serverName() const;
    const RedisUrl &url() const { return m_url; }

    // One command, binary-safe arguments. A Redis error reply is returned as a reply (type Error),
    // a connection/protocol failure as an Error naming the server and the reason.
    Expected<RedisReply> command(const QList<QByteArray> &args);
    // Commands that must not be sent twice (INCRBY, ...) are not retried after a broken
    // connection; everything else is retried once on a fresh connection.
    // Pipelined: all commands written, then all replies read (one round trip).
    Expected<std::vector<RedisReply>> pipeline(const QList<QList<QByteArray>> &commands);

    // A pipeline already encoded as RESP (see appendArrayHeader/appendBulk): `count` commands,
    // `resendable` when sending them twice after a broken connection cannot change anything.
    // Saves the per-command argument lists of pipeline() for large batches.
    Expected<std::vector<RedisReply>> pipelineEncoded(const QByteArray &request, qsizetype count, bool resendable);
    static void appendArrayHeader(QByteArray &out, qsizetype n);
    // One bulk string argument made of `parts` back to back (e.g. key prefix + key).
    static void appendBulk(QByteArray &out, std::initializer_list<QByteArrayView> parts);

    // Routed by slot: a cluster url, or a node that redirected a command.
    bool isCluster() const;
    // Asks a plain url's server once (INFO cluster) whether it is a cluster node; if so the
    // client turns to routing by slot (and posts a notice saying so). A cluster url: true.
    Expected<bool> discoverCluster();
    // The masters "host:port" of a cluster (in a stable order), or the one server.
    Expected<QStringList> masters();
    // One command on every master, sent together; replies in masters() order.
    Expected<std::vector<RedisReply>> onEveryMaster(const QList<QByteArray> &args);

    // True when resending `args` after an unknown outcome cannot change the result twice.
    static bool isIdempotent(const QList<QByteArray> &args);

private:
    Expected<std::vector<RedisReply>> sendEncoded(QByteArrayView request, qsizetype count, const char *what);
    template<typename Resendable>
    Expected<std::vector<RedisReply>> sendWithRetry(QByteArrayView request, qsizetype count, const char *what,
                                                    Resendable &&resendable);
    Expected<std::vector<RedisReply>> routed(const QList<QList<QByteArray>> &commands, bool resendable);
    // Replies that a cluster node sent instead of running the command (nothing was applied): the
    // client turns to routing by slot and sends those commands again.
    Expected<bool> discoverClusterFor(const QList<QList<QByteArray>> &commands);
    void turnToCluster(const QString &why);
    Expected<bool> followRedirects(std::vector<RedisReply> &replies, const QList<QList<QByteArray>> &commands);
    struct Private;
    std::unique_ptr<Private> d;
    RedisUrl m_url;
};

} // namespace cachescope
