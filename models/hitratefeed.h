#pragma once

#include "cache/cachespec.h"
#include "common/expected.h"
#include "monitor/hitratesample.h"
#include "redis/redisurl.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>

namespace cachescope {

class Cache;
class CacheManager;
class MemcachedStatsPoller;
class EmbeddedLayerSampler;
class HitRateSeries;
class Recorder;
class RedisInfoPoller;
class Replayer;

// Feeds the Hit rates page's HitRateSeries from the live sources of a CacheManager: the
// embedded layer's exact counters (one EmbeddedLayerSampler, once per second), one
// RedisInfoPoller per Redis server and one MemcachedStatsPoller per memcached server (each on
// its own thread). Every sample can be recorded to a
// file, and a recording can be replayed into the same series instead of the live sources.
// While a server does not answer, each failed poll puts a gap point (NaN rates) into its series,
// so charts show the outage as a gap rather than a line drawn across it.
class MonitorSampler;
class StatsdListener;

class HitRateFeed : public QObject
{
    Q_OBJECT
public:
    explicit HitRateFeed(HitRateSeries *series, QObject *parent = nullptr);
    ~HitRateFeed() override;

    // The caches to sample (not owned; must outlive this feed or be replaced first).
    void setCacheManager(CacheManager *manager);
    // Polls INFO of one more server (an ad-hoc "Connect to Redis URL"); no-op if already polled.
    void addRedisServer(const RedisUrl &url);
    QStringList servers() const;
    // The server key RedisInfoPoller names its samples with (redacted URL without the database),
    // shared by all databases of one server.
    static QString serverKey(const RedisUrl &url);
    // Where a Redis cache spec connects to (CACHE_REDIS_URL, else host/port/db/password).
    static Expected<RedisUrl> redisUrlOf(const CacheSpec &spec);

    Expected<bool> startRecording(const QString &path);
    void stopRecording();
    bool isRecording() const;
    quint64 recordedCount() const;

    // Replays a recording into the series (cleared first); live samples are not shown meanwhile.
    Expected<bool> startReplay(const QString &path, double speed);
    void stopReplay(); // back to the live sources (the series is cleared again)
    bool isReplaying() const { return m_replaying; }

    // Opt-in, time-boxed MONITOR on every polled server (MONITOR costs the server throughput, so
    // only an explicit user action starts it): GET/SET traffic is attributed to the caches by
    // their key prefixes and gives "estimated" per-cache hit rates. Returns the servers sampled.
    Expected<int> startMonitor(int seconds);
    void stopMonitor();
    bool isMonitoring() const;
    // Superset's own statsd counters (STATS_LOGGER) on a UDP address such as "127.0.0.1:8125",
    // forwarded unchanged to `forward` ("host:port", may be empty) so no metric is stolen.
    Expected<bool> startStatsd(const QString &address, const QByteArray &prefix, const QString &forward);
    void stopStatsd();
    bool isListeningForStatsd() const { return m_statsd != nullptr; }

Q_SIGNALS:
    // INFO figures of the server a cache purpose lives on, for the Overview.
    void serverFigures(cachescope::CachePurpose purpose, quint64 usedMemory, double serverHitRate);
    void errorOccurred(const QString &message);
    // A polled server became reachable (reachable=true) or failed (message says why).
    void serverStateChanged(const QString &server, bool reachable, const QString &message);
    // The server a cache purpose lives on stopped answering at sinceMs (0: it answers again),
    // so the Overview can mark its server figures as from before.
    void serverStale(cachescope::CachePurpose purpose, qint64 sinceMs);
    void replayFinished();
    void monitorFinished();
    void recordingChanged(bool recording);

private:
    struct Server
    {
        RedisUrl url;
        std::unique_ptr<RedisInfoPoller> poller;
        QList<CachePurpose> purposes;
        double lastHitRate = -1;
        QString lastError;
        bool reachable = false;
        qint64 awaySinceMs = 0; // when it stopped answering after having answered (0: it answers)
        bool adHoc = false; // added by addRedisServer: kept when the manager changes
    };
    // One polled memcached server; its per-prefix samples are named after the caches whose key
    // prefixes they count (memcachedstatsrates.h: the text before the -D delimiter).
    struct MemcachedServer
    {
        std::unique_ptr<MemcachedStatsPoller> poller;
        QList<CachePurpose> purposes;
        quint64 usedMemory = 0;
        double hitsPerSecond = 0, missesPerSecond = 0;
        char delimiter = ':';
        bool detailEnabled = false;
        QString lastError;
        bool reachable = false;
    };
    void addMemcachedServers(CachePurpose purpose, const CacheSpec &spec);
    void onMemcachedPrefix(const QString &server, HitRateSample sample);
    void onMemcachedServer(const ServerSample &sample);
    void onHit(const HitRateSample &sample);
    void onServer(const ServerSample &sample);
    void onLiveHit(const HitRateSample &sample);
    void onLiveServer(const ServerSample &sample);
    void onPollFailed(const QString &server, qint64 timestampMs);
    void followReplacedCaches();
    Server &serverFor(const RedisUrl &url, bool adHoc);

    HitRateSeries *m_series;
    CacheManager *m_manager = nullptr;
    EmbeddedLayerSampler *m_sampler;
    QTimer m_replacementCheck;
    std::map<CachePurpose, std::shared_ptr<Cache>> m_held; // keeps sampled counters alive
    std::map<QString, Server> m_servers;
    std::map<QString, MemcachedServer> m_memcachedServers; // "memcached://host:port"
    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<Replayer> m_replayer;
    std::vector<std::unique_ptr<MonitorSampler>> m_monitors;
    std::unique_ptr<StatsdListener> m_statsd;
    bool m_replaying = false;
};

} // namespace cachescope
