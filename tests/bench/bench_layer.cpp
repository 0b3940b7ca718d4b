// Cache-layer throughput against the Python reference, on this machine, in one run:
//  1. RedisCache get/set, one connection, one op per round trip  vs python cachelib RedisCache
//  2. RedisCache get_many/set_many pipelined in batches of 100    vs redis-benchmark -P 16
//  3. SimpleCache get/set (when the SimpleCache backend is built)  vs python cachelib SimpleCache
// Prints every figure and ratio; the last line is "ratio_min=<smallest speed-up>".
// Not a test: figures depend on the machine and its load (the build host is shared).
#include "cache/rediscache.h"
#include "python.h"
#include "redisserver.h"

#if __has_include("cache/simplecache.h")
#include "cache/simplecache.h"
#define CACHESCOPE_HAVE_SIMPLECACHE 1
#endif

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace cachescope;

namespace {

constexpr int kSingleOps = 20000;
constexpr int kPipelinedOps = 200000;
constexpr int kBatch = 100;
constexpr int kSimpleOps = 200000;

std::vector<double> g_ratios;

void report(const char *what, double ours, double reference, const char *refName)
{
    const double ratio = reference > 0 ? ours / reference : 0.0;
    g_ratios.push_back(ratio);
    std::printf("%-28s cachescope %12.0f ops/s   %-22s %12.0f ops/s   ratio %.2fx\n", what, ours, refName, reference, ratio);
    std::fflush(stdout);
}

PyValue row(int i)
{
    return PyValue::dict({{PyValue::str(QByteArray("id")), PyValue::integer(i)},
                          {PyValue::str(QByteArray("name")), PyValue::str("row" + QByteArray::number(i))},
                          {PyValue::str(QByteArray("score")), PyValue::floating(i * 0.5)}});
}

const char *kPyRows = "rows = [{'id': i, 'name': 'row%d' % i, 'score': i * 0.5} for i in range(n)]\n"
                      "keys = ['k%d' % i for i in range(n)]\n"
                      "def best(f):\n"
                      "    b = 0\n"
                      "    for _ in range(2):\n"
                      "        t = time.perf_counter(); f(); b = max(b, n / (time.perf_counter() - t))\n"
                      "    return b\n";

// Two numbers "set_ops get_ops" from a python script that times itself.
std::pair<double, double> pythonPair(const QString &script, const QStringList &args)
{
    auto out = test::runPython(script, args, {}, 600000);
    if (!out) {
        std::fprintf(stderr, "python failed: %s\n", qPrintable(out.error()));
        return {0, 0};
    }
    const QList<QByteArray> parts = out->trimmed().split(' ');
    if (parts.size() != 2)
        return {0, 0};
    return {parts[0].toDouble(), parts[1].toDouble()};
}

// The build host is shared and its load swings within seconds: both sides are measured in
// alternating rounds (ours, then Python's, three times) and each keeps its best figure.
constexpr int kRounds = 3;
constexpr int kRepeats = 2;

template<typename F>
double opsPerSecond(int ops, F &&body)
{
    double best = 0;
    for (int r = 0; r < kRepeats; ++r) {
        QElapsedTimer t;
        t.start();
        body();
        const qint64 ns = std::max<qint64>(1, t.nsecsElapsed());
        best = std::max(best, double(ops) * 1e9 / double(ns));
    }
    return best;
}

bool benchRedisSingle(quint16 port, const RedisUrl &url)
{
    RedisCache cache(url, "csb_");
    std::vector<QByteArray> keys;
    std::vector<PyValue> rows;
    for (int i = 0; i < kSingleOps; ++i) {
        keys.push_back("k" + QByteArray::number(i));
        rows.push_back(row(i));
    }
    bool ok = true;
    double setOps = 0, getOps = 0, pySet = 0, pyGet = 0;
    const QString script =
        QStringLiteral("import sys, time\nfrom cachelib import RedisCache\nn = int(sys.argv[2])\n") % QLatin1String(kPyRows)
        % QStringLiteral("c = RedisCache(host='127.0.0.1', port=int(sys.argv[1]), key_prefix='pyb_')\n"
                         "def sets():\n    for i in range(n): c.set(keys[i], rows[i])\n"
                         "def gets():\n    for i in range(n): c.get(keys[i])\n"
                         "print(best(sets), best(gets))\n");
    for (int round = 0; round < kRounds; ++round) {
        setOps = std::max(setOps, opsPerSecond(kSingleOps, [&] {
            for (int i = 0; i < kSingleOps; ++i)
                ok = ok && cache.set(keys[size_t(i)], rows[size_t(i)]).hasValue();
        }));
        getOps = std::max(getOps, opsPerSecond(kSingleOps, [&] {
            for (int i = 0; i < kSingleOps; ++i) {
                auto r = cache.get(keys[size_t(i)]);
                ok = ok && r.hasValue() && r->has_value();
            }
        }));
        const auto [set, get] = pythonPair(script, {QString::number(port), QString::number(kSingleOps)});
        pySet = std::max(pySet, set);
        pyGet = std::max(pyGet, get);
    }
    if (!ok) {
        std::fprintf(stderr, "RedisCache single-op run failed\n");
        return false;
    }
    report("redis set (1 conn)", setOps, pySet, "python cachelib");
    report("redis get (1 conn)", getOps, pyGet, "python cachelib");
    return true;
}

std::pair<double, double> redisBenchmark(quint16 port)
{
    const QString binary = QStandardPaths::findExecutable(QStringLiteral("redis-benchmark"));
    if (binary.isEmpty()) {
        std::fprintf(stderr, "redis-benchmark not found (apt-get install redis-tools)\n");
        return {0, 0};
    }
    QProcess p;
    p.start(binary, {QStringLiteral("-p"), QString::number(port), QStringLiteral("-P"), QStringLiteral("16"),
                     QStringLiteral("-t"), QStringLiteral("set,get"), QStringLiteral("-n"),
                     QString::number(kPipelinedOps), QStringLiteral("-q")});
    p.waitForFinished(600000);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    double set = 0, get = 0;
    // "SET: 512820.53 requests per second, p50=..." (with -q; carriage-return progress before it)
    static const QRegularExpression re(QStringLiteral("(SET|GET): ([0-9.]+) requests per second"));
    for (auto it = re.globalMatch(out); it.hasNext();) {
        const auto m = it.next();
        (m.captured(1) == QLatin1String("SET") ? set : get) = m.captured(2).toDouble();
    }
    return {set, get};
}

bool benchRedisPipelined(quint16 port, const RedisUrl &url)
{
    RedisCache cache(url, "csp_");
    // Like redis-benchmark -t set,get: plain SET (timeout 0, no TTL) over existing keys (it
    // rewrites one key; we cycle through 10,000, created by an untimed first pass) with tiny
    // values (its "xxx"; ours is "!" + the pickle of "xxx", 15 bytes).
    constexpr int kDistinctKeys = 10000;
    std::vector<QList<std::pair<QByteArray, PyValue>>> batches;
    std::vector<QList<QByteArray>> keyBatches;
    for (int b = 0; b < kPipelinedOps / kBatch; ++b) {
        QList<std::pair<QByteArray, PyValue>> items;
        QList<QByteArray> keys;
        for (int i = 0; i < kBatch; ++i) {
            const QByteArray key = "key:" + QByteArray::number((b * kBatch + i) % kDistinctKeys);
            items.append({key, PyValue::str(QByteArray("xxx"))});
            keys.append(key);
        }
        batches.push_back(std::move(items));
        keyBatches.push_back(std::move(keys));
    }
    bool ok = true;
    for (int b = 0; b < kDistinctKeys / kBatch; ++b)
        ok = ok && cache.setMany(batches[size_t(b)], 0).hasValue();
    const double setOps = opsPerSecond(kPipelinedOps, [&] {
        for (const auto &items : batches)
            ok = ok && cache.setMany(items, 0).hasValue();
    });
    const double getOps = opsPerSecond(kPipelinedOps, [&] {
        for (const auto &keys : keyBatches) {
            auto r = cache.getMany(keys);
            ok = ok && r.hasValue() && r->size() == keys.size();
        }
    });
    if (!ok) {
        std::fprintf(stderr, "RedisCache pipelined run failed\n");
        return false;
    }
    double rbSet = 0, rbGet = 0;
    for (int r = 0; r < 2; ++r) {
        const auto [set, get] = redisBenchmark(port);
        rbSet = std::max(rbSet, set);
        rbGet = std::max(rbGet, get);
    }
    report("redis set_many (x100)", setOps, rbSet, "redis-benchmark -P 16");
    report("redis get_many (x100)", getOps, rbGet, "redis-benchmark -P 16");
    return true;
}

#ifdef CACHESCOPE_HAVE_SIMPLECACHE
bool benchSimple()
{
    SimpleCache cache(1000000000, 300);
    std::vector<QByteArray> keys;
    std::vector<PyValue> rows;
    for (int i = 0; i < kSimpleOps; ++i) {
        keys.push_back("k" + QByteArray::number(i));
        rows.push_back(row(i));
    }
    bool ok = true;
    double setOps = 0, getOps = 0, pySet = 0, pyGet = 0;
    const QString script =
        QStringLiteral("import sys, time\nfrom cachelib import SimpleCache\nn = int(sys.argv[1])\n") % QLatin1String(kPyRows)
        % QStringLiteral("c = SimpleCache(threshold=10**9)\n"
                         "def sets():\n    for i in range(n): c.set(keys[i], rows[i])\n"
                         "def gets():\n    for i in range(n): c.get(keys[i])\n"
                         "print(best(sets), best(gets))\n");
    for (int round = 0; round < kRounds; ++round) {
        setOps = std::max(setOps, opsPerSecond(kSimpleOps, [&] {
            for (int i = 0; i < kSimpleOps; ++i)
                ok = ok && cache.set(keys[size_t(i)], rows[size_t(i)]).hasValue();
        }));
        getOps = std::max(getOps, opsPerSecond(kSimpleOps, [&] {
            for (int i = 0; i < kSimpleOps; ++i) {
                auto r = cache.get(keys[size_t(i)]);
                ok = ok && r.hasValue() && r->has_value();
            }
        }));
        const auto [set, get] = pythonPair(script, {QString::number(kSimpleOps)});
        pySet = std::max(pySet, set);
        pyGet = std::max(pyGet, get);
    }
    if (!ok) {
        std::fprintf(stderr, "SimpleCache run failed\n");
        return false;
    }
    report("simplecache set", setOps, pySet, "python cachelib");
    report("simplecache get", getOps, pyGet, "python cachelib");
    return true;
}
#endif

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    test::RedisServer server;
    const QString error = server.start();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "cannot start redis-server: %s\n", qPrintable(error));
        return 1;
    }
    auto url = RedisUrl::parse(server.url());
    if (!url) {
        std::fprintf(stderr, "%s\n", qPrintable(url.error()));
        return 1;
    }
    // Single round trips are bound by scheduling latency as much as by either client's CPU: the
    // host's load is printed so figures from a busy machine are read as such.
    QFile loadavg(QStringLiteral("/proc/loadavg"));
    if (loadavg.open(QIODevice::ReadOnly))
        std::printf("host: %d cpus, load average %s\n", QThread::idealThreadCount(),
                    loadavg.readAll().split(' ').mid(0, 3).join(' ').constData());
    std::printf("redis-server 127.0.0.1:%u; %d single ops, %d pipelined ops (batches of %d), %d SimpleCache ops\n",
                server.port(), kSingleOps, kPipelinedOps, kBatch, kSimpleOps);
    bool ok = benchRedisSingle(server.port(), *url);
    ok = benchRedisPipelined(server.port(), *url) && ok;
#ifdef CACHESCOPE_HAVE_SIMPLECACHE
    ok = benchSimple() && ok;
#else
    std::printf("simplecache: skipped (backends/cache/simplecache.h is not in this build)\n");
#endif
    const double minRatio = g_ratios.empty() ? 0.0 : *std::min_element(g_ratios.begin(), g_ratios.end());
    std::printf("ratio_min=%.2f\n", minRatio);
    return ok ? 0 : 1;
}
