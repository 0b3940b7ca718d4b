#pragma once

#include "cache/cachecounters.h"
#include "hitratesample.h"

#include <QList>
#include <QObject>


class QTimer;

namespace cachescope {

// Samples the embedded cache layer's own counters (exact: counted at every call) per purpose.
// Reading the atomics is cheap, so this runs on its owner's thread with a timer.
class EmbeddedLayerSampler : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedLayerSampler(QObject *parent = nullptr);

    // The counters must outlive this sampler (or be removed first).
    void addCache(const QString &cache, const CacheCounters *counters);
    void removeCache(const QString &cache);
    void setIntervalMs(int ms);
    void start();
    void stop();

    // One sample per cache for the interval since the previous call (the first call sets the baseline).
    QList<HitRateSample> sampleNow(qint64 nowMs);

Q_SIGNALS:
    void hitSample(const cachescope::HitRateSample &sample);

private:
    struct Entry
    {
        QString cache;
        const CacheCounters *counters;
        CacheCountersSnapshot previous;
        qint64 previousMs = 0;
    };
    void tick();

    QList<Entry> m_entries;
    QTimer *m_timer;
};

} // namespace cachescope
