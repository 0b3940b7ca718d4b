#include "cachekeysource.h"

#include "cache/cache.h"

namespace cachescope {

CacheKeySource::CacheKeySource(Cache *cache, QObject *parent) : KeySource(cache->keyPrefix(), parent), m_cache(cache) {}

QString CacheKeySource::description() const
{
    return m_cache->backendName() % QStringLiteral(" (") % m_cache->location() % u')';
}

void CacheKeySource::cancel(quint64 id)
{
    m_cancelled.append(id);
}

quint64 CacheKeySource::requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous)
{
    const quint64 id = nextId();
    post([=, this] { scanStep(id, cursor.isEmpty() ? QByteArray("0") : cursor, match, count, continuous); });
    return id;
}

void CacheKeySource::scanStep(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous)
{
    if (m_cancelled.contains(id))
        return;
    // The Cache API takes the application's key glob (its prefix is added by the backend).
    QByteArray glob = match.isEmpty() ? QByteArray("*") : match;
    auto page = m_cache->scan(cursor, glob, count);
    if (!page) {
        Q_EMIT scanFailed(id, QStringLiteral("scan of %1 failed: %2").arg(description(), page.error()));
        return;
    }
    ScanBatch batch;
    batch.cursor = cursor;
    batch.nextCursor = page->nextCursor.isEmpty() ? QByteArray("0") : page->nextCursor;
    const QByteArray prefix = keyPrefix();
    for (const auto &k : std::as_const(page->keys))
        batch.keys.append(prefix + k);
    const QByteArray next = batch.nextCursor;
    Q_EMIT scanReady(id, batch);
    if (continuous && !batch.done()) // one page per event: the GUI stays responsive
        post([=, this] { scanStep(id, next, match, count, continuous); });
}

quint64 CacheKeySource::requestMetadata(const QList<QByteArray> &keys)
{
    const quint64 id = nextId();
    post([this, id, keys] {
        QList<KeyMetadata> out;
        const qsizetype p = keyPrefix().size();
        for (const auto &k : keys) {
            KeyMetadata m;
            m.key = k;
            const QByteArray appKey = k.mid(p);
            auto ttl = m_cache->ttl(appKey);
            if (ttl && ttl->state != EntryTtl::State::Missing) {
                m.type = "pickle";
                m.ttlMs = ttl->state == EntryTtl::State::Never ? -1 : ttl->seconds * 1000;
                auto size = m_cache->entrySize(appKey);
                if (size && *size)
                    m.size = **size;
            } else {
                m.type = "none";
            }
            out.append(m);
        }
        Q_EMIT metadataReady(id, out);
    });
    return id;
}

quint64 CacheKeySource::requestValue(const QByteArray &key)
{
    const quint64 id = nextId();
    post([this, id, key] {
        auto raw = m_cache->rawGet(key.mid(keyPrefix().size()));
        if (!raw) {
            Q_EMIT valueFailed(id, raw.error());
            return;
        }
        Q_EMIT valueReady(id, key, raw->value_or(QByteArray()), raw->has_value());
    });
    return id;
}

void CacheKeySource::doDeleteKeys(quint64 id, const QList<QByteArray> &keys)
{
    post([this, id, keys] {
        QList<QByteArray> appKeys;
        for (const auto &k : keys)
            appKeys.append(k.mid(keyPrefix().size()));
        auto removed = m_cache->removeMany(appKeys);
        if (!removed)
            Q_EMIT writeFailed(id, removed.error());
        else
            Q_EMIT writeFinished(id, removed->size());
    });
}

void CacheKeySource::doDeleteNamespace(quint64 id, const QByteArray &namespacePath)
{
    post([this, id, namespacePath] {
        const qsizetype p = keyPrefix().size();
        const QByteArray glob = globEscape(namespacePath.mid(p)) + '*';
        QByteArray cursor = "0";
        qint64 deleted = 0;
        do {
            auto page = m_cache->scan(cursor, glob, 1000);
            if (!page) {
                Q_EMIT writeFailed(id, page.error());
                return;
            }
            QList<QByteArray> batch;
            for (const auto &k : std::as_const(page->keys)) {
                const QByteArray stored = keyPrefix() + k;
                if (isInsidePrefix(stored) && stored.startsWith(namespacePath))
                    batch.append(k);
            }
            auto removed = m_cache->removeMany(batch);
            if (removed)
                deleted += removed->size();
            Q_EMIT writeProgress(id, deleted);
            cursor = page->nextCursor;
        } while (!cursor.isEmpty() && cursor != "0" && !m_cancelled.contains(id));
        Q_EMIT writeFinished(id, deleted);
    });
}

void CacheKeySource::doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs)
{
    post([this, id, keys, ttlMs] {
        // The cachelib interface has no EXPIRE: re-set the value with the new timeout.
        qint64 changed = 0;
        for (const auto &k : keys) {
            const QByteArray appKey = k.mid(keyPrefix().size());
            auto value = m_cache->get(appKey);
            if (!value || !*value)
                continue;
            const Timeout timeout = ttlMs < 0 ? Timeout(0) : Timeout(qMax<qint64>(1, (ttlMs + 999) / 1000));
            auto ok = m_cache->set(appKey, **value, timeout);
            if (ok && *ok)
                ++changed;
        }
        Q_EMIT writeFinished(id, changed);
    });
}

} // namespace cachescope
