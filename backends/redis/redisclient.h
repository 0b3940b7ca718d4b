#pragma once

#include "common/expected.h"
#include "redisurl.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>

#include <initializer_list>
#include <memory>
#include <variant>
#include <vector>

namespace cachescope {

// An owned copy of a hiredis reply (valid after the hiredis reply is freed).
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray string;               // Status, Error, String
    std::vector<RedisReply> elements; // Array

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
};

// A blocking connection (hiredis sync API) for worker threads and the CLI; never used on the
// GUI thread. Connects, AUTHs (ACL user + password), SELECTs on open and reconnects once on a
// broken connection. Not thread-safe: one thread at a time (RedisCache guards it with a mutex).
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
    // "127.0.0.1:6379/0" or "/run/redis.sock/0": how errors name the server (no password).
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

    // True when resending `args` after an unknown outcome cannot change the result twice.
    static bool isIdempotent(const QList<QByteArray> &args);

private:
    Expected<RedisReply> commandOnce(const QList<QByteArray> &args);
    Expected<std::vector<RedisReply>> pipelineOnce(const QList<QList<QByteArray>> &commands);
    Expected<std::vector<RedisReply>> sendEncoded(const QByteArray &request, qsizetype count);
    Error ioError(const char *what) const;
    Error dropConnection(Error why); // closes a connection left in an unknown state
    template<typename Once, typename Resendable>
    auto sendWithRetry(Once &&once, Resendable &&resendable) -> decltype(once());
    struct Private;
    std::unique_ptr<Private> d;
    RedisUrl m_url;
};

} // namespace cachescope

// Replies travel through queued signals (AsyncRedisConnection).
Q_DECLARE_METATYPE(cachescope::RedisReply)
Q_DECLARE_METATYPE(std::vector<cachescope::RedisReply>)
