#pragma once

#include <QMetaType>
#include <QString>

#include <cmath>
#include <limits>
#include <optional>

namespace cachescope {

// Where a hit-rate number came from; each source knows a different part of the truth.
enum class SampleSource {
    Embedded,  // the embedded cache layer's own counters
    RedisInfo, // INFO stats of a whole Redis server
    Statsd,    // Superset's stats-logger counters
    Monitor,   // MONITOR stream, attributed by key prefix
    MemcachedStats, // memcached `stats` (server-wide) and `stats detail dump` (per key prefix)
};

// How far the number can be trusted; shown next to every hit rate.
enum class Exactness {
    Exact,       // counted at the call site
    ServerWide,  // all clients and all databases of the server mixed together
    AsReported,  // what the application reported about itself (Superset's statsd counters)
    Estimated,   // inferred from a command stream (a read followed by a write = a miss)
};

QString sampleSourceName(SampleSource source);   // "embedded", "redis-info", "statsd", "monitor", "memcached-stats"
QString exactnessName(Exactness exactness);       // "exact", "server-wide", "as reported", "estimated"
std::optional<SampleSource> sampleSourceFromName(const QString &name);
std::optional<Exactness> exactnessFromName(const QString &name);

// Rates of one cache (or key prefix, or server) over one interval ending at timestampMs.
struct HitRateSample
{
    qint64 timestampMs = 0;  // end of the interval, ms since the epoch
    QString cache;           // purpose ("DATA_CACHE_CONFIG"), key prefix or server
    SampleSource source = SampleSource::Embedded;
    Exactness exactness = Exactness::Exact;
    double intervalSeconds = 0;
    double hitsPerSecond = 0;
    double missesPerSecond = 0;
    double setsPerSecond = 0;

    // hits / (hits + misses) in [0, 1]; NaN when there were no reads in the interval.
    double hitRate() const
    {
        const double reads = hitsPerSecond + missesPerSecond;
        return reads > 0 ? hitsPerSecond / reads : std::numeric_limits<double>::quiet_NaN();
    }
    bool operator==(const HitRateSample &o) const = default;
};

// Server-wide health of one Redis or memcached server over one interval.
struct ServerSample
{
    qint64 timestampMs = 0;
    QString server;          // redacted URL
    double intervalSeconds = 0;
    quint64 usedMemory = 0;
    quint64 maxMemory = 0;   // 0 = no limit
    double evictionsPerSecond = 0;
    double expirationsPerSecond = 0;
    double opsPerSecond = 0;  // instantaneous_ops_per_sec as the server reports it
    quint64 keys = 0;         // sum over databases
    quint64 expires = 0;
    bool counterReset = false; // restart or CONFIG RESETSTAT seen: rates of this interval are unknown (0)
    bool operator==(const ServerSample &o) const = default;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::HitRateSample)
Q_DECLARE_METATYPE(cachescope::ServerSample)
