#include "monitorestimator.h"

#include <algorithm>

namespace cachescope {

MonitorEstimator::MonitorEstimator(double missWindowSeconds, int maxPending)
    : m_window(missWindowSeconds), m_maxPending(qMax(1, maxPending))
{
}

void MonitorEstimator::addPrefix(const QByteArray &prefix, const QString &cache)
{
    m_prefixes.append({prefix, cache});
    std::stable_sort(m_prefixes.begin(), m_prefixes.end(),
                     [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
}

QString MonitorEstimator::cacheForKey(const QByteArray &key) const
{
    for (const auto &[prefix, cache] : m_prefixes) {
        if (key.startsWith(prefix))
            return cache;
    }
    return m_unmatched;
}

void MonitorEstimator::feed(const MonitorLine &line)
{
    m_now = std::max(m_now, line.timestamp);
    settle(m_now);
    const QByteArray cmd = line.args.first().toUpper();
    const auto &a = line.args;
    auto forKeys = [&](qsizetype first, qsizetype step, auto fn) {
        for (qsizetype i = first; i < a.size(); i += step)
            fn(a.at(i));
    };
    if (cmd == "GET" || cmd == "GETEX" || cmd == "GETDEL") {
        if (a.size() >= 2)
            read(a.at(1), line.timestamp);
    } else if (cmd == "MGET") {
        forKeys(1, 1, [&](const QByteArray &k) { read(k, line.timestamp); });
    } else if (cmd == "SET" || cmd == "SETEX" || cmd == "PSETEX" || cmd == "SETNX" || cmd == "GETSET") {
        if (a.size() >= 2)
            write(a.at(1), line.timestamp);
    } else if (cmd == "MSET" || cmd == "MSETNX") {
        forKeys(1, 2, [&](const QByteArray &k) { write(k, line.timestamp); });
    } else if (cmd == "DEL" || cmd == "UNLINK") {
        forKeys(1, 1, [&](const QByteArray &k) {
            const QString cache = cacheForKey(k);
            if (cache.isEmpty())
                return;
            ++m_totals[cache].deletes;
            ++m_interval[cache].deletes;
        });
    }
}

void MonitorEstimator::read(const QByteArray &key, double time)
{
    const QString cache = cacheForKey(key);
    if (cache.isEmpty())
        return;
    ++m_totals[cache].reads;
    ++m_interval[cache].reads;
    m_pending.push_back({time, key, cache});
    ++m_pendingCount[key];
    while (qsizetype(m_pending.size()) > m_maxPending) { // bounded: the oldest gets its verdict early
        verdictHit(m_pending.front());
        m_pending.pop_front();
    }
}

void MonitorEstimator::write(const QByteArray &key, double time)
{
    const QString cache = cacheForKey(key);
    if (cache.isEmpty())
        return;
    ++m_totals[cache].writes;
    ++m_interval[cache].writes;
    auto it = m_pendingCount.find(key);
    if (it == m_pendingCount.end())
        return;
    // Every unresolved read of this key within the window was a miss that this write fills.
    const int misses = it.value();
    m_pendingCount.erase(it);
    m_lastMissResolved.insert(key, time);
    m_totals[cache].misses += quint64(misses);
    m_interval[cache].misses += quint64(misses);
}

void MonitorEstimator::verdictHit(const PendingRead &r)
{
    auto it = m_pendingCount.find(r.key);
    if (it == m_pendingCount.end())
        return; // already resolved as a miss by a write
    if (--it.value() <= 0)
        m_pendingCount.erase(it);
    ++m_totals[r.cache].hits;
    ++m_interval[r.cache].hits;
}

void MonitorEstimator::settle(double now)
{
    while (!m_pending.empty() && m_pending.front().time < now - m_window) {
        const PendingRead &r = m_pending.front();
        // A stale entry: a write already resolved this read (and all older reads of the key).
        const auto resolved = m_lastMissResolved.constFind(r.key);
        if (resolved == m_lastMissResolved.cend() || resolved.value() < r.time)
            verdictHit(r);
        m_pending.pop_front();
    }
    // Keep the resolution memo bounded to keys that can still be in the queue.
    if (m_lastMissResolved.size() > m_maxPending)
        m_lastMissResolved.clear();
}

QList<HitRateSample> MonitorEstimator::takeSamples(qint64 nowMs, double intervalSeconds)
{
    QList<HitRateSample> out;
    if (intervalSeconds <= 0)
        return out;
    for (auto it = m_interval.cbegin(); it != m_interval.cend(); ++it) {
        const Totals &t = it.value();
        HitRateSample s;
        s.timestampMs = nowMs;
        s.cache = it.key();
        s.source = SampleSource::Monitor;
        s.exactness = Exactness::Estimated;
        s.intervalSeconds = intervalSeconds;
        const quint64 misses = std::min(t.misses, t.reads);
        s.missesPerSecond = double(misses) / intervalSeconds;
        s.hitsPerSecond = double(t.reads - misses) / intervalSeconds;
        s.setsPerSecond = double(t.writes) / intervalSeconds;
        out.append(s);
    }
    m_interval.clear();
    return out;
}

QHash<QString, MonitorEstimator::Totals> MonitorEstimator::finish()
{
    while (!m_pending.empty()) {
        const PendingRead &r = m_pending.front();
        const auto resolved = m_lastMissResolved.constFind(r.key);
        if (resolved == m_lastMissResolved.cend() || resolved.value() < r.time)
            verdictHit(r);
        m_pending.pop_front();
    }
    m_pendingCount.clear();
    m_lastMissResolved.clear();
    return m_totals;
}

} // namespace cachescope
