#pragma once

#include "cache/cachespec.h"

#include <QString>

#include <optional>

namespace cachescope {

// What a cache backend makes of the timeout handed to cache.set(key, value, timeout).
enum class StoredExpiry {
    Seconds,        // expires after the given seconds
    Never,          // stored without an expiry
    ExpiredAtOnce,  // stored, but already expired: every read misses (the file/row stays until pruned)
    Rejected,       // the backend refuses the write (Superset logs "Could not cache key")
    NotStored,      // NullCache: nothing is kept
    Unknown,        // a backend CacheScope has not read
};

struct BackendExpiry
{
    StoredExpiry kind = StoredExpiry::Unknown;
    qint64 seconds = 0;        // kind == Seconds
    const char *citation = ""; // where that behaviour is in cachelib / Superset
    // What was asked, so the sentence can be written when someone reads it (a view of 100,000
    // charts resolves every row but shows a few).
    BackendType backend = BackendType::Unknown;
    std::optional<qint64> timeout;
    qint64 backendDefault = 0;

    QString explanation() const; // one line: what happens and why
};

// `timeout` is what Superset hands to cache.set(); nullopt = None, which every backend replaces
// with its own default_timeout (`backendDefault`, from the purpose's CACHE_DEFAULT_TIMEOUT).
BackendExpiry expiryOnBackend(BackendType backend, std::optional<qint64> timeout, qint64 backendDefault);

// A sentence for the Timeouts page and `timeouts` CLI: what None, 0 and -1 mean on this backend.
QString noneZeroMinusOneMeaning(BackendType backend, qint64 backendDefault);

} // namespace cachescope
