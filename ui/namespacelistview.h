#pragma once

#include <QPersistentModelIndex>
#include <QWidget>

class QLabel;
class QTableView;
class QToolButton;

namespace cachescope {

class KeyTreeModel;

// One namespace of the key tree as a flat list: the Keys page shows a namespace this way when it
// holds too many rows to expand in the tree. QTreeView lays out every expanded row again whenever
// rows are inserted under an expanded parent (21 ms at 300,000 rows, on every batch of a load);
// a QTableView rooted at the namespace keeps only a header of uniform sections, so appending rows
// costs next to nothing. Same model, same indexes: selection, metadata and actions work as in the
// tree. A bar above the table names the namespace and leads back to the tree; double-clicking a
// namespace row lists that namespace.
class NamespaceListView : public QWidget
{
    Q_OBJECT
public:
    explicit NamespaceListView(KeyTreeModel *model, QWidget *parent = nullptr);

    void showNamespace(const QModelIndex &ns);
    QModelIndex shownNamespace() const { return m_root; }
    QTableView *table() const { return m_table; }
    QToolButton *backButton() const { return m_back; }
    QString title() const;
    // The rows on screen (at most `limit`), for the page's metadata requests.
    QModelIndexList visibleRows(int limit) const;

Q_SIGNALS:
    void backRequested(const QModelIndex &ns);

private:
    void updateTitle();

    KeyTreeModel *m_model;
    QPersistentModelIndex m_root;
    QToolButton *m_back;
    QLabel *m_title;
    QTableView *m_table;
};

} // namespace cachescope
