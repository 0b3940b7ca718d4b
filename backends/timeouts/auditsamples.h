#pragma once

#include "cache/cachemanager.h"
#include "common/expected.h"
#include "timeoutaudit.h"

#include <QList>

#include <atomic>

namespace cachescope {

class MetadataConnection;

// Where the entries of a chart-data cache are read besides the backend its spec names.
struct AuditSampleSources
{
    CacheManager::Handle inProcess;          // an in-process cache (the embedded demo's SimpleCache)
    MetadataConnection *metadata = nullptr;  // a SupersetMetastoreCache's key_value rows
    bool metastoreUtc = false;               // expires_on written in UTC (master), else server-local time
    const std::atomic_bool *stop = nullptr;  // when set, ends early with an error
};

// The entries of a chart-data cache (DATA_CACHE_CONFIG) an audit compares with the chain: up to
// `limit` live entries (-1: all) with their stored bytes and remaining TTL. Redis: SCAN prefix*
// then GET and PTTL pipelined per page. FileSystemCache: the directory's entry files; their names
// are hashes of the keys, so the key is known only where cache_keys names it. Metastore: key_value
// rows, tied to keys through the uuid3 of each cache_keys key. An in-process cache through its
// inspection API, under its use lock. Blocking: call it off the GUI thread (`cachescope audit`
// and the Timeouts page both read through here).
Expected<QList<AuditSample>> auditSamples(const CacheSpec &spec, const QList<CacheKeyRow> &cacheKeys, qint64 limit,
                                          const AuditSampleSources &sources = {});

} // namespace cachescope
