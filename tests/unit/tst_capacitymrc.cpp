// Miss-ratio curves and simulators of the capacity planner: the one-pass exact LRU (stack
// distances) equals a naive linked-hash-map LRU point by point; SHARDS stays within its
// published error on a 10M-request Zipf trace; cachelib's threshold pruning is checked against
// Debian's cachelib itself (python3, its clock patched to the trace's); the profile stays bounded
// with many keys; what-if and recommendations follow the curve.

#include "capacity/mrc.h"
#include "capacity/redismemory.h"
#include "capacity/tracekey.h"
#include "capacity/whatif.h"

#include "demo/zipfsampler.h"

#include "python.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <cmath>
#include <list>
#include <map>
#include <random>
#include <unordered_map>

using namespace cachescope;

namespace {

TraceHeader oneCache(const QString &backend = {})
{
    TraceHeader h;
    h.source = QStringLiteral("test");
    h.caches = {TraceCacheInfo{QStringLiteral("c"), backend, -1, 0, 0, {}}};
    return h;
}

struct GenOptions
{
    int requests = 20000;
    int keys = 800;
    double skew = 0.9;
    int setPercent = 10;
    int deletePercent = 0;
    bool sizes = false;       // value sizes vary by key (constant per key)
    bool sizeChanges = false; // sets may change a key's size
    int ttlPercent = 0;       // sets with a TTL
    quint32 seed = 1;
};

TraceRecords generate(const GenOptions &o)
{
    std::mt19937 rng(o.seed);
    ZipfSampler zipf(o.keys, o.skew);
    TraceRecords out;
    out.reserve(size_t(o.requests));
    qint64 t = 1'000'000;
    for (int i = 0; i < o.requests; ++i) {
        TraceRecord r;
        t += qint64(rng() % 400);
        r.timeMs = t;
        const int k = zipf.sample(rng);
        r.key = quint64(k) * 7919 + 13;
        r.keySize = 10 + quint32(k % 7);
        const quint32 base = o.sizes ? 50 + quint32((k * 37) % 2000) : 100;
        const int pick = int(rng() % 100);
        if (pick < o.deletePercent) {
            r.op = TraceOp::Delete;
        } else if (pick < o.deletePercent + o.setPercent) {
            r.op = TraceOp::Set;
            r.valueSize = o.sizeChanges ? base + quint32(rng() % 500) : base;
            if (int(rng() % 100) < o.ttlPercent)
                r.ttl = 1 + int(rng() % 60);
        } else {
            r.op = TraceOp::Get;
            r.valueSize = base;
        }
        out.push_back(r);
    }
    return out;
}

// An LRU cache written the obvious way (std::list + std::unordered_map), with the replay rules
// of `cachescope capacity`: a miss is filled with the key's size and its last set's TTL, a set
// inserts or updates and restarts the TTL, an expired entry is a miss and is freed at expiry.
class NaiveLru
{
public:
    NaiveLru(quint64 capacity, bool bytes) : m_capacity(capacity), m_bytes(bytes) {}

