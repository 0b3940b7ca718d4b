#include "memcachedkeysource.h"

#include "cache/globmatch.h"
#include "memcached/memcachedkeylister.h"

#include <QDateTime>
#include <QThread>

namespace cachescope {

namespace {

constexpr int kMaxBatchesInFlight = 8;
constexpr qsizetype kSliceKeys = 1000;
constexpr int kWriteBatch = 500;

} // namespace

MemcachedKeySource::MemcachedKeySource(MemcachedClient::Options options, QByteArray keyPrefix, QObject *parent)
    : KeySource(std::move(keyPrefix), parent)
    , m_client(std::make_unique<MemcachedClient>(std::move(options)))
    , m_io(QStringLiteral("memcached-keys"))
{
    m_description = QStringLiteral("memcached://") + m_client->description();
}

MemcachedKeySource::~MemcachedKeySource()
{
    m_io.stop();
}

QString MemcachedKeySource::description() const
{
    return m_description;
}

void MemcachedKeySource::cancel(quint64 id)
{
    m_io.cancel(id);
}

quint64 MemcachedKeySource::requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous)
{
    Q_UNUSED(count); // a page is one slab class of one server
    const quint64 id = nextId();
    const QByteArray start = cursor.isEmpty() ? QByteArray("0") : cursor;
    const QByteArray pattern = match.isEmpty() ? QByteArray("*") : match;
    m_io.post([this, id, start, pattern, continuous] { scanStep(id, start, pattern, continuous); });
    return id;
}

void MemcachedKeySource::deliver(quint64 id, ScanBatch batch)
{
    // Runs on the worker thread: the dump streams in faster than the GUI inserts rows, so wait
    // for it here (the server buffers the rest of the dump meanwhile).
    while (m_batchesInFlight.load() >= kMaxBatchesInFlight && !m_io.isCancelled(id))
        QThread::msleep(2);
    m_batchesInFlight.fetch_add(1);
    post([this, id, batch = std::move(batch)] {
        m_batchesInFlight.fetch_sub(1);
        Q_EMIT scanReady(id, batch);
    });
}

// Runs on the worker thread.
void MemcachedKeySource::scanStep(quint64 id, const QByteArray &cursor, const QByteArray &match, bool continuous)
{
    if (m_io.isCancelled(id))
        return;
    MemcachedKeyLister lister(*m_client);
    ScanBatch slice;
    slice.cursor = cursor;
    auto next = lister.page(cursor, [&](int, memcachedreplies::MetadumpLine &&item) {
        if (m_io.isCancelled(id))
            return false;
        if (!globMatch(match, item.key))
            return true;
        slice.keys.append(std::move(item.key));
        if (slice.keys.size() >= kSliceKeys) {
            slice.more = true;
            slice.nextCursor = cursor;
            deliver(id, std::move(slice));
            slice = ScanBatch{};
            slice.cursor = cursor;
        }
        return true;
    });
    if (m_io.isCancelled(id))
        return;
    if (!next) {
        const QString error = QStringLiteral("listing keys of %1 failed: %2").arg(description(), next.error());
        post([this, id, error] { Q_EMIT scanFailed(id, error); });
        return;
    }
    slice.more = false;
    slice.nextCursor = *next;
    const bool done = slice.done();
    deliver(id, std::move(slice));
    if (continuous && !done) {
        const QByteArray following = *next;
        // Re-post instead of looping, so queued metadata and value requests get their turn.
        m_io.post([=, this] { scanStep(id, following, match, continuous); });
    }
}

quint64 MemcachedKeySource::requestMetadata(const QList<QByteArray> &keys)
{
    const quint64 id = nextId();
    m_io.post([this, id, keys] {
        auto meta = m_client->meta(keys);
        if (!meta) {
            const QString error = QStringLiteral("metadata from %1 failed: %2").arg(description(), meta.error());
            post([this, id, error] { Q_EMIT metadataFailed(id, error); });
            return;
        }
        QList<KeyMetadata> out;
        out.reserve(keys.size());
        for (qsizetype i = 0; i < keys.size(); ++i) {
            KeyMetadata m;
            m.key = keys[i];
            const auto &found = (*meta)[i];
            if (!found) {
                m.type = "none";
                m.ttlMs = -2;
            } else {
                m.type = memcachedvalue::flagsName(found->flags).toUtf8();
                m.ttlMs = found->ttl < 0 ? -1 : found->ttl * 1000;
                m.size = found->size;
            }
            out.append(m);
        }
        post([this, id, out] { Q_EMIT metadataReady(id, out); });
    });
    return id;
}

