#include "resultsbackend.h"

namespace cachescope {

Expected<bool> ResultsBackend::store(const QByteArray &resultsKey, const PyValue &payload, Timeout timeout)
{
    if (!m_cache)
        return makeError(notConfiguredMessage());
    auto compressed = SqlLabPayload::encode(payload, m_format);
    if (!compressed)
        return Error{compressed.error()};
    return m_cache->set(resultsKey, PyValue::bytes(std::move(compressed).value()), timeout);
}

Expected<std::optional<SqlLabPayload::Decoded>> ResultsBackend::load(const QByteArray &resultsKey)
{
    if (!m_cache)
        return makeError(notConfiguredMessage());
    auto value = m_cache->get(resultsKey);
    if (!value)
        return Error{value.error()};
    if (!value->has_value())
        return std::optional<SqlLabPayload::Decoded>{};
    const PyValue &v = **value;
    if (v.kind() != PyValue::Kind::Bytes && v.kind() != PyValue::Kind::ByteArray)
        return makeError(QStringLiteral("results key %1 holds a %2, not the compressed payload bytes")
                             .arg(QString::fromUtf8(resultsKey), QLatin1String(PyValue::kindName(v.kind()))));
    auto decoded = SqlLabPayload::decode(v.bytesData(), m_format);
    if (!decoded)
        return Error{decoded.error()};
    return std::optional<SqlLabPayload::Decoded>(std::move(decoded).value());
}

} // namespace cachescope
