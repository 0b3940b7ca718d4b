#pragma once

#include "metadataconnection.h"
#include "metadatatypes.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace cachescope {

// The GUI's handle on one metadata database: every request returns an id at once and is
// answered later by a queued signal carrying that id (or by failed(id, message)), so the GUI
// thread never waits on the database and answers to superseded requests can be dropped by id.
// The work runs on the MetadataConnection's own thread, in request order. The connection opens
// read-only; setWritesEnabled(true) unlocks writes for this connection only.
class MetadataWorker : public QObject
{
    Q_OBJECT
public:
    explicit MetadataWorker(MetadataUri uri, QObject *parent = nullptr);
    ~MetadataWorker() override;

    // The URI with the password hidden: what the GUI may show.
    QString description() const { return m_connection->redactedUri(); }
    // The last state the connection confirmed (false until an unlock succeeded).
    bool writesEnabled() const { return m_writesEnabled; }

    quint64 requestOpen();                    // -> opened
    quint64 requestSnapshot();                // -> snapshotReady (opens first if needed)
    quint64 setWritesEnabled(bool enabled);   // -> writesEnabledChanged
    // -> cacheTimeoutChanged; refused (failed) while writes are locked.
    quint64 setCacheTimeout(cachescope::MetadataKind kind, qint64 id, std::optional<qint64> seconds);
    quint64 requestCacheKeys(qint64 afterId, int limit, const QString &datasourceUid = {}); // -> cacheKeysReady
    quint64 requestKeyValueEntries(const QString &resource, qint64 afterId, int limit);  // -> keyValueEntriesReady
    // A snapshot in progress stops early; answers of other cancelled requests are not sent.
    void cancel(quint64 id);

    // The underlying connection, for blocking users that share it (off the GUI thread).
    MetadataConnection &connection() { return *m_connection; }

Q_SIGNALS:
    void opened(quint64 id, const cachescope::SchemaInfo &schema);
    void snapshotReady(quint64 id, const cachescope::MetadataSnapshot &snapshot);
    void writesEnabledChanged(quint64 id, bool enabled);
    void cacheTimeoutChanged(quint64 id, const cachescope::TimeoutChange &change);
    void cacheKeysReady(quint64 id, const QList<cachescope::CacheKeyRow> &rows);
    void keyValueEntriesReady(quint64 id, const QList<cachescope::KeyValueRow> &rows);
    void failed(quint64 id, const QString &error);

private:
    quint64 nextId() { return ++m_lastId; }
    // Runs work(db) on the connection's thread after opening; an open failure answers failed(id).
    void submit(quint64 id, std::function<void(MetadataDatabase &)> work);

    std::unique_ptr<MetadataConnection> m_connection;
    quint64 m_lastId = 0;
    bool m_writesEnabled = false;
};

} // namespace cachescope
