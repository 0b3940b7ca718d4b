#pragma once

#include "common/expected.h"
#include "tracerecord.h"

#include <QString>

#include <memory>

namespace cachescope {

class ByteSource;
class TraceReader;
class TraceWriter;

// CacheScope's own trace format: compact (about 14 bytes a request), streamable, and carrying
// what a curve needs to mark the current configuration (the caches' backend, threshold, timeout).
//
//   offset 0   "CSTRACE\n"                   magic (the newline catches text-mode mangling)
//          8   u32 LE version = 1
//         12   u32 LE n = header length (at most 1 MiB)
//         16   n bytes of JSON: traceHeaderToJson()
//     16 + n   records until the end of the file, each:
//                u8   op (bits 0-2, TraceOp) | cache index << 3 (bits 3-7: at most 32 caches)
//                varint  zigzag(time ms - previous record's time ms; the first: - header start_ms)
//                u64 LE  key hash (traceKeyHash)
//                varint  key size, varint value size, varint zigzag(ttl)
// varints are LEB128 (7 bits a byte, low first, at most 10 bytes).
class BinaryTrace
{
public:
    static constexpr quint32 kVersion = 1;
    static constexpr quint32 kMaxHeader = 1u << 20;
    static constexpr int kMaxCaches = 32;

    static Expected<std::unique_ptr<TraceReader>> openReader(std::unique_ptr<ByteSource> source, const QString &name);
    static Expected<std::unique_ptr<TraceWriter>> createWriter(const QString &path, const TraceHeader &header);
};

} // namespace cachescope
