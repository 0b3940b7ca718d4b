#include "capacityplanner.h"

#include "capacitymodels.h"

#include "capacity/recordsource.h"
#include "capacity/tracewriter.h"

#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace cachescope {

namespace {

// The page must answer in seconds on a busy laptop: past this many requests of a cache its curves
// are SHARDS miniatures of about kSampledRecords requests, drawn with their band.
constexpr quint64 kExactRecords = 300'000;
constexpr quint64 kSampledRecords = 150'000;
constexpr int kPoints = 40;
constexpr quint64 kKeyBudget = 4'000'000;

Sampling samplingFor(quint64 records)
{
    Sampling s;
    if (records > kExactRecords) {
        s.mode = Sampling::Mode::Rate;
        s.rate = qMax(1e-4, double(kSampledRecords) / double(records));
    }
    return s;
}

} // namespace

CapacityPlanner::CapacityPlanner(QObject *parent)
    : QObject(parent), m_cacheModel(new CapacityCacheModel(this)), m_curveModel(new CapacityCurveModel(this))
{
    qRegisterMetaType<QStringList>();
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &CapacityPlanner::startWhatIf);
    connect(&m_liveTimer, &QTimer::timeout, this, &CapacityPlanner::refresh);
    connect(&m_analysis, &QFutureWatcherBase::finished, this, &CapacityPlanner::onAnalysisDone);
    connect(&m_whatIfJob, &QFutureWatcherBase::finished, this, &CapacityPlanner::onWhatIfDone);
    connect(&m_save, &QFutureWatcherBase::finished, this, [this] {
        const Saved saved = m_save.result();
        if (saved.error.isEmpty())
            Q_EMIT traceSaved(saved.path, saved.records);
        else
            Q_EMIT errorOccurred(saved.error);
    });
}

CapacityPlanner::~CapacityPlanner()
{
    m_stop->store(true);
    m_analysis.waitForFinished();
    m_whatIfJob.waitForFinished();
    m_save.waitForFinished();
}

bool CapacityPlanner::isBusy() const
{
    // Knobs waiting for their debounce count: their answer is on its way.
    return m_analysis.isRunning() || m_whatIfJob.isRunning() || m_debounce.isActive();
}

void CapacityPlanner::setLiveSource(const QString &description, Snapshot snapshot, int intervalMs)
{
    m_description = description;
    m_snapshot = std::move(snapshot);
    m_lastSnapshot = {};
    m_liveTimer.setInterval(qMax(200, intervalMs));
    if (m_active)
        m_liveTimer.start();
    Q_EMIT sourceChanged();
    if (m_active)
        refresh();
}

void CapacityPlanner::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (!m_snapshot)
        return;
    if (active) {
        m_liveTimer.start();
        refresh();
    } else {
        m_liveTimer.stop();
    }
}

void CapacityPlanner::openTrace(const QString &path)
{
    m_liveTimer.stop();
    m_snapshot = {};
    m_lastSnapshot = {};
    m_description = path;
    m_states.clear();
    m_cacheModel->setCaches({});
    m_curveModel->clear();
    m_selected = -1;
    Q_EMIT sourceChanged();
    startAnalysis([path]() -> Expected<std::unique_ptr<RecordSource>> {
        auto source = FileRecordSource::open(path);
        if (!source)
            return Error{source.error()};
        return std::unique_ptr<RecordSource>(std::move(*source));
    });
}

void CapacityPlanner::refresh()
{
    if (m_snapshot) {
        auto [header, records] = m_snapshot();
        if (header.caches.isEmpty() || !records)
            return;
        // The capture stopped (a config of the user's retired the demo): nothing new to compute.
        const std::pair<size_t, TraceRecord> last{records->size(), records->empty() ? TraceRecord{} : records->back()};
        if (last == m_lastSnapshot && !m_states.isEmpty())
            return;
        m_lastSnapshot = last;
        startAnalysis([header, records]() -> Expected<std::unique_ptr<RecordSource>> {
            return std::unique_ptr<RecordSource>(std::make_unique<MemoryRecordSource>(header, records));
        });
    } else if (m_factory) {
        startAnalysis(m_factory);
    }
}

void CapacityPlanner::startAnalysis(SourceFactory factory)
{
    m_factory = factory;
    if (m_analysis.isRunning()) {
        m_pendingAnalysis = true; // the newest source is analysed when this one is done
        return;
    }
    const quint64 job = ++m_job;
    auto stop = m_stop;
    m_analysis.setFuture(QtConcurrent::run([job, factory, stop] { return analyze(job, factory, *stop); }));
    Q_EMIT busyChanged(true);
}

