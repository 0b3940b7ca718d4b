#pragma once

#include "metadata/metadatatypes.h"
#include "timeoutresolver.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace cachescope {

struct ConfigReport;

// One cache purpose's default timeout: what cache.set(key, value) without a timeout gets.
struct CacheTimeoutRow
{
    CachePurpose purpose = CachePurpose::Cache;
    BackendType backend = BackendType::Null;
    std::optional<qint64> own; // the purpose's own CACHE_DEFAULT_TIMEOUT (default_timeout= for RESULTS_BACKEND) in the file
    qint64 effective = 0;      // the backend's default_timeout (0 = never expires)
    QString source;            // the purpose's name, "CACHE_DEFAULT_TIMEOUT", or "default" (Superset's / cachelib's)
    SourceRef at;              // where `source` was set in the file
    QString meaning;           // what None, 0 and -1 mean on this backend
};

// Every cache purpose the config resolves, in the loader's order.
QList<CacheTimeoutRow> cacheTimeoutRows(const ConfigReport &report);

// Charts, datasets and databases of a metadata snapshot, resolved under one family's rules on
// demand (a row costs microseconds, so a view of 100,000 charts resolves only what it shows).
class TimeoutIndex
{
public:
    TimeoutIndex(MetadataSnapshot snapshot, TimeoutConfig config, SupersetFamily family);

    const MetadataSnapshot &snapshot() const { return m_snapshot; }
    const TimeoutConfig &config() const { return m_config; }
    const FamilyRules &rules() const { return *m_rules; }

    const DatasetRow *dataset(qint64 id) const;
    const DatabaseRow *database(qint64 id) const;
    const DatasetRow *datasetOf(const ChartRow &chart) const; // nullopt for non-table datasources
    QStringList dashboardTitles(const ChartRow &chart) const;
    // Charts whose datasource is this dataset, as indexes into snapshot().charts.
    QList<int> chartsOfDataset(qint64 datasetId) const;

    TimeoutChain chainFor(const ChartRow &chart) const;
    TimeoutResolution resolveChart(int index, const TimeoutRequest &request = {}) const;
    TimeoutResolution resolveDataset(int index) const;
    TimeoutResolution resolveDatabase(int index) const;

private:
    MetadataSnapshot m_snapshot;
    TimeoutConfig m_config;
    const FamilyRules *m_rules;
    QHash<qint64, int> m_datasets;   // id -> index
    QHash<qint64, int> m_databases;  // id -> index
    QHash<qint64, int> m_dashboards; // id -> index
    QHash<qint64, QList<int>> m_chartsByDataset;
};

} // namespace cachescope
