#pragma once

#include "capacity/mrc.h"
#include "capacity/traceanalysis.h"
#include "capacity/whatif.h"

#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace cachescope {

class CapacityCacheModel;
class CapacityCurveModel;

// What the Capacity page knows about one cache of the trace it shows.
struct CapacityCacheState
{
    TraceCacheInfo info;
    CurrentConfig current;
    CurveResult curve;           // the cache's own policy (its backend's), or LRU when unknown
    std::optional<CurveResult> lru; // ideal LRU in the same unit, for comparison (when curve is not LRU)
    TraceAnalysis analysis;
    Recommendation recommendation;
    std::optional<WhatIfResult> atCurrent; // the current configuration replayed: churn, load, memory
    QString failure;             // why this cache has no curve (empty when it has one)
};

// The what-if knobs of the page.
struct CapacityWhatIf
{
    CachePolicy policy = CachePolicy::Lru;
    SizeUnit unit = SizeUnit::Keys;
    quint64 size = 0;
    double ttlScale = 1.0;
    std::optional<qint64> ttl;  // one timeout for every set
    quint64 maxValueSize = 0;
    bool operator==(const CapacityWhatIf &o) const = default;
};

struct CapacityWhatIfAnswer
{
    CapacityWhatIf knobs; // what this answers
    WhatIfResult result;
    std::optional<CurveResult> curve; // when the knobs change the requests or the policy
};

// The Capacity page's engine, without widgets: it owns the trace source (a live capture's
// snapshots, refreshed every few seconds, or a trace file), computes every cache's curve,
// analysis, recommendation and current-configuration replay on the thread pool, and the
// selected cache's what-if, debounced, also there. Results come back to this thread by value;
// a result of a superseded job is dropped. The GUI thread never replays a request.
class CapacityPlanner : public QObject
{
    Q_OBJECT
public:
    using Snapshot = std::function<std::pair<TraceHeader, std::shared_ptr<const TraceRecords>>()>;

    explicit CapacityPlanner(QObject *parent = nullptr);
    ~CapacityPlanner() override; // cancels and waits for its jobs

    // Live: `snapshot` is called on this thread every interval (while active) and the curves
    // recomputed when it brought new requests.
    void setLiveSource(const QString &description, Snapshot snapshot, int intervalMs = 3000);
    // Live refreshes run only while active (the page is shown), so a hidden page costs no CPU;
    // becoming active refreshes at once. Active from the start.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    // A trace file (any format TraceReader reads); stops the live source.
    void openTrace(const QString &path);
    void refresh(); // recompute now
    bool isLive() const { return bool(m_snapshot); }
    QString sourceDescription() const { return m_description; }
    bool isBusy() const;

    const QList<CapacityCacheState> &caches() const { return m_states; }
    const TraceHeader &header() const { return m_header; }
    quint64 recordCount() const { return m_records; }
    CapacityCacheModel *cacheModel() const { return m_cacheModel; }
    CapacityCurveModel *curveModel() const { return m_curveModel; }

    void selectCache(int cache);
    int selectedCache() const { return m_selected; }
    // The knobs start at the selected cache's current configuration.
    CapacityWhatIf whatIf() const { return m_whatIf; }
    void setWhatIf(const CapacityWhatIf &whatIf); // debounced
    const std::optional<CapacityWhatIfAnswer> &whatIfAnswer() const { return m_answer; }

    // Writes the trace being shown (the live snapshot, or the open file's records) to `path`,
    // format by suffix, on the thread pool: traceSaved or errorOccurred tells how it went.
    void saveTrace(const QString &path);
    // What a reader of a curve must know to trust it: the trace, its sampling, the replay rules
    // and the policy model of the cache, one sentence each (the page and the report show them).
    QStringList assumptions(int cache) const;
    // Distinct-key growth of a cache, in words ("" when the trace is too short to say).
    QString growthText(int cache) const;

    static constexpr int kDebounceMs = 150;

Q_SIGNALS:
    void sourceChanged();
    void cachesUpdated();          // every cache's state is new
    void whatIfUpdated();
    void busyChanged(bool busy);
    void errorOccurred(const QString &message);
    void traceSaved(const QString &path, quint64 records);

private:
    struct Result
    {
        quint64 job = 0;
        QString error;
        TraceHeader header;
        quint64 records = 0;
        QList<CapacityCacheState> states;
    };
    struct WhatIfJob
    {
        quint64 job = 0;
        QString error;
        CapacityWhatIfAnswer answer;
    };
    using SourceFactory = std::function<Expected<std::unique_ptr<RecordSource>>()>;

    void startAnalysis(SourceFactory factory);
    void startWhatIf();
    void onAnalysisDone();
    void onWhatIfDone();
    bool settle(bool stale, bool &pending, const std::function<void()> &startNext, const QString &error);
    void resetWhatIfToCurrent();
    static Result analyze(quint64 job, const SourceFactory &factory, const std::atomic_bool &stop);
    static WhatIfJob runWhatIf(quint64 job, const SourceFactory &factory, const CapacityCacheState &state, int cache,
                               const CapacityWhatIf &knobs, const std::atomic_bool &stop);

    QString m_description;
    Snapshot m_snapshot;
    SourceFactory m_factory; // the source of the last analysis (what-ifs use it too)
    QTimer m_liveTimer;
    bool m_active = true;
    // The live snapshot last analysed: a refresh without new requests is skipped.
    std::pair<size_t, TraceRecord> m_lastSnapshot{0, TraceRecord{}};
    QTimer m_debounce;
    QFutureWatcher<Result> m_analysis;
    QFutureWatcher<WhatIfJob> m_whatIfJob;
    struct Saved
    {
        QString path, error;
        quint64 records = 0;
    };
    QFutureWatcher<Saved> m_save;
    std::shared_ptr<std::atomic_bool> m_stop = std::make_shared<std::atomic_bool>(false);
    quint64 m_job = 0, m_whatIfId = 0;
    bool m_pendingAnalysis = false, m_pendingWhatIf = false;
    TraceHeader m_header;
    quint64 m_records = 0;
    QList<CapacityCacheState> m_states;
    int m_selected = -1;
    CapacityWhatIf m_whatIf;
    std::optional<CapacityWhatIfAnswer> m_answer;
    CapacityCacheModel *m_cacheModel;
    CapacityCurveModel *m_curveModel;
};

} // namespace cachescope
