#include "arrowwriter.h"

#include <QtEndian>

#include <cstring>
#include <functional>

namespace cachescope {

namespace {

using Id = ArrowType::Id;

// A forward FlatBuffers writer: each table is written as [vtable][table], and the objects it
// refers to (strings, vectors, sub-tables) are appended after it, so every uoffset points forward
// as the format requires; the offsets are patched once the child's position is known.
class FbWriter
{
public:
    QByteArray buf;

    struct Field
    {
        int slot = 0;
        int size = 0;           // inline bytes: 1, 2, 4, 8 (offset fields: 4)
        quint64 scalar = 0;     // little-endian scalar value
        std::function<qint64(FbWriter &)> child; // set for offset fields: writes the child, returns its position
    };

    static Field scalar(int slot, int size, quint64 value) { return Field{slot, size, value, {}}; }
    static Field offset(int slot, std::function<qint64(FbWriter &)> child) { return Field{slot, 4, 0, std::move(child)}; }

    void align(int n)
    {
        while (buf.size() % n)
            buf.append('\0');
    }
    void put(quint64 v, int size)
    {
        char b[8];
        qToLittleEndian(v, b);
        buf.append(b, size);
    }
    void patch32(qint64 at, quint32 v) { qToLittleEndian(v, buf.data() + at); }

    qint64 table(std::vector<Field> fields)
    {
        int slotCount = 0;
        for (const auto &f : fields)
            slotCount = std::max(slotCount, f.slot + 1);
        // Inline layout: soffset, then 8-byte fields at 8-aligned offsets, then the rest by size.
        std::sort(fields.begin(), fields.end(), [](const Field &a, const Field &b) { return a.size > b.size; });
        std::vector<int> at(fields.size());
        int pos = 4;
        for (size_t i = 0; i < fields.size(); ++i) {
            const int s = fields[i].size;
            while (pos % s)
                ++pos;
            at[i] = pos;
            pos += s;
        }
        const int inlineSize = pos;
        // vtable, then the table 8-aligned right after it.
        align(2);
        const qint64 vtable = buf.size();
        const int vtableSize = 4 + 2 * slotCount;
        std::vector<quint16> entries(size_t(slotCount), 0);
        for (size_t i = 0; i < fields.size(); ++i)
            entries[size_t(fields[i].slot)] = quint16(at[i]);
        put(quint64(vtableSize), 2);
        put(quint64(inlineSize), 2);
        for (quint16 e : entries)
            put(e, 2);
        // The table start must be 8-aligned; the vtable may be followed by padding (soffset covers it).
        while ((buf.size() + 0) % 8)
            buf.append('\0');
        const qint64 tablePos = buf.size();
        put(quint64(quint32(qint32(tablePos - vtable))), 4);
        buf.append(QByteArray(inlineSize - 4, '\0'));
        for (size_t i = 0; i < fields.size(); ++i) {
            if (!fields[i].child) {
                char b[8];
                qToLittleEndian(fields[i].scalar, b);
                std::memcpy(buf.data() + tablePos + at[i], b, size_t(fields[i].size));
            }
        }
        for (size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].child) {
                const qint64 fieldPos = tablePos + at[i];
                const qint64 childPos = fields[i].child(*this);
                patch32(fieldPos, quint32(childPos - fieldPos));
            }
        }
        return tablePos;
    }

    qint64 string(const QByteArray &s)
    {
        align(4);
        const qint64 p = buf.size();
        put(quint64(s.size()), 4);
        buf.append(s);
        buf.append('\0');
        return p;
    }

    // Vector of 16-byte structs (FieldNode, Buffer): elements 8-aligned.
    qint64 structVector(const std::vector<std::pair<qint64, qint64>> &items)
    {
        while ((buf.size() + 4) % 8)
            buf.append('\0');
        const qint64 p = buf.size();
        put(quint64(items.size()), 4);
        for (const auto &[a, b] : items) {
            put(quint64(a), 8);
            put(quint64(b), 8);
        }
        return p;
    }

