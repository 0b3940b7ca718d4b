#pragma once

#include "common/expected.h"
#include "tracerecord.h"

#include <QString>

#include <memory>

namespace cachescope {

class ByteSource;
class TraceReader;
class TraceWriter;

// libCacheSim's oracleGeneral binary trace (libCacheSim › libCacheSim/traceReader/customizedReader/
// oracle/oracleGeneralBin.h @ 08cc880, and bin/traceUtils/traceConvOracleGeneral.cpp @ be383cf):
// packed little-endian 24-byte records
//     uint32 clock_time (s) | uint64 obj_id | uint32 obj_size | int64 next_access_vtime
// where next_access_vtime is the 1-based number of the next request to the same object, or -1
// (libCacheSim also accepts INT64_MAX) when there is none. Records carry no operation: each is
// read as a Get of obj_size bytes (key size 0). A vtime that points backwards marks a damaged
// file or one in another format. Written back: reads only (the format has no writes or
// deletes; how many were left out is a warning), obj_size = key + value bytes, vtimes computed
// with a backward pass over temporary files, so memory stays bounded by the distinct keys.
class OracleTrace
{
public:
    static constexpr qsizetype kRecordSize = 24;
    static Expected<std::unique_ptr<TraceReader>> openReader(std::unique_ptr<ByteSource> source, const QString &name,
                                                             const QString &cacheName);
    static Expected<std::unique_ptr<TraceWriter>> createWriter(const QString &path, const TraceHeader &header);
};

} // namespace cachescope
