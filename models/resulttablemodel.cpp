#include "resulttablemodel.h"

#include "codec/arrowcell.h"

#include <QIODevice>

#include <algorithm>
#include <cmath>

namespace cachescope {

namespace {

// Sort key: (class, number, text). Nulls sort first, then numbers, then text.
struct Key
{
    int cls = 0;
    double number = 0;
    QString text;
};

Key keyOf(const Cell &c)
{
    Key k;
    if (c.tag == Cell::Tag::TimeDelta) {
        k.cls = 1;
        k.number = c.seconds;
        return k;
    }
    if (c.tag == Cell::Tag::Decimal) {
        k.cls = 1;
        k.number = c.text.toDouble();
        return k;
    }
    if (c.tag != Cell::Tag::Value) {
        k.cls = 2;
        k.text = c.text; // ISO 8601 sorts chronologically as text (same offset)
        return k;
    }
    switch (c.value.kind()) {
    case PyValue::Kind::None: k.cls = 0; return k;
    case PyValue::Kind::Bool: k.cls = 1; k.number = c.value.toBool(); return k;
    case PyValue::Kind::Int: k.cls = 1; k.number = double(c.value.toInt()); return k;
    case PyValue::Kind::BigInt: k.cls = 1; k.number = c.value.bigIntDecimal().toDouble(); return k;
    case PyValue::Kind::Float:
        if (std::isnan(c.value.toFloat()))
            return k; // NaN with the nulls
        k.cls = 1;
        k.number = c.value.toFloat();
        return k;
    default: k.cls = 2; k.text = c.display(); return k;
    }
}

bool less(const Key &a, const Key &b)
{
    if (a.cls != b.cls)
        return a.cls < b.cls;
    if (a.cls == 1)
        return a.number < b.number;
    return a.text < b.text;
}

QString csvField(const QString &s)
{
    if (!s.contains(u',') && !s.contains(u'"') && !s.contains(u'\n') && !s.contains(u'\r'))
        return s;
    QString q = s;
    q.replace(u'"', QStringLiteral("\"\""));
    return u'"' + q + u'"';
}

} // namespace

ResultTableModel::ResultTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void ResultTableModel::clear()
{
    beginResetModel();
    m_table.reset();
    m_frame.reset();
    m_total = m_loaded = 0;
    m_order.clear();
    endResetModel();
}

void ResultTableModel::setArrowTable(std::shared_ptr<const ArrowTable> table)
{
    beginResetModel();
    m_frame.reset();
    m_table = std::move(table);
    m_total = m_table ? m_table->rowCount() : 0;
    m_loaded = std::min<qint64>(m_total, kChunk);
    m_order.clear();
    endResetModel();
}

void ResultTableModel::setDataFrame(std::shared_ptr<const DataFrameView> frame)
{
    beginResetModel();
    m_table.reset();
    m_frame = std::move(frame);
    m_total = m_frame ? m_frame->rows : 0;
    m_loaded = std::min<qint64>(m_total, kChunk);
    m_order.clear();
    endResetModel();
}

Cell ResultTableModel::rawCell(qint64 row, int column) const
{
    if (m_frame)
        return m_frame->cell(row, column);
    if (m_table) {
        int batch;
        qint64 inBatch;
        if (column < 0 || column >= m_table->columnCount() || !m_table->locate(row, &batch, &inBatch))
            return Cell::of(PyValue::none());
        return ArrowCell::at(m_table->batches[size_t(batch)].columns[size_t(column)], inBatch, &m_table->schema[size_t(column)]);
    }
    return Cell::of(PyValue::none());
}

Cell ResultTableModel::cell(qint64 row, int column) const
{
    if (row < 0 || row >= m_total)
        return Cell::of(PyValue::none());
    return rawCell(sourceRow(row), column);
}

QString ResultTableModel::columnName(int column) const
{
    if (m_frame && column >= 0 && column < int(m_frame->columns.size()))
        return m_frame->columns[size_t(column)].label.display();
    if (m_table && column >= 0 && column < m_table->columnCount())
        return m_table->schema[size_t(column)].name;
    return {};
}

QString ResultTableModel::columnType(int column) const
{
    if (m_frame && column >= 0 && column < int(m_frame->columns.size()))
        return m_frame->columns[size_t(column)].dtype;
    if (m_table && column >= 0 && column < m_table->columnCount())
        return m_table->schema[size_t(column)].typeString();
    return {};
}

int ResultTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_loaded, std::numeric_limits<int>::max()));
}

int ResultTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    if (m_frame)
        return int(m_frame->columns.size());
    if (m_table)
        return m_table->columnCount();
    return 0;
}

QVariant ResultTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_loaded)
        return {};
    const Cell c = cell(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole: {
        if (c.tag == Cell::Tag::Value && c.value.isNone())
            return QStringLiteral("NULL");
        return c.display();
    }
    case Qt::ToolTipRole:
        return c.display().left(2000);
    case Qt::TextAlignmentRole: {
        const bool numeric = c.tag == Cell::Tag::Value && (c.value.isInt() || c.value.kind() == PyValue::Kind::Float);
        return QVariant::fromValue(numeric ? (Qt::AlignRight | Qt::AlignVCenter) : (Qt::AlignLeft | Qt::AlignVCenter));
    }
    case SortKeyRole: {
        const Key k = keyOf(c);
        return k.cls == 1 ? QVariant(k.number) : QVariant(k.text);
    }
    default:
        return {};
    }
}

QVariant ResultTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (orientation == Qt::Horizontal)
        return QString(columnName(section) + u'\n' + columnType(section));
    if (m_frame && section >= 0 && section < m_loaded)
        return m_frame->index.at(sourceRow(section)).display();
    return QString::number(sourceRow(section));
}

bool ResultTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_loaded < m_total && m_loaded < std::numeric_limits<int>::max();
}

void ResultTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const qint64 more = std::min<qint64>(kChunk, std::min<qint64>(m_total, std::numeric_limits<int>::max()) - m_loaded);
    beginInsertRows({}, int(m_loaded), int(m_loaded + more - 1));
    m_loaded += more;
    endInsertRows();
}

void ResultTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= columnCount())
        return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<qint64> previousSource;
    for (const QModelIndex &i : before)
        previousSource.push_back(sourceRow(i.row()));
    std::vector<Key> keys(static_cast<size_t>(m_total));
    for (qint64 r = 0; r < m_total; ++r)
        keys[size_t(r)] = keyOf(rawCell(r, column));
    m_order.resize(size_t(m_total));
    for (qint64 r = 0; r < m_total; ++r)
        m_order[size_t(r)] = r;
    std::stable_sort(m_order.begin(), m_order.end(), [&](qint64 a, qint64 b) {
        return order == Qt::AscendingOrder ? less(keys[size_t(a)], keys[size_t(b)]) : less(keys[size_t(b)], keys[size_t(a)]);
    });
    // Keep persistent indexes on the same source rows (when those rows are still loaded).
    std::vector<qint64> position(static_cast<size_t>(m_total));
    for (qint64 r = 0; r < m_total; ++r)
        position[size_t(m_order[size_t(r)])] = r;
    QModelIndexList after;
    for (qsizetype i = 0; i < before.size(); ++i) {
        const qint64 p = position[size_t(previousSource[size_t(i)])];
        after << (p < m_loaded ? index(int(p), before[i].column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool ResultTableModel::writeCsv(QIODevice *device) const
{
    if (!device)
        return false;
    const int cols = columnCount();
    QStringList header;
    for (int c = 0; c < cols; ++c)
        header << csvField(columnName(c));
    if (device->write((header.join(u',') + QStringLiteral("\r\n")).toUtf8()) < 0)
        return false;
    for (qint64 r = 0; r < m_total; ++r) {
        QStringList fields;
        for (int c = 0; c < cols; ++c) {
            const Cell cl = cell(r, c);
            fields << (cl.tag == Cell::Tag::Value && cl.value.isNone() ? QString() : csvField(cl.display()));
        }
        if (device->write((fields.join(u',') + QStringLiteral("\r\n")).toUtf8()) < 0)
            return false;
    }
    return true;
}

} // namespace cachescope
