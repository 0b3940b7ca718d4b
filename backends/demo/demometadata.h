#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace cachescope {

// The embedded demo's Superset metadata database: a SQLite file with the tables Superset 4.1
// creates for what CacheScope reads (dbs, tables, slices, dashboards, dashboard_slices,
// cache_keys, key_value, alembic_version at 4.1's head), written by this code at start (no
// binary fixture). A few databases, datasets and charts carry a mix of cache timeouts that shows
// every link of the chain and its pitfalls: NULLs, a 0 at a chart and at a database (falsy: the
// chain skips to the defaults), -1 at a chart (bypass, and "stored already expired" on a
// SimpleCache), a chart timeout that only 2.0.1+ reads, a virtual dataset and a chart whose
// datasource is no SQL dataset.
//
// The datasets are the tables the demo workload's chart queries name (DemoWorkload::chartTable),
// and cache_keys records the workload's chart-data keys with their dataset, so the Timeouts
// page's audit and the Keys page's labels tie the demo's cached entries to charts.
struct DemoMetadata
{
    int workloadCharts = 300;                               // DemoSettings::charts
    int variants = 3;                                       // cached variants per workload chart
    std::function<QString(int chart)> chartTable;           // the table a workload chart queries
    std::function<QByteArray(int chart, int variant)> chartDataKey; // its chart-data cache key
    qint64 recordedTimeout = 120;                           // cache_keys.cache_timeout (the workload's)

    // Creates path (which must not exist yet) in one transaction; an error names the file and
    // the statement that failed, and leaves no partial file behind.
    Expected<bool> write(const QString &path) const;
};

} // namespace cachescope
