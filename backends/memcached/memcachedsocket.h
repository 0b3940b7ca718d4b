#pragma once

#include "common/expected.h"
#include "memcachedendpoint.h"

#include <QByteArray>

#include <chrono>

namespace cachescope {

// The one place that opens connections to memcached (every client, key source and poller goes
// through it): a blocking TCP or Unix stream socket whose connect, every write and every read
// wait at most `timeout`, with a read buffer for the line and block reads both protocols need.
// A failure closes the socket and names the server and the reason; the next open() starts
// afresh. For worker threads and the CLI, never the GUI thread. Not thread-safe.
class MemcachedSocket
{
public:
    MemcachedSocket(MemcachedEndpoint endpoint, std::chrono::milliseconds timeout);
    ~MemcachedSocket();
    MemcachedSocket(const MemcachedSocket &) = delete;
    MemcachedSocket &operator=(const MemcachedSocket &) = delete;

    Expected<bool> open();
    void close();
    bool isOpen() const { return m_fd >= 0; }
    const MemcachedEndpoint &endpoint() const { return m_endpoint; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    Expected<bool> write(QByteArrayView data);
    // One line without its "\r\n" (or bare "\n", as metadump ends its lines). A line longer than
    // maxLength is an error: replies are bounded, a runaway stream is not read into memory.
    Expected<QByteArray> readLine(qsizetype maxLength = 64 * 1024);
    // Exactly n bytes.
    Expected<QByteArray> read(qsizetype n);
    // Whatever is buffered, else what arrives next (at most `max` bytes): for streaming parsers.
    Expected<QByteArray> readSome(qsizetype max = 256 * 1024);
    // Bytes received but not consumed: a reply read only in part leaves the link unusable.
    qsizetype buffered() const { return m_buffer.size() - m_pos; }

private:
    Expected<bool> connectTcp(qint64 deadline);
    Expected<bool> connectUnix(qint64 deadline);
    Expected<bool> fill(const char *what);
    Error fail(const QString &reason);

    MemcachedEndpoint m_endpoint;
    std::chrono::milliseconds m_timeout;
    int m_fd = -1;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
};

} // namespace cachescope
