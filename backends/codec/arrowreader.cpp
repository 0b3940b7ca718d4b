#include "arrowreader.h"

#include <QHash>
#include <QtEndian>

#include <lz4frame.h>
#include <zstd.h>

#include <cstring>
#include <map>

namespace cachescope {

namespace {

using Id = ArrowType::Id;

// Bounds-checked FlatBuffers view. The first failure is recorded; reads after it return zeros,
// so callers check `failed()` once per structure instead of after every field.
class Fb
{
public:
    struct Table
    {
        qint64 pos = -1;
        qint64 vtable = 0;
        int vtableSize = 0;
        bool valid() const { return pos >= 0; }
    };
    struct Vec
    {
        qint64 pos = 0;
        qint64 count = 0;
    };

    Fb(const uchar *data, qint64 size) : m_data(data), m_size(size) {}

    bool failed() const { return m_failed; }
    QString why() const { return m_why; }

    template<typename T>
    T read(qint64 at)
    {
        if (at < 0 || at + qint64(sizeof(T)) > m_size) {
            fail(QStringLiteral("flatbuffer read past the end at offset %1").arg(at));
            return T{};
        }
        T v;
        std::memcpy(&v, m_data + at, sizeof(T));
        return qFromLittleEndian(v);
    }

    Table table(qint64 pos)
    {
        Table t;
        if (m_failed)
            return t;
        const qint32 soffset = read<qint32>(pos);
        const qint64 vt = pos - soffset;
        const int vtSize = read<quint16>(vt);
        if (m_failed || vtSize < 4 || vt + vtSize > m_size || (vtSize & 1)) {
            fail(QStringLiteral("bad flatbuffer vtable at offset %1").arg(pos));
            return t;
        }
        t.pos = pos;
        t.vtable = vt;
        t.vtableSize = vtSize;
        return t;
    }

    Table root() { return table(read<quint32>(0)); }

    qint64 fieldPos(const Table &t, int slot)
    {
        if (!t.valid())
            return 0;
        const int voff = 4 + 2 * slot;
        if (voff + 2 > t.vtableSize)
            return 0;
        const quint16 o = read<quint16>(t.vtable + voff);
        return o ? t.pos + o : 0;
    }

    template<typename T>
    T scalar(const Table &t, int slot, T def)
    {
        const qint64 p = fieldPos(t, slot);
        return p ? read<T>(p) : def;
    }

    Table subTable(const Table &t, int slot)
    {
        const qint64 p = fieldPos(t, slot);
        if (!p)
            return {};
        return table(p + read<quint32>(p));
    }

    QByteArray string(const Table &t, int slot)
    {
        const qint64 p = fieldPos(t, slot);
        if (!p)
            return {};
        const qint64 s = p + read<quint32>(p);
        const quint32 len = read<quint32>(s);
        if (m_failed || s + 4 + qint64(len) > m_size) {
            fail(QStringLiteral("flatbuffer string past the end at offset %1").arg(s));
            return {};
        }
        return QByteArray(reinterpret_cast<const char *>(m_data + s + 4), len);
    }

    Vec vector(const Table &t, int slot, int elementSize)
    {
        const qint64 p = fieldPos(t, slot);
        if (!p)
            return {};
        const qint64 v = p + read<quint32>(p);
        const quint32 count = read<quint32>(v);
        if (m_failed || v + 4 + qint64(count) * elementSize > m_size) {
            fail(QStringLiteral("flatbuffer vector past the end at offset %1").arg(v));
            return {};
        }
        return {v + 4, count};
    }

    Table vectorTable(const Vec &v, qint64 i)
    {
        const qint64 p = v.pos + 4 * i;
        return table(p + read<quint32>(p));
    }

    void fail(QString why)
    {
        if (!m_failed) {
            m_failed = true;
            m_why = std::move(why);
        }
    }

private:
    const uchar *m_data;
    qint64 m_size;
    bool m_failed = false;
    QString m_why;
};

struct StreamState
{
    ArrowTable table;
    std::map<qint64, ArrowField> dictionaryFields; // id -> value field
    std::map<qint64, std::shared_ptr<const ArrowArray>> dictionaries;
    qint64 fieldCount = 0;
    qint64 decompressed = 0;
};

class Reader
{
public:
    Reader(const ArrowReadLimits &limits, QByteArrayView data, const QByteArray *owner = nullptr)
        : m_limits(limits), m_data(data), m_owner(owner)
    {
    }

