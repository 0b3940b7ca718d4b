#include "capacitycommand.h"

#include "clioutput.h"

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

const char kUsage[] =
    "Usage: cachescope capacity --trace FILE [--trace-format auto|cachescope|twitter|oracle|recording]\n"
    "                           [--cache PURPOSE] [--policy POLICY] [--sizes LIST] [--size-unit keys|bytes|redis-bytes]\n"
    "                           [--points N] [--sample exact|RATE|fixed:N] [--ttl-scale X] [--ttl SECONDS]\n"
    "                           [--max-value-size BYTES] [--error-band] [--json]\n"
    "       cachescope capacity --trace FILE --analyze [--cache PURPOSE] [--json]\n"
    "       cachescope capacity --trace FILE --what-if SIZE [--policy ...] [--size-unit ...] [--ttl ...] [--json]\n"
    "       cachescope capacity record FILE (--config F [--cache PURPOSE]... | --redis URL --prefix KEYPREFIX=NAME...)\n"
    "                           [--seconds N] [--sample-keys RATE] [--window S] [--format cachescope|twitter|oracle]\n"
    "       cachescope capacity convert IN OUT [--from FORMAT] [--to cachescope|twitter|oracle] [--cache PURPOSE]\n"
    "\n"
    "The curve: for each cache size, the hit ratio (get hits / gets) the trace would have had. A get that\n"
    "misses is filled at once with the key's value size and the TTL of its last set; a set inserts or updates\n"
    "and restarts the TTL; TTL 0 never expires; oracleGeneral records are all gets.\n"
    "  --policy           lru (exact, stack distances), fifo, redis-lru, redis-lfu, redis-volatile-lru,\n"
    "                     redis-volatile-lfu (Redis's sampled eviction), threshold (cachelib's pruning of the\n"
    "                     trace's SimpleCache or FileSystemCache), simple-threshold, filesystem-threshold\n"
    "  --sizes LIST       comma-separated sizes (suffixes k, M, G = 1000s; Ki, Mi, Gi = 1024s); default: --points\n"
    "                     (100) sizes evenly up to the working set\n"
    "  --size-unit        keys, bytes (key + value) or redis-bytes (Redis's allocations per key; maxmemory minus\n"
    "                     the server's own overhead, about 1 MB)\n"
    "  --sample           exact, a SHARDS rate (0.01 or 1%) or fixed:N keys\n"
    "  --ttl-scale X      multiply every TTL; --ttl SECONDS gives every set this TTL (0 = never)\n"
    "  --max-value-size   values larger than this are not cached (DATA_CACHE_MAX_VALUE_SIZE-style cap)\n"
    "  --error-band       sampled curves: add \"band\" (approx. 95 %, from 4 disjoint sub-samples) to each point\n"
    "JSON: {\"requests\":N,\"gets\":G,\"unique_keys\":U,\"policy\":..,\"sample\":..,\"curve\":[{\"size\":S,\"hit_ratio\":H},..]}\n"
    "Record: MONITOR on the server(s) for --seconds (default 60; costs the server throughput), outcomes estimated.\n";

int usageError(const QString &message)
{
    cli::fail(QStringLiteral("capacity"), message, 2);
    std::fputs("Run 'cachescope capacity --help' for the options.\n", stderr);
    return 2;
}

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
};

// The value after args[*i] (advancing *i), or an error.
std::optional<QString> valueOf(const QStringList &args, int *i, QString *error)
{
    const QString &name = args[*i];
    if (*i + 1 >= args.size()) {
        *error = QStringLiteral("%1 needs a value").arg(name);
        return std::nullopt;
    }
    return args[++*i];
}

