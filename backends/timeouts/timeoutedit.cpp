#include "timeoutedit.h"

#include <algorithm>
#include <limits>

namespace cachescope {

namespace {

template<typename Row>
int rowOf(const QList<Row> &rows, qint64 id)
{
    // Rows are in ascending id order (MetadataDatabase::snapshot), so a binary search finds it.
    const auto it = std::lower_bound(rows.cbegin(), rows.cend(), id, [](const Row &r, qint64 v) { return r.id < v; });
    return it != rows.cend() && it->id == id ? int(it - rows.cbegin()) : -1;
}

} // namespace

QString datasetTitle(const DatasetRow &ds)
{
    return ds.schema.isEmpty() ? ds.tableName : ds.schema + u'.' + ds.tableName;
}

Expected<TimeoutEditPreview> previewTimeoutEdit(const TimeoutIndex &index, MetadataKind kind, qint64 id,
                                                std::optional<qint64> seconds)
{
    if (seconds && (*seconds < -1 || *seconds > std::numeric_limits<qint32>::max()))
        return makeError(QStringLiteral("%1 s is not a timeout Superset accepts (-1, 0 or a positive number of seconds that "
                                        "fits its INTEGER column)")
                             .arg(*seconds));
    const MetadataSnapshot &s = index.snapshot();
    const FamilyRules &rules = index.rules();
    const TimeoutConfig &config = index.config();
    TimeoutEditPreview p;
    p.kind = kind;
    p.id = id;
    p.ownAfter = seconds;

    auto addChart = [&](int c, const TimeoutChain &before, const TimeoutChain &after) {
        const TimeoutResolution a = resolveTimeout(rules, config, before);
        const TimeoutResolution b = resolveTimeout(rules, config, after);
        TimeoutEditEffect e{s.charts[c].id, s.charts[c].name, a.effective, a.source, a.bypass, b.effective, b.source, b.bypass};
        p.changedCharts += e.changed() ? 1 : 0;
        p.charts << e;
    };
    const int row = kind == MetadataKind::Chart ? rowOf(s.charts, id)
                    : kind == MetadataKind::Dataset ? rowOf(s.datasets, id)
                                                    : rowOf(s.databases, id);
    if (row < 0)
        return makeError(QStringLiteral("no %1 with id %2 in the metadata database").arg(metadataKindName(kind)).arg(id));

    switch (kind) {
    case MetadataKind::Chart: {
        const ChartRow &chart = s.charts[row];
        p.name = chart.name;
        p.ownBefore = chart.cacheTimeout;
        const TimeoutChain before = index.chainFor(chart);
        TimeoutChain after = before;
        after.chart = seconds;
        p.before = resolveTimeout(rules, config, before);
        p.after = resolveTimeout(rules, config, after);
        addChart(row, before, after);
        break;
    }
    case MetadataKind::Dataset: {
        const DatasetRow &ds = s.datasets[row];
        p.name = datasetTitle(ds);
        p.ownBefore = ds.cacheTimeout;
        const DatabaseRow *db = index.database(ds.databaseId);
        TimeoutChain own;
        own.dataset = ds.cacheTimeout;
        own.hasDatabase = db != nullptr;
        own.database = db ? db->cacheTimeout : std::nullopt;
        p.before = resolveTimeout(rules, config, own);
        own.dataset = seconds;
        p.after = resolveTimeout(rules, config, own);
        for (int c : index.chartsOfDataset(id)) {
            const TimeoutChain before = index.chainFor(s.charts[c]);
            TimeoutChain after = before;
            after.dataset = seconds;
            addChart(c, before, after);
        }
        break;
    }
    case MetadataKind::Database: {
        const DatabaseRow &db = s.databases[row];
        p.name = db.name;
        p.ownBefore = db.cacheTimeout;
        p.before = resolveForDatabase(rules, config, db.cacheTimeout);
        p.after = resolveForDatabase(rules, config, seconds);
        QList<int> charts;
        for (const DatasetRow &ds : s.datasets)
            if (ds.databaseId == id)
                charts << index.chartsOfDataset(ds.id);
        std::sort(charts.begin(), charts.end());
        for (int c : charts) {
            const TimeoutChain before = index.chainFor(s.charts[c]);
            TimeoutChain after = before;
            after.database = seconds;
            addChart(c, before, after);
        }
        break;
    }
    }
    return p;
}

} // namespace cachescope
