#include "monitorrecorder.h"

#include "monitortrace.h"
#include "tracewriter.h"

#include "monitor/monitorline.h"
#include "redis/redisclient.h"
#include "redis/redisstream.h"

#include <QElapsedTimer>

#include <chrono>
#include <mutex>
#include <thread>

namespace cachescope {

namespace {

// maxmemory and maxmemory-policy of one server, and the bytes it uses besides its data (INFO
// memory: used_memory - used_memory_dataset): what of its memory is left for the caches' data.
struct ServerMemory
{
    qint64 dataBytes = 0; // 0: no limit
    QString policy;
};

ServerMemory describeServer(RedisStream &stream, QStringList *warnings)
{
    qint64 maxMemory = 0, overhead = 0;
    auto config = [&](const char *name) -> QByteArray {
        auto r = stream.command({"CONFIG", "GET", name});
        if (!r || r->isError() || r->elements.size() < 2)
            return {};
        return r->elements[1].string;
    };
    const QByteArray mm = config("maxmemory");
    if (mm.isEmpty())
        *warnings << QStringLiteral("%1: CONFIG GET refused: maxmemory and the policy are unknown").arg(stream.serverName());
    maxMemory = mm.toLongLong();
    ServerMemory out;
    out.policy = QString::fromUtf8(config("maxmemory-policy"));
    if (auto info = stream.command({"INFO", "memory"}); info && !info->isError()) {
        qint64 used = 0, dataset = 0;
        for (const QByteArray &line : info->string.split('\n')) {
            if (line.startsWith("used_memory:"))
                used = line.mid(12).trimmed().toLongLong();
            else if (line.startsWith("used_memory_dataset:"))
                dataset = line.mid(20).trimmed().toLongLong();
        }
        overhead = qMax<qint64>(0, used - dataset);
    }
    if (maxMemory > 0)
        out.dataBytes = qMax<qint64>(1, maxMemory - overhead);
    return out;
}

// The servers to MONITOR for one target: the target itself, or, for a cluster (its url, or one
// node of it given as a plain url), every master, since each sees only its own slots' commands
// (as MonitorSampler does it).
Expected<QList<RedisUrl>> serversOf(const RedisUrl &url)
{
    RedisClient client(url);
    auto cluster = client.discoverCluster();
    if (!cluster)
        return Error{cluster.error()};
    if (!*cluster)
        return QList<RedisUrl>{url};
    auto masters = client.masters();
    if (!masters)
        return Error{masters.error()};
    QList<RedisUrl> out;
    for (const QString &node : std::as_const(*masters))
        out << url.clusterNode(node);
    return out;
}

struct Shared
{
    std::mutex mutex;
    std::vector<MonitorLine> lines;
    QStringList errors;
    std::atomic<int> running{0};
};

void monitorServer(RedisUrl url, int seconds, const std::atomic_bool *stop, Shared *shared)
{
    auto fail = [&](const QString &why) {
        std::lock_guard lock(shared->mutex);
        shared->errors << QStringLiteral("MONITOR on %1: %2").arg(url.redacted(), why);
    };
    RedisStream stream(url);
    if (auto opened = stream.open(); !opened) {
        fail(opened.error());
        --shared->running;
        return;
    }
    auto ok = stream.command({"MONITOR"});
    if (!ok || ok->isError()) {
        fail(ok ? QString::fromUtf8(ok->string) : ok.error());
        --shared->running;
        return;
    }
    QElapsedTimer box;
    box.start();
    std::vector<MonitorLine> local;
    // Once the box ends or `stop` is set, what has already arrived is still read (timeout 0):
    // commands the server ran before the end are in the trace, whichever master ran them.
    // A server still busy gives up to kMaxDrained lines more, not an endless drain.
    constexpr int kMaxDrained = 100000;
    bool ending = false;
    for (int drained = 0;;) {
        ending = ending || box.elapsed() >= qint64(seconds) * 1000 || (stop && stop->load());
        auto next = stream.next(ending ? 0 : 100);
        if (ending && next && (!next->has_value() || ++drained > kMaxDrained))
            break;
        if (!next) {
            fail(next.error());
            break;
        }
        if (next->has_value() && (*next)->type == RedisReply::Type::Status)
            if (auto line = MonitorLine::parse((*next)->string))
                local.push_back(std::move(*line));
        if (local.size() >= 1024 || !next->has_value()) {
            std::lock_guard lock(shared->mutex);
            for (MonitorLine &l : local)
                shared->lines.push_back(std::move(l));
            local.clear();
        }
    }
    std::lock_guard lock(shared->mutex);
    for (MonitorLine &l : local)
        shared->lines.push_back(std::move(l));
    --shared->running;
}

} // namespace

Expected<MonitorCapture> recordMonitorTrace(const QList<MonitorTarget> &targets, const QString &path, TraceFormat format,
                                            int seconds, double sampleRate, double windowSeconds, const std::atomic_bool *stop)
{
    if (targets.isEmpty())
        return makeError(QStringLiteral("no Redis server to capture"));
    MonitorCapture result;
    MonitorTraceBuilder builder(windowSeconds);
    builder.setSampleRate(sampleRate);
    QList<RedisUrl> servers;
    for (MonitorTarget target : targets) {
        auto nodes = serversOf(target.url);
        if (!nodes)
            return makeError(QStringLiteral("cannot connect to %1: %2").arg(target.url.redacted(), nodes.error()));
        // A cluster's caches have the memory of every master together: each holds its share of
        // the keys (Flask-Caching's RedisClusterCache spreads them with no hash tag).
        ServerMemory memory;
        bool unlimited = false;
        for (const RedisUrl &node : std::as_const(*nodes)) {
            RedisStream probe(node);
            if (auto opened = probe.open(); !opened)
                return makeError(QStringLiteral("cannot connect to %1: %2").arg(node.redacted(), opened.error()));
            const ServerMemory one = describeServer(probe, &result.warnings);
            unlimited = unlimited || one.dataBytes == 0;
            memory.dataBytes += one.dataBytes;
            if (memory.policy.isEmpty())
                memory.policy = one.policy;
        }
        servers << *nodes;
        for (auto &[prefix, info] : target.caches) {
            info.backend = QStringLiteral("RedisCache");
            if (!unlimited)
                info.maxMemory = memory.dataBytes;
            info.evictionPolicy = memory.policy;
            info.masters = int(nodes->size()); // each evicts on its own: the what-if replays them apart
            builder.addCache(prefix, info);
        }
    }
    auto writer = TraceWriter::create(path, format, builder.header());
    if (!writer)
        return Error{writer.error()};

    Shared shared;
    std::vector<std::thread> threads;
    shared.running = int(servers.size());
    for (const RedisUrl &server : std::as_const(servers))
        threads.emplace_back(monitorServer, server, seconds, stop, &shared);
    TraceRecords ready;
    double latest = 0;
    Expected<bool> written = true;
    for (;;) {
        std::vector<MonitorLine> lines;
        {
            std::lock_guard lock(shared.mutex);
            lines.swap(shared.lines);
        }
        for (const MonitorLine &line : lines) {
            latest = qMax(latest, line.timestamp);
            builder.feed(line);
        }
        ready.clear();
        builder.takeReady(latest, ready);
        if (written && !ready.empty())
            written = (*writer)->write(ready);
        if (shared.running.load() == 0 && lines.empty())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(lines.empty() ? 50 : 0));
    }
    for (std::thread &t : threads)
        t.join();
    {
        std::lock_guard lock(shared.mutex);
        for (const MonitorLine &line : shared.lines)
            builder.feed(line);
        shared.lines.clear();
    }
    ready.clear();
    builder.finish(ready);
    if (written && !ready.empty())
        written = (*writer)->write(ready);
    if (!written)
        return Error{written.error()};
    if (auto ok = (*writer)->finish(); !ok)
        return Error{ok.error()};
    if (!shared.errors.isEmpty() && builder.commands() == 0)
        return makeError(shared.errors.join(QStringLiteral("; ")));
    result.warnings << shared.errors << (*writer)->warnings();
    result.header = builder.header();
    result.records = (*writer)->written();
    result.commands = builder.commands();
    result.ignored = builder.ignored();
    result.unmatched = builder.unmatched();
    result.dropped = builder.dropped();
    return result;
}

} // namespace cachescope
