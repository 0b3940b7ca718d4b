#include "redisconnector.h"

#include "redisconnection_p.h"
#include "redisnotices.h"
#include "redistls.h"

#include <QElapsedTimer>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

namespace cachescope {

namespace {

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

QString hostPort(const QString &host, int port)
{
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return h % QLatin1Char(':') % QString::number(port);
}

// A write to a socket the server closed raises SIGPIPE, which kills the process by default;
// plain text uses MSG_NOSIGNAL, but OpenSSL writes with write(2). A program that set its own
// handler keeps it.
void ignoreSigpipeOnce()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction current{};
        if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
            ::signal(SIGPIPE, SIG_IGN);
    });
}

// Connects a non-blocking socket within the time left, then makes it blocking again (reads and
// writes are bounded by SO_RCVTIMEO/SO_SNDTIMEO instead).
Expected<bool> connectWithin(int fd, const sockaddr *addr, socklen_t len, int timeoutMs)
{
    if (::connect(fd, addr, len) == 0)
        return true;
    if (errno != EINPROGRESS && errno != EINTR)
        return makeError(errnoText(errno));
    pollfd pfd{fd, POLLOUT, 0};
    int ready;
    do {
        ready = ::poll(&pfd, 1, std::max(0, timeoutMs));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0)
        return makeError(QStringLiteral("connect timed out after %1 ms").arg(timeoutMs));
    int err = 0;
    socklen_t errLen = sizeof err;
    if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLen) != 0)
        return makeError(errnoText(errno));
    if (err != 0)
        return makeError(errnoText(err));
    return true;
}

void setBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

// TCP: every address the name resolves to, in order, within one connect timeout (hiredis 0.14
// does the same through redisConnectWithTimeout).
Expected<int> connectTcp(const QString &host, int port, std::chrono::milliseconds timeout)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const int rc = ::getaddrinfo(host.toUtf8().constData(), QByteArray::number(port).constData(), &hints, &found);
    if (rc != 0)
        return makeError(QStringLiteral("cannot resolve host \"%1\": %2").arg(host, QString::fromLocal8Bit(gai_strerror(rc))));
    std::unique_ptr<addrinfo, void (*)(addrinfo *)> guard(found, ::freeaddrinfo);
    QElapsedTimer clock;
    clock.start();
    QString lastError = QStringLiteral("no address");
    for (addrinfo *ai = found; ai; ai = ai->ai_next) {
        const int left = int(timeout.count() - clock.elapsed());
        if (left <= 0) {
            lastError = QStringLiteral("connect timed out after %1 ms").arg(timeout.count());
            break;
        }
        const int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            lastError = errnoText(errno);
            continue;
        }
        auto ok = connectWithin(fd, ai->ai_addr, ai->ai_addrlen, left);
        if (!ok) {
            lastError = ok.error().contains(QLatin1String("timed out"))
                            ? QStringLiteral("connect timed out after %1 ms").arg(timeout.count())
                            : ok.error();
            ::close(fd);
            continue;
        }
        setBlocking(fd);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // Keep-alive as hiredis's redisEnableKeepAlive: probe after 15 s idle, every 5 s, 3 times.
        ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        const int idle = 15, interval = 5, count = 3;
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
        return fd;
    }
    return makeError(lastError);
}

Expected<int> connectUnix(const QString &path, std::chrono::milliseconds timeout)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray p = path.toLocal8Bit();
    if (p.size() >= qsizetype(sizeof addr.sun_path))
        return makeError(QStringLiteral("socket path is longer than %1 bytes").arg(sizeof addr.sun_path - 1));
    std::memcpy(addr.sun_path, p.constData(), size_t(p.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return makeError(errnoText(errno));
    auto ok = connectWithin(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr, int(timeout.count()));
    if (!ok) {
        ::close(fd);
        return Error{ok.error()};
    }
    setBlocking(fd);
    return fd;
}

} // namespace

QString RedisConnector::serverName(const RedisUrl &url, bool withDb)
{
    QString name;
    if (url.sentinel) {
        name = QStringLiteral("sentinel %1").arg(url.sentinel->master);
    } else if (url.isCluster()) {
        QStringList nodes;
        for (const auto &[host, port] : url.clusterNodes)
            nodes << hostPort(host, port);
        return QStringLiteral("cluster ") + nodes.join(QLatin1Char(',')); // database 0 only
    } else if (!url.unixSocket.isEmpty())
        name = url.unixSocket;
    else
        name = hostPort(url.host, url.port);
    if (withDb)
        name += QLatin1Char('/') % QString::number(url.db);
    return name;
}