    Expected<ArrowTable> run();

private:
    bool parseField(Fb &fb, const Fb::Table &t, int depth, ArrowField *out);
    bool parseType(Fb &fb, const Fb::Table &field, int typeType, ArrowType *out);
    bool decodeBatch(Fb &fb, const Fb::Table &batch, qint64 bodyPos, qint64 bodyLength,
                     const std::vector<ArrowField> &fields, ArrowRecordBatch *out);
    bool decodeArray(const ArrowField &field, bool useDictionary, ArrowArray *out);
    bool takeBuffer(QByteArray *out);
    bool fail(QString why)
    {
        if (m_error.isEmpty())
            m_error = std::move(why);
        return false;
    }

    const ArrowReadLimits &m_limits;
    QByteArrayView m_data;
    const QByteArray *m_owner = nullptr; // set: uncompressed buffers reference it
    StreamState m_state;
    QString m_error;
    qint64 m_messageOffset = 0;
    // Current record batch being decoded.
    Fb *m_fb = nullptr;
    Fb::Vec m_nodes, m_buffers;
    qint64 m_nodeIndex = 0, m_bufferIndex = 0;
    qint64 m_bodyPos = 0, m_bodyLength = 0;
    int m_codec = -1; // -1 none, 0 lz4 frame, 1 zstd
};

bool Reader::parseType(Fb &fb, const Fb::Table &field, int typeType, ArrowType *out)
{
    const Fb::Table t = fb.subTable(field, 3);
    out->id = Id(typeType);
    switch (out->id) {
    case Id::Int:
        out->bitWidth = fb.scalar<qint32>(t, 0, 0);
        out->isSigned = fb.scalar<quint8>(t, 1, 0);
        if (out->bitWidth != 8 && out->bitWidth != 16 && out->bitWidth != 32 && out->bitWidth != 64)
            return fail(QStringLiteral("Int field with bit width %1").arg(out->bitWidth));
        break;
    case Id::FloatingPoint:
        out->precision = fb.scalar<qint16>(t, 0, 0);
        if (out->precision < 0 || out->precision > 2)
            return fail(QStringLiteral("FloatingPoint field with precision %1").arg(out->precision));
        break;
    case Id::Decimal:
        out->precision = fb.scalar<qint32>(t, 0, 0);
        out->scale = fb.scalar<qint32>(t, 1, 0);
        out->bitWidth = fb.scalar<qint32>(t, 2, 128);
        // decimal128 holds at most 38 digits, decimal256 76; a wild scale would make the text huge.
        if (out->precision < 1 || out->precision > 76 || out->scale < -76 || out->scale > 76)
            return fail(QStringLiteral("Decimal field with precision %1 and scale %2").arg(out->precision).arg(out->scale));
        break;
    case Id::Date: out->unit = fb.scalar<qint16>(t, 0, 1); break;
    case Id::Time:
        out->unit = fb.scalar<qint16>(t, 0, 1);
        out->bitWidth = fb.scalar<qint32>(t, 1, 32);
        if (out->bitWidth != 32 && out->bitWidth != 64)
            return fail(QStringLiteral("Time field with bit width %1").arg(out->bitWidth));
        break;
    case Id::Timestamp:
        out->unit = fb.scalar<qint16>(t, 0, 0);
        out->timezone = fb.string(t, 1);
        break;
    case Id::Duration: out->unit = fb.scalar<qint16>(t, 0, 1); break;
    case Id::Interval: out->unit = fb.scalar<qint16>(t, 0, 0); break;
    case Id::FixedSizeBinary:
        out->byteWidth = fb.scalar<qint32>(t, 0, 0);
        if (out->byteWidth < 0 || out->byteWidth > (1 << 20))
            return fail(QStringLiteral("FixedSizeBinary field with width %1").arg(out->byteWidth));
        break;
    case Id::FixedSizeList:
        out->listSize = fb.scalar<qint32>(t, 0, 0);
        if (out->listSize < 0 || out->listSize > (1 << 20))
            return fail(QStringLiteral("FixedSizeList field with size %1").arg(out->listSize));
        break;
    case Id::Map: out->keysSorted = fb.scalar<quint8>(t, 0, 0); break;
    case Id::Union: {
        out->unit = fb.scalar<qint16>(t, 0, 0); // mode: 0 sparse, 1 dense
        const Fb::Vec ids = fb.vector(t, 1, 4);
        for (qint64 k = 0; k < ids.count && k < 128; ++k)
            out->typeIds.push_back(fb.read<qint32>(ids.pos + 4 * k));
        if (out->unit != 0 && out->unit != 1)
            return fail(QStringLiteral("Union field with mode %1").arg(out->unit));
        break;
    }
    default: break;
    }
    if (out->unit < 0 || out->unit > 3)
        return fail(QStringLiteral("field with unit %1").arg(out->unit));
    if ((out->id == Id::Time || out->id == Id::Timestamp || out->id == Id::Duration) && out->unit > 3)
        return fail(QStringLiteral("bad time unit"));
    return !fb.failed();
}

bool Reader::parseField(Fb &fb, const Fb::Table &t, int depth, ArrowField *out)
{
    if (depth > m_limits.maxDepth)
        return fail(QStringLiteral("schema nested deeper than %1").arg(m_limits.maxDepth));
    if (++m_state.fieldCount > m_limits.maxFields)
        return fail(QStringLiteral("schema has more than %1 fields").arg(m_limits.maxFields));
    out->name = QString::fromUtf8(fb.string(t, 0));
    out->nullable = fb.scalar<quint8>(t, 1, 0);
    if (!parseType(fb, t, fb.scalar<quint8>(t, 2, 0), &out->type))
        return false;
    const Fb::Table dict = fb.subTable(t, 4);
    if (dict.valid()) {
        out->dictionaryEncoded = true;
        out->dictionaryId = fb.scalar<qint64>(dict, 0, 0);
        const Fb::Table index = fb.subTable(dict, 1);
        out->indexType.id = Id::Int;
        out->indexType.bitWidth = index.valid() ? fb.scalar<qint32>(index, 0, 32) : 32;
        out->indexType.isSigned = index.valid() ? fb.scalar<quint8>(index, 1, 0) : true;
        const int w = out->indexType.bitWidth;
        if (w != 8 && w != 16 && w != 32 && w != 64)
            return fail(QStringLiteral("dictionary index with bit width %1").arg(w));
    }
    const Fb::Vec children = fb.vector(t, 5, 4);
    for (qint64 i = 0; i < children.count && !fb.failed(); ++i) {
        ArrowField child;
        if (!parseField(fb, fb.vectorTable(children, i), depth + 1, &child))
            return false;
        out->children.push_back(std::move(child));
    }
    const int minChildren = (out->type.id == Id::List || out->type.id == Id::LargeList
                             || out->type.id == Id::FixedSizeList || out->type.id == Id::Map) ? 1 : 0;
    if (int(out->children.size()) < minChildren)
        return fail(QStringLiteral("field \"%1\" of type %2 has no child").arg(out->name, out->type.toString()));
    if (out->type.id == Id::Map && (out->children[0].children.size() != 2 || out->children[0].type.id != Id::Struct))
        return fail(QStringLiteral("map field \"%1\" without a key/value struct").arg(out->name));
    if (out->dictionaryEncoded) {
        ArrowField valueField = *out;
        valueField.dictionaryEncoded = false;
        m_state.dictionaryFields[out->dictionaryId] = std::move(valueField);
    }
    if (fb.failed())
        return fail(fb.why());
    return true;
}

bool Reader::takeBuffer(QByteArray *out)
{
    if (m_bufferIndex >= m_buffers.count)
        return fail(QStringLiteral("record batch lists too few buffers (%1)").arg(m_buffers.count));
    const qint64 at = m_buffers.pos + 16 * m_bufferIndex++;
    const qint64 offset = m_fb->read<qint64>(at);
    const qint64 length = m_fb->read<qint64>(at + 8);
    if (offset < 0 || length < 0 || offset > m_bodyLength || length > m_bodyLength - offset)
        return fail(QStringLiteral("buffer %1 (offset %2, length %3) outside the message body of %4 bytes")
                        .arg(m_bufferIndex - 1).arg(offset).arg(length).arg(m_bodyLength));
    const char *src = m_data.data() + m_bodyPos + offset;
    if (m_codec < 0 || length == 0) {
        if (m_owner && length > 0) {
            *out = QByteArray::fromRawData(src, length);
        } else {
            *out = QByteArray(src, length);
        }
        return true;
    }
    if (length < 8)
        return fail(QStringLiteral("compressed buffer %1 shorter than its length prefix").arg(m_bufferIndex - 1));
    qint64 uncompressed;
    std::memcpy(&uncompressed, src, 8);
    uncompressed = qFromLittleEndian(uncompressed);
    if (uncompressed == -1) {
        *out = QByteArray(src + 8, length - 8);
        return true;
    }
    if (uncompressed < 0 || uncompressed > m_limits.maxDecompressedBytes - m_state.decompressed)
        return fail(QStringLiteral("compressed buffer %1 would inflate to %2 bytes, over the limit of %3")
                        .arg(m_bufferIndex - 1).arg(uncompressed).arg(m_limits.maxDecompressedBytes));
    m_state.decompressed += uncompressed;
    QByteArray result(uncompressed, Qt::Uninitialized);
    if (m_codec == 1) {
        const size_t n = ZSTD_decompress(result.data(), size_t(uncompressed), src + 8, size_t(length - 8));
        if (ZSTD_isError(n) || qint64(n) != uncompressed)
            return fail(QStringLiteral("Zstandard buffer %1 does not inflate to its %2 bytes").arg(m_bufferIndex - 1).arg(uncompressed));
    } else {
        LZ4F_dctx *ctx = nullptr;
        if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION)))
            return fail(QStringLiteral("LZ4 context"));
        size_t dstSize = size_t(uncompressed), srcSize = size_t(length - 8);
        qint64 produced = 0, consumed = 0;
        bool good = true;
        while (true) {
            size_t d = size_t(uncompressed - produced), s = size_t((length - 8) - consumed);
            const size_t r = LZ4F_decompress(ctx, result.data() + produced, &d, src + 8 + consumed, &s, nullptr);
            if (LZ4F_isError(r)) {
                good = false;
                break;
            }
            produced += qint64(d);
            consumed += qint64(s);
            if (r == 0)
                break;
            if ((d == 0 && s == 0) || consumed >= length - 8) {
                good = r == 0;
                break;
            }
        }
        Q_UNUSED(dstSize);
        Q_UNUSED(srcSize);
        LZ4F_freeDecompressionContext(ctx);
        if (!good || produced != uncompressed)
            return fail(QStringLiteral("LZ4 buffer %1 does not inflate to its %2 bytes").arg(m_bufferIndex - 1).arg(uncompressed));
    }
    *out = std::move(result);
    return true;
}