CapacityPlanner::Result CapacityPlanner::analyze(quint64 job, const SourceFactory &factory, const std::atomic_bool &stop)
{
    Result r;
    r.job = job;
    auto opened = factory();
    if (!opened) {
        r.error = opened.error();
        return r;
    }
    RecordSource &source = **opened;
    r.header = source.header();
    for (int c = 0; c < r.header.caches.size() && !stop; ++c) {
        CapacityCacheState s;
        s.info = r.header.caches[c];
        s.current = currentConfigFor(s.info);
        auto analysis = analyzeTrace(source, c, 60, kKeyBudget, &stop);
        if (!analysis) {
            s.failure = analysis.error();
            r.states.append(s);
            continue;
        }
        s.analysis = *analysis;
        r.records += s.analysis.profile.records;
        if (s.analysis.profile.reads == 0) {
            s.failure = QStringLiteral("no reads yet");
            r.states.append(s);
            continue;
        }
        CurveRequest request;
        request.cache = c;
        request.policy = s.current.known ? s.current.policy : CachePolicy::Lru;
        request.unit = s.current.known ? s.current.unit : SizeUnit::Keys;
        request.sampling = samplingFor(s.analysis.profile.records);
        request.errorBand = request.sampling.mode != Sampling::Mode::Exact;
        request.keyBudget = kKeyBudget;
        request.masters = s.current.masters;
        // The sizes reach past both the working set and the current size, and include it.
        auto probe = profileTrace(source, c, request.unit, kKeyBudget, 0, &stop);
        if (!probe) {
            s.failure = probe.error();
            r.states.append(s);
            continue;
        }
        const quint64 currentSize = s.current.known ? s.current.size : 0;
        request.sizes = defaultSizes(qMax(probe->workingSet, currentSize + currentSize / 4), kPoints);
        if (currentSize > 0 && !request.sizes.contains(currentSize))
            request.sizes.append(currentSize);
        auto curve = computeCurve(source, request, &stop);
        if (!curve) {
            s.failure = curve.error();
            r.states.append(s);
            continue;
        }
        s.curve = *curve;
        if (request.policy != CachePolicy::Lru) {
            CurveRequest lru = request;
            lru.policy = CachePolicy::Lru;
            lru.errorBand = false;
            if (auto ideal = computeCurve(source, lru, &stop))
                s.lru = *ideal;
        }
        s.recommendation = recommend(s.curve, s.current);
        if (currentSize > 0) {
            WhatIfRequest w;
            w.cache = c;
            w.policy = request.policy;
            w.unit = request.unit;
            w.size = currentSize;
            w.sampleRate = s.curve.sampleRate;
            w.masters = request.masters;
            if (auto now = cachescope::whatIf(source, w, s.analysis.profile, &stop))
                s.atCurrent = *now;
        }
        r.states.append(s);
    }
    if (stop)
        r.error = QStringLiteral("cancelled");
    return r;
}

// What the end of either job does first: start the job that waited for this one (or leave the
// busy state when none runs), report an error other than a cancellation, and say whether this
// answer may be shown (it is the newest and it is not an error).
bool CapacityPlanner::settle(bool stale, bool &pending, const std::function<void()> &startNext, const QString &error)
{
    if (pending && !m_stop->load()) {
        pending = false;
        startNext();
    } else if (!isBusy()) {
        Q_EMIT busyChanged(false);
    }
    if (stale)
        return false;
    if (!error.isEmpty()) {
        if (error != u"cancelled")
            Q_EMIT errorOccurred(error);
        return false;
    }
    return true;
}

void CapacityPlanner::onAnalysisDone()
{
    Result r = m_analysis.result();
    if (!settle(r.job != m_job, m_pendingAnalysis, [this] { startAnalysis(m_factory); }, r.error))
        return;
    const QString selected = m_selected >= 0 && m_selected < m_states.size() ? m_states[m_selected].info.name : QString();
    // Knobs set while the selected cache had no curve yet (no reads) start over at its first one.
    const bool selectedHadCurve = !selected.isEmpty() && !m_states[m_selected].curve.points.isEmpty();
    m_header = r.header;
    m_records = r.records;
    m_states = r.states;
    m_cacheModel->setCaches(m_states);
    int keep = -1;
    for (int i = 0; i < m_states.size(); ++i)
        if (m_states[i].info.name == selected)
            keep = i;
    if (keep < 0) {
        // First results: the chart data cache is what a planning meeting asks about.
        for (int i = 0; i < m_states.size(); ++i)
            if (m_states[i].info.name == u"DATA_CACHE_CONFIG")
                keep = i;
        if (keep < 0 && !m_states.isEmpty())
            keep = 0;
        m_selected = keep;
        resetWhatIfToCurrent();
    } else {
        m_selected = keep;
        if (!selectedHadCurve)
            resetWhatIfToCurrent();
    }
    if (m_selected >= 0)
        m_curveModel->setCurve(m_states[m_selected].curve, m_states[m_selected].lru);
    Q_EMIT cachesUpdated();
    if (m_selected >= 0)
        m_debounce.start(); // the what-if follows the fresh trace
}