    qint64 tableVector(const std::vector<std::function<qint64(FbWriter &)>> &tables)
    {
        align(4);
        const qint64 p = buf.size();
        put(quint64(tables.size()), 4);
        const qint64 slotCount = buf.size();
        buf.append(QByteArray(qsizetype(4 * tables.size()), '\0'));
        for (size_t i = 0; i < tables.size(); ++i) {
            const qint64 slot = slotCount + qint64(4 * i);
            const qint64 child = tables[i](*this);
            patch32(slot, quint32(child - slot));
        }
        return p;
    }

    // Finishes a buffer whose root table is written by `root`.
    static QByteArray finish(const std::function<qint64(FbWriter &)> &root)
    {
        FbWriter w;
        w.put(0, 4);
        const qint64 r = root(w);
        w.patch32(0, quint32(r));
        w.align(8);
        return w.buf;
    }
};

bool writable(const ArrowType &t)
{
    switch (t.id) {
    case Id::Null: case Id::Bool: case Id::Utf8: case Id::Binary: case Id::Timestamp:
        return true;
    case Id::Int: return t.bitWidth == 8 || t.bitWidth == 16 || t.bitWidth == 32 || t.bitWidth == 64;
    case Id::FloatingPoint: return t.precision == 1 || t.precision == 2;
    case Id::Date: return t.unit == 0;
    case Id::Decimal: return t.bitWidth == 128;
    default: return false;
    }
}

qint64 typeTable(FbWriter &w, const ArrowType &t)
{
    using F = FbWriter;
    switch (t.id) {
    case Id::Int: return w.table({F::scalar(0, 4, quint32(t.bitWidth)), F::scalar(1, 1, t.isSigned ? 1 : 0)});
    case Id::FloatingPoint: return w.table({F::scalar(0, 2, quint16(t.precision))});
    case Id::Date: return w.table({F::scalar(0, 2, quint16(t.unit))});
    case Id::Decimal:
        return w.table({F::scalar(0, 4, quint32(t.precision)), F::scalar(1, 4, quint32(t.scale)), F::scalar(2, 4, 128)});
    case Id::Timestamp: {
        std::vector<F::Field> fields{F::scalar(0, 2, quint16(t.unit))};
        if (!t.timezone.isEmpty()) {
            const QByteArray tz = t.timezone;
            fields.push_back(F::offset(1, [tz](FbWriter &x) { return x.string(tz); }));
        }
        return w.table(fields);
    }
    default:
        return w.table({}); // Null, Bool, Utf8, Binary: empty tables
    }
}

qint64 fieldTable(FbWriter &w, const ArrowField &f)
{
    using F = FbWriter;
    const QByteArray name = f.name.toUtf8();
    const ArrowType t = f.type;
    return w.table({
        F::offset(0, [name](FbWriter &x) { return x.string(name); }),
        F::scalar(1, 1, f.nullable ? 1 : 0),
        F::scalar(2, 1, quint8(t.id)),
        F::offset(3, [t](FbWriter &x) { return typeTable(x, t); }),
        F::offset(5, [](FbWriter &x) { return x.tableVector({}); }),
    });
}

QByteArray frame(const QByteArray &metadata)
{
    QByteArray out;
    out.reserve(metadata.size() + 8);
    char b[4];
    qToLittleEndian(quint32(0xffffffff), b);
    out.append(b, 4);
    qToLittleEndian(qint32(metadata.size()), b);
    out.append(b, 4);
    out.append(metadata);
    return out;
}

ArrowArray makeFixed(Id id, int width, qint64 n, const std::function<bool(qint64, char *)> &value)
{
    ArrowArray a;
    a.type.id = id;
    a.length = n;
    a.values = QByteArray(qsizetype(n * width), '\0');
    QByteArray validity(qsizetype((n + 7) / 8), '\0');
    for (qint64 i = 0; i < n; ++i) {
        if (value(i, a.values.data() + i * width))
            validity[i >> 3] = char(uchar(validity[i >> 3]) | (1 << (i & 7)));
        else
            ++a.nullCount;
    }
    if (a.nullCount)
        a.validity = validity;
    return a;
}

