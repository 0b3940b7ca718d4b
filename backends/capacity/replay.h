#pragma once

#include "keytable.h"
#include "tracerecord.h"

#include <QtGlobal>

#include <optional>

namespace cachescope {

// One request as every simulator replays it: what the trace says, resolved once for all cache
// sizes (the value size a read fills in, the TTL that fill gets), so a size only decides hits.
enum class SimKind : quint8 { Read, Set, Update, Delete };

struct SimOp
{
    qint64 timeMs = 0;
    quint64 key = 0;
    quint32 keySize = 0;
    quint32 valueSize = 0; // Set/Update: the new size; Read: the size a miss fills in
    qint32 ttl = 0;        // Set: its TTL; Read: the TTL a fill gets (the key's last set's); s, 0 = never, < 0 = expired
    SimKind kind = SimKind::Read;
    bool storable = true;  // false: over the value-size cap, a set or fill does not store it
    quint16 reserved = 0;
};
static_assert(sizeof(SimOp) == 32);

// The what-if knobs that change the requests themselves rather than the cache.
struct ReplayOptions
{
    double ttlScale = 1.0;              // every TTL > 0 is multiplied (at least 1 s after scaling)
    std::optional<qint64> ttlOverride;  // every set and fill gets this TTL (0 = never expires)
    quint64 maxValueSize = 0;           // values larger are not cached (0 = no cap)
    bool operator==(const ReplayOptions &o) const = default;
};

// Turns trace records into SimOps with the replay semantics of `cachescope capacity`:
//  - a read that misses is filled at once (the application computes and sets it, as Superset
//    does) with the key's value size (the read's own, else the key's last known size, else the
//    trace's mean value size) and the TTL of the key's last set before it (none: never expires);
//  - a set inserts or updates and restarts the TTL; TTL 0 = never expires;
//  - an update changes a present key in place and keeps its TTL; a delete removes the key.
// Holds what it learnt per key (size, last TTL): memory is proportional to the distinct keys.
class ReplayPreparer
{
public:
    explicit ReplayPreparer(const ReplayOptions &options = {}, quint32 meanValueSize = 0)
        : m_options(options), m_meanValueSize(meanValueSize)
    {
    }

    SimOp convert(const TraceRecord &r);
    qint32 scaledTtl(qint32 ttl) const;
    qsizetype keys() const { return m_known.size(); }

private:
    struct Known
    {
        quint32 size = 0;
        qint32 ttl = 0;
        bool sized = false;
    };
    ReplayOptions m_options;
    quint32 m_meanValueSize;
    KeyTable<Known> m_known;
};

} // namespace cachescope
