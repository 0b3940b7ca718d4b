#pragma once

#include "common/expected.h"
#include "tracerecord.h"

#include <QString>

#include <memory>

namespace cachescope {

class TraceReader;
class TraceWriter;

// A request trace inside a CacheScope recording (the SQLite file backends/monitor/recorder.h
// writes: meta, hit_samples, server_samples). Those tables hold rates per interval only, so the
// trace lives beside them, written while the window records with capture on:
//   capacity_meta(key TEXT PRIMARY KEY, value TEXT)     -- "header": traceHeaderToJson()
//   capacity_trace(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, cache INTEGER NOT NULL,
//                  key INTEGER NOT NULL,                -- the 64-bit hash, as a signed integer
//                  key_size INTEGER, value_size INTEGER, op INTEGER, ttl INTEGER)
// A recording without these tables is reported as such (it has rates, not requests).
class RecordingTrace
{
public:
    static Expected<std::unique_ptr<TraceReader>> openReader(const QString &path);
    // Adds the trace tables to `path` (created if missing) and appends; nothing else changes.
    static Expected<std::unique_ptr<TraceWriter>> createWriter(const QString &path, const TraceHeader &header);
};

} // namespace cachescope
