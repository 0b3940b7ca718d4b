#include "memcachedvalue.h"

#include "codec/inflater.h"
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "codec/pythonint.h"
#include "memcachedreplies.h"

namespace cachescope::memcachedvalue {

namespace {

constexpr quint32 kTypes = kPickle | kInteger | kLong | kText;

Expected<PyValue> readInt(const QByteArray &data, quint32 flags)
{
    if (auto i = parsePythonInt(data))
        return std::move(*i);
    return makeError(QStringLiteral("flags %1 say int, but the data is not a decimal integer").arg(flags));
}

Expected<PyValue> readText(const QByteArray &data, quint32 flags)
{
    if (!QByteArrayView(data).isValidUtf8())
        return makeError(QStringLiteral("flags %1 say str, but the data is not valid UTF-8").arg(flags));
    return PyValue::str(data);
}

Expected<PyValue> readPickle(const QByteArray &data, quint32 flags)
{
    auto v = PickleReader().loads(data);
    if (!v)
        return makeError(QStringLiteral("flags %1 say pickle, but it does not load: %2").arg(flags).arg(v.error()));
    return std::move(*v);
}

} // namespace

Expected<MemcachedItem> encode(const PyValue &value, MemcachedClientKind client)
{
    MemcachedItem item;
    switch (value.kind()) {
    case PyValue::Kind::Bytes:
        item.data = value.bytesData();
        return item;
    case PyValue::Kind::Str:
        // Both clients encode with UTF-8 "strict": a str holding a lone surrogate cannot be stored.
        if (!QByteArrayView(value.bytesData()).isValidUtf8())
            return makeError(QStringLiteral("the str holds a lone surrogate, which UTF-8 cannot encode"));
        item.flags = kText;
        item.data = value.bytesData();
        return item;
    case PyValue::Kind::Bool:
        if (client == MemcachedClientKind::Pylibmc) {
            item.flags = kInteger;
            item.data = value.toBool() ? QByteArrayLiteral("1") : QByteArrayLiteral("0");
            return item;
        }
        break; // python-memcache: type(True) is not int -> pickled
    case PyValue::Kind::Int:
    case PyValue::Kind::BigInt:
        item.flags = client == MemcachedClientKind::Pylibmc ? kLong : kInteger;
        item.data = value.bigIntDecimal();
        return item;
    default:
        break;
    }
    auto pickled = PickleWriter(client == MemcachedClientKind::Pylibmc ? 5 : 0).dumps(value);
    if (!pickled)
        return Error{pickled.error()};
    item.flags = kPickle;
    item.data = std::move(*pickled);
    return item;
}

Expected<PyValue> decode(const MemcachedItem &item, MemcachedClientKind client, qint64 maxInflatedBytes)
{
    QByteArray data = item.data;
    quint32 flags = item.flags;
    if (flags & kZlib) {
        auto inflated = Inflater(maxInflatedBytes).inflate(data, Inflater::Format::Zlib);
        if (!inflated)
            return makeError(QStringLiteral("flags %1 say zlib, but it does not inflate: %2").arg(flags).arg(inflated.error()));
        data = std::move(inflated->data);
    }
    if (client == MemcachedClientKind::Pylibmc) {
        switch (flags & kTypes) {
        case 0: return PyValue::bytes(data);
        case kPickle: return readPickle(data, item.flags);
        case kInteger:
        case kLong: return readInt(data, item.flags);
        case kText: return readText(data, item.flags);
        default:
            return makeError(QStringLiteral("unknown memcached key flags %1 (pylibmc refuses them)").arg(flags & kTypes));
        }
    }
    flags &= ~kZlib;
    if (flags == 0)
        return PyValue::bytes(data);
    if (flags & kText)
        return readText(data, item.flags);
    if (flags & (kInteger | kLong))
        return readInt(data, item.flags);
    if (flags & kPickle)
        return readPickle(data, item.flags);
    return makeError(QStringLiteral("unknown memcached flags %1 (python-memcache refuses them)").arg(item.flags));
}

QString flagsName(quint32 flags)
{
    QString type;
    switch (flags & kTypes) {
    case 0: type = QStringLiteral("bytes"); break;
    case kPickle: type = QStringLiteral("pickle"); break;
    case kInteger:
    case kLong: type = QStringLiteral("int"); break;
    case kText: type = QStringLiteral("str"); break;
    default: return QStringLiteral("flags %1").arg(flags);
    }
    if (flags & ~(kTypes | kZlib))
        return QStringLiteral("flags %1").arg(flags);
    return (flags & kZlib) ? QStringLiteral("zlib+") + type : type;
}

QByteArray envelope(QByteArrayView key, const MemcachedItem &item)
{
    QByteArray out;
    out.reserve(key.size() + item.data.size() + 40);
    out += "VALUE ";
    out += key;
    out += ' ' + QByteArray::number(item.flags) + ' ' + QByteArray::number(item.data.size()) + "\r\n";
    out += item.data;
    out += "\r\n";
    return out;
}

bool looksLikeEnvelope(QByteArrayView bytes)
{
    return bytes.startsWith("VALUE ") && bytes.indexOf('\n') > 6;
}

Expected<Envelope> parseEnvelope(QByteArrayView bytes)
{
    if (!bytes.startsWith("VALUE "))
        return makeError(QStringLiteral("memcached item: does not start with \"VALUE \""));
    const qsizetype eol = bytes.indexOf("\r\n");
    if (eol < 0 || eol > 1024)
        return makeError(QStringLiteral("memcached item: no \"\\r\\n\" ends the VALUE line"));
    auto header = memcachedreplies::parseValueLine(bytes.first(eol));
    if (!header)
        return makeError(QStringLiteral("memcached item: %1").arg(header.error()));
    const qint64 length = header->bytes;
    const qsizetype start = eol + 2;
    if (bytes.size() - start < length + 2)
        return makeError(QStringLiteral("memcached item: the VALUE line announces %1 bytes, %2 follow")
                             .arg(length).arg(std::max<qsizetype>(0, bytes.size() - start - 2)));
    if (bytes.size() - start > length + 2 || bytes.sliced(start + length) != QByteArrayView("\r\n"))
        return makeError(QStringLiteral("memcached item: %1 data bytes are not followed by exactly \"\\r\\n\"").arg(length));
    Envelope e;
    e.key = header->key;
    e.item.flags = header->flags;
    e.item.data = bytes.sliced(start, length).toByteArray();
    e.dataOffset = start;
    return e;
}

} // namespace cachescope::memcachedvalue
