#include "memcachedendpoint.h"

namespace cachescope {

namespace {

Expected<quint16> parsePort(const QString &text, const QString &spec)
{
    bool ok = false;
    const int port = text.toInt(&ok);
    if (!ok || port < 1 || port > 65535)
        return makeError(QStringLiteral("memcached server '%1': port '%2' is not a number from 1 to 65535").arg(spec, text));
    return quint16(port);
}

Expected<int> parseWeight(const QString &text, const QString &spec)
{
    bool ok = false;
    const int weight = text.toInt(&ok);
    if (!ok || weight < 1 || weight > 1000)
        return makeError(QStringLiteral("memcached server '%1': weight '%2' is not a number from 1 to 1000").arg(spec, text));
    return weight;
}

} // namespace

QString MemcachedEndpoint::name() const
{
    if (transport == Transport::Unix)
        return QStringLiteral("unix:") + path;
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

Expected<MemcachedEndpoint> MemcachedEndpoint::parse(const QString &specIn, int weight)
{
    const QString spec = specIn.trimmed();
    MemcachedEndpoint e;
    e.weight = weight;
    if (spec.isEmpty())
        return makeError(QStringLiteral("memcached server: empty address"));
    if (weight < 1)
        return makeError(QStringLiteral("memcached server '%1': weight %2 must be at least 1").arg(spec).arg(weight));
    if (spec.startsWith(QStringLiteral("udp:")))
        return makeError(QStringLiteral("memcached server '%1': UDP servers are not supported; use the TCP address").arg(spec));
    if (spec.startsWith(QLatin1Char('/')) || spec.startsWith(QStringLiteral("unix:"))) {
        e.transport = Transport::Unix;
        e.path = spec.startsWith(QLatin1Char('/')) ? spec : spec.mid(5);
        e.port = 0;
        if (e.path.isEmpty())
            return makeError(QStringLiteral("memcached server '%1': no socket path").arg(spec));
        return e;
    }
    QString rest = spec;
    if (rest.startsWith(QStringLiteral("inet6:")))
        rest = rest.mid(6);
    else if (rest.startsWith(QStringLiteral("inet:")))
        rest = rest.mid(5);
    QString portText, weightText;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0)
            return makeError(QStringLiteral("memcached server '%1': '[' without ']'").arg(spec));
        e.host = rest.mid(1, close - 1);
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(QLatin1Char(':')))
                return makeError(QStringLiteral("memcached server '%1': expected ':' after ']'").arg(spec));
            portText = after.mid(1);
        }
    } else {
        const qsizetype colon = rest.indexOf(QLatin1Char(':'));
        e.host = colon < 0 ? rest : rest.left(colon);
        if (colon >= 0)
            portText = rest.mid(colon + 1);
    }
    // pylibmc's "host:port:weight"
    if (const qsizetype colon = portText.indexOf(QLatin1Char(':')); colon >= 0) {
        weightText = portText.mid(colon + 1);
        portText = portText.left(colon);
    }
    if (e.host.isEmpty())
        return makeError(QStringLiteral("memcached server '%1': no host").arg(spec));
    if (!portText.isEmpty()) {
        auto port = parsePort(portText, spec);
        if (!port)
            return Error{port.error()};
        e.port = *port;
    }
    if (!weightText.isEmpty()) {
        auto w = parseWeight(weightText, spec);
        if (!w)
            return Error{w.error()};
        e.weight = *w;
    }
    return e;
}

Expected<QList<MemcachedEndpoint>> MemcachedEndpoint::parseList(const QString &commaSeparated)
{
    QList<MemcachedEndpoint> out;
    for (const QString &part : commaSeparated.split(QLatin1Char(','))) {
        auto e = parse(part);
        if (!e)
            return Error{e.error()};
        out.append(*e);
    }
    return out;
}

} // namespace cachescope