quint64 MemcachedKeySource::requestValue(const QByteArray &key)
{
    const quint64 id = nextId();
    m_io.post([this, id, key] {
        auto items = m_client->get({key});
        if (!items) {
            const QString error =
                QStringLiteral("reading '%1' from %2 failed: %3").arg(QString::fromUtf8(key), description(), items.error());
            post([this, id, error] { Q_EMIT valueFailed(id, error); });
            return;
        }
        const auto &item = items->front();
        const QByteArray value = item ? memcachedvalue::envelope(key, *item) : QByteArray();
        const bool found = item.has_value();
        post([this, id, key, value, found] { Q_EMIT valueReady(id, key, value, found); });
    });
    return id;
}

void MemcachedKeySource::doDeleteKeys(quint64 id, const QList<QByteArray> &keys)
{
    m_io.post([this, id, keys] {
        qint64 deleted = 0;
        for (qsizetype at = 0; at < keys.size(); at += kWriteBatch) {
            auto r = m_client->remove(keys.mid(at, kWriteBatch));
            if (!r) {
                const QString error = QStringLiteral("delete on %1 failed: %2").arg(description(), r.error());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            deleted += r->count(true);
            post([this, id, deleted] { Q_EMIT writeProgress(id, deleted); });
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void MemcachedKeySource::doDeleteNamespace(quint64 id, const QByteArray &namespacePath)
{
    m_io.post([this, id, namespacePath] {
        // List every server's keys page by page; delete what lies in the namespace and in the
        // cache's prefix. Never flush_all.
        MemcachedKeyLister lister(*m_client);
        QByteArray cursor = "0";
        qint64 deleted = 0;
        do {
            if (m_io.isCancelled(id)) {
                post([this, id, deleted] {
                    Q_EMIT writeFailed(id, QStringLiteral("namespace delete cancelled after %1 keys").arg(deleted));
                });
                return;
            }
            QList<QByteArray> doomed;
            int server = 0;
            auto next = lister.page(cursor, [&](int where, memcachedreplies::MetadumpLine &&item) {
                server = where; // one page is one server: delete there, whatever the key hashes to
                if (item.key.startsWith(namespacePath) && isInsidePrefix(item.key))
                    doomed.append(std::move(item.key));
                return true;
            });
            if (!next) {
                const QString error = QStringLiteral("listing keys of %1 failed: %2").arg(description(), next.error());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            for (qsizetype at = 0; at < doomed.size(); at += kWriteBatch) {
                auto r = m_client->link(server).remove(doomed.mid(at, kWriteBatch));
                if (!r) {
                    const QString error = QStringLiteral("delete on %1 failed: %2").arg(description(), r.error());
                    post([this, id, error] { Q_EMIT writeFailed(id, error); });
                    return;
                }
                deleted += r->count(true);
                post([this, id, deleted] { Q_EMIT writeProgress(id, deleted); });
            }
            cursor = *next;
        } while (!MemcachedKeyLister::isDone(cursor));
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void MemcachedKeySource::doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs)
{
    m_io.post([this, id, keys, ttlMs] {
        // memcached counts whole seconds; like cachelib, send the absolute time (exptime 0 = never).
        const qint64 exptime = ttlMs < 0 ? 0 : QDateTime::currentSecsSinceEpoch() + (ttlMs + 999) / 1000;
        qint64 changed = 0;
        for (qsizetype at = 0; at < keys.size(); at += kWriteBatch) {
            auto r = m_client->touch(keys.mid(at, kWriteBatch), exptime);
            if (!r) {
                const QString error = QStringLiteral("TTL change on %1 failed: %2").arg(description(), r.error());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            changed += r->count(true);
        }
        post([this, id, changed] { Q_EMIT writeFinished(id, changed); });
    });
}

} // namespace cachescope
