#include "memcachedcache.h"

#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "memcached/memcachedkeylister.h"
#include "globmatch.h"
#include "pythonincrement.h"

#include <QDateTime>
#include <QMutexLocker>

namespace cachescope {

namespace {

constexpr qsizetype kMaxKeyBytes = 250; // memcached's KEY_MAX_LENGTH
constexpr int kClearBatch = 500;

QString keyText(QByteArrayView key)
{
    return QString::fromUtf8(key.first(std::min<qsizetype>(key.size(), 200)));
}

quint64 itemBytes(const QList<std::optional<MemcachedItem>> &items)
{
    quint64 n = 0;
    for (const auto &i : items)
        if (i)
            n += quint64(i->data.size());
    return n;
}

// pylibmc behaviors that change which server a key goes to (lericson/pylibmc › src/pylibmc/consts.py).
bool changesDistribution(const QString &behavior)
{
    const QString name = behavior.section(QLatin1Char('='), 0, 0).trimmed();
    const QString value = behavior.section(QLatin1Char('='), 1).trimmed().toLower();
    const bool off = value.isEmpty() || value == u"0" || value == u"false" || value == u"none";
    if (name == u"hash")
        return value != u"default" && value != u"'default'" && value != u"\"default\"";
    if (name == u"distribution")
        return value != u"modula" && value != u"'modula'" && value != u"\"modula\"";
    if (name == u"ketama" || name == u"ketama_weighted" || name == u"ketama_hash" || name == u"_hash_with_prefix_key"
        || name == u"num_replicas" || name == u"_sort_hosts" || name == u"remove_failed" || name == u"auto_eject")
        return !off;
    return false;
}

} // namespace

MemcachedCache::MemcachedCache(Options options, QByteArray keyPrefix, qint64 defaultTimeout)
    : Cache(defaultTimeout), m_options(options), m_prefix(std::move(keyPrefix)), m_client(std::move(options.client))
{
}

MemcachedCache::~MemcachedCache() = default;

QString MemcachedCache::variantName(Variant variant)
{
    switch (variant) {
    case Variant::Cachelib:
    case Variant::FlaskCaching: return QStringLiteral("MemcachedCache");
    case Variant::FlaskCachingSasl: return QStringLiteral("SASLMemcachedCache");
    case Variant::FlaskCachingSpread: return QStringLiteral("SpreadSASLMemcachedCache");
    }
    return {};
}

QString MemcachedCache::location() const
{
    return QStringLiteral("memcached://") + m_client.description();
}

Expected<MemcachedCache::Options> MemcachedCache::optionsFromSpec(const CacheSpec &spec)
{
    const QString purpose = purposeConfigName(spec.purpose);
    if (!spec.memcachedServersError.isEmpty())
        return makeError(QStringLiteral("%1: %2").arg(purpose, spec.memcachedServersError));
    Options o;
    const QString spelling = spec.backendSpelling.toLower();
    const QString last = spelling.section(QLatin1Char('.'), -1);
    if (last.contains(u"spread"))
        o.variant = Variant::FlaskCachingSpread;
    else if (last.contains(u"sasl"))
        o.variant = Variant::FlaskCachingSasl;
    else if (spec.purpose == CachePurpose::Results && !spelling.contains(u"flask_caching"))
        o.variant = Variant::Cachelib; // RESULTS_BACKEND is a cachelib object, not a Flask-Caching config
    else
        o.variant = Variant::FlaskCaching;
    if (o.variant == Variant::Cachelib && last.contains(u"memcache") && last != u"memcachedcache")
        return makeError(QStringLiteral("%1: cachelib has no %2").arg(purpose, spec.backendSpelling));
    if (spec.memcachedServers.isEmpty()) {
        o.client.servers.append(MemcachedEndpoint{}); // cachelib: servers=None -> ["127.0.0.1:11211"]
    } else {
        for (const auto &[address, weight] : spec.memcachedServers) {
            auto endpoint = MemcachedEndpoint::parse(address, weight);
            if (!endpoint)
                return makeError(QStringLiteral("%1: %2").arg(purpose, endpoint.error()));
            o.client.servers.append(*endpoint);
        }
    }
    if (o.client.servers.size() > 1) {
        for (const QString &behavior : spec.memcachedBehaviors)
            if (changesDistribution(behavior))
                return makeError(QStringLiteral("%1: the pylibmc behavior %2 changes how keys are spread over the %3 "
                                                "servers, and CacheScope reproduces only pylibmc's default spreading "
                                                "(one-at-a-time hash, modula); it would look for keys on the wrong "
                                                "servers, so it refuses this cache")
                                     .arg(purpose, behavior)
                                     .arg(o.client.servers.size()));
    }
    if (o.variant == Variant::FlaskCachingSasl || o.variant == Variant::FlaskCachingSpread) {
        o.client.credentials.username = spec.username;
        o.client.credentials.password = spec.password;
    }
    return o;
}

QString MemcachedCache::keyProblem(QByteArrayView storedKey, bool *refusedByCachelib)
{
    if (refusedByCachelib)
        *refusedByCachelib = true;
    if (storedKey.isEmpty())
        return QStringLiteral("the key is empty");
    if (!storedKey.isValidUtf8()) {
        if (refusedByCachelib)
            *refusedByCachelib = false;
        return QStringLiteral("the key is not valid UTF-8");
    }
    // cachelib › memcached.py › _test_memcached_key = re.compile(r"[^\x00-\x21\xff]{1,250}$").match
    const QList<uint> codePoints = QString::fromUtf8(storedKey).toUcs4();
    for (const uint c : codePoints) {
        if (c <= 0x21)
            return c == 0x20 ? QStringLiteral("the key contains a space")
                             : QStringLiteral("the key contains the character U+%1, which cachelib refuses in memcached "
                                              "keys (control characters, space and '!')")
                                   .arg(c, 4, 16, QLatin1Char('0'));
        if (c == 0xff)
            return QStringLiteral("the key contains U+00FF, which cachelib refuses in memcached keys");
    }
    if (codePoints.size() > kMaxKeyBytes)
        return QStringLiteral("the key has %1 characters; cachelib allows 250").arg(codePoints.size());
    if (refusedByCachelib)
        *refusedByCachelib = false;
    if (storedKey.size() > kMaxKeyBytes)
        return QStringLiteral("the key is %1 bytes in UTF-8; memcached allows 250").arg(storedKey.size());
    return {};
}

qint64 MemcachedCache::exptimeFor(qint64 seconds, qint64 nowSeconds)
{
    // cachelib › memcached.py › MemcachedCache._normalize_timeout (@0.9.0)
    return seconds > 0 ? nowSeconds + seconds : seconds;
}

qint64 MemcachedCache::exptime(Timeout timeout) const
{
    return exptimeFor(normalizeTimeout(timeout), QDateTime::currentSecsSinceEpoch());
}

Error MemcachedCache::error(const char *operation, const QByteArray &key, const QString &why) const
{
    const QString op = key.isNull() ? QStringLiteral("%1()").arg(QLatin1String(operation))
                                    : QStringLiteral("%1(\"%2\")").arg(QLatin1String(operation), keyText(key));
    return makeError(QStringLiteral("%1 %2: %3").arg(backendName(), op, why));
}

void MemcachedCache::countIn(const QList<std::optional<MemcachedItem>> &items)
{
    mutableCounters().addBytesIn(itemBytes(items));
}

Expected<QList<std::optional<MemcachedItem>>> MemcachedCache::getItems(const QList<QByteArray> &storedKeys)
{
    QMutexLocker lock(&m_mutex);
    for (const auto &k : storedKeys)
        mutableCounters().addBytesOut(quint64(k.size()));
    auto items = m_client.get(storedKeys);
    if (items)
        countIn(*items);
    return items;
}

Expected<QList<MemcachedLink::StoreResult>> MemcachedCache::storeItems(const QList<MemcachedLink::Store> &stores)
{
    QMutexLocker lock(&m_mutex);
    for (const auto &s : stores)
        mutableCounters().addBytesOut(quint64(s.key.size() + s.item.data.size()));
    return m_client.store(stores);
}

Expected<std::optional<PyValue>> MemcachedCache::getStored(const QByteArray &storedKey, const QByteArray &key)
{
    bool refused = false;
    if (const QString problem = keyProblem(storedKey, &refused); !problem.isEmpty()) {
        if (refused)
            return std::optional<PyValue>{}; // cachelib: "we fail silently for getting"
        return error("get", key, problem);
    }
    auto items = getItems({storedKey});
    if (!items)
        return error("get", key, items.error());
    if (!items->front())
        return std::optional<PyValue>{};
    auto value = memcachedvalue::decode(*items->front(), m_options.client.client);
    if (!value)
        return error("get", key, QStringLiteral("stored value cannot be decoded: ") + value.error());
    return std::optional<PyValue>(std::move(*value));
}

QList<QByteArray> MemcachedCache::spreadKeys(const QByteArray &key) const
{
    QList<QByteArray> keys;
    for (int i = 0; i < kSpreadMaxChunks; ++i)
        keys.append(m_prefix + key + '.' + QByteArray::number(i));
    return keys;
}

Expected<std::optional<QByteArray>> MemcachedCache::spreadJoined(const QByteArray &key)
{
    // flask_caching › backends/memcache.py › SpreadSASLMemcachedCache._get: get_many of the 32
    // chunk keys, b"".join of those found (a chunk is bytes, pylibmc flags 0).
    const QList<QByteArray> chunks = spreadKeys(key);
    for (const auto &chunk : chunks)
        if (const QString problem = keyProblem(chunk); !problem.isEmpty())
            return error("get", key, problem);
    auto items = getItems(chunks);
    if (!items)
        return error("get", key, items.error());
    QByteArray joined;
    bool any = false;
    for (qsizetype i = 0; i < items->size(); ++i) {
        const auto &item = (*items)[i];
        if (!item)
            continue;
        auto v = memcachedvalue::decode(*item, m_options.client.client);
        if (!v || v->kind() != PyValue::Kind::Bytes)
            return error("get", key,
                         QStringLiteral("chunk %1 is not bytes (flags %2): it was not written by SpreadSASLMemcachedCache")
                             .arg(i)
                             .arg(item->flags));
        joined += v->bytesData();
        any = true;
    }
    if (!any)
        return std::optional<QByteArray>{};
    return std::optional<QByteArray>(joined);
}

Expected<std::optional<PyValue>> MemcachedCache::doGet(const QByteArray &key)
{
    if (m_options.variant != Variant::FlaskCachingSpread)
        return getStored(m_prefix + key, key);
    auto joined = spreadJoined(key);
    if (!joined)
        return Error{joined.error()};
    if (!joined->has_value() || (*joined)->isEmpty()) // Flask-Caching: "if not serialized: return None"
        return std::optional<PyValue>{};
    auto value = PickleReader().loads(**joined);
    if (!value)
        return error("get", key, QStringLiteral("the joined chunks are not a pickle: ") + value.error());
    return std::optional<PyValue>(std::move(*value));
}

Expected<bool> MemcachedCache::store(MemcachedLink::StoreCommand command, const QByteArray &key, const PyValue &value,
                                     Timeout timeout, const char *operation)
{
    const QByteArray stored = m_prefix + key;
    if (const QString problem = keyProblem(stored); !problem.isEmpty())
        return error(operation, key, problem);
    auto item = memcachedvalue::encode(value, m_options.client.client);
    if (!item)
        return error(operation, key, item.error());
    auto result = storeItems({MemcachedLink::Store{command, stored, std::move(*item), exptime(timeout)}});
    if (!result)
        return error(operation, key, result.error());
    return result->front() == MemcachedLink::StoreResult::Stored;
}

Expected<bool> MemcachedCache::doSet(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    if (m_options.variant != Variant::FlaskCachingSpread)
        return store(MemcachedLink::StoreCommand::Set, key, value, timeout, "set");
    // SpreadSASLMemcachedCache._set: pickle protocol 2, chunks of 1048448 bytes, set_many.
    auto pickled = PickleWriter(2).dumps(value);
    if (!pickled)
        return error("set", key, pickled.error());
    const qsizetype chunks = std::max<qsizetype>(1, (pickled->size() + kSpreadChunkBytes - 1) / kSpreadChunkBytes);
    if (chunks > kSpreadMaxChunks)
        return error("set", key,
                     QStringLiteral("Cannot store value in less than %1 keys (%2 bytes pickled)")
                         .arg(kSpreadMaxChunks)
                         .arg(pickled->size()));
    QList<MemcachedLink::Store> stores;
    const qint64 when = exptime(timeout);
    const QList<QByteArray> keys = spreadKeys(key);
    for (qsizetype i = 0; i < chunks; ++i) {
        if (const QString problem = keyProblem(keys[i]); !problem.isEmpty())
            return error("set", key, problem);
        stores.append(MemcachedLink::Store{MemcachedLink::StoreCommand::Set, keys[i],
                                           MemcachedItem{0, pickled->mid(i * kSpreadChunkBytes, kSpreadChunkBytes)}, when});
    }
    auto result = storeItems(stores);
    if (!result)
        return error("set", key, result.error());
    return !result->contains(MemcachedLink::StoreResult::NotStored);
}

Expected<bool> MemcachedCache::doAdd(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    return store(MemcachedLink::StoreCommand::Add, key, value, timeout, "add");
}

Expected<bool> MemcachedCache::doRemove(const QByteArray &key)
{
    QList<QByteArray> stored;
    if (m_options.variant == Variant::FlaskCachingSpread)
        stored = spreadKeys(key);
    else
        stored = {m_prefix + key};
    for (const auto &k : stored) {
        bool refused = false;
        if (const QString problem = keyProblem(k, &refused); !problem.isEmpty()) {
            if (refused)
                return false; // cachelib: delete of an invalid key returns False
            return error("delete", key, problem);
        }
    }
    QMutexLocker lock(&m_mutex);
    auto deleted = m_client.remove(stored);
    if (!deleted)
        return error("delete", key, deleted.error());
    return deleted->contains(true);
}

Expected<QList<QByteArray>> MemcachedCache::doRemoveMany(const QList<QByteArray> &keys)
{
    if (m_options.variant == Variant::FlaskCachingSpread)
        return Cache::doRemoveMany(keys); // one chunked delete per key, as Spread's delete
    QList<QByteArray> valid, stored;
    for (const auto &key : keys) {
        bool refused = false;
        if (const QString problem = keyProblem(QByteArray(m_prefix + key), &refused); !problem.isEmpty()) {
            if (refused)
                continue; // cachelib skips keys its regex refuses
            return error("delete_many", key, problem);
        }
        valid.append(key);
        stored.append(m_prefix + key);
    }
    QMutexLocker lock(&m_mutex);
    auto deleted = m_client.remove(stored);
    if (!deleted)
        return error("delete_many", {}, deleted.error());
    QList<QByteArray> out;
    for (qsizetype i = 0; i < valid.size(); ++i)
        if ((*deleted)[i])
            out.append(valid[i]);
    return out;
}

Expected<bool> MemcachedCache::doHas(const QByteArray &key)
{
    const QByteArray stored =
        m_options.variant == Variant::FlaskCachingSpread ? spreadKeys(key).front() : m_prefix + key;
    bool refused = false;
    if (const QString problem = keyProblem(stored, &refused); !problem.isEmpty()) {
        if (refused)
            return false;
        return error("has", key, problem);
    }
    if (m_client.link(m_client.serverFor(stored)).protocol() == MemcachedLink::Protocol::Binary) {
        auto items = getItems({stored});
        if (!items)
            return error("has", key, items.error());
        return items->front().has_value();
    }
    QMutexLocker lock(&m_mutex);
    auto meta = m_client.meta({stored});
    if (!meta)
        return error("has", key, meta.error());
    return meta->front().has_value();
}

Expected<bool> MemcachedCache::doClear()
{
    if (m_prefix.isEmpty())
        return makeError(QStringLiteral("%1 clear() on %2 refused: the cache has no key prefix, so clearing would delete "
                                        "every key of the server (cachelib sends flush_all)")
                             .arg(backendName(), location()));
    QMutexLocker lock(&m_mutex);
    MemcachedKeyLister lister(m_client);
    QByteArray cursor = "0";
    qint64 deleted = 0;
    do {
        QList<QByteArray> batch;
        int server = 0;
        auto next = lister.page(cursor, [&](int where, memcachedreplies::MetadumpLine &&item) {
            server = where; // one page is one server
            if (item.key.startsWith(m_prefix))
                batch.append(std::move(item.key));
            return true;
        });
        if (!next)
            return error("clear", {}, next.error());
        for (qsizetype at = 0; at < batch.size(); at += kClearBatch) {
            auto d = m_client.link(server).remove(batch.mid(at, kClearBatch));
            if (!d)
                return error("clear", {}, d.error());
            deleted += d->count(true);
        }
        cursor = *next;
    } while (!MemcachedKeyLister::isDone(cursor));
    return deleted > 0;
}

Expected<QList<std::optional<PyValue>>> MemcachedCache::doGetMany(const QList<QByteArray> &keys)
{
    // Also for Spread: Flask-Caching's get_many reads the unchunked keys (get_dict, not get).
    QList<QByteArray> stored;
    QList<qsizetype> positions;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        bool refused = false;
        if (const QString problem = keyProblem(QByteArray(m_prefix + keys[i]), &refused); !problem.isEmpty()) {
            if (refused)
                continue;
            return error("get_many", keys[i], problem);
        }
        stored.append(m_prefix + keys[i]);
        positions.append(i);
    }
    QList<std::optional<PyValue>> values(keys.size());
    auto items = getItems(stored);
    if (!items)
        return error("get_many", {}, items.error());
    for (qsizetype j = 0; j < positions.size(); ++j) {
        const auto &item = (*items)[j];
        if (!item)
            continue;
        auto v = memcachedvalue::decode(*item, m_options.client.client);
        if (!v)
            return error("get_many", keys[positions[j]], QStringLiteral("stored value cannot be decoded: ") + v.error());
        values[positions[j]] = std::move(*v);
    }
    return values;
}

