#include "arrowtable.h"

#include "pyvalue.h"

#include <QtEndian>

#include <cmath>
#include <cstring>

namespace cachescope {

namespace {

const char *unitSuffix(int unit)
{
    switch (unit) {
    case 0: return "s";
    case 1: return "ms";
    case 2: return "us";
    default: return "ns";
    }
}

double halfToDouble(quint16 h)
{
    const int sign = (h >> 15) & 1;
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    double v;
    if (exponent == 0)
        v = std::ldexp(double(mantissa), -24);
    else if (exponent == 31)
        v = mantissa ? std::nan("") : HUGE_VAL;
    else
        v = std::ldexp(double(mantissa | 0x400), exponent - 25);
    return sign ? -v : v;
}

template<typename T>
T loadAt(const QByteArray &buffer, qint64 index)
{
    // Bounds were validated by the reader; a short buffer (hostile writer) reads as zero.
    const qint64 at = index * qint64(sizeof(T));
    if (index < 0 || at + qint64(sizeof(T)) > buffer.size())
        return T{};
    T v;
    std::memcpy(&v, buffer.constData() + at, sizeof(T));
    return qFromLittleEndian(v);
}

} // namespace

QString ArrowType::toString() const
{
    switch (id) {
    case Id::Null: return QStringLiteral("null");
    case Id::Int: return (isSigned ? QStringLiteral("int") : QStringLiteral("uint")) + QString::number(bitWidth);
    case Id::FloatingPoint:
        return precision == 0 ? QStringLiteral("halffloat") : precision == 1 ? QStringLiteral("float") : QStringLiteral("double");
    case Id::Binary: return QStringLiteral("binary");
    case Id::Utf8: return QStringLiteral("string");
    case Id::Bool: return QStringLiteral("bool");
    case Id::Decimal:
        return QStringLiteral("decimal%1(%2, %3)").arg(bitWidth ? bitWidth : 128).arg(precision).arg(scale);
    case Id::Date: return unit == 0 ? QStringLiteral("date32[day]") : QStringLiteral("date64[ms]");
    case Id::Time: return QStringLiteral("time%1[%2]").arg(bitWidth).arg(QLatin1String(unitSuffix(unit)));
    case Id::Timestamp:
        if (timezone.isEmpty())
            return QStringLiteral("timestamp[%1]").arg(QLatin1String(unitSuffix(unit)));
        return QStringLiteral("timestamp[%1, tz=%2]").arg(QLatin1String(unitSuffix(unit)), QString::fromUtf8(timezone));
    case Id::Duration: return QStringLiteral("duration[%1]").arg(QLatin1String(unitSuffix(unit)));
    case Id::Interval:
        return unit == 0 ? QStringLiteral("month_interval") : unit == 1 ? QStringLiteral("day_time_interval")
                                                                        : QStringLiteral("month_day_nano_interval");
    case Id::List: return QStringLiteral("list");
    case Id::LargeList: return QStringLiteral("large_list");
    case Id::FixedSizeList: return QStringLiteral("fixed_size_list[%1]").arg(listSize);
    case Id::Struct: return QStringLiteral("struct");
    case Id::Map: return QStringLiteral("map");
    case Id::Union: return unit == 1 ? QStringLiteral("dense_union") : QStringLiteral("sparse_union");
    case Id::FixedSizeBinary: return QStringLiteral("fixed_size_binary[%1]").arg(byteWidth);
    case Id::LargeBinary: return QStringLiteral("large_binary");
    case Id::LargeUtf8: return QStringLiteral("large_string");
    default: return QStringLiteral("unsupported(%1)").arg(int(id));
    }
}

bool ArrowType::isSupported() const
{
    switch (id) {
    case Id::Null: case Id::Int: case Id::FloatingPoint: case Id::Binary: case Id::Utf8: case Id::Bool:
    case Id::Date: case Id::Time: case Id::Timestamp: case Id::Duration: case Id::Interval: case Id::List:
    case Id::LargeList: case Id::FixedSizeList: case Id::Struct: case Id::Map: case Id::FixedSizeBinary:
    case Id::LargeBinary: case Id::LargeUtf8: case Id::Union:
        return true;
    case Id::Decimal:
        return bitWidth == 128 || bitWidth == 256;
    default:
        return false;
    }
}

int ArrowType::fixedByteWidth() const
{
    switch (id) {
    case Id::Int: return bitWidth / 8;
    case Id::FloatingPoint: return precision == 0 ? 2 : precision == 1 ? 4 : 8;
    case Id::Decimal: return bitWidth / 8;
    case Id::Date: return unit == 0 ? 4 : 8;
    case Id::Time: return bitWidth / 8;
    case Id::Timestamp: case Id::Duration: return 8;
    case Id::Interval: return unit == 0 ? 4 : unit == 1 ? 8 : 16;
    case Id::FixedSizeBinary: return byteWidth;
    default: return 0;
    }
}

QString ArrowField::typeString() const
{
    if (!dictionaryEncoded)
        return type.toString();
    return QStringLiteral("dictionary<values=%1, indices=%2>").arg(type.toString(), indexType.toString());
}

bool ArrowArray::isValid(qint64 i) const
{
    if (i < 0 || i >= length)
        return false;
    if (type.id == ArrowType::Id::Null && !dictionaryEncoded)
        return false;
    if (validity.isEmpty())
        return true;
    if ((i >> 3) >= validity.size())
        return false;
    return (uchar(validity.at(i >> 3)) >> (i & 7)) & 1;
}

qint64 ArrowArray::indexAt(qint64 i) const
{
    const ArrowType &t = indexType;
    switch (t.bitWidth) {
    case 8: return t.isSigned ? qint64(loadAt<qint8>(values, i)) : qint64(loadAt<quint8>(values, i));
    case 16: return t.isSigned ? qint64(loadAt<qint16>(values, i)) : qint64(loadAt<quint16>(values, i));
    case 32: return t.isSigned ? qint64(loadAt<qint32>(values, i)) : qint64(loadAt<quint32>(values, i));
    default: return loadAt<qint64>(values, i);
    }
}

qint64 ArrowArray::integerAt(qint64 i) const
{
    if (dictionaryEncoded)
        return indexAt(i);
    switch (type.fixedByteWidth()) {
    case 1: return type.isSigned ? qint64(loadAt<qint8>(values, i)) : qint64(loadAt<quint8>(values, i));
    case 2: return type.isSigned ? qint64(loadAt<qint16>(values, i)) : qint64(loadAt<quint16>(values, i));
    case 4:
        if (type.id == ArrowType::Id::Int && !type.isSigned)
            return qint64(loadAt<quint32>(values, i));
        return loadAt<qint32>(values, i);
    case 8: return loadAt<qint64>(values, i);
    default: return 0;
    }
}

quint64 ArrowArray::unsignedAt(qint64 i) const
{
    if (type.fixedByteWidth() == 8)
        return loadAt<quint64>(values, i);
    return quint64(integerAt(i));
}

double ArrowArray::floatAt(qint64 i) const
{
    switch (type.precision) {
    case 0: return halfToDouble(loadAt<quint16>(values, i));
    case 1: {
        const quint32 bits = loadAt<quint32>(values, i);
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
    default: {
        const quint64 bits = loadAt<quint64>(values, i);
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    }
}

bool ArrowArray::boolAt(qint64 i) const
{
    if (i < 0 || (i >> 3) >= values.size())
        return false;
    return (uchar(values.at(i >> 3)) >> (i & 7)) & 1;
}

QByteArrayView ArrowArray::bytesAt(qint64 i) const
{
    if (i < 0 || i >= length)
        return {};
    const int width = type.fixedByteWidth();
    if (width > 0) {
        const qint64 at = i * width;
        if (at + width > values.size())
            return {};
        return QByteArrayView(values.constData() + at, width);
    }
    qint64 begin, end;
    if (type.id == ArrowType::Id::LargeBinary || type.id == ArrowType::Id::LargeUtf8) {
        begin = loadAt<qint64>(offsets, i);
        end = loadAt<qint64>(offsets, i + 1);
    } else {
        begin = loadAt<qint32>(offsets, i);
        end = loadAt<qint32>(offsets, i + 1);
    }
    if (begin < 0 || end < begin || end > values.size())
        return {};
    return QByteArrayView(values.constData() + begin, end - begin);
}

std::pair<qint64, qint64> ArrowArray::listRange(qint64 i) const
{
    if (i < 0 || i >= length)
        return {0, 0};
    if (type.id == ArrowType::Id::FixedSizeList)
        return {i * type.listSize, (i + 1) * type.listSize};
    if (type.id == ArrowType::Id::LargeList)
        return {loadAt<qint64>(offsets, i), loadAt<qint64>(offsets, i + 1)};
    return {loadAt<qint32>(offsets, i), loadAt<qint32>(offsets, i + 1)};
}

int ArrowArray::unionChild(qint64 i) const
{
    if (i < 0 || i >= length || i >= values.size())
        return -1;
    const int id = qint8(values.at(i));
    if (type.typeIds.empty())
        return (id >= 0 && id < int(children.size())) ? id : -1;
    for (size_t c = 0; c < type.typeIds.size() && c < children.size(); ++c) {
        if (type.typeIds[c] == id)
            return int(c);
    }
    return -1;
}

qint64 ArrowArray::unionOffset(qint64 i) const
{
    return type.unit == 1 ? qint64(loadAt<qint32>(offsets, i)) : i;
}

QString ArrowArray::decimalText(qint64 i) const
{
    const QByteArrayView raw = bytesAt(i);
    if (raw.isEmpty())
        return {};
    QByteArray digits = PyValue::bigInteger(raw.toByteArray()).bigIntDecimal();
    const bool negative = digits.startsWith('-');
    if (negative)
        digits.remove(0, 1);
    const int scale = type.scale;
    if (scale > 0) {
        if (digits.size() <= scale)
            digits.prepend(QByteArray(scale - digits.size() + 1, '0'));
        digits.insert(digits.size() - scale, '.');
    } else if (scale < 0) {
        digits.append(QByteArray(-scale, '0'));
    }
    if (negative)
        digits.prepend('-');
    return QString::fromLatin1(digits);
}

qint64 ArrowTable::rowCount() const
{
    qint64 n = 0;
    for (const auto &b : batches)
        n += b.length;
    return n;
}

bool ArrowTable::locate(qint64 row, int *batch, qint64 *rowInBatch) const
{
    if (row < 0)
        return false;
    for (size_t b = 0; b < batches.size(); ++b) {
        if (row < batches[b].length) {
            *batch = int(b);
            *rowInBatch = row;
            return true;
        }
        row -= batches[b].length;
    }
    return false;
}

} // namespace cachescope