bool Reader::decodeArray(const ArrowField &field, bool useDictionary, ArrowArray *out)
{
    if (m_nodeIndex >= m_nodes.count)
        return fail(QStringLiteral("record batch lists too few field nodes (%1)").arg(m_nodes.count));
    const qint64 at = m_nodes.pos + 16 * m_nodeIndex++;
    if (m_owner)
        out->backing = *m_owner; // its buffers may be raw views into the stream
    out->type = field.type;
    out->length = m_fb->read<qint64>(at);
    out->nullCount = m_fb->read<qint64>(at + 8);
    if (out->length < 0 || out->length > (qint64(1) << 40) || out->nullCount < 0 || out->nullCount > out->length)
        return fail(QStringLiteral("field \"%1\": bad node length %2 / null count %3").arg(field.name, QString::number(out->length), QString::number(out->nullCount)));
    const qint64 n = out->length;
    const qint64 bitmapBytes = (n + 7) / 8;
    auto checkValidity = [&]() {
        if (!out->validity.isEmpty() && out->validity.size() < bitmapBytes)
            return fail(QStringLiteral("field \"%1\": validity bitmap of %2 bytes for %3 rows").arg(field.name, QString::number(out->validity.size()), QString::number(n)));
        if (out->nullCount == 0)
            out->validity.clear(); // all valid, whatever the bitmap says
        return true;
    };
    auto checkSize = [&](const QByteArray &b, qint64 need, const char *what) {
        if (b.size() < need)
            return fail(QStringLiteral("field \"%1\": %2 buffer of %3 bytes, %4 needed").arg(field.name, QLatin1String(what), QString::number(b.size()), QString::number(need)));
        return true;
    };

    if (field.dictionaryEncoded && useDictionary) {
        out->dictionaryEncoded = true;
        out->indexType = field.indexType;
        if (!takeBuffer(&out->validity) || !takeBuffer(&out->values) || !checkValidity()
            || !checkSize(out->values, n * (field.indexType.bitWidth / 8), "index"))
            return false;
        const auto it = m_state.dictionaries.find(field.dictionaryId);
        if (it == m_state.dictionaries.end())
            return fail(QStringLiteral("field \"%1\" uses dictionary %2, which the stream has not sent").arg(field.name, QString::number(field.dictionaryId)));
        out->dictionary = it->second;
        for (qint64 i = 0; i < n; ++i) {
            if (out->isValid(i)) {
                const qint64 index = out->indexAt(i);
                if (index < 0 || index >= out->dictionary->length)
                    return fail(QStringLiteral("field \"%1\" row %2: dictionary index %3 out of range").arg(field.name).arg(i).arg(index));
            }
        }
        return true;
    }

    switch (field.type.id) {
    case Id::Null:
        return true;
    case Id::Int: case Id::FloatingPoint: case Id::Decimal: case Id::Date: case Id::Time: case Id::Timestamp:
    case Id::Duration: case Id::Interval: case Id::FixedSizeBinary:
        if (field.type.id == Id::Decimal && field.type.bitWidth != 128 && field.type.bitWidth != 256)
            return fail(QStringLiteral("field \"%1\": decimal bit width %2").arg(field.name, QString::number(field.type.bitWidth)));
        return takeBuffer(&out->validity) && takeBuffer(&out->values) && checkValidity()
            && checkSize(out->values, n * field.type.fixedByteWidth(), "data");
    case Id::Bool:
        return takeBuffer(&out->validity) && takeBuffer(&out->values) && checkValidity()
            && checkSize(out->values, bitmapBytes, "data");
    case Id::Binary: case Id::Utf8: case Id::LargeBinary: case Id::LargeUtf8: {
        if (!takeBuffer(&out->validity) || !takeBuffer(&out->offsets) || !takeBuffer(&out->values) || !checkValidity())
            return false;
        const bool large = field.type.id == Id::LargeBinary || field.type.id == Id::LargeUtf8;
        if (n > 0 && !checkSize(out->offsets, (n + 1) * (large ? 8 : 4), "offsets"))
            return false;
        return true;
    }
    case Id::List: case Id::LargeList: case Id::Map: {
        if (!takeBuffer(&out->validity) || !takeBuffer(&out->offsets) || !checkValidity())
            return false;
        if (n > 0 && !checkSize(out->offsets, (n + 1) * (field.type.id == Id::LargeList ? 8 : 4), "offsets"))
            return false;
        out->children.resize(1);
        if (!decodeArray(field.children[0], true, &out->children[0]))
            return false;
        if (n > 0 && (out->listRange(n - 1).second > out->children[0].length || out->listRange(0).first < 0))
            return fail(QStringLiteral("field \"%1\": list offsets beyond the child's %2 values").arg(field.name, QString::number(out->children[0].length)));
        return true;
    }
    case Id::FixedSizeList:
        if (!takeBuffer(&out->validity) || !checkValidity())
            return false;
        out->children.resize(1);
        if (!decodeArray(field.children[0], true, &out->children[0]))
            return false;
        if (out->children[0].length < n * field.type.listSize)
            return fail(QStringLiteral("field \"%1\": fixed-size list child too short").arg(field.name));
        return true;
    case Id::Struct:
        if (!takeBuffer(&out->validity) || !checkValidity())
            return false;
        out->children.resize(field.children.size());
        for (size_t c = 0; c < field.children.size(); ++c) {
            if (!decodeArray(field.children[c], true, &out->children[c]))
                return false;
        }
        return true;
    case Id::Union: {
        // Pre-V5 unions also carried a validity bitmap.
        QByteArray skip;
        if (m_state.table.metadataVersion < 4 && !takeBuffer(&skip))
            return false;
        if (!takeBuffer(&out->values) || !checkSize(out->values, n, "type ids"))
            return false;
        if (field.type.unit == 1 && (!takeBuffer(&out->offsets) || !checkSize(out->offsets, n * 4, "offsets")))
            return false;
        out->children.resize(field.children.size());
        for (size_t c = 0; c < field.children.size(); ++c) {
            if (!decodeArray(field.children[c], true, &out->children[c]))
                return false;
        }
        return true;
    }
    default:
        return fail(QStringLiteral("field \"%1\": Arrow type %2 is not supported").arg(field.name, field.type.toString()));
    }
}

