#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>

namespace cachescope {

class CapacityPlanner;

// The files one click on Report writes.
struct CapacityReportFiles
{
    QString pdf;
    QString csv;
    QStringList pngs; // one chart per cache
};

// The report in memory: built on the GUI thread (charts are painted with QPainter), written
// elsewhere. The PDF has a summary page (every cache: now, predicted, recommended) and a page
// per cache with its chart (current configuration and recommendation marked), the figures at
// the current configuration, the recommendation, the growth trend and the assumptions.
struct CapacityReportDocument
{
    QByteArray pdf;
    QByteArray csv; // cache,policy,unit,size,hit_ratio,band,ideal_lru_hit_ratio
    QList<QPair<QString, QByteArray>> pngs; // file-name suffix ("-DATA_CACHE_CONFIG.png"), bytes
};

CapacityReportDocument buildCapacityReport(const CapacityPlanner &planner);
// Writes every file of the document next to basePath (its .pdf/.csv suffix dropped), each
// atomically. Blocking: call it off the GUI thread.
Expected<CapacityReportFiles> writeCapacityReport(const CapacityReportDocument &document, const QString &basePath);

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::CapacityReportFiles)
