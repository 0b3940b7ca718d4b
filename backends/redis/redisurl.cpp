// TEMP: minimal RedisUrl so the key browser builds before the redis agent's version lands.
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
    const QString scheme = url.scheme();
    if (scheme == u"unix") {
        r.unixSocket = url.path();
    } else if (scheme == u"redis") {
        if (!url.host().isEmpty())
            r.host = url.host();
        r.port = url.port(6379);
        const QString path = url.path().mid(1);
        if (!path.isEmpty()) {
            bool ok = false;
            r.db = path.toInt(&ok);
            if (!ok)
                return makeError(QStringLiteral("invalid Redis URL: database '%1' is not a number").arg(path));
        }
    } else {
        return makeError(QStringLiteral("unsupported Redis URL scheme '%1'").arg(scheme));
    }
    r.username = url.userName();
    r.password = url.password();
    const QUrlQuery q(url);
    if (q.hasQueryItem(QStringLiteral("db")))
        r.db = q.queryItemValue(QStringLiteral("db")).toInt();
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
