#pragma once

#include "codec/arrowtable.h"
#include "common/expected.h"
#include "codec/pyvalue.h"

#include <QByteArray>

#include <memory>

namespace cachescope {

// The value Superset's SQL Lab hands to RESULTS_BACKEND.set (FORMATS.md §4a):
// zlib.compress(msgpack.dumps(payload, use_bin_type=True)) with payload["data"] = Arrow IPC stream
// bytes (RESULTS_BACKEND_USE_MSGPACK=True, the default), or zlib.compress(json.dumps(payload)
// .encode()) with data = list of row dicts. The backend then pickles that bytes object.
class SqlLabPayload
{
public:
    enum class Format { Msgpack, Json };

    struct Decoded
    {
        PyValue payload;                          // the dict; msgpack: "data" still holds the IPC bytes
        std::shared_ptr<const ArrowTable> table;  // msgpack path: the decoded "data"
    };

    // Builds the payload dict Superset writes: query_id, status, data, columns, selected_columns,
    // expanded_columns, query (in that order).
    static PyValue makePayload(qint64 queryId, const QByteArray &arrowStream, const PyValue &columns, const PyValue &query);
    // `payload` must already carry "data" (IPC bytes for msgpack, rows for JSON).
    static Expected<QByteArray> encode(const PyValue &payload, Format format, int zlibLevel = 6);
    // What Superset's _deserialize_results_payload does, bounded.
    static Expected<Decoded> decode(const QByteArray &compressed, Format format, qint64 maxDecompressedBytes = 512ll << 20);
};

} // namespace cachescope