ArrowArray makeVariable(Id id, const std::vector<std::optional<QByteArray>> &values)
{
    ArrowArray a;
    a.type.id = id;
    a.length = qint64(values.size());
    QByteArray validity(qsizetype((values.size() + 7) / 8), '\0');
    a.offsets.resize(qsizetype(4 * (values.size() + 1)));
    qint32 off = 0;
    qToLittleEndian(off, a.offsets.data());
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i]) {
            a.values.append(*values[i]);
            off += qint32(values[i]->size());
            validity[qsizetype(i >> 3)] = char(uchar(validity[qsizetype(i >> 3)]) | (1 << (i & 7)));
        } else {
            ++a.nullCount;
        }
        qToLittleEndian(off, a.offsets.data() + 4 * (i + 1));
    }
    if (a.nullCount)
        a.validity = validity;
    return a;
}

} // namespace

Expected<QByteArray> ArrowWriter::writeStream(const ArrowTable &table)
{
    using F = FbWriter;
    for (const auto &f : table.schema) {
        if (!writable(f.type) || f.dictionaryEncoded || !f.children.empty())
            return makeError(QStringLiteral("Arrow writer: field \"%1\" has unsupported type %2").arg(f.name, f.typeString()));
    }
    const std::vector<ArrowField> schema = table.schema;
    QByteArray out = frame(FbWriter::finish([&schema](FbWriter &w) {
        return w.table({
            F::scalar(0, 2, 4), // MetadataVersion V5
            F::scalar(1, 1, 1), // Schema
            F::offset(2, [&schema](FbWriter &x) {
                std::vector<std::function<qint64(FbWriter &)>> fields;
                for (const auto &f : schema)
                    fields.push_back([&f](FbWriter &y) { return fieldTable(y, f); });
                return x.table({F::offset(1, [fields](FbWriter &y) { return y.tableVector(fields); })});
            }),
            F::scalar(3, 8, 0),
        });
    }));
    for (const auto &batch : table.batches) {
        if (batch.columns.size() != schema.size())
            return makeError(QStringLiteral("Arrow writer: batch has %1 columns, schema %2").arg(batch.columns.size()).arg(schema.size()));
        std::vector<std::pair<qint64, qint64>> nodes, buffers;
        QByteArray body;
        auto addBuffer = [&](const QByteArray &b) {
            buffers.emplace_back(body.size(), b.size());
            body.append(b);
            while (body.size() % 8)
                body.append('\0');
        };
        for (size_t c = 0; c < schema.size(); ++c) {
            const ArrowArray &a = batch.columns[c];
            if (a.length != batch.length)
                return makeError(QStringLiteral("Arrow writer: column \"%1\" has %2 rows in a batch of %3").arg(schema[c].name).arg(a.length).arg(batch.length));
            nodes.emplace_back(a.length, a.type.id == Id::Null ? a.length : a.nullCount);
            if (a.type.id == Id::Null)
                continue;
            addBuffer(a.nullCount ? a.validity : QByteArray());
            if (a.type.id == Id::Utf8 || a.type.id == Id::Binary)
                addBuffer(a.offsets);
            addBuffer(a.values);
        }
        const qint64 length = batch.length;
        const qint64 bodyLength = body.size();
        out += frame(FbWriter::finish([&](FbWriter &w) {
            return w.table({
                F::scalar(0, 2, 4),
                F::scalar(1, 1, 3), // RecordBatch
                F::offset(2, [&](FbWriter &x) {
                    return x.table({
                        F::scalar(0, 8, quint64(length)),
                        F::offset(1, [&](FbWriter &y) { return y.structVector(nodes); }),
                        F::offset(2, [&](FbWriter &y) { return y.structVector(buffers); }),
                    });
                }),
                F::scalar(3, 8, quint64(bodyLength)),
            });
        }));
        out += body;
    }
    out += QByteArray("\xff\xff\xff\xff\x00\x00\x00\x00", 8);
    return out;
}

