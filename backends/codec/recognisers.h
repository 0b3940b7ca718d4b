#pragma once

#include "pyvalue.h"

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

// One displayable value: a plain PyValue, or a recognised scalar rendered as text (ISO 8601 for
// dates and times, the exact digits for Decimal) — the "__datetime__"/"__decimal__"/... tags of the
// decode JSON.
struct Cell
{
    enum class Tag { Value, DateTime, Date, Time, TimeDelta, Decimal, Uuid };
    Tag tag = Tag::Value;
    PyValue value;   // Tag::Value
    QString text;    // DateTime/Date/Time/Decimal/Uuid
    double seconds = 0; // TimeDelta

    static Cell of(PyValue v)
    {
        Cell c;
        c.value = std::move(v);
        return c;
    }
    static Cell tagged(Tag tag, QString text)
    {
        Cell c;
        c.tag = tag;
        c.text = std::move(text);
        return c;
    }
    QString display() const; // one-line text for tables
};

// A numpy array rebuilt from `_reconstruct` + BUILD state or protocol-5 `_frombuffer`.
struct NdArray
{
    char kind = 'V';          // numpy kind: b i u f c M m U S O V
    char byteOrder = '<';
    int itemSize = 0;         // bytes per element (U: 4 per character)
    QByteArray unit;          // M/m: "ns", "us", "s", "D", ...
    std::vector<qint64> shape;
    bool fortran = false;
    std::vector<qint64> strides; // element strides per axis when not plain C/Fortran (numpy 2 order "K")
    QByteArray raw;           // element bytes (not O)
    PyValue objects;          // O: the list of elements (shared with the pickle tree, not copied)
    QString timezone;         // set by pandas DatetimeTZDtype columns

    qint64 size() const;
    QString dtypeString() const; // "<i8", "<M8[ns]", "<U2", "|b1", "|O"
    // Element at a C-order multi-index flattened; handles Fortran layout.
    Cell element(qint64 flatIndex) const;
    // Element [row][col] of a 2-D array.
    Cell element2(qint64 i, qint64 j) const;
};

// A pandas Index, at least structurally.
struct PandasIndex
{
    QString kind = QStringLiteral("index"); // range, index, datetime, multi, categorical, other
    qint64 start = 0, stop = 0, step = 1;   // RangeIndex
    std::shared_ptr<NdArray> values;
    std::vector<PandasIndex> levels;        // MultiIndex levels
    std::vector<std::shared_ptr<NdArray>> codes;
    PyValue name;
    PyValue raw;                            // unknown layouts: the original object

    qint64 size() const;
    Cell at(qint64 i) const;
};

// A DataFrame (or Series, as one column) rebuilt from the BlockManager blocks.
struct DataFrameView
{
    struct Column
    {
        Cell label;
        QString dtype;
        std::shared_ptr<NdArray> values; // 1-D or 2-D block (row = column position in the block)
        qint64 blockRow = -1;            // -1: values is 1-D
        std::shared_ptr<NdArray> mask;   // masked extension arrays: true = missing
        std::shared_ptr<NdArray> categories; // Categorical: values are codes
        PyValue opaque;                  // extension array we cannot read: shown structurally
    };
    bool isSeries = false;
    std::vector<Column> columns;
    PandasIndex index;
    qint64 rows = 0;

    Cell cell(qint64 row, int column) const;
};

namespace Recognisers {

// datetime/date/time/timedelta (with tzinfo), Decimal, UUID, numpy scalars, pandas Timestamp/NaT.
std::optional<Cell> scalar(const PyValue &v);
std::optional<NdArray> ndarray(const PyValue &v);
std::optional<DataFrameView> dataFrame(const PyValue &v); // DataFrame or Series
std::optional<PandasIndex> index(const PyValue &v);
// OrderedDict / defaultdict -> their items as a dict (default_factory noted by the caller).
std::optional<PyValue> mapping(const PyValue &v);

// Formats a count of `unit` since the epoch as ISO 8601 (no offset); NaT -> empty.
QString isoFromEpoch(qint64 count, const QByteArray &unit);

} // namespace Recognisers

} // namespace cachescope
