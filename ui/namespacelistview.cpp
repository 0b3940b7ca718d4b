#include "namespacelistview.h"

#include "formatting.h"
#include "keytreemodel.h"

#include "codec/utf8.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace cachescope {

NamespaceListView::NamespaceListView(KeyTreeModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_back(new QToolButton(this)), m_title(new QLabel(this)), m_table(new QTableView(this))
{
    m_back->setText(tr("◀ Tree"));
    m_back->setToolTip(tr("Back to the namespace tree"));
    m_back->setAccessibleName(tr("Back to the namespace tree"));
    setAccessibleName(tr("Namespace keys"));
    setAccessibleDescription(tr("The keys of one large namespace as a flat list"));
    m_table->setAccessibleName(tr("Keys of the namespace"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_back, &QToolButton::clicked, this, [this] { Q_EMIT backRequested(m_root); });

    m_table->setModel(model);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle); // hashed keys differ at both ends
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Uniform, fixed rows: the vertical header never measures a row.
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionsClickable(true);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    connect(m_table, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (m_model->isNamespace(index))
            showNamespace(index.siblingAtColumn(0));
    });
    // The key count in the title follows the load (the model announces it about ten times a second).
    connect(model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
        if (m_root.isValid() && topLeft.parent() == m_root.parent() && topLeft.row() <= m_root.row()
            && bottomRight.row() >= m_root.row())
            updateTitle();
    });

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_back);
    bar->addWidget(m_title, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
}

void NamespaceListView::showNamespace(const QModelIndex &ns)
{
    m_root = ns.siblingAtColumn(0);
    m_table->setRootIndex(m_root);
    m_table->scrollToTop();
    updateTitle();
}

QString NamespaceListView::title() const
{
    return m_title->text();
}

void NamespaceListView::updateTitle()
{
    if (!m_root.isValid()) {
        m_title->clear();
        return;
    }
    m_title->setText(tr("<b>%1*</b> — %2 keys loaded, listed flat (too many to expand in the tree)")
                         .arg(utf8::toString(m_model->keyAt(m_root)).toHtmlEscaped(),
                              formatCount(m_root.data(KeyTreeModel::KeyCountRole).toULongLong())));
}

QModelIndexList NamespaceListView::visibleRows(int limit) const
{
    QModelIndexList rows;
    if (!m_root.isValid())
        return rows;
    const int count = m_model->rowCount(m_root);
    int first = m_table->rowAt(0);
    int last = m_table->rowAt(m_table->viewport()->height() - 1);
    if (first < 0)
        return rows;
    if (last < 0)
        last = count - 1;
    for (int r = first; r <= last && rows.size() < limit; ++r)
        rows << m_model->index(r, 0, m_root);
    return rows;
}

} // namespace cachescope
