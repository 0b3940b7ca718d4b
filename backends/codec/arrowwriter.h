#pragma once

#include "arrowtable.h"
#include "common/expected.h"

#include <QByteArray>

#include <optional>
#include <vector>

namespace cachescope {

// Writes an Arrow IPC stream (schema, one record batch per ArrowRecordBatch, end-of-stream
// marker), uncompressed, metadata V5 — the layout pyarrow's ipc.new_stream/write_table produces
// for Superset's result types: int64 (any Int), double/float, utf8, binary, bool, date32,
// timestamp (any unit, optional timezone), decimal128, null. Other types are rejected.
class ArrowWriter
{
public:
    static Expected<QByteArray> writeStream(const ArrowTable &table);

    // Column builders (validity from std::nullopt).
    static ArrowArray int64Array(const std::vector<std::optional<qint64>> &values);
    static ArrowArray float64Array(const std::vector<std::optional<double>> &values);
    static ArrowArray boolArray(const std::vector<std::optional<bool>> &values);
    static ArrowArray utf8Array(const std::vector<std::optional<QByteArray>> &values);
    static ArrowArray binaryArray(const std::vector<std::optional<QByteArray>> &values);
    static ArrowArray date32Array(const std::vector<std::optional<qint32>> &daysSinceEpoch);
    static ArrowArray timestampArray(const std::vector<std::optional<qint64>> &values, ArrowType::TimeUnit unit,
                                     const QByteArray &timezone = {});
    // Unscaled integer values (value * 10^scale) that fit in int64.
    static ArrowArray decimal128Array(const std::vector<std::optional<qint64>> &unscaled, int precision, int scale);
    static ArrowArray nullArray(qint64 length);

    static ArrowField fieldFor(const QString &name, const ArrowArray &array, bool nullable = true);
};

} // namespace cachescope
