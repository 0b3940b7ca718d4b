#include "metadataworker.h"

#include <QPointer>

namespace cachescope {

MetadataWorker::MetadataWorker(MetadataUri uri, QObject *parent)
    : QObject(parent), m_connection(std::make_unique<MetadataConnection>(std::move(uri)))
{
    qRegisterMetaType<SchemaInfo>();
    qRegisterMetaType<MetadataSnapshot>();
    qRegisterMetaType<TimeoutChange>();
    qRegisterMetaType<CacheKeyRow>();
    qRegisterMetaType<QList<CacheKeyRow>>();
    qRegisterMetaType<KeyValueRow>();
    qRegisterMetaType<QList<KeyValueRow>>();
    qRegisterMetaType<MetadataKind>();
}

MetadataWorker::~MetadataWorker()
{
    m_connection->stop(); // queued work finishes (or sees its cancellation) before this returns
}

void MetadataWorker::cancel(quint64 id)
{
    m_connection->cancel(id);
}

void MetadataWorker::submit(quint64 id, std::function<void(MetadataDatabase &)> work)
{
    MetadataConnection *connection = m_connection.get();
    m_connection->post([this, connection, id, work = std::move(work)](MetadataDatabase &db) {
        if (connection->isCancelled(id))
            return;
        auto opened = connection->ensureOpen();
        if (!opened) {
            Q_EMIT failed(id, opened.error());
            return;
        }
        work(db);
    });
}

quint64 MetadataWorker::requestOpen()
{
    const quint64 id = nextId();
    submit(id, [this, id](MetadataDatabase &db) { Q_EMIT opened(id, db.schemaInfo()); });
    return id;
}

quint64 MetadataWorker::requestSnapshot()
{
    const quint64 id = nextId();
    MetadataConnection *connection = m_connection.get();
    submit(id, [this, connection, id](MetadataDatabase &db) {
        auto snapshot = db.snapshot([connection, id] { return connection->isCancelled(id); });
        if (connection->isCancelled(id))
            return;
        if (snapshot)
            Q_EMIT snapshotReady(id, *snapshot);
        else
            Q_EMIT failed(id, snapshot.error());
    });
    return id;
}

quint64 MetadataWorker::setWritesEnabled(bool enabled)
{
    const quint64 id = nextId();
    // The flag is read on the GUI thread; the answer arrives there by a queued signal.
    QPointer<MetadataWorker> self(this);
    submit(id, [this, self, id, enabled](MetadataDatabase &db) {
        auto changed = enabled ? db.unlockWrites() : db.lockWrites();
        if (!changed) {
            Q_EMIT failed(id, changed.error());
            return;
        }
        const bool nowEnabled = !db.isReadOnly();
        QMetaObject::invokeMethod(
            this,
            [self, id, nowEnabled] {
                if (!self)
                    return;
                self->m_writesEnabled = nowEnabled;
                Q_EMIT self->writesEnabledChanged(id, nowEnabled);
            },
            Qt::QueuedConnection);
    });
    return id;
}

quint64 MetadataWorker::setCacheTimeout(MetadataKind kind, qint64 objectId, std::optional<qint64> seconds)
{
    const quint64 id = nextId();
    submit(id, [this, id, kind, objectId, seconds](MetadataDatabase &db) {
        auto change = db.setCacheTimeout(kind, objectId, seconds);
        if (change)
            Q_EMIT cacheTimeoutChanged(id, *change);
        else
            Q_EMIT failed(id, change.error());
    });
    return id;
}

quint64 MetadataWorker::requestCacheKeys(qint64 afterId, int limit, const QString &datasourceUid)
{
    const quint64 id = nextId();
    submit(id, [this, id, afterId, limit, datasourceUid](MetadataDatabase &db) {
        auto rows = db.cacheKeys(afterId, limit, datasourceUid);
        if (rows)
            Q_EMIT cacheKeysReady(id, *rows);
        else
            Q_EMIT failed(id, rows.error());
    });
    return id;
}

quint64 MetadataWorker::requestKeyValueEntries(const QString &resource, qint64 afterId, int limit)
{
    const quint64 id = nextId();
    submit(id, [this, id, resource, afterId, limit](MetadataDatabase &db) {
        auto rows = db.keyValueEntries(resource, afterId, limit);
        if (rows)
            Q_EMIT keyValueEntriesReady(id, *rows);
        else
            Q_EMIT failed(id, rows.error());
    });
    return id;
}

} // namespace cachescope
