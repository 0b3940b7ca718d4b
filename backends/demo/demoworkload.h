#pragma once

#include "demosettings.h"
#include "zipfsampler.h"

#include "cache/cachespec.h"

#include <QByteArray>
#include <QObject>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace cachescope {

class CacheManager;
class PyValue;

// A synthetic Superset-like workload on the caches of a CacheManager, on its own thread:
// simulated users open dashboards whose charts read their data keys from the Data cache, miss,
// "compute" a chart payload and set it with a timeout; popularity is Zipf-skewed. They also
// save explore form data and filter state, fetch thumbnails, and store and read SQL Lab results.
// Purposes the manager lacks are skipped. Knobs can be changed while it runs.
class DemoWorkload : public QObject
{
    Q_OBJECT
public:
    DemoWorkload(CacheManager &manager, const DemoSettings &settings, QObject *parent = nullptr);
    ~DemoWorkload() override; // stops and joins

    void start();
    void stop(); // returns after the worker thread has ended
    bool isRunning() const { return m_thread.joinable(); }

    DemoSettings settings() const;
    // The caches it drives (e.g. for a control panel that shows the Data cache's recent hit rate).
    CacheManager &cacheManager() const { return m_manager; }
    // Each setter emits settingsChanged() when the value actually changes.
    void setUsers(int users);
    void setSkew(double skew);
    void setChartTimeout(qint64 seconds);
    // Rebuilds the Data cache with this threshold (entries and counters start afresh).
    void setThreshold(int threshold);

    quint64 requestsServed() const { return m_requests.load(std::memory_order_relaxed); }
    quint64 chartsComputed() const { return m_computed.load(std::memory_order_relaxed); }

    // Builds the payload a chart's data request caches (the shape of Superset's chart data
    // response: cache_key, status, query, colnames, data rows, ...).
    static PyValue chartPayload(int chart, int variant, const QByteArray &cacheKey, qint64 timeout);
    // The table a chart's query reads and the cache key of one of its variants: the demo's
    // metadata database (DemoMetadata) names the same tables and records the same keys.
    static QString chartTable(int chart);
    static QByteArray chartDataKey(int chart, int variant);
    static constexpr int kChartVariants = 3; // native-filter combinations per chart

Q_SIGNALS:
    // A cache call failed; emitted from the worker thread (receivers get it queued), throttled.
    void workloadFailed(const QString &message);
    // A knob changed (emitted by the setter, on the caller's thread), so every view of the knobs
    // follows a change made elsewhere.
    void settingsChanged();

private:
    void run();
    void oneRequest(std::mt19937 &rng, int user);
    void chartRequest(std::mt19937 &rng);
    void keyValueRequest(std::mt19937 &rng, CachePurpose purpose, std::deque<QByteArray> &recent, int user);
    void thumbnailRequest(std::mt19937 &rng);
    void sqlLabRequest(std::mt19937 &rng);
    void metadataRequest(std::mt19937 &rng);
    void applyPendingChanges();
    void report(const QString &message);

    CacheManager &m_manager;
    const int m_charts, m_dashboards, m_intervalMs;
    const quint32 m_seed;

    std::atomic<int> m_users;
    std::atomic<double> m_skew;
    std::atomic<qint64> m_chartTimeout;
    std::atomic<int> m_threshold;

    std::atomic<quint64> m_requests{0}, m_computed{0};

    // Worker-only state.
    double m_appliedSkew = -1;
    int m_appliedThreshold = -1;
    std::optional<ZipfSampler> m_sampler;
    std::deque<QByteArray> m_recentForms, m_recentFilters, m_recentResults;
    qint64 m_lastReportMs = -1'000'000;

    std::mutex m_sleepMutex;
    std::condition_variable m_wake;
    std::atomic_bool m_stop{false};
    std::thread m_thread;
};

} // namespace cachescope
