// TEMP redis: minimal RedisUrl for the monitor branch until the redis branch lands.
#include "redisurl.h"

#include <QUrl>
#include <QUrlQuery>

namespace cachescope {

Expected<RedisUrl> RedisUrl::parse(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return makeError(QStringLiteral("invalid Redis URL: %1").arg(url.errorString()));
    RedisUrl r;
    const QString scheme = url.scheme().toLower();
    if (scheme == u"rediss")
        return makeError(QStringLiteral("rediss:// (TLS) is not supported yet"));
    if (scheme == u"unix") {
        r.unixSocket = url.path();
        if (r.unixSocket.isEmpty())
            return makeError(QStringLiteral("unix:// URL has no socket path"));
    } else if (scheme == u"redis") {
        if (!url.host().isEmpty())
            r.host = url.host();
        r.port = url.port(6379);
        const QString path = url.path();
        if (path.size() > 1) {
            bool ok = false;
            r.db = path.mid(1).toInt(&ok);
            if (!ok || r.db < 0)
                return makeError(QStringLiteral("Redis URL database '%1' is not a number").arg(path.mid(1)));
        }
    } else {
        return makeError(QStringLiteral("unsupported Redis URL scheme '%1'").arg(scheme));
    }
    r.username = url.userName();
    r.password = url.password();
    const QUrlQuery query(url);
    if (query.hasQueryItem(QStringLiteral("db")))
        r.db = query.queryItemValue(QStringLiteral("db")).toInt();
    return r;
}

QString RedisUrl::redacted() const
{
    QString auth;
    if (!username.isEmpty() || !password.isEmpty())
        auth = username % (password.isEmpty() ? QString() : QStringLiteral(":***")) % u'@';
    if (!unixSocket.isEmpty())
        return QStringLiteral("unix://") % auth % unixSocket % QStringLiteral("?db=") % QString::number(db);
    return QStringLiteral("redis://") % auth % host % u':' % QString::number(port) % u'/' % QString::number(db);
}

} // namespace cachescope
