#pragma once

#include "arrowtable.h"
#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cachescope {

struct ArrowReadLimits
{
    qint64 maxDecompressedBytes = 512ll << 20; // LZ4/Zstandard buffer bodies, in total
    int maxDepth = 64;                         // nested field depth
    qint64 maxFields = 100'000;                // fields in the schema, counting children
    qint64 maxMessages = 10'000'000;
};

// Reads an Arrow IPC *stream* (FORMATS.md §7): schema, dictionary batches and record batches,
// uncompressed or with LZ4-frame / Zstandard buffer compression. Every offset and length is
// checked against the input; errors name the message, the field and the byte offset.
class ArrowReader
{
public:
    explicit ArrowReader(ArrowReadLimits limits = {}) : m_limits(limits) {}
    Expected<ArrowTable> read(QByteArrayView stream) const;
    // Same, but uncompressed buffers point into `stream` (kept alive by ArrowArray::backing)
    // instead of being copied: a SQL Lab result is tens of MB.
    Expected<ArrowTable> read(const QByteArray &stream) const;

    // Cheap sniff: a continuation marker (or legacy length) followed by a Message flatbuffer
    // whose header is a Schema.
    static bool looksLikeStream(QByteArrayView data);

private:
    ArrowReadLimits m_limits;
};

} // namespace cachescope
