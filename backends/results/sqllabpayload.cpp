#include "sqllabpayload.h"

#include "codec/arrowreader.h"
#include "codec/decodejson.h"
#include "codec/inflater.h"
#include "codec/jsonreader.h"
#include "codec/msgpackdecoder.h"
#include "codec/msgpackencoder.h"

#include <cmath>
#include <cstdio>

namespace cachescope {

namespace {

// Python json.dumps text for plain values (", " and ": " separators, ensure_ascii, NaN -> null
// as simplejson's ignore_nan does).
bool pythonJson(const PyValue &v, QByteArray *out, int depth)
{
    if (depth > 512)
        return false;
    switch (v.kind()) {
    case PyValue::Kind::None: *out += "null"; return true;
    case PyValue::Kind::Bool: *out += v.toBool() ? "true" : "false"; return true;
    case PyValue::Kind::Int:
    case PyValue::Kind::BigInt: *out += v.bigIntDecimal(); return true;
    case PyValue::Kind::Float: {
        const double d = v.toFloat();
        if (std::isnan(d) || std::isinf(d)) {
            *out += "null";
            return true;
        }
        QByteArray j = DecodeJson::value(v);
        *out += j;
        return true;
    }
    case PyValue::Kind::Str: {
        const QString s = v.toQString();
        *out += '"';
        for (QChar c : s) {
            const char16_t u = c.unicode();
            if (u == u'"') *out += "\\\"";
            else if (u == u'\\') *out += "\\\\";
            else if (u == u'\n') *out += "\\n";
            else if (u == u'\r') *out += "\\r";
            else if (u == u'\t') *out += "\\t";
            else if (u == u'\b') *out += "\\b";
            else if (u == u'\f') *out += "\\f";
            else if (u < 0x20 || u > 0x7e) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(u));
                *out += buf;
            } else {
                *out += char(u);
            }
        }
        *out += '"';
        return true;
    }
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple: {
        *out += '[';
        bool first = true;
        for (const auto &x : v.items()) {
            if (!first)
                *out += ", ";
            first = false;
            if (!pythonJson(x, out, depth + 1))
                return false;
        }
        *out += ']';
        return true;
    }
    case PyValue::Kind::Dict: {
        *out += '{';
        bool first = true;
        for (const auto &[k, x] : v.pairs()) {
            if (k.kind() != PyValue::Kind::Str)
                return false;
            if (!first)
                *out += ", ";
            first = false;
            pythonJson(k, out, depth + 1);
            *out += ": ";
            if (!pythonJson(x, out, depth + 1))
                return false;
        }
        *out += '}';
        return true;
    }
    default:
        return false;
    }
}

} // namespace

PyValue SqlLabPayload::makePayload(qint64 queryId, const QByteArray &arrowStream, const PyValue &columns, const PyValue &query)
{
    return PyValue::dict({
        {PyValue::str(QByteArray("query_id")), PyValue::integer(queryId)},
        {PyValue::str(QByteArray("status")), PyValue::str(QByteArray("success"))},
        {PyValue::str(QByteArray("data")), PyValue::bytes(arrowStream)},
        {PyValue::str(QByteArray("columns")), columns},
        {PyValue::str(QByteArray("selected_columns")), columns},
        {PyValue::str(QByteArray("expanded_columns")), PyValue::list()},
        {PyValue::str(QByteArray("query")), query},
    });
}

Expected<QByteArray> SqlLabPayload::encode(const PyValue &payload, Format format, int zlibLevel)
{
    QByteArray serialized;
    if (format == Format::Msgpack) {
        auto packed = MsgpackEncoder::encode(payload);
        if (!packed)
            return makeError(QStringLiteral("SQL Lab payload: %1").arg(packed.error()));
        serialized = std::move(packed).value();
    } else if (!pythonJson(payload, &serialized, 0)) {
        return makeError(QStringLiteral("SQL Lab payload: value is not JSON serializable"));
    }
    return Inflater::compressZlib(serialized, zlibLevel);
}

Expected<SqlLabPayload::Decoded> SqlLabPayload::decode(const QByteArray &compressed, Format format, qint64 maxDecompressedBytes)
{
    auto inflated = Inflater(maxDecompressedBytes).inflate(compressed, Inflater::Format::Zlib);
    if (!inflated)
        return makeError(QStringLiteral("SQL Lab payload: %1").arg(inflated.error()));
    Decoded d;
    if (format == Format::Json) {
        auto v = JsonReader().parse(inflated->data);
        if (!v)
            return makeError(QStringLiteral("SQL Lab payload: %1").arg(v.error()));
        d.payload = std::move(v).value();
        return d;
    }
    auto v = MsgpackDecoder().decode(std::move(inflated->data));
    if (!v)
        return makeError(QStringLiteral("SQL Lab payload: %1").arg(v.error()));
    d.payload = v->value;
    const PyValue *data = d.payload.get("data");
    if (data && (data->kind() == PyValue::Kind::Bytes || data->kind() == PyValue::Kind::ByteArray)) {
        ArrowReadLimits limits;
        limits.maxDecompressedBytes = maxDecompressedBytes;
        auto table = ArrowReader(limits).read(data->bytesData());
        if (!table)
            return makeError(QStringLiteral("SQL Lab payload \"data\": %1").arg(table.error()));
        d.table = std::make_shared<const ArrowTable>(std::move(table).value());
    }
    return d;
}

} // namespace cachescope
