#pragma once

#include "cache/cachemanager.h"
#include "common/expected.h"
#include "timeoutaudit.h"

#include <QList>

#include <atomic>

namespace cachescope {

// The entries of a chart-data cache (DATA_CACHE_CONFIG) an audit compares with the chain: up to
// `limit` live entries with their stored bytes and remaining TTL. Redis: SCAN prefix* then GET
// and PTTL pipelined per page. FileSystemCache: the directory's entry files; their names are
// hashes of the keys, so the key is known only where cache_keys names it. An in-process cache
// (the embedded demo's SimpleCache) through its inspection API, under its use lock. Blocking:
// call it off the GUI thread. `stop`, when set, ends early with an error.
Expected<QList<AuditSample>> auditSamples(const CacheSpec &spec, const QList<CacheKeyRow> &cacheKeys, qint64 limit,
                                          const CacheManager::Handle &inProcess = {},
                                          const std::atomic_bool *stop = nullptr);

} // namespace cachescope
