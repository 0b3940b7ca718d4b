#include "msgpackdecoder.h"

#include <msgpack.hpp>

#include <algorithm>
#include <limits>

namespace cachescope {

namespace {

// str/bin payloads point into the caller's buffer: convert() copies them once into PyValues.
bool referenceAll(msgpack::type::object_type, std::size_t, void *)
{
    return true;
}

constexpr uint32_t kAdoptBytes = 1 << 20;

// The bin that takes over the input buffer, if any: see decode(QByteArray &&).
thread_local const msgpack::object *t_adopted = nullptr;
thread_local QByteArray *t_adoptedBuffer = nullptr;

PyValue convert(const msgpack::object &o)
{
    switch (o.type) {
    case msgpack::type::NIL: return PyValue::none();
    case msgpack::type::BOOLEAN: return PyValue::boolean(o.via.boolean);
    case msgpack::type::POSITIVE_INTEGER:
        if (o.via.u64 > quint64(std::numeric_limits<qint64>::max()))
            return PyValue::bigIntegerFromDecimal(QByteArray::number(quint64(o.via.u64)));
        return PyValue::integer(qint64(o.via.u64));
    case msgpack::type::NEGATIVE_INTEGER: return PyValue::integer(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return PyValue::floating(o.via.f64);
    case msgpack::type::STR: return PyValue::str(QByteArray(o.via.str.ptr, qsizetype(o.via.str.size)));
    case msgpack::type::BIN:
        if (&o == t_adopted) {
            // remove(0, n) on an unshared Qt 6 array only moves its start, and the trailing
            // NUL it writes lands on the next value's header byte, which is already parsed:
            // every str/bin still referenced by the zone keeps pointing at live bytes.
            QByteArray &buf = *t_adoptedBuffer;
            buf.remove(0, qsizetype(o.via.bin.ptr - buf.constData()));
            buf.truncate(qsizetype(o.via.bin.size));
            t_adopted = nullptr;
            return PyValue::bytes(std::move(buf));
        }
        return PyValue::bytes(QByteArray(o.via.bin.ptr, qsizetype(o.via.bin.size)));
    case msgpack::type::ARRAY: {
        PyValue::Items items;
        items.reserve(o.via.array.size);
        for (uint32_t i = 0; i < o.via.array.size; ++i)
            items.push_back(convert(o.via.array.ptr[i]));
        return PyValue::list(std::move(items));
    }
    case msgpack::type::MAP: {
        PyValue::Pairs pairs;
        pairs.reserve(o.via.map.size);
        for (uint32_t i = 0; i < o.via.map.size; ++i)
            pairs.emplace_back(convert(o.via.map.ptr[i].key), convert(o.via.map.ptr[i].val));
        return PyValue::dict(std::move(pairs));
    }
    case msgpack::type::EXT: {
        PyValue::Object obj;
        obj.module = "msgpack";
        obj.name = "ExtType";
        obj.construction = PyValue::Object::Construction::Reduce;
        obj.args = std::make_shared<PyValue::Items>(PyValue::Items{
            PyValue::integer(o.via.ext.type()), PyValue::bytes(QByteArray(o.via.ext.data(), qsizetype(o.via.ext.size)))});
        return PyValue::object(std::move(obj));
    }
    }
    return PyValue::none();
}

} // namespace

Expected<MsgpackDecoder::Result> MsgpackDecoder::decode(QByteArrayView data) const
{
    return decodeImpl(data, nullptr);
}

Expected<MsgpackDecoder::Result> MsgpackDecoder::decode(QByteArray &&data) const
{
    QByteArray owned = std::move(data);
    return decodeTaking(owned);
}

Expected<MsgpackDecoder::Result> MsgpackDecoder::decodeTaking(QByteArray &buffer) const
{
    return decodeImpl(buffer, &buffer);
}

MsgpackDecoder::Scan MsgpackDecoder::scan(QByteArrayView data, const MsgpackLimits &limits)
{
    Scan s;
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    const qint64 n = data.size();
    qint64 pos = 0;
    struct Level
    {
        quint64 remaining; // elements still to come (a map's keys and values both count)
    };
    std::vector<Level> stack;
    bool firstKeySeen = false;
    auto be = [&](qint64 at, int width) {
        quint64 v = 0;
        for (int i = 0; i < width; ++i)
            v = (v << 8) | p[at + i];
        return v;
    };
    auto fail = [&](qint64 at, const QString &why) {
        s.errorOffset = at;
        s.error = QStringLiteral("msgpack: %1").arg(why);
        return s;
    };
    while (true) {
        const qint64 at = pos;
        if (pos >= n)
            return fail(at, stack.empty() ? QStringLiteral("empty input")
                                           : QStringLiteral("truncated at offset %1: %2 more element(s) of an open container expected")
                                                 .arg(at)
                                                 .arg(stack.back().remaining));
        const uchar b = p[pos++];
        if (stack.size() == 1 && !firstKeySeen) { // the top-level container's first element
            firstKeySeen = true;
            s.strKeyedMap = s.strKeyedMap && ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb));
        }
        // Header width and the payload or element count it declares.
        int width = 0;
        quint64 payload = 0;   // bytes after the header
        quint64 elements = 0;  // entries of a container
        bool container = false, isMap = false;
        const char *what = "value";
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        } else if (b <= 0x8f) {
            container = isMap = true;
            elements = b & 0x0f;
        } else if (b <= 0x9f) {
            container = true;
            elements = b & 0x0f;
        } else if (b <= 0xbf) {
            payload = b & 0x1f;
            what = "str";
        } else {
            switch (b) {
            case 0xc4: width = 1; what = "bin"; break;
            case 0xc5: width = 2; what = "bin"; break;
            case 0xc6: width = 4; what = "bin"; break;
            case 0xc7: width = 1; what = "ext"; break;
            case 0xc8: width = 2; what = "ext"; break;
            case 0xc9: width = 4; what = "ext"; break;
            case 0xca: payload = 4; break;
            case 0xcb: payload = 8; break;
            case 0xcc: case 0xd0: payload = 1; break;
            case 0xcd: case 0xd1: payload = 2; break;
            case 0xce: case 0xd2: payload = 4; break;
            case 0xcf: case 0xd3: payload = 8; break;
            case 0xd4: payload = 2; break;
            case 0xd5: payload = 3; break;
            case 0xd6: payload = 5; break;
            case 0xd7: payload = 9; break;
            case 0xd8: payload = 17; break;
            case 0xd9: width = 1; what = "str"; break;
            case 0xda: width = 2; what = "str"; break;
            case 0xdb: width = 4; what = "str"; break;
            case 0xdc: width = 2; container = true; break;
            case 0xdd: width = 4; container = true; break;
            case 0xde: width = 2; container = isMap = true; break;
            case 0xdf: width = 4; container = isMap = true; break;
            default: return fail(at, QStringLiteral("byte 0x%1 at offset %2 is not a msgpack type").arg(uint(b), 2, 16, QLatin1Char('0')).arg(at));
            }
            if (n - pos < width)
                return fail(at, QStringLiteral("truncated header at offset %1").arg(at));
            if (container)
                elements = be(pos, width);
            else if (width)
                payload = be(pos, width) + (b >= 0xc7 && b <= 0xc9 ? 1 : 0); // ext: the type byte
            pos += width;
        }
        const quint64 left = quint64(n - pos);
        if (container) {
            // Every element takes at least one byte, so an honest count never exceeds what follows.
            const quint64 need = elements * (isMap ? 2 : 1);
            const QString declared = QStringLiteral("%1 at offset %2 declares %3 %4")
                                         .arg(QLatin1String(isMap ? "map" : "array"), QString::number(at), QString::number(elements),
                                              QLatin1String(isMap ? "entries" : "elements"));
            if (need > left)
                return fail(at, QStringLiteral("%1, %2 byte(s) follow").arg(declared).arg(left));
            if (elements > quint64(limits.maxContainerItems))
                return fail(at, QStringLiteral("%1, over the limit of %2").arg(declared).arg(limits.maxContainerItems));
            if (elements > 0) {
                if (int(stack.size()) >= limits.maxDepth)
                    return fail(at, QStringLiteral("nested deeper than %1 at offset %2").arg(limits.maxDepth).arg(at));
                if (stack.empty())
                    s.strKeyedMap = isMap;
                stack.push_back({need});
                continue;
            }
        } else {
            const QString declared = QStringLiteral("%1 at offset %2 declares %3 bytes").arg(QLatin1String(what), QString::number(at), QString::number(payload));
            if (payload > left)
                return fail(at, QStringLiteral("%1, %2 byte(s) follow").arg(declared).arg(left));
            if (what[0] != 'v' && payload > quint64(limits.maxBytes))
                return fail(at, QStringLiteral("%1, over the limit of %2").arg(declared).arg(limits.maxBytes));
            pos += qint64(payload);
        }
        // One element complete: close every container it completes.
        while (!stack.empty()) {
            if (stack.size() == 1)
                ++s.topLevelElements;
            if (--stack.back().remaining > 0)
                break;
            stack.pop_back();
        }
        if (stack.empty()) {
            s.ok = true;
            s.end = pos;
            return s;
        }
    }
}

