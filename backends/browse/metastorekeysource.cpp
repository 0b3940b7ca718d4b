#include "metastorekeysource.h"

#include "cache/cachemanager.h"
#include "cache/globmatch.h"

namespace cachescope {

namespace {

QUuid uuidOf(const QByteArray &storedKey)
{
    return storedKey.size() == 36 ? QUuid::fromString(QLatin1String(storedKey)) : QUuid();
}

} // namespace

MetastoreKeySource::MetastoreKeySource(std::unique_ptr<SupersetMetastoreCache> cache, QObject *parent)
    : KeySource({}, parent)
    , m_cache(std::move(cache))
    , m_description(m_cache->location() + QStringLiteral(" · resource ") + SupersetMetastoreCache::resource())
    , m_io(QStringLiteral("metastore-keys"))
{
    m_cache->setWritable(false);
    // Writes follow the page's per-connection unlock: this source's own cache, no one else's.
    connect(this, &KeySource::writesEnabledChanged, this, [this](bool enabled) {
        m_io.post([this, enabled] { m_cache->setWritable(enabled); });
    });
}

MetastoreKeySource::~MetastoreKeySource()
{
    m_io.stop();
}

Expected<std::unique_ptr<MetastoreKeySource>> MetastoreKeySource::fromSpec(const CacheSpec &spec)
{
    if (spec.backend != BackendType::SupersetMetastore)
        return makeError(QStringLiteral("%1 is not a SupersetMetastoreCache").arg(purposeConfigName(spec.purpose)));
    auto built = CacheManager::buildCache(spec, CacheManager::Access::ReadOnly);
    if (!built)
        return Error{built.error()};
    std::unique_ptr<SupersetMetastoreCache> cache(static_cast<SupersetMetastoreCache *>(built->release()));
    return std::make_unique<MetastoreKeySource>(std::move(cache));
}

QString MetastoreKeySource::description() const
{
    return m_description;
}

void MetastoreKeySource::cancel(quint64 id)
{
    m_io.cancel(id);
}

QList<QByteArray> MetastoreKeySource::storedKeysFor(const QByteArray &typedKey) const
{
    using H = SupersetMetastoreCache::NamespaceHash;
    const QByteArray prefix = m_cache->options().keyPrefix;
    QList<QByteArray> out;
    if (!uuidOf(typedKey.trimmed().toLower()).isNull())
        out.append(typedKey.trimmed().toLower()); // the user pasted a row uuid
    QMutexLocker lock(&m_mutex);
    for (H hash : {m_cache->options().namespaceHash, m_cache->options().namespaceHash == H::Md5 ? H::Sha256 : H::Md5}) {
        const QByteArray stored =
            SupersetMetastoreCache::uuid3(SupersetMetastoreCache::namespaceFor(prefix, hash), typedKey).toByteArray(QUuid::WithoutBraces);
        m_known.insert(stored, typedKey);
        out.append(stored);
    }
    return out;
}

QByteArray MetastoreKeySource::knownKeyFor(const QByteArray &storedKey) const
{
    QMutexLocker lock(&m_mutex);
    return m_known.value(storedKey);
}

quint64 MetastoreKeySource::requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous)
{
    const quint64 id = nextId();
    m_io.post([=, this] { scanOnWorker(id, cursor.isEmpty() ? QByteArray("0") : cursor, match, count, continuous); });
    return id;
}

void MetastoreKeySource::scanOnWorker(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous)
{
    // The cursor is the last row id seen; rows come in id order, so a scan never repeats one.
    // Expired rows are listed too (flagged by their metadata): they still sit in the table.
    const bool filtered = !match.isEmpty() && match != "*";
    const int limit = std::clamp(count, 1, 10000);
    for (;;) {
        if (m_io.isCancelled(id))
            return;
        bool ok = false;
        const qint64 afterId = cursor.toLongLong(&ok);
        auto page = m_cache->rows(ok ? afterId : 0, limit);
        if (!page) {
            const QString error = page.error();
            post([this, id, error] { Q_EMIT scanFailed(id, error); });
            return;
        }
        ScanBatch batch;
        batch.cursor = cursor;
        batch.nextCursor = page->size() < limit ? QByteArray("0") : QByteArray::number(page->last().id);
        for (const KeyValueRow &r : *page) {
            const QByteArray k = r.uuid.toByteArray(QUuid::WithoutBraces);
            // MATCH applies to the uuid and, when the user typed it, to the key it stands for.
            if (!filtered || globMatch(match, k) || globMatch(match, knownKeyFor(k)))
                batch.keys.append(k);
        }
        cursor = batch.nextCursor;
        const bool more = continuous && !batch.done() && !m_io.isCancelled(id);
        post([this, id, batch] { Q_EMIT scanReady(id, batch); });
        if (!more)
            return;
    }
}

