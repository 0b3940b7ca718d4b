#pragma once

#include "hitratesample.h"
#include "monitorline.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>

namespace cachescope {

// Attributes MONITOR commands to caches by key prefix (longest prefix wins) and estimates misses:
// MONITOR shows commands, not replies, so a read of a key that the same key's write follows within
// the window (cachelib's get-then-set on a miss) counts as a miss; a read no write follows is a hit.
// Pure (no I/O); memory is bounded by maxPending reads awaiting a verdict.
class MonitorEstimator
{
public:
    struct Totals
    {
        quint64 reads = 0, writes = 0, deletes = 0, misses = 0, hits = 0; // hits/misses: reads with a verdict
        double hitRate() const { return hits + misses ? double(hits) / double(hits + misses) : 0.0; }
    };

    explicit MonitorEstimator(double missWindowSeconds = 5.0, int maxPending = 100000);

    // prefix (as stored in Redis, e.g. "superset_") -> cache name ("DATA_CACHE_CONFIG").
    void addPrefix(const QByteArray &prefix, const QString &cache);
    // Keys matching no prefix are attributed to this name (empty = ignored).
    void setUnmatchedName(const QString &name) { m_unmatched = name; }

    void feed(const MonitorLine &line);
    // Gives every read older than the window (relative to `now`, seconds) its verdict: a hit.
    void settle(double now);
    // Samples for the interval since the last call, one per cache with traffic; resets them.
    QList<HitRateSample> takeSamples(qint64 nowMs, double intervalSeconds);
    // All reads get their verdict (end of the time box) and the totals per cache are returned.
    QHash<QString, Totals> finish();
    const QHash<QString, Totals> &totals() const { return m_totals; }

    QString cacheForKey(const QByteArray &key) const;

private:
    struct PendingRead
    {
        double time;
        QByteArray key;
        QString cache;
    };
    void read(const QByteArray &key, double time);
    void write(const QByteArray &key, double time);
    void verdictHit(const PendingRead &r);

    double m_window;
    int m_maxPending;
    QList<QPair<QByteArray, QString>> m_prefixes; // sorted longest first
    QString m_unmatched;
    std::deque<PendingRead> m_pending;        // in time order
    QHash<QByteArray, int> m_pendingCount;    // key -> reads of it in m_pending not yet resolved
    QHash<QByteArray, double> m_lastMissResolved; // key -> newest read time already counted as a miss
    QHash<QString, Totals> m_totals;
    QHash<QString, Totals> m_interval;
    double m_now = 0;
};

} // namespace cachescope
