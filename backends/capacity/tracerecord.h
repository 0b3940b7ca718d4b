#pragma once

#include "common/expected.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cstring>
#include <vector>

namespace cachescope {

// What one request did. Gets carry the outcome when the source knows it (the embedded layer
// counts it at the call; MONITOR estimates it; a Twitter or oracleGeneral trace does not say).
enum class TraceOp : quint8 {
    Get = 0,     // read, outcome unknown
    GetHit = 1,  // read that found a live entry
    GetMiss = 2, // read that found nothing
    Set = 3,     // insert or overwrite; restarts the TTL (set, add, replace, cas)
    Update = 4,  // change in place, TTL kept; nothing happens to an absent key (incr, decr, append, prepend)
    Delete = 5,
};
constexpr int kTraceOpCount = 6;

inline bool isRead(TraceOp op)
{
    return op <= TraceOp::GetMiss;
}
const char *traceOpName(TraceOp op); // "get", "get-hit", "get-miss", "set", "update", "delete"

// One request, 32 bytes. Keys are kept as a 64-bit hash (traceKeyHash) or, for an oracleGeneral
// trace, the numeric object id the file holds; sizes are the bytes the backend stores.
struct TraceRecord
{
    qint64 timeMs = 0;    // ms since the epoch (or since the trace's start when the source has no epoch)
    quint64 key = 0;
    quint32 keySize = 0;  // bytes, as the backend stores the key (with its prefix)
    quint32 valueSize = 0; // bytes; 0 on a read = unknown (the key's last known size is used)
    qint32 ttl = 0;       // seconds given with a Set: 0 = never expires, < 0 = expired at once; 0 otherwise
    TraceOp op = TraceOp::Get;
    quint8 cache = 0;     // index into TraceHeader::caches
    quint16 reserved = 0;

    bool operator==(const TraceRecord &o) const
    {
        return timeMs == o.timeMs && key == o.key && keySize == o.keySize && valueSize == o.valueSize && ttl == o.ttl
            && op == o.op && cache == o.cache;
    }
};
static_assert(sizeof(TraceRecord) == 32, "TraceRecord is meant to stay 32 bytes");

// A Redis Cluster has at most 16384 masters (one slot each); Redis advises 1000 nodes at most.
inline constexpr int kMaxClusterMasters = 16384;

// What a trace knows about one cache: enough to mark its current configuration on a curve.
struct TraceCacheInfo
{
    QString name;              // purpose ("DATA_CACHE_CONFIG"), or the trace file's name
    QString backend;           // "SimpleCache", "FileSystemCache", "RedisCache"; empty when unknown
    qint64 defaultTimeout = -1; // seconds; -1 unknown
    qint64 threshold = 0;      // SimpleCache / FileSystemCache CACHE_THRESHOLD; 0 unknown
    qint64 maxMemory = 0;      // Redis maxmemory in bytes; 0 unknown or unlimited
    QString evictionPolicy;    // Redis maxmemory-policy; empty when unknown
    int masters = 1;           // Redis Cluster: the masters its keys spread over (maxMemory is their sum)
    bool operator==(const TraceCacheInfo &o) const = default;
};

// Where a trace came from and how far it can be trusted; carried in every file format that
// can hold it (cachescope, recordings) and shown next to every curve computed from it.
struct TraceHeader
{
    QString source;          // embedded, monitor, twitter, oracleGeneral, ...
    bool exactOutcomes = false; // get hits/misses were counted at the call
    double sampleRate = 1.0; // fraction of keys kept (by key hash) while capturing
    QString note;            // e.g. how MONITOR outcomes were estimated, records dropped
    qint64 startMs = 0;
    QList<TraceCacheInfo> caches;
    bool operator==(const TraceHeader &o) const = default;

    // The index of a cache by name (case-insensitive); -1 when absent.
    int cacheIndex(const QString &name) const;
    QStringList cacheNames() const;
};

using TraceRecords = std::vector<TraceRecord>;

// The header as JSON (the cachescope format and recordings store it so), and back; a malformed
// header is an error naming `where`.
QByteArray traceHeaderToJson(const TraceHeader &header);
Expected<TraceHeader> traceHeaderFromJson(const QByteArray &json, const QString &where);

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::TraceHeader)
