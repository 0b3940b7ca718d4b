#include "traceanalysis.h"

#include "lrustack.h"

#include <bit>
#include <cmath>

namespace cachescope {

namespace {

QString byteLabel(quint64 bytes)
{
    if (bytes >= (quint64(1) << 30))
        return QStringLiteral("%1 GiB").arg(bytes >> 30);
    if (bytes >= (quint64(1) << 20))
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(bytes >> 10);
    return QStringLiteral("%1 B").arg(bytes);
}

int log2Bin(quint64 v)
{
    return v == 0 ? 0 : int(std::bit_width(v)); // 1 -> 1, 2-3 -> 2, 4-7 -> 3, ...
}

struct KeyState
{
    quint32 lastSlice = ~quint32(0);
    quint32 size = 0;
    quint32 keySize = 0;
};

} // namespace

Expected<TraceAnalysis> analyzeTrace(RecordSource &source, int cache, int slices, quint64 keyBudget,
                                     const std::atomic_bool *cancel)
{
    auto profile = profileTrace(source, cache, SizeUnit::Bytes, keyBudget, 0, cancel);
    if (!profile)
        return Error{profile.error()};
    TraceAnalysis a;
    a.profile = *profile;
    const TraceProfile &p = a.profile;
    const double seconds = qMax(p.seconds(), 1e-3);
    const quint64 writes = p.sets + p.updates + p.deletes;
    a.requestsPerSecond = double(p.records) / seconds;
    a.readsPerSecond = double(p.reads) / seconds;
    a.writesPerSecond = double(writes) / seconds;
    a.readShare = p.reads + writes ? double(p.reads) / double(p.reads + writes) : 0.0;

    slices = qBound(1, slices, 1000);
    const qint64 span = qMax<qint64>(1, p.lastMs - p.firstMs + 1);
    const qint64 width = qMax<qint64>(1, (span + slices - 1) / slices);
    a.sliceSeconds = double(width) / 1000.0;
    for (int i = 0; i < slices; ++i)
        a.timeline.append(TimeSlice{p.firstMs + qint64(i) * width});

    // Per-key structures follow the profile's key sample when the trace has too many keys.
    const quint64 threshold = p.uniqueEstimated ? shards::thresholdFor(p.keySampleRate) : shards::kModulus;
    const double scale = 1.0 / p.keySampleRate;
    KeyTable<KeyState> keys;
    UnitLruStack stack;
    std::vector<double> sliceKeys(size_t(slices), 0), sliceBytes(size_t(slices), 0), sliceNew(size_t(slices), 0);
    std::vector<double> sizeBins(34, 0), reuseBins(66, 0);
    std::vector<quint64> ttlBins(9, 0);
    static const qint64 ttlEdges[] = {0, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400};

    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != cache)
                    continue;
                const int s = int(qBound(qint64(0), (r.timeMs - p.firstMs) / width, qint64(slices - 1)));
                TimeSlice &slice = a.timeline[s];
                ++slice.requests;
                if (isRead(r.op)) {
                    ++slice.reads;
                    slice.outcomeHits += r.op == TraceOp::GetHit;
                    slice.outcomeMisses += r.op == TraceOp::GetMiss;
                } else {
                    ++slice.writes;
                }
                if (r.op == TraceOp::Set) {
                    int bin = 8;
                    if (r.ttl <= 0)
                        bin = 0; // never (or expired at once)
                    else
                        for (int e = 1; e < 8; ++e)
                            if (r.ttl <= ttlEdges[e]) {
                                bin = e;
                                break;
                            }
                    ++ttlBins[size_t(bin)];
                }
                if (threshold < shards::kModulus && shards::bucket(r.key) >= threshold)
                    continue;
                if (r.op == TraceOp::Delete) {
                    stack.remove(r.key);
                    continue;
                }
                bool inserted = false;
                KeyState &k = keys.findOrInsert(r.key, &inserted);
                if (r.valueSize > 0)
                    k.size = r.valueSize;
                k.keySize = r.keySize;
                if (inserted)
                    sliceNew[size_t(s)] += 1;
                if (k.lastSlice != quint32(s)) {
                    k.lastSlice = quint32(s);
                    sliceKeys[size_t(s)] += 1;
                    sliceBytes[size_t(s)] += double(k.size) + double(k.keySize);
                }
                const quint64 d = stack.access(r.key, 1);
                if (isRead(r.op))
                    reuseBins[d == UnitLruStack::kCold ? 0 : size_t(log2Bin(quint64(double(d) * scale)))] += 1;
            }
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (!*ok)
        return makeError(QStringLiteral("cancelled"));

    keys.forEach([&](quint64, const KeyState &k) { sizeBins[size_t(qMin(33, log2Bin(k.size)))] += 1; });
    for (int s = 0; s < slices; ++s) {
        a.timeline[s].distinctKeys = quint64(std::llround(sliceKeys[size_t(s)] * scale));
        a.timeline[s].distinctBytes = quint64(std::llround(sliceBytes[size_t(s)] * scale));
        a.timeline[s].newKeys = quint64(std::llround(sliceNew[size_t(s)] * scale));
    }
    // Drop empty slices at the end (a trace shorter than its slice grid).
    while (a.timeline.size() > 1 && a.timeline.last().requests == 0)
        a.timeline.removeLast();

    for (size_t b = 0; b < sizeBins.size(); ++b) {
        if (sizeBins[b] == 0)
            continue;
        // Half-open: [2^(b-1), 2^b).
        const QString label = b == 0 ? QStringLiteral("0 B")
                                     : QStringLiteral("%1 to < %2").arg(byteLabel(quint64(1) << (b - 1)), byteLabel(quint64(1) << b));
        a.objectSizes.append({label, quint64(std::llround(sizeBins[b] * scale))});
    }
    static const char *ttlLabels[] = {"never", "≤ 1 min", "≤ 5 min", "≤ 15 min", "≤ 1 h", "≤ 6 h", "≤ 1 day", "≤ 1 week", "> 1 week"};
    for (int b = 0; b < 9; ++b)
        a.ttls.append({QString::fromUtf8(ttlLabels[b]), ttlBins[size_t(b)]});
    a.reuseDistances.append({QStringLiteral("first use"), quint64(std::llround(reuseBins[0] * scale))});
    for (size_t b = 1; b < reuseBins.size(); ++b)
        if (reuseBins[b] > 0)
            a.reuseDistances.append({QStringLiteral("%1 to < %2 keys").arg(quint64(1) << (b - 1)).arg(quint64(1) << b),
                                     quint64(std::llround(reuseBins[b] * scale))});

    // Growth: least squares of the cumulative distinct keys against time (slice midpoints).
    double cumulative = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    const int n = a.timeline.size();
    for (int s = 0; s < n; ++s) {
        cumulative += double(a.timeline[s].newKeys);
        const double x = (double(s) + 0.5) * a.sliceSeconds;
        sx += x;
        sy += cumulative;
        sxx += x * x;
        sxy += x * cumulative;
    }
    const double denominator = double(n) * sxx - sx * sx;
    const double slope = n > 1 && denominator > 0 ? (double(n) * sxy - sx * sy) / denominator : 0.0; // keys/s
    a.newKeysPerHour = qMax(0.0, slope * 3600);
    a.projectedKeys7d = quint64(std::llround(double(p.uniqueKeys) + qMax(0.0, slope) * 7 * 86400));
    a.projectedKeys30d = quint64(std::llround(double(p.uniqueKeys) + qMax(0.0, slope) * 30 * 86400));
    const double meanObject = p.uniqueKeys ? double(p.uniqueBytes) / double(p.uniqueKeys) : 0.0;
    a.projectedBytes30d = quint64(std::llround(double(a.projectedKeys30d) * meanObject));
    return a;
}

} // namespace cachescope
