#include "statscommand.h"

#include "clioutput.h"
#include "commandline.h"

#include "cache/memcachedcache.h"
#include "config/configcommandline.h"
#include "monitor/hitratesample.h"
#include "monitor/keyspacenotifier.h"
#include "monitor/memcachedstatspoller.h"
#include "monitor/memcachedstatsrates.h"
#include "monitor/monitorsampler.h"
#include "monitor/recorder.h"
#include "monitor/redisinfopoller.h"
#include "monitor/replayer.h"
#include "monitor/statsdlistener.h"
#include "redis/redisconnector.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// The config's caches a server sample or a server-wide INFO sample covers (empty without --config).
using ServerCaches = QHash<QString, QStringList>;

QByteArray formatHit(const HitRateSample &s, bool json, const ServerCaches &serverCaches = {})
{
    const bool serverWide = s.source == SampleSource::RedisInfo
                         || (s.source == SampleSource::MemcachedStats && s.exactness == Exactness::ServerWide);
    const QStringList caches = serverWide ? serverCaches.value(s.cache) : QStringList();
    if (json) {
        QJsonObject o{{QStringLiteral("type"), QStringLiteral("hit-rate")},
                      {QStringLiteral("time"), isoTime(s.timestampMs)},
                      {QStringLiteral("ts_ms"), double(s.timestampMs)},
                      {QStringLiteral("cache"), s.cache},
                      {QStringLiteral("source"), sampleSourceName(s.source)},
                      {QStringLiteral("exactness"), exactnessName(s.exactness)},
                      {QStringLiteral("interval_s"), number(s.intervalSeconds)},
                      {QStringLiteral("hit_rate"), number(s.hitRate())},
                      {QStringLiteral("hits_per_s"), number(s.hitsPerSecond)},
                      {QStringLiteral("misses_per_s"), number(s.missesPerSecond)},
                      {QStringLiteral("sets_per_s"), number(s.setsPerSecond)}};
        if (!caches.isEmpty())
            o.insert(QStringLiteral("caches"), QJsonArray::fromStringList(caches));
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    const double rate = s.hitRate();
    return QStringLiteral("%1  %2  %3 (%4)  hit rate %5  hits %6/s  misses %7/s  sets %8/s")
        .arg(isoTime(s.timestampMs), s.cache, sampleSourceName(s.source), exactnessName(s.exactness),
             std::isnan(rate) ? QStringLiteral("-") : QString::number(rate * 100, 'f', 1) + QStringLiteral(" %"),
             QString::number(s.hitsPerSecond, 'f', 1), QString::number(s.missesPerSecond, 'f', 1),
             QString::number(s.setsPerSecond, 'f', 1))
               .toUtf8()
         + (caches.isEmpty() ? QByteArray() : "  [" + caches.join(QStringLiteral(", ")).toUtf8() + ']');
}

QByteArray formatServer(const ServerSample &s, bool json, const ServerCaches &serverCaches = {})
{
    const QStringList caches = serverCaches.value(s.server);
    if (json) {
        QJsonObject o{{QStringLiteral("type"), QStringLiteral("server")},
                      {QStringLiteral("time"), isoTime(s.timestampMs)},
                      {QStringLiteral("ts_ms"), double(s.timestampMs)},
                      {QStringLiteral("server"), s.server},
                      {QStringLiteral("interval_s"), number(s.intervalSeconds)},
                      {QStringLiteral("used_memory"), double(s.usedMemory)},
                      {QStringLiteral("maxmemory"), double(s.maxMemory)},
                      {QStringLiteral("evictions_per_s"), number(s.evictionsPerSecond)},
                      {QStringLiteral("expirations_per_s"), number(s.expirationsPerSecond)},
                      {QStringLiteral("ops_per_s"), number(s.opsPerSecond)},
                      {QStringLiteral("keys"), double(s.keys)},
                      {QStringLiteral("expires"), double(s.expires)},
                      {QStringLiteral("counter_reset"), s.counterReset}};
        if (!caches.isEmpty())
            o.insert(QStringLiteral("caches"), QJsonArray::fromStringList(caches));
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    return QStringLiteral("%1  %2  memory %3/%4  evictions %5/s  expirations %6/s  ops %7/s  keys %8%9")
        .arg(isoTime(s.timestampMs), s.server, QString::number(s.usedMemory),
             s.maxMemory ? QString::number(s.maxMemory) : QStringLiteral("unlimited"),
             QString::number(s.evictionsPerSecond, 'f', 1), QString::number(s.expirationsPerSecond, 'f', 1),
             QString::number(s.opsPerSecond, 'f', 0), QString::number(s.keys),
             s.counterReset ? QStringLiteral("  (counters reset)") : QString())
               .toUtf8()
         + (caches.isEmpty() ? QByteArray() : "  [" + caches.join(QStringLiteral(", ")).toUtf8() + ']');
}

QByteArray formatKeyEvents(const KeyEventSample &s, bool json)
{
    if (json)
        return QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("key-events")},
                                         {QStringLiteral("time"), isoTime(s.timestampMs)},
                                         {QStringLiteral("ts_ms"), double(s.timestampMs)},
                                         {QStringLiteral("server"), s.server},
                                         {QStringLiteral("cache"), s.cache},
                                         {QStringLiteral("interval_s"), number(s.intervalSeconds)},
                                         {QStringLiteral("expired_per_s"), number(s.expiredPerSecond())},
                                         {QStringLiteral("evicted_per_s"), number(s.evictedPerSecond())}})
            .toJson(QJsonDocument::Compact);
    return QStringLiteral("%1  %2  keyspace events (exact)  expired %3/s  evicted %4/s")
        .arg(isoTime(s.timestampMs), s.cache, QString::number(s.expiredPerSecond(), 'f', 1),
             QString::number(s.evictedPerSecond(), 'f', 1))
        .toUtf8();
}

