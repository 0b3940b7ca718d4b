#pragma once

#include "common/expected.h"
#include "redisclient.h"
#include "redisurl.h"

#include <QByteArray>
#include <QList>

#include <memory>
#include <optional>

namespace cachescope {

// A connection that turns into an endless reply stream (MONITOR, PSUBSCRIBE): RedisClient is
// request/response and retries, a stream must instead be read with a timeout so the reading
// thread can check its stop flag. Opens through RedisConnector (TLS, AUTH, Sentinel); does not
// SELECT (a stream names its DB).
// Not thread-safe: owned by the one thread that reads it.
class RedisStream
{
public:
    explicit RedisStream(RedisUrl url);
    ~RedisStream();
    RedisStream(const RedisStream &) = delete;
    RedisStream &operator=(const RedisStream &) = delete;

    Expected<bool> open();
    void close();
    bool isOpen() const;
    // "127.0.0.1:6379" or the socket path (the node, once a Sentinel-managed url is open): how
    // errors name the server (no password).
    QString serverName() const;

    // One request and its reply, for set-up before the stream starts (MONITOR's +OK, CONFIG GET).
    // A Redis error reply comes back as a reply of type Error.
    Expected<RedisReply> command(const QList<QByteArray> &args);
    // Writes a command without waiting for its reply: the replies arrive through next().
    Expected<bool> send(const QList<QByteArray> &args);
    // The next streamed reply, waiting at most timeoutMs; std::nullopt when none arrived in time.
    // An error means the connection is gone (server closed it, protocol error).
    Expected<std::optional<RedisReply>> next(int timeoutMs);

private:
    Error notConnected() const;
    struct Private;
    std::unique_ptr<Private> d;
    RedisUrl m_url;
};

} // namespace cachescope
