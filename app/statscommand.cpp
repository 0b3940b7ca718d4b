#include "statscommand.h"

#include "config/configcommandline.h"
#include "monitor/hitratesample.h"
#include "monitor/keyspacenotifier.h"
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
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

namespace {

void printLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout); // one line per sample, visible as it happens (pipes too)
}

void printError(const QString &message)
{
    std::fprintf(stderr, "cachescope: %s\n", message.toLocal8Bit().constData());
}

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
    const QStringList caches = s.source == SampleSource::RedisInfo ? serverCaches.value(s.cache) : QStringList();
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

struct StatsOptions
{
    QString config;
    QString redis;
    QList<RedisSource> servers; // from --redis, or every distinct server of --config's caches
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

const char kStatsUsage[] =
    "Usage: cachescope stats (--config FILE | --redis URL) [--statsd [ADDR]] [--statsd-forward HOST:PORT]\n"
    "                        [--statsd-prefix PREFIX] [--monitor SECONDS] [--prefix KEYPREFIX=CACHE]...\n"
    "                        [--interval S] [--count N] [--json] [--env K=V]... [--env-file F] [--no-process-env]\n"
    "       cachescope record FILE <the same options>\n"
    "       cachescope replay FILE [--speed X] [--json]\n"
    "\n"
    "Prints hit-rate samples, one line per source and interval:\n"
    "  --redis URL        poll INFO of this server (server-wide hit rate, memory, evictions)\n"
    "  --statsd [ADDR]    listen for Superset's statsd metrics (default 127.0.0.1:8125)\n"
    "  --statsd-forward HOST:PORT  forward every datagram unchanged to a real statsd\n"
    "  --statsd-prefix P  Superset's STATS_LOGGER prefix (default superset)\n"
    "  --monitor SECONDS  run MONITOR for this time box (costs the server throughput) and estimate\n"
    "                     per-prefix hit rates; attribute keys with --prefix KEYPREFIX=CACHE\n"
    "  --interval S       seconds per sample (default 1)\n"
    "  --count N          stop after N intervals\n"
    "  --json             JSON lines\n"
    "  --config FILE      poll every distinct Redis server of the superset_config.py's caches; their\n"
    "                     key prefixes attribute MONITOR samples to CACHE_CONFIG, DATA_CACHE_CONFIG, ...\n"
    "                     and server lines name the caches they serve. As `config show`:\n"
    "  --env K=V, --env-file F, --no-process-env, --pythonpath DIR\n";

// "host:port", the socket path or "sentinel NAME": INFO is per server, whatever the DB.
QString serverIdentity(const RedisUrl &url)
{
    return RedisConnector::serverName(url, false);
}

// Every distinct Redis server of the config's caches, with the purposes and key prefixes on it.
// Caches that share a server and a prefix cannot be told apart: their names are joined with '+'.
Expected<QList<RedisSource>> serversFromConfig(const QString &file, const ConfigCommandLine::EnvironmentArgs &environment,
                                               QStringList *skipped)
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
    if (servers.isEmpty())
        return makeError(QStringLiteral("%1 configures no Redis cache (%2)").arg(file, skipped->join(QStringLiteral(", "))));
    return servers;
}

