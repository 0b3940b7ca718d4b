#include "demoworkload.h"

#include "cache/cachemanager.h"
#include "codec/pyvalue.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QUuid>

#include <chrono>

namespace cachescope {

namespace {

PyValue s(const char *text)
{
    return PyValue::str(QByteArray(text));
}

PyValue s(const QString &text)
{
    return PyValue::str(text);
}

// Superset names chart data and memoized entries by an md5 hex digest of what they depend on.
QByteArray digestKey(const QByteArray &material)
{
    return QCryptographicHash::hash(material, QCryptographicHash::Md5).toHex();
}

// Superset's key_value store hands out url-safe random keys for form data and filter state.
QByteArray randomToken(std::mt19937 &rng)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QByteArray token(11, '\0');
    for (char &c : token)
        c = alphabet[rng() % 64];
    return token;
}

constexpr size_t kRecentKeys = 64;

void remember(std::deque<QByteArray> &recent, QByteArray key)
{
    recent.push_back(std::move(key));
    if (recent.size() > kRecentKeys)
        recent.pop_front();
}

qint64 steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

DemoWorkload::DemoWorkload(CacheManager &manager, const DemoSettings &settings, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_charts(std::max(1, settings.charts))
    , m_dashboards(std::max(1, settings.dashboards))
    , m_intervalMs(std::max(1, settings.requestIntervalMs))
    , m_seed(settings.seed)
    , m_users(std::max(0, settings.users))
    , m_skew(std::max(0.0, settings.skew))
    , m_chartTimeout(std::max<qint64>(0, settings.chartTimeout))
    , m_threshold(std::max(0, settings.threshold))
{
}

DemoWorkload::~DemoWorkload()
{
    stop();
}

void DemoWorkload::start()
{
    if (m_thread.joinable())
        return;
    m_stop.store(false);
    m_thread = std::thread([this] { run(); });
}

void DemoWorkload::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_sleepMutex);
        m_stop.store(true);
    }
    m_wake.notify_all();
    m_thread.join();
}

DemoSettings DemoWorkload::settings() const
{
    DemoSettings s;
    s.users = m_users.load();
    s.skew = m_skew.load();
    s.chartTimeout = m_chartTimeout.load();
    s.threshold = m_threshold.load();
    s.charts = m_charts;
    s.dashboards = m_dashboards;
    s.requestIntervalMs = m_intervalMs;
    s.seed = m_seed;
    return s;
}

void DemoWorkload::setUsers(int users)
{
    const int value = std::max(0, users);
    if (m_users.exchange(value) != value)
        Q_EMIT settingsChanged();
}

void DemoWorkload::setSkew(double skew)
{
    const double value = std::max(0.0, skew);
    if (m_skew.exchange(value) != value)
        Q_EMIT settingsChanged();
}

void DemoWorkload::setChartTimeout(qint64 seconds)
{
    const qint64 value = std::max<qint64>(0, seconds);
    if (m_chartTimeout.exchange(value) != value)
        Q_EMIT settingsChanged();
}

void DemoWorkload::setThreshold(int threshold)
{
    const int value = std::max(0, threshold);
    if (m_threshold.exchange(value) != value)
        Q_EMIT settingsChanged();
}

void DemoWorkload::run()
{
    std::mt19937 rng(m_seed);
    double owed = 0;
    qint64 last = steadyMs();
    for (;;) {
        {
            std::unique_lock lock(m_sleepMutex);
            if (m_wake.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_stop.load(); }))
                return;
        }
        applyPendingChanges();
        const qint64 now = steadyMs();
        const int users = m_users.load();
        // Each user sends one request per think time on average; after a stall (a suspended
        // machine) the backlog is dropped rather than replayed in one burst.
        owed = std::min(owed + double(users) * double(now - last) / double(m_intervalMs), double(users) + 1.0);
        last = now;
        for (; owed >= 1.0 && !m_stop.load(std::memory_order_relaxed); owed -= 1.0)
            oneRequest(rng, users > 0 ? int(rng() % quint32(users)) : 0);
    }
}

void DemoWorkload::applyPendingChanges()
{
    const double skew = m_skew.load();
    if (!m_sampler || skew != m_appliedSkew) {
        m_sampler.emplace(m_charts, skew);
        m_appliedSkew = skew;
    }
    const int threshold = m_threshold.load();
    if (threshold > 0 && threshold != m_appliedThreshold) {
        m_appliedThreshold = threshold;
        auto spec = m_manager.spec(CachePurpose::Data);
        if (spec && (spec->backend == BackendType::Simple || spec->backend == BackendType::FileSystem)
            && spec->threshold != threshold) {
            spec->threshold = threshold;
            auto lock = m_manager.lockForUse(CachePurpose::Data);
            if (auto replaced = m_manager.setCache(*spec); !replaced)
                report(replaced.error());
        }
    }
}

