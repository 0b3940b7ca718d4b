#include "capacitycommand.h"

#include "clioutput.h"
#include "commandline.h"

#include "capacity/mrc.h"
#include "capacity/monitorrecorder.h"
#include "capacity/recordsource.h"
#include "capacity/traceanalysis.h"
#include "capacity/tracereader.h"
#include "capacity/tracewriter.h"
#include "capacity/whatif.h"
#include "config/configcommandline.h"
#include "monitor/monitorsampler.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>
#include <optional>

namespace cachescope {

namespace {

const QString kCommand = QStringLiteral("capacity");

std::optional<quint64> parseSize(QString text)
{
    text = text.trimmed();
    quint64 multiplier = 1;
    static const struct
    {
        const char *suffix;
        quint64 factor;
    } suffixes[] = {{"Ki", 1024ull}, {"Mi", 1024ull * 1024}, {"Gi", 1024ull * 1024 * 1024}, {"Ti", 1024ull << 30},
                    {"k", 1000ull},  {"K", 1000ull},         {"M", 1000'000ull},         {"G", 1000'000'000ull},
                    {"T", 1000'000'000'000ull}};
    for (const auto &s : suffixes)
        if (text.endsWith(QLatin1String(s.suffix))) {
            multiplier = s.factor;
            text.chop(int(qstrlen(s.suffix)));
            break;
        }
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !(v > 0) || v * double(multiplier) > 9.0e18)
        return std::nullopt;
    return quint64(std::llround(v * double(multiplier)));
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

struct CurveArgs
{
    QString trace;
    TraceFormat format = TraceFormat::Auto;
    QString cache;
    QString policy = QStringLiteral("lru");
    SizeUnit unit = SizeUnit::Keys;
    bool unitGiven = false;
    QList<quint64> sizes;
    int points = 100;
    Sampling sampling;
    ReplayOptions replay;
    bool errorBand = false;
    bool json = false;
    bool analyze = false;
    std::optional<quint64> whatIf;
    std::optional<int> masters;
};

void declareCurveOptions(CommandLine &cl)
{
    cl.setSynopsis(QStringLiteral(
        "--trace FILE [--trace-format FORMAT] [--cache PURPOSE] [--policy POLICY] [--sizes LIST]\n"
        "[--size-unit keys|bytes|redis-bytes] [--points N] [--sample exact|RATE|fixed:N] [--ttl-scale X] [--ttl S]\n"
        "[--max-value-size BYTES] [--error-band] [--json]\n"
        "capacity --trace FILE --analyze [--cache PURPOSE] [--json]\n"
        "capacity --trace FILE --what-if SIZE [--policy ...] [--size-unit ...] [--ttl ...] [--json]\n"
        "capacity record FILE (--config F [--cache PURPOSE]... | --redis URL [--prefix KEYPREFIX=NAME]...) ...\n"
        "capacity convert IN OUT [--from FORMAT] [--to FORMAT] [--cache PURPOSE]"));
    cl.setGroup(QStringLiteral("Trace"));
    cl.addOption(QStringLiteral("trace"), QStringLiteral("FILE"), QStringLiteral("The request trace (required)."));
    cl.addOption(QStringLiteral("trace-format"), QStringLiteral("FORMAT"),
                 QStringLiteral("auto, cachescope, twitter (CSV), oracle (libCacheSim oracleGeneral) or recording."),
                 QStringLiteral("auto"));
    cl.addOption(QStringLiteral("cache"), QStringLiteral("PURPOSE"),
                 QStringLiteral("The cache of the trace to plan (needed when it holds several)."));
    cl.setGroup(QStringLiteral("Curve"));
    cl.addOption(QStringLiteral("policy"), QStringLiteral("POLICY"),
                 QStringLiteral("lru (exact, stack distances), fifo, redis-lru, redis-lfu, redis-volatile-lru, "
                                "redis-volatile-lfu (Redis's sampled eviction), threshold (cachelib's pruning of the "
                                "trace's SimpleCache or FileSystemCache), simple-threshold, filesystem-threshold."),
                 QStringLiteral("lru"));
    cl.addOption(QStringLiteral("sizes"), QStringLiteral("LIST"),
                 QStringLiteral("Comma-separated sizes (suffixes k, M, G = 1000s; Ki, Mi, Gi = 1024s); default: "
                                "--points sizes evenly up to the working set."));
    cl.addOption(QStringLiteral("size-unit"), QStringLiteral("UNIT"),
                 QStringLiteral("keys, bytes (key + value) or redis-bytes (Redis's allocations per key; maxmemory "
                                "minus the server's own overhead, about 1 MB). Redis policies default to redis-bytes."),
                 QStringLiteral("keys"));
    cl.addInteger(QStringLiteral("points"), QStringLiteral("N"), QStringLiteral("Points of the default sizes."), 1,
                  10000, QStringLiteral("100"));
    cl.addOption(QStringLiteral("sample"), QStringLiteral("MODE"),
                 QStringLiteral("exact, a SHARDS rate (0.01 or 1%) or fixed:N keys."), QStringLiteral("exact"));
    cl.addInteger(QStringLiteral("masters"), QStringLiteral("N"),
                  QStringLiteral("Redis policies: a Redis Cluster of N masters sharing each size, every master "
                                 "evicting on its own (default: as recorded in the trace, 1 for one server)."),
                  1, kMaxClusterMasters);
    cl.addFlag(QStringLiteral("error-band"),
               QStringLiteral("Sampled curves: add \"band\" (approx. 95 %, from 4 disjoint sub-samples) to each point."));
    cl.setGroup(QStringLiteral("What if"));
    cl.addNumber(QStringLiteral("ttl-scale"), QStringLiteral("X"), QStringLiteral("Multiply every TTL (up to 1e6)."), 0,
                 true);
    cl.addInteger(QStringLiteral("ttl"), QStringLiteral("SECONDS"),
                  QStringLiteral("Give every set this TTL (0 = never expires)."), 0,
                  std::numeric_limits<qint32>::max());
    cl.addOption(QStringLiteral("max-value-size"), QStringLiteral("BYTES"),
                 QStringLiteral("Values larger than this are not cached (DATA_CACHE_MAX_VALUE_SIZE-style cap)."));
    cl.addOption(QStringLiteral("what-if"), QStringLiteral("SIZE"),
                 QStringLiteral("One size: hit ratio, misses/s reaching the backend, evictions/s, memory."));
    cl.addFlag(QStringLiteral("analyze"),
               QStringLiteral("Request rate, read share, sizes, TTLs, reuse distances and growth instead of a curve."));
    cl.setGroup(QStringLiteral("Output"));
    cl.addJsonOption(QStringLiteral("Print {\"requests\":N,\"gets\":G,\"unique_keys\":U,\"policy\":..,\"sample\":..,"
                                    "\"curve\":[{\"size\":S,\"hit_ratio\":H},..]}."));
}

// The options' values, checked beyond what the parser checks; a usage error sets *status.
std::optional<CurveArgs> curveArgs(const CommandLine &cl, int *status)
{
    auto bad = [&](const QString &message) {
        *status = cl.usageError(message);
        return std::nullopt;
    };
    CurveArgs a;
    a.trace = cl.value(QStringLiteral("trace"));
    if (a.trace.isEmpty())
        return bad(QStringLiteral("--trace FILE is required"));
    const QString format = cl.value(QStringLiteral("trace-format"));
    const auto f = traceFormatFromName(format);
    if (!f)
        return bad(QStringLiteral("--trace-format takes auto, cachescope, twitter, oracle or recording, not '%1'").arg(format));
    a.format = *f;
    a.cache = cl.value(QStringLiteral("cache"));
    a.policy = cl.value(QStringLiteral("policy")).trimmed().toLower();
    if (a.policy != u"threshold" && !policyFromName(a.policy))
        return bad(QStringLiteral("--policy takes %1 or threshold, not '%2'")
                       .arg(policyNames().join(QStringLiteral(", ")), cl.value(QStringLiteral("policy"))));
    if (cl.isSet(QStringLiteral("sizes"))) {
        for (const QString &part : cl.value(QStringLiteral("sizes")).split(u',', Qt::SkipEmptyParts)) {
            const auto size = parseSize(part);
            if (!size)
                return bad(QStringLiteral("--sizes: '%1' is not a positive size").arg(part));
            a.sizes << *size;
        }
        if (a.sizes.isEmpty() || a.sizes.size() > 10000)
            return bad(QStringLiteral("--sizes needs 1 to 10000 sizes"));
    }
    const QString unit = cl.value(QStringLiteral("size-unit"));
    const auto u = sizeUnitFromName(unit);
    if (!u)
        return bad(QStringLiteral("--size-unit takes keys, bytes or redis-bytes, not '%1'").arg(unit));
    a.unit = *u;
    a.unitGiven = cl.isSet(QStringLiteral("size-unit"));
    a.points = int(cl.integer(QStringLiteral("points"), 100));
    auto sampling = Sampling::parse(cl.value(QStringLiteral("sample")));
    if (!sampling)
        return bad(sampling.error());
    a.sampling = *sampling;
    a.replay.ttlScale = cl.number(QStringLiteral("ttl-scale"), 1.0);
    if (a.replay.ttlScale > 1e6)
        return bad(QStringLiteral("--ttl-scale takes a number above 0 up to 1e6, not %1").arg(a.replay.ttlScale));
    if (cl.isSet(QStringLiteral("ttl")))
        a.replay.ttlOverride = cl.integer(QStringLiteral("ttl"), 0);
    if (cl.isSet(QStringLiteral("max-value-size"))) {
        const auto cap = parseSize(cl.value(QStringLiteral("max-value-size")));
        if (!cap)
            return bad(QStringLiteral("--max-value-size takes a positive size, not '%1'")
                           .arg(cl.value(QStringLiteral("max-value-size"))));
        a.replay.maxValueSize = *cap;
    }
    if (cl.isSet(QStringLiteral("what-if"))) {
        const auto size = parseSize(cl.value(QStringLiteral("what-if")));
        if (!size)
            return bad(QStringLiteral("--what-if takes a positive size, not '%1'").arg(cl.value(QStringLiteral("what-if"))));
        a.whatIf = *size;
    }
    if (cl.isSet(QStringLiteral("masters")))
        a.masters = int(cl.integer(QStringLiteral("masters"), 1));
    a.errorBand = cl.isSet(QStringLiteral("error-band"));
    a.analyze = cl.isSet(QStringLiteral("analyze"));
    a.json = cl.isSet(QStringLiteral("json"));
    if (a.analyze && a.whatIf)
        return bad(QStringLiteral("--analyze and --what-if do not go together"));
    return a;
}

// The cache a command works on: --cache, or the only one.
Expected<int> pickCache(const TraceHeader &header, const QString &name, const QString &file, bool *usage)
{
    *usage = false;
    if (!name.isEmpty()) {
        const int index = header.cacheIndex(name);
        if (index < 0) {
            *usage = true;
            return makeError(QStringLiteral("%1 holds no cache '%2' (it holds: %3)")
                                 .arg(file, name, header.cacheNames().join(QStringLiteral(", "))));
        }
        return index;
    }
    if (header.caches.size() == 1)
        return 0;
    *usage = true;
    return makeError(QStringLiteral("%1 holds %2 caches: pick one with --cache (%3)")
                         .arg(file)
                         .arg(header.caches.size())
                         .arg(header.cacheNames().join(QStringLiteral(", "))));
}

std::optional<CachePolicy> resolvePolicy(const QString &name, const TraceCacheInfo &info, QString *error)
{
    if (name == u"threshold") {
        if (info.backend == u"FileSystemCache")
            return CachePolicy::FileSystemThreshold;
        if (info.backend.isEmpty() || info.backend == u"SimpleCache")
            return CachePolicy::SimpleThreshold;
        *error = QStringLiteral("--policy threshold models a SimpleCache or FileSystemCache; %1 is a %2")
                     .arg(info.name, info.backend);
        return std::nullopt;
    }
    return policyFromName(name);
}

// The curve as the issue states it, members in this order:
// {"requests":N,"gets":G,"unique_keys":U,"policy":..,"sample":..,"curve":[{"size":S,"hit_ratio":H},..]}
// (QJsonObject would sort the members by name.) A cluster adds "masters":M after "sample".
QByteArray curveJson(const CurveResult &curve, const Sampling &sampling, bool band, int masters)
{
    auto real = [](double v) { return QByteArray::number(v, 'g', QLocale::FloatingPointShortest); };
    auto text = [](const QString &v) { return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1); };
    QByteArray out = "{\"requests\":" + QByteArray::number(curve.profile.records) + ",\"gets\":"
                   + QByteArray::number(curve.profile.reads) + ",\"unique_keys\":" + QByteArray::number(curve.profile.uniqueKeys)
                   + ",\"policy\":" + text(policyName(curve.policy)) + ",\"sample\":" + text(sampling.text())
                   + (masters > 1 ? ",\"masters\":" + QByteArray::number(masters) : QByteArray()) + ",\"curve\":[";
    for (qsizetype i = 0; i < curve.points.size(); ++i) {
        const CurvePoint &p = curve.points[i];
        out += (i ? ",{\"size\":" : "{\"size\":") + QByteArray::number(p.size) + ",\"hit_ratio\":" + real(p.hitRatio);
        if (band)
            out += ",\"band\":" + real(p.band);
        out += '}';
    }
    return out + "]}";
}

void printWarnings(const CommandLine &cl, const QStringList &warnings)
{
    for (const QString &w : warnings)
        cl.note(QStringLiteral("warning: %1").arg(w));
}

QJsonArray histogramJson(const QList<HistogramBin> &bins)
{
    QJsonArray out;
    for (const HistogramBin &b : bins)
        out.append(QJsonObject{{QStringLiteral("bin"), b.label}, {QStringLiteral("count"), double(b.count)}});
    return out;
}

int runAnalyze(const CommandLine &cl, FileRecordSource &source, int cache, const CurveArgs &a)
{
    auto analysis = analyzeTrace(source, cache);
    if (!analysis)
        return cl.fail(analysis.error());
    printWarnings(cl, source.warnings());
    const TraceAnalysis &an = *analysis;
    const TraceProfile &p = an.profile;
    QJsonArray timeline;
    for (const TimeSlice &s : an.timeline)
        timeline.append(QJsonObject{{QStringLiteral("start_ms"), double(s.startMs)},
                                    {QStringLiteral("requests"), double(s.requests)},
                                    {QStringLiteral("reads"), double(s.reads)},
                                    {QStringLiteral("writes"), double(s.writes)},
                                    {QStringLiteral("keys"), double(s.distinctKeys)},
                                    {QStringLiteral("bytes"), double(s.distinctBytes)},
                                    {QStringLiteral("new_keys"), double(s.newKeys)}});
    const QJsonObject o{
        {QStringLiteral("cache"), p.cacheName},
        {QStringLiteral("requests"), double(p.records)},
        {QStringLiteral("gets"), double(p.reads)},
        {QStringLiteral("sets"), double(p.sets)},
        {QStringLiteral("updates"), double(p.updates)},
        {QStringLiteral("deletes"), double(p.deletes)},
        {QStringLiteral("unique_keys"), double(p.uniqueKeys)},
        {QStringLiteral("unique_keys_estimated"), p.uniqueEstimated},
        {QStringLiteral("working_set_bytes"), double(p.uniqueBytes)},
        {QStringLiteral("seconds"), p.seconds()},
        {QStringLiteral("requests_per_s"), an.requestsPerSecond},
        {QStringLiteral("gets_per_s"), an.readsPerSecond},
        {QStringLiteral("writes_per_s"), an.writesPerSecond},
        {QStringLiteral("read_share"), an.readShare},
        {QStringLiteral("observed_hit_ratio"), number(p.observedHitRatio())},
        {QStringLiteral("mean_value_size"), p.meanValueSize},
        {QStringLiteral("slice_s"), an.sliceSeconds},
        {QStringLiteral("timeline"), timeline},
        {QStringLiteral("object_sizes"), histogramJson(an.objectSizes)},
        {QStringLiteral("ttls"), histogramJson(an.ttls)},
        {QStringLiteral("reuse_distances"), histogramJson(an.reuseDistances)},
        {QStringLiteral("new_keys_per_hour"), an.newKeysPerHour},
        {QStringLiteral("projected_keys_7d"), double(an.projectedKeys7d)},
        {QStringLiteral("projected_keys_30d"), double(an.projectedKeys30d)},
        {QStringLiteral("projected_bytes_30d"), double(an.projectedBytes30d)},
    };
    if (a.json) {
        cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
        return 0;
    }
    QString text = QStringLiteral("%1: %2 requests over %3 s (%4/s), %5 gets (%6 % of requests), %7 distinct keys%8, "
                                  "working set %9\n")
                       .arg(p.cacheName)
                       .arg(p.records)
                       .arg(p.seconds(), 0, 'f', 1)
                       .arg(an.requestsPerSecond, 0, 'f', 1)
                       .arg(p.reads)
                       .arg(an.readShare * 100, 0, 'f', 1)
                       .arg(p.uniqueKeys)
                       .arg(p.uniqueEstimated ? QStringLiteral(" (estimated)") : QString())
                       .arg(formatSize(double(p.uniqueBytes), SizeUnit::Bytes));
    if (!std::isnan(p.observedHitRatio()))
        text += QStringLiteral("observed hit ratio %1\n").arg(p.observedHitRatio(), 0, 'f', 3);
    auto histogram = [&](const char *title, const QList<HistogramBin> &bins) {
        text += QLatin1String(title) + QStringLiteral(":\n");
        for (const HistogramBin &b : bins)
            text += QStringLiteral("  %1  %2\n").arg(b.label, -24).arg(b.count);
    };
    histogram("object sizes (distinct keys)", an.objectSizes);
    histogram("TTLs (sets)", an.ttls);
    histogram("reuse distances (gets)", an.reuseDistances);
    text += QStringLiteral("growth: %1 new keys/hour; linear projection %2 keys in 7 days, %3 in 30 days (%4)\n")
                .arg(an.newKeysPerHour, 0, 'f', 1)
                .arg(an.projectedKeys7d)
                .arg(an.projectedKeys30d)
                .arg(formatSize(double(an.projectedBytes30d), SizeUnit::Bytes));
    cli::writeOut(text.toUtf8());
    return 0;
}

int runCurve(const QStringList &args)
{
    CommandLine cl(kCommand,
                   QStringLiteral("Capacity planning from a request trace: for each cache size, the hit ratio (get hits /\n"
                                  "gets) the trace would have had. A get that misses is filled at once with the key's value\n"
                                  "size and the TTL of its last set; a set inserts or updates and restarts the TTL; TTL 0\n"
                                  "never expires; oracleGeneral records are all gets. `capacity record` captures a trace\n"
                                  "with MONITOR, `capacity convert` rewrites one in another format (each has --help)."));
    declareCurveOptions(cl);
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    auto parsed = curveArgs(cl, &status);
    if (!parsed)
        return status;
    CurveArgs a = *parsed;
    QString error;
    auto source = FileRecordSource::open(a.trace, a.format);
    if (!source)
        return cl.fail(source.error());
    const TraceHeader &header = (*source)->header();
    bool usage = false;
    auto cache = pickCache(header, a.cache, a.trace, &usage);
    if (!cache)
        return usage ? cl.usageError(cache.error()) : cl.fail(cache.error());
    if (a.analyze)
        return runAnalyze(cl, **source, *cache, a);
    auto policy = resolvePolicy(a.policy, header.caches[*cache], &error);
    if (!policy)
        return cl.usageError(error);
    if (isThresholdPolicy(*policy) && a.unitGiven && a.unit != SizeUnit::Keys)
        return cl.usageError(QStringLiteral("a threshold counts entries: use --size-unit keys"));
    if (isRedisPolicy(*policy) && !a.unitGiven)
        a.unit = SizeUnit::RedisBytes; // maxmemory terms unless asked otherwise
    if (a.masters && *a.masters > 1 && !isRedisPolicy(*policy))
        return cl.usageError(QStringLiteral("--masters needs a Redis policy (redis-lru, redis-lfu, ...): only Redis runs as a cluster"));
    const int masters = isRedisPolicy(*policy) ? a.masters.value_or(header.caches[*cache].masters) : 1;
    if (header.sampleRate < 1.0)
        printWarnings(cl, {QStringLiteral("%1 was captured on a %2 sample of the keys: sizes are those of the sample")
                           .arg(a.trace)
                           .arg(header.sampleRate)});

    if (a.whatIf) {
        auto profile = profileTrace(**source, *cache, a.unit, 8'000'000);
        if (!profile)
            return cl.fail(profile.error());
        WhatIfRequest w;
        w.cache = *cache;
        w.policy = *policy;
        w.unit = isThresholdPolicy(*policy) ? SizeUnit::Keys : a.unit;
        w.size = *a.whatIf;
        w.replay = a.replay;
        w.sampleRate = a.sampling.mode == Sampling::Mode::Rate ? a.sampling.rate : 1.0;
        w.masters = masters;
        auto r = whatIf(**source, w, *profile);
        if (!r)
            return cl.fail(r.error());
        printWarnings(cl, (*source)->warnings());
        const QJsonObject o{{QStringLiteral("cache"), header.caches[*cache].name},
                            {QStringLiteral("policy"), policyName(*policy)},
                            {QStringLiteral("size"), double(w.size)},
                            {QStringLiteral("size_unit"), sizeUnitName(w.unit)},
                            {QStringLiteral("masters"), masters},
                            {QStringLiteral("hit_ratio"), r->hitRatio},
                            {QStringLiteral("gets_per_s"), r->readsPerSecond},
                            {QStringLiteral("misses_per_s"), r->missesPerSecond},
                            {QStringLiteral("evictions_per_s"), r->evictionsPerSecond},
                            {QStringLiteral("expirations_per_s"), r->expirationsPerSecond},
                            {QStringLiteral("refused_per_s"), r->refusedPerSecond},
                            {QStringLiteral("mean_used"), r->meanUsed},
                            {QStringLiteral("peak_used"), r->peakUsed},
                            {QStringLiteral("seconds"), r->seconds},
                            {QStringLiteral("sample_rate"), r->sampleRate}};
        if (a.json) {
            cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
        } else {
            cli::writeOut(QStringLiteral("%1 with %2 at %3: hit ratio %4, %5 misses/s reach the backend, %6 evictions/s, "
                                         "%7 expirations/s, memory %8 on average (peak %9)\n")
                              .arg(header.caches[*cache].name, policyName(*policy),
                                   formatSize(double(w.size), w.unit)
                                       + (masters > 1 ? QStringLiteral(" over %1 cluster masters").arg(masters) : QString()))
                              .arg(r->hitRatio, 0, 'f', 3)
                              .arg(r->missesPerSecond, 0, 'f', 2)
                              .arg(r->evictionsPerSecond, 0, 'f', 2)
                              .arg(r->expirationsPerSecond, 0, 'f', 2)
                              .arg(formatSize(r->meanUsed, w.unit), formatSize(r->peakUsed, w.unit))
                              .toUtf8());
        }
        return 0;
    }

    CurveRequest request;
    request.cache = *cache;
    request.policy = *policy;
    request.unit = a.unit;
    request.sizes = a.sizes;
    request.points = a.points;
    request.sampling = a.sampling;
    request.replay = a.replay;
    request.errorBand = a.errorBand;
    request.masters = masters;
    auto curve = computeCurve(**source, request);
    if (!curve)
        return cl.fail(curve.error());
    printWarnings(cl, curve->warnings);
    if (a.json) {
        cli::writeLine(curveJson(*curve, a.sampling, a.errorBand, masters));
        return 0;
    }
    const CurrentConfig current = currentConfigFor(header.caches[*cache]);
    QString text = QStringLiteral("%1: %2 requests, %3 gets, %4 distinct keys; %5 curve (%6, %7%8), sizes in %9\n")
                       .arg(curve->profile.cacheName)
                       .arg(curve->profile.records)
                       .arg(curve->profile.reads)
                       .arg(curve->profile.uniqueKeys)
                       .arg(policyName(curve->policy), curve->method, a.sampling.text(),
                            curve->sampleRate < 1 ? QStringLiteral(", rate %1").arg(curve->sampleRate) : QString(),
                            sizeUnitName(curve->unit) + (masters > 1 ? QStringLiteral(", shared by %1 cluster masters").arg(masters) : QString()));
    for (const CurvePoint &p : std::as_const(curve->points))
        text += QStringLiteral("%1  %2%3\n")
                    .arg(double(p.size), 14, 'f', 0)
                    .arg(p.hitRatio, 0, 'f', 4)
                    .arg(a.errorBand ? QStringLiteral(" ± %1").arg(p.band, 0, 'f', 4) : QString());
    const Recommendation advice = recommend(*curve, current);
    if (current.known)
        text += QStringLiteral("current: %1\n").arg(current.description);
    text += advice.text + u'\n';
    cli::writeOut(text.toUtf8());
    return 0;
}

int runRecord(const QStringList &args)
{
    CommandLine cl(kCommand + QStringLiteral(" record"),
                   QStringLiteral("Captures a request trace with MONITOR on the Redis server(s) of a config, or of one\n"
                                  "URL, for --seconds. MONITOR costs the server throughput; outcomes (hit or miss) are\n"
                                  "estimated from the commands, so the trace is labelled as sampled."));
    cl.setSynopsis(QStringLiteral("FILE (--config F [--cache PURPOSE]... | --redis URL [--prefix KEYPREFIX=NAME]...)\n"
                                  "[--seconds N] [--sample-keys RATE] [--window S] [--format cachescope|twitter|oracle]"));
    cl.addPositional(QStringLiteral("FILE"), QStringLiteral("The trace to write."));
    cl.setGroup(QStringLiteral("Sources"));
    cl.addOption(QStringLiteral("config"), QStringLiteral("FILE"),
                 QStringLiteral("A superset_config.py: its Redis caches, each by its key prefix."));
    cl.addOption(QStringLiteral("cache"), QStringLiteral("PURPOSE"),
                 QStringLiteral("With --config: only this purpose (repeatable)."));
    cl.addOption(QStringLiteral("redis"), QStringLiteral("URL"), QStringLiteral("One Redis server."));
    cl.addOption(QStringLiteral("prefix"), QStringLiteral("KEYPREFIX=NAME"),
                 QStringLiteral("With --redis: keys under KEYPREFIX form the cache NAME (repeatable)."));
    cl.setGroup(QStringLiteral("Options"));
    cl.addInteger(QStringLiteral("seconds"), QStringLiteral("N"), QStringLiteral("How long to capture."), 1, 3600,
                  QStringLiteral("60"));
    cl.addNumber(QStringLiteral("sample-keys"), QStringLiteral("RATE"),
                 QStringLiteral("Keep this share of the keys (by hash, as SHARDS does), up to 1."), 0, true,
                 QStringLiteral("1"));
    cl.addNumber(QStringLiteral("window"), QStringLiteral("S"),
                 QStringLiteral("A get followed by a set of the same key within S seconds counts as a miss (up to 60)."),
                 0, false, QStringLiteral("5"));
    cl.addOption(QStringLiteral("format"), QStringLiteral("FORMAT"),
                 QStringLiteral("cachescope, twitter or oracle; auto: from FILE's extension."), QStringLiteral("auto"));
    cl.addEnvironmentOptions();
    if (const auto exit = cl.parse(args))
        return *exit;
    const QString file = cl.positionals().first();
    const QString config = cl.value(QStringLiteral("config"));
    const QString redis = cl.value(QStringLiteral("redis"));
    const QStringList caches = cl.values(QStringLiteral("cache"));
    const int seconds = int(cl.integer(QStringLiteral("seconds"), 60));
    const double sampleRate = cl.number(QStringLiteral("sample-keys"), 1.0);
    const double window = cl.number(QStringLiteral("window"), 5.0);
    if (sampleRate > 1)
        return cl.usageError(QStringLiteral("--sample-keys takes a rate above 0 up to 1, not %1").arg(sampleRate));
    if (window > 60)
        return cl.usageError(QStringLiteral("--window takes 0 to 60 seconds, not %1").arg(window));
    const auto format = traceFormatFromName(cl.value(QStringLiteral("format")));
    if (!format || *format == TraceFormat::Recording)
        return cl.usageError(QStringLiteral("--format takes cachescope, twitter or oracle, not '%1'")
                                 .arg(cl.value(QStringLiteral("format"))));
    QList<QPair<QByteArray, QString>> prefixes;
    for (const QString &v : cl.values(QStringLiteral("prefix"))) {
        const qsizetype eq = v.indexOf(u'=');
        if (eq <= 0)
            return cl.usageError(QStringLiteral("--prefix takes KEYPREFIX=NAME, not '%1'").arg(v));
        prefixes.append({v.left(eq).toUtf8(), v.mid(eq + 1)});
    }
    if (config.isEmpty() == redis.isEmpty())
        return cl.usageError(QStringLiteral("record needs --config FILE or --redis URL (one of them)"));
    QList<MonitorTarget> targets;
    if (!redis.isEmpty()) {
        auto url = RedisUrl::parse(redis);
        if (!url)
            return cl.usageError(url.error());
        MonitorTarget t{*url, {}};
        if (prefixes.isEmpty())
            prefixes.append({QByteArray(), QStringLiteral("redis")});
        for (const auto &[prefix, name] : std::as_const(prefixes)) {
            TraceCacheInfo info;
            info.name = name;
            t.caches.append({prefix, info});
        }
        targets.append(t);
    } else {
        const auto options = cl.environment().loaderOptions(ConfigCommandLine::systemEnvironment());
        if (!options)
            return cl.fail(options.error());
        const auto report = ConfigCommandLine::loadForCommand(config, *options);
        if (!report)
            return cl.fail(report.error());
        QStringList skipped;
        for (const CacheSpec &spec : report->caches) {
            const QString purpose = purposeConfigName(spec.purpose);
            if (!caches.isEmpty() && !caches.contains(purpose, Qt::CaseInsensitive))
                continue;
            if (spec.backend != BackendType::Redis) {
                skipped << QStringLiteral("%1 (%2)").arg(purpose, backendTypeName(spec.backend));
                continue;
            }
            auto url = ConfigCommandLine::redisUrl(spec);
            if (!url)
                return cl.fail(url.error());
            auto it = std::find_if(targets.begin(), targets.end(), [&](const MonitorTarget &t) {
                return t.url.host == url->host && t.url.port == url->port && t.url.unixSocket == url->unixSocket;
            });
            if (it == targets.end()) {
                targets.append(MonitorTarget{*url, {}});
                it = targets.end() - 1;
            }
            TraceCacheInfo info;
            info.name = purpose;
            info.defaultTimeout = spec.defaultTimeout;
            it->caches.append({spec.keyPrefix, info});
        }
        if (!skipped.isEmpty())
            printWarnings(cl, {QStringLiteral("not captured (MONITOR sees Redis only): %1").arg(skipped.join(QStringLiteral(", ")))});
        if (targets.isEmpty())
            return cl.fail(QStringLiteral("%1: no Redis cache to capture").arg(config));
    }
    cl.note(MonitorSampler::costWarning());
    auto captured = recordMonitorTrace(targets, file, *format, seconds, sampleRate, window);
    if (!captured)
        return cl.fail(captured.error());
    printWarnings(cl, captured->warnings);
    QJsonArray names;
    for (const TraceCacheInfo &c : std::as_const(captured->header.caches))
        names.append(c.name);
    cli::writeLine(QJsonDocument(QJsonObject{{QStringLiteral("file"), file},
                                             {QStringLiteral("records"), double(captured->records)},
                                             {QStringLiteral("commands"), double(captured->commands)},
                                             {QStringLiteral("unmatched_keys"), double(captured->unmatched)},
                                             {QStringLiteral("dropped"), double(captured->dropped)},
                                             {QStringLiteral("caches"), names},
                                             {QStringLiteral("sample_rate"), captured->header.sampleRate},
                                             {QStringLiteral("outcomes"), QStringLiteral("estimated")}})
                       .toJson(QJsonDocument::Compact));
    return 0;
}

int runConvert(const QStringList &args)
{
    CommandLine cl(kCommand + QStringLiteral(" convert"),
                   QStringLiteral("Rewrites a request trace in another format (Twitter's CSV, libCacheSim's oracleGeneral,\n"
                                  "CacheScope's own), optionally keeping one cache."));
    cl.setSynopsis(QStringLiteral("IN OUT [--from FORMAT] [--to cachescope|twitter|oracle] [--cache PURPOSE]"));
    cl.addPositional(QStringLiteral("IN"), QStringLiteral("The trace to read."));
    cl.addPositional(QStringLiteral("OUT"), QStringLiteral("The trace to write."));
    cl.addOption(QStringLiteral("from"), QStringLiteral("FORMAT"),
                 QStringLiteral("auto, cachescope, twitter, oracle or recording."), QStringLiteral("auto"));
    cl.addOption(QStringLiteral("to"), QStringLiteral("FORMAT"),
                 QStringLiteral("cachescope, twitter or oracle; auto: from OUT's extension."), QStringLiteral("auto"));
    cl.addOption(QStringLiteral("cache"), QStringLiteral("PURPOSE"), QStringLiteral("Keep only this cache."));
    if (const auto exit = cl.parse(args))
        return *exit;
    const QStringList positional = cl.positionals();
    const QString cache = cl.value(QStringLiteral("cache"));
    TraceFormat from = TraceFormat::Auto, to = TraceFormat::Auto;
    for (const QString &name : {QStringLiteral("from"), QStringLiteral("to")}) {
        const auto f = traceFormatFromName(cl.value(name));
        if (!f)
            return cl.usageError(QStringLiteral("--%1: unknown trace format '%2'").arg(name, cl.value(name)));
        (name == u"from" ? from : to) = *f;
    }
    auto reader = TraceReader::open(positional[0], from);
    if (!reader)
        return cl.fail(reader.error());
    TraceHeader header = (*reader)->header();
    int only = -1;
    if (!cache.isEmpty()) {
        bool usage = false;
        auto picked = pickCache(header, cache, positional[0], &usage);
        if (!picked)
            return cl.usageError(picked.error());
        only = *picked;
        header.caches = {header.caches[only]};
    }
    auto writer = TraceWriter::create(positional[1], to, header);
    if (!writer)
        return cl.fail(writer.error());
    TraceRecords batch;
    for (;;) {
        batch.clear();
        auto got = (*reader)->read(batch);
        if (!got)
            return cl.fail(got.error());
        if (*got == 0)
            break;
        if (only >= 0) {
            std::erase_if(batch, [&](const TraceRecord &r) { return r.cache != only; });
            for (TraceRecord &r : batch)
                r.cache = 0;
        }
        if (auto ok = (*writer)->write(batch); !ok)
            return cl.fail(ok.error());
    }
    if (auto ok = (*writer)->finish(); !ok)
        return cl.fail(ok.error());
    printWarnings(cl, (*reader)->warnings() + (*writer)->warnings());
    cli::writeLine(QJsonDocument(QJsonObject{{QStringLiteral("in"), positional[0]},
                                             {QStringLiteral("out"), positional[1]},
                                             {QStringLiteral("records"), double((*writer)->written())}})
                       .toJson(QJsonDocument::Compact));
    return 0;
}

} // namespace

int runCapacityCommand(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == u"record")
        return runRecord(args.mid(1));
    if (!args.isEmpty() && args.first() == u"convert")
        return runConvert(args.mid(1));
    return runCurve(args);
}

} // namespace cachescope
