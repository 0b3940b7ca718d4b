#pragma once

#include "results/sqllabpayload.h"

#include "cache/cache.h"

namespace cachescope {

// Superset's RESULTS_BACKEND seen from CacheScope: stores and loads SQL Lab payloads in a cache
// (any Cache: Redis, FileSystem, ...) exactly as superset/sql_lab.py does — the cache value is
// the bytes object zlib(msgpack|json), which the backend pickles like any other value.
class ResultsBackend
{
public:
    ResultsBackend(Cache *cache, SqlLabPayload::Format format = SqlLabPayload::Format::Msgpack)
        : m_cache(cache), m_format(format)
    {
    }

    // Superset's message when RESULTS_BACKEND is None.
    static QString notConfiguredMessage() { return QStringLiteral("Results backend is not configured."); }

    Expected<bool> store(const QByteArray &resultsKey, const PyValue &payload, Timeout timeout = {});
    // nullopt: no such key (expired or never stored), as Superset's "Data could not be retrieved".
    Expected<std::optional<SqlLabPayload::Decoded>> load(const QByteArray &resultsKey);

private:
    Cache *m_cache;
    SqlLabPayload::Format m_format;
};

} // namespace cachescope
