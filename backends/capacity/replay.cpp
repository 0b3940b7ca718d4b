#include "replay.h"

#include <cmath>
#include <limits>

namespace cachescope {

qint32 ReplayPreparer::scaledTtl(qint32 ttl) const
{
    if (m_options.ttlOverride)
        return ttl < 0 ? ttl : qint32(qBound(qint64(0), *m_options.ttlOverride, qint64(std::numeric_limits<qint32>::max())));
    if (ttl <= 0 || m_options.ttlScale == 1.0)
        return ttl;
    const double scaled = std::round(double(ttl) * m_options.ttlScale);
    return qint32(qBound(1.0, scaled, double(std::numeric_limits<qint32>::max())));
}

SimOp ReplayPreparer::convert(const TraceRecord &r)
{
    SimOp op;
    op.timeMs = r.timeMs;
    op.key = r.key;
    op.keySize = r.keySize;
    switch (r.op) {
    case TraceOp::Get:
    case TraceOp::GetHit:
    case TraceOp::GetMiss: {
        op.kind = SimKind::Read;
        Known &k = m_known.findOrInsert(r.key);
        if (r.valueSize > 0) {
            k.size = r.valueSize;
            k.sized = true;
        }
        op.valueSize = k.sized ? k.size : m_meanValueSize;
        op.ttl = scaledTtl(k.ttl);
        break;
    }
    case TraceOp::Set: {
        op.kind = SimKind::Set;
        Known &k = m_known.findOrInsert(r.key);
        k.size = r.valueSize;
        k.sized = true;
        k.ttl = r.ttl;
        op.valueSize = r.valueSize;
        op.ttl = scaledTtl(r.ttl);
        break;
    }
    case TraceOp::Update: {
        op.kind = SimKind::Update;
        Known &k = m_known.findOrInsert(r.key);
        if (r.valueSize > 0) {
            k.size = r.valueSize;
            k.sized = true;
        }
        op.valueSize = k.sized ? k.size : m_meanValueSize;
        break;
    }
    case TraceOp::Delete:
        op.kind = SimKind::Delete;
        break;
    }
    op.storable = m_options.maxValueSize == 0 || op.valueSize <= m_options.maxValueSize;
    return op;
}

} // namespace cachescope
