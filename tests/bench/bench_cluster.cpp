// Production Redis: what TLS costs. One redis-server listens on a plain and a TLS port
// (certificates made by openssl); single GET/SET round trips and 100-command pipelines go through
// CacheScope's RedisClient over each, and through a raw hiredis context on the plain port (the
// transport's own baseline: CacheScope's socket + reader path must not be slower than hiredis's).
// Rounds alternate and the best round of each counts, so a busy machine hurts both sides alike.
// Last line: tls_ratio = TLS get/set latency / plain get/set latency (target <= 1.3).
#include "redis/redisclient.h"
#include "redisserver.h"
#include "testcertificates.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace cachescope;

namespace {

constexpr int kOps = 2000;
constexpr int kRounds = 7;

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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
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
    auto us = [](const Best &b) { return b.ns / 1000.0; };
    std::printf("single round trips, best of %d rounds x %d ops, 100-byte values, one connection each:\n", kRounds, kOps);
    std::printf("  SET  plain %.1f us   TLS %.1f us   raw hiredis (plain) %.1f us\n", us(plainSet), us(tlsSet), us(hiredisSet));
    std::printf("  GET  plain %.1f us   TLS %.1f us   raw hiredis (plain) %.1f us\n", us(plainGet), us(tlsGet), us(hiredisGet));
    std::printf("  pipelined GET x100: plain %.2f us/key   TLS %.2f us/key\n", us(plainPipe), us(tlsPipe));
    const double plainTransport = (plainSet.ns + plainGet.ns) / (hiredisSet.ns + hiredisGet.ns);
    std::printf("CacheScope plain transport vs raw hiredis context: %.2fx (1.00 = same cost)\n", plainTransport);
    const double ratio = (tlsSet.ns + tlsGet.ns) / (plainSet.ns + plainGet.ns);
    std::printf("tls_ratio=%.2f\n", ratio);
    return 0;
}
