#pragma once

#include "codec/decoderchain.h"
#include "codec/recognisers.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace cachescope {

// The decoded value of a cache entry as a tree: Key | Type | Value. Containers expand lazily
// (children are built when first asked for) and show at most kMaxChildren items plus a
// "… N more" row, so a 10-million-item list costs nothing until it is opened. Recognised values
// (datetimes, Decimal, numpy arrays, DataFrames, Arrow tables, images) show as one row; the
// payload view opens tables in the table view.
class PayloadTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { KeyColumn, TypeColumn, ValueColumn, ColumnCount };
    enum Roles { JsonRole = Qt::UserRole + 1, IsTableRole };
    static constexpr int kMaxChildren = 10000;

    explicit PayloadTreeModel(QObject *parent = nullptr);
    ~PayloadTreeModel() override;

    void setResult(const DecodeResult &result);
    void clear();

    // The value behind a row (None for table/image/"more" rows), and whether the row is the
    // result's Arrow table.
    PyValue valueAt(const QModelIndex &index) const;
    bool isArrowTable(const QModelIndex &index) const;
    std::shared_ptr<const ArrowTable> arrowTable() const { return m_table; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;

    struct Node;

private:
    Node *nodeFor(const QModelIndex &index) const;
    void buildChildren(Node *node) const;

    std::unique_ptr<Node> m_root;
    std::shared_ptr<const ArrowTable> m_table;
    QByteArray m_tableKey;
    std::optional<ImageInfo> m_image;
    QByteArray m_imageKey;
};

} // namespace cachescope
