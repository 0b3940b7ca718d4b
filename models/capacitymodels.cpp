#include "capacitymodels.h"

#include <cmath>

namespace cachescope {

namespace {

QString ratio(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

} // namespace

CapacityCacheModel::CapacityCacheModel(QObject *parent) : QAbstractTableModel(parent) {}

void CapacityCacheModel::setCaches(const QList<CapacityCacheState> &caches)
{
    bool same = caches.size() == m_caches.size();
    for (qsizetype i = 0; same && i < caches.size(); ++i)
        same = caches[i].info.name == m_caches[i].info.name;
    if (!same) {
        beginResetModel();
        m_caches = caches;
        endResetModel();
        return;
    }
    m_caches = caches;
    if (!m_caches.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_caches.size()) - 1, NUM_COLUMNS - 1));
}

int CapacityCacheModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_caches.size());
}

int CapacityCacheModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant CapacityCacheModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_caches.size() || index.column() >= NUM_COLUMNS)
        return {};
    const CapacityCacheState &s = m_caches[index.row()];
    const TraceProfile &p = s.analysis.profile;
    const bool hasCurve = s.failure.isEmpty() && !s.curve.points.isEmpty();
    const double predicted = hasCurve && s.current.known && s.current.size > 0 && s.current.unit == s.curve.unit
                               ? s.curve.hitRatioAt(s.current.size)
                               : std::nan("");
    if (role == Qt::ToolTipRole) {
        if (!s.failure.isEmpty())
            return s.failure;
        if (index.column() == Recommended)
            return s.recommendation.text;
        if (index.column() == Cache)
            return QStringLiteral("%1: %2").arg(s.info.name, s.current.known ? s.current.description
                                                                        : QStringLiteral("configuration not in the trace"));
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Requests ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool sort = role == SortRole;
    switch (index.column()) {
    case Cache:
        return s.info.name;
    case Backend:
        return s.info.backend.isEmpty() ? QStringLiteral("unknown") : s.info.backend;
    case Configuration:
        return s.current.known ? s.current.description : QStringLiteral("not in the trace");
    case Requests:
        return sort ? QVariant(double(p.records)) : QVariant(QString::number(p.records));
    case GetsPerSecond:
        return sort ? QVariant(s.analysis.readsPerSecond) : QVariant(QString::number(s.analysis.readsPerSecond, 'f', 1));
    case Observed:
        return sort ? QVariant(p.observedHitRatio()) : QVariant(ratio(p.observedHitRatio()));
    case Predicted:
        return sort ? QVariant(predicted) : QVariant(ratio(predicted));
    case Recommended:
        if (!hasCurve)
            return sort ? QVariant(0.0) : QVariant(QStringLiteral("–"));
        return sort ? QVariant(double(s.recommendation.size)) : QVariant(formatSize(double(s.recommendation.size), s.curve.unit));
    case RecommendedHitRatio:
        return sort ? QVariant(s.recommendation.hitRatio) : QVariant(hasCurve ? ratio(s.recommendation.hitRatio) : QStringLiteral("–"));
    }
    return {};
}

QVariant CapacityCacheModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Cache:
        return tr("Cache");
    case Backend:
        return tr("Backend");
    case Configuration:
        return tr("Now");
    case Requests:
        return tr("Requests");
    case GetsPerSecond:
        return tr("Gets/s");
    case Observed:
        return tr("Hit ratio seen");
    case Predicted:
        return tr("Predicted now");
    case Recommended:
        return tr("Recommended");
    case RecommendedHitRatio:
        return tr("Hit ratio there");
    }
    return {};
}

CapacityCurveModel::CapacityCurveModel(QObject *parent) : QAbstractTableModel(parent) {}

void CapacityCurveModel::setCurve(const CurveResult &curve, const std::optional<CurveResult> &lru)
{
    beginResetModel();
    m_curve = curve;
    m_lru = lru;
    m_whatIf.reset();
    endResetModel();
}

void CapacityCurveModel::setWhatIfCurve(const std::optional<CurveResult> &curve)
{
    m_whatIf = curve;
    if (!m_curve.points.isEmpty())
        Q_EMIT dataChanged(index(0, WhatIfHitRatio), index(int(m_curve.points.size()) - 1, WhatIfHitRatio));
}

void CapacityCurveModel::clear()
{
    beginResetModel();
    m_curve = {};
    m_lru.reset();
    m_whatIf.reset();
    endResetModel();
}

int CapacityCurveModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_curve.points.size());
}

int CapacityCurveModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant CapacityCurveModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_curve.points.size() || index.column() >= NUM_COLUMNS)
        return {};
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const CurvePoint &p = m_curve.points[index.row()];
    const bool sort = role == SortRole;
    double v = std::nan("");
    switch (index.column()) {
    case Size:
        return sort ? QVariant(double(p.size)) : QVariant(formatSize(double(p.size), m_curve.unit));
    case HitRatio:
        v = p.hitRatio;
        break;
    case Band:
        v = p.band;
        break;
    case LruHitRatio:
        if (m_lru)
            v = m_lru->hitRatioAt(p.size);
        break;
    case WhatIfHitRatio:
        if (m_whatIf)
            v = m_whatIf->hitRatioAt(p.size);
        break;
    }
    return sort ? QVariant(v) : QVariant(ratio(v));
}

QVariant CapacityCurveModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Size:
        return tr("Size");
    case HitRatio:
        return tr("Hit ratio");
    case Band:
        return tr("± (95 %)");
    case LruHitRatio:
        return tr("Ideal LRU");
    case WhatIfHitRatio:
        return tr("What-if");
    }
    return {};
}

} // namespace cachescope
