#include "mrc.h"

#include "lrustack.h"
#include "redismemory.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cachescope {

namespace {

constexpr int kPartitions = 4;           // sub-samples for the error band
constexpr size_t kPrefetch = 12;         // records ahead whose key-table slot is prefetched
constexpr quint64 kMaxOpsInMemory = 16'000'000; // 32-byte SimOps held for a per-size replay

Error cancelled()
{
    return makeError(QStringLiteral("cancelled"));
}

bool stackIsExact(const CurveRequest &request, const TraceProfile &p)
{
    if (request.policy != CachePolicy::Lru || request.replay.maxValueSize > 0)
        return false;
    const bool ttl = request.replay.ttlOverride ? *request.replay.ttlOverride != 0 : p.hasTtl;
    if (ttl || p.hasUpdate)
        return false;
    return request.unit == SizeUnit::Keys || (!p.hasDelete && !p.hasShrink);
}

// The first size index whose size is at least d (sizes ascending); sizes.size() when none.
qsizetype sizeIndex(const std::vector<double> &sizes, double d)
{
    return std::lower_bound(sizes.begin(), sizes.end(), d) - sizes.begin();
}

double sd(const std::vector<double> &v)
{
    if (v.size() < 2)
        return 0;
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    double s = 0;
    for (double x : v)
        s += (x - mean) * (x - mean);
    return std::sqrt(s / double(v.size() - 1));
}

// One stack-distance pass (exact, or on the requests of keys with bucket < threshold).
template<typename Weight>
struct StackCounter
{
    // Keys: every weight is 1, and the bitmap stack is several times faster.
    std::conditional_t<std::is_same_v<Weight, quint32>, UnitLruStack, LruStack<Weight>> stack;
    std::vector<double> counts; // counts[i]: reads with scaled distance in (size[i-1], size[i]]
    double reads = 0;
    double scale = 1; // 1 / rate
};

template<typename Weight>
Expected<CurveResult> stackCurve(RecordSource &source, const CurveRequest &request, CurveResult result,
                                 quint64 threshold, const std::atomic_bool *cancel)
{
    const TraceProfile &p = result.profile;
    std::vector<double> sizes;
    for (const CurvePoint &pt : std::as_const(result.points))
        sizes.push_back(double(pt.size));
    const int subs = request.errorBand && threshold < shards::kModulus ? kPartitions : 0;
    std::vector<StackCounter<Weight>> counters(size_t(1 + subs));
    const double rate = double(threshold) / double(shards::kModulus);
    for (size_t c = 0; c < counters.size(); ++c) {
        counters[c].counts.assign(sizes.size() + 1, 0.0);
        counters[c].scale = c == 0 ? 1.0 / rate : double(subs) / rate;
    }
    const bool weighted = request.unit != SizeUnit::Keys;
    ReplayPreparer preparer(request.replay, quint32(std::llround(p.meanValueSize)));
    const int cache = request.cache;
    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != cache)
                    continue;
                if (threshold < shards::kModulus && shards::bucket(r.key) >= threshold)
                    continue;
                if (threshold == shards::kModulus && i + kPrefetch < count) // exact: every key is looked up
                    counters[0].stack.prefetch(records[i + kPrefetch].key);
                Weight weight = 1;
                if (weighted) {
                    const SimOp op = preparer.convert(r);
                    weight = Weight(request.unit == SizeUnit::Bytes ? quint64(op.keySize) + op.valueSize
                                                                     : redismemory::entryBytes(op.keySize, op.valueSize, false));
                }
                auto feed = [&](StackCounter<Weight> &counter) {
                    if (r.op == TraceOp::Delete) {
                        counter.stack.remove(r.key);
                        return;
                    }
                    const quint64 d = counter.stack.access(r.key, weight);
                    if (isRead(r.op)) {
                        counter.reads += 1;
                        if (d != decltype(counter.stack)::kCold)
                            counter.counts[size_t(sizeIndex(sizes, double(d) * counter.scale))] += 1;
                    }
                };
                feed(counters[0]);
                if (subs)
                    feed(counters[size_t(1 + shards::partition(r.key, subs))]);
            }
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (!*ok)
        return cancelled();

    // Hit ratio at size i = reads with distance <= size_i / reads. SHARDS-adj (fixed rate):
    // the difference between the reads expected at rate R and those sampled is added to the
    // hits at every size, which corrects the bias of a few very popular keys in or out.
    auto curveOf = [&](const StackCounter<Weight> &c, double expectedReads) {
        std::vector<double> h(sizes.size(), 0.0);
        // Every sampled curve here has one rate for the whole trace (fixed-size finds it in the
        // profile pass), so the adjustment applies to all of them.
        const double adjust = threshold < shards::kModulus ? expectedReads - c.reads : 0.0;
        const double denominator = c.reads + adjust;
        double hits = adjust;
        for (size_t i = 0; i < sizes.size(); ++i) {
            hits += c.counts[i];
            h[i] = denominator > 0 ? qBound(0.0, hits / denominator, 1.0) : 0.0;
        }
        return h;
    };
    const std::vector<double> main = curveOf(counters[0], double(p.reads) * rate);
    std::vector<std::vector<double>> parts;
    for (int s = 1; s <= subs; ++s)
        parts.push_back(curveOf(counters[size_t(s)], double(p.reads) * rate / subs));
    for (qsizetype i = 0; i < result.points.size(); ++i) {
        result.points[i].hitRatio = main[size_t(i)];
        if (subs) {
            std::vector<double> v;
            for (const auto &part : parts)
                v.push_back(part[size_t(i)]);
            result.points[i].band = 1.96 * sd(v) / std::sqrt(double(subs));
        }
    }
    result.method = QStringLiteral("stack");
    return result;
}