ArrowArray ArrowWriter::int64Array(const std::vector<std::optional<qint64>> &v)
{
    ArrowArray a = makeFixed(Id::Int, 8, qint64(v.size()), [&](qint64 i, char *p) {
        if (!v[size_t(i)])
            return false;
        qToLittleEndian(*v[size_t(i)], p);
        return true;
    });
    a.type.bitWidth = 64;
    a.type.isSigned = true;
    return a;
}

ArrowArray ArrowWriter::float64Array(const std::vector<std::optional<double>> &v)
{
    ArrowArray a = makeFixed(Id::FloatingPoint, 8, qint64(v.size()), [&](qint64 i, char *p) {
        if (!v[size_t(i)])
            return false;
        quint64 bits;
        std::memcpy(&bits, &*v[size_t(i)], 8);
        qToLittleEndian(bits, p);
        return true;
    });
    a.type.precision = 2;
    return a;
}

ArrowArray ArrowWriter::boolArray(const std::vector<std::optional<bool>> &v)
{
    ArrowArray a;
    a.type.id = Id::Bool;
    a.length = qint64(v.size());
    a.values = QByteArray(qsizetype((v.size() + 7) / 8), '\0');
    QByteArray validity = a.values;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i]) {
            ++a.nullCount;
            continue;
        }
        validity[qsizetype(i >> 3)] = char(uchar(validity[qsizetype(i >> 3)]) | (1 << (i & 7)));
        if (*v[i])
            a.values[qsizetype(i >> 3)] = char(uchar(a.values[qsizetype(i >> 3)]) | (1 << (i & 7)));
    }
    if (a.nullCount)
        a.validity = validity;
    return a;
}

ArrowArray ArrowWriter::utf8Array(const std::vector<std::optional<QByteArray>> &v)
{
    return makeVariable(Id::Utf8, v);
}

ArrowArray ArrowWriter::binaryArray(const std::vector<std::optional<QByteArray>> &v)
{
    return makeVariable(Id::Binary, v);
}

ArrowArray ArrowWriter::date32Array(const std::vector<std::optional<qint32>> &v)
{
    ArrowArray a = makeFixed(Id::Date, 4, qint64(v.size()), [&](qint64 i, char *p) {
        if (!v[size_t(i)])
            return false;
        qToLittleEndian(*v[size_t(i)], p);
        return true;
    });
    a.type.unit = 0;
    return a;
}

ArrowArray ArrowWriter::timestampArray(const std::vector<std::optional<qint64>> &v, ArrowType::TimeUnit unit, const QByteArray &timezone)
{
    ArrowArray a = int64Array(v);
    a.type = ArrowType{};
    a.type.id = Id::Timestamp;
    a.type.unit = int(unit);
    a.type.timezone = timezone;
    return a;
}

ArrowArray ArrowWriter::decimal128Array(const std::vector<std::optional<qint64>> &v, int precision, int scale)
{
    ArrowArray a = makeFixed(Id::Decimal, 16, qint64(v.size()), [&](qint64 i, char *p) {
        if (!v[size_t(i)])
            return false;
        const qint64 x = *v[size_t(i)];
        qToLittleEndian(x, p);
        qToLittleEndian(qint64(x < 0 ? -1 : 0), p + 8);
        return true;
    });
    a.type.bitWidth = 128;
    a.type.precision = precision;
    a.type.scale = scale;
    return a;
}

ArrowArray ArrowWriter::nullArray(qint64 length)
{
    ArrowArray a;
    a.type.id = Id::Null;
    a.length = length;
    a.nullCount = length;
    return a;
}

ArrowField ArrowWriter::fieldFor(const QString &name, const ArrowArray &array, bool nullable)
{
    ArrowField f;
    f.name = name;
    f.nullable = nullable;
    f.type = array.type;
    return f;
}

} // namespace cachescope
