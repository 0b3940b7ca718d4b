#pragma once

#include "cache.h"
#include "cacheclock.h"

#include <QHash>
#include <QMutex>

#include <map>

namespace cachescope {

// cachelib 0.9.0's SimpleCache (simple.py), thread-safe: {key: (expires, pickled bytes)}.
// Behaviour kept from cachelib:
//  - expires = int(time()) + timeout for timeout > 0, else the timeout itself (0 = never;
//    a negative timeout stores an already-expired entry); threshold 0 becomes 500;
//  - get/has treat `expires == 0 or expires > time()` as alive; expired entries stay stored
//    until pruned or overwritten;
//  - set/add prune BEFORE inserting, only when len > threshold: first every entry with
//    `expires < now` (which includes the expires == 0 "never" entries, a cachelib quirk), then,
//    if still over, entries in ascending expires order (ties in insertion order, as Python's
//    stable sort over dict order) until len <= threshold; the cache can hold threshold + 1;
//  - add() returns false when the key is stored, even if expired; delete() returns whether
//    the key was stored (expired or not); set() always true; clear() true.
// Differences: one QMutex makes every call atomic (cachelib has none in 0.9.0), and inc() is
// atomic too. Inspection (rawGet, entrySize, scan) shows what is stored, expired or not; ttl()
// reports expired entries as Missing. scan cursors are insertion sequence numbers, so a key
// present for the whole scan is returned exactly once.
class SimpleCache : public Cache
{
public:
    explicit SimpleCache(int threshold = 500, qint64 defaultTimeout = 300);

    QString backendName() const override { return QStringLiteral("SimpleCache"); }
    QString location() const override { return QStringLiteral("in-process"); }

    int threshold() const { return m_threshold; }
    qint64 entryCount() const; // stored entries, expired ones included (cachelib's len(_cache))
    // Milliseconds since the epoch; tests inject a fake clock to step over expiries.
    void setClock(CacheClock clock);

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override;
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doRemove(const QByteArray &key) override;
    Expected<bool> doHas(const QByteArray &key) override;
    Expected<bool> doClear() override;
    Expected<std::optional<qint64>> doInc(const QByteArray &key, qint64 delta) override;
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) override;
    Expected<EntryTtl> doTtl(const QByteArray &key) override;
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) override;
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) override;

private:
    struct Entry
    {
        qint64 expires = 0; // absolute Unix seconds, 0 = never, <= now = expired
        QByteArray pickled;
        quint64 seq = 0;    // insertion order, kept on overwrite like a Python dict
    };

    qint64 nowMs() const { return m_clock(); }
    qint64 expiresFor(Timeout timeout, qint64 nowMs) const;
    static bool alive(const Entry &e, qint64 nowMs) { return e.expires == 0 || e.expires * 1000 > nowMs; }
    Expected<QByteArray> pickle(const QByteArray &key, const PyValue &value) const;
    // The following expect m_mutex to be held.
    void pruneLocked(qint64 nowMs);
    void storeLocked(const QByteArray &key, qint64 expires, QByteArray pickled);
    void eraseLocked(QHash<QByteArray, Entry>::iterator it);

    mutable QMutex m_mutex;
    QHash<QByteArray, Entry> m_entries;
    std::map<quint64, QByteArray> m_order; // seq -> key: dict order for pruning and the scan cursor
    quint64 m_nextSeq = 1;
    int m_threshold;
    CacheClock m_clock = systemClockMs;
};

} // namespace cachescope