Expected<QList<QByteArray>> MemcachedCache::doSetMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout)
{
    // Everything is checked and encoded before anything is sent: a bad key or value stores nothing.
    QList<MemcachedLink::Store> stores;
    const qint64 when = exptime(timeout);
    for (const auto &[key, value] : items) {
        const QByteArray stored = m_prefix + key;
        if (const QString problem = keyProblem(stored); !problem.isEmpty())
            return error("set_many", key, problem);
        auto item = memcachedvalue::encode(value, m_options.client.client);
        if (!item)
            return error("set_many", key, item.error());
        stores.append(MemcachedLink::Store{MemcachedLink::StoreCommand::Set, stored, std::move(*item), when});
    }
    auto result = storeItems(stores);
    if (!result)
        return error("set_many", {}, result.error());
    QList<QByteArray> written;
    for (qsizetype i = 0; i < items.size(); ++i)
        if ((*result)[i] == MemcachedLink::StoreResult::Stored)
            written.append(items[i].first);
    return written;
}

Expected<std::optional<qint64>> MemcachedCache::doInc(const QByteArray &key, qint64 delta)
{
    const char *operation = delta < 0 ? "dec" : "inc";
    const QByteArray stored = m_prefix + key;
    if (const QString problem = keyProblem(stored); !problem.isEmpty())
        return error(operation, key, problem);
    if (m_options.variant == Variant::Cachelib) {
        // cachelib › BaseCache-style inc: (get(key) or 0) + delta, then set(key, value).
        auto current = getStored(stored, key);
        if (!current)
            return Error{current.error()};
        auto next = pythonIncrement(key, *current, delta);
        if (!next)
            return Error{next.error()};
        auto ok = store(MemcachedLink::StoreCommand::Set, key, PyValue::integer(*next), {}, operation);
        if (!ok)
            return Error{ok.error()};
        return *ok ? std::optional<qint64>(*next) : std::nullopt;
    }
    // Flask-Caching: client.incr / client.decr (memcached's 64-bit unsigned counters).
    const quint64 magnitude = delta < 0 ? quint64(0) - quint64(delta) : quint64(delta);
    QMutexLocker lock(&m_mutex);
    auto r = m_client.incrDecr(stored, magnitude, delta >= 0);
    if (!r)
        return error(operation, key, r.error());
    if (!r->has_value())
        return std::optional<qint64>{};
    if (**r > quint64(std::numeric_limits<qint64>::max()))
        return error(operation, key, QStringLiteral("the counter is %1, beyond 64-bit signed").arg(**r));
    return std::optional<qint64>(qint64(**r));
}

