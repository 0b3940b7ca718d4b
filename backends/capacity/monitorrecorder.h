#pragma once

#include "common/expected.h"
#include "traceformat.h"
#include "tracerecord.h"

#include "redis/redisurl.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <atomic>

namespace cachescope {

// One Redis server to capture, with the caches its key prefixes stand for.
struct MonitorTarget
{
    RedisUrl url;
    QList<QPair<QByteArray, TraceCacheInfo>> caches; // key prefix -> cache
};

struct MonitorCapture
{
    TraceHeader header;
    quint64 records = 0;
    quint64 commands = 0, ignored = 0, unmatched = 0, dropped = 0;
    QStringList warnings;
};

// `cachescope capacity record --redis/--config`: MONITOR on every server for a time box (each on
// its own connection and thread, read through RedisStream with a stop flag; a cluster target is
// every master of the cluster, their streams merged into the one trace), the stream turned
// into trace records by MonitorTraceBuilder and written to `path` as they become final. Before
// MONITOR it asks each server (read-only) for maxmemory, maxmemory-policy and its memory
// overhead (a cluster's summed over its masters), so the trace knows the current
// configuration. On `stop`, lines already received are still read. MONITOR costs the server
// throughput (MonitorSampler::costWarning): the caller warns first. Blocking.
Expected<MonitorCapture> recordMonitorTrace(const QList<MonitorTarget> &targets, const QString &path, TraceFormat format,
                                            int seconds, double sampleRate, double windowSeconds,
                                            const std::atomic_bool *stop = nullptr);

} // namespace cachescope