bool Reader::decodeBatch(Fb &fb, const Fb::Table &batch, qint64 bodyPos, qint64 bodyLength,
                         const std::vector<ArrowField> &fields, ArrowRecordBatch *out)
{
    m_fb = &fb;
    out->length = fb.scalar<qint64>(batch, 0, 0);
    m_nodes = fb.vector(batch, 1, 16);
    m_buffers = fb.vector(batch, 2, 16);
    m_nodeIndex = m_bufferIndex = 0;
    m_bodyPos = bodyPos;
    m_bodyLength = bodyLength;
    m_codec = -1;
    const Fb::Table compression = fb.subTable(batch, 3);
    if (compression.valid()) {
        m_codec = fb.scalar<qint8>(compression, 0, 0);
        if (m_codec != 0 && m_codec != 1)
            return fail(QStringLiteral("unknown body compression codec %1").arg(m_codec));
        m_state.table.compression = m_codec == 0 ? QStringLiteral("lz4_frame") : QStringLiteral("zstd");
    }
    if (fb.failed())
        return fail(fb.why());
    if (out->length < 0)
        return fail(QStringLiteral("negative record batch length %1").arg(out->length));
    out->columns.resize(fields.size());
    for (size_t c = 0; c < fields.size(); ++c) {
        if (!decodeArray(fields[c], true, &out->columns[c]))
            return false;
        if (out->columns[c].length != out->length)
            return fail(QStringLiteral("column \"%1\" has %2 rows in a batch of %3").arg(fields[c].name, QString::number(out->columns[c].length), QString::number(out->length)));
    }
    if (fb.failed())
        return fail(fb.why());
    return true;
}

