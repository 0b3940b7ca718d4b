#pragma once

#include "timeouts/timeoutaudit.h"

#include <QAbstractTableModel>

#include <memory>

namespace cachescope {

// The configured-vs-actual audit of the chart-data cache as a table: one row per chart-data
// entry (mismatches first), with the TTL it was given, what the chain gives today, its chart,
// dataset and dashboards, and the likely reason of a mismatch. The report is computed elsewhere
// (off the GUI thread) and set whole.
class TimeoutAuditModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { StatusColumn, KeyColumn, ChartColumn, DatasetColumn, GivenColumn, ExpectedColumn, RemainingColumn,
                   ReasonColumn, NUM_COLUMNS };
    enum Roles {
        SortRole = Qt::UserRole,
        StatusRole,   // int(AuditStatus)
        KeyBytesRole, // the stored key (QByteArray)
    };
    Q_ENUM(Columns)

    explicit TimeoutAuditModel(QObject *parent = nullptr);

    // Entries that are not chart data are left out; index names the charts and datasets.
    void setReport(const AuditReport &report, std::shared_ptr<const TimeoutIndex> index);
    void clear();
    const AuditReport &report() const { return m_report; }
    const AuditEntry *entryAt(int row) const;

    // "chart 12 "Sales" · dataset 3 public.sales · dashboards: Ops" for an entry.
    static QString chartLabel(const AuditEntry &entry, const TimeoutIndex &index);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    AuditReport m_report;
    QList<int> m_rows; // entries shown (chart data), mismatches first
    QStringList m_charts, m_datasets;
    std::shared_ptr<const TimeoutIndex> m_index;
};

} // namespace cachescope
