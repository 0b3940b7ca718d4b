#include "hitratesample.h"

namespace cachescope {

QString sampleSourceName(SampleSource source)
{
    switch (source) {
    case SampleSource::Embedded: return QStringLiteral("embedded");
    case SampleSource::RedisInfo: return QStringLiteral("redis-info");
    case SampleSource::Statsd: return QStringLiteral("statsd");
    case SampleSource::Monitor: return QStringLiteral("monitor");
    case SampleSource::MemcachedStats: return QStringLiteral("memcached-stats");
    }
    return {};
}

QString exactnessName(Exactness exactness)
{
    switch (exactness) {
    case Exactness::Exact: return QStringLiteral("exact");
    case Exactness::ServerWide: return QStringLiteral("server-wide");
    case Exactness::AsReported: return QStringLiteral("as reported");
    case Exactness::Estimated: return QStringLiteral("estimated");
    }
    return {};
}

std::optional<SampleSource> sampleSourceFromName(const QString &name)
{
    for (SampleSource s : {SampleSource::Embedded, SampleSource::RedisInfo, SampleSource::Statsd, SampleSource::Monitor,
                           SampleSource::MemcachedStats})
        if (sampleSourceName(s) == name)
            return s;
    return std::nullopt;
}

std::optional<Exactness> exactnessFromName(const QString &name)
{
    for (Exactness e : {Exactness::Exact, Exactness::ServerWide, Exactness::AsReported, Exactness::Estimated})
        if (exactnessName(e) == name)
            return e;
    return std::nullopt;
}

} // namespace cachescope
