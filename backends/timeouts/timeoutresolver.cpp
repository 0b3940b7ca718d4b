#include "timeoutresolver.h"

#include "config/configreport.h"

namespace cachescope {

QString SourceRef::toString() const
{
    if (!isValid())
        return {};
    return QStringLiteral("%1:%2").arg(file).arg(line);
}

QString timeoutLinkName(TimeoutLink link)
{
    switch (link) {
    case TimeoutLink::Custom: return QStringLiteral("custom");
    case TimeoutLink::NativeFilterOptions: return QStringLiteral("NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT");
    case TimeoutLink::Chart: return QStringLiteral("chart");
    case TimeoutLink::Dataset: return QStringLiteral("dataset");
    case TimeoutLink::Database: return QStringLiteral("database");
    case TimeoutLink::FormData: return QStringLiteral("form_data");
    case TimeoutLink::DataCacheConfig: return QStringLiteral("DATA_CACHE_CONFIG");
    case TimeoutLink::CacheDefaultTimeout: return QStringLiteral("CACHE_DEFAULT_TIMEOUT");
    case TimeoutLink::AsyncFloor: return QStringLiteral("GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL");
    }
    return {};
}

QString stepVerdictText(StepVerdict verdict)
{
    switch (verdict) {
    case StepVerdict::NotSet: return QStringLiteral("not set: next link");
    case StepVerdict::Used: return QStringLiteral("used");
    case StepVerdict::FalsySkipped: return QStringLiteral("0 is falsy to the processor: thrown away");
    case StepVerdict::Skipped: return QStringLiteral("not reached");
    case StepVerdict::NotInRelease: return QStringLiteral("not consulted by this release");
    case StepVerdict::Floored: return QStringLiteral("raised to the async floor");
    }
    return {};
}

bool TimeoutResolution::hasPitfall(const QString &code) const
{
    for (const auto &p : pitfalls)
        if (p.code == code)
            return true;
    return false;
}

namespace {

// The span of a setting as a file:line, when the span really is in the main file: names bound by
// a star import of a sibling module carry that module's spans, which the report does not tag.
SourceRef refIn(const ConfigReport &report, const SourceSpan &span, const QString &expect)
{
    if (!span.isValid())
        return {};
    SourceRef ref{report.fileName, span.line, span.column};
    int start = 0;
    for (int line = 1; line < span.line && start >= 0; ++line) {
        start = report.source.indexOf(u'\n', start);
        if (start >= 0)
            ++start;
    }
    if (start < 0 || report.source.mid(start + span.column - 1, expect.size() + 1).indexOf(expect) < 0)
        ref.file = QStringLiteral("<imported module>");
    return ref;
}

std::optional<qint64> intSetting(const ConfigReport &report, const QString &name, SourceRef *at, QStringList *problems)
{
    const py::ValuePtr v = report.setting(name);
    if (!v || v->kind == py::Value::Kind::None)
        return std::nullopt;
    *at = refIn(report, report.settingSpan(name), name);
    const auto n = py::integerValue(v);
    if (!n)
        *problems << QStringLiteral("%1 (%2) is %3, not a number of seconds").arg(name, at->toString(), py::pyRepr(v));
    return n;
}

} // namespace

TimeoutConfig TimeoutConfig::fromReport(const ConfigReport &report)
{
    TimeoutConfig c;
    if (const auto v = intSetting(report, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), &c.cacheDefaultAt, &c.problems)) {
        c.cacheDefaultTimeout = *v;
        c.cacheDefaultFromFile = true;
    }
    c.nativeFilterOptionsTimeout =
        intSetting(report, QStringLiteral("NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT"), &c.nativeFilterAt, &c.problems);
    c.asyncMinCacheTtl = intSetting(report, QStringLiteral("GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL"), &c.asyncMinAt, &c.problems);
    const py::ValuePtr data = report.setting(QStringLiteral("DATA_CACHE_CONFIG"));
    if (data && data->kind == py::Value::Kind::Dict) {
        if (const auto *e = data->dict->entry(QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
            e && e->value && e->value->kind != py::Value::Kind::None) {
            c.dataCacheAt = refIn(report, e->span, QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
            c.dataCacheDefaultTimeout = py::integerValue(e->value);
            if (!c.dataCacheDefaultTimeout)
                c.problems << QStringLiteral("DATA_CACHE_CONFIG[\"CACHE_DEFAULT_TIMEOUT\"] (%1) is %2, not a number of "
                                             "seconds")
                                  .arg(c.dataCacheAt.toString(), py::pyRepr(e->value));
        }
    }
    for (const auto &spec : report.caches)
        if (spec.purpose == CachePurpose::Data)
            c.dataBackend = spec.backend;
    return c;
}

namespace {

struct Walk
{
    const FamilyRules &rules;
    const TimeoutConfig &config;
    TimeoutResolution &out;

    void step(TimeoutLink link, std::optional<qint64> value, StepVerdict verdict)
    {
        out.steps.append(TimeoutStep{link, value, verdict});
    }
    void pitfall(const char *code, QString message, const char *citation)
    {
        out.pitfalls.append(TimeoutPitfall{QString::fromLatin1(code), std::move(message), QString::fromUtf8(citation)});
    }
    // The config end of the chain: DATA_CACHE_CONFIG (when the release reads it) then CACHE_DEFAULT_TIMEOUT.
    void defaults(bool dataCacheStep)
    {
        if (dataCacheStep) {
            if (config.dataCacheDefaultTimeout) {
                step(TimeoutLink::DataCacheConfig, config.dataCacheDefaultTimeout, StepVerdict::Used);
                step(TimeoutLink::CacheDefaultTimeout, config.cacheDefaultTimeout, StepVerdict::Skipped);
                out.effective = *config.dataCacheDefaultTimeout;
                out.source = TimeoutLink::DataCacheConfig;
                out.at = config.dataCacheAt;
                return;
            }
            step(TimeoutLink::DataCacheConfig, std::nullopt, StepVerdict::NotSet);
        } else {
            step(TimeoutLink::DataCacheConfig, config.dataCacheDefaultTimeout, StepVerdict::NotInRelease);
        }
        step(TimeoutLink::CacheDefaultTimeout, config.cacheDefaultTimeout, StepVerdict::Used);
        out.effective = config.cacheDefaultTimeout;
        out.source = TimeoutLink::CacheDefaultTimeout;
        out.at = config.cacheDefaultAt;
    }
    void skipRest(std::initializer_list<std::pair<TimeoutLink, std::optional<qint64>>> rest)
    {
        for (const auto &[link, value] : rest)
            step(link, value, StepVerdict::Skipped);
    }
};

QString describe(TimeoutLink link)
{
    switch (link) {
    case TimeoutLink::Chart: return QStringLiteral("the chart");
    case TimeoutLink::Dataset: return QStringLiteral("the dataset");
    case TimeoutLink::Database: return QStringLiteral("the database");
    case TimeoutLink::Custom: return QStringLiteral("the request's custom timeout");
    default: return timeoutLinkName(link);
    }
}

const char *const kIssue21635 = "issue #21635 (fixed by PR #21637, first released in 2.0.1)";
const char *const kIssue21441 = "PR #21441 \"respect default cache timeout on v1 chart data requests\" (first released in 2.0.1)";

// QueryContext.get_cache_timeout, then QueryContextProcessor.get_cache_timeout (the /api/v1/chart/data path).
void chartDataPath(Walk &w, const TimeoutChain &chain, const TimeoutRequest &request)
{
    const FamilyRules &r = w.rules;
    const bool master = r.chainTest == ChainTest::NotNone;
    // The inner chain (custom lives inside QueryContext before master, in the processor on master).
    struct Link
    {
        TimeoutLink link;
        std::optional<qint64> value;
        bool consulted;
    };
    std::vector<Link> links;
    if (master) {
        if (request.custom) {
            w.step(TimeoutLink::Custom, request.custom, StepVerdict::Used);
            w.out.effective = *request.custom;
            w.out.source = TimeoutLink::Custom;
            return;
        }
        w.step(TimeoutLink::Custom, std::nullopt, StepVerdict::NotSet);
        if (r.nativeFilterOptionsStep && request.nativeFilterOptions && w.config.nativeFilterOptionsTimeout) {
            w.step(TimeoutLink::NativeFilterOptions, w.config.nativeFilterOptionsTimeout, StepVerdict::Used);
            w.out.effective = *w.config.nativeFilterOptionsTimeout;
            w.out.source = TimeoutLink::NativeFilterOptions;
            w.out.at = w.config.nativeFilterAt;
            return;
        }
        if (r.nativeFilterOptionsStep && request.nativeFilterOptions)
            w.step(TimeoutLink::NativeFilterOptions, std::nullopt, StepVerdict::NotSet);
    } else {
        links.push_back({TimeoutLink::Custom, request.custom, true});
    }
    links.push_back({TimeoutLink::Chart, chain.chart, r.chartStep});
    links.push_back({TimeoutLink::Dataset, chain.dataset, true});
    links.push_back({TimeoutLink::Database, chain.hasDatabase ? chain.database : std::nullopt, true});

    std::optional<qint64> inner;
    TimeoutLink innerLink = TimeoutLink::Database;
    size_t answered = links.size();
    for (size_t i = 0; i < links.size(); ++i) {
        const Link &l = links[i];
        if (!l.consulted) {
            w.step(l.link, l.value, StepVerdict::NotInRelease);
            continue;
        }
        // Every link but the last is tested `is not None`; the database's value is returned as is.
        if (l.value || i + 1 == links.size()) {
            inner = l.value;
            innerLink = l.link;
            answered = i;
            break;
        }
        w.step(l.link, std::nullopt, StepVerdict::NotSet);
    }
    const bool keep = inner && (master || *inner != 0);
    if (answered < links.size()) {
        w.step(innerLink, inner, keep ? StepVerdict::Used : inner ? StepVerdict::FalsySkipped : StepVerdict::NotSet);
        for (size_t i = answered + 1; i < links.size(); ++i)
            w.step(links[i].link, links[i].value, links[i].consulted ? StepVerdict::Skipped : StepVerdict::NotInRelease);
    }
    if (keep) {
        w.out.effective = *inner;
        w.out.source = innerLink;
    } else {
        w.defaults(r.dataCacheConfigStep);
    }
    if (!r.chartStep && chain.chart)
        w.pitfall("chart-ignored",
                  QStringLiteral("Superset %1 ignores the chart's own timeout (%2): its chart-data API goes custom → "
                                 "dataset → database")
                      .arg(QString::fromLatin1(r.id))
                      .arg(*chain.chart),
                  kIssue21635);
    if (inner && *inner == 0 && !master) {
        QString skipped;
        if (innerLink == TimeoutLink::Chart)
            skipped = QStringLiteral("the dataset and the database are never asked and ");
        else if (innerLink == TimeoutLink::Dataset)
            skipped = QStringLiteral("the database is never asked and ");
        w.pitfall("zero-skips-chain",
                  QStringLiteral("0 at %1 is falsy to QueryContextProcessor.get_cache_timeout (`if cache_timeout_rv:`): "
                                 "%2Superset uses %3 (%4) — not \"never expires\"")
                      .arg(describe(innerLink), skipped, timeoutLinkName(w.out.source))
                      .arg(w.out.effective),
                  r.processorCite);
    }
    if (!r.dataCacheConfigStep && w.config.dataCacheDefaultTimeout && w.out.source == TimeoutLink::CacheDefaultTimeout
        && *w.config.dataCacheDefaultTimeout != w.config.cacheDefaultTimeout)
        w.pitfall("data-cache-config-ignored",
                  QStringLiteral("this release's chart-data API ignores DATA_CACHE_CONFIG[\"CACHE_DEFAULT_TIMEOUT\"] (%1) "
                                 "and uses CACHE_DEFAULT_TIMEOUT (%2)")
                      .arg(*w.config.dataCacheDefaultTimeout)
                      .arg(w.config.cacheDefaultTimeout),
                  kIssue21441);
    if (master && request.async && r.asyncFloor) {
        const qint64 floor = w.config.asyncMinCacheTtl.value_or(r.asyncFloorDefault);
        if (w.out.effective > 0 && w.out.effective < floor) {
            w.step(TimeoutLink::AsyncFloor, floor, StepVerdict::Floored);
            w.pitfall("async-floor",
                      QStringLiteral("an async execution raises %1 to GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL (%2)")
                          .arg(w.out.effective)
                          .arg(floor),
                      r.newStepsCite);
            w.out.effective = floor;
            w.out.source = TimeoutLink::AsyncFloor;
            w.out.at = w.config.asyncMinAt;
            w.out.floored = true;
        }
    }
}

// superset/viz.py BaseViz.cache_timeout: form_data → dataset → database → DATA_CACHE_CONFIG →
// CACHE_DEFAULT_TIMEOUT, every step `is not None`. The form data carries the chart's own timeout
// only when it is truthy (Slice.form_data), else whatever the saved params hold.
void legacyPath(Walk &w, const TimeoutChain &chain)
{
    const std::optional<qint64> formData = (chain.chart && *chain.chart != 0) ? chain.chart : chain.formData;
    if (chain.chart && *chain.chart == 0)
        w.pitfall("legacy-zero-dropped",
                  QStringLiteral("the chart's own 0 is not copied into its form data (Slice.form_data tests `if "
                                 "self.cache_timeout:`), so the legacy path falls through to %1")
                      .arg(chain.formData ? QStringLiteral("the saved params") : QStringLiteral("the dataset")),
                  w.rules.legacyCite);
    const std::pair<TimeoutLink, std::optional<qint64>> links[] = {
        {TimeoutLink::FormData, formData},
        {TimeoutLink::Dataset, chain.dataset},
        {TimeoutLink::Database, chain.hasDatabase ? chain.database : std::nullopt},
    };
    for (size_t i = 0; i < std::size(links); ++i) {
        if (links[i].second) {
            w.step(links[i].first, links[i].second, StepVerdict::Used);
            for (size_t j = i + 1; j < std::size(links); ++j)
                w.step(links[j].first, links[j].second, StepVerdict::Skipped);
            w.out.effective = *links[i].second;
            w.out.source = links[i].first;
            return;
        }
        w.step(links[i].first, std::nullopt, StepVerdict::NotSet);
    }
    w.defaults(true);
}

} // namespace

TimeoutResolution resolveTimeout(const FamilyRules &rules, const TimeoutConfig &config, const TimeoutChain &chain,
                                 const TimeoutRequest &request)
{
    TimeoutResolution out;
    out.family = rules.family;
    out.steps.reserve(8); // one allocation: the longest chain has seven steps
    Walk w{rules, config, out};
    if (request.legacy)
        legacyPath(w, chain);
    else
        chartDataPath(w, chain, request);

    const qint64 t = out.effective;
    const bool bypassesRead = request.legacy ? rules.legacyMinusOneBypassesRead : rules.minusOneBypassesRead;
    out.bypass = t == -1 && bypassesRead;
    out.written = config.dataBackend != BackendType::Null && !(t == -1 && !rules.minusOneWritten);
    out.stored = out.written ? expiryOnBackend(config.dataBackend, t, config.cacheDefaultTimeout)
                             : expiryOnBackend(BackendType::Null, t, config.cacheDefaultTimeout);
    if (config.dataBackend == BackendType::Null) {
        static const TimeoutPitfall nullCache{
            QStringLiteral("null-cache"),
            QStringLiteral("DATA_CACHE_CONFIG is a NullCache: nothing is stored whatever the timeout (not a bypass)"),
            QString::fromUtf8(expiryOnBackend(BackendType::Null, 0, 0).citation)};
        out.pitfalls.append(nullCache);
    }
    if (t == -1 && !bypassesRead)
        w.pitfall("minus-one-not-bypass",
                  QStringLiteral("-1 does not bypass the cache before 3.0: Superset reads the cache and writes with "
                                 "timeout -1 (%1)")
                      .arg(out.stored.explanation()),
                  rules.bypassCite);
    if (t == -1 && !out.written && config.dataBackend != BackendType::Null)
        w.pitfall("minus-one-skipped", QStringLiteral("-1: the query runs every time and nothing is written"), rules.writeCite);
    if (t == -1 && out.written && out.stored.kind == StoredExpiry::Never)
        w.pitfall("minus-one-never-expire",
                  bypassesRead
                      ? QStringLiteral("-1 stored as never-expire by %1 (before PR #34654): reads are bypassed, but every "
                                       "refresh writes an entry that never expires")
                            .arg(backendTypeName(config.dataBackend))
                      : QStringLiteral("-1 stored as never-expire by %1: the entry is read back and never expires — the "
                                       "chart is cached for good")
                            .arg(backendTypeName(config.dataBackend)),
                  rules.writeCite);
    if (t == -1 && out.written && out.stored.kind == StoredExpiry::ExpiredAtOnce)
        w.pitfall("minus-one-expired",
                  QStringLiteral("-1 on %1: every refresh writes an entry that is already expired")
                      .arg(backendTypeName(config.dataBackend)),
                  out.stored.citation);
    if (out.written && out.stored.kind == StoredExpiry::Rejected)
        w.pitfall("negative-rejected",
                  QStringLiteral("timeout %1: %2; Superset logs \"Could not cache key\" and caches nothing").arg(t).arg(out.stored.explanation()),
                  out.stored.citation);
    return out;
}

TimeoutResolution resolveForDataset(const FamilyRules &rules, const TimeoutConfig &config,
                                    std::optional<qint64> datasetOwn, std::optional<qint64> databaseOwn)
{
    TimeoutChain chain;
    chain.dataset = datasetOwn;
    chain.database = databaseOwn;
    return resolveTimeout(rules, config, chain);
}

TimeoutResolution resolveForDatabase(const FamilyRules &rules, const TimeoutConfig &config,
                                     std::optional<qint64> databaseOwn)
{
    TimeoutChain chain;
    chain.database = databaseOwn;
    return resolveTimeout(rules, config, chain);
}

} // namespace cachescope