Expected<ArrowTable> Reader::run()
{
    const qint64 size = m_data.size();
    const uchar *bytes = reinterpret_cast<const uchar *>(m_data.data());
    qint64 pos = 0;
    bool haveSchema = false;
    qint64 messages = 0;
    auto located = [&](const QString &why) {
        return makeError(QStringLiteral("Arrow IPC stream: %1 (message at offset %2)").arg(why).arg(m_messageOffset));
    };
    while (pos + 4 <= size) {
        m_messageOffset = pos;
        if (++messages > m_limits.maxMessages)
            return located(QStringLiteral("more than %1 messages").arg(m_limits.maxMessages));
        qint32 length = qFromLittleEndian<qint32>(bytes + pos);
        pos += 4;
        if (length == -1) {
            if (pos + 4 > size)
                return located(QStringLiteral("truncated after the continuation marker"));
            length = qFromLittleEndian<qint32>(bytes + pos);
            pos += 4;
        }
        if (length == 0)
            break; // end-of-stream marker
        if (length < 0 || length > size - pos)
            return located(QStringLiteral("metadata of %1 bytes runs past the end of the %2-byte input").arg(length).arg(size));
        Fb fb(bytes + pos, length);
        const Fb::Table message = fb.root();
        const int version = fb.scalar<qint16>(message, 0, 0);
        const int headerType = fb.scalar<quint8>(message, 1, 0);
        const Fb::Table header = fb.subTable(message, 2);
        const qint64 bodyLength = fb.scalar<qint64>(message, 3, 0);
        if (fb.failed())
            return located(fb.why());
        pos += length;
        if (bodyLength < 0 || bodyLength > size - pos)
            return located(QStringLiteral("body of %1 bytes runs past the end of the %2-byte input").arg(bodyLength).arg(size));
        const qint64 bodyPos = pos;
        pos += bodyLength;
        if (!header.valid())
            return located(QStringLiteral("message without a header"));
        switch (headerType) {
        case 1: { // Schema
            if (haveSchema)
                return located(QStringLiteral("second schema message"));
            haveSchema = true;
            m_state.table.metadataVersion = version;
            if (fb.scalar<qint16>(header, 0, 0) != 0)
                return located(QStringLiteral("big-endian streams are not supported"));
            const Fb::Vec fields = fb.vector(header, 1, 4);
            for (qint64 i = 0; i < fields.count && !fb.failed(); ++i) {
                ArrowField field;
                if (!parseField(fb, fb.vectorTable(fields, i), 0, &field))
                    return located(m_error);
                m_state.table.schema.push_back(std::move(field));
            }
            if (fb.failed())
                return located(fb.why());
            break;
        }
        case 2: { // DictionaryBatch
            if (!haveSchema)
                return located(QStringLiteral("dictionary batch before the schema"));
            const qint64 id = fb.scalar<qint64>(header, 0, 0);
            const bool isDelta = fb.scalar<quint8>(header, 2, 0);
            const auto fieldIt = m_state.dictionaryFields.find(id);
            if (fieldIt == m_state.dictionaryFields.end())
                return located(QStringLiteral("dictionary batch for unknown id %1").arg(id));
            if (isDelta)
                return located(QStringLiteral("delta dictionary batches are not supported"));
            ArrowRecordBatch batch;
            if (!decodeBatch(fb, fb.subTable(header, 1), bodyPos, bodyLength, {fieldIt->second}, &batch))
                return located(m_error);
            m_state.dictionaries[id] = std::make_shared<const ArrowArray>(std::move(batch.columns[0]));
            ++m_state.table.dictionaryBatches;
            break;
        }
        case 3: { // RecordBatch
            if (!haveSchema)
                return located(QStringLiteral("record batch before the schema"));
            ArrowRecordBatch batch;
            if (!decodeBatch(fb, header, bodyPos, bodyLength, m_state.table.schema, &batch))
                return located(m_error);
            m_state.table.batches.push_back(std::move(batch));
            break;
        }
        default:
            return located(QStringLiteral("unsupported message header type %1").arg(headerType));
        }
    }
    if (!haveSchema)
        return makeError(QStringLiteral("Arrow IPC stream: no schema message in %1 bytes").arg(size));
    return std::move(m_state.table);
}

} // namespace