QByteArray formatMonitorTotals(const QHash<QString, MonitorEstimator::Totals> &totals, bool json)
{
    QJsonObject caches;
    QStringList lines;
    for (auto it = totals.cbegin(); it != totals.cend(); ++it) {
        const auto &t = it.value();
        caches.insert(it.key(), QJsonObject{{QStringLiteral("reads"), double(t.reads)},
                                            {QStringLiteral("writes"), double(t.writes)},
                                            {QStringLiteral("deletes"), double(t.deletes)},
                                            {QStringLiteral("estimated_hits"), double(t.hits)},
                                            {QStringLiteral("estimated_misses"), double(t.misses)},
                                            {QStringLiteral("estimated_hit_rate"),
                                             t.hits + t.misses ? QJsonValue(t.hitRate()) : QJsonValue()}});
        lines << QStringLiteral("%1: %2 reads, %3 writes, estimated hit rate %4 %")
                     .arg(it.key())
                     .arg(t.reads)
                     .arg(t.writes)
                     .arg(t.hitRate() * 100, 0, 'f', 1);
    }
    if (json)
        return QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("monitor-totals")},
                                         {QStringLiteral("caches"), caches}})
            .toJson(QJsonDocument::Compact);
    return (QStringLiteral("MONITOR totals: ") + lines.join(QStringLiteral("; "))).toUtf8();
}

// One Redis server to poll, with the key prefixes MONITOR attributes to caches.
struct RedisSource
{
    RedisUrl url;
    QStringList caches;                            // the config's purposes on this server
    QList<QPair<QByteArray, QString>> prefixes;    // key prefix -> cache name
};

// One memcached server to poll, with the caches' key prefixes its `stats detail` may count.
struct MemcachedSource
{
    MemcachedEndpoint endpoint;
    MemcachedLink::Credentials credentials;
    QStringList caches;
    QList<QPair<QByteArray, QString>> prefixes; // cache key prefix -> cache name
};

struct StatsOptions
{
    QString config;
    QString redis;
    QList<RedisSource> servers; // from --redis, or every distinct server of --config's caches
    QList<MemcachedSource> memcached; // from --memcached, or every memcached server of --config's caches
    bool statsd = false;
    QString statsdAddress = QStringLiteral("127.0.0.1:8125");
    QString statsdForward;
    QByteArray statsdPrefix = "superset";
    int monitorSeconds = 0;
    QList<QPair<QByteArray, QString>> prefixes;
    double interval = 1.0;
    int count = 0; // 0 = until interrupted (or the MONITOR box ends when it is the only source)
    bool json = false;
};

