#include "redisurl.h"

#include <QUrl>
#include <QRegularExpression>
#include <QUrlQuery>

#include <cmath>

namespace cachescope {

namespace {

Error urlError(const QString &what)
{
    return makeError(QStringLiteral("Redis URL: %1").arg(what));
}

// redis-py parses timeouts with float(): seconds, fractions allowed.
std::optional<std::chrono::milliseconds> parseSeconds(const QString &text)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 86400.0 * 365)
        return std::nullopt;
    return std::chrono::milliseconds(qint64(std::llround(seconds * 1000.0)));
}

// redis-py's to_bool for URL options: "0", "F", "FALSE", "N", "NO" (any case) are false.
bool pythonBool(const QString &text)
{
    static const QStringList falseStrings{QStringLiteral("0"), QStringLiteral("F"), QStringLiteral("FALSE"),
                                          QStringLiteral("N"), QStringLiteral("NO")};
    return !falseStrings.contains(text.trimmed().toUpper());
}

std::optional<int> parseDb(const QString &text)
{
    bool ok = false;
    const int db = text.trimmed().toInt(&ok);
    if (!ok || db < 0)
        return std::nullopt;
    return db;
}

} // namespace

Expected<RedisUrl> RedisUrl::parse(const QString &text)
{
    return parse(text, RedisUrl{});
}