Expected<std::unique_ptr<RedisConnection>> RedisConnector::open(const RedisUrl &url, const RedisConnectOptions &options)
{
    ignoreSigpipeOnce();
    if (url.sentinel)
        return openThroughSentinels(url, options);
    return openNode(url, url.host, url.port, options);
}

Expected<std::unique_ptr<RedisConnection>> RedisConnector::openNode(const RedisUrl &url, const QString &host, int port,
                                                                     const RedisConnectOptions &options)
{
    const bool unixSocket = !url.unixSocket.isEmpty() && !url.sentinel;
    auto d = std::make_unique<RedisConnection::Private>();
    d->address = unixSocket ? url.unixSocket : hostPort(host, port);
    d->name = d->address;
    if (options.selectDb)
        d->name += QLatin1Char('/') % QString::number(url.db);
    if (url.sentinel)
        d->name = QStringLiteral("%1 (sentinel %2)").arg(d->name, url.sentinel->master);

    auto fd = unixSocket ? connectUnix(url.unixSocket, url.connectTimeout) : connectTcp(host, port, url.connectTimeout);
    if (!fd)
        return makeError(QStringLiteral("Redis %1: cannot connect: %2").arg(d->name, fd.error()));
    d->fd = *fd;
    d->setSocketTimeout(url.socketTimeout);
    if (url.tls.enabled) {
        auto shaken = tls::handshake(*d, url.tls, host, url.connectTimeout);
        if (!shaken)
            return makeError(QStringLiteral("Redis %1: %2").arg(d->name, shaken.error()));
        if (url.tls.certReqs == RedisTls::CertReqs::None)
            RedisNotices::post(QStringLiteral("Redis %1: TLS certificate verification is off (ssl_cert_reqs=none in "
                                              "the settings): the server's identity is not checked")
                                   .arg(d->name));
    }
    std::unique_ptr<RedisConnection> connection(new RedisConnection(std::move(d)));
    RedisConnection &c = *connection;
    bool spoke = false;

    if (!url.password.isEmpty() || !url.username.isEmpty()) {
        // As redis-py 4.3.4 on_connect: "AUTH user pass" when a user is named (pass may be empty,
        // for a nopass ACL user), "AUTH pass" otherwise, and the one-argument form again when a
        // pre-6.0 server rejects two arguments.
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!url.username.isEmpty())
            auth.append(url.username.toUtf8());
        auth.append(url.password.toUtf8());
        auto r = c.command(auth);
        if (r && r->isError() && auth.size() == 3 && r->string.contains("wrong number of arguments"))
            r = c.command({QByteArrayLiteral("AUTH"), url.password.toUtf8()});
        if (!r)
            return Error{r.error()};
        // The reply text is the server's ("WRONGPASS ..."), never the password.
        if (r->isError())
            return makeError(QStringLiteral("Redis %1: authentication failed%2: %3")
                                 .arg(c.serverName(),
                                      url.username.isEmpty() ? QString() : QStringLiteral(" for user \"%1\"").arg(url.username),
                                      QString::fromUtf8(r->string)));
        spoke = true;
    }
    if (options.selectDb && url.db != 0) {
        auto r = c.command({QByteArrayLiteral("SELECT"), QByteArray::number(url.db)});
        if (!r)
            return Error{r.error()};
        if (r->isError())
            return makeError(QStringLiteral("Redis %1: SELECT %2 failed: %3")
                                 .arg(c.serverName()).arg(url.db).arg(QString::fromUtf8(r->string)));
        spoke = true;
    }
    if (!options.clientName.isEmpty()) {
        auto r = c.command({QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), options.clientName});
        if (!r)
            return Error{r.error()};
        spoke = true; // a refusal (ACL) is not worth failing the connection for
    }
    if (c.isTls() && !spoke) {
        // Under TLS 1.3 a server that refuses our client certificate says so only at the first
        // read: one PING makes that a connect error naming the certificate.
        auto r = c.command({QByteArrayLiteral("PING")});
        if (!r)
            return Error{r.error()};
    }
    return connection;
}

} // namespace cachescope