// exitCode: 2 for a usage error, 1 when the config could not be used.
std::optional<StatsOptions> parseStatsOptions(const QStringList &args, QString *error, int *exitCode)
{
    StatsOptions o;
    ConfigCommandLine::EnvironmentArgs environment;
    *exitCode = 2;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        switch (environment.take(args, &i, error)) {
        case ConfigCommandLine::EnvironmentArgs::Take::Taken:
            continue;
        case ConfigCommandLine::EnvironmentArgs::Take::Error:
            return std::nullopt;
        case ConfigCommandLine::EnvironmentArgs::Take::NotMine:
            break;
        }
        auto value = [&](const char *name) -> std::optional<QString> {
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("%1 needs a value").arg(QLatin1String(name));
                return std::nullopt;
            }
            return args[++i];
        };
        auto positiveNumber = [&](const char *name, double *out) {
            auto v = value(name);
            if (!v)
                return false;
            bool ok = false;
            *out = v->toDouble(&ok);
            if (!ok || *out <= 0 || !std::isfinite(*out)) {
                *error = QStringLiteral("%1 must be a positive number, not '%2'").arg(QLatin1String(name), *v);
                return false;
            }
            return true;
        };
        if (a == u"--config") {
            auto v = value("--config");
            if (!v)
                return std::nullopt;
            o.config = *v;
        } else if (a == u"--redis") {
            auto v = value("--redis");
            if (!v)
                return std::nullopt;
            o.redis = *v;
        } else if (a == u"--statsd") {
            o.statsd = true;
            if (i + 1 < args.size() && !args[i + 1].startsWith(u'-'))
                o.statsdAddress = args[++i];
        } else if (a == u"--statsd-forward") {
            auto v = value("--statsd-forward");
            if (!v)
                return std::nullopt;
            o.statsdForward = *v;
        } else if (a == u"--statsd-prefix") {
            auto v = value("--statsd-prefix");
            if (!v)
                return std::nullopt;
            o.statsdPrefix = v->toUtf8();
        } else if (a == u"--monitor") {
            double s = 0;
            if (!positiveNumber("--monitor", &s))
                return std::nullopt;
            o.monitorSeconds = int(qMin(3600.0, std::ceil(s)));
        } else if (a == u"--prefix") {
            auto v = value("--prefix");
            if (!v)
                return std::nullopt;
            const qsizetype eq = v->indexOf(u'=');
            if (eq < 0) {
                *error = QStringLiteral("--prefix takes KEYPREFIX=CACHE, not '%1'").arg(*v);
                return std::nullopt;
            }
            o.prefixes.append({v->left(eq).toUtf8(), v->mid(eq + 1)});
        } else if (a == u"--interval") {
            if (!positiveNumber("--interval", &o.interval))
                return std::nullopt;
        } else if (a == u"--count") {
            double n = 0;
            if (!positiveNumber("--count", &n))
                return std::nullopt;
            o.count = int(n);
        } else if (a == u"--json") {
            o.json = true;
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(a);
            return std::nullopt;
        }
    }
    if (!o.config.isEmpty() && !o.redis.isEmpty()) {
        *error = QStringLiteral("give --config FILE or --redis URL, not both");
        return std::nullopt;
    }
    if (o.redis.isEmpty() && o.config.isEmpty() && !o.statsd) {
        *error = QStringLiteral("name a source: --config FILE, --redis URL and/or --statsd");
        return std::nullopt;
    }
    if (o.monitorSeconds > 0 && o.redis.isEmpty() && o.config.isEmpty()) {
        *error = QStringLiteral("--monitor needs --redis URL or --config FILE");
        return std::nullopt;
    }
    if (!o.redis.isEmpty()) {
        auto url = RedisUrl::parse(o.redis);
        if (!url) {
            *error = url.error();
            return std::nullopt;
        }
        o.servers.append(RedisSource{*url, {}, o.prefixes});
    } else if (!o.config.isEmpty()) {
        QStringList skipped;
        auto servers = serversFromConfig(o.config, environment, &skipped);
        if (!servers) {
            *error = servers.error();
            *exitCode = 1;
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
            std::fprintf(stderr, "cachescope: not polled (no Redis server): %s\n",
                         skipped.join(QStringLiteral(", ")).toLocal8Bit().constData());
    }
    return o;
}

// Runs the sources until --count intervals passed (or the MONITOR box ended when nothing else
// runs); every sample goes to `sink` as well as to stdout.
int runSources(const StatsOptions &o, Recorder *recorder)
{
    const int intervalMs = int(o.interval * 1000);
    QEventLoop loop;
    int exitCode = 0;
    ServerCaches serverCaches;
    for (const RedisSource &server : o.servers)
        if (!server.caches.isEmpty())
            serverCaches.insert(server.url.redacted(), server.caches);
    // --count N: N samples from every server (and from statsd when it is the only source).
    QHash<QString, int> ticks;
    auto tick = [&](const QString &source) {
        if (o.count <= 0)
            return;
        ++ticks[source];
        const qsizetype sources = o.servers.isEmpty() ? 1 : o.servers.size();
        if (ticks.size() < sources)
            return;
        for (int n : std::as_const(ticks))
            if (n < o.count)
                return;
        QTimer::singleShot(0, &loop, [&] { loop.exit(exitCode); });
    };
    std::vector<std::unique_ptr<RedisInfoPoller>> pollers;
    std::vector<std::unique_ptr<MonitorSampler>> monitors;
    std::vector<std::unique_ptr<KeyspaceNotifier>> notifiers;
    std::unique_ptr<StatsdListener> statsd;
    QSet<QString> polled;
    auto onHit = [&](const HitRateSample &s) {
        printLine(formatHit(s, o.json, serverCaches));
        if (recorder)
            recorder->recordHit(s);
    };
    auto onServer = [&](const ServerSample &s) {
        printLine(formatServer(s, o.json, serverCaches));
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
            printError(m);
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
                         [&](const KeyEventSample &s) { printLine(formatKeyEvents(s, o.json)); });
        QObject::connect(notifier.get(), &KeyspaceNotifier::stateChanged, &loop,
                         [](KeyspaceNotifier::State state, const QString &message) {
                             if (state != KeyspaceNotifier::State::Subscribed && state != KeyspaceNotifier::State::Idle
                                 && state != KeyspaceNotifier::State::Connecting && !message.isEmpty())
                                 printError(message);
                         });
        notifiers.push_back(std::move(notifier));
        if (o.monitorSeconds > 0) {
            auto monitor = std::make_unique<MonitorSampler>(server.url);
            for (const auto &[prefix, cache] : server.prefixes)
                monitor->addPrefix(prefix, cache);
            monitor->setIntervalMs(intervalMs);
            QObject::connect(monitor.get(), &MonitorSampler::hitSample, &loop, onHit);
            QObject::connect(monitor.get(), &MonitorSampler::errorOccurred, &loop, [](const QString &m) { printError(m); });
            QObject::connect(monitor.get(), &MonitorSampler::finished, &loop,
                             [&](const QHash<QString, MonitorEstimator::Totals> &totals) {
                                 printLine(formatMonitorTotals(totals, o.json));
                             });
            monitors.push_back(std::move(monitor));
        }
    }
    if (o.statsd) {
        auto address = StatsdListener::parseAddress(o.statsdAddress);
        if (!address) {
            printError(address.error());
            return 2;
        }
        statsd = std::make_unique<StatsdListener>();
        statsd->setPrefix(o.statsdPrefix);
        statsd->setIntervalMs(intervalMs);
        if (!o.statsdForward.isEmpty()) {
            auto forward = StatsdListener::parseAddress(o.statsdForward);
            if (!forward) {
                printError(forward.error());
                return 2;
            }
            statsd->setForward(forward->first, forward->second);
        }
        if (auto ok = statsd->listen(address->first, address->second); !ok) {
            printError(ok.error());
            return 1;
        }
        QObject::connect(statsd.get(), &StatsdListener::hitSample, &loop, [&](const HitRateSample &s) {
            onHit(s);
            if (pollers.empty())
                tick(QStringLiteral("statsd"));
        });
    }
    for (const auto &poller : pollers)
        poller->start();
    for (const auto &notifier : notifiers)
        notifier->start();
    if (!monitors.empty())
        std::fprintf(stderr, "cachescope: %s\n", MonitorSampler::costWarning().toLocal8Bit().constData());
    for (const auto &monitor : monitors)
        monitor->start(o.monitorSeconds);
    const int code = loop.exec();
    for (const auto &monitor : monitors)
        monitor->stop();
    for (const auto &notifier : notifiers)
        notifier->stop();
    for (const auto &poller : pollers)
        poller->stop();
    QCoreApplication::sendPostedEvents(); // the samples and totals queued by the worker threads
    QCoreApplication::processEvents();
    if (statsd && statsd->malformedLines() > 0)
        std::fprintf(stderr, "cachescope: %llu malformed statsd lines ignored\n",
                     static_cast<unsigned long long>(statsd->malformedLines()));
    return code;
}

} // namespace