void CapacityPlanner::selectCache(int cache)
{
    if (cache < 0 || cache >= m_states.size() || cache == m_selected)
        return;
    m_selected = cache;
    m_curveModel->setCurve(m_states[cache].curve, m_states[cache].lru);
    resetWhatIfToCurrent();
    Q_EMIT cachesUpdated();
    m_debounce.start();
}

void CapacityPlanner::resetWhatIfToCurrent()
{
    m_answer.reset();
    if (m_selected < 0)
        return;
    const CapacityCacheState &s = m_states[m_selected];
    CapacityWhatIf w;
    w.policy = s.curve.policy;
    w.unit = s.curve.unit;
    w.size = s.current.known && s.current.size > 0 ? s.current.size : s.recommendation.size;
    m_whatIf = w;
}

void CapacityPlanner::setWhatIf(const CapacityWhatIf &whatIf)
{
    m_whatIf = whatIf;
    m_debounce.start();
    Q_EMIT busyChanged(true);
}

void CapacityPlanner::startWhatIf()
{
    if (m_selected < 0 || !m_factory || m_whatIf.size == 0) {
        Q_EMIT busyChanged(isBusy());
        return;
    }
    if (m_whatIfJob.isRunning()) {
        m_pendingWhatIf = true;
        return;
    }
    const quint64 job = ++m_whatIfId;
    auto stop = m_stop;
    m_whatIfJob.setFuture(QtConcurrent::run([job, factory = m_factory, state = m_states[m_selected], cache = m_selected,
                                             knobs = m_whatIf, stop] {
        return runWhatIf(job, factory, state, cache, knobs, *stop);
    }));
    Q_EMIT busyChanged(true);
}

CapacityPlanner::WhatIfJob CapacityPlanner::runWhatIf(quint64 job, const SourceFactory &factory, const CapacityCacheState &state,
                                                      int cache, const CapacityWhatIf &knobs, const std::atomic_bool &stop)
{
    WhatIfJob r;
    r.job = job;
    r.answer.knobs = knobs;
    auto opened = factory();
    if (!opened) {
        r.error = opened.error();
        return r;
    }
    RecordSource &source = **opened;
    ReplayOptions replay;
    replay.ttlScale = knobs.ttlScale;
    replay.ttlOverride = knobs.ttl;
    replay.maxValueSize = knobs.maxValueSize;
    WhatIfRequest w;
    w.cache = cache;
    w.policy = knobs.policy;
    w.unit = knobs.unit;
    w.size = knobs.size;
    w.replay = replay;
    w.sampleRate = state.curve.sampleRate;
    w.masters = state.current.masters;
    auto result = cachescope::whatIf(source, w, state.analysis.profile, &stop);
    if (!result) {
        r.error = result.error();
        return r;
    }
    r.answer.result = *result;
    if (knobs.policy != state.curve.policy || !(replay == ReplayOptions{})) {
        CurveRequest request;
        request.cache = cache;
        request.policy = knobs.policy;
        request.unit = state.curve.unit;
        for (const CurvePoint &p : state.curve.points)
            request.sizes << p.size;
        request.sampling = state.curve.sampling;
        request.replay = replay;
        request.keyBudget = kKeyBudget;
        request.masters = state.current.masters;
        if (auto curve = computeCurve(source, request, &stop))
            r.answer.curve = *curve;
    }
    return r;
}

void CapacityPlanner::onWhatIfDone()
{
    WhatIfJob r = m_whatIfJob.result();
    // Delivered only for the knobs shown now: a slider moved while this ran waits for the job
    // that follows (its answer must not stand beside the new size). A live refresh re-runs the
    // same knobs, so a busy live page still gets its answers.
    if (!settle(r.job != m_whatIfId || !(r.answer.knobs == m_whatIf), m_pendingWhatIf, [this] { startWhatIf(); }, r.error))
        return;
    m_answer = r.answer;
    m_curveModel->setWhatIfCurve(r.answer.curve);
    Q_EMIT whatIfUpdated();
}

