#pragma once

#include "cache.h"
#include "cachespec.h"
#include "memcached/memcachedclient.h"

#include <QMutex>

namespace cachescope {

// cachelib 0.9.0's MemcachedCache and Flask-Caching 2.0.2's MemcachedCache, SASLMemcachedCache
// and SpreadSASLMemcachedCache, byte for byte on the servers:
// - key = prefix + key; a key failing cachelib's _test_memcached_key (1 to 250 code points, none
//   of U+0000..U+0021 or U+00FF) reads as missing, deletes nothing, and is refused with an error
//   on writes (the clients raise or corrupt their connection on such keys); more than 250 UTF-8
//   bytes is an error everywhere, as pylibmc raises ValueError.
// - timeouts: None -> the default, 0 never expires, t > 0 is sent as the absolute time
//   int(time()) + t (cachelib's _normalize_timeout), as memcached reads any exptime > 30 days.
// - values in the client's own encoding (memcachedvalue.h): pylibmc's by default, as cachelib
//   picks pylibmc first; python-memcache's on request.
// - keys over several servers as the client spreads them (memcacheddistribution.h).
// - Flask-Caching's inc/dec are memcached incr/decr (a missing key gives None; decr stops at 0);
//   cachelib's are get + set. SpreadSASLMemcachedCache pickles set() values with protocol 2 into
//   chunks "<key>.0".."<key>.31" of 1048448 bytes (set_many of bytes), get() joins them and
//   delete() removes them; every other call works on the unchunked key, as in Flask-Caching.
// Deliberate differences, all on the safe side:
// - clear() deletes only the keys inside the prefix (listed with lru_crawler metadump) and
//   refuses without a prefix; cachelib sends flush_all, which empties the whole server.
// - has() reads (`mg`, or a get over SASL); cachelib appends "" to the key, which is a write.
// - delete_many reports the keys that existed (cachelib 0.9.0 double-prefixes its check; Flask-
//   Caching returns the client's single bool). cachelib's inc/dec re-prefix the key they set
//   (0.9.0 bug: the value lands under prefix+prefix+key); here they set the key they read.
// - Spread set() reports whether every chunk was stored (Flask-Caching returns None); Spread
//   has() looks at "<key>.0" (Flask-Caching's looks at the unchunked key, never there).
// - A pickle that does not load is an error, not a silent None.
// Thread-safe: one client guarded by a mutex (never used on the GUI thread).
class MemcachedCache : public Cache
{
public:
    enum class Variant { Cachelib, FlaskCaching, FlaskCachingSasl, FlaskCachingSpread };
    struct Options
    {
        MemcachedClient::Options client;
        Variant variant = Variant::FlaskCaching;
    };

    MemcachedCache(Options options, QByteArray keyPrefix = {}, qint64 defaultTimeout = 300);
    ~MemcachedCache() override;

    // A config's cache as Flask-Caching (CACHE_TYPE) or cachelib (RESULTS_BACKEND object) builds
    // it: servers (None -> 127.0.0.1:11211), variant, SASL credentials. Refuses a server list a
    // Python client would not accept, and several servers with pylibmc behaviors that change how
    // keys are spread (the mapping would not be exact).
    static Expected<Options> optionsFromSpec(const CacheSpec &spec);
    static QString variantName(Variant variant); // "MemcachedCache", "SASLMemcachedCache", ...

    QString backendName() const override { return variantName(m_options.variant); }
    QString location() const override;
    QByteArray keyPrefix() const override { return m_prefix; }
    const Options &options() const { return m_options; }

    // Why memcached keys are refused, or an empty string: cachelib's regex on the prefixed key,
    // then the 250-byte limit of memcached. `refusedByCachelib` tells the two apart.
    static QString keyProblem(QByteArrayView storedKey, bool *refusedByCachelib = nullptr);
    // cachelib's MemcachedCache._normalize_timeout: the exptime sent for a normalized timeout.
    static qint64 exptimeFor(qint64 seconds, qint64 nowSeconds);

    // Spread: chunk size and count of Flask-Caching 2.0.2.
    static constexpr qsizetype kSpreadChunkBytes = 1048448;
    static constexpr int kSpreadMaxChunks = 32;

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override;
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doRemove(const QByteArray &key) override;
    Expected<QList<QByteArray>> doRemoveMany(const QList<QByteArray> &keys) override;
    Expected<bool> doHas(const QByteArray &key) override;
    Expected<bool> doClear() override;
    Expected<QList<std::optional<PyValue>>> doGetMany(const QList<QByteArray> &keys) override;
    Expected<QList<QByteArray>> doSetMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout) override;
    Expected<std::optional<qint64>> doInc(const QByteArray &key, qint64 delta) override;
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) override;
    Expected<EntryTtl> doTtl(const QByteArray &key) override;
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) override;
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) override;

private:
    Error error(const char *operation, const QByteArray &key, const QString &why) const;
    qint64 exptime(Timeout timeout) const;
    // Reads one stored key (no prefix added) and decodes it.
    Expected<std::optional<PyValue>> getStored(const QByteArray &storedKey, const QByteArray &key);
    Expected<QList<std::optional<MemcachedItem>>> getItems(const QList<QByteArray> &storedKeys);
    Expected<QList<MemcachedLink::StoreResult>> storeItems(const QList<MemcachedLink::Store> &stores);
    Expected<bool> store(MemcachedLink::StoreCommand command, const QByteArray &key, const PyValue &value,
                         Timeout timeout, const char *operation);
    QList<QByteArray> spreadKeys(const QByteArray &key) const;
    Expected<std::optional<QByteArray>> spreadJoined(const QByteArray &key);
    void countIn(const QList<std::optional<MemcachedItem>> &items);

    Options m_options;
    QByteArray m_prefix;
    QMutex m_mutex;
    MemcachedClient m_client;
};

} // namespace cachescope
