#pragma once

#include "common/expected.h"

#include <QList>
#include <QString>

namespace cachescope {

// One memcached server as cachelib's clients name it. Accepts what pylibmc 1.6.3 accepts
// ("host", "host:port", "host:port:weight", "[v6]:port[:weight]", "/path/to/socket") and what
// python-memcache 1.58 accepts ("unix:/path", "inet:host:port", "inet6:[v6]:port", weights
// given as a ("host:port", weight) tuple). UDP servers ("udp:...") are refused: the text and
// binary protocols are spoken over TCP and Unix sockets only here.
// Sources: lericson/pylibmc › src/pylibmc/client.py › translate_server_spec (@1.6.3);
// Debian python3-memcache 1.58 › memcache.py › _Host.__init__.
struct MemcachedEndpoint
{
    enum class Transport { Tcp, Unix };
    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 11211;
    QString path;   // Unix socket
    int weight = 1; // python-memcache repeats a server `weight` times in its buckets

    // "127.0.0.1:11211", "[::1]:11211" or "unix:/run/memcached.sock": how messages name it.
    QString name() const;
    bool operator==(const MemcachedEndpoint &other) const = default;

    static Expected<MemcachedEndpoint> parse(const QString &spec, int weight = 1);
    // "HOST:PORT[,HOST:PORT...]" as the command line takes it.
    static Expected<QList<MemcachedEndpoint>> parseList(const QString &commaSeparated);
};

} // namespace cachescope