// "host:port", the socket path or "sentinel NAME": INFO is per server, whatever the DB.
QString serverIdentity(const RedisUrl &url)
{
    return RedisConnector::serverName(url, false);
}

// Every distinct Redis server of the config's caches, with the purposes and key prefixes on it.
// Caches that share a server and a prefix cannot be told apart: their names are joined with '+'.
Expected<QList<RedisSource>> serversFromConfig(const QString &file, const ConfigCommandLine::EnvironmentArgs &environment,
                                               QStringList *skipped, QList<MemcachedSource> *memcached)
{
    const auto options = environment.loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return Error{options.error()};
    const auto report = ConfigCommandLine::loadForCommand(file, *options);
    if (!report)
        return Error{report.error()};
    QList<RedisSource> servers;
    for (const CacheSpec &spec : report->caches) {
        const QString purpose = purposeConfigName(spec.purpose);
        if (spec.backend == BackendType::Memcached) {
            auto options = MemcachedCache::optionsFromSpec(spec);
            if (!options)
                return Error{options.error()};
            for (const MemcachedEndpoint &endpoint : options->client.servers) {
                auto it = std::find_if(memcached->begin(), memcached->end(),
                                       [&](const MemcachedSource &m) { return m.endpoint.name() == endpoint.name(); });
                if (it == memcached->end()) {
                    memcached->append(MemcachedSource{endpoint, options->client.credentials, {}, {}});
                    it = memcached->end() - 1;
                }
                it->caches << purpose;
                it->prefixes.append({spec.keyPrefix, purpose});
            }
            continue;
        }
        if (!spec.isRedisBacked()) {
            *skipped << QStringLiteral("%1 (%2)").arg(purpose, backendTypeName(spec.backend));
            continue;
        }
        // INFO counts hits where the reads go: a Sentinel cache reads through a replica.
        const auto url = ConfigCommandLine::redisUrl(spec, RedisSentinel::Role::Replica);
        if (!url)
            return Error{url.error()};
        auto it = std::find_if(servers.begin(), servers.end(),
                               [&](const RedisSource &s) { return serverIdentity(s.url) == serverIdentity(*url); });
        if (it == servers.end()) {
            servers.append(RedisSource{*url, {}, {}});
            it = servers.end() - 1;
        }
        it->caches << purpose;
        auto same = std::find_if(it->prefixes.begin(), it->prefixes.end(),
                                 [&](const auto &p) { return p.first == spec.keyPrefix; });
        if (same == it->prefixes.end())
            it->prefixes.append({spec.keyPrefix, purpose});
        else
            same->second += u'+' + purpose;
    }
    if (servers.isEmpty() && memcached->isEmpty())
        return makeError(QStringLiteral("%1 configures no Redis or memcached cache (%2)").arg(file, skipped->join(QStringLiteral(", "))));
    return servers;
}

// The options of `stats` and `record` (which adds its FILE).
void addStatsOptions(CommandLine &cl)
{
    cl.setGroup(QStringLiteral("Sources"));
    cl.addOption(QStringLiteral("config"), QStringLiteral("FILE"),
                 QStringLiteral("Poll every distinct Redis and memcached server of this superset_config.py's caches; their key prefixes "
                                "attribute MONITOR samples to CACHE_CONFIG, DATA_CACHE_CONFIG, ... and server lines name "
                                "the caches they serve."));
    cl.addOption(QStringLiteral("redis"), QStringLiteral("URL"),
                 QStringLiteral("Poll INFO of this server (server-wide hit rate, memory, evictions)."));
    cl.addOption(QStringLiteral("memcached"), QStringLiteral("HOST:PORT[,HOST:PORT]"),
                 QStringLiteral("Poll stats of these memcached servers (server-wide hit rate, memory, evictions) and, when "
                                "the server collects them (stats detail on), per-prefix rates: memcached counts a key under "
                                "the text before its first -D delimiter."));
    cl.addOptionalValue(QStringLiteral("statsd"), QStringLiteral("ADDR"),
                        QStringLiteral("Listen for Superset's statsd metrics."), QStringLiteral("127.0.0.1:8125"));
    cl.addOption(QStringLiteral("statsd-forward"), QStringLiteral("HOST:PORT"),
                 QStringLiteral("Forward every datagram unchanged to a real statsd."));
    cl.addOption(QStringLiteral("statsd-prefix"), QStringLiteral("P"), QStringLiteral("Superset's STATS_LOGGER prefix."),
                 QStringLiteral("superset"));
    cl.addNumber(QStringLiteral("monitor"), QStringLiteral("SECONDS"),
                 QStringLiteral("Run MONITOR for this time box (costs the server throughput) and estimate per-prefix "
                                "hit rates."), 0, true);
    cl.addOption(QStringLiteral("prefix"), QStringLiteral("KEYPREFIX=CACHE"),
                 QStringLiteral("Attribute MONITOR reads of keys with this prefix to CACHE (repeatable)."));
    cl.setGroup(QStringLiteral("Options"));
    cl.addNumber(QStringLiteral("interval"), QStringLiteral("S"), QStringLiteral("Seconds per sample."), 0, true,
                 QStringLiteral("1"));
    cl.addInteger(QStringLiteral("count"), QStringLiteral("N"), QStringLiteral("Stop after N intervals."), 1);
    cl.addJsonOption(QStringLiteral("JSON lines."));
    cl.addEnvironmentOptions();
}

