#pragma once

#include "common/expected.h"

#include <QList>
#include <QPair>
#include <QString>

#include <chrono>
#include <optional>

namespace cachescope {

// TLS for one connection, as redis-py's SSLConnection takes it (redis-py 4.3.4
// redis/connection.py > SSLConnection): `rediss://` or `ssl=True` turn it on; the server
// certificate is verified against the system store plus ssl_ca_certs/ssl_ca_path unless
// ssl_cert_reqs is "none"; the host name is checked only with ssl_check_hostname (redis-py's
// default is false). A client certificate (ssl_certfile + ssl_keyfile) is sent when given.
struct RedisTls
{
    enum class CertReqs { Required, Optional, None };
    bool enabled = false;
    CertReqs certReqs = CertReqs::Required; // "optional" verifies as "required" does for a client (as Python's ssl)
    QString caCerts;    // ssl_ca_certs: PEM file of CA certificates
    QString caPath;     // ssl_ca_path: directory of hashed CA certificates
    QString certFile;   // ssl_certfile: client certificate (PEM)
    QString keyFile;    // ssl_keyfile: its private key (PEM); empty = inside certFile
    QString keyPassword; // ssl_password: secret, never printed
    bool checkHostname = false; // ssl_check_hostname

    // "TLS, verify required, ssl_ca_certs=/etc/ca.pem, ..." for the Config page and `config show`
    // (never the key password); "off" when disabled.
    QString summary() const;
    // "ssl_cert_reqs=none", ... as the config spells it.
    static QString certReqsName(CertReqs reqs);
    static std::optional<CertReqs> certReqsFromName(const QString &name);
};

// Where the sentinels of a RedisSentinelCache are and what to ask them (Flask-Caching 2.0.2
// RedisSentinelCache: redis.sentinel.Sentinel(sentinels, sentinel_kwargs=...) then master_for /
// slave_for). The data node's own password, user, TLS and DB stay in the RedisUrl around it.
struct RedisSentinel
{
    enum class Role { Master, Replica };
    QList<QPair<QString, int>> sentinels; // host, port
    QString master = QStringLiteral("mymaster");
    Role role = Role::Master; // Replica: what Flask-Caching reads through (slave_for)
    QString username;         // sentinel_username
    QString password;         // sentinel_password: secret, never printed
    RedisTls tls;             // sentinel_ssl...: the sentinels' own TLS (redis-py keeps it apart)
};

// Everything needed to open a connection to one Redis server (RedisConnector::open): a parsed
// redis:// or unix:// URL, as redis-py's from_url reads it:
// redis://[[user]:password@]host[:port][/db][?db=N&socket_timeout=S&socket_connect_timeout=S&...]
// unix://[[user]:password@]/path/to/socket[?db=N]; rediss:// is TLS (see RedisTls).
// Settings a URL cannot hold (TLS files given as config keys, a Sentinel set) live beside them.
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
    RedisTls tls;
    // Set: host/port are not used; the current master (or a replica) is asked of the sentinels
    // on every connect, so a reconnect follows a failover.
    std::optional<RedisSentinel> sentinel;
    // Non-empty for a RedisClusterCache: the startup nodes (CACHE_REDIS_CLUSTER "h1:p1,h2:p2"),
    // asked for the slot map; every node is opened with this url's user, password, TLS and
    // timeouts, in database 0. host/port are not used then.
    QList<QPair<QString, int>> clusterNodes;
    bool isCluster() const { return !clusterNodes.isEmpty(); }
    // "h1:p1,h2:p2" (Flask-Caching 2.0.2 RedisClusterCache: split on ',' then ':', each part
    // stripped); an error names the malformed node.
    static Expected<QList<QPair<QString, int>>> parseClusterNodes(const QString &nodes);
    // One node of this cluster ("host:port" or "[v6]:port", as CLUSTER SLOTS and MOVED name it):
    // the same user, password, TLS and timeouts, in database 0, without startup nodes.
    RedisUrl clusterNode(const QString &hostPort) const;

    static Expected<RedisUrl> parse(const QString &url);
    // As redis-py's from_url(url, **kwargs): starts from `defaults` (a config's host, DB, TLS
    // files, ...) and lets whatever the URL names win.
    static Expected<RedisUrl> parse(const QString &url, const RedisUrl &defaults);
    // The URL without its password ("redis://user:***@host:6379/0"), safe to show and log.
    QString redacted() const;
};

} // namespace cachescope
