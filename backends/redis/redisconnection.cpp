#include "redisconnection_p.h"

#include "redistls.h"

#include <openssl/ssl.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cachescope {

namespace {

// A read of up to this much per system call. TLS records are at most 16 KiB, so TLS reads
// return less; plain text reads large values in fewer calls than hiredis's 16 KiB.
constexpr size_t kReadChunk = 64 * 1024;

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

// A failed send/recv in words: SO_SNDTIMEO/SO_RCVTIMEO expiring shows as EAGAIN.
QString socketFailure(const RedisConnection::Private &d, int error)
{
    if (error == EAGAIN || error == EWOULDBLOCK)
        return QStringLiteral("timed out after %1 ms").arg(d.socketTimeout.count());
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

RedisConnection::Private::Private() = default;

RedisConnection::Private::~Private()
{
    if (ssl) {
        // A close_notify only when the link is healthy: on a broken one it could block.
        if (!broken)
            SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    if (fd >= 0)
        ::close(fd);
}

void RedisConnection::Private::setSocketTimeout(std::chrono::milliseconds timeout)
{
    socketTimeout = timeout;
    if (timeout.count() <= 0)
        timeout = std::chrono::milliseconds(1);
    timeval tv{};
    tv.tv_sec = time_t(timeout.count() / 1000);
    tv.tv_usec = suseconds_t((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

RedisConnection::RedisConnection(std::unique_ptr<Private> d) : d(std::move(d)) {}

RedisConnection::~RedisConnection() = default;

const QString &RedisConnection::serverName() const
{
    return d->name;
}

QString RedisConnection::address() const
{
    return d->address;
}

bool RedisConnection::isTls() const
{
    return d->ssl != nullptr;
}

bool RedisConnection::isBroken() const
{
    return d->broken;
}

Error RedisConnection::fail(const char *what, const QString &reason)
{
    d->broken = true;
    return makeError(QStringLiteral("Redis %1: %2 failed: %3").arg(d->name, QLatin1String(what), reason));
}

Expected<bool> RedisConnection::write(QByteArrayView request, const char *what)
{
    if (d->broken)
        return fail(what, QStringLiteral("connection lost"));
    const char *p = request.data();
    qsizetype left = request.size();
    while (left > 0) {
        if (d->ssl) {
            const int chunk = int(std::min<qsizetype>(left, 1 << 30));
            const int n = SSL_write(d->ssl, p, chunk);
            if (n <= 0)
                return fail(what, tls::ioFailure(*d, n));
            p += n;
            left -= n;
            continue;
        }
        const ssize_t n = ::send(d->fd, p, size_t(left), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(what, socketFailure(*d, errno));
        }
        p += n;
        left -= n;
    }
    return true;
}

Expected<RedisReply> RedisConnection::read(const char *what)
{
    for (;;) {
        auto next = read(-1, what);
        if (!next)
            return Error{next.error()};
        if (next->has_value())
            return std::move(**next);
    }
}

Expected<std::optional<RedisReply>> RedisConnection::read(int timeoutMs, const char *what)
{
    if (d->broken)
        return fail(what, QStringLiteral("connection lost"));
    char buf[kReadChunk];
    for (;;) {
        auto reply = d->reader.next();
        if (!reply)
            return fail(what, reply.error());
        if (reply->has_value()) {
            d->answered = true;
            return reply;
        }
        // Streams wait with poll; bytes TLS already read (decrypted or read ahead) do not show on
        // the socket.
        if (timeoutMs >= 0 && !(d->ssl && SSL_has_pending(d->ssl))) {
            pollfd pfd{d->fd, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, timeoutMs);
            if (ready < 0 && errno != EINTR)
                return fail(what, QString::fromLocal8Bit(std::strerror(errno)));
            if (ready <= 0)
                return std::optional<RedisReply>();
        }
        ssize_t n;
        if (d->ssl) {
            n = SSL_read(d->ssl, buf, int(sizeof buf));
            if (n <= 0)
                return fail(what, tls::ioFailure(*d, int(n)));
        } else {
            n = ::recv(d->fd, buf, sizeof buf, 0);
            if (n == 0)
                return fail(what, QStringLiteral("server closed the connection"));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return fail(what, socketFailure(*d, errno));
            }
        }
        if (auto fed = d->reader.feed(QByteArrayView(buf, n)); !fed)
            return fail(what, fed.error());
        if (timeoutMs >= 0)
            timeoutMs = 0; // one wait per call: a partial reply is completed by the next call
    }
}

Expected<RedisReply> RedisConnection::command(const QList<QByteArray> &args)
{
    const QByteArray name = args.value(0).toUpper();
    if (args.isEmpty())
        return makeError(QStringLiteral("Redis %1: empty command").arg(d->name));
    QByteArray request;
    request.reserve(encodedSizeBound(args));
    appendCommand(request, args);
    if (auto w = write(request, name.constData()); !w)
        return Error{w.error()};
    return read(name.constData());
}

Expected<std::vector<RedisReply>> RedisConnection::roundTrip(QByteArrayView request, qsizetype count, const char *what)
{
    if (auto w = write(request, what); !w)
        return Error{w.error()};
    std::vector<RedisReply> replies;
    replies.reserve(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        auto r = read(what);
        if (!r) // replies still queued would be read by the next command: the connection is broken
            return Error{r.error()};
        replies.push_back(std::move(*r));
    }
    return replies;
}

qsizetype RedisConnection::encodedSizeBound(const QList<QByteArray> &args)
{
    qsizetype n = 24;
    for (const auto &a : args)
        n += a.size() + 26;
    return n;
}

void RedisConnection::appendCommand(QByteArray &out, const QList<QByteArray> &args)
{
    appendLen(out, '*', args.size());
    for (const auto &a : args) {
        appendLen(out, '$', a.size());
        out += a;
        out.append("\r\n", 2);
    }
}

void RedisConnection::appendArrayHeader(QByteArray &out, qsizetype n)
{
    appendLen(out, '*', n);
}

void RedisConnection::appendBulk(QByteArray &out, std::initializer_list<QByteArrayView> parts)
{
    qsizetype n = 0;
    for (const auto &p : parts)
        n += p.size();
    appendLen(out, '$', n);
    for (const auto &p : parts)
        out.append(p);
    out.append("\r\n", 2);
}

} // namespace cachescope
