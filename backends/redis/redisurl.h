#pragma once

#include "common/expected.h"

#include <QString>

#include <chrono>

namespace cachescope {

// A parsed redis:// or unix:// URL, as redis-py's from_url reads it:
// redis://[[user]:password@]host[:port][/db][?db=N&socket_timeout=S&socket_connect_timeout=S&...]
// unix://[[user]:password@]/path/to/socket[?db=N]. rediss:// is refused (TLS not supported yet).
// As in redis-py 4.3.4 parse_url, ?db=N wins over the path DB ("use the path if a querystring
// value wasn't specified"); unknown query options are ignored. Unlike redis-py, a malformed path
// DB, port or timeout is an error instead of being silently dropped.
struct RedisUrl
{
    QString host = QStringLiteral("localhost");
    int port = 6379;
    QString unixSocket;     // non-empty for unix://
    int db = 0;
    bool dbInUrl = false;   // the URL named a DB (path or ?db=): it wins over CACHE_REDIS_DB
    QString username;       // ACL user; empty = default user
    QString password;       // secret: never printed or logged
    std::chrono::milliseconds connectTimeout{3000};
    std::chrono::milliseconds socketTimeout{10000};

    static Expected<RedisUrl> parse(const QString &url);
    // The URL without its password ("redis://user:***@host:6379/0"), safe to show and log.
    QString redacted() const;
};

} // namespace cachescope
