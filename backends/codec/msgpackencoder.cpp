#include "msgpackencoder.h"

#include "recognisers.h"

#include <QtEndian>

#include <msgpack.hpp>

#include <cstring>

namespace cachescope {

namespace {

// msgpack-cxx's pack_double writes integral doubles as ints (2.0 -> 0x02); Python always writes
// float64 (0xcb), and a float must stay a float.
void packFloat64(msgpack::sbuffer &buffer, double d)
{
    quint64 bits;
    std::memcpy(&bits, &d, 8);
    char b[9];
    b[0] = char(0xcb);
    qToBigEndian(bits, b + 1);
    buffer.write(b, 9);
}

bool pack(msgpack::sbuffer &buffer, msgpack::packer<msgpack::sbuffer> &pk, const PyValue &v, int depth, QString *error)
{
    if (depth > 512) {
        *error = QStringLiteral("msgpack encode: nested deeper than 512");
        return false;
    }
    switch (v.kind()) {
    case PyValue::Kind::None: pk.pack_nil(); return true;
    case PyValue::Kind::Bool: v.toBool() ? pk.pack_true() : pk.pack_false(); return true;
    case PyValue::Kind::Int: pk.pack_int64(v.toInt()); return true;
    case PyValue::Kind::BigInt: {
        bool ok = false;
        const quint64 u = v.bigIntDecimal().toULongLong(&ok);
        if (!ok) {
            *error = QStringLiteral("msgpack encode: integer %1 out of range").arg(QString::fromLatin1(v.bigIntDecimal()));
            return false;
        }
        pk.pack_uint64(u);
        return true;
    }
    case PyValue::Kind::Float: packFloat64(buffer, v.toFloat()); return true;
    case PyValue::Kind::Str:
        pk.pack_str(uint32_t(v.bytesData().size()));
        pk.pack_str_body(v.bytesData().constData(), uint32_t(v.bytesData().size()));
        return true;
    case PyValue::Kind::Bytes:
    case PyValue::Kind::ByteArray:
        pk.pack_bin(uint32_t(v.bytesData().size()));
        pk.pack_bin_body(v.bytesData().constData(), uint32_t(v.bytesData().size()));
        return true;
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple:
    case PyValue::Kind::Set: // json_iso_dttm_ser turns sets into lists
    case PyValue::Kind::FrozenSet:
        pk.pack_array(uint32_t(v.items().size()));
        for (const auto &x : v.items()) {
            if (!pack(buffer, pk, x, depth + 1, error))
                return false;
        }
        return true;
    case PyValue::Kind::Dict:
        pk.pack_map(uint32_t(v.pairs().size()));
        for (const auto &[k, x] : v.pairs()) {
            if (!pack(buffer, pk, k, depth + 1, error) || !pack(buffer, pk, x, depth + 1, error))
                return false;
        }
        return true;
    case PyValue::Kind::Object: {
        // An ExtType the decoder read (msgpack timestamps among them) is written back as the same
        // ext, not as what a recogniser renders it as: its bytes read back to the same value.
        const PyValue::Object &o = v.object();
        if (o.module == "msgpack" && o.name == "ExtType" && o.args && o.args->size() == 2
            && o.args->at(0).kind() == PyValue::Kind::Int && o.args->at(1).kind() == PyValue::Kind::Bytes
            && o.args->at(0).toInt() >= -128 && o.args->at(0).toInt() <= 127) {
            const QByteArray &data = o.args->at(1).bytesData();
            pk.pack_ext(size_t(data.size()), int8_t(o.args->at(0).toInt()));
            pk.pack_ext_body(data.constData(), uint32_t(data.size()));
            return true;
        }
    }
        if (auto c = Recognisers::scalar(v)) {
            switch (c->tag) {
            case Cell::Tag::Value: return pack(buffer, pk, c->value, depth + 1, error);
            case Cell::Tag::Decimal: packFloat64(buffer, c->text.toDouble()); return true;
            case Cell::Tag::TimeDelta: packFloat64(buffer, c->seconds); return true;
            default: {
                const QByteArray t = c->text.toUtf8();
                pk.pack_str(uint32_t(t.size()));
                pk.pack_str_body(t.constData(), uint32_t(t.size()));
                return true;
            }
            }
        }
        if (auto m = Recognisers::mapping(v))
            return pack(buffer, pk, *m, depth + 1, error);
        *error = QStringLiteral("msgpack encode: object of type %1 is not serializable").arg(QString::fromLatin1(v.object().qualifiedName()));
        return false;
    }
    return false;
}

} // namespace

Expected<QByteArray> MsgpackEncoder::encode(const PyValue &value)
{
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    QString error;
    if (!pack(buffer, pk, value, 0, &error))
        return makeError(error);
    return QByteArray(buffer.data(), qsizetype(buffer.size()));
}

} // namespace cachescope