// nullopt after reporting: 2 for a usage error, 1 when the config could not be used.
std::optional<StatsOptions> statsOptions(const CommandLine &cl, int *status)
{
    StatsOptions o;
    o.config = cl.value(QStringLiteral("config"));
    o.redis = cl.value(QStringLiteral("redis"));
    const QString memcachedServers = cl.value(QStringLiteral("memcached"));
    o.statsd = cl.isSet(QStringLiteral("statsd"));
    o.statsdAddress = cl.value(QStringLiteral("statsd"));
    o.statsdForward = cl.value(QStringLiteral("statsd-forward"));
    o.statsdPrefix = cl.value(QStringLiteral("statsd-prefix")).toUtf8();
    if (cl.isSet(QStringLiteral("monitor")))
        o.monitorSeconds = int(qMin(3600.0, std::ceil(cl.number(QStringLiteral("monitor"), 0))));
    o.interval = cl.number(QStringLiteral("interval"), 1.0);
    o.count = int(qMin<qint64>(cl.integer(QStringLiteral("count"), 0), std::numeric_limits<int>::max()));
    o.json = cl.isSet(QStringLiteral("json"));
    auto usage = [&](const QString &message) {
        *status = cl.usageError(message);
        return std::nullopt;
    };
    for (const QString &v : cl.values(QStringLiteral("prefix"))) {
        const qsizetype eq = v.indexOf(u'=');
        if (eq < 0)
            return usage(QStringLiteral("--prefix takes KEYPREFIX=CACHE, not '%1'").arg(v));
        o.prefixes.append({v.left(eq).toUtf8(), v.mid(eq + 1)});
    }
    if (!o.config.isEmpty() && (!o.redis.isEmpty() || !memcachedServers.isEmpty()))
        return usage(QStringLiteral("give --config FILE or --redis URL / --memcached SERVERS, not both"));
    if (o.redis.isEmpty() && memcachedServers.isEmpty() && o.config.isEmpty() && !o.statsd)
        return usage(QStringLiteral("name a source: --config FILE, --redis URL, --memcached SERVERS and/or --statsd"));
    if (!memcachedServers.isEmpty()) {
        auto endpoints = MemcachedEndpoint::parseList(memcachedServers);
        if (!endpoints)
            return usage(endpoints.error());
        for (const MemcachedEndpoint &endpoint : *endpoints)
            o.memcached.append(MemcachedSource{endpoint, {}, {}, o.prefixes});
    }
    if (o.monitorSeconds > 0 && o.redis.isEmpty() && o.config.isEmpty())
        return usage(QStringLiteral("--monitor needs --redis URL or --config FILE"));
    if (!o.redis.isEmpty()) {
        auto url = RedisUrl::parse(o.redis);
        if (!url)
            return usage(url.error());
        o.servers.append(RedisSource{*url, {}, o.prefixes});
    } else if (!o.config.isEmpty()) {
        QStringList skipped;
        auto servers = serversFromConfig(o.config, cl.environment(), &skipped, &o.memcached);
        if (!servers) {
            *status = cl.fail(servers.error());
            return std::nullopt;
        }
        o.servers = *servers;
        // --prefix KEYPREFIX=CACHE adds to (or renames) the config's attribution on every server.
        for (RedisSource &server : o.servers)
            for (const auto &extra : o.prefixes) {
                auto same = std::find_if(server.prefixes.begin(), server.prefixes.end(),
                                         [&](const auto &p) { return p.first == extra.first; });
                if (same == server.prefixes.end())
                    server.prefixes.append(extra);
                else
                    same->second = extra.second;
            }
        if (!skipped.isEmpty())
            cl.note(QStringLiteral("not polled (no Redis or memcached server): %1").arg(skipped.join(QStringLiteral(", "))));
    }
    return o;
}