Expected<RedisUrl> RedisUrl::parse(const QString &text, const RedisUrl &defaults)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return urlError(QStringLiteral("empty URL"));
    const qsizetype schemeEnd = trimmed.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return urlError(QStringLiteral("no scheme in \"%1\" (expected redis://, rediss://, unix://)").arg(trimmed.left(40)));
    const QString scheme = trimmed.left(schemeEnd).toLower();
    if (scheme != QLatin1String("redis") && scheme != QLatin1String("rediss") && scheme != QLatin1String("unix"))
        return urlError(QStringLiteral("unsupported scheme \"%1\" (expected redis://, rediss:// or unix://)").arg(scheme));

    // QUrl keeps percent-encoding in userinfo/path when asked (FullyEncoded), so we decode once,
    // exactly like redis-py's unquote().
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) {
        // QUrl's errorString() quotes the whole URL including the password: build our own
        // message from the host part only, naming the port when that is what's wrong.
        QString hostPort = trimmed.mid(schemeEnd + 3);
        hostPort = hostPort.left(hostPort.indexOf(QRegularExpression(QStringLiteral("[/?#]"))));
        hostPort = hostPort.mid(hostPort.lastIndexOf(QLatin1Char('@')) + 1);
        const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
        if (colon >= 0 && !hostPort.endsWith(QLatin1Char(']'))) {
            const QString portText = hostPort.mid(colon + 1);
            bool ok = false;
            const int port = portText.toInt(&ok);
            if (!ok || port <= 0 || port > 65535)
                return urlError(QStringLiteral("invalid port \"%1\" for host \"%2\" (expected 1-65535)")
                                    .arg(portText, hostPort.left(colon)));
        }
        return urlError(QStringLiteral("malformed URL near \"%1\"").arg(hostPort));
    }

    RedisUrl result = defaults;
    result.dbInUrl = false;
    // As parse_url: only a user or password the URL actually holds replaces the given one.
    if (const QString user = QUrl::fromPercentEncoding(url.userName(QUrl::FullyEncoded).toLatin1()); !user.isEmpty())
        result.username = user;
    if (const QString pass = QUrl::fromPercentEncoding(url.password(QUrl::FullyEncoded).toLatin1()); !pass.isEmpty())
        result.password = pass;
    if (scheme == QLatin1String("rediss"))
        result.tls.enabled = true;

    std::optional<int> queryDb;
    const QUrlQuery query(url);
    for (const auto &[name, rawValue] : query.queryItems(QUrl::FullyEncoded)) {
        const QString value = QUrl::fromPercentEncoding(rawValue.toLatin1());
        if (value.isEmpty())
            continue; // parse_qs drops empty values
        if (name == QLatin1String("db")) {
            queryDb = parseDb(value);
            if (!queryDb)
                return urlError(QStringLiteral("invalid value for ?db: \"%1\" is not a DB number").arg(value));
        } else if (name == QLatin1String("socket_timeout")) {
            const auto t = parseSeconds(value);
            if (!t)
                return urlError(QStringLiteral("invalid value for ?socket_timeout: \"%1\" is not seconds").arg(value));
            result.socketTimeout = *t;
        } else if (name == QLatin1String("socket_connect_timeout")) {
            const auto t = parseSeconds(value);
            if (!t)
                return urlError(
                    QStringLiteral("invalid value for ?socket_connect_timeout: \"%1\" is not seconds").arg(value));
            result.connectTimeout = *t;
        } else if (name == QLatin1String("ssl")) {
            result.tls.enabled = pythonBool(value);
        } else if (name == QLatin1String("ssl_cert_reqs")) {
            const auto reqs = RedisTls::certReqsFromName(value);
            if (!reqs)
                return urlError(
                    QStringLiteral("invalid value for ?ssl_cert_reqs: \"%1\" (expected none, optional or required)").arg(value));
            result.tls.certReqs = *reqs;
        } else if (name == QLatin1String("ssl_check_hostname")) {
            result.tls.checkHostname = pythonBool(value);
        } else if (name == QLatin1String("ssl_ca_certs")) {
            result.tls.caCerts = value;
        } else if (name == QLatin1String("ssl_ca_path")) {
            result.tls.caPath = value;
        } else if (name == QLatin1String("ssl_certfile")) {
            result.tls.certFile = value;
        } else if (name == QLatin1String("ssl_keyfile")) {
            result.tls.keyFile = value;
        } else if (name == QLatin1String("ssl_password")) {
            result.tls.keyPassword = value;
        }
        // Other redis-py options (socket_keepalive, health_check_interval, ...) do not change
        // how we talk to the server: ignored, as unknown ones are passed through by redis-py.
    }

    if (scheme == QLatin1String("unix")) {
        result.unixSocket = QUrl::fromPercentEncoding(url.path(QUrl::FullyEncoded).toLatin1());
        if (result.unixSocket.isEmpty())
            return urlError(QStringLiteral("unix:// URL without a socket path"));
        if (result.tls.enabled) // redis-py's UnixDomainSocketConnection takes no ssl options either
            return urlError(QStringLiteral("TLS is not available over a unix socket (%1)").arg(result.unixSocket));
        result.host.clear();
        result.port = 0;
    } else {
        result.unixSocket.clear();
        if (!url.host().isEmpty())
            result.host = url.host(); // IPv6 comes without brackets: "::1"
        // QUrl's port(): -1 when absent; StrictMode already rejected non-digits and > 65535.
        const int port = url.port(-1);
        if (port == 0)
            return urlError(QStringLiteral("invalid port 0 for host \"%1\"").arg(url.host()));
        if (port > 0)
            result.port = port;
        const QString path = QUrl::fromPercentEncoding(url.path(QUrl::FullyEncoded).toLatin1());
        QString dbText = path;
        dbText.remove(QLatin1Char('/'));
        if (!dbText.isEmpty() && !queryDb) {
            const auto db = parseDb(dbText);
            if (!db)
                return urlError(QStringLiteral("invalid DB \"%1\" in the path (expected /0, /1, ...)").arg(path));
            result.db = *db;
            result.dbInUrl = true;
        }
    }
    if (queryDb) {
        result.db = *queryDb;
        result.dbInUrl = true;
    }
    return result;
}

QString RedisTls::summary() const
{
    if (!enabled)
        return QStringLiteral("off");
    QStringList parts{QStringLiteral("on"), QStringLiteral("ssl_cert_reqs=%1").arg(certReqsName(certReqs))};
    if (!caCerts.isEmpty())
        parts << QStringLiteral("ssl_ca_certs=%1").arg(caCerts);
    if (!caPath.isEmpty())
        parts << QStringLiteral("ssl_ca_path=%1").arg(caPath);
    if (!certFile.isEmpty())
        parts << QStringLiteral("ssl_certfile=%1").arg(certFile);
    if (!keyFile.isEmpty())
        parts << QStringLiteral("ssl_keyfile=%1").arg(keyFile);
    if (checkHostname)
        parts << QStringLiteral("ssl_check_hostname=True");
    return parts.join(QStringLiteral(", "));
}

