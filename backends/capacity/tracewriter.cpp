#include "tracewriter.h"

#include "tracebinary.h"
#include "traceoracle.h"
#include "tracerecording.h"
#include "tracetwitter.h"

namespace cachescope {

TraceWriter::~TraceWriter() = default;

TraceFormat TraceWriter::formatForPath(const QString &path)
{
    const QString p = path.toLower();
    if (p.endsWith(u".csv") || p.endsWith(u".txt"))
        return TraceFormat::Twitter;
    if (p.endsWith(u".oraclegeneral") || p.endsWith(u".bin"))
        return TraceFormat::Oracle;
    if (p.endsWith(u".sqlite") || p.endsWith(u".db"))
        return TraceFormat::Recording;
    return TraceFormat::CacheScope;
}

Expected<std::unique_ptr<TraceWriter>> TraceWriter::create(const QString &path, TraceFormat format,
                                                           const TraceHeader &header)
{
    if (header.caches.isEmpty())
        return makeError(QStringLiteral("%1: a trace needs at least one cache").arg(path));
    switch (format == TraceFormat::Auto ? formatForPath(path) : format) {
    case TraceFormat::CacheScope:
    case TraceFormat::Auto:
        return BinaryTrace::createWriter(path, header);
    case TraceFormat::Twitter:
        return TwitterTrace::createWriter(path, header);
    case TraceFormat::Oracle:
        return OracleTrace::createWriter(path, header);
    case TraceFormat::Recording:
        return RecordingTrace::createWriter(path, header);
    }
    return makeError(QStringLiteral("%1: unknown trace format").arg(path));
}

} // namespace cachescope
