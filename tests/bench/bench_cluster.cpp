// Production Redis, in one run: listing a cluster, and what TLS costs.
// Cluster half: a real 3-master cluster (redis-server --cluster-enabled yes + redis-cli --cluster
// create) holds 1M keys; CacheScope's key source lists them all with one continuous scan (every
// master walked at once under one cursor, batches delivered to this thread as the key browser
// gets them), against three raw hiredis SCAN loops, one thread per master, run in parallel with
// the same COUNT the source reaches (4000). After one untimed walk, best of 4 rounds each, the
// sides taking turns at going first.
// TLS half: one redis-server listens on a plain and a TLS port (certificates made by openssl);
// single GET/SET round trips and 100-command pipelines go through CacheScope's RedisClient over
// each, and through a raw hiredis context on the plain port (the transport's own baseline).
// Rounds alternate and the best round of each counts, so a busy machine hurts both sides alike.
// redis-benchmark (Redis's own C client) is run over the same two ports too, for the TLS cost the
// server itself adds: the part no client can remove.
// Last line: cluster_scan_ratio = CacheScope listing time / raw parallel SCAN time (target <= 1.2),
// tls_ratio = TLS get/set latency / plain get/set latency (target <= 1.3).
#include "browse/rediskeysource.h"
#include "redisclusterset.h"
#include "redis/redisclient.h"
#include "redisserver.h"
#include "testcertificates.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>

#include <hiredis/hiredis.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

using namespace cachescope;

namespace {

constexpr int kOps = 2000;
constexpr int kRounds = 7;

// CPU seconds this process (every thread) has used: what the client side of a walk costs, a
// figure a busy machine blurs less than wall time.
double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Nanoseconds per operation of `op` run kOps times; < 0 when it failed.
double timeOps(const std::function<bool(int)> &op)
{
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < kOps; ++i)
        if (!op(i))
            return -1;
    return double(t.nsecsElapsed()) / kOps;
}

struct Best
{
    double ns = 1e300;
    void add(double v)
    {
        if (v >= 0)
            ns = std::min(ns, v);
    }
};

constexpr int kClusterKeys = 1000000;
constexpr int kClusterRounds = 4;
constexpr int kRawCount = 4000; // RedisKeySource's largest continuous COUNT

// Seconds for CacheScope's key source to list every key of the cluster; < 0 on failure.
double timeKeySource(const RedisUrl &url, qint64 *keys)
{
    RedisKeySource source(url, QByteArray());
    qint64 seen = 0;
    bool done = false;
    QString error;
    // This thread sleeps in an event loop until the batches come, as the GUI thread does. A
    // processEvents(flags, ms) loop never sleeps (it drops WaitForMoreEvents: qtbase >
    // src/corelib/kernel/qcoreapplication.cpp, QCoreApplication::processEvents) and took a core
    // from the masters and the source's threads on a small machine.
    QEventLoop loop;
    QObject::connect(&source, &KeySource::scanReady, [&](quint64, const ScanBatch &b) {
        seen += b.keys.size();
        done = b.done();
        if (done)
            loop.quit();
    });
    QObject::connect(&source, &KeySource::scanFailed, [&](quint64, const QString &e) {
        error = e;
        loop.quit();
    });
    QElapsedTimer t;
    t.start();
    source.requestScan("0", "*", 1000, true);
    loop.exec();
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    if (!error.isEmpty()) {
        std::fprintf(stderr, "key source: %s\n", qPrintable(error));
        return -1;
    }
    *keys = seen;
    return seconds;
}

// Seconds for one raw hiredis SCAN loop per master, all in parallel; < 0 on failure.
double timeRawScans(const QList<quint16> &ports, qint64 *keys)
{
    std::atomic<qint64> seen{0};
    std::atomic<bool> failed{false};
    QElapsedTimer t;
    t.start();
    std::vector<std::thread> threads;
    for (quint16 port : ports) {
        threads.emplace_back([port, &seen, &failed] {
            redisContext *c = redisConnect("127.0.0.1", port);
            if (!c || c->err) {
                failed = true;
                return;
            }
            std::string cursor = "0";
            do {
                auto *r = static_cast<redisReply *>(redisCommand(c, "SCAN %s COUNT %d", cursor.c_str(), kRawCount));
                if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                    failed = true;
                    freeReplyObject(r);
                    break;
                }
                cursor.assign(r->element[0]->str, r->element[0]->len);
                seen += qint64(r->element[1]->elements);
                freeReplyObject(r);
            } while (cursor != "0");
            redisFree(c);
        });
    }
    for (auto &th : threads)
        th.join();
    *keys = seen;
    return failed ? -1 : double(t.nsecsElapsed()) / 1e9;
}