void CapacityPlanner::saveTrace(const QString &path)
{
    if (!m_factory) {
        Q_EMIT errorOccurred(tr("No trace to save yet"));
        return;
    }
    if (m_save.isRunning()) {
        Q_EMIT errorOccurred(tr("A trace is being saved already"));
        return;
    }
    m_save.setFuture(QtConcurrent::run([path, factory = m_factory]() -> Saved {
        auto source = factory();
        if (!source)
            return {path, source.error()};
        auto writer = TraceWriter::create(path, TraceFormat::Auto, (*source)->header());
        if (!writer)
            return {path, writer.error()};
        QString failure;
        auto ok = (*source)->scan([&](const TraceRecord *records, size_t count) {
            if (auto written = (*writer)->write(records, qsizetype(count)); !written) {
                failure = written.error();
                return false;
            }
            return true;
        });
        if (!ok)
            return {path, ok.error()};
        if (!failure.isEmpty())
            return {path, failure};
        if (auto done = (*writer)->finish(); !done)
            return {path, done.error()};
        return {path, QString(), (*writer)->written()};
    }));
}

QStringList CapacityPlanner::assumptions(int cache) const
{
    QStringList out;
    if (cache < 0 || cache >= m_states.size())
        return out;
    const CapacityCacheState &s = m_states[cache];
    const TraceProfile &p = s.analysis.profile;
    const QString outcomes = m_header.exactOutcomes ? tr("hits and misses counted at each call")
                                                    : tr("hits and misses not recorded or estimated");
    out << tr("Trace: %1, %2 requests to this cache over %3 s (%4; source %5%6).")
               .arg(m_description)
               .arg(p.records)
               .arg(p.seconds(), 0, 'f', 0)
               .arg(outcomes, m_header.source,
                    m_header.note.isEmpty() ? QString() : QStringLiteral("; ") + m_header.note);
    if (m_header.sampleRate < 1)
        out << tr("The capture kept %1 of the keys (by key hash): sizes are those of that sample.").arg(m_header.sampleRate);
    if (s.curve.sampleRate < 1)
        out << tr("The curve was computed on a SHARDS sample of %1 of the keys; the band shows the spread of four "
                  "disjoint sub-samples (about 95 %).")
                   .arg(s.curve.sampleRate, 0, 'g', 3);
    out << tr("Replay: a get that misses is filled at once with the key's value size and the TTL of its last set "
              "(demand fill, as Superset does); a set inserts or updates and restarts the TTL; TTL 0 never expires.");
    switch (s.curve.policy) {
    case CachePolicy::SimpleThreshold:
        out << tr("Policy: cachelib 0.9.0 SimpleCache: when a set finds more than CACHE_THRESHOLD entries it removes "
                  "the expired ones (and, a cachelib quirk, the never-expiring ones), then the soonest to expire.");
        break;
    case CachePolicy::FileSystemThreshold:
        out << tr("Policy: cachelib 0.9.0 FileSystemCache: when a set finds more than CACHE_THRESHOLD files it "
                  "removes the expired ones, then the soonest to expire (never-expiring first).");
        break;
    case CachePolicy::RedisAllKeysLru:
    case CachePolicy::RedisAllKeysLfu:
    case CachePolicy::RedisVolatileLru:
    case CachePolicy::RedisVolatileLfu:
        out << tr("Policy: Redis 7.0 %1 as redis-server does it (5 samples into a pool of 16, 1-s LRU clock or "
                  "Morris counter, lazy and active expiry); sizes are the data set's bytes with Redis's per-key "
                  "allocations; maxmemory adds the server's own overhead (about 1 MB).")
                   .arg(policyName(s.curve.policy));
        break;
    case CachePolicy::Lru:
        out << tr("Policy: ideal LRU (exact stack distances); expired entries are misses and free their memory.");
        break;
    case CachePolicy::Fifo:
        out << tr("Policy: FIFO; expired entries are misses and free their memory.");
        break;
    }
    return out;
}

QString CapacityPlanner::growthText(int cache) const
{
    if (cache < 0 || cache >= m_states.size())
        return {};
    const TraceAnalysis &a = m_states[cache].analysis;
    if (a.profile.seconds() < 60)
        return tr("The trace is too short to see a trend in the distinct keys.");
    return tr("Distinct keys grow by about %1 an hour: a linear projection gives %2 keys in 7 days and %3 (%4) in 30.")
        .arg(a.newKeysPerHour, 0, 'f', 0)
        .arg(a.projectedKeys7d)
        .arg(a.projectedKeys30d)
        .arg(formatSize(double(a.projectedBytes30d), SizeUnit::Bytes));
}

} // namespace cachescope
