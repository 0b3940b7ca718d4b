#include "redisstream.h"

#include "redisconnector.h"

namespace cachescope {

struct RedisStream::Private
{
    std::unique_ptr<RedisConnection> connection;
};

RedisStream::RedisStream(RedisUrl url) : d(std::make_unique<Private>()), m_url(std::move(url)) {}

RedisStream::~RedisStream() = default;

QString RedisStream::serverName() const
{
    return d->connection ? d->connection->serverName() : RedisConnector::serverName(m_url, false);
}

bool RedisStream::isOpen() const
{
    return d->connection && !d->connection->isBroken();
}

void RedisStream::close()
{
    d->connection.reset();
}

Error RedisStream::notConnected() const
{
    return makeError(QStringLiteral("Redis %1: not connected").arg(serverName()));
}

Expected<bool> RedisStream::open()
{
    d->connection.reset();
    auto c = RedisConnector::open(m_url, RedisConnectOptions{false, {}});
    if (!c)
        return Error{c.error()};
    d->connection = std::move(*c);
    return true;
}

Expected<RedisReply> RedisStream::command(const QList<QByteArray> &args)
{
    if (!isOpen())
        return notConnected();
    return d->connection->command(args);
}

Expected<bool> RedisStream::send(const QList<QByteArray> &args)
{
    if (!isOpen())
        return notConnected();
    QByteArray request;
    request.reserve(RedisConnection::encodedSizeBound(args));
    RedisConnection::appendCommand(request, args);
    return d->connection->write(request, args.value(0).constData());
}

Expected<std::optional<RedisReply>> RedisStream::next(int timeoutMs)
{
    if (!isOpen())
        return notConnected();
    return d->connection->read(qMax(0, timeoutMs), "reading the stream");
}

} // namespace cachescope