Expected<ArrowTable> ArrowReader::read(QByteArrayView stream) const
{
    Reader reader(m_limits, stream);
    return reader.run();
}

Expected<ArrowTable> ArrowReader::read(const QByteArray &stream) const
{
    // Raw data has no owner to keep alive: copy as the view overload does.
    if (const_cast<QByteArray &>(stream).data_ptr().d_ptr() == nullptr)
        return read(QByteArrayView(stream));
    Reader reader(m_limits, stream, &stream);
    return reader.run();
}

bool ArrowReader::looksLikeStream(QByteArrayView data)
{
    if (data.size() < 16)
        return false;
    const uchar *b = reinterpret_cast<const uchar *>(data.data());
    qint64 pos = 0;
    qint32 length = qFromLittleEndian<qint32>(b);
    if (length == -1) {
        length = qFromLittleEndian<qint32>(b + 4);
        pos = 8;
    } else {
        pos = 4;
    }
    if (length <= 0 || length > data.size() - pos)
        return false;
    Fb fb(b + pos, length);
    const Fb::Table message = fb.root();
    const int version = fb.scalar<qint16>(message, 0, 0);
    const int headerType = fb.scalar<quint8>(message, 1, 0);
    return !fb.failed() && headerType == 1 && version >= 1 && version <= 4;
}

} // namespace cachescope
