#include "redisinforates.h"

#include <QList>

namespace cachescope {

namespace {

quint64 number(const QHash<QByteArray, QByteArray> &info, const char *key)
{
    return info.value(QByteArray(key)).trimmed().toULongLong();
}

// The write commands cachelib issues (set, add, set_many, inc): their calls count as "sets".
constexpr const char *kSetCommands[] = {"cmdstat_set", "cmdstat_setex", "cmdstat_psetex", "cmdstat_setnx",
                                        "cmdstat_mset", "cmdstat_msetnx"};

quint64 commandCalls(const QHash<QByteArray, QByteArray> &info, const char *cmd)
{
    // cmdstat_set:calls=12,usec=30,usec_per_call=2.50,...
    const QByteArray value = info.value(QByteArray(cmd));
    for (const QByteArray &part : value.split(',')) {
        if (part.startsWith("calls="))
            return part.mid(6).toULongLong();
    }
    return 0;
}

} // namespace

RedisInfoRates::RedisInfoRates(QString server) : m_server(std::move(server)) {}

QHash<QByteArray, QByteArray> RedisInfoRates::parseInfo(const QByteArray &info)
{
    QHash<QByteArray, QByteArray> out;
    for (QByteArray line : info.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        out.insert(line.left(colon), line.mid(colon + 1));
    }
    return out;
}

RedisInfoRates::Result RedisInfoRates::feed(const QByteArray &infoText, qint64 nowMs)
{
    const auto info = parseInfo(infoText);
    Counters now;
    now.runId = info.value("run_id");
    now.hits = number(info, "keyspace_hits");
    now.misses = number(info, "keyspace_misses");
    now.evicted = number(info, "evicted_keys");
    now.expired = number(info, "expired_keys");
    now.commands = number(info, "total_commands_processed");
    now.connections = number(info, "total_connections_received");
    for (const char *cmd : kSetCommands)
        now.sets += commandCalls(info, cmd);

    Result result;
    ServerSample &s = result.server;
    s.timestampMs = nowMs;
    s.server = m_server;
    s.usedMemory = number(info, "used_memory");
    s.maxMemory = number(info, "maxmemory");
    s.opsPerSecond = info.value("instantaneous_ops_per_sec").trimmed().toDouble();
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        // db0:keys=3,expires=1,avg_ttl=0
        if (!it.key().startsWith("db"))
            continue;
        bool isDb = false;
        it.key().mid(2).toInt(&isDb);
        if (!isDb)
            continue;
        for (const QByteArray &part : it.value().split(',')) {
            if (part.startsWith("keys="))
                s.keys += part.mid(5).toULongLong();
            else if (part.startsWith("expires="))
                s.expires += part.mid(8).toULongLong();
        }
    }

    if (m_previous) {
        const Counters &p = *m_previous;
        const bool reset = now.runId != p.runId || now.hits < p.hits || now.misses < p.misses
                           || now.evicted < p.evicted || now.expired < p.expired || now.commands < p.commands
                           || now.connections < p.connections || now.sets < p.sets;
        const double seconds = double(nowMs - m_previousMs) / 1000.0;
        s.intervalSeconds = seconds;
        if (reset || seconds <= 0) {
            s.counterReset = reset;
        } else {
            s.evictionsPerSecond = double(now.evicted - p.evicted) / seconds;
            s.expirationsPerSecond = double(now.expired - p.expired) / seconds;
            HitRateSample h;
            h.timestampMs = nowMs;
            h.cache = m_server;
            h.source = SampleSource::RedisInfo;
            h.exactness = Exactness::ServerWide;
            h.intervalSeconds = seconds;
            h.hitsPerSecond = double(now.hits - p.hits) / seconds;
            h.missesPerSecond = double(now.misses - p.misses) / seconds;
            h.setsPerSecond = double(now.sets - p.sets) / seconds;
            result.hits = h;
        }
    }
    m_previous = now;
    m_previousMs = nowMs;
    return result;
}

} // namespace cachescope