// The sampled (or whole) request stream of one cache as SimOps, in memory.
Expected<std::vector<SimOp>> collectOps(RecordSource &source, int cache, quint64 threshold, const ReplayOptions &replay,
                                        double meanValueSize, const std::atomic_bool *cancel)
{
    std::vector<SimOp> ops;
    ReplayPreparer preparer(replay, quint32(std::llround(meanValueSize)));
    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != cache || (threshold < shards::kModulus && shards::bucket(r.key) >= threshold))
                    continue;
                ops.push_back(preparer.convert(r));
            }
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (!*ok)
        return cancelled();
    return ops;
}

quint64 scaledCapacity(quint64 size, double rate)
{
    if (rate >= 1.0)
        return size;
    return qMax<quint64>(1, quint64(std::llround(double(size) * rate)));
}

Expected<CurveResult> simulationCurve(RecordSource &source, const CurveRequest &request, CurveResult result,
                                      quint64 threshold, const std::atomic_bool *cancel)
{
    const double rate = double(threshold) / double(shards::kModulus);
    auto collected = collectOps(source, request.cache, threshold, request.replay, result.profile.meanValueSize, cancel);
    if (!collected)
        return Error{collected.error()};
    const std::vector<SimOp> ops = std::move(*collected);
    const int subs = request.errorBand && threshold < shards::kModulus ? kPartitions : 0;
    std::vector<int> partOf;
    if (subs) {
        partOf.reserve(ops.size());
        for (const SimOp &op : ops)
            partOf.push_back(shards::partition(op.key, subs));
    }
    struct Job
    {
        qsizetype point;
        int part; // -1: the whole sample
    };
    std::vector<Job> jobs;
    for (qsizetype i = 0; i < result.points.size(); ++i)
        for (int part = -1; part < subs; ++part)
            jobs.push_back({i, part});
    std::vector<double> ratios(jobs.size(), 0.0);
    std::atomic_bool stopped{false};
    std::vector<size_t> order(jobs.size());
    std::iota(order.begin(), order.end(), 0);
    QtConcurrent::blockingMap(order, [&](size_t j) {
        if (stopped || (cancel && cancel->load(std::memory_order_relaxed))) {
            stopped = true;
            return;
        }
        const Job job = jobs[j];
        const double partRate = job.part < 0 ? rate : rate / subs;
        auto sim = CacheSim::create(request.policy, request.unit, scaledCapacity(result.points[job.point].size, partRate),
                                    request.seed + quint64(j), request.masters);
        for (size_t i = 0; i < ops.size(); ++i) {
            if (job.part >= 0 && partOf[i] != job.part)
                continue;
            sim->apply(ops[i]);
            if ((i & 0xFFFF) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
                stopped = true;
                return;
            }
        }
        ratios[j] = sim->stats().hitRatio();
    });
    if (stopped)
        return cancelled();
    for (size_t j = 0; j < jobs.size(); ++j)
        if (jobs[j].part < 0)
            result.points[jobs[j].point].hitRatio = ratios[j];
    if (subs) {
        for (qsizetype i = 0; i < result.points.size(); ++i) {
            std::vector<double> v;
            for (size_t j = 0; j < jobs.size(); ++j)
                if (jobs[j].point == i && jobs[j].part >= 0)
                    v.push_back(ratios[j]);
            result.points[i].band = 1.96 * sd(v) / std::sqrt(double(subs));
        }
    }
    result.method = QStringLiteral("simulation");
    return result;
}

