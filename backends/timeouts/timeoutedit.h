#pragma once

#include "common/expected.h"
#include "timeouttable.h"

#include <QList>
#include <QString>

#include <optional>

namespace cachescope {

// What one cache_timeout edit does before it is made: the object's own value before and after,
// and, for every chart it reaches (a dataset reaches its charts, a database the charts of all its
// datasets), the effective chart-data timeout before and after under the index's family. The
// Timeouts page shows it before the transaction runs; `timeouts set` prints the same figures.
struct TimeoutEditEffect
{
    qint64 chartId = 0;
    QString chartName;
    qint64 beforeEffective = 0;
    TimeoutLink beforeSource = TimeoutLink::CacheDefaultTimeout;
    bool beforeBypass = false;
    qint64 afterEffective = 0;
    TimeoutLink afterSource = TimeoutLink::CacheDefaultTimeout;
    bool afterBypass = false;

    bool changed() const
    {
        return beforeEffective != afterEffective || beforeBypass != afterBypass || beforeSource != afterSource;
    }
};

// A dataset as previews, the Timeouts page and the audit name it: "schema.table", or the table alone.
QString datasetTitle(const DatasetRow &dataset);

struct TimeoutEditPreview
{
    MetadataKind kind = MetadataKind::Chart;
    qint64 id = 0;
    QString name;                       // as the metadata database has it ("schema.table" for a dataset)
    std::optional<qint64> ownBefore;
    std::optional<qint64> ownAfter;
    TimeoutResolution before;           // the object's own row (a dataset/database: a chart without own timeout)
    TimeoutResolution after;
    QList<TimeoutEditEffect> charts;    // every chart the edit reaches, in snapshot order
    int changedCharts = 0;              // charts whose effective timeout, source or bypass changes
};

// The object by kind and id in the index's snapshot; an error names an unknown id or a value
// Superset's INTEGER column cannot hold (-1, 0 and positive seconds up to 2^31-1 are accepted).
// Charts are re-resolved only where the edit reaches them, so a chart edit costs one resolution.
Expected<TimeoutEditPreview> previewTimeoutEdit(const TimeoutIndex &index, MetadataKind kind, qint64 id,
                                                std::optional<qint64> seconds);

} // namespace cachescope