// Runs the sources until --count intervals passed (or the MONITOR box ended when nothing else
// runs); every sample goes to `sink` as well as to stdout.
int runSources(const CommandLine &cl, const StatsOptions &o, Recorder *recorder)
{
    const int intervalMs = int(o.interval * 1000);
    QEventLoop loop;
    int exitCode = 0;
    ServerCaches serverCaches;
    for (const RedisSource &server : o.servers)
        if (!server.caches.isEmpty())
            serverCaches.insert(server.url.redacted(), server.caches);
    for (const MemcachedSource &server : o.memcached)
        if (!server.caches.isEmpty())
            serverCaches.insert(QStringLiteral("memcached://") + server.endpoint.name(), server.caches);
    // --count N: N samples from every server (and from statsd when it is the only source).
    QHash<QString, int> ticks;
    auto tick = [&](const QString &source) {
        if (o.count <= 0)
            return;
        ++ticks[source];
        const qsizetype servers = o.servers.size() + o.memcached.size();
        const qsizetype sources = servers == 0 ? 1 : servers;
        if (ticks.size() < sources)
            return;
        for (int n : std::as_const(ticks))
            if (n < o.count)
                return;
        QTimer::singleShot(0, &loop, [&] { loop.exit(exitCode); });
    };
    std::vector<std::unique_ptr<RedisInfoPoller>> pollers;
    std::vector<std::unique_ptr<MemcachedStatsPoller>> memcachedPollers;
    std::vector<std::unique_ptr<MonitorSampler>> monitors;
    std::vector<std::unique_ptr<KeyspaceNotifier>> notifiers;
    std::unique_ptr<StatsdListener> statsd;
    QSet<QString> polled;
    auto onHit = [&](const HitRateSample &s) {
        cli::writeLine(formatHit(s, o.json, serverCaches));
        if (recorder)
            recorder->recordHit(s);
    };
    auto onServer = [&](const ServerSample &s) {
        cli::writeLine(formatServer(s, o.json, serverCaches));
        if (recorder)
            recorder->recordServer(s);
    };

    for (const RedisSource &server : o.servers) {
        auto poller = std::make_unique<RedisInfoPoller>(server.url, intervalMs);
        const QString name = poller->server();
        QObject::connect(poller.get(), &RedisInfoPoller::hitSample, &loop, onHit);
        QObject::connect(poller.get(), &RedisInfoPoller::serverSample, &loop, [&, name](const ServerSample &s) {
            polled.insert(name);
            onServer(s);
            tick(name);
        });
        QObject::connect(poller.get(), &RedisInfoPoller::errorOccurred, &loop, [&, name](const QString &m) {
            cl.note(m);
            // Never reached the server: give up instead of retrying silently forever. Once it
            // answered, errors (a restart) are retried on the next interval.
            if (!polled.contains(name))
                loop.exit(1);
        });
        pollers.push_back(std::move(poller));
        // Expired/evicted keys per prefix, only if the server already publishes keyspace events:
        // the notifier never changes server config; it says on stderr when they are off.
        auto notifier = std::make_unique<KeyspaceNotifier>(server.url);
        for (const auto &[prefix, cache] : server.prefixes)
            notifier->addPrefix(prefix, cache);
        notifier->setIntervalMs(intervalMs);
        QObject::connect(notifier.get(), &KeyspaceNotifier::keyEventSample, &loop,
                         [&](const KeyEventSample &s) { cli::writeLine(formatKeyEvents(s, o.json)); });
        QObject::connect(notifier.get(), &KeyspaceNotifier::stateChanged, &loop,
                         [&cl](KeyspaceNotifier::State state, const QString &message) {
                             if (state != KeyspaceNotifier::State::Subscribed && state != KeyspaceNotifier::State::Idle
                                 && state != KeyspaceNotifier::State::Connecting && !message.isEmpty())
                                 cl.note(message);
                         });
        notifiers.push_back(std::move(notifier));
        if (o.monitorSeconds > 0) {
            auto monitor = std::make_unique<MonitorSampler>(server.url);
            for (const auto &[prefix, cache] : server.prefixes)
                monitor->addPrefix(prefix, cache);
            monitor->setIntervalMs(intervalMs);
            QObject::connect(monitor.get(), &MonitorSampler::hitSample, &loop, onHit);
            QObject::connect(monitor.get(), &MonitorSampler::errorOccurred, &loop, [&cl](const QString &m) { cl.note(m); });
            QObject::connect(monitor.get(), &MonitorSampler::finished, &loop,
                             [&](const QHash<QString, MonitorEstimator::Totals> &totals) {
                                 cli::writeLine(formatMonitorTotals(totals, o.json));
                             });
            monitors.push_back(std::move(monitor));
        }
    }
    for (const MemcachedSource &server : o.memcached) {
        auto poller = std::make_unique<MemcachedStatsPoller>(server.endpoint, server.credentials, intervalMs);
        const QString name = poller->server();
        auto delimiter = std::make_shared<char>(':');
        QObject::connect(poller.get(), &MemcachedStatsPoller::hitSample, &loop, onHit);
        QObject::connect(poller.get(), &MemcachedStatsPoller::serverSample, &loop, [&, name](const ServerSample &s) {
            polled.insert(name);
            onServer(s);
            tick(name);
        });
        // `stats detail` counts by the text before the first delimiter: name it after the one
        // cache whose key prefix that is, else keep "<prefix><delimiter>".
        QObject::connect(poller.get(), &MemcachedStatsPoller::prefixSample, &loop, [&, server, delimiter](HitRateSample s) {
            QStringList owners;
            for (const auto &[keyPrefix, cache] : server.prefixes)
                if (MemcachedStatsRates::detailPrefixOf(keyPrefix, *delimiter) == s.cache.toUtf8())
                    owners << cache;
            s.cache = owners.size() == 1 ? owners.front() : s.cache + QChar::fromLatin1(*delimiter);
            onHit(s);
        });
        QObject::connect(poller.get(), &MemcachedStatsPoller::detailSettings, &loop,
                         [&cl, name, delimiter](const QString &, bool enabled, char d) {
                             *delimiter = d;
                             if (!enabled)
                                 cl.note(QStringLiteral("%1 does not collect per-prefix statistics: hit rates are server-wide. "
                                                        "For per-cache rates run `stats detail on` on the server and give "
                                                        "the caches key prefixes that end in its -D delimiter ('%2').")
                                             .arg(name, QChar::fromLatin1(d)));
                         });
        QObject::connect(poller.get(), &MemcachedStatsPoller::errorOccurred, &loop, [&, name](const QString &m) {
            cl.note(m);
            if (!polled.contains(name))
                loop.exit(1);
        });
        memcachedPollers.push_back(std::move(poller));
    }
    if (o.statsd) {
        auto address = StatsdListener::parseAddress(o.statsdAddress);
        if (!address) {
            cl.note(address.error());
            return 2;
        }
        statsd = std::make_unique<StatsdListener>();
        statsd->setPrefix(o.statsdPrefix);
        statsd->setIntervalMs(intervalMs);
        if (!o.statsdForward.isEmpty()) {
            auto forward = StatsdListener::parseAddress(o.statsdForward);
            if (!forward) {
                cl.note(forward.error());
                return 2;
            }
            statsd->setForward(forward->first, forward->second);
        }
        if (auto ok = statsd->listen(address->first, address->second); !ok) {
            cl.note(ok.error());
            return 1;
        }
        QObject::connect(statsd.get(), &StatsdListener::hitSample, &loop, [&](const HitRateSample &s) {
            onHit(s);
            if (pollers.empty() && memcachedPollers.empty())
                tick(QStringLiteral("statsd"));
        });
    }
    for (const auto &poller : pollers)
        poller->start();
    for (const auto &poller : memcachedPollers)
        poller->start();
    for (const auto &notifier : notifiers)
        notifier->start();
    if (!monitors.empty())
        cl.note(MonitorSampler::costWarning());
    for (const auto &monitor : monitors)
        monitor->start(o.monitorSeconds);
    const int code = loop.exec();
    for (const auto &monitor : monitors)
        monitor->stop();
    for (const auto &notifier : notifiers)
        notifier->stop();
    for (const auto &poller : pollers)
        poller->stop();
    for (const auto &poller : memcachedPollers)
        poller->stop();
    QCoreApplication::sendPostedEvents(); // the samples and totals queued by the worker threads
    QCoreApplication::processEvents();
    if (statsd && statsd->malformedLines() > 0)
        cl.note(QStringLiteral("%1 malformed statsd lines ignored").arg(statsd->malformedLines()));
    return code;
}

} // namespace

int runStatsCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("stats"), QStringLiteral("Prints hit-rate samples, one line per source and interval."));
    cl.setSynopsis(QStringLiteral("(--config FILE | --redis URL | --memcached SERVERS) [--statsd [ADDR]] [--statsd-forward HOST:PORT]\n"
                                  "[--statsd-prefix P] [--monitor SECONDS] [--prefix KEYPREFIX=CACHE]...\n"
                                  "[--interval S] [--count N] [--json] [--env K=V]... [--env-file F] [--no-process-env]"));
    addStatsOptions(cl);
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    const auto options = statsOptions(cl, &status);
    if (!options)
        return status;
    return runSources(cl, *options, nullptr);
}

int runRecordCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("record"),
                   QStringLiteral("Prints the samples `cachescope stats` prints and writes every one to FILE, for replay."));
    cl.setSynopsis(QStringLiteral("FILE <the options of cachescope stats>"));
    cl.addPositional(QStringLiteral("FILE"), QStringLiteral("The recording to write."));
    addStatsOptions(cl);
    if (const auto exit = cl.parse(args))
        return *exit;
    const QString file = cl.positionals().first();
    int status = 0;
    const auto options = statsOptions(cl, &status);
    if (!options)
        return status;
    Recorder recorder;
    if (auto ok = recorder.open(file); !ok)
        return cl.fail(ok.error());
    const int code = runSources(cl, *options, &recorder);
    if (auto ok = recorder.flush(); !ok)
        return cl.fail(ok.error());
    recorder.close();
    cl.note(QStringLiteral("recorded %1 samples to %2").arg(recorder.recordedCount()).arg(file));
    return code;
}

int runReplayCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("replay"), QStringLiteral("Prints the samples of a recording, paced or at once."));
    cl.setSynopsis(QStringLiteral("FILE [--speed X] [--json]"));
    cl.addPositional(QStringLiteral("FILE"), QStringLiteral("A recording written by `cachescope record` or File → Record."));
    cl.addNumber(QStringLiteral("speed"), QStringLiteral("X"),
                 QStringLiteral("Replay X times as fast as recorded; 0 = no pacing."), 0, false, QStringLiteral("0"));
    cl.addJsonOption(QStringLiteral("JSON lines."));
    if (const auto exit = cl.parse(args))
        return *exit;
    const bool json = cl.isSet(QStringLiteral("json"));
    Replayer replayer;
    if (auto ok = replayer.open(cl.positionals().first()); !ok)
        return cl.fail(ok.error());
    QEventLoop loop;
    QObject::connect(&replayer, &Replayer::hitSample, &loop, [&](const HitRateSample &s) { cli::writeLine(formatHit(s, json)); });
    QObject::connect(&replayer, &Replayer::serverSample, &loop,
                     [&](const ServerSample &s) { cli::writeLine(formatServer(s, json)); });
    QObject::connect(&replayer, &Replayer::finished, &loop, [&] { loop.quit(); });
    replayer.start(cl.number(QStringLiteral("speed"), 0));
    loop.exec();
    return 0;
}

} // namespace cachescope
