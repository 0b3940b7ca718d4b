#include "memcachedsocket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cachescope {

namespace {

qint64 nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Waits for `events` on fd until the deadline; 1 ready, 0 timed out, -1 error (errno set).
int waitFor(int fd, short events, qint64 deadline)
{
    for (;;) {
        const qint64 left = deadline - nowMs();
        if (left <= 0)
            return 0;
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, int(std::min<qint64>(left, 1 << 30)));
        if (r < 0 && errno == EINTR)
            continue;
        if (r > 0 && (p.revents & POLLNVAL)) {
            errno = EBADF;
            return -1;
        }
        return r;
    }
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Non-blocking connect to one address, finished within the deadline.
int connectOne(int family, const sockaddr *address, socklen_t length, qint64 deadline, int *error)
{
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = errno;
        return -1;
    }
    if (::connect(fd, address, length) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EAGAIN) {
        *error = errno;
        ::close(fd);
        return -1;
    }
    const int ready = waitFor(fd, POLLOUT, deadline);
    int soError = 0;
    socklen_t soLength = sizeof soError;
    if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLength) != 0 || soError != 0) {
        *error = ready == 0 ? ETIMEDOUT : (ready < 0 ? errno : soError);
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

MemcachedSocket::MemcachedSocket(MemcachedEndpoint endpoint, std::chrono::milliseconds timeout)
    : m_endpoint(std::move(endpoint)), m_timeout(timeout.count() > 0 ? timeout : std::chrono::milliseconds(1))
{
}

MemcachedSocket::~MemcachedSocket()
{
    close();
}

void MemcachedSocket::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_buffer.clear();
    m_pos = 0;
}

Error MemcachedSocket::fail(const QString &reason)
{
    close();
    return makeError(QStringLiteral("memcached %1: %2").arg(m_endpoint.name(), reason));
}

Expected<bool> MemcachedSocket::open()
{
    close();
    const qint64 deadline = nowMs() + m_timeout.count();
    return m_endpoint.transport == MemcachedEndpoint::Transport::Unix ? connectUnix(deadline) : connectTcp(deadline);
}

Expected<bool> MemcachedSocket::connectTcp(qint64 deadline)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const QByteArray host = m_endpoint.host.toUtf8();
    const QByteArray port = QByteArray::number(m_endpoint.port);
    if (const int rc = ::getaddrinfo(host.constData(), port.constData(), &hints, &found); rc != 0)
        return fail(QStringLiteral("cannot resolve host: %1").arg(QString::fromLocal8Bit(::gai_strerror(rc))));
    int error = 0;
    for (addrinfo *a = found; a && m_fd < 0; a = a->ai_next)
        m_fd = connectOne(a->ai_family, a->ai_addr, a->ai_addrlen, deadline, &error);
    ::freeaddrinfo(found);
    if (m_fd < 0) {
        if (error == ETIMEDOUT)
            return fail(QStringLiteral("cannot connect: no answer within %1 ms").arg(m_timeout.count()));
        return fail(QStringLiteral("cannot connect: %1").arg(errnoText(error)));
    }
    const int one = 1; // small request/reply exchanges: do not wait for Nagle
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

Expected<bool> MemcachedSocket::connectUnix(qint64 deadline)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray path = m_endpoint.path.toLocal8Bit();
    if (path.size() >= qsizetype(sizeof address.sun_path))
        return fail(QStringLiteral("socket path is longer than %1 bytes").arg(sizeof address.sun_path - 1));
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    int error = 0;
    m_fd = connectOne(AF_UNIX, reinterpret_cast<const sockaddr *>(&address), sizeof address, deadline, &error);
    if (m_fd < 0)
        return fail(QStringLiteral("cannot connect: %1").arg(errnoText(error)));
    return true;
}

Expected<bool> MemcachedSocket::write(QByteArrayView data)
{
    if (m_fd < 0)
        return fail(QStringLiteral("not connected"));
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(m_fd, data.data() + done, size_t(data.size() - done), MSG_NOSIGNAL);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const int ready = waitFor(m_fd, POLLOUT, nowMs() + m_timeout.count());
            if (ready == 0)
                return fail(QStringLiteral("the server took no data for %1 ms").arg(m_timeout.count()));
            if (ready < 0)
                return fail(QStringLiteral("write failed: %1").arg(errnoText(errno)));
            continue;
        }
        return fail(QStringLiteral("write failed: %1").arg(errnoText(errno)));
    }
    return true;
}

Expected<bool> MemcachedSocket::fill(const char *what)
{
    if (m_fd < 0)
        return fail(QStringLiteral("not connected"));
    if (m_pos > 0 && m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    } else if (m_pos > 1024 * 1024) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    char chunk[64 * 1024];
    for (;;) {
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            m_buffer.append(chunk, n);
            return true;
        }
        if (n == 0)
            return fail(QStringLiteral("the server closed the connection while %1").arg(QLatin1String(what)));
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return fail(QStringLiteral("read failed while %1: %2").arg(QLatin1String(what), errnoText(errno)));
        const int ready = waitFor(m_fd, POLLIN, nowMs() + m_timeout.count());
        if (ready == 0)
            return fail(QStringLiteral("no answer within %1 ms while %2").arg(m_timeout.count()).arg(QLatin1String(what)));
        if (ready < 0)
            return fail(QStringLiteral("read failed while %1: %2").arg(QLatin1String(what), errnoText(errno)));
    }
}

Expected<QByteArray> MemcachedSocket::readLine(qsizetype maxLength)
{
    qsizetype searchFrom = m_pos;
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', searchFrom);
        if (nl >= 0) {
            qsizetype end = nl;
            if (end > m_pos && m_buffer.at(end - 1) == '\r')
                --end;
            if (end - m_pos > maxLength)
                return fail(QStringLiteral("a reply line is longer than %1 bytes").arg(maxLength));
            QByteArray line = m_buffer.mid(m_pos, end - m_pos);
            m_pos = nl + 1;
            return line;
        }
        if (m_buffer.size() - m_pos > maxLength)
            return fail(QStringLiteral("a reply line is longer than %1 bytes").arg(maxLength));
        searchFrom = m_buffer.size();
        const qsizetype before = m_pos;
        if (auto ok = fill("reading a reply line"); !ok)
            return Error{ok.error()};
        searchFrom -= before - m_pos; // fill() may have compacted the buffer
    }
}

Expected<QByteArray> MemcachedSocket::read(qsizetype n)
{
    while (m_buffer.size() - m_pos < n) {
        if (auto ok = fill("reading a value"); !ok)
            return Error{ok.error()};
    }
    QByteArray out = m_buffer.mid(m_pos, n);
    m_pos += n;
    return out;
}

Expected<QByteArray> MemcachedSocket::readSome(qsizetype max)
{
    if (m_buffer.size() == m_pos) {
        if (auto ok = fill("streaming a reply"); !ok)
            return Error{ok.error()};
    }
    const qsizetype n = std::min(max, m_buffer.size() - m_pos);
    QByteArray out = m_buffer.mid(m_pos, n);
    m_pos += n;
    return out;
}

} // namespace cachescope
