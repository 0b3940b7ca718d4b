#include "timeouttable.h"

#include "config/configreport.h"

namespace cachescope {

QList<CacheTimeoutRow> cacheTimeoutRows(const ConfigReport &report)
{
    const TimeoutConfig config = TimeoutConfig::fromReport(report);
    QList<CacheTimeoutRow> rows;
    for (const CacheSpec &spec : report.caches) {
        CacheTimeoutRow row;
        row.purpose = spec.purpose;
        row.backend = spec.backend;
        row.effective = spec.defaultTimeout;
        const QString name = purposeConfigName(spec.purpose);
        const py::ValuePtr value = report.setting(name);
        const SourceSpan bindingSpan = report.settingSpan(name);
        const py::DictData::Entry *own = nullptr;
        if (value && bindingSpan.isValid()) {
            if (value->kind == py::Value::Kind::Dict)
                own = value->dict->entry(QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
            else if (value->kind == py::Value::Kind::Call && value->dict)
                own = value->dict->entry(QStringLiteral("default_timeout"));
        }
        if (own && own->value && own->value->kind != py::Value::Kind::None) {
            row.own = py::integerValue(own->value);
            row.source = name;
            row.at = SourceRef{report.fileName, own->span.line, own->span.column};
        } else if (!bindingSpan.isValid()
                   && (spec.purpose == CachePurpose::FilterState || spec.purpose == CachePurpose::ExploreFormData)) {
            // Not in the file: superset/config.py's own dict, which sets 90 / 7 days.
            row.source = QStringLiteral("default");
        } else if (spec.purpose != CachePurpose::Results && config.cacheDefaultFromFile) {
            // Superset copies the app-level CACHE_DEFAULT_TIMEOUT into a dict without one
            // (superset/utils/cache_manager.py:83-85 @ 2.0.1 … 5.0.0rc2).
            row.source = QStringLiteral("CACHE_DEFAULT_TIMEOUT");
            row.at = config.cacheDefaultAt;
        } else {
            row.source = QStringLiteral("default");
        }
        row.meaning = noneZeroMinusOneMeaning(spec.backend, spec.defaultTimeout);
        rows << row;
    }
    return rows;
}

TimeoutIndex::TimeoutIndex(MetadataSnapshot snapshot, TimeoutConfig config, SupersetFamily family)
    : m_snapshot(std::move(snapshot))
    , m_config(std::move(config))
    , m_rules(&familyRules(family))
{
    m_datasets.reserve(m_snapshot.datasets.size());
    for (int i = 0; i < m_snapshot.datasets.size(); ++i)
        m_datasets.insert(m_snapshot.datasets[i].id, i);
    m_databases.reserve(m_snapshot.databases.size());
    for (int i = 0; i < m_snapshot.databases.size(); ++i)
        m_databases.insert(m_snapshot.databases[i].id, i);
    for (int i = 0; i < m_snapshot.dashboards.size(); ++i)
        m_dashboards.insert(m_snapshot.dashboards[i].id, i);
    for (int i = 0; i < m_snapshot.charts.size(); ++i) {
        const ChartRow &c = m_snapshot.charts[i];
        if (c.datasourceId && c.datasourceType == u"table")
            m_chartsByDataset[*c.datasourceId].append(i);
    }
}

const DatasetRow *TimeoutIndex::dataset(qint64 id) const
{
    const int i = m_datasets.value(id, -1);
    return i < 0 ? nullptr : &m_snapshot.datasets[i];
}

const DatabaseRow *TimeoutIndex::database(qint64 id) const
{
    const int i = m_databases.value(id, -1);
    return i < 0 ? nullptr : &m_snapshot.databases[i];
}

const DatasetRow *TimeoutIndex::datasetOf(const ChartRow &chart) const
{
    // Only SQL datasets ("table") live in `tables`; other datasource types have no row there.
    if (!chart.datasourceId || chart.datasourceType != u"table")
        return nullptr;
    return dataset(*chart.datasourceId);
}

QStringList TimeoutIndex::dashboardTitles(const ChartRow &chart) const
{
    QStringList titles;
    for (qint64 id : chart.dashboardIds) {
        const int i = m_dashboards.value(id, -1);
        if (i >= 0)
            titles << m_snapshot.dashboards[i].title;
    }
    return titles;
}

QList<int> TimeoutIndex::chartsOfDataset(qint64 datasetId) const
{
    return m_chartsByDataset.value(datasetId);
}

TimeoutChain TimeoutIndex::chainFor(const ChartRow &chart) const
{
    TimeoutChain chain;
    chain.chart = chart.cacheTimeout;
    chain.formData = chart.formDataCacheTimeout;
    if (const DatasetRow *ds = datasetOf(chart)) {
        chain.dataset = ds->cacheTimeout;
        const DatabaseRow *db = database(ds->databaseId);
        chain.hasDatabase = db != nullptr;
        if (db)
            chain.database = db->cacheTimeout;
    } else {
        chain.hasDatabase = false;
    }
    return chain;
}

TimeoutResolution TimeoutIndex::resolveChart(int index, const TimeoutRequest &request) const
{
    return resolveTimeout(*m_rules, m_config, chainFor(m_snapshot.charts[index]), request);
}

TimeoutResolution TimeoutIndex::resolveDataset(int index) const
{
    const DatasetRow &ds = m_snapshot.datasets[index];
    const DatabaseRow *db = database(ds.databaseId);
    TimeoutChain chain;
    chain.dataset = ds.cacheTimeout;
    chain.hasDatabase = db != nullptr;
    if (db)
        chain.database = db->cacheTimeout;
    return resolveTimeout(*m_rules, m_config, chain);
}

TimeoutResolution TimeoutIndex::resolveDatabase(int index) const
{
    return resolveForDatabase(*m_rules, m_config, m_snapshot.databases[index].cacheTimeout);
}

} // namespace cachescope
