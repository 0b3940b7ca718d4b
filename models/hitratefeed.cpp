#include "hitratefeed.h"

#include "hitrateseries.h"

#include "cache/cache.h"
#include "cache/cachemanager.h"
#include "cache/memcachedcache.h"
#include "monitor/embeddedlayersampler.h"
#include "monitor/memcachedstatspoller.h"
#include "monitor/memcachedstatsrates.h"
#include "monitor/monitorsampler.h"
#include "monitor/recorder.h"
#include "monitor/redisinfopoller.h"
#include "monitor/replayer.h"
#include "monitor/statsdlistener.h"

#include <QDateTime>

#include <cmath>
#include <limits>

namespace cachescope {

HitRateFeed::HitRateFeed(HitRateSeries *series, QObject *parent)
    : QObject(parent), m_series(series), m_sampler(new EmbeddedLayerSampler(this))
{
    m_sampler->setIntervalMs(1000);
    connect(m_sampler, &EmbeddedLayerSampler::hitSample, this, &HitRateFeed::onLiveHit);
    // The demo rebuilds a cache when its threshold changes; follow it so the new counters are sampled.
    m_replacementCheck.setInterval(1000);
    connect(&m_replacementCheck, &QTimer::timeout, this, &HitRateFeed::followReplacedCaches);
}

HitRateFeed::~HitRateFeed()
{
    // Samplers and pollers stop (joining their threads) before the rest goes.
    stopMonitor();
    stopStatsd();
    m_servers.clear();
    m_memcachedServers.clear();
    stopRecording();
}

QString HitRateFeed::serverKey(const RedisUrl &url)
{
    RedisUrl server = url;
    server.db = 0; // INFO is server-wide: every database of a server shares one poller
    return server.redacted();
}

Expected<RedisUrl> HitRateFeed::redisUrlOf(const CacheSpec &spec)
{
    // INFO counts hits where the reads go: a Sentinel cache reads through a replica.
    return spec.connectionUrl(RedisSentinel::Role::Replica);
}

void HitRateFeed::setCacheManager(CacheManager *manager)
{
    m_sampler->stop();
    for (const auto &[purpose, cache] : m_held)
        m_sampler->removeCache(purposeConfigName(purpose));
    m_held.clear();
    std::erase_if(m_servers, [](const auto &entry) { return !entry.second.adHoc; });
    m_memcachedServers.clear();
    for (auto &[key, server] : m_servers)
        server.purposes.clear();
    m_manager = manager;
    if (!m_manager) {
        m_replacementCheck.stop();
        return;
    }
    for (CachePurpose purpose : m_manager->purposes()) {
        const auto spec = m_manager->spec(purpose);
        if (spec && spec->isRedisBacked()) {
            if (auto url = redisUrlOf(*spec))
                serverFor(*url, false).purposes.append(purpose);
            else
                Q_EMIT errorOccurred(tr("%1: %2").arg(purposeConfigName(purpose), url.error()));
        }
        if (spec && spec->backend == BackendType::Memcached)
            addMemcachedServers(purpose, *spec);
        if (spec && spec->backend == BackendType::Null)
            continue; // a NullCache counts nothing worth plotting
        if (auto cache = m_manager->cache(purpose)) {
            m_sampler->addCache(purposeConfigName(purpose), &cache->counters());
            m_held[purpose] = std::move(cache);
        }
    }
    m_sampler->start();
    m_replacementCheck.start();
}

void HitRateFeed::followReplacedCaches()
{
    if (!m_manager)
        return;
    for (auto &[purpose, held] : m_held) {
        auto now = m_manager->cache(purpose);
        if (now && now != held) {
            m_sampler->addCache(purposeConfigName(purpose), &now->counters()); // replaces the entry
            held = std::move(now); // the old counters stay alive until the sampler let go of them
        }
    }
}

HitRateFeed::Server &HitRateFeed::serverFor(const RedisUrl &url, bool adHoc)
{
    const QString key = serverKey(url);
    auto it = m_servers.find(key);
    if (it != m_servers.end()) {
        it->second.adHoc = it->second.adHoc || adHoc;
        return it->second;
    }
    Server &s = m_servers[key];
    s.adHoc = adHoc;
    s.url = url;
    s.url.db = 0;
    s.poller = std::make_unique<RedisInfoPoller>(s.url, 1000);
    connect(s.poller.get(), &RedisInfoPoller::hitSample, this, &HitRateFeed::onLiveHit);
    connect(s.poller.get(), &RedisInfoPoller::serverSample, this, &HitRateFeed::onLiveServer);
    connect(s.poller.get(), &RedisInfoPoller::errorOccurred, this, [this, key](const QString &message) {
        // A server that stays away would repeat the same error every second: say it once.
        auto found = m_servers.find(key);
        if (found == m_servers.end() || found->second.lastError == message)
            return;
        found->second.lastError = message;
        found->second.reachable = false;
        if (!found->second.awaySinceMs) {
            found->second.awaySinceMs = QDateTime::currentMSecsSinceEpoch();
            for (CachePurpose purpose : std::as_const(found->second.purposes))
                Q_EMIT serverStale(purpose, found->second.awaySinceMs);
        }
        // One signal: the window shows it as a banner that goes when the server answers again.
        Q_EMIT serverStateChanged(key, false, message);
    });
    connect(s.poller.get(), &RedisInfoPoller::pollFailed, this,
            [this, key](qint64 timestampMs, const QString &) { onPollFailed(key, timestampMs); });
    s.poller->start();
    return s;
}

void HitRateFeed::addMemcachedServers(CachePurpose purpose, const CacheSpec &spec)
{
    auto options = MemcachedCache::optionsFromSpec(spec);
    if (!options) {
        Q_EMIT errorOccurred(options.error());
        return;
    }
    for (const MemcachedEndpoint &endpoint : options->client.servers) {
        const QString key = QStringLiteral("memcached://") + endpoint.name();
        auto it = m_memcachedServers.find(key);
        if (it == m_memcachedServers.end()) {
            MemcachedServer &s = m_memcachedServers[key];
            s.poller = std::make_unique<MemcachedStatsPoller>(endpoint, options->client.credentials, 1000);
            connect(s.poller.get(), &MemcachedStatsPoller::hitSample, this, &HitRateFeed::onLiveHit);
            connect(s.poller.get(), &MemcachedStatsPoller::serverSample, this, &HitRateFeed::onMemcachedServer);
            connect(s.poller.get(), &MemcachedStatsPoller::prefixSample, this,
                    [this, key](const HitRateSample &sample) { onMemcachedPrefix(key, sample); });
            connect(s.poller.get(), &MemcachedStatsPoller::detailSettings, this,
                    [this, key](const QString &, bool enabled, char delimiter) {
                        auto found = m_memcachedServers.find(key);
                        if (found == m_memcachedServers.end())
                            return;
                        found->second.detailEnabled = enabled;
                        found->second.delimiter = delimiter;
                        if (!enabled)
                            Q_EMIT errorOccurred(
                                tr("%1 does not collect per-prefix statistics, so its caches show server-wide hit "
                                   "rates only. Per-cache rates need `stats detail on` on the server and key prefixes "
                                   "that end in its -D delimiter ('%2').")
                                    .arg(key, QChar::fromLatin1(delimiter)));
                    });
            connect(s.poller.get(), &MemcachedStatsPoller::errorOccurred, this, [this, key](const QString &message) {
                auto found = m_memcachedServers.find(key);
                if (found == m_memcachedServers.end() || found->second.lastError == message)
                    return;
                found->second.lastError = message;
                found->second.reachable = false;
                Q_EMIT serverStateChanged(key, false, message);
                Q_EMIT errorOccurred(message);
            });
            s.poller->start();
            it = m_memcachedServers.find(key);
        }
        if (!it->second.purposes.contains(purpose))
            it->second.purposes.append(purpose);
    }
}

void HitRateFeed::onMemcachedPrefix(const QString &server, HitRateSample sample)
{
    // Name the sample after the one cache whose key prefix memcached counts under it; a prefix
    // several caches share (or none) keeps its own name, "<prefix><delimiter>".
    auto it = m_memcachedServers.find(server);
    if (it == m_memcachedServers.end() || !m_manager)
        return;
    const QByteArray prefix = sample.cache.toUtf8();
    QStringList owners;
    for (CachePurpose purpose : std::as_const(it->second.purposes)) {
        const auto spec = m_manager->spec(purpose);
        if (spec && MemcachedStatsRates::detailPrefixOf(spec->keyPrefix, it->second.delimiter) == prefix)
            owners << purposeConfigName(purpose);
    }
    sample.cache = owners.size() == 1 ? owners.front() : sample.cache + QChar::fromLatin1(it->second.delimiter);
    onLiveHit(sample);
}

void HitRateFeed::onMemcachedServer(const ServerSample &sample)
{
    if (m_recorder && m_recorder->isOpen())
        m_recorder->recordServer(sample);
    auto it = m_memcachedServers.find(sample.server);
    if (it != m_memcachedServers.end()) {
        MemcachedServer &s = it->second;
        s.lastError.clear();
        s.usedMemory = sample.usedMemory;
        if (!s.reachable) {
            s.reachable = true;
            Q_EMIT serverStateChanged(sample.server, true, {});
        }
        // A cache spread over several servers: its memory and hit rate are the sums over them.
        for (CachePurpose purpose : std::as_const(s.purposes)) {
            quint64 memory = 0;
            double hits = 0, misses = 0;
            for (const auto &[key, other] : m_memcachedServers) {
                if (!other.purposes.contains(purpose))
                    continue;
                memory += other.usedMemory;
                hits += other.hitsPerSecond;
                misses += other.missesPerSecond;
            }
            Q_EMIT serverFigures(purpose, memory, hits + misses > 0 ? hits / (hits + misses) : -1);
        }
    }
    if (!m_replaying)
        onServer(sample);
}

Expected<int> HitRateFeed::startMonitor(int seconds)
{
    stopMonitor();
    if (m_servers.empty())
        return makeError(tr("No Redis server is polled: MONITOR needs one (open a config or connect to a Redis URL)"));
    for (auto &[key, server] : m_servers) {
        auto sampler = std::make_unique<MonitorSampler>(server.url);
        // Attribute keys to the caches of this server by their prefixes (longest wins).
        if (m_manager) {
            for (CachePurpose purpose : m_manager->purposes()) {
                const auto spec = m_manager->spec(purpose);
                if (!spec || spec->keyPrefix.isEmpty())
                    continue;
                if (auto url = redisUrlOf(*spec); url && serverKey(*url) == key)
                    sampler->addPrefix(spec->keyPrefix, purposeConfigName(purpose));
            }
        }
        connect(sampler.get(), &MonitorSampler::hitSample, this, &HitRateFeed::onLiveHit);
        connect(sampler.get(), &MonitorSampler::errorOccurred, this, &HitRateFeed::errorOccurred);
        connect(sampler.get(), &MonitorSampler::finished, this, [this] {
            if (!isMonitoring())
                Q_EMIT monitorFinished();
        });
        sampler->start(seconds);
        m_monitors.push_back(std::move(sampler));
    }
    return int(m_monitors.size());
}

void HitRateFeed::stopMonitor()
{
    for (auto &sampler : m_monitors)
        sampler->stop();
    m_monitors.clear();
}

bool HitRateFeed::isMonitoring() const
{
    for (const auto &sampler : m_monitors)
        if (sampler->isMonitoring())
            return true;
    return false;
}

Expected<bool> HitRateFeed::startStatsd(const QString &address, const QByteArray &prefix, const QString &forward)
{
    stopStatsd();
    auto where = StatsdListener::parseAddress(address);
    if (!where)
        return Error{where.error()};
    auto listener = std::make_unique<StatsdListener>();
    listener->setPrefix(prefix.isEmpty() ? QByteArray("superset") : prefix);
    if (!forward.isEmpty()) {
        auto to = StatsdListener::parseAddress(forward);
        if (!to)
            return Error{to.error()};
        listener->setForward(to->first, to->second);
    }
    if (auto ok = listener->listen(where->first, where->second); !ok)
        return Error{ok.error()};
    connect(listener.get(), &StatsdListener::hitSample, this, &HitRateFeed::onLiveHit);
    m_statsd = std::move(listener);
    return true;
}

void HitRateFeed::stopStatsd()
{
    if (m_statsd)
        m_statsd->close();
    m_statsd.reset();
}

void HitRateFeed::addRedisServer(const RedisUrl &url)
{
    serverFor(url, true);
}

QStringList HitRateFeed::servers() const
{
    QStringList out;
    for (const auto &[key, server] : m_servers)
        out << key;
    return out;
}

void HitRateFeed::onLiveHit(const HitRateSample &sample)
{
    if (sample.source == SampleSource::MemcachedStats && sample.exactness == Exactness::ServerWide) {
        auto it = m_memcachedServers.find(sample.cache);
        if (it != m_memcachedServers.end()) {
            it->second.hitsPerSecond = sample.hitsPerSecond;
            it->second.missesPerSecond = sample.missesPerSecond;
        }
    }
    if (sample.source == SampleSource::RedisInfo) {
        auto it = m_servers.find(sample.cache);
        if (it != m_servers.end()) {
            it->second.lastError.clear();
            const double rate = sample.hitRate();
            if (!std::isnan(rate))
                it->second.lastHitRate = rate;
        }
    }
    if (m_recorder && m_recorder->isOpen())
        m_recorder->recordHit(sample);
    if (!m_replaying)
        onHit(sample);
}

void HitRateFeed::onLiveServer(const ServerSample &sample)
{
    if (m_recorder && m_recorder->isOpen())
        m_recorder->recordServer(sample);
    auto it = m_servers.find(sample.server);
    if (it != m_servers.end()) {
        it->second.lastError.clear();
        if (!it->second.reachable) {
            it->second.reachable = true;
            if (it->second.awaySinceMs) {
                it->second.awaySinceMs = 0;
                for (CachePurpose purpose : std::as_const(it->second.purposes))
                    Q_EMIT serverStale(purpose, 0);
            }
            Q_EMIT serverStateChanged(sample.server, true, {});
        }
        for (CachePurpose purpose : std::as_const(it->second.purposes))
            Q_EMIT serverFigures(purpose, sample.usedMemory, it->second.lastHitRate);
    }
    if (!m_replaying)
        onServer(sample);
}

void HitRateFeed::onPollFailed(const QString &server, qint64 timestampMs)
{
    // Gap points: NaN rates for the server's own rows. Not recorded (a recording of the outage
    // simply has no samples there, which replays as the same gap) and not shown during a replay.
    if (m_replaying)
        return;
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    ServerSample gap;
    gap.timestampMs = timestampMs;
    gap.server = server;
    gap.evictionsPerSecond = gap.expirationsPerSecond = gap.opsPerSecond = kNaN;
    m_series->addServerSample(gap);
    // Only a server that has a hit-rate row already gets a gap in it (no row for a server that
    // never answered).
    if (m_series->rowOf(server, SampleSource::RedisInfo) >= 0) {
        HitRateSample hits;
        hits.timestampMs = timestampMs;
        hits.cache = server;
        hits.source = SampleSource::RedisInfo;
        hits.exactness = Exactness::ServerWide;
        hits.intervalSeconds = 1;
        hits.hitsPerSecond = hits.missesPerSecond = hits.setsPerSecond = kNaN;
        m_series->addHitSample(hits);
    }
}

void HitRateFeed::onHit(const HitRateSample &sample)
{
    m_series->addHitSample(sample);
}

void HitRateFeed::onServer(const ServerSample &sample)
{
    m_series->addServerSample(sample);
}

Expected<bool> HitRateFeed::startRecording(const QString &path)
{
    stopRecording();
    auto recorder = std::make_unique<Recorder>();
    auto opened = recorder->open(path);
    if (!opened)
        return makeError(opened.error());
    m_recorder = std::move(recorder);
    Q_EMIT recordingChanged(true);
    return true;
}

void HitRateFeed::stopRecording()
{
    if (!m_recorder)
        return;
    m_recorder->close();
    m_recorder.reset();
    Q_EMIT recordingChanged(false);
}

bool HitRateFeed::isRecording() const
{
    return m_recorder && m_recorder->isOpen();
}

quint64 HitRateFeed::recordedCount() const
{
    return m_recorder ? m_recorder->recordedCount() : 0;
}

Expected<bool> HitRateFeed::startReplay(const QString &path, double speed)
{
    auto replayer = std::make_unique<Replayer>();
    auto opened = replayer->open(path);
    if (!opened)
        return makeError(opened.error());
    if (m_replayer)
        m_replayer->stop();
    m_replayer = std::move(replayer);
    connect(m_replayer.get(), &Replayer::hitSample, this, &HitRateFeed::onHit);
    connect(m_replayer.get(), &Replayer::serverSample, this, &HitRateFeed::onServer);
    connect(m_replayer.get(), &Replayer::finished, this, &HitRateFeed::replayFinished);
    m_replaying = true;
    m_series->clear();
    m_replayer->start(speed);
    return true;
}

void HitRateFeed::stopReplay()
{
    if (!m_replaying)
        return;
    if (m_replayer)
        m_replayer->stop();
    m_replaying = false;
    m_series->clear();
}

} // namespace cachescope
