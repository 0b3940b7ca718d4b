#include "statsdmetric.h"

#include <cmath>

namespace cachescope {

namespace {

bool parseNumber(const QByteArray &text, double *out)
{
    bool ok = false;
    *out = text.toDouble(&ok);
    return ok && std::isfinite(*out);
}

} // namespace

Expected<StatsdMetric> StatsdMetric::parse(const QByteArray &rawLine)
{
    QByteArray line = rawLine;
    if (line.endsWith('\r'))
        line.chop(1);
    const qsizetype colon = line.indexOf(':');
    const qsizetype bar = line.indexOf('|');
    if (colon <= 0 || bar < 0 || bar < colon)
        return makeError(QStringLiteral("statsd line has no name:value|type shape"));
    StatsdMetric m;
    m.name = line.left(colon);
    const QByteArray valueText = line.mid(colon + 1, bar - colon - 1);
    const QList<QByteArray> fields = line.mid(bar + 1).split('|');
    const QByteArray &type = fields.first();
    if (type == "c")
        m.type = Type::Counter;
    else if (type == "ms")
        m.type = Type::Timer;
    else if (type == "g")
        m.type = Type::Gauge;
    else if (type == "h")
        m.type = Type::Histogram;
    else if (type == "s")
        m.type = Type::Set;
    else if (type == "d")
        m.type = Type::Distribution;
    else
        return makeError(QStringLiteral("statsd line has an unknown metric type"));
    if (m.name.contains(' ') || m.name.contains('|'))
        return makeError(QStringLiteral("statsd metric name contains a space or '|'"));

    if (m.type == Type::Set) {
        m.value = 1; // a set member is an identifier, not a number
    } else {
        if (valueText.isEmpty() || !parseNumber(valueText, &m.value))
            return makeError(QStringLiteral("statsd value is not a number"));
        m.relativeGauge = m.type == Type::Gauge && (valueText.startsWith('+') || valueText.startsWith('-'));
    }
    for (qsizetype i = 1; i < fields.size(); ++i) {
        const QByteArray &f = fields.at(i);
        if (f.startsWith('@')) {
            if (!parseNumber(f.mid(1), &m.sampleRate) || m.sampleRate <= 0 || m.sampleRate > 1)
                return makeError(QStringLiteral("statsd sample rate is not in (0, 1]"));
        } else if (f.startsWith('#')) {
            for (const QByteArray &tag : f.mid(1).split(',')) {
                if (tag.isEmpty())
                    continue;
                const qsizetype c = tag.indexOf(':');
                m.tags.append(c < 0 ? qMakePair(tag, QByteArray()) : qMakePair(tag.left(c), tag.mid(c + 1)));
            }
        } else if (f.startsWith("c:") || f.startsWith("T")) {
            // DogStatsD container id / timestamp extensions: carried, not needed here.
        } else {
            return makeError(QStringLiteral("statsd line has an unknown field"));
        }
    }
    return m;
}

QList<Expected<StatsdMetric>> StatsdMetric::parseDatagram(const QByteArray &datagram)
{
    QList<Expected<StatsdMetric>> out;
    for (const QByteArray &line : datagram.split('\n')) {
        if (line.isEmpty() || line == "\r")
            continue;
        out.append(parse(line));
    }
    return out;
}

} // namespace cachescope
