#include "memcachedstatsrates.h"

#include "memcached/memcachedreplies.h"

namespace cachescope {

namespace {

quint64 counter(const QHash<QByteArray, QByteArray> &stats, const char *name)
{
    return stats.value(QByteArray(name)).toULongLong();
}

double rate(quint64 now, quint64 before, double seconds)
{
    return now >= before && seconds > 0 ? double(now - before) / seconds : 0.0;
}

} // namespace

MemcachedStatsRates::MemcachedStatsRates(QString server) : m_server(std::move(server)) {}

void MemcachedStatsRates::setSettings(bool detailEnabled, char delimiter)
{
    m_detailEnabled = detailEnabled;
    m_delimiter = delimiter;
}

QByteArray MemcachedStatsRates::detailPrefixOf(const QByteArray &keyPrefix, char delimiter)
{
    // memcached/memcached › stats_prefix.c › stats_prefix_find (@1.6.18): the prefix ends at the
    // first delimiter; a key without one has no prefix statistics.
    const qsizetype at = keyPrefix.indexOf(delimiter);
    return at < 0 ? QByteArray() : keyPrefix.left(at);
}

MemcachedStatsRates::Result MemcachedStatsRates::feed(const QList<std::pair<QByteArray, QByteArray>> &statList,
                                                      const QList<QByteArray> &detailLines, qint64 nowMs)
{
    QHash<QByteArray, QByteArray> stats;
    for (const auto &[name, value] : statList)
        stats.insert(name, value);
    Counters now;
    now.pid = stats.value("pid");
    now.uptime = stats.value("uptime").toLongLong();
    now.hits = counter(stats, "get_hits");
    now.misses = counter(stats, "get_misses");
    now.sets = counter(stats, "cmd_set");
    now.evicted = counter(stats, "evictions");
    now.expired = counter(stats, "reclaimed") + counter(stats, "crawler_reclaimed");
    now.commands = counter(stats, "cmd_get") + counter(stats, "cmd_set") + counter(stats, "cmd_touch")
                 + counter(stats, "cmd_meta") + counter(stats, "delete_hits") + counter(stats, "delete_misses")
                 + counter(stats, "incr_hits") + counter(stats, "incr_misses") + counter(stats, "decr_hits")
                 + counter(stats, "decr_misses");
    for (const QByteArray &line : detailLines) {
        auto p = memcachedreplies::parsePrefixLine(line);
        if (p)
            now.prefixes.insert(p->prefix, Prefix{p->gets, p->hits, p->sets});
    }

    Result result;
    result.detailEnabled = m_detailEnabled;
    result.server.timestampMs = nowMs;
    result.server.server = m_server;
    result.server.usedMemory = counter(stats, "bytes");
    result.server.maxMemory = counter(stats, "limit_maxbytes");
    result.server.keys = counter(stats, "curr_items");
    if (m_previous) {
        const Counters &before = *m_previous;
        const double seconds = double(nowMs - m_previousMs) / 1000.0;
        const bool reset = now.pid != before.pid || now.uptime < before.uptime || now.hits < before.hits
                        || now.misses < before.misses || now.sets < before.sets || now.commands < before.commands;
        result.server.intervalSeconds = seconds;
        result.server.counterReset = reset;
        if (!reset && seconds > 0) {
            result.server.evictionsPerSecond = rate(now.evicted, before.evicted, seconds);
            result.server.expirationsPerSecond = rate(now.expired, before.expired, seconds);
            result.server.opsPerSecond = rate(now.commands, before.commands, seconds);
            HitRateSample hits;
            hits.timestampMs = nowMs;
            hits.cache = m_server;
            hits.source = SampleSource::MemcachedStats;
            hits.exactness = Exactness::ServerWide;
            hits.intervalSeconds = seconds;
            hits.hitsPerSecond = rate(now.hits, before.hits, seconds);
            hits.missesPerSecond = rate(now.misses, before.misses, seconds);
            hits.setsPerSecond = rate(now.sets, before.sets, seconds);
            result.hits = hits;
            for (auto it = now.prefixes.cbegin(); it != now.prefixes.cend(); ++it) {
                const Prefix was = before.prefixes.value(it.key());
                const Prefix &is = it.value();
                if (is.gets < was.gets || is.hits < was.hits || is.sets < was.sets || is.hits > is.gets)
                    continue; // `stats detail dump` was reset in between: skip the interval
                HitRateSample p;
                p.timestampMs = nowMs;
                p.cache = QString::fromUtf8(it.key());
                p.source = SampleSource::MemcachedStats;
                p.exactness = Exactness::Exact;
                p.intervalSeconds = seconds;
                p.hitsPerSecond = rate(is.hits, was.hits, seconds);
                p.missesPerSecond = rate(is.gets - is.hits, was.gets - std::min(was.gets, was.hits), seconds);
                p.setsPerSecond = rate(is.sets, was.sets, seconds);
                result.prefixes.append(p);
            }
        }
    }
    m_previous = std::move(now);
    m_previousMs = nowMs;
    return result;
}

} // namespace cachescope
