#include "whatif.h"

#include <cmath>

namespace cachescope {

Expected<WhatIfResult> whatIf(RecordSource &source, const WhatIfRequest &request, const TraceProfile &profile,
                              const std::atomic_bool *cancel)
{
    auto run = replayOneSize(source, request.cache, request.policy, request.unit, request.size, request.replay, profile,
                             request.sampleRate, request.seed, request.masters, cancel);
    if (!run)
        return Error{run.error()};
    const SimStats &s = run->stats;
    const double scale = 1.0 / run->sampleRate; // sampled counts stand for 1/R as many
    WhatIfResult r;
    r.sampleRate = run->sampleRate;
    r.seconds = qMax(profile.seconds(), s.seconds());
    const double seconds = qMax(r.seconds, 1e-3);
    r.hitRatio = s.hitRatio();
    const bool counts = !isThresholdPolicy(request.policy);
    r.meanUsed = s.meanUsed() * (counts || run->sampleRate < 1 ? scale : 1.0);
    r.peakUsed = double(s.peakUsed) * scale;
    r.readsPerSecond = double(s.reads) * scale / seconds;
    r.missesPerSecond = double(s.reads - s.hits) * scale / seconds;
    r.evictionsPerSecond = double(s.evictions) * scale / seconds;
    r.expirationsPerSecond = double(s.expirations) * scale / seconds;
    r.refusedPerSecond = double(s.refused) * scale / seconds;
    return r;
}

CurrentConfig currentConfigFor(const TraceCacheInfo &info)
{
    CurrentConfig c;
    c.defaultTimeout = info.defaultTimeout;
    const QString timeout = info.defaultTimeout < 0  ? QString()
                          : info.defaultTimeout == 0 ? QStringLiteral(", no timeout")
                                                     : QStringLiteral(", timeout %1 s").arg(info.defaultTimeout);
    if (info.backend == u"SimpleCache") {
        c.known = true;
        c.policy = CachePolicy::SimpleThreshold;
        c.unit = SizeUnit::Keys;
        c.size = info.threshold > 0 ? quint64(info.threshold) : 500;
        c.description = QStringLiteral("SimpleCache, CACHE_THRESHOLD %1%2").arg(c.size).arg(timeout);
    } else if (info.backend == u"FileSystemCache") {
        c.known = true;
        c.policy = CachePolicy::FileSystemThreshold;
        c.unit = SizeUnit::Keys;
        c.size = info.threshold > 0 ? quint64(info.threshold) : 0;
        c.description = info.threshold > 0 ? QStringLiteral("FileSystemCache, CACHE_THRESHOLD %1%2").arg(c.size).arg(timeout)
                                           : QStringLiteral("FileSystemCache, no threshold%1").arg(timeout);
    } else if (info.backend == u"RedisCache") {
        c.known = true;
        c.unit = SizeUnit::RedisBytes;
        c.size = quint64(qMax<qint64>(0, info.maxMemory));
        const auto policy = policyFromName(info.evictionPolicy);
        c.policy = policy && isRedisPolicy(*policy) ? *policy : CachePolicy::RedisAllKeysLru;
        c.masters = qMax(1, info.masters);
        const QString where = c.masters > 1 ? QStringLiteral(" on %1 cluster masters").arg(c.masters) : QString();
        c.description = info.maxMemory > 0
                          ? QStringLiteral("RedisCache%1, %2 for data (%3)%4")
                                .arg(where, formatSize(double(info.maxMemory), SizeUnit::Bytes),
                                     info.evictionPolicy.isEmpty() ? QStringLiteral("allkeys-lru assumed") : info.evictionPolicy, timeout)
                          : QStringLiteral("RedisCache%1, no maxmemory%2").arg(where, timeout);
    }
    return c;
}

QString formatSize(double size, SizeUnit unit)
{
    if (unit == SizeUnit::Keys)
        return QStringLiteral("%1 keys").arg(std::llround(size));
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (size >= 1024 && u < 4) {
        size /= 1024;
        ++u;
    }
    return u == 0 ? QStringLiteral("%1 B").arg(std::llround(size))
                  : QStringLiteral("%1 %2").arg(size, 0, 'f', size < 10 ? 2 : 1).arg(QLatin1String(units[u]));
}

Recommendation recommend(const CurveResult &curve, const CurrentConfig &current, double tolerance)
{
    Recommendation r;
    if (curve.points.isEmpty())
        return r;
    double best = 0;
    for (const CurvePoint &p : curve.points)
        best = qMax(best, p.hitRatio);
    for (const CurvePoint &p : curve.points) {
        if (p.hitRatio >= best - tolerance) {
            r.size = p.size;
            r.hitRatio = p.hitRatio;
            break;
        }
    }
    const QString at = QStringLiteral("%1 reaches a hit ratio of %2, within %3 of the best this trace allows (%4)")
                           .arg(formatSize(double(r.size), curve.unit))
                           .arg(r.hitRatio, 0, 'f', 3)
                           .arg(tolerance, 0, 'f', 2)
                           .arg(best, 0, 'f', 3);
    if (!current.known || current.size == 0 || current.unit != curve.unit) {
        r.text = at + QLatin1Char('.');
        return r;
    }
    const double now = curve.hitRatioAt(current.size);
    if (current.size < r.size)
        r.text = QStringLiteral("Grow from %1 (predicted hit ratio %2) to %3: %4.")
                     .arg(formatSize(double(current.size), curve.unit))
                     .arg(now, 0, 'f', 3)
                     .arg(formatSize(double(r.size), curve.unit), at);
    else if (current.size > r.size * 3 / 2)
        r.text = QStringLiteral("%1 is more than needed (predicted hit ratio %2): %3.")
                     .arg(formatSize(double(current.size), curve.unit))
                     .arg(now, 0, 'f', 3)
                     .arg(at);
    else
        r.text = QStringLiteral("Keep %1 (predicted hit ratio %2): %3.")
                     .arg(formatSize(double(current.size), curve.unit))
                     .arg(now, 0, 'f', 3)
                     .arg(at);
    return r;
}

} // namespace cachescope
