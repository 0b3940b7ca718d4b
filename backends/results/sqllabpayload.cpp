#include "sqllabpayload.h"

#include "codec/arrowreader.h"
#include "codec/inflater.h"
#include "codec/jsonreader.h"
#include "codec/msgpackdecoder.h"
#include "codec/msgpackencoder.h"
#include "codec/pythonjson.h"

namespace cachescope {

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
    } else {
        // json.dumps as simplejson with ignore_nan writes it (NaN -> null).
        auto text = PythonJson::dumps(payload, PythonJson::NonFinite::Null);
        if (!text)
            return makeError(QStringLiteral("SQL Lab payload: %1").arg(text.error()));
        serialized = std::move(text).value();
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