void DemoWorkload::oneRequest(std::mt19937 &rng, int user)
{
    m_requests.fetch_add(1, std::memory_order_relaxed);
    // Roughly what a Superset instance serves: mostly chart data behind dashboards.
    const quint32 pick = rng() % 100;
    if (pick < 62)
        chartRequest(rng);
    else if (pick < 72)
        keyValueRequest(rng, CachePurpose::ExploreFormData, m_recentForms, user);
    else if (pick < 80)
        keyValueRequest(rng, CachePurpose::FilterState, m_recentFilters, user);
    else if (pick < 88)
        thumbnailRequest(rng);
    else if (pick < 95)
        sqlLabRequest(rng);
    else
        metadataRequest(rng);
}

PyValue DemoWorkload::chartPayload(int chart, int variant, const QByteArray &cacheKey, qint64 timeout)
{
    static const char *const countries[] = {"Brazil", "Canada", "France", "Germany", "India",
                                            "Japan",  "Kenya",  "Mexico", "Norway",  "Peru"};
    const int rows = 5 + (chart * 7 + variant) % 20;
    PyValue::Items data;
    data.reserve(size_t(rows));
    for (int r = 0; r < rows; ++r) {
        data.push_back(PyValue::dict({
            {s("country"), s(countries[(chart + r) % 10])},
            {s("year"), PyValue::integer(2000 + r)},
            {s("SUM(num)"), PyValue::integer(qint64(chart + 1) * 1000 + r * 37 + variant)},
            {s("AVG(price)"), PyValue::floating(double(chart % 97) + r * 0.25)},
        }));
    }
    const QString query = QStringLiteral("SELECT country, year, SUM(num), AVG(price) FROM %1 "
                                         "WHERE region = 'r%2' GROUP BY country, year LIMIT 10000")
                              .arg(chartTable(chart))
                              .arg(variant);
    return PyValue::dict({
        {s("cache_key"), PyValue::str(cacheKey)},
        {s("cached_dttm"), s(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))},
        // set_and_log_cache adds the write time, naive UTC without fractions (superset/utils/cache.py:
        // `dttm = datetime.utcnow().isoformat().split(".")[0]` @ 4.1.0): what an audit ages entries by.
        {s("dttm"), s(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")))},
        {s("cache_timeout"), PyValue::integer(timeout)},
        {s("applied_template_filters"), PyValue::list()},
        {s("annotation_data"), PyValue::dict()},
        {s("error"), PyValue::none()},
        {s("is_cached"), PyValue::none()},
        {s("query"), s(query)},
        {s("status"), s("success")},
        {s("stacktrace"), PyValue::none()},
        {s("rowcount"), PyValue::integer(rows)},
        {s("colnames"), PyValue::list({s("country"), s("year"), s("SUM(num)"), s("AVG(price)")})},
        {s("coltypes"), PyValue::list({PyValue::integer(1), PyValue::integer(0), PyValue::integer(0), PyValue::integer(0)})},
        {s("data"), PyValue::list(std::move(data))},
    });
}

QString DemoWorkload::chartTable(int chart)
{
    return QStringLiteral("sales_%1").arg(chart % 12);
}

QByteArray DemoWorkload::chartDataKey(int chart, int variant)
{
    return digestKey("chart_data:" + QByteArray::number(chart) + ":filters:" + QByteArray::number(variant));
}

void DemoWorkload::chartRequest(std::mt19937 &rng)
{
    const auto cache = m_manager.cache(CachePurpose::Data);
    if (!cache)
        return;
    const int chart = m_sampler->sample(rng);
    const int variant = int(rng() % kChartVariants);
    const QByteArray key = chartDataKey(chart, variant);
    auto lock = m_manager.lockForUse(CachePurpose::Data);
    auto hit = cache->get(key);
    if (!hit) {
        report(QStringLiteral("DATA_CACHE_CONFIG: %1").arg(hit.error()));
        return;
    }
    if (hit->has_value())
        return;
    // Miss: "run the query" and cache the result for the chart's timeout.
    const qint64 timeout = m_chartTimeout.load();
    m_computed.fetch_add(1, std::memory_order_relaxed);
    auto written = cache->set(key, chartPayload(chart, variant, key, timeout), Timeout(timeout));
    if (!written)
        report(QStringLiteral("DATA_CACHE_CONFIG: %1").arg(written.error()));
}

void DemoWorkload::keyValueRequest(std::mt19937 &rng, CachePurpose purpose, std::deque<QByteArray> &recent, int user)
{
    const auto cache = m_manager.cache(purpose);
    if (!cache)
        return;
    const int chart = m_sampler->sample(rng);
    const auto value = [&] {
        const QString formData = QStringLiteral("{\"slice_id\": %1, \"viz_type\": \"echarts_timeseries_bar\", "
                                                "\"datasource\": \"%2__table\", \"row_limit\": 10000}")
                                     .arg(chart)
                                     .arg(chart % 12 + 1);
        return PyValue::dict({{s("owner"), PyValue::integer(user + 1)},
                              {s("datasource_id"), PyValue::integer(chart % 12 + 1)},
                              {s("datasource_type"), s("table")},
                              {s("chart_id"), PyValue::integer(chart)},
                              {s("state"), s(formData)}});
    };
    auto lock = m_manager.lockForUse(purpose);
    const QString name = purposeConfigName(purpose);
    // Users mostly come back to state they saved (a shared link, a reload); sometimes they save new.
    if (!recent.empty() && rng() % 100 < 60) {
        const QByteArray key = recent[rng() % recent.size()];
        auto got = cache->get(key);
        if (!got) {
            report(QStringLiteral("%1: %2").arg(name, got.error()));
            return;
        }
        if (got->has_value())
            return;
        auto written = cache->set(key, value());
        if (!written)
            report(QStringLiteral("%1: %2").arg(name, written.error()));
        return;
    }
    const QByteArray key = randomToken(rng);
    auto written = cache->set(key, value());
    if (!written) {
        report(QStringLiteral("%1: %2").arg(name, written.error()));
        return;
    }
    remember(recent, key);
}

void DemoWorkload::thumbnailRequest(std::mt19937 &rng)
{
    const auto cache = m_manager.cache(CachePurpose::Thumbnail);
    if (!cache)
        return;
    const int dashboard = int(rng() % quint32(m_dashboards));
    const QByteArray key = digestKey("thumbnail:dashboard:" + QByteArray::number(dashboard));
    auto lock = m_manager.lockForUse(CachePurpose::Thumbnail);
    auto got = cache->get(key);
    if (!got) {
        report(QStringLiteral("THUMBNAIL_CACHE_CONFIG: %1").arg(got.error()));
        return;
    }
    if (got->has_value())
        return;
    // A screenshot: PNG signature and a small body, as Superset caches the image bytes.
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.append(QByteArray(1024 + dashboard * 16, char(dashboard)));
    auto written = cache->set(key, PyValue::bytes(png));
    if (!written)
        report(QStringLiteral("THUMBNAIL_CACHE_CONFIG: %1").arg(written.error()));
}

void DemoWorkload::sqlLabRequest(std::mt19937 &rng)
{
    const auto cache = m_manager.cache(CachePurpose::Results);
    if (!cache)
        return;
    auto lock = m_manager.lockForUse(CachePurpose::Results);
    if (!m_recentResults.empty() && rng() % 100 < 65) {
        // Fetching the result of an earlier query (results may have expired or been pruned).
        auto got = cache->get(m_recentResults[rng() % m_recentResults.size()]);
        if (!got)
            report(QStringLiteral("RESULTS_BACKEND: %1").arg(got.error()));
        return;
    }
    const QByteArray key = QUuid::createUuidV5(QUuid(), QByteArray::number(quint64(rng()))).toByteArray(QUuid::WithoutBraces);
    const int rows = 3 + int(rng() % 20);
    QByteArray json = "{\"status\": \"success\", \"data\": [";
    for (int r = 0; r < rows; ++r)
        json += (r ? ", " : "") + QByteArray("{\"id\": ") + QByteArray::number(r) + "}";
    json += "]}";
    auto written = cache->set(key, PyValue::bytes(json));
    if (!written) {
        report(QStringLiteral("RESULTS_BACKEND: %1").arg(written.error()));
        return;
    }
    remember(m_recentResults, key);
}

void DemoWorkload::metadataRequest(std::mt19937 &rng)
{
    const auto cache = m_manager.cache(CachePurpose::Cache);
    if (!cache)
        return;
    const int dashboard = int(rng() % quint32(m_dashboards));
    const QByteArray key = digestKey("memoize:Dashboard.datasets_trimmed_for_slices:" + QByteArray::number(dashboard));
    auto lock = m_manager.lockForUse(CachePurpose::Cache);
    auto got = cache->get(key);
    if (!got) {
        report(QStringLiteral("CACHE_CONFIG: %1").arg(got.error()));
        return;
    }
    if (got->has_value())
        return;
    auto written = cache->set(key, PyValue::dict({{s("dashboard_id"), PyValue::integer(dashboard)},
                                                   {s("datasets"), PyValue::list({PyValue::integer(dashboard % 12 + 1)})}}));
    if (!written)
        report(QStringLiteral("CACHE_CONFIG: %1").arg(written.error()));
}

void DemoWorkload::report(const QString &message)
{
    // One failing cache would otherwise flood the receiver with thousands of messages a second.
    const qint64 now = steadyMs();
    if (now - m_lastReportMs < 2000)
        return;
    m_lastReportMs = now;
    Q_EMIT workloadFailed(message);
}

} // namespace cachescope