std::optional<CurveArgs> parseCurveArgs(const QStringList &given, QString *error)
{
    // --option=value is the same as --option value.
    QStringList args;
    for (const QString &arg : given) {
        if (arg.startsWith(u"--") && arg.contains(u'=')) {
            args << arg.section(u'=', 0, 0) << arg.section(u'=', 1);
        } else {
            args << arg;
        }
    }
    CurveArgs a;
    for (int i = 0; i < args.size(); ++i) {
        const QString arg = args[i];
        auto value = [&]() { return valueOf(args, &i, error); };
        if (arg == u"--trace") {
            auto v = value();
            if (!v)
                return std::nullopt;
            a.trace = *v;
        } else if (arg == u"--trace-format") {
            auto v = value();
            if (!v)
                return std::nullopt;
            auto f = traceFormatFromName(*v);
            if (!f) {
                *error = QStringLiteral("--trace-format takes auto, cachescope, twitter, oracle or recording, not '%1'").arg(*v);
                return std::nullopt;
            }
            a.format = *f;
        } else if (arg == u"--cache") {
            auto v = value();
            if (!v)
                return std::nullopt;
            a.cache = *v;
        } else if (arg == u"--policy") {
            auto v = value();
            if (!v)
                return std::nullopt;
            a.policy = v->trimmed().toLower();
            if (a.policy != u"threshold" && !policyFromName(a.policy)) {
                *error = QStringLiteral("--policy takes %1 or threshold, not '%2'")
                             .arg(policyNames().join(QStringLiteral(", ")), *v);
                return std::nullopt;
            }
        } else if (arg == u"--sizes") {
            auto v = value();
            if (!v)
                return std::nullopt;
            for (const QString &part : v->split(u',', Qt::SkipEmptyParts)) {
                auto s = parseSize(part);
                if (!s) {
                    *error = QStringLiteral("--sizes: '%1' is not a positive size").arg(part);
                    return std::nullopt;
                }
                a.sizes << *s;
            }
            if (a.sizes.isEmpty() || a.sizes.size() > 10000) {
                *error = QStringLiteral("--sizes needs 1 to 10000 sizes");
                return std::nullopt;
            }
        } else if (arg == u"--size-unit") {
            auto v = value();
            if (!v)
                return std::nullopt;
            auto u = sizeUnitFromName(*v);
            if (!u) {
                *error = QStringLiteral("--size-unit takes keys, bytes or redis-bytes, not '%1'").arg(*v);
                return std::nullopt;
            }
            a.unit = *u;
            a.unitGiven = true;
        } else if (arg == u"--points") {
            auto v = value();
            if (!v)
                return std::nullopt;
            bool ok = false;
            a.points = v->toInt(&ok);
            if (!ok || a.points < 1 || a.points > 10000) {
                *error = QStringLiteral("--points takes 1 to 10000, not '%1'").arg(*v);
                return std::nullopt;
            }
        } else if (arg == u"--sample") {
            auto v = value();
            if (!v)
                return std::nullopt;
            auto s = Sampling::parse(*v);
            if (!s) {
                *error = s.error();
                return std::nullopt;
            }
            a.sampling = *s;
        } else if (arg == u"--ttl-scale") {
            auto v = value();
            if (!v)
                return std::nullopt;
            bool ok = false;
            a.replay.ttlScale = v->toDouble(&ok);
            if (!ok || !(a.replay.ttlScale > 0) || a.replay.ttlScale > 1e6) {
                *error = QStringLiteral("--ttl-scale takes a number above 0, not '%1'").arg(*v);
                return std::nullopt;
            }
        } else if (arg == u"--ttl") {
            auto v = value();
            if (!v)
                return std::nullopt;
            bool ok = false;
            const qint64 t = v->toLongLong(&ok);
            if (!ok || t < 0 || t > std::numeric_limits<qint32>::max()) {
                *error = QStringLiteral("--ttl takes seconds from 0 (never expires) to 2147483647, not '%1'").arg(*v);
                return std::nullopt;
            }
            a.replay.ttlOverride = t;
        } else if (arg == u"--max-value-size") {
            auto v = value();
            if (!v)
                return std::nullopt;
            auto s = parseSize(*v);
            if (!s) {
                *error = QStringLiteral("--max-value-size takes a positive size, not '%1'").arg(*v);
                return std::nullopt;
            }
            a.replay.maxValueSize = *s;
        } else if (arg == u"--what-if") {
            auto v = value();
            if (!v)
                return std::nullopt;
            auto s = parseSize(*v);
            if (!s) {
                *error = QStringLiteral("--what-if takes a positive size, not '%1'").arg(*v);
                return std::nullopt;
            }
            a.whatIf = *s;
        } else if (arg == u"--error-band") {
            a.errorBand = true;
        } else if (arg == u"--analyze") {
            a.analyze = true;
        } else if (arg == u"--json") {
            a.json = true;
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(args[i]);
            return std::nullopt;
        }
    }
    if (a.trace.isEmpty()) {
        *error = QStringLiteral("--trace FILE is required");
        return std::nullopt;
    }
    if (a.analyze && a.whatIf) {
        *error = QStringLiteral("--analyze and --what-if do not go together");
        return std::nullopt;
    }
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
// (QJsonObject would sort the members by name.)
QByteArray curveJson(const CurveResult &curve, const Sampling &sampling, bool band)
{
    auto real = [](double v) { return QByteArray::number(v, 'g', QLocale::FloatingPointShortest); };
    auto text = [](const QString &v) { return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1); };
    QByteArray out = "{\"requests\":" + QByteArray::number(curve.profile.records) + ",\"gets\":"
                   + QByteArray::number(curve.profile.reads) + ",\"unique_keys\":" + QByteArray::number(curve.profile.uniqueKeys)
                   + ",\"policy\":" + text(policyName(curve.policy)) + ",\"sample\":" + text(sampling.text()) + ",\"curve\":[";
    for (qsizetype i = 0; i < curve.points.size(); ++i) {
        const CurvePoint &p = curve.points[i];
        out += (i ? ",{\"size\":" : "{\"size\":") + QByteArray::number(p.size) + ",\"hit_ratio\":" + real(p.hitRatio);
        if (band)
            out += ",\"band\":" + real(p.band);
        out += '}';
    }
    return out + "]}";
}

