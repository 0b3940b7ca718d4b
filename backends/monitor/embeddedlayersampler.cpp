#include "embeddedlayersampler.h"

#include <QDateTime>
#include <QTimer>

namespace cachescope {

EmbeddedLayerSampler::EmbeddedLayerSampler(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    qRegisterMetaType<HitRateSample>();
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &EmbeddedLayerSampler::tick);
}

void EmbeddedLayerSampler::addCache(const QString &cache, const CacheCounters *counters)
{
    removeCache(cache);
    m_entries.append({cache, counters, counters->snapshot(), QDateTime::currentMSecsSinceEpoch()});
}

void EmbeddedLayerSampler::removeCache(const QString &cache)
{
    m_entries.removeIf([&](const Entry &e) { return e.cache == cache; });
}

void EmbeddedLayerSampler::setIntervalMs(int ms)
{
    m_timer->setInterval(qMax(10, ms));
}

void EmbeddedLayerSampler::start()
{
    m_timer->start();
}

void EmbeddedLayerSampler::stop()
{
    m_timer->stop();
}

void EmbeddedLayerSampler::tick()
{
    for (const HitRateSample &s : sampleNow(QDateTime::currentMSecsSinceEpoch()))
        Q_EMIT hitSample(s);
}

QList<HitRateSample> EmbeddedLayerSampler::sampleNow(qint64 nowMs)
{
    QList<HitRateSample> out;
    for (Entry &e : m_entries) {
        const CacheCountersSnapshot now = e.counters->snapshot();
        const double seconds = double(nowMs - e.previousMs) / 1000.0;
        // The counters only grow; a smaller value would be a replaced cache: new baseline, no sample.
        const bool reset = now.hits < e.previous.hits || now.misses < e.previous.misses || now.sets < e.previous.sets;
        if (seconds > 0 && !reset) {
            HitRateSample s;
            s.timestampMs = nowMs;
            s.cache = e.cache;
            s.source = SampleSource::Embedded;
            s.exactness = Exactness::Exact;
            s.intervalSeconds = seconds;
            s.hitsPerSecond = double(now.hits - e.previous.hits) / seconds;
            s.missesPerSecond = double(now.misses - e.previous.misses) / seconds;
            s.setsPerSecond = double(now.sets - e.previous.sets) / seconds;
            out.append(s);
        }
        e.previous = now;
        e.previousMs = nowMs;
    }
    return out;
}

} // namespace cachescope