quint64 MetastoreKeySource::requestMetadata(const QList<QByteArray> &keys)
{
    const quint64 id = nextId();
    m_io.post([this, id, keys] {
        QList<KeyMetadata> out;
        const QDateTime now = m_cache->naiveNow();
        for (const QByteArray &k : keys) {
            if (m_io.isCancelled(id))
                return;
            KeyMetadata m;
            m.key = k;
            m.type = "none";
            const QUuid uuid = uuidOf(k);
            if (!uuid.isNull()) {
                auto row = m_cache->row(uuid);
                if (!row) {
                    const QString error = row.error();
                    post([this, id, error] { Q_EMIT metadataFailed(id, error); });
                    return;
                }
                if (row->has_value()) {
                    const KeyValueRow &r = **row;
                    m.type = "row"; // a key_value row (short: the Type column is narrow)
                    m.size = r.valueSize;
                    if (!r.expiresOn.isValid()) {
                        m.ttlMs = -1;
                    } else {
                        m.ttlMs = now.msecsTo(r.expiresOn);
                        if (m.ttlMs <= 0) { // KeyValueEntry.is_expired: still stored, read as a miss
                            m.expired = true;
                            m.ttlMs = 0;
                        }
                    }
                }
            }
            out.append(m);
        }
        post([this, id, out] { Q_EMIT metadataReady(id, out); });
    });
    return id;
}

quint64 MetastoreKeySource::requestValue(const QByteArray &key)
{
    const quint64 id = nextId();
    m_io.post([this, id, key] {
        const QUuid uuid = uuidOf(key);
        if (uuid.isNull()) {
            post([this, id, key] { Q_EMIT valueReady(id, key, {}, false); });
            return;
        }
        auto row = m_cache->row(uuid);
        if (!row) {
            const QString error = row.error();
            post([this, id, error] { Q_EMIT valueFailed(id, error); });
            return;
        }
        const bool found = row->has_value();
        const QByteArray value = found ? (*row)->value : QByteArray();
        post([this, id, key, value, found] { Q_EMIT valueReady(id, key, value, found); });
    });
    return id;
}

void MetastoreKeySource::doDeleteKeys(quint64 id, const QList<QByteArray> &keys)
{
    m_io.post([this, id, keys] {
        qint64 deleted = 0;
        for (const QByteArray &k : keys) {
            const QUuid uuid = uuidOf(k);
            if (uuid.isNull())
                continue;
            auto removed = m_cache->removeRow(uuid);
            if (!removed) {
                const QString error = removed.error();
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            deleted += *removed;
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void MetastoreKeySource::doDeleteNamespace(quint64 id, const QByteArray &namespacePath)
{
    m_io.post([this, id, namespacePath] {
        // Rows of this resource whose uuid text starts with the path; each one checked again.
        qint64 deleted = 0;
        qint64 afterId = 0;
        for (;;) {
            if (m_io.isCancelled(id))
                break;
            auto page = m_cache->rows(afterId, 1000);
            if (!page) {
                const QString error = page.error();
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            for (const KeyValueRow &r : *page) {
                const QByteArray k = r.uuid.toByteArray(QUuid::WithoutBraces);
                if (!k.startsWith(namespacePath) || !isInsidePrefix(k))
                    continue;
                auto removed = m_cache->removeRow(r.uuid);
                if (!removed) {
                    const QString error = removed.error();
                    post([this, id, error] { Q_EMIT writeFailed(id, error); });
                    return;
                }
                deleted += *removed;
            }
            post([this, id, deleted] { Q_EMIT writeProgress(id, deleted); });
            if (page->size() < 1000)
                break;
            afterId = page->last().id;
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void MetastoreKeySource::doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs)
{
    m_io.post([this, id, keys, ttlMs] {
        // expires_on is what Superset compares with datetime.now(); a TTL in whole seconds.
        const std::optional<qint64> seconds = ttlMs < 0 ? std::nullopt : std::optional<qint64>((ttlMs + 999) / 1000);
        qint64 changed = 0;
        for (const QByteArray &k : keys) {
            const QUuid uuid = uuidOf(k);
            if (uuid.isNull())
                continue;
            auto set = m_cache->setRowExpiry(uuid, seconds);
            if (!set) {
                const QString error = set.error();
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            changed += *set;
        }
        post([this, id, changed] { Q_EMIT writeFinished(id, changed); });
    });
}

} // namespace cachescope
