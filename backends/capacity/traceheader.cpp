#include "tracerecord.h"

#include "common/expected.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace cachescope {

const char *traceOpName(TraceOp op)
{
    switch (op) {
    case TraceOp::Get:
        return "get";
    case TraceOp::GetHit:
        return "get-hit";
    case TraceOp::GetMiss:
        return "get-miss";
    case TraceOp::Set:
        return "set";
    case TraceOp::Update:
        return "update";
    case TraceOp::Delete:
        return "delete";
    }
    return "?";
}

int TraceHeader::cacheIndex(const QString &name) const
{
    for (int i = 0; i < caches.size(); ++i)
        if (caches[i].name.compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

QStringList TraceHeader::cacheNames() const
{
    QStringList names;
    for (const TraceCacheInfo &c : caches)
        names << c.name;
    return names;
}

QByteArray traceHeaderToJson(const TraceHeader &header)
{
    QJsonArray caches;
    for (const TraceCacheInfo &c : header.caches) {
        QJsonObject cache{{QStringLiteral("name"), c.name},
                          {QStringLiteral("backend"), c.backend},
                          {QStringLiteral("default_timeout"), double(c.defaultTimeout)},
                          {QStringLiteral("threshold"), double(c.threshold)},
                          {QStringLiteral("maxmemory"), double(c.maxMemory)},
                          {QStringLiteral("policy"), c.evictionPolicy}};
        if (c.masters > 1) // absent: one server, as in traces written before clusters were recorded
            cache.insert(QStringLiteral("masters"), c.masters);
        caches.append(cache);
    }
    const QJsonObject o{{QStringLiteral("format"), QStringLiteral("cachescope-trace")},
                        {QStringLiteral("version"), 1},
                        {QStringLiteral("source"), header.source},
                        {QStringLiteral("exact_outcomes"), header.exactOutcomes},
                        {QStringLiteral("sample_rate"), header.sampleRate},
                        {QStringLiteral("note"), header.note},
                        {QStringLiteral("start_ms"), double(header.startMs)},
                        {QStringLiteral("caches"), caches}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Expected<TraceHeader> traceHeaderFromJson(const QByteArray &json, const QString &where)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(QStringLiteral("%1: the trace header is not a JSON object (%2 at byte %3)")
                             .arg(where, error.errorString())
                             .arg(error.offset));
    const QJsonObject o = doc.object();
    TraceHeader h;
    h.source = o.value(QStringLiteral("source")).toString();
    h.exactOutcomes = o.value(QStringLiteral("exact_outcomes")).toBool();
    h.sampleRate = o.value(QStringLiteral("sample_rate")).toDouble(1.0);
    if (!(h.sampleRate > 0 && h.sampleRate <= 1))
        return makeError(QStringLiteral("%1: sample_rate %2 is not in (0, 1]").arg(where).arg(h.sampleRate));
    h.note = o.value(QStringLiteral("note")).toString();
    h.startMs = qint64(o.value(QStringLiteral("start_ms")).toDouble());
    const QJsonArray caches = o.value(QStringLiteral("caches")).toArray();
    if (caches.isEmpty())
        return makeError(QStringLiteral("%1: the trace header names no cache").arg(where));
    for (const QJsonValue &v : caches) {
        const QJsonObject c = v.toObject();
        TraceCacheInfo info;
        info.name = c.value(QStringLiteral("name")).toString();
        if (info.name.isEmpty())
            return makeError(QStringLiteral("%1: a cache of the trace header has no name").arg(where));
        info.backend = c.value(QStringLiteral("backend")).toString();
        info.defaultTimeout = qint64(c.value(QStringLiteral("default_timeout")).toDouble(-1));
        info.threshold = qint64(c.value(QStringLiteral("threshold")).toDouble());
        info.maxMemory = qint64(c.value(QStringLiteral("maxmemory")).toDouble());
        info.evictionPolicy = c.value(QStringLiteral("policy")).toString();
        const QJsonValue m = c.value(QStringLiteral("masters"));
        const double masters = m.isUndefined() ? 1 : m.toDouble(-1);
        if (!(masters >= 1 && masters <= kMaxClusterMasters) || masters != std::floor(masters))
            return makeError(QStringLiteral("%1: cache %2 of the trace header: masters is %3, not a whole number from 1 to %4")
                                 .arg(where, info.name,
                                      QString::fromUtf8(QJsonDocument(QJsonArray{m}).toJson(QJsonDocument::Compact).mid(1).chopped(1)))
                                 .arg(kMaxClusterMasters));
        info.masters = int(masters);
        h.caches.append(info);
    }
    return h;
}

} // namespace cachescope