Expected<MsgpackDecoder::Result> MsgpackDecoder::decodeImpl(QByteArrayView data, QByteArray *owner) const
{
    if (data.isEmpty())
        return makeError(QStringLiteral("msgpack: empty input"));
    if (const Scan s = scan(data, m_limits); !s.ok)
        return makeError(s.error);
    // Every element costs at least one input byte (a map entry two), so no honest container is
    // longer than the input: capping the counts by it keeps preallocation proportional.
    const qint64 n = data.size();
    const auto cap = [](qint64 a, qint64 b) { return std::size_t(std::min<qint64>(std::min(a, b), 0xffffffffll)); };
    const msgpack::unpack_limit limit(cap(m_limits.maxContainerItems, n), cap(m_limits.maxContainerItems, n / 2 + 1),
                                      cap(m_limits.maxBytes, n), cap(m_limits.maxBytes, n), cap(m_limits.maxBytes, n),
                                      std::size_t(m_limits.maxDepth));
    std::size_t offset = 0;
    try {
        msgpack::object_handle handle =
            msgpack::unpack(data.data(), std::size_t(n), offset, referenceAll, nullptr, limit);
        Result result;
        t_adopted = nullptr;
        // Only a value that spans the whole buffer takes it: otherwise the caller still needs
        // the bytes (trailing data, or a chain that decides this was not msgpack after all).
        if (owner && offset == std::size_t(n)) {
            const msgpack::object &root = handle.get();
            // Superset's payload: a map whose "data" (or any value) is one big bin.
            if (root.type == msgpack::type::MAP) {
                for (uint32_t i = 0; i < root.via.map.size; ++i) {
                    const msgpack::object &val = root.via.map.ptr[i].val;
                    if (val.type == msgpack::type::BIN && val.via.bin.size >= kAdoptBytes
                        && (!t_adopted || val.via.bin.size > t_adopted->via.bin.size))
                        t_adopted = &val;
                }
            }
            t_adoptedBuffer = owner;
        }
        result.value = convert(handle.get());
        t_adopted = nullptr;
        result.consumed = qint64(offset);
        return result;
    } catch (const msgpack::insufficient_bytes &) {
        return makeError(QStringLiteral("msgpack: truncated input (%1 bytes)").arg(n));
    } catch (const msgpack::depth_size_overflow &) {
        return makeError(QStringLiteral("msgpack: nested deeper than %1").arg(m_limits.maxDepth));
    } catch (const msgpack::size_overflow &e) {
        return makeError(QStringLiteral("msgpack: %1 over the limit near offset %2").arg(QString::fromLatin1(e.what())).arg(offset));
    } catch (const msgpack::parse_error &e) {
        return makeError(QStringLiteral("msgpack: parse error near offset %1: %2").arg(offset).arg(QString::fromLatin1(e.what())));
    } catch (const std::bad_alloc &) {
        return makeError(QStringLiteral("msgpack: out of memory decoding %1 bytes").arg(n));
    } catch (const std::exception &e) {
        return makeError(QStringLiteral("msgpack: %1 near offset %2").arg(QString::fromLatin1(e.what())).arg(offset));
    }
}

bool MsgpackDecoder::looksLikeMsgpack(QByteArrayView data)
{
    if (data.size() < 2)
        return false;
    const uchar b = uchar(data[0]);
    const bool container = (b >= 0x80 && b <= 0x9f) || b == 0xdc || b == 0xdd || b == 0xde || b == 0xdf;
    if (!container)
        return false;
    MsgpackLimits limits;
    limits.maxDepth = 64;
    auto r = MsgpackDecoder(limits).decode(data);
    return r.hasValue() && r->consumed == data.size();
}

} // namespace cachescope