// Microseconds of one SET plus one GET (100-byte values, one connection) as Redis's own client,
// redis-benchmark, measures them with `args`; < 0 when it did not run.
double redisBenchmarkUs(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("redis-benchmark"),
            QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-n"), QString::number(kOps * 5),
                        QStringLiteral("-c"), QStringLiteral("1"), QStringLiteral("-d"), QStringLiteral("100"),
                        QStringLiteral("-t"), QStringLiteral("set,get"), QStringLiteral("-q")}
                + args);
    if (!p.waitForFinished(120000) || p.exitCode() != 0)
        return -1;
    // "SET: 21164.02 requests per second, p50=0.039 msec" (the progress lines end in \r)
    double us = 0;
    int found = 0;
    for (const QByteArray &line : p.readAllStandardOutput().replace('\r', '\n').split('\n')) {
        const qsizetype at = line.indexOf(" requests per second");
        if ((line.startsWith("SET: ") || line.startsWith("GET: ")) && at > 5) {
            us += 1e6 / line.mid(5, at - 5).toDouble();
            ++found;
        }
    }
    return found == 2 ? us : -1;
}

// The cluster half: the ratio, or < 0 on failure.
double clusterScanRatio()
{
    test::RedisClusterSet cluster;
    if (QString e = cluster.start(); !e.isEmpty()) {
        std::fprintf(stderr, "cluster: %s\n", qPrintable(e));
        return -1;
    }
    RedisClient writer(cluster.url());
    const QByteArray value(100, 'v');
    QElapsedTimer fill;
    fill.start();
    for (int at = 0; at < kClusterKeys; at += 20000) {
        QList<QList<QByteArray>> cmds;
        for (int i = at; i < std::min(kClusterKeys, at + 20000); ++i)
            cmds.append(QList<QByteArray>{"SET", "superset_" + QByteArray::number(i % 11) + ":" + QByteArray::number(i), value});
        if (auto r = writer.pipeline(cmds); !r) {
            std::fprintf(stderr, "filling the cluster: %s\n", qPrintable(r.error()));
            return -1;
        }
    }
    QList<quint16> ports;
    qint64 total = 0;
    for (int i = 0; i < cluster.size(); ++i) {
        ports << cluster.node(i).port();
        const qint64 n = cluster.command(i, {"DBSIZE"}).mid(1).trimmed().toLongLong();
        std::printf("  master %d (port %d): %lld keys\n", i, cluster.node(i).port(), n);
        total += n;
    }
    std::printf("cluster of %d masters filled with %lld keys in %.1f s\n", cluster.size(), total, fill.elapsed() / 1000.0);
    // One untimed walk first: right after the fill the servers still rehash their dicts, and
    // whichever side ran first paid for it. Then the sides take turns at going first.
    qint64 warmKeys = 0;
    if (timeRawScans(ports, &warmKeys) < 0)
        return -1;
    double ours = 1e300, raw = 1e300;
    for (int round = 0; round < kClusterRounds; ++round) {
        qint64 ourKeys = 0, rawKeys = 0;
        double a = 0, b = 0;
        double cpuA = 0, cpuB = 0;
        auto ourWalk = [&] {
            const double c = processCpuSeconds();
            a = timeKeySource(cluster.url(), &ourKeys);
            cpuA = processCpuSeconds() - c;
        };
        auto rawWalk = [&] {
            const double c = processCpuSeconds();
            b = timeRawScans(ports, &rawKeys);
            cpuB = processCpuSeconds() - c;
        };
        if (round % 2) {
            rawWalk();
            ourWalk();
        } else {
            ourWalk();
            rawWalk();
        }
        if (a < 0 || b < 0 || ourKeys < total || rawKeys < total) {
            std::fprintf(stderr, "round %d: listed %lld (CacheScope) / %lld (raw) of %lld keys\n", round, ourKeys, rawKeys, total);
            return -1;
        }
        std::printf("  round %d: CacheScope key source %.3f s (%lld keys, client CPU %.3f s), "
                    "raw hiredis x%d in parallel %.3f s (%lld keys, client CPU %.3f s)\n",
                    round, a, ourKeys, cpuA, cluster.size(), b, rawKeys, cpuB);
        ours = std::min(ours, a);
        raw = std::min(raw, b);
    }
    std::printf("list %lld keys on %d masters, best of %d: CacheScope %.3f s, raw parallel SCAN loops %.3f s\n", total,
                cluster.size(), kClusterRounds, ours, raw);
    return ours / raw;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double clusterRatio = clusterScanRatio();
    if (clusterRatio < 0)
        return 1;
    test::TestCertificates certs;
    if (QString e = certs.create(); !e.isEmpty()) {
        std::fprintf(stderr, "certificates: %s\n", qPrintable(e));
        return 1;
    }
    test::RedisServer server;
    if (QString e = server.startTls({certs.serverCert(), certs.serverKey(), certs.caCert(), false}); !e.isEmpty()) {
        std::fprintf(stderr, "redis-server: %s\n", qPrintable(e));
        return 1;
    }
    RedisClient plain(server.redisUrl());
    RedisClient tls(server.tlsUrl(0, certs.caCert()));
    if (auto c = plain.connect(); !c) {
        std::fprintf(stderr, "%s\n", qPrintable(c.error()));
        return 1;
    }
    if (auto c = tls.connect(); !c) {
        std::fprintf(stderr, "%s\n", qPrintable(c.error()));
        return 1;
    }
    redisContext *raw = redisConnect("127.0.0.1", server.port());
    if (!raw || raw->err) {
        std::fprintf(stderr, "hiredis: cannot connect\n");
        return 1;
    }
    const QByteArray value(100, 'v'); // a small cached value, as most Superset entries' keys are
    auto set = [&](RedisClient &c) {
        return [&](int i) {
            auto r = c.command({"SET", "bench:" + QByteArray::number(i), value});
            return r && r->type == RedisReply::Type::Status;
        };
    };
    auto get = [&](RedisClient &c) {
        return [&](int i) {
            auto r = c.command({"GET", "bench:" + QByteArray::number(i)});
            return r && r->string.size() == value.size();
        };
    };
    auto pipeline = [&](RedisClient &c) {
        return [&](int i) {
            if (i % 100)
                return true; // one pipeline of 100 GETs per 100 ops
            QList<QList<QByteArray>> cmds;
            for (int k = 0; k < 100; ++k)
                cmds.append(QList<QByteArray>{"GET", "bench:" + QByteArray::number(i + k)});
            auto r = c.pipeline(cmds);
            return r && r->size() == 100;
        };
    };
    auto rawSet = [&](int i) {
        const QByteArray key = "bench:" + QByteArray::number(i);
        auto *r = static_cast<redisReply *>(
            redisCommand(raw, "SET %b %b", key.constData(), size_t(key.size()), value.constData(), size_t(value.size())));
        const bool ok = r && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        return ok;
    };
    auto rawGet = [&](int i) {
        const QByteArray key = "bench:" + QByteArray::number(i);
        auto *r = static_cast<redisReply *>(redisCommand(raw, "GET %b", key.constData(), size_t(key.size())));
        const bool ok = r && r->type == REDIS_REPLY_STRING && r->len == size_t(value.size());
        freeReplyObject(r);
        return ok;
    };

    Best plainSet, plainGet, tlsSet, tlsGet, hiredisSet, hiredisGet, plainPipe, tlsPipe;
    for (int round = 0; round < kRounds; ++round) {
        plainSet.add(timeOps(set(plain)));
        tlsSet.add(timeOps(set(tls)));
        hiredisSet.add(timeOps(rawSet));
        plainGet.add(timeOps(get(plain)));
        tlsGet.add(timeOps(get(tls)));
        hiredisGet.add(timeOps(rawGet));
        plainPipe.add(timeOps(pipeline(plain)));
        tlsPipe.add(timeOps(pipeline(tls)));
    }
    redisFree(raw);
    // For scale: what TLS costs Redis's own client on the same server (best of 3 each).
    double benchPlain = 1e300, benchTls = 1e300;
    for (int round = 0; round < 3; ++round) {
        const double a = redisBenchmarkUs({QStringLiteral("-p"), QString::number(server.port())});
        const double b = redisBenchmarkUs({QStringLiteral("-p"), QString::number(server.tlsPort()), QStringLiteral("--tls"),
                                           QStringLiteral("--cacert"), certs.caCert()});
        if (a > 0)
            benchPlain = std::min(benchPlain, a);
        if (b > 0)
            benchTls = std::min(benchTls, b);
    }
    auto us = [](const Best &b) { return b.ns / 1000.0; };
    std::printf("single round trips, best of %d rounds x %d ops, 100-byte values, one connection each:\n", kRounds, kOps);
    std::printf("  SET  plain %.1f us   TLS %.1f us   raw hiredis (plain) %.1f us\n", us(plainSet), us(tlsSet), us(hiredisSet));
    std::printf("  GET  plain %.1f us   TLS %.1f us   raw hiredis (plain) %.1f us\n", us(plainGet), us(tlsGet), us(hiredisGet));
    std::printf("  pipelined GET x100: plain %.2f us/key   TLS %.2f us/key\n", us(plainPipe), us(tlsPipe));
    const double plainTransport = (plainSet.ns + plainGet.ns) / (hiredisSet.ns + hiredisGet.ns);
    std::printf("CacheScope plain transport vs raw hiredis context: %.2fx (1.00 = same cost)\n", plainTransport);
    if (benchPlain < 1e300 && benchTls < 1e300)
        std::printf("redis-benchmark, SET + GET: plain %.1f us, TLS %.1f us: its own TLS ratio %.2f\n", benchPlain, benchTls,
                    benchTls / benchPlain);
    else
        std::printf("redis-benchmark did not run: no reference TLS ratio\n");
    const double ratio = (tlsSet.ns + tlsGet.ns) / (plainSet.ns + plainGet.ns);
    std::printf("cluster_scan_ratio=%.2f tls_ratio=%.2f\n", clusterRatio, ratio);
    return 0;
}