Expected<std::optional<QByteArray>> MemcachedCache::doRawGet(const QByteArray &key)
{
    const QByteArray stored = m_prefix + key;
    if (m_options.variant == Variant::FlaskCachingSpread) {
        auto joined = spreadJoined(key);
        if (!joined)
            return Error{joined.error()};
        if (!joined->has_value())
            return std::optional<QByteArray>{};
        return std::optional<QByteArray>(memcachedvalue::envelope(stored, MemcachedItem{0, **joined}));
    }
    if (const QString problem = keyProblem(stored); !problem.isEmpty())
        return error("rawGet", key, problem);
    auto items = getItems({stored});
    if (!items)
        return error("rawGet", key, items.error());
    if (!items->front())
        return std::optional<QByteArray>{};
    return std::optional<QByteArray>(memcachedvalue::envelope(stored, *items->front()));
}

Expected<EntryTtl> MemcachedCache::doTtl(const QByteArray &key)
{
    const QByteArray stored =
        m_options.variant == Variant::FlaskCachingSpread ? spreadKeys(key).front() : m_prefix + key;
    if (const QString problem = keyProblem(stored); !problem.isEmpty())
        return error("ttl", key, problem);
    QMutexLocker lock(&m_mutex);
    auto meta = m_client.meta({stored});
    if (!meta)
        return error("ttl", key, meta.error());
    EntryTtl ttl;
    if (!meta->front())
        return ttl;
    ttl.state = meta->front()->ttl < 0 ? EntryTtl::State::Never : EntryTtl::State::Expires;
    ttl.seconds = std::max<qint64>(0, meta->front()->ttl);
    return ttl;
}

