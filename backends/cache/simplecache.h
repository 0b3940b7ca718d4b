#pragma once

#include "cache.h"
#include "cacheclock.h"
#include "flatkeymap.h"

#include <QMutex>

#include <map>

namespace cachescope {

// cachelib 0.9.0's SimpleCache (simple.py), thread-safe: {key: (expires, value)}.
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
// Differences, all for speed or safety, none visible in return values:
//  - cachelib pickles on set and unpickles on get (so callers get fresh copies). Here the
//    PyValue itself is kept and handed back (its containers are shared, like Python
//    references): callers must treat values given to set() and returned by get() as
//    immutable. The pickle is produced on demand for rawGet()/entrySize() and remembered;
//  - one QMutex makes every call atomic (cachelib 0.9.0 has no lock), inc() included;
//  - time comes from the kernel's coarse wall clock (tick resolution) by default.
// Inspection (rawGet, entrySize, scan) shows what is stored, expired or not; ttl() reports
// expired entries as Missing. Scan cursors are insertion sequence numbers, so a key present
// for the whole scan is returned exactly once.
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
        PyValue value;
        QByteArray pickled; // empty until rawGet()/entrySize() asked for it
        quint64 seq = 0;    // insertion order, kept on overwrite like a Python dict
    };

    // The default clock is called directly: a std::function call per get is measurable here.
    qint64 nowMs() const { return m_clock ? m_clock() : coarseClockMs(); }
    // expires for a timeout; reads the clock only for positive timeouts, as cachelib does.
    qint64 expiresFor(Timeout timeout) const;
    static bool alive(const Entry &e, const SimpleCache &self) { return e.expires == 0 || expiresAfter(e.expires, self.nowMs()); }
    // The following expect m_mutex to be held.
    void pruneLocked();
    void storeLocked(const QByteArray &key, qint64 expires, const PyValue &value);
    void eraseLocked(const QByteArray &key, const Entry &entry);
    Expected<QByteArray> pickledLocked(const QByteArray &key, Entry &entry);

    mutable QMutex m_mutex;
    FlatKeyMap<Entry> m_entries;
    std::map<quint64, QByteArray> m_order; // seq -> key: dict order for pruning and the scan cursor
    quint64 m_nextSeq = 1;
    int m_threshold;
    CacheClock m_clock; // empty: coarseClockMs
};

} // namespace cachescope