    void apply(const TraceRecord &r)
    {
        expire(r.timeMs);
        Known &k = m_known[r.key];
        if (r.valueSize)
            k.size = r.valueSize;
        auto it = m_map.find(r.key);
        switch (r.op) {
        case TraceOp::Get:
        case TraceOp::GetHit:
        case TraceOp::GetMiss:
            ++reads;
            if (it != m_map.end()) {
                ++hits;
                m_list.splice(m_list.begin(), m_list, it->second.pos);
            } else {
                insert(r, k.size, k.ttl);
            }
            break;
        case TraceOp::Set:
            k.ttl = r.ttl;
            if (it != m_map.end())
                erase(it);
            insert(r, r.valueSize, r.ttl);
            break;
        case TraceOp::Delete:
            if (it != m_map.end())
                erase(it);
            break;
        case TraceOp::Update:
            break;
        }
    }
    quint64 reads = 0, hits = 0;

private:
    struct Known
    {
        quint32 size = 0;
        qint32 ttl = 0;
    };
    struct Entry
    {
        std::list<quint64>::iterator pos;
        quint64 charge;
        qint64 expiresAt;
    };
    void insert(const TraceRecord &r, quint32 size, qint32 ttl)
    {
        if (ttl < 0)
            return;
        m_list.push_front(r.key);
        const quint64 charge = m_bytes ? quint64(r.keySize) + size : 1;
        const qint64 expiresAt = ttl > 0 ? r.timeMs + qint64(ttl) * 1000 : 0;
        m_map[r.key] = Entry{m_list.begin(), charge, expiresAt};
        if (expiresAt)
            m_expiries.insert({expiresAt, r.key});
        m_used += charge;
        while (m_used > m_capacity && !m_list.empty())
            erase(m_map.find(m_list.back()));
    }
    void erase(std::unordered_map<quint64, Entry>::iterator it)
    {
        m_used -= it->second.charge;
        m_list.erase(it->second.pos);
        if (it->second.expiresAt) {
            auto range = m_expiries.equal_range(it->second.expiresAt);
            for (auto e = range.first; e != range.second; ++e)
                if (e->second == it->first) {
                    m_expiries.erase(e);
                    break;
                }
        }
        m_map.erase(it);
    }
    void expire(qint64 now)
    {
        while (!m_expiries.empty() && m_expiries.begin()->first <= now) {
            const quint64 key = m_expiries.begin()->second;
            erase(m_map.find(key));
        }
    }
    quint64 m_capacity;
    bool m_bytes;
    quint64 m_used = 0;
    std::list<quint64> m_list;
    std::unordered_map<quint64, Entry> m_map;
    std::multimap<qint64, quint64> m_expiries;
    std::unordered_map<quint64, Known> m_known;
};

double naiveHitRatio(const TraceRecords &records, quint64 size, bool bytes)
{
    NaiveLru lru(size, bytes);
    for (const TraceRecord &r : records)
        lru.apply(r);
    return lru.reads ? double(lru.hits) / double(lru.reads) : 0.0;
}

CurveResult curveOf(const TraceRecords &records, CurveRequest request, const TraceHeader &header = oneCache())
{
    MemoryRecordSource source(header, std::make_shared<TraceRecords>(records));
    auto curve = computeCurve(source, request);
    if (!curve)
        qFatal("computeCurve: %s", qPrintable(curve.error()));
    return *curve;
}

// Regenerates the same Zipf trace on every scan: 10M requests without 320 MB in memory.
class ZipfSource : public RecordSource
{
public:
    ZipfSource(quint64 requests, int keys, double skew) : m_requests(requests), m_zipf(keys, skew)
    {
        m_header = oneCache();
    }
    const TraceHeader &header() const override { return m_header; }
    Expected<bool> scan(const Sink &sink, const std::atomic_bool * = nullptr) override
    {
        std::mt19937 rng(42);
        TraceRecords batch(65536);
        for (quint64 done = 0; done < m_requests;) {
            const size_t n = size_t(qMin<quint64>(batch.size(), m_requests - done));
            for (size_t i = 0; i < n; ++i) {
                TraceRecord &r = batch[i];
                r.timeMs = qint64(done + i);
                r.key = quint64(m_zipf.sample(rng));
                r.op = TraceOp::Get;
                r.valueSize = 100;
            }
            if (!sink(batch.data(), n))
                return false;
            done += n;
        }
        return true;
    }

private:
    quint64 m_requests;
    ZipfSampler m_zipf;
    TraceHeader m_header;
};

double meanAbsoluteError(const CurveResult &a, const CurveResult &b)
{
    double sum = 0;
    for (qsizetype i = 0; i < a.points.size(); ++i)
        sum += std::abs(a.points[i].hitRatio - b.points[i].hitRatio);
    return sum / double(a.points.size());
}

// Replays a trace through Debian's cachelib (SimpleCache, or FileSystemCache in a directory)
// with its clock patched to the trace's, the application filling every miss with the TTL of
// the key's last set; prints the hits at each threshold.
const char kPyCachelibThreshold[] = R"PY(
import json, sys, tempfile
import cachelib.simple, cachelib.file
kind, thresholds = sys.argv[1], [int(x) for x in sys.argv[2].split(",")]
trace = [l.split() for l in sys.stdin.read().splitlines()]
now = [0.0]
cachelib.simple.time = lambda: now[0]
cachelib.file.time = lambda: now[0]
out = {}
for th in thresholds:
    d = tempfile.mkdtemp()
    cache = cachelib.SimpleCache(threshold=th) if kind == "simple" else cachelib.FileSystemCache(d, threshold=th)
    last_ttl, hits, reads = {}, 0, 0
    for t, op, key, ttl in trace:
        now[0] = int(t) / 1000.0
        ttl = int(ttl)
        if op == "get":
            reads += 1
            if cache.get(key) is not None:
                hits += 1
            else:
                cache.set(key, "v", timeout=last_ttl.get(key, 0))
        elif op == "set":
            last_ttl[key] = ttl
            cache.set(key, "v", timeout=ttl)
        else:
            cache.delete(key)
    out[str(th)] = [hits, reads]
print(json.dumps(out))
)PY";

} // namespace