int runStatsCommand(const QStringList &args)
{
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::fputs(kStatsUsage, stdout);
        return 0;
    }
    QString error;
    int failure = 2;
    const auto options = parseStatsOptions(args, &error, &failure);
    if (!options) {
        printError(error);
        if (failure == 2)
            std::fputs(kStatsUsage, stderr);
        return failure;
    }
    return runSources(*options, nullptr);
}

int runRecordCommand(const QStringList &args)
{
    if (args.isEmpty() || args.first().startsWith(u'-')) {
        std::fputs(kStatsUsage, args.contains(QStringLiteral("--help")) ? stdout : stderr);
        return args.contains(QStringLiteral("--help")) ? 0 : 2;
    }
    QString error;
    int failure = 2;
    const auto options = parseStatsOptions(args.mid(1), &error, &failure);
    if (!options) {
        printError(error);
        return failure;
    }
    Recorder recorder;
    if (auto ok = recorder.open(args.first()); !ok) {
        printError(ok.error());
        return 1;
    }
    const int code = runSources(*options, &recorder);
    if (auto ok = recorder.flush(); !ok) {
        printError(ok.error());
        return 1;
    }
    recorder.close();
    std::fprintf(stderr, "cachescope: recorded %llu samples to %s\n",
                 static_cast<unsigned long long>(recorder.recordedCount()), args.first().toLocal8Bit().constData());
    return code;
}

int runReplayCommand(const QStringList &args)
{
    if (args.isEmpty() || args.first().startsWith(u'-')) {
        std::fputs(kStatsUsage, args.contains(QStringLiteral("--help")) ? stdout : stderr);
        return args.contains(QStringLiteral("--help")) ? 0 : 2;
    }
    double speed = 0;
    bool json = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == u"--json") {
            json = true;
        } else if (args[i] == u"--speed" && i + 1 < args.size()) {
            bool ok = false;
            speed = args[++i].toDouble(&ok);
            if (!ok || speed < 0 || !std::isfinite(speed)) {
                printError(QStringLiteral("--speed must be a number >= 0 (0 = no pacing)"));
                return 2;
            }
        } else {
            printError(QStringLiteral("unknown option '%1'").arg(args[i]));
            return 2;
        }
    }
    Replayer replayer;
    if (auto ok = replayer.open(args.first()); !ok) {
        printError(ok.error());
        return 1;
    }
    QEventLoop loop;
    QObject::connect(&replayer, &Replayer::hitSample, &loop, [&](const HitRateSample &s) { printLine(formatHit(s, json)); });
    QObject::connect(&replayer, &Replayer::serverSample, &loop,
                     [&](const ServerSample &s) { printLine(formatServer(s, json)); });
    QObject::connect(&replayer, &Replayer::finished, &loop, [&] { loop.quit(); });
    replayer.start(speed);
    loop.exec();
    return 0;
}

} // namespace cachescope
