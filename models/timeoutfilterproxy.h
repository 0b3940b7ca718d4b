#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace cachescope {

class TimeoutModel;

// Search, filter and sort over a TimeoutModel. A row is shown when it passes the filter and
// matches the search text, or when one of its ancestors matches the search (a matching dataset
// shows its charts); ancestors of shown rows are kept (recursive filtering). The checks call the
// model's fast accessors, never data(), so a search over 100,000 charts costs one string
// comparison per row. Groups keep their order whatever column is sorted. The page debounces
// typing (300 ms) before setSearchText.
class TimeoutFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class Filter {
        All,
        Pitfalls,     // rows with at least one pitfall of the chosen family
        Bypass,       // effective -1 that bypasses the cache
        OwnSet,       // rows with their own cache_timeout (not NULL)
        NeverExpires, // effective 0
    };

    explicit TimeoutFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    TimeoutModel *timeoutModel() const { return m_model; }

    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }
    void setFilter(Filter filter);
    Filter filter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool passesFilter(const QModelIndex &index) const;

    TimeoutModel *m_model = nullptr;
    QString m_search;
    Filter m_filter = Filter::All;
};

} // namespace cachescope