class TestCapacityMrc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactLruEqualsNaive_data()
    {
        QTest::addColumn<int>("unit");
        QTest::addColumn<int>("deletes");
        QTest::addColumn<bool>("sizes");
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<QString>("method");
        QTest::newRow("keys") << int(SizeUnit::Keys) << 0 << false << 1u << QStringLiteral("stack");
        QTest::newRow("keys with deletes (holes)") << int(SizeUnit::Keys) << 4 << false << 2u << QStringLiteral("stack");
        QTest::newRow("keys, many deletes") << int(SizeUnit::Keys) << 20 << false << 3u << QStringLiteral("stack");
        QTest::newRow("bytes") << int(SizeUnit::Bytes) << 0 << true << 4u << QStringLiteral("stack");
        QTest::newRow("bytes with deletes") << int(SizeUnit::Bytes) << 5 << true << 5u << QStringLiteral("simulation");
    }

    void exactLruEqualsNaive()
    {
        QFETCH(int, unit);
        QFETCH(int, deletes);
        QFETCH(bool, sizes);
        QFETCH(quint32, seed);
        QFETCH(QString, method);
        GenOptions g;
        g.deletePercent = deletes;
        g.sizes = sizes;
        g.seed = seed;
        const TraceRecords records = generate(g);
        CurveRequest request;
        request.unit = SizeUnit(unit);
        request.points = unit == int(SizeUnit::Keys) ? 10000 : 60; // every size in keys
        const CurveResult curve = curveOf(records, request);
        QCOMPARE(curve.method, method);
        QVERIFY(curve.points.size() > 50);
        int compared = 0;
        for (const CurvePoint &p : curve.points) {
            const double naive = naiveHitRatio(records, p.size, unit != int(SizeUnit::Keys));
            if (naive != p.hitRatio)
                QFAIL(qPrintable(QStringLiteral("size %1: stack %2, naive %3").arg(p.size).arg(p.hitRatio, 0, 'g', 17).arg(naive, 0, 'g', 17)));
            ++compared;
        }
        QVERIFY(compared == curve.points.size());
        // The curve is a real curve: it rises from almost nothing to the compulsory-miss limit.
        QVERIFY(curve.points.first().hitRatio < curve.points.last().hitRatio);
    }

    void ttlAwareLruEqualsNaive()
    {
        GenOptions g;
        g.ttlPercent = 60;
        g.setPercent = 20;
        g.deletePercent = 3;
        g.sizeChanges = true;
        g.sizes = true;
        const TraceRecords records = generate(g);
        for (SizeUnit unit : {SizeUnit::Keys, SizeUnit::Bytes}) {
            CurveRequest request;
            request.unit = unit;
            request.points = 40;
            const CurveResult curve = curveOf(records, request);
            QCOMPARE(curve.method, QStringLiteral("simulation"));
            for (const CurvePoint &p : curve.points)
                QCOMPARE(p.hitRatio, naiveHitRatio(records, p.size, unit == SizeUnit::Bytes));
        }
        // TTLs matter: without them (--ttl 0) the same trace hits more at a large size.
        CurveRequest request;
        request.sizes = {800};
        const double withTtl = curveOf(records, request).points[0].hitRatio;
        request.replay.ttlOverride = 0;
        const CurveResult never = curveOf(records, request);
        QCOMPARE(never.method, QStringLiteral("stack"));
        QVERIFY2(never.points[0].hitRatio > withTtl + 0.05, qPrintable(QStringLiteral("%1 vs %2").arg(never.points[0].hitRatio).arg(withTtl)));
    }

    void shardsWithinPublishedError()
    {
        // 10M requests over 1M keys (Zipf 1.0): SHARDS at 1 % against the exact curve. The paper
        // (Waldspurger et al., FAST'15) reports mean absolute errors below 0.01 for such rates.
        ZipfSource source(10'000'000, 1'000'000, 1.0);
        CurveRequest request;
        request.points = 50;
        auto exact = computeCurve(source, request);
        QVERIFY2(exact, qPrintable(exact.error()));
        QCOMPARE(exact->method, QStringLiteral("stack"));
        QCOMPARE(exact->profile.records, quint64(10'000'000));
        request.sizes.clear();
        for (const CurvePoint &p : exact->points)
            request.sizes << p.size;
        request.sampling.mode = Sampling::Mode::Rate;
        request.sampling.rate = 0.01;
        request.errorBand = true;
        auto sampled = computeCurve(source, request);
        QVERIFY2(sampled, qPrintable(sampled.error()));
        const double mae = meanAbsoluteError(*exact, *sampled);
        qInfo("SHARDS 1%%: MAE %.5f over %lld sizes", mae, qlonglong(exact->points.size()));
        QVERIFY2(mae <= 0.01, qPrintable(QString::number(mae)));
        // The band is a band: positive, and most exact points inside 2x of it.
        int inside = 0;
        for (qsizetype i = 0; i < exact->points.size(); ++i) {
            QVERIFY(sampled->points[i].band > 0);
            inside += std::abs(exact->points[i].hitRatio - sampled->points[i].hitRatio) <= 2 * sampled->points[i].band + 0.002;
        }
        QVERIFY2(inside >= exact->points.size() * 3 / 4, qPrintable(QString::number(inside)));
        // Fixed size: 8192 keys whatever the trace.
        request.sampling = *Sampling::parse(QStringLiteral("fixed:8192"));
        request.errorBand = false;
        auto fixed = computeCurve(source, request);
        QVERIFY(fixed);
        QVERIFY2(fixed->sampleRate < 0.0125 && fixed->sampleRate > 0.0065, qPrintable(QString::number(fixed->sampleRate)));
        const double fixedMae = meanAbsoluteError(*exact, *fixed);
        qInfo("SHARDS fixed:8192 (rate %.4f): MAE %.5f", fixed->sampleRate, fixedMae);
        QVERIFY2(fixedMae <= 0.02, qPrintable(QString::number(fixedMae)));
    }

    void sampledSimulationFollowsExact()
    {
        GenOptions g;
        g.requests = 300000;
        g.keys = 40000;
        g.ttlPercent = 50;
        g.setPercent = 15;
        const TraceRecords records = generate(g);
        CurveRequest request;
        request.points = 12;
        const CurveResult exact = curveOf(records, request);
        QCOMPARE(exact.method, QStringLiteral("simulation"));
        request.sizes.clear();
        for (const CurvePoint &p : exact.points)
            request.sizes << p.size;
        request.sampling = *Sampling::parse(QStringLiteral("0.1"));
        const CurveResult mini = curveOf(records, request);
        const double mae = meanAbsoluteError(exact, mini);
        QVERIFY2(mae < 0.03, qPrintable(QString::number(mae)));
    }

    void thresholdMatchesCachelib_data()
    {
        QTest::addColumn<bool>("fileSystem");
        QTest::newRow("SimpleCache") << false;
        QTest::newRow("FileSystemCache") << true;
    }

    void thresholdMatchesCachelib()
    {
        QFETCH(bool, fileSystem);
        GenOptions g;
        g.requests = fileSystem ? 1500 : 6000;
        g.keys = 300;
        g.setPercent = 20;
        g.deletePercent = 2;
        g.ttlPercent = 100;
        g.seed = 17;
        TraceRecords generated = generate(g);
        // FileSystemCache breaks ties in expiry by os.listdir order, which a simulation cannot
        // know: there every key is set before it is read and every TTL is the same, so with one
        // request a second no two entries expire in the same second. SimpleCache breaks them by
        // insertion order, as the simulation does: it gets mixed TTLs and never-expiring fills.
        TraceRecords records;
        QSet<quint64> seen;
        for (TraceRecord r : generated) {
            if (fileSystem && !seen.contains(r.key) && r.op != TraceOp::Set) {
                TraceRecord set = r;
                set.op = TraceOp::Set;
                records.push_back(set);
            }
            seen.insert(r.key);
            records.push_back(r);
        }
        QByteArray lines;
        int n = 0;
        for (TraceRecord &r : records) {
            r.timeMs = 1'000'000 + qint64(n++) * 1000;
            if (r.op == TraceOp::Set)
                r.ttl = fileSystem ? 50 : 5 + int(r.key % 97);
            lines += QByteArray::number(r.timeMs) + ' ' + (r.op == TraceOp::Get ? "get" : r.op == TraceOp::Set ? "set" : "delete")
                   + ' ' + QByteArray::number(r.key) + ' ' + QByteArray::number(r.ttl) + '\n';
        }
        const QList<quint64> thresholds = {10, 40, 120};
        QStringList list;
        for (quint64 t : thresholds)
            list << QString::number(t);
        auto out = test::runPython(QString::fromUtf8(kPyCachelibThreshold),
                                   {fileSystem ? QStringLiteral("file") : QStringLiteral("simple"), list.join(u',')}, lines);
        QVERIFY2(out, qPrintable(out.error()));
        const QJsonObject py = QJsonDocument::fromJson(*out).object();
        CurveRequest request;
        request.policy = fileSystem ? CachePolicy::FileSystemThreshold : CachePolicy::SimpleThreshold;
        request.sizes = thresholds;
        const CurveResult curve = curveOf(records, request);
        for (const CurvePoint &p : curve.points) {
            const QJsonArray hr = py.value(QString::number(p.size)).toArray();
            const double expected = hr[0].toDouble() / hr[1].toDouble();
            QVERIFY2(p.hitRatio == expected, qPrintable(QStringLiteral("threshold %1: simulated %2, cachelib %3")
                                                            .arg(p.size).arg(p.hitRatio).arg(expected)));
        }
        QVERIFY(curve.points[0].hitRatio < curve.points[2].hitRatio);
    }

    void profileStaysBounded()
    {
        // 200k distinct keys with a budget of 4096: the key figures come from a hash sample.
        TraceRecords records;
        for (quint64 k = 0; k < 200000; ++k) {
            TraceRecord r;
            r.timeMs = qint64(k);
            r.key = k;
            r.valueSize = 10;
            records.push_back(r);
        }
        MemoryRecordSource source(oneCache(), std::make_shared<TraceRecords>(records));
        auto p = profileTrace(source, 0, SizeUnit::Keys, 4096);
        QVERIFY(p);
        QVERIFY(p->uniqueEstimated);
        QVERIFY(p->keySampleRate <= 4096.0 / 200000 * 2);
        QVERIFY2(std::abs(double(p->uniqueKeys) - 200000) < 200000 * 0.15, qPrintable(QString::number(p->uniqueKeys)));
        QCOMPARE(p->records, quint64(200000));
        CurveRequest request;
        request.keyBudget = 4096;
        request.points = 5;
        auto curve = computeCurve(source, request);
        QVERIFY(curve);
        QVERIFY(curve->sampleRate < 0.05);
        QVERIFY(curve->warnings.join(u' ').contains(QStringLiteral("spatial sample")));
        for (const CurvePoint &pt : curve->points)
            QCOMPARE(pt.hitRatio, 0.0); // every request is a first use
    }

    void degenerateInputs()
    {
        // Sizes 0 and 2^63, a zero-length trace, a single key.
        CurveRequest request;
        request.sizes = {1, quint64(1) << 63};
        QCOMPARE(curveOf({}, request).points.size(), 2);
        TraceRecords one(100);
        for (int i = 0; i < 100; ++i) {
            one[size_t(i)].timeMs = i;
            one[size_t(i)].key = 5;
            one[size_t(i)].valueSize = 0;
        }
        const CurveResult c = curveOf(one, request);
        QCOMPARE(c.points[0].hitRatio, 0.99);
        QCOMPARE(c.points[1].hitRatio, 0.99);
        request.unit = SizeUnit::Bytes;
        QCOMPARE(curveOf(one, request).points[1].hitRatio, 0.99);
        for (CachePolicy policy : {CachePolicy::Fifo, CachePolicy::RedisAllKeysLru, CachePolicy::RedisAllKeysLfu,
                                   CachePolicy::SimpleThreshold, CachePolicy::FileSystemThreshold}) {
            request.policy = policy;
            request.unit = SizeUnit::Keys;
            const CurveResult r = curveOf(one, request);
            QCOMPARE(r.points.last().hitRatio, 0.99);
        }
        QCOMPARE(defaultSizes(3, 100), (QList<quint64>{1, 2, 3}));
        QCOMPARE(defaultSizes(0, 100), (QList<quint64>{1}));
    }

    void whatIfFollowsTheCurve()
    {
        GenOptions g;
        g.requests = 50000;
        g.keys = 2000;
        g.ttlPercent = 100;
        g.setPercent = 20;
        const TraceRecords records = generate(g);
        MemoryRecordSource source(oneCache(QStringLiteral("SimpleCache")), std::make_shared<TraceRecords>(records));
        auto profile = profileTrace(source, 0, SizeUnit::Keys, 1 << 20);
        QVERIFY(profile);
        WhatIfRequest w;
        w.policy = CachePolicy::Lru;
        w.size = 500;
        auto base = whatIf(source, w, *profile);
        QVERIFY(base);
        CurveRequest request;
        request.sizes = {500};
        QCOMPARE(base->hitRatio, curveOf(records, request).points[0].hitRatio);
        const double gets = double(profile->reads) / profile->seconds();
        QVERIFY(std::abs(base->missesPerSecond - (1 - base->hitRatio) * gets) < 1e-6 * gets);
        QVERIFY(base->peakUsed <= 500);
        QVERIFY(base->expirationsPerSecond > 0);
        QVERIFY(base->evictionsPerSecond > 0);
        // Longer timeouts: more hits, fewer expirations; a value cap refuses the large ones.
        w.replay.ttlScale = 10;
        auto longer = whatIf(source, w, *profile);
        QVERIFY(longer->hitRatio > base->hitRatio);
        QVERIFY(longer->expirationsPerSecond < base->expirationsPerSecond);
        w.replay = {};
        w.replay.maxValueSize = 99;
        auto capped = whatIf(source, w, *profile);
        QCOMPARE(capped->hitRatio, 0.0);
        QVERIFY(capped->refusedPerSecond > 0);
        // The recommendation names the knee and compares it with the current threshold.
        request.sizes.clear();
        request.points = 40;
        request.policy = CachePolicy::SimpleThreshold;
        const CurveResult curve = curveOf(records, request, oneCache(QStringLiteral("SimpleCache")));
        TraceCacheInfo info{QStringLiteral("c"), QStringLiteral("SimpleCache"), 600, 100, 0, {}};
        const CurrentConfig current = currentConfigFor(info);
        QVERIFY(current.known);
        QCOMPARE(current.size, quint64(100));
        const Recommendation advice = recommend(curve, current);
        QVERIFY(advice.size > 100);
        QVERIFY2(advice.text.startsWith(QStringLiteral("Grow from 100 keys")), qPrintable(advice.text));
    }

    void redisMemoryModel()
    {
        using namespace redismemory;
        QCOMPARE(jemallocSize(1), quint64(8));
        QCOMPARE(jemallocSize(24), quint64(32));
        QCOMPARE(jemallocSize(129), quint64(160));
        QCOMPARE(jemallocSize(257), quint64(320));
        QCOMPARE(jemallocSize(16385), quint64(20480));
        // A 20-byte key with a 100-byte value: entry 32 + key 32 (1 + 20 + 1 -> 32) + robj 16 + sds 112 (3 + 100 + 1 -> 112).
        QCOMPARE(entryBytes(20, 100, false), quint64(32 + 32 + 16 + 112));
        QCOMPARE(entryBytes(20, 100, true), quint64(32 + 32 + 16 + 112 + 32));
        QCOMPARE(entryBytes(20, 10, false), quint64(32 + 32 + 32)); // embstr 16 + 3 + 10 + 1 -> 32
        QCOMPARE(tableBytes(5), quint64(64));
    }
};

QTEST_GUILESS_MAIN(TestCapacityMrc)
#include "tst_capacitymrc.moc"