void printWarnings(const QStringList &warnings)
{
    for (const QString &w : warnings)
        cli::fail(QStringLiteral("capacity"), QStringLiteral("warning: %1").arg(w), 0);
}

QJsonArray histogramJson(const QList<HistogramBin> &bins)
{
    QJsonArray out;
    for (const HistogramBin &b : bins)
        out.append(QJsonObject{{QStringLiteral("bin"), b.label}, {QStringLiteral("count"), double(b.count)}});
    return out;
}

int runAnalyze(FileRecordSource &source, int cache, const CurveArgs &a)
{
    auto analysis = analyzeTrace(source, cache);
    if (!analysis)
        return cli::fail(QStringLiteral("capacity"), analysis.error());
    printWarnings(source.warnings());
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
    QString error;
    auto parsed = parseCurveArgs(args, &error);
    if (!parsed)
        return usageError(error);
    CurveArgs a = *parsed;
    auto source = FileRecordSource::open(a.trace, a.format);
    if (!source)
        return cli::fail(QStringLiteral("capacity"), source.error());
    const TraceHeader &header = (*source)->header();
    bool usage = false;
    auto cache = pickCache(header, a.cache, a.trace, &usage);
    if (!cache)
        return usage ? usageError(cache.error()) : cli::fail(QStringLiteral("capacity"), cache.error());
    if (a.analyze)
        return runAnalyze(**source, *cache, a);
    auto policy = resolvePolicy(a.policy, header.caches[*cache], &error);
    if (!policy)
        return usageError(error);
    if (isThresholdPolicy(*policy) && a.unitGiven && a.unit != SizeUnit::Keys)
        return usageError(QStringLiteral("a threshold counts entries: use --size-unit keys"));
    if (isRedisPolicy(*policy) && !a.unitGiven)
        a.unit = SizeUnit::RedisBytes; // maxmemory terms unless asked otherwise
    if (header.sampleRate < 1.0)
        printWarnings({QStringLiteral("%1 was captured on a %2 sample of the keys: sizes are those of the sample")
                           .arg(a.trace)
                           .arg(header.sampleRate)});

    if (a.whatIf) {
        auto profile = profileTrace(**source, *cache, a.unit, 8'000'000);
        if (!profile)
            return cli::fail(QStringLiteral("capacity"), profile.error());
        WhatIfRequest w;
        w.cache = *cache;
        w.policy = *policy;
        w.unit = isThresholdPolicy(*policy) ? SizeUnit::Keys : a.unit;
        w.size = *a.whatIf;
        w.replay = a.replay;
        w.sampleRate = a.sampling.mode == Sampling::Mode::Rate ? a.sampling.rate : 1.0;
        auto r = whatIf(**source, w, *profile);
        if (!r)
            return cli::fail(QStringLiteral("capacity"), r.error());
        printWarnings((*source)->warnings());
        const QJsonObject o{{QStringLiteral("cache"), header.caches[*cache].name},
                            {QStringLiteral("policy"), policyName(*policy)},
                            {QStringLiteral("size"), double(w.size)},
                            {QStringLiteral("size_unit"), sizeUnitName(w.unit)},
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
                              .arg(header.caches[*cache].name, policyName(*policy), formatSize(double(w.size), w.unit))
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
    auto curve = computeCurve(**source, request);
    if (!curve)
        return cli::fail(QStringLiteral("capacity"), curve.error());
    printWarnings(curve->warnings);
    if (a.json) {
        cli::writeLine(curveJson(*curve, a.sampling, a.errorBand));
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
                            sizeUnitName(curve->unit));
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
    if (args.isEmpty() || args.first().startsWith(u'-'))
        return usageError(QStringLiteral("record needs a FILE to write"));
    const QString file = args.first();
    ConfigCommandLine::EnvironmentArgs environment;
    QString config, redis, error;
    QStringList caches;
    QList<QPair<QByteArray, QString>> prefixes;
    int seconds = 60;
    double sampleRate = 1.0, window = 5.0;
    TraceFormat format = TraceFormat::Auto;
    for (int i = 1; i < args.size(); ++i) {
        switch (environment.take(args, &i, &error)) {
        case ConfigCommandLine::EnvironmentArgs::Take::Taken:
            continue;
        case ConfigCommandLine::EnvironmentArgs::Take::Error:
            return usageError(error);
        case ConfigCommandLine::EnvironmentArgs::Take::NotMine:
            break;
        }
        const QString &arg = args[i];
        auto value = [&]() { return valueOf(args, &i, &error); };
        auto number = [&](double low, double high, double *out) {
            auto v = value();
            if (!v)
                return false;
            bool ok = false;
            *out = v->toDouble(&ok);
            if (!ok || *out < low || *out > high) {
                error = QStringLiteral("%1 takes a number from %2 to %3, not '%4'").arg(arg).arg(low).arg(high).arg(*v);
                return false;
            }
            return true;
        };
        if (arg == u"--config" || arg == u"--redis" || arg == u"--cache" || arg == u"--prefix" || arg == u"--format") {
            auto v = value();
            if (!v)
                return usageError(error);
            if (arg == u"--config")
                config = *v;
            else if (arg == u"--redis")
                redis = *v;
            else if (arg == u"--cache")
                caches << *v;
            else if (arg == u"--format") {
                auto f = traceFormatFromName(*v);
                if (!f || *f == TraceFormat::Recording)
                    return usageError(QStringLiteral("--format takes cachescope, twitter or oracle, not '%1'").arg(*v));
                format = *f;
            } else {
                const qsizetype eq = v->indexOf(u'=');
                if (eq <= 0)
                    return usageError(QStringLiteral("--prefix takes KEYPREFIX=NAME, not '%1'").arg(*v));
                prefixes.append({v->left(eq).toUtf8(), v->mid(eq + 1)});
            }
        } else if (arg == u"--seconds") {
            double s = 0;
            if (!number(1, 3600, &s))
                return usageError(error);
            seconds = int(s);
        } else if (arg == u"--sample-keys") {
            if (!number(1e-6, 1, &sampleRate))
                return usageError(error);
        } else if (arg == u"--window") {
            if (!number(0, 60, &window))
                return usageError(error);
        } else {
            return usageError(QStringLiteral("unknown option '%1'").arg(arg));
        }
    }
    if (config.isEmpty() == redis.isEmpty())
        return usageError(QStringLiteral("record needs --config FILE or --redis URL (one of them)"));
    QList<MonitorTarget> targets;
    if (!redis.isEmpty()) {
        auto url = RedisUrl::parse(redis);
        if (!url)
            return usageError(url.error());
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
        const auto options = environment.loaderOptions(ConfigCommandLine::systemEnvironment());
        if (!options)
            return cli::fail(QStringLiteral("capacity"), options.error());
        const auto report = ConfigCommandLine::loadForCommand(config, *options);
        if (!report)
            return cli::fail(QStringLiteral("capacity"), report.error());
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
                return cli::fail(QStringLiteral("capacity"), url.error());
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
            printWarnings({QStringLiteral("not captured (MONITOR sees Redis only): %1").arg(skipped.join(QStringLiteral(", ")))});
        if (targets.isEmpty())
            return cli::fail(QStringLiteral("capacity"), QStringLiteral("%1: no Redis cache to capture").arg(config));
    }
    cli::fail(QStringLiteral("capacity"), MonitorSampler::costWarning(), 0);
    auto captured = recordMonitorTrace(targets, file, format, seconds, sampleRate, window);
    if (!captured)
        return cli::fail(QStringLiteral("capacity"), captured.error());
    printWarnings(captured->warnings);
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
    QStringList positional;
    TraceFormat from = TraceFormat::Auto, to = TraceFormat::Auto;
    QString cache, error;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (arg == u"--from" || arg == u"--to" || arg == u"--cache") {
            auto v = valueOf(args, &i, &error);
            if (!v)
                return usageError(error);
            if (arg == u"--cache") {
                cache = *v;
                continue;
            }
            auto f = traceFormatFromName(*v);
            if (!f)
                return usageError(QStringLiteral("%1: unknown trace format '%2'").arg(arg, *v));
            (arg == u"--from" ? from : to) = *f;
        } else if (arg.startsWith(u"--")) {
            return usageError(QStringLiteral("unknown option '%1'").arg(arg));
        } else {
            positional << arg;
        }
    }
    if (positional.size() != 2)
        return usageError(QStringLiteral("convert needs IN and OUT"));
    auto reader = TraceReader::open(positional[0], from);
    if (!reader)
        return cli::fail(QStringLiteral("capacity"), reader.error());
    TraceHeader header = (*reader)->header();
    int only = -1;
    if (!cache.isEmpty()) {
        bool usage = false;
        auto picked = pickCache(header, cache, positional[0], &usage);
        if (!picked)
            return usageError(picked.error());
        only = *picked;
        header.caches = {header.caches[only]};
    }
    auto writer = TraceWriter::create(positional[1], to, header);
    if (!writer)
        return cli::fail(QStringLiteral("capacity"), writer.error());
    TraceRecords batch;
    for (;;) {
        batch.clear();
        auto got = (*reader)->read(batch);
        if (!got)
            return cli::fail(QStringLiteral("capacity"), got.error());
        if (*got == 0)
            break;
        if (only >= 0) {
            std::erase_if(batch, [&](const TraceRecord &r) { return r.cache != only; });
            for (TraceRecord &r : batch)
                r.cache = 0;
        }
        if (auto ok = (*writer)->write(batch); !ok)
            return cli::fail(QStringLiteral("capacity"), ok.error());
    }
    if (auto ok = (*writer)->finish(); !ok)
        return cli::fail(QStringLiteral("capacity"), ok.error());
    printWarnings((*reader)->warnings() + (*writer)->warnings());
    cli::writeLine(QJsonDocument(QJsonObject{{QStringLiteral("in"), positional[0]},
                                             {QStringLiteral("out"), positional[1]},
                                             {QStringLiteral("records"), double((*writer)->written())}})
                       .toJson(QJsonDocument::Compact));
    return 0;
}

} // namespace

int runCapacityCommand(const QStringList &args)
{
    if (args.isEmpty() || args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::fputs(kUsage, args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == u"record")
        return runRecord(args.mid(1));
    if (args.first() == u"convert")
        return runConvert(args.mid(1));
    return runCurve(args);
}

} // namespace cachescope