// LRU in keys in one pass: the profile's counts and the stack distances together, distances
// kept at full resolution so the sizes can be chosen afterwards (from the distinct keys). It
// gives up (nullopt) when the trace turns out to need a per-size simulation (TTLs, in-place
// updates) or has more keys than the budget; the caller then takes the two-pass way. One pass
// matters: re-reading a trace file (parsing a Twitter CSV) costs as much as the curve.
Expected<std::optional<CurveResult>> onePassKeys(RecordSource &source, const CurveRequest &request, quint64 threshold,
                                                 const std::atomic_bool *cancel)
{
    struct Histogram
    {
        UnitLruStack stack;
        std::vector<double> counts; // counts[d]: sampled reads at distance d (0 unused)
        double reads = 0;
    };
    const bool sampled = threshold < shards::kModulus;
    const int subs = request.errorBand && sampled ? kPartitions : 0;
    std::vector<Histogram> hists(size_t(1 + subs));
    TraceProfile p;
    p.cache = request.cache;
    p.cacheName = source.header().caches.value(request.cache).name;
    const bool ignoreTtl = request.replay.ttlOverride && *request.replay.ttlOverride == 0;
    bool gaveUp = false;
    double sizeSum = 0;
    quint64 sized = 0, fresh = 0;
    KeyTable<char> deleted; // keys deleted at least once: their return is not a new key
    quint64 keys[UnitLruStack::kBatch], distances[UnitLruStack::kBatch];
    bool reads[UnitLruStack::kBatch];
    size_t pending = 0;
    auto record = [&](Histogram &h, quint64 d) {
        h.reads += 1;
        if (d != UnitLruStack::kCold) {
            if (d >= h.counts.size())
                h.counts.resize(size_t(d) + size_t(d) / 2 + 1, 0.0);
            h.counts[size_t(d)] += 1;
        }
    };
    auto flush = [&] {
        if (pending == 0)
            return;
        hists[0].stack.accessBatch(keys, pending, distances);
        for (size_t i = 0; i < pending; ++i) {
            if (reads[i])
                record(hists[0], distances[i]);
            if (subs) {
                Histogram &h = hists[size_t(1 + shards::partition(keys[i], subs))];
                const quint64 d = h.stack.access(keys[i]);
                if (reads[i])
                    record(h, d);
            }
        }
        pending = 0;
    };
    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != request.cache)
                    continue;
                p.count(r);
                // TTLs and updates need the two-pass way (see above).
                if ((r.op == TraceOp::Set && r.ttl != 0 && !ignoreTtl) || r.op == TraceOp::Update) {
                    gaveUp = true;
                    return false;
                }
                if (r.valueSize > 0 && r.op != TraceOp::Delete) {
                    sizeSum += r.valueSize;
                    ++sized;
                }
                if (sampled && shards::bucket(r.key) >= threshold)
                    continue;
                // A key seen for the first time: not in the stack, not deleted before, not waiting
                // in this batch (a key only ever deleted counts too).
                if (!hists[0].stack.contains(r.key) && !deleted.contains(r.key)
                    && std::find(keys, keys + pending, r.key) == keys + pending)
                    ++fresh;
                if (r.op == TraceOp::Delete) {
                    flush();
                    for (Histogram &h : hists)
                        h.stack.remove(r.key);
                    deleted.insertOrAssign(r.key, 1);
                    continue;
                }
                keys[pending] = r.key;
                reads[pending] = isRead(r.op);
                if (++pending == UnitLruStack::kBatch)
                    flush();
                if (quint64(hists[0].stack.keys()) + pending > request.keyBudget) {
                    gaveUp = true;
                    return false;
                }
            }
            flush();
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (gaveUp)
        return std::optional<CurveResult>();
    if (!*ok)
        return cancelled();

    const double rate = double(threshold) / double(shards::kModulus);
    p.meanValueSize = sized ? sizeSum / double(sized) : 0.0;
    p.keySampleRate = rate;
    p.uniqueEstimated = sampled;
    p.uniqueKeys = quint64(std::llround(double(fresh) / rate));
    p.workingSet = p.uniqueKeys;
    CurveResult result;
    result.profile = p;
    result.policy = request.policy;
    result.unit = SizeUnit::Keys;
    result.sampling = request.sampling;
    result.sampleRate = rate;
    result.method = QStringLiteral("stack");
    result.warnings = source.warnings();
    QList<quint64> sizes = request.sizes.isEmpty() ? defaultSizes(p.workingSet, request.points) : request.sizes;
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    // Hit ratio at S: reads with scaled distance d / rate <= S, with SHARDS-adj when sampled.
    auto curveOf = [&](const Histogram &h, double partRate) {
        std::vector<double> out;
        const double expected = double(p.reads) * partRate;
        const double adjust = sampled ? expected - h.reads : 0.0;
        const double denominator = h.reads + adjust;
        double hits = adjust;
        size_t d = 1;
        for (quint64 size : std::as_const(sizes)) {
            // Distances up to floor(S * rate) hit: d / rate <= S.
            const double limit = double(size) * partRate;
            while (d < h.counts.size() && double(d) <= limit + 1e-9) {
                hits += h.counts[d];
                ++d;
            }
            out.push_back(denominator > 0 ? qBound(0.0, hits / denominator, 1.0) : 0.0);
        }
        return out;
    };
    const std::vector<double> main = curveOf(hists[0], rate);
    std::vector<std::vector<double>> parts;
    for (int s = 1; s <= subs; ++s)
        parts.push_back(curveOf(hists[size_t(s)], rate / subs));
    for (qsizetype i = 0; i < sizes.size(); ++i) {
        CurvePoint point{sizes[i], main[size_t(i)], 0};
        if (subs) {
            std::vector<double> v;
            for (const auto &part : parts)
                v.push_back(part[size_t(i)]);
            point.band = 1.96 * sd(v) / std::sqrt(double(subs));
        }
        result.points.append(point);
    }
    return std::optional<CurveResult>(std::move(result));
}

} // namespace