QString RedisTls::certReqsName(CertReqs reqs)
{
    switch (reqs) {
    case CertReqs::None: return QStringLiteral("none");
    case CertReqs::Optional: return QStringLiteral("optional");
    case CertReqs::Required: return QStringLiteral("required");
    }
    return {};
}

std::optional<RedisTls::CertReqs> RedisTls::certReqsFromName(const QString &name)
{
    // redis-py accepts the strings and ssl.CERT_* (0, 1, 2); Python's repr of those is
    // "VerifyMode.CERT_NONE", which a config evaluated without ssl imported may show.
    const QString n = name.trimmed().toLower().section(QLatin1Char('.'), -1);
    if (n == u"none" || n == u"cert_none" || n == u"0")
        return CertReqs::None;
    if (n == u"optional" || n == u"cert_optional" || n == u"1")
        return CertReqs::Optional;
    if (n == u"required" || n == u"cert_required" || n == u"2")
        return CertReqs::Required;
    return std::nullopt;
}

Expected<QList<QPair<QString, int>>> RedisUrl::parseClusterNodes(const QString &nodes)
{
    QList<QPair<QString, int>> out;
    for (const QString &node : nodes.split(QLatin1Char(','))) {
        const qsizetype colon = node.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const int port = colon > 0 ? node.mid(colon + 1).trimmed().toInt(&ok) : 0;
        QString host = colon > 0 ? node.left(colon).trimmed() : QString();
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        if (!ok || port <= 0 || port > 65535 || host.isEmpty())
            return makeError(QStringLiteral("cluster node '%1' is not host:port (expected e.g. host1:port1,host2:port2)")
                                 .arg(node.trimmed()));
        out.append({host, port});
    }
    return out;
}

RedisUrl RedisUrl::clusterNode(const QString &hostPort) const
{
    RedisUrl url = *this;
    url.clusterNodes.clear();
    url.sentinel.reset();
    url.unixSocket.clear();
    url.db = 0; // a cluster has database 0 only (Flask-Caching's cluster cache ignores CACHE_REDIS_DB)
    url.dbInUrl = false;
    const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
    url.host = hostPort.left(colon);
    if (url.host.startsWith(QLatin1Char('[')) && url.host.endsWith(QLatin1Char(']')))
        url.host = url.host.mid(1, url.host.size() - 2);
    url.port = hostPort.mid(colon + 1).toInt();
    return url;
}

QString RedisUrl::redacted() const
{
    QString userInfo;
    if (!username.isEmpty() || !password.isEmpty()) {
        userInfo = QString::fromLatin1(QUrl::toPercentEncoding(username));
        if (!password.isEmpty())
            userInfo += QStringLiteral(":***");
        userInfo += QLatin1Char('@');
    }
    if (sentinel) {
        QStringList where;
        for (const auto &[h, p] : sentinel->sentinels)
            where << (h.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(h) : h) % QLatin1Char(':') % QString::number(p);
        return QStringLiteral("redis+sentinel://") % userInfo % where.join(QLatin1Char(',')) % QLatin1Char('/')
               % sentinel->master % QLatin1Char('/') % QString::number(db)
               % (sentinel->role == RedisSentinel::Role::Replica ? QStringLiteral(" (replica)") : QString())
               % (tls.enabled ? QStringLiteral(" (TLS)") : QString());
    }
    if (isCluster()) {
        QStringList where;
        for (const auto &[h, p] : clusterNodes)
            where << (h.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(h) : h) % QLatin1Char(':') % QString::number(p);
        return QStringLiteral("redis+cluster://") % userInfo % where.join(QLatin1Char(','))
               % (tls.enabled ? QStringLiteral(" (TLS)") : QString());
    }
    if (!unixSocket.isEmpty())
        return QStringLiteral("unix://") % userInfo % unixSocket % QStringLiteral("?db=") % QString::number(db);
    const QString hostPart = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return (tls.enabled ? QStringLiteral("rediss://") : QStringLiteral("redis://")) % userInfo % hostPart % QLatin1Char(':') % QString::number(port)
           % QLatin1Char('/') % QString::number(db);
}

} // namespace cachescope
