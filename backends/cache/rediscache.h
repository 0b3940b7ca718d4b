#pragma once

#include "cache.h"
#include "redis/redisclient.h"
#include "redis/redisurl.h"

#include <QMutex>

namespace cachescope {

// cachelib 0.9.0's RedisCache, byte for byte on the wire: key = prefix + key, values "!" +
// pickle protocol 5, SETEX/SET/SETNX+EXPIRE/MGET/pipelined set_many/DEL/EXISTS/INCRBY.
// Deliberate differences, all on the safe side: delete_many reports the keys that existed
// (0.9.0 double-prefixes its EXISTS check), clear() walks SCAN MATCH <prefix>* and DELs in
// batches instead of KEYS, and refuses with an empty prefix instead of FLUSHDB; a "!" value
// that is not a valid pickle is an error instead of a silent None.
// A Sentinel-managed url (RedisSentinelCache) reads as Flask-Caching 2.0.2 does: get, get_many
// and has through a replica (slave_for), everything else through the master (master_for); the
// inspection calls (rawGet, ttl, entrySize, scan) see the master.
// A cluster url (RedisClusterCache, Flask-Caching 2.0.2: the same keys and values, no hash tag,
// so a cache's keys spread over every master) goes through RedisClient's routing: each key to
// its master, get_many/delete_many split by slot (Flask-Caching's MGET refuses keys of several
// slots), scan and clear walking every master.
// Thread-safe: blocking connections guarded by a mutex (never use it on the GUI thread).
class RedisCache : public Cache
{
public:
    explicit RedisCache(RedisUrl url, QByteArray keyPrefix = {}, qint64 defaultTimeout = 300);
    ~RedisCache() override;

    QString backendName() const override
    {
        return m_url.sentinel ? QStringLiteral("RedisSentinelCache")
             : m_url.isCluster() ? QStringLiteral("RedisClusterCache")
                                 : QStringLiteral("RedisCache");
    }
    QString location() const override { return m_url.redacted(); }
    QByteArray keyPrefix() const override { return m_prefix; }

    // The cachelib RedisSerializer: "!" + pickle; and its loads(): "!" -> unpickle, an ASCII
    // integer -> int, anything else -> the raw bytes.
    static Expected<QByteArray> dumps(const PyValue &value);
    static Expected<PyValue> loads(const QByteArray &stored);
    // Backslash-escapes the glob metacharacters * ? [ ] \ so a prefix matches only itself.
    static QByteArray escapeGlob(const QByteArray &text);

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
    // What a call is doing, turned into text only when it fails ("get(\"k\")", "set_many(100 keys)").
    struct Op
    {
        const char *name;
        QByteArrayView key = {};
        qsizetype count = -1;
        bool read = false; // a cachelib _read_client call (a replica under Sentinel)
        QString toString() const;
    };
    // One command / one pipeline under the mutex, with byte counters; a Redis error reply
    // becomes an Error naming the operation, the key and the server.
    Expected<RedisReply> run(const QList<QByteArray> &args, const Op &op);
    Expected<std::vector<RedisReply>> runPipeline(const QList<QList<QByteArray>> &commands, const Op &op);
    // Pre-encoded RESP pipeline of `count` idempotent commands; `argBytes` for the byte counter.
    Expected<std::vector<RedisReply>> runEncoded(const QByteArray &request, qsizetype count, quint64 argBytes, const Op &op);
    Expected<std::optional<PyValue>> decode(const RedisReply &reply, const QByteArray &key) const;
    RedisClient &clientFor(const Op &op) { return op.read && m_readClient ? *m_readClient : m_client; }

    RedisUrl m_url;
    QByteArray m_prefix;
    QMutex m_mutex;
    RedisClient m_client;
    std::unique_ptr<RedisClient> m_readClient; // Sentinel only: the replica connection
};

} // namespace cachescope