QList<quint64> defaultSizes(quint64 workingSet, int points)
{
    QList<quint64> sizes;
    points = qMax(1, points);
    for (int i = 1; i <= points; ++i) {
        const quint64 s = qMax<quint64>(1, quint64(std::llround(double(workingSet) * i / points)));
        if (sizes.isEmpty() || sizes.last() < s)
            sizes.append(s);
    }
    return sizes;
}

double CurveResult::hitRatioAt(quint64 size) const
{
    if (points.isEmpty())
        return 0;
    if (size <= points.first().size)
        return points.first().hitRatio * (points.first().size ? double(size) / double(points.first().size) : 1.0);
    for (qsizetype i = 1; i < points.size(); ++i) {
        if (size <= points[i].size) {
            const CurvePoint &a = points[i - 1], &b = points[i];
            const double f = double(size - a.size) / double(b.size - a.size);
            return a.hitRatio + f * (b.hitRatio - a.hitRatio);
        }
    }
    return points.last().hitRatio;
}

Expected<CurveResult> computeCurve(RecordSource &source, const CurveRequest &request, const std::atomic_bool *cancel)
{
    if (request.cache < 0 || request.cache >= source.header().caches.size())
        return makeError(QStringLiteral("no cache %1 in the trace").arg(request.cache));
    CurveRequest req = request;
    if (isThresholdPolicy(req.policy))
        req.unit = SizeUnit::Keys; // a threshold counts entries
    if (req.policy == CachePolicy::Lru && req.unit == SizeUnit::Keys && req.replay.maxValueSize == 0
        && !(req.replay.ttlOverride && *req.replay.ttlOverride != 0) && req.sampling.mode != Sampling::Mode::FixedSize) {
        const quint64 threshold = req.sampling.mode == Sampling::Mode::Rate ? shards::thresholdFor(req.sampling.rate)
                                                                            : shards::kModulus;
        auto single = onePassKeys(source, req, threshold, cancel);
        if (!single)
            return Error{single.error()};
        if (*single)
            return std::move(**single);
    }
    const quint64 fixedKeys = req.sampling.mode == Sampling::Mode::FixedSize ? req.sampling.keys : 0;
    const quint64 keyThreshold = req.sampling.mode == Sampling::Mode::Rate ? shards::thresholdFor(req.sampling.rate)
                                                                           : shards::kModulus;
    auto profile = profileTrace(source, req.cache, req.unit, req.keyBudget, fixedKeys, cancel, keyThreshold);
    if (!profile)
        return Error{profile.error()};
    CurveResult result;
    result.profile = *profile;
    result.policy = req.policy;
    result.unit = req.unit;
    result.sampling = req.sampling;
    result.warnings = source.warnings();

    quint64 threshold = shards::kModulus;
    switch (req.sampling.mode) {
    case Sampling::Mode::Exact:
        break;
    case Sampling::Mode::Rate:
        threshold = shards::thresholdFor(req.sampling.rate);
        break;
    case Sampling::Mode::FixedSize:
        threshold = profile->fixedSizeThreshold;
        break;
    }
    if (req.sampling.mode == Sampling::Mode::Exact && profile->uniqueEstimated) {
        threshold = shards::thresholdFor(profile->keySampleRate);
        result.warnings << QStringLiteral("%1 has more than %2 distinct keys: the curve was computed on a spatial sample "
                                          "of the keys (SHARDS, rate %3) to bound memory")
                               .arg(profile->cacheName)
                               .arg(req.keyBudget)
                               .arg(profile->keySampleRate);
    }
    const bool stack = stackIsExact(req, *profile);
    const double rate = double(threshold) / double(shards::kModulus);
    if (!stack && double(profile->records) * rate > double(kMaxOpsInMemory)) {
        const double fit = double(kMaxOpsInMemory) / 2 / double(profile->records);
        threshold = shards::thresholdFor(fit);
        result.warnings << QStringLiteral("replaying %1 requests at every size needs them in memory: the curve was "
                                          "simulated on a spatial sample (SHARDS, rate %2) instead")
                               .arg(profile->records)
                               .arg(double(threshold) / double(shards::kModulus), 0, 'g', 3);
    }
    result.sampleRate = double(threshold) / double(shards::kModulus);

    const QList<quint64> sizes = req.sizes.isEmpty() ? defaultSizes(profile->workingSet, req.points) : req.sizes;
    QList<quint64> sorted = sizes;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (quint64 s : std::as_const(sorted))
        result.points.append(CurvePoint{s, 0, 0});
    if (result.points.isEmpty() || profile->records == 0)
        return result;

    if (stack) {
        if (req.unit == SizeUnit::Keys)
            return stackCurve<quint32>(source, req, std::move(result), threshold, cancel);
        return stackCurve<quint64>(source, req, std::move(result), threshold, cancel);
    }
    return simulationCurve(source, req, std::move(result), threshold, cancel);
}

Expected<ReplayRun> replayOneSize(RecordSource &source, int cache, CachePolicy policy, SizeUnit unit, quint64 size,
                                  const ReplayOptions &replay, const TraceProfile &profile, double sampleRate, quint64 seed,
                                  int masters, const std::atomic_bool *cancel)
{
    const quint64 threshold = sampleRate >= 1.0 ? shards::kModulus : shards::thresholdFor(sampleRate);
    const double rate = double(threshold) / double(shards::kModulus);
    auto sim = CacheSim::create(policy, isThresholdPolicy(policy) ? SizeUnit::Keys : unit, scaledCapacity(size, rate), seed, masters);
    ReplayPreparer preparer(replay, quint32(std::llround(profile.meanValueSize)));
    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != cache || (threshold < shards::kModulus && shards::bucket(r.key) >= threshold))
                    continue;
                sim->apply(preparer.convert(r));
            }
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (!*ok)
        return cancelled();
    return ReplayRun{sim->stats(), rate};
}

} // namespace cachescope
