// Miss-ratio curve throughput on a 10M-request Zipf trace (1M keys, skew 1.0), one core:
//  1. exact LRU curve (stack distances, every size in one pass; profile pass included)
//  2. SHARDS at 1 % (profile pass included) and its mean absolute error against the exact curve
//  3. a naive linked-hash-map LRU in C++ (std::list + std::unordered_map), one size per pass
//  4. Python's OrderedDict LRU (Debian python3), one size per pass, on the same trace
// CPU time is measured per thread (the curve runs on this thread); wall time and the load
// average are printed beside it. The last line: exact_mreqs=<n> shards_mreqs=<n> shards_mae=<n>.
// Not a test: figures depend on the machine and its load.
#include "benchprobes.h"
#include "capacity/mrc.h"

#include "demo/zipfsampler.h"

#include "python.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThreadPool>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <list>
#include <random>
#include <unordered_map>
#include <vector>

using namespace cachescope;

namespace {

constexpr quint64 kRequests = 10'000'000;
constexpr int kKeys = 1'000'000;

double threadCpuSeconds()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The trace as 4-byte key ids (40 MB), turned into records a batch at a time.
class IdSource : public RecordSource
{
public:
    explicit IdSource(const std::vector<quint32> &ids) : m_ids(ids)
    {
        m_header.source = QStringLiteral("bench");
        m_header.caches = {TraceCacheInfo{QStringLiteral("zipf"), {}, -1, 0, 0, {}}};
    }
    const TraceHeader &header() const override { return m_header; }
    Expected<bool> scan(const Sink &sink, const std::atomic_bool * = nullptr) override
    {
        TraceRecords batch(16384);
        for (size_t at = 0; at < m_ids.size(); at += batch.size()) {
            const size_t n = qMin(batch.size(), m_ids.size() - at);
            for (size_t i = 0; i < n; ++i) {
                TraceRecord &r = batch[i];
                r.timeMs = qint64(at + i);
                r.key = m_ids[at + i];
                r.valueSize = 100;
                r.op = TraceOp::Get;
            }
            if (!sink(batch.data(), n))
                return false;
        }
        return true;
    }

private:
    const std::vector<quint32> &m_ids;
    TraceHeader m_header;
};

double naiveLru(const std::vector<quint32> &ids, size_t capacity)
{
    std::list<quint32> order;
    std::unordered_map<quint32, std::list<quint32>::iterator> map;
    map.reserve(capacity * 2);
    quint64 hits = 0;
    for (quint32 id : ids) {
        auto it = map.find(id);
        if (it != map.end()) {
            ++hits;
            order.splice(order.begin(), order, it->second);
            continue;
        }
        order.push_front(id);
        map.emplace(id, order.begin());
        if (map.size() > capacity) {
            map.erase(order.back());
            order.pop_back();
        }
    }
    return double(hits) / double(ids.size());
}

const char kPyOrderedDict[] = R"PY(
import array, collections, json, sys, time
ids = array.array("I")
with open(sys.argv[1], "rb") as f:
    ids.frombytes(f.read())
capacity = int(sys.argv[2])
start = time.process_time()
cache = collections.OrderedDict()
hits = 0
for k in ids:
    if k in cache:
        hits += 1
        cache.move_to_end(k)
    else:
        cache[k] = True
        if len(cache) > capacity:
            cache.popitem(last=False)
cpu = time.process_time() - start
print(json.dumps({"hits": hits, "cpu": cpu}))
)PY";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::printf("generating %llu Zipf(1.0) requests over %d keys...\n", static_cast<unsigned long long>(kRequests), kKeys);
    std::vector<quint32> ids(kRequests);
    {
        std::mt19937 rng(42);
        ZipfSampler zipf(kKeys, 1.0);
        for (quint32 &id : ids)
            id = quint32(zipf.sample(rng));
    }
    IdSource source(ids);
    // The curve runs on this thread: one core (no pool threads are used by the stack method).
    QThreadPool::globalInstance()->setMaxThreadCount(1);

    CurveRequest request;
    request.points = 100;
    QElapsedTimer wall;
    wall.start();
    double cpu = threadCpuSeconds();
    auto exact = computeCurve(source, request);
    const double exactCpu = threadCpuSeconds() - cpu;
    const double exactWall = double(wall.elapsed()) / 1000;
    if (!exact) {
        std::fprintf(stderr, "exact curve failed: %s\n", qPrintable(exact.error()));
        return 1;
    }
    const double exactRate = double(kRequests) / exactCpu;
    std::printf("exact LRU (%s, %lld sizes, one pass): %.2f s CPU, %.2f s wall, %.2f M req/s (CPU)\n",
                qPrintable(exact->method), qlonglong(exact->points.size()), exactCpu, exactWall, exactRate / 1e6);

    request.sizes.clear();
    for (const CurvePoint &p : std::as_const(exact->points))
        request.sizes << p.size;
    request.sampling.mode = Sampling::Mode::Rate;
    request.sampling.rate = 0.01;
    wall.restart();
    cpu = threadCpuSeconds();
    auto sampled = computeCurve(source, request);
    const double shardsCpu = threadCpuSeconds() - cpu;
    const double shardsWall = double(wall.elapsed()) / 1000;
    if (!sampled) {
        std::fprintf(stderr, "SHARDS curve failed: %s\n", qPrintable(sampled.error()));
        return 1;
    }
    double mae = 0;
    for (qsizetype i = 0; i < exact->points.size(); ++i)
        mae += std::abs(exact->points[i].hitRatio - sampled->points[i].hitRatio);
    mae /= double(exact->points.size());
    const double shardsRate = double(kRequests) / shardsCpu;
    std::printf("SHARDS 1%% (one pass): %.3f s CPU, %.3f s wall, %.2f M req/s (CPU), MAE %.5f against exact\n", shardsCpu,
                shardsWall, shardsRate / 1e6, mae);

    // One size, the curve's point at 10 % of the keys.
    const size_t capacity = kKeys / 10;
    cpu = threadCpuSeconds();
    const double naive = naiveLru(ids, capacity);
    const double naiveCpu = threadCpuSeconds() - cpu;
    std::printf("naive C++ LRU (std::list + unordered_map), one size (%zu keys): %.2f s CPU, %.2f M req/s, hit ratio %.4f "
                "(exact curve there: %.4f)\n",
                capacity, naiveCpu, double(kRequests) / naiveCpu / 1e6, naive, exact->hitRatioAt(capacity));
    std::printf("  -> the exact curve gives %lld sizes in %.1fx the time of one naive size\n", qlonglong(exact->points.size()),
                exactCpu / naiveCpu);

    QTemporaryDir dir;
    const QString idsPath = dir.filePath(QStringLiteral("ids.bin"));
    {
        QFile f(idsPath);
        if (!f.open(QIODevice::WriteOnly)
            || f.write(reinterpret_cast<const char *>(ids.data()), qint64(ids.size() * sizeof(quint32))) < 0) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(idsPath));
            return 1;
        }
    }
    auto py = test::runPython(QString::fromUtf8(kPyOrderedDict), {idsPath, QString::number(capacity)}, {}, 600000);
    if (py) {
        const QJsonObject o = QJsonDocument::fromJson(*py).object();
        const double pyCpu = o.value(QStringLiteral("cpu")).toDouble();
        const double pyHit = o.value(QStringLiteral("hits")).toDouble() / double(kRequests);
        std::printf("python3 OrderedDict LRU, one size (%zu keys): %.2f s CPU, %.2f M req/s, hit ratio %.4f\n", capacity,
                    pyCpu, double(kRequests) / pyCpu / 1e6, pyHit);
        std::printf("  -> exact curve %.1fx faster per request than Python's one size; %.0fx for all %lld sizes\n",
                    pyCpu / exactCpu, pyCpu * double(exact->points.size()) / exactCpu, qlonglong(exact->points.size()));
    } else {
        std::printf("python3 OrderedDict: %s\n", qPrintable(py.error()));
    }
    std::printf("load average %s\n", test::loadAverage().constData());
    std::printf("exact_mreqs=%.2f shards_mreqs=%.2f shards_mae=%.5f\n", exactRate / 1e6, shardsRate / 1e6, mae);
    return 0;
}
