#pragma once

#include "cache.h"
#include "cachespec.h"
#include "common/expected.h"

#include <QHash>
#include <QList>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace cachescope {

// Builds one cache per Superset purpose from its CacheSpec (as superset/utils/cache_manager.py
// does) and owns them. Caches are not assumed to be thread-safe: whoever uses a cache from more
// than one thread holds lockForUse() around each call. The GUI only reads counters, which are
// atomic, through cache(), which never waits for a cache operation.
class CacheManager
{
public:
    // One cache and its use lock, kept alive by whoever holds the handle: a background task
    // can outlive the manager (or a replacement of the cache) without dangling.
    struct Handle
    {
        CachePurpose purpose = CachePurpose::Cache;
        std::shared_ptr<Cache> cache;
        std::shared_ptr<std::mutex> useMutex;
        explicit operator bool() const { return cache != nullptr; }
        std::unique_lock<std::mutex> lock() const { return useMutex ? std::unique_lock(*useMutex) : std::unique_lock<std::mutex>(); }
    };

    CacheManager() = default;
    ~CacheManager();
    CacheManager(const CacheManager &) = delete;
    CacheManager &operator=(const CacheManager &) = delete;

    // ReadWrite for caches CacheScope owns (the embedded demo); ReadOnly for a user's config:
    // its caches refuse writes and opening them changes nothing on disk or on a server.
    enum class Access { ReadWrite, ReadOnly };

    // Builds every spec; fails on the first one that cannot be built, naming its purpose.
    static Expected<std::unique_ptr<CacheManager>> create(const QList<CacheSpec> &specs,
                                                          Access access = Access::ReadWrite);
    // One cache for one spec (NullCache, SimpleCache, FileSystemCache, RedisCache, the Memcached
    // family, SupersetMetastoreCache; the last connects to the metadata database at its first use).
    static Expected<std::unique_ptr<Cache>> buildCache(const CacheSpec &spec, Access access = Access::ReadWrite);
    Access access() const { return m_access; }

    // The JSON spec file (resources/demo/demo-config.json):
    //   {"CACHE_DEFAULT_TIMEOUT": 300,
    //    "caches": {"DATA_CACHE_CONFIG": {"CACHE_TYPE": "SimpleCache", "CACHE_KEY_PREFIX": "...",
    //               "CACHE_DEFAULT_TIMEOUT": 600, "CACHE_THRESHOLD": 400, "CACHE_DIR": "${TEMP}/x",
    //               "CACHE_REDIS_URL": "redis://...", "CACHE_REDIS_HOST"/"_PORT"/"_DB"/"_PASSWORD": ...}, ...}}
    // Other top-level members (e.g. "demo") are left to their readers. ${NAME} in strings is
    // replaced from variables; an unknown variable is an error, never left as literal text.
    static Expected<QList<CacheSpec>> specsFromJson(const QByteArray &json, const QHash<QString, QString> &variables = {});

    // Purposes in the order they were added (the order the overview shows).
    QList<CachePurpose> purposes() const;
    bool contains(CachePurpose purpose) const;
    // The spec the cache was built from; nullopt for an unknown purpose.
    std::optional<CacheSpec> spec(CachePurpose purpose) const;
    // The cache; null for an unknown purpose. Shared so a replaced cache stays alive for a
    // reader that still holds it.
    std::shared_ptr<Cache> cache(CachePurpose purpose) const;

    // Serialises use of one cache between threads; hold it around each call on the cache.
    std::unique_lock<std::mutex> lockForUse(CachePurpose purpose) const;
    // The cache with its use lock; empty for an unknown purpose.
    Handle handle(CachePurpose purpose) const;

    // Adds (or replaces) the cache for spec.purpose. A replacement starts with fresh counters
    // (e.g. a new threshold): the old cache's entries and counts are gone, as in a restart.
    Expected<bool> setCache(const CacheSpec &spec);
    // The same with a cache built elsewhere (a backend this manager cannot build, a test double).
    void adoptCache(const CacheSpec &spec, std::unique_ptr<Cache> cache);

    // Counts the live entries of one cache with a key scan, up to limit (then returns limit).
    // Blocking: call from a worker thread. stop, when set, ends early with an error.
    Expected<qint64> countEntries(CachePurpose purpose, qint64 limit = 1'000'000,
                                  const std::atomic_bool *stop = nullptr) const;
    // The same on a handle: needs no manager, so a background task may run it after the manager is gone.
    static Expected<qint64> countEntries(const Handle &handle, qint64 limit = 1'000'000,
                                         const std::atomic_bool *stop = nullptr);

private:
    static Expected<std::unique_ptr<Cache>> buildWritableCache(const CacheSpec &spec);
    struct Entry
    {
        CacheSpec spec;
        std::shared_ptr<Cache> cache;
        std::shared_ptr<std::mutex> useMutex = std::make_shared<std::mutex>();
    };
    // Guards m_entries and the shared pointers only; held for pointer copies, never for I/O.
    mutable std::mutex m_mapMutex;
    std::map<CachePurpose, Entry> m_entries;
    QList<CachePurpose> m_order;
    Access m_access = Access::ReadWrite;
};

} // namespace cachescope
