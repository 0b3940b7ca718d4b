#pragma once

#include "codec/arrowtable.h"
#include "codec/recognisers.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

class QIODevice;

namespace cachescope {

// Rows of an Arrow table (SQL Lab results) or a pandas DataFrame (chart data), loaded lazily:
// the view sees kChunk rows first and more as it scrolls (canFetchMore/fetchMore, as in Qt's
// fetchmore example), so a million-row result opens at once. Headers show the column type;
// sorting orders all rows by the column's values (numbers numerically, nulls first).
class ResultTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr int kChunk = 1000;
    enum Roles { SortKeyRole = Qt::UserRole + 1 };

    explicit ResultTableModel(QObject *parent = nullptr);

    void setArrowTable(std::shared_ptr<const ArrowTable> table);
    void setDataFrame(std::shared_ptr<const DataFrameView> frame);
    void clear();

    qint64 totalRows() const { return m_total; }
    Cell cell(qint64 row, int column) const; // in the current (sorted) order
    QString columnName(int column) const;
    QString columnType(int column) const;
    // All rows (not only the loaded ones), RFC 4180 quoting.
    bool writeCsv(QIODevice *device) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    Cell rawCell(qint64 row, int column) const; // in source order
    qint64 sourceRow(qint64 row) const { return m_order.empty() ? row : m_order[size_t(row)]; }

    std::shared_ptr<const ArrowTable> m_table;
    std::shared_ptr<const DataFrameView> m_frame;
    qint64 m_total = 0;
    qint64 m_loaded = 0;
    std::vector<qint64> m_order; // sorted position -> source row; empty = source order
};

} // namespace cachescope
