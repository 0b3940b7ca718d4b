#pragma once

#include "common/expected.h"

#include <QString>

#include <chrono>

namespace cachescope {

// A parsed redis:// or unix:// URL, as redis-py's from_url reads it:
// redis://[[user]:password@]host[:port][/db][?db=N&socket_timeout=S&socket_connect_timeout=S&...]
// unix://[[user]:password@]/path/to/socket[?db=N]. rediss:// is refused (TLS not supported yet).
struct RedisUrl
{
    QString host = QStringLiteral("localhost");
    int port = 6379;
    QString unixSocket;     // non-empty for unix://
    int db = 0;
    QString username;       // ACL user; empty = default user
    QString password;       // secret: never printed or logged
    std::chrono::milliseconds connectTimeout{3000};
    std::chrono::milliseconds socketTimeout{10000};

    static Expected<RedisUrl> parse(const QString &url);
    // The URL without its password ("redis://user:***@host:6379/0"), safe to show and log.
    QString redacted() const;
};

} // namespace cachescope
