#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <vector>

namespace cachescope {

// Arrow logical type, as read from Schema.fbs (FORMATS.md §7.3). Only the parameters each type
// uses are meaningful.
struct ArrowType
{
    enum class Id {
        None = 0, Null = 1, Int = 2, FloatingPoint = 3, Binary = 4, Utf8 = 5, Bool = 6, Decimal = 7,
        Date = 8, Time = 9, Timestamp = 10, Interval = 11, List = 12, Struct = 13, Union = 14,
        FixedSizeBinary = 15, FixedSizeList = 16, Map = 17, Duration = 18, LargeBinary = 19,
        LargeUtf8 = 20, LargeList = 21, RunEndEncoded = 22, BinaryView = 23, Utf8View = 24,
        ListView = 25, LargeListView = 26,
    };
    enum class TimeUnit { Second = 0, Millisecond = 1, Microsecond = 2, Nanosecond = 3 };

    Id id = Id::None;
    int bitWidth = 0;      // Int, Decimal (128/256), Time (32/64)
    bool isSigned = true;  // Int
    int precision = 0;     // FloatingPoint: 0 half, 1 single, 2 double; Decimal: digits
    int scale = 0;         // Decimal
    int unit = 0;          // Date (0 day, 1 ms), Time/Timestamp/Duration (TimeUnit), Interval
    QByteArray timezone;   // Timestamp; empty = naive
    int byteWidth = 0;     // FixedSizeBinary
    int listSize = 0;      // FixedSizeList
    bool keysSorted = false;
    std::vector<int> typeIds; // Union: type id of each child (empty = 0..n-1); unit = mode (0 sparse, 1 dense)

    // Human-readable, pyarrow-like: "int64", "timestamp[us, tz=UTC]", "decimal128(10, 2)".
    QString toString() const;
    // Whether this reader decodes values of the type (others are skipped, shown as unsupported).
    bool isSupported() const;
    // Fixed element size in bytes of the data buffer (0 for bit-packed, variable or nested types).
    int fixedByteWidth() const;
};

struct ArrowField
{
    QString name;
    bool nullable = true;
    ArrowType type;                    // the value type (for dictionary fields: the dictionary's type)
    std::vector<ArrowField> children;
    bool dictionaryEncoded = false;
    qint64 dictionaryId = 0;
    ArrowType indexType;               // Int type of the dictionary indices
    QString typeString() const;        // type, with "dictionary<values=…, indices=…>" when encoded
};

// One column of one record batch, close to Arrow's physical layout. Buffers are owned copies,
// or raw views into `backing` (the stream they were read from), which the array keeps alive.
// For dictionary-encoded fields `values` holds the indices (of `indexType`) and `dictionary` the
// dictionary's values array.
struct ArrowArray
{
    ArrowType type;          // value type of the field (see above for dictionaries)
    qint64 length = 0;
    qint64 nullCount = 0;
    QByteArray validity;     // empty = all valid
    QByteArray offsets;      // int32 (or int64 for Large*) offsets; for dense unions: offsets
    QByteArray values;       // data buffer (or dictionary indices, or union type ids)
    std::vector<ArrowArray> children;
    bool dictionaryEncoded = false;
    ArrowType indexType;
    std::shared_ptr<const ArrowArray> dictionary;
    QByteArray backing;      // owner of the bytes raw-data buffers point into, or empty

    bool isValid(qint64 i) const;
    // Int / Date / Time / Timestamp / Duration (and dictionary indices): the stored integer.
    qint64 integerAt(qint64 i) const;
    quint64 unsignedAt(qint64 i) const; // unsigned ints (uint64 beyond int64 range)
    qint64 indexAt(qint64 i) const;     // dictionary index
    double floatAt(qint64 i) const;     // FloatingPoint (half, single, double)
    bool boolAt(qint64 i) const;
    // Binary/Utf8/Large*/FixedSizeBinary/Decimal raw bytes of slot i.
    QByteArrayView bytesAt(qint64 i) const;
    // List/LargeList/Map/FixedSizeList: child range [first, second).
    std::pair<qint64, qint64> listRange(qint64 i) const;
    // Union: the child that holds slot i (-1 if the type id is unknown) and the slot in it.
    int unionChild(qint64 i) const;
    qint64 unionOffset(qint64 i) const;
    // Decimal value as text with the scale applied ("-123.45").
    QString decimalText(qint64 i) const;
};

struct ArrowRecordBatch
{
    qint64 length = 0;
    std::vector<ArrowArray> columns;
};

// A decoded Arrow IPC stream: schema, batches and the notes worth showing.
struct ArrowTable
{
    std::vector<ArrowField> schema;
    std::vector<ArrowRecordBatch> batches;
    int metadataVersion = 0;     // MetadataVersion enum (4 = V5)
    QString compression;         // "", "lz4_frame" or "zstd"
    qint64 dictionaryBatches = 0;

    qint64 rowCount() const;
    int columnCount() const { return int(schema.size()); }
    // Locates table row -> (batch, row in batch); false when out of range.
    bool locate(qint64 row, int *batch, qint64 *rowInBatch) const;
};

} // namespace cachescope
