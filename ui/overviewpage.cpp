#include "overviewpage.h"

#include "cacheoverviewmodel.h"
#include "formatting.h"
#include "hitratedelegate.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace cachescope {

OverviewPage::OverviewPage(CacheOverviewModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView(this))
    , m_summary(new QLabel(this))
{
    auto *title = new QLabel(tr("Caches"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    title->setFont(titleFont);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(CacheOverviewModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setItemDelegate(new HitRateDelegate(CacheOverviewModel::HitRate, CacheOverviewModel::SortRole, m_view));
    // Directories are long and their end says most (the cache's own folder).
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->sortByColumn(CacheOverviewModel::Purpose, Qt::AscendingOrder);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(CacheOverviewModel::Location, QHeaderView::Stretch);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addWidget(title);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);

    // For screen readers (the hit-rate bars are drawn: the cell's text says the same).
    setAccessibleName(tr("Overview"));
    setAccessibleDescription(tr("Are the caches hitting: every cache with its backend, entries, live hits and misses, "
                                "and hit rate"));
    m_view->setAccessibleName(tr("Caches"));

    connect(m_model, &CacheOverviewModel::countersChanged, this, &OverviewPage::updateSummary);
    connect(m_model, &CacheOverviewModel::serverStaleChanged, this, &OverviewPage::updateSummary);
    // Columns fit their contents once rows exist; live updates then leave the widths alone
    // (resizing on every tick would make the table jitter).
    connect(m_model, &QAbstractItemModel::modelReset, this, &OverviewPage::fitColumns);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &OverviewPage::fitColumns);
    fitColumns();
    updateSummary();
}

void OverviewPage::fitColumns()
{
    // The server columns (INFO memory and hit rate) only say something for Redis caches: without
    // one they would take the room the location needs.
    bool anyRedis = false;
    for (int r = 0; r < m_model->rowCount(); ++r)
        anyRedis = anyRedis || m_model->index(r, CacheOverviewModel::Backend).data().toString().contains(QStringLiteral("Redis"));
    m_view->setColumnHidden(CacheOverviewModel::Memory, !anyRedis);
    m_view->setColumnHidden(CacheOverviewModel::ServerHitRate, !anyRedis);
    for (int c = 0; c < CacheOverviewModel::NUM_COLUMNS; ++c) {
        if (c == CacheOverviewModel::Location)
            continue;
        m_view->resizeColumnToContents(c);
        // Counters grow while the table is shown: leave room for a few more digits.
        int room = m_view->fontMetrics().horizontalAdvance(QStringLiteral("0,000,000")) + 12;
        if (c == CacheOverviewModel::HitRate)
            room += HitRateDelegate::kBarWidth + 8;
        if (c == CacheOverviewModel::Memory || c == CacheOverviewModel::ServerHitRate)
            room = m_view->fontMetrics().horizontalAdvance(QStringLiteral("000.0 MiB")) + 12;
        if (c >= CacheOverviewModel::Entries)
            m_view->setColumnWidth(c, std::max(m_view->columnWidth(c), room));
    }
    updateSummary();
}

void OverviewPage::refresh()
{
    m_model->refresh();
    m_model->refreshEntryCounts();
}

QString OverviewPage::summaryText() const
{
    return m_summary->text();
}

void OverviewPage::updateSummary()
{
    const CacheCountersSnapshot t = m_model->totals();
    const quint64 reads = t.hits + t.misses;
    const int caches = m_model->rowCount();
    QString text = (caches == 1 ? tr("1 cache") : tr("%1 caches").arg(caches)) + QStringLiteral(" · ")
                 + tr("%1 reads, %2 writes").arg(formatCount(reads), formatCount(t.sets));
    if (reads)
        text += QStringLiteral(" · ") + tr("overall hit rate %1").arg(formatPercent(t.hitRate()));
    if (t.errors)
        text += QStringLiteral(" · ") + tr("%1 errors").arg(formatCount(t.errors));
    const QStringList away = m_model->unreachableLocations();
    if (!away.isEmpty())
        text += QStringLiteral(" · ") + tr("no answer from %1: server figures in grey are from before").arg(away.join(QStringLiteral(", ")));
    m_summary->setText(text);
}

} // namespace cachescope
