#include "timeoutfilterproxy.h"

#include "timeoutmodel.h"

namespace cachescope {

TimeoutFilterProxy::TimeoutFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
    setSortRole(TimeoutModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(false);
}

void TimeoutFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_model = qobject_cast<TimeoutModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void TimeoutFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_search)
        return;
    m_search = trimmed;
    invalidateFilter();
}

void TimeoutFilterProxy::setFilter(Filter filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateFilter();
}

bool TimeoutFilterProxy::passesFilter(const QModelIndex &index) const
{
    switch (m_filter) {
    case Filter::All: return true;
    case Filter::Pitfalls: return m_model->pitfallsAt(index) != 0;
    case Filter::Bypass: return m_model->bypassAt(index);
    case Filter::OwnSet: return m_model->ownAt(index).has_value();
    case Filter::NeverExpires: return m_model->effectiveAt(index) == 0;
    }
    return true;
}

bool TimeoutFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_model)
        return true;
    const QModelIndex index = m_model->index(sourceRow, 0, sourceParent);
    if (m_model->kindAt(index) == TimeoutModel::RowKind::Group)
        return m_filter == Filter::All && m_search.isEmpty(); // else shown for the rows it holds
    if (!passesFilter(index))
        return false;
    if (m_search.isEmpty())
        return true;
    // The row or an ancestor (a dataset found by name shows its charts). Depth is at most three.
    for (QModelIndex i = index; i.isValid(); i = m_model->parent(i))
        if (m_model->matches(i, m_search))
            return true;
    return false;
}

bool TimeoutFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_model && m_model->kindAt(left) == TimeoutModel::RowKind::Group) {
        // Cache defaults first, then the metadata database, in either sort order.
        const bool less = left.data(TimeoutModel::IdRole).toInt() < right.data(TimeoutModel::IdRole).toInt();
        return sortOrder() == Qt::AscendingOrder ? less : !less;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace cachescope
