#pragma once

#include <QMetaType>
#include <QString>

namespace cachescope {

// Keys of one cache (attributed by key prefix) that Redis expired or evicted during one interval,
// as its keyspace notifications told. Exact counts of what the server published; HitRateSample
// has no place for them (they are neither hits nor misses) and ServerSample is server-wide.
struct KeyEventSample
{
    qint64 timestampMs = 0;  // end of the interval, ms since the epoch
    QString server;          // redacted URL
    QString cache;           // purpose ("DATA_CACHE_CONFIG") or the unmatched name
    double intervalSeconds = 0;
    quint64 expired = 0;     // keys in the interval
    quint64 evicted = 0;

    double expiredPerSecond() const { return intervalSeconds > 0 ? double(expired) / intervalSeconds : 0; }
    double evictedPerSecond() const { return intervalSeconds > 0 ? double(evicted) / intervalSeconds : 0; }
    bool operator==(const KeyEventSample &o) const = default;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::KeyEventSample)
