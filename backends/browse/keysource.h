#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>

namespace cachescope {

// One answer to a SCAN request. Keys are the stored keys (Redis: prefix included; directory:
// file names). The cursor is the opaque byte string the source returned (STYLE.md §7: never
// a signed or truncated number); "0" means the scan is complete.
struct ScanBatch
{
    QByteArray cursor;       // the cursor the request was sent with
    QByteArray nextCursor;   // "0" when complete
    QList<QByteArray> keys;  // may repeat keys of earlier batches (SCAN guarantees), callers dedupe
    bool restarted = false;  // the server changed under the scan (restart): it began again at 0
    // More slices of the same SCAN page follow (a large page is delivered in slices so the
    // receiving thread never spends long on one); nextCursor is meaningful on the last slice.
    bool more = false;
    bool done() const { return !more && (nextCursor.isEmpty() || nextCursor == "0"); }
};

// What the key list shows for one key. ttlMs: -1 never expires, -2 missing (deleted since).
struct KeyMetadata
{
    QByteArray key;
    QByteArray type;       // "string", "hash", ... (Redis TYPE), "file" for cache files, "none" if gone
    qint64 ttlMs = -2;
    qint64 size = -1;      // bytes: MEMORY USAGE, file size or pickled size; -1 unknown
    bool expired = false;  // still stored but past its expiry (cache files are not removed on read)
};

// The seam between the key browser and a cache (STYLE.md §5.3): every request returns an id at
// once and is answered later by a queued signal carrying that id, so the GUI thread never
// waits and stale answers can be dropped by id. Write actions are refused unless writes were
// enabled explicitly, and refuse any key outside the cache's key prefix.
class KeySource : public QObject
{
    Q_OBJECT
public:
    explicit KeySource(QByteArray keyPrefix, QObject *parent = nullptr);
    ~KeySource() override;

    // "redis://127.0.0.1:6379/0", "/var/cache/superset", "in-process SimpleCache".
    virtual QString description() const = 0;
    QByteArray keyPrefix() const { return m_keyPrefix; }

    // SCAN one batch. With continuous=true the source keeps scanning and answers with one
    // scanReady per batch under the same id until the cursor is 0 or cancel(id) ("Load all").
    virtual quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count,
                                bool continuous = false) = 0;
    // Type, TTL and size of each key, in one pipelined round trip.
    virtual quint64 requestMetadata(const QList<QByteArray> &keys) = 0;
    // The stored bytes of one key (answered by valueReady; found=false when it does not exist).
    virtual quint64 requestValue(const QByteArray &key) = 0;
    // Stops a continuous scan or a namespace delete; other requests just get dropped answers.
    virtual void cancel(quint64 id) = 0;

    // A key as the user typed it -> the stored keys it may be (file caches hash the key).
    virtual QList<QByteArray> storedKeysFor(const QByteArray &typedKey) const;
    // The application's key for a stored key when it is known (file caches), else empty.
    virtual QByteArray knownKeyFor(const QByteArray &storedKey) const;
    // True when stored names are hashes of the application's keys (a FileSystemCache directory).
    virtual bool storesHashedNames() const { return false; }

    // Whether the server behind the source answers (sources without a server always do), and
    // since when it does not (ms since the epoch, 0 while reachable). Kept on the source's
    // thread; a source that watches its server says so with reachabilityChanged.
    bool isReachable() const { return m_unreachableSinceMs == 0; }
    qint64 unreachableSinceMs() const { return m_unreachableSinceMs; }
    QString unreachableReason() const { return m_unreachableReason; }

    bool writesEnabled() const { return m_writesEnabled; }
    void setWritesEnabled(bool enabled);
    // True when a write may touch this stored key: inside the cache's key prefix.
    bool isInsidePrefix(const QByteArray &storedKey) const;

    // Write actions. Refused (writeFailed, nothing touched) in read-only mode or when any key
    // lies outside the key prefix. Answered by writeProgress*/writeFinished or writeFailed.
    quint64 deleteKeys(const QList<QByteArray> &keys);
    // Deletes every key starting with namespacePath (a stored-key prefix) in SCAN+DEL batches.
    quint64 deleteNamespace(const QByteArray &namespacePath);
    // ttlMs > 0: EXPIRE; ttlMs < 0: PERSIST (never expires).
    quint64 setTtl(const QList<QByteArray> &keys, qint64 ttlMs);

    // Escapes glob metacharacters so a literal key prefix can start a MATCH pattern.
    static QByteArray globEscape(const QByteArray &literal);

Q_SIGNALS:
    void scanReady(quint64 id, const cachescope::ScanBatch &batch);
    void scanFailed(quint64 id, const QString &error);
    void metadataReady(quint64 id, const QList<cachescope::KeyMetadata> &metadata);
    void metadataFailed(quint64 id, const QString &error);
    void valueReady(quint64 id, const QByteArray &key, const QByteArray &value, bool found);
    void valueFailed(quint64 id, const QString &error);
    void writeProgress(quint64 id, qint64 done);
    void writeFinished(quint64 id, qint64 affected);
    void writeFailed(quint64 id, const QString &error);
    void writesEnabledChanged(bool enabled);
    // The server stopped answering (reason says why) or answers again.
    void reachabilityChanged(bool reachable, const QString &reason);
    // The server answers again but is a different instance (Redis: a new run_id, i.e. it
    // restarted): every key listed before belongs to a keyspace that is gone. Emitted before
    // reachabilityChanged(true), and before any answer that came from the new instance.
    void serverReplaced();

protected:
    quint64 nextId() { return ++m_lastId; }
    // Implementations run these off the GUI thread and answer with the write* signals.
    // Every key handed to them has passed the prefix check; doDeleteNamespace must check
    // each scanned key again with isInsidePrefix before deleting it.
    virtual void doDeleteKeys(quint64 id, const QList<QByteArray> &keys) = 0;
    virtual void doDeleteNamespace(quint64 id, const QByteArray &namespacePath) = 0;
    virtual void doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs) = 0;
    // Emits a signal later on this object's thread, so answers never arrive inside the call.
    template<typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(this, std::forward<F>(f), Qt::QueuedConnection);
    }

    // Called on the source's thread; emits reachabilityChanged when the state changes.
    void setReachable(bool reachable, const QString &reason = {});

private:
    quint64 refuse(const QString &why);
    QByteArray m_keyPrefix;
    bool m_writesEnabled = false;
    quint64 m_lastId = 0;
    qint64 m_unreachableSinceMs = 0;
    QString m_unreachableReason;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::ScanBatch)
Q_DECLARE_METATYPE(cachescope::KeyMetadata)