Expected<std::optional<qint64>> MemcachedCache::doEntrySize(const QByteArray &key)
{
    const QByteArray stored = m_prefix + key;
    if (const QString problem = keyProblem(stored); !problem.isEmpty())
        return error("entrySize", key, problem);
    if (m_client.link(m_client.serverFor(stored)).protocol() == MemcachedLink::Protocol::Binary) {
        auto items = getItems({stored});
        if (!items)
            return error("entrySize", key, items.error());
        return items->front() ? std::optional<qint64>(items->front()->data.size()) : std::nullopt;
    }
    QMutexLocker lock(&m_mutex);
    auto meta = m_client.meta({stored});
    if (!meta)
        return error("entrySize", key, meta.error());
    return meta->front() ? std::optional<qint64>(meta->front()->size) : std::nullopt;
}

Expected<ScanPage> MemcachedCache::doScan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    Q_UNUSED(count); // a page is one slab class of one server (MemcachedKeyLister)
    const QByteArray pattern = glob.isEmpty() ? QByteArrayLiteral("*") : glob;
    ScanPage page;
    QMutexLocker lock(&m_mutex);
    MemcachedKeyLister lister(m_client);
    auto next = lister.page(cursor.isEmpty() ? QByteArrayLiteral("0") : cursor, [&](int, memcachedreplies::MetadumpLine &&item) {
        if (item.key.startsWith(m_prefix)) {
            const QByteArrayView key = QByteArrayView(item.key).sliced(m_prefix.size());
            if (globMatch(pattern, key))
                page.keys.append(key.toByteArray());
        }
        return true;
    });
    if (!next)
        return error("scan", {}, next.error());
    page.nextCursor = *next;
    return page;
}

} // namespace cachescope
