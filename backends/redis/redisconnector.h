#pragma once

// How to open a Redis connection: every connection CacheScope makes goes through
// RedisConnector::open(url). Fill a RedisUrl (RedisUrl::parse, or CacheSpec::connectionUrl() for a
// config's cache) and call `auto c = RedisConnector::open(url);` — it resolves the host (or asks
// the sentinels in url.sentinel for the current master/replica and checks its ROLE), connects
// over TCP or a unix socket within url.connectTimeout, runs the TLS handshake when url.tls.enabled
// (verification as redis-py does it; a failed check is an error naming it, never a fallback to
// plain text), sends AUTH (ACL user + password, or password only) and SELECT url.db, and returns
// a RedisConnection whose reads and writes are bounded by url.socketTimeout. `c.error()` names the
// server and the reason, never the password. A RedisConnection is blocking and not thread-safe:
// use it from one worker thread, never from the GUI thread. Most code wants a layer on top:
// RedisClient (request/response, pipelines, one reconnect) or RedisStream (MONITOR/SUBSCRIBE),
// AsyncRedisConnection for the GUI thread. To reach one node of a cluster, copy the url, set
// host/port and open it: TLS, AUTH and timeouts come along. Things the user must see that are
// not errors (verification switched off by the config, a Sentinel failover) go to RedisNotices.

#include "common/expected.h"
#include "redisreply.h"
#include "redisurl.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

struct RedisConnectOptions
{
    bool selectDb = true;   // false for streams: MONITOR/PSUBSCRIBE name their DB themselves
    QByteArray clientName;  // CLIENT SETNAME after connecting (empty: none)
};

// One open connection: a socket (TCP or unix), TLS on top when asked, and hiredis's RESP reader
// building RedisReply values straight from the bytes read. Plain and TLS share this one path.
// After an I/O or protocol error the connection is broken (isBroken) and must be dropped.
class RedisConnection
{
public:
    ~RedisConnection();
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    // "127.0.0.1:6379/0", "[::1]:6379", "/run/redis.sock/0": how errors name the server.
    const QString &serverName() const;
    // host:port actually connected (for a Sentinel-managed url: the node the sentinels named).
    QString address() const;
    bool isTls() const;
    bool isBroken() const;

    // Writes a whole request (one or more commands encoded with appendCommand & co).
    // `what` names the operation in errors ("GET", "pipeline").
    Expected<bool> write(QByteArrayView request, const char *what);
    // The next reply, waiting at most the socket timeout. A Redis error reply is a reply.
    Expected<RedisReply> read(const char *what);
    // The next reply if one arrives within timeoutMs (streams), std::nullopt otherwise.
    Expected<std::optional<RedisReply>> read(int timeoutMs, const char *what);
    // One command: write + read.
    Expected<RedisReply> command(const QList<QByteArray> &args);
    // `count` replies to a request already encoded.
    Expected<std::vector<RedisReply>> roundTrip(QByteArrayView request, qsizetype count, const char *what);

    // RESP request encoding (binary-safe), for one buffer per pipeline.
    static void appendCommand(QByteArray &out, const QList<QByteArray> &args);
    static void appendArrayHeader(QByteArray &out, qsizetype n);
    // One bulk string argument made of `parts` back to back (e.g. key prefix + key).
    static void appendBulk(QByteArray &out, std::initializer_list<QByteArrayView> parts);
    // Upper bound of appendCommand's output, to size a buffer once.
    static qsizetype encodedSizeBound(const QList<QByteArray> &args);

    struct Private; // opaque outside backends/redis (redisconnection_p.h)

private:
    friend class RedisConnector;
    explicit RedisConnection(std::unique_ptr<Private> d);
    Error fail(const char *what, const QString &reason);
    std::unique_ptr<Private> d;
};

class RedisConnector
{
public:
    static Expected<std::unique_ptr<RedisConnection>> open(const RedisUrl &url, const RedisConnectOptions &options = {});
    // How a url's server is named in messages before (or without) connecting: "127.0.0.1:6379/0",
    // "sentinel mymaster/0"; withDb = false drops the "/db".
    static QString serverName(const RedisUrl &url, bool withDb = true);

private:
    // redissentinel.cpp: asks the sentinels for the node, then opens it with openNode.
    static Expected<std::unique_ptr<RedisConnection>> openThroughSentinels(const RedisUrl &url,
                                                                            const RedisConnectOptions &options);
    static Expected<std::unique_ptr<RedisConnection>> openNode(const RedisUrl &url, const QString &host, int port,
                                                                const RedisConnectOptions &options);
};

} // namespace cachescope
