#pragma once

#include "cachecounters.h"
#include "cacheobserver.h"
#include "common/expected.h"
#include "codec/pyvalue.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <atomic>
#include <optional>
#include <utility>

namespace cachescope {

// cachelib timeout semantics: nullopt = the cache's default timeout, 0 = never expires,
// positive = seconds from now.
using Timeout = std::optional<qint64>;

// Remaining lifetime of an entry as a monitor sees it.
struct EntryTtl
{
    enum class State { Missing, Never, Expires } state = State::Missing;
    qint64 seconds = 0; // when Expires
};

// One page of a key scan; cursor "0" (or empty) means the scan is complete.
struct ScanPage
{
    QByteArray nextCursor;
    QList<QByteArray> keys; // keys as the application names them (prefix stripped)
};

// The cachelib BaseCache interface (get/set/add/delete/...) plus what a monitor needs.
// Public calls are counted (hits, misses, sets, deletes, errors, latency) here, once, and
// forwarded to the backend's do* implementation. Keys are the application's keys (UTF-8),
// without the backend key prefix; values are Python values. Failures come back as Error with
// a message naming the key and the reason instead of being swallowed.
class Cache
{
public:
    explicit Cache(qint64 defaultTimeout = 300) : m_defaultTimeout(defaultTimeout) {}
    virtual ~Cache() = default;
    Cache(const Cache &) = delete;
    Cache &operator=(const Cache &) = delete;

    // "NullCache", "SimpleCache", "FileSystemCache", "RedisCache", ...
    virtual QString backendName() const = 0;
    // Human-readable location: "redis://127.0.0.1:6379/0", "/var/cache/superset", "in-process".
    virtual QString location() const = 0;
    virtual QByteArray keyPrefix() const { return {}; }
    qint64 defaultTimeout() const { return m_defaultTimeout; }

    Expected<std::optional<PyValue>> get(const QByteArray &key);
    Expected<bool> set(const QByteArray &key, const PyValue &value, Timeout timeout = {});
    Expected<bool> add(const QByteArray &key, const PyValue &value, Timeout timeout = {});
    Expected<bool> remove(const QByteArray &key); // cachelib's delete()
    Expected<QList<QByteArray>> removeMany(const QList<QByteArray> &keys); // keys that were deleted
    Expected<bool> has(const QByteArray &key);
    Expected<bool> clear();
    Expected<QList<std::optional<PyValue>>> getMany(const QList<QByteArray> &keys);
    Expected<QList<QByteArray>> setMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout = {});
    Expected<std::optional<qint64>> inc(const QByteArray &key, qint64 delta = 1);
    Expected<std::optional<qint64>> dec(const QByteArray &key, qint64 delta = 1) { return inc(key, -delta); }

    // Inspection for monitors: the stored bytes exactly as the backend holds them (Redis value,
    // FileSystem file including its header), the remaining TTL, the stored size and a key scan.
    Expected<std::optional<QByteArray>> rawGet(const QByteArray &key);
    Expected<EntryTtl> ttl(const QByteArray &key);
    Expected<std::optional<qint64>> entrySize(const QByteArray &key);
    Expected<ScanPage> scan(const QByteArray &cursor, const QByteArray &glob = "*", int count = 1000);

    const CacheCounters &counters() const { return m_counters; }

    // Every completed application call is also shown to this observer (null: none, the default;
    // it costs one atomic load per call). The observer must outlive its registration.
    void setObserver(CacheObserver *observer, int tag = 0)
    {
        m_observerTag.store(tag, std::memory_order_relaxed);
        m_observer.store(observer, std::memory_order_release);
    }
    CacheObserver *observer() const { return m_observer.load(std::memory_order_acquire); }
    int observerTag() const { return m_observerTag.load(std::memory_order_relaxed); }

    // Safe by default for live connections: a read-only cache refuses set/add/delete/clear/
    // set_many/inc with an error and touches nothing. Caches CacheScope owns (the demo, the CLI's
    // write commands) are writable; caches opened from a user's config start read-only.
    void setWritable(bool writable) { m_writable.store(writable, std::memory_order_relaxed); }
    bool isWritable() const { return m_writable.load(std::memory_order_relaxed); }

protected:
    // Converts a cachelib timeout to seconds: default applied, 0 kept as "never".
    qint64 normalizeTimeout(Timeout timeout) const { return timeout.value_or(m_defaultTimeout); }
    CacheCounters &mutableCounters() { return m_counters; }

    virtual Expected<std::optional<PyValue>> doGet(const QByteArray &key) = 0;
    virtual Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) = 0;
    virtual Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) = 0;
    virtual Expected<bool> doRemove(const QByteArray &key) = 0;
    virtual Expected<QList<QByteArray>> doRemoveMany(const QList<QByteArray> &keys);
    virtual Expected<bool> doHas(const QByteArray &key) = 0;
    virtual Expected<bool> doClear() = 0;
    virtual Expected<QList<std::optional<PyValue>>> doGetMany(const QList<QByteArray> &keys);
    virtual Expected<QList<QByteArray>> doSetMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout);
    virtual Expected<std::optional<qint64>> doInc(const QByteArray &key, qint64 delta);
    virtual Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) = 0;
    virtual Expected<EntryTtl> doTtl(const QByteArray &key) = 0;
    virtual Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) = 0;
    virtual Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) = 0;

private:
    Error readOnlyError(const char *operation) const;
    void notify(CacheObserver::Call call, const QByteArray &key, const PyValue *value, qint64 timeoutSeconds = 0) const
    {
        if (CacheObserver *o = m_observer.load(std::memory_order_acquire))
            o->observe(m_observerTag.load(std::memory_order_relaxed), call, key, value, timeoutSeconds);
    }

    qint64 m_defaultTimeout;
    CacheCounters m_counters;
    std::atomic<bool> m_writable{true};
    std::atomic<CacheObserver *> m_observer{nullptr};
    std::atomic<int> m_observerTag{0};
};

} // namespace cachescope
