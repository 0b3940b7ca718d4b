#pragma once

#include "arrowtable.h"
#include "decodelayer.h"
#include "imagesniffer.h"
#include "pyvalue.h"

#include <QByteArray>
#include <QMap>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

struct DecodeHints
{
    enum class Backend { Auto, Redis, FileSystem, Metastore, Memcached, Raw };
    enum class Purpose { Unknown, SqlLabResults, ChartData, Thumbnail, FormData, FilterState };
    Backend backend = Backend::Auto;
    Purpose purpose = Purpose::Unknown;
    // Layer index -> kind to use instead of detection ("--as" in the CLI).
    QMap<int, DecodeLayer::Kind> forced;
};

struct DecodeLimits
{
    qint64 maxDecompressedBytes = 512ll << 20; // per zlib/gzip layer and for Arrow bodies
    int maxDepth = 512;                        // nesting in pickle/msgpack/JSON values
    int maxLayers = 16;
};

// What the chain peeled and what it ended with. On error the layers found so far are kept.
struct DecodeResult
{
    enum class FinalKind { Value, Table, Image, Text, Raw, Integer };

    std::vector<DecodeLayer> layers;
    // The first bytes (up to kLayerPreviewBytes) each layer was read from, for hex views.
    std::vector<QByteArray> layerPreviews;
    static constexpr qsizetype kLayerPreviewBytes = 64 * 1024;
    FinalKind finalKind = FinalKind::Raw;
    PyValue value;                            // Value (also holds the SQL Lab dict around a table)
    std::shared_ptr<const ArrowTable> table;  // Table: the Arrow stream
    QByteArray tableKey;                      // dict key of `value` the table replaces ("data"), or empty
    std::optional<ImageInfo> image;
    QByteArray imageKey;                      // dict key of `value` holding the (base64) image, or empty
    QByteArray bytes;                         // Image/Text/Raw: the final bytes
    QString shape;                            // "sqllab-results", "chart-data", "thumbnail", "form-data", ...
    QString error;                            // empty on success; names the layer and offset otherwise

    bool ok() const { return error.isEmpty(); }
};

// Peels the layers of a cache entry (FORMATS.md §8): envelopes, pickle, zlib/gzip, msgpack, JSON,
// Arrow IPC, images, text. Never executes anything; every layer is bounded by DecodeLimits.
// Thread-safe (no shared state); `cancel` may be set from another thread to stop early.
class DecoderChain
{
public:
    explicit DecoderChain(DecodeLimits limits = {}) : m_limits(limits) {}
    DecodeResult decode(const QByteArray &data, const DecodeHints &hints = {},
                        const std::atomic_bool *cancel = nullptr) const;

private:
    DecodeLimits m_limits;
};

} // namespace cachescope
