#pragma once

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTreeView;

namespace cachescope {

class CacheOverviewModel;

// The Overview page: every cache purpose with its backend, location, prefix, default timeout,
// entries and live hit counts. Shows the model it is given; never touches a cache itself.
class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewPage(CacheOverviewModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QString summaryText() const;

public Q_SLOTS:
    // The window's Refresh (F5): counters now, entry counts again.
    void refresh();

private:
    void updateSummary();
    void fitColumns();

    CacheOverviewModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLabel *m_summary;
};

} // namespace cachescope
