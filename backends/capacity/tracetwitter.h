#pragma once

#include "common/expected.h"
#include "tracerecord.h"

#include <QString>

#include <memory>

namespace cachescope {

class ByteSource;
class TraceReader;
class TraceWriter;

// Twitter's cache-trace CSV (github twitter/cache-trace, README "Trace Format"), one request a
// line: `timestamp,anonymized key,key size,value size,client id,operation,TTL`, timestamp in
// seconds. Operations map to TraceOp: get/gets -> Get (the trace does not say hit or miss);
// set/add/replace/cas -> Set (restart the TTL); append/prepend/incr/decr -> Update (keep it);
// delete -> Delete. The key field may itself hold commas: it runs from the first comma to the
// fifth from the end. A first line that is not a request but names "timestamp" is a header.
// Keys are hashed (traceKeyHash); the client id is not used (it names frontends, not caches).
// Written back: one line per record, the key as 16 hex digits of its hash, the cache index as
// client id, reads as "get", Update as "incr", time rounded down to the second.
class TwitterTrace
{
public:
    static constexpr qsizetype kMaxLine = 64 * 1024;
    static Expected<std::unique_ptr<TraceReader>> openReader(std::unique_ptr<ByteSource> source, const QString &name,
                                                             const QString &cacheName);
    static Expected<std::unique_ptr<TraceWriter>> createWriter(const QString &path, const TraceHeader &header);
};

} // namespace cachescope
