#pragma once

#include "capacityplanner.h"

#include <QAbstractTableModel>

namespace cachescope {

// One row per cache of the trace the Capacity page shows: its configuration, traffic, the hit
// ratio observed (when the trace counted it) and predicted at the current configuration, and
// the recommended size. Updates keep the rows (dataChanged) while the caches stay the same.
class CapacityCacheModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { Cache, Backend, Configuration, Requests, GetsPerSecond, Observed, Predicted, Recommended, RecommendedHitRatio, NUM_COLUMNS };
    enum Roles {
        SortRole = Qt::UserRole, // numbers for numeric columns, text otherwise
    };
    Q_ENUM(Columns)

    explicit CapacityCacheModel(QObject *parent = nullptr);
    void setCaches(const QList<CapacityCacheState> &caches);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<CapacityCacheState> m_caches;
};

// The selected cache's curve, one row per size: the hit ratio of its own policy, the sampling
// band, ideal LRU beside it, and the what-if curve when the knobs change the requests.
class CapacityCurveModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { Size, HitRatio, Band, LruHitRatio, WhatIfHitRatio, NUM_COLUMNS };
    enum Roles { SortRole = Qt::UserRole };
    Q_ENUM(Columns)

    explicit CapacityCurveModel(QObject *parent = nullptr);
    void setCurve(const CurveResult &curve, const std::optional<CurveResult> &lru);
    void setWhatIfCurve(const std::optional<CurveResult> &curve);
    void clear();
    SizeUnit unit() const { return m_curve.unit; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    CurveResult m_curve;
    std::optional<CurveResult> m_lru, m_whatIf;
};

} // namespace cachescope
