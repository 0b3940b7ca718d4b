#include "mainwindow.h"

#include "cacheoverviewmodel.h"
#include "democontrolspanel.h"
#include "formatting.h"
#include "messagebar.h"
#include "overviewpage.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace cachescope {

namespace {
constexpr int kPageRole = Qt::UserRole;
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_pageList(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_rightLayout(new QVBoxLayout)
    , m_messageBar(new MessageBar(this))
    , m_sourceLabel(new QLabel(this))
    , m_totalsLabel(new QLabel(this))
    , m_overviewModel(new CacheOverviewModel(this))
    , m_overviewPage(nullptr)
{
    setWindowTitle(tr("CacheScope"));

    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_pageList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pageList->setSpacing(2);
    m_pageList->setFixedWidth(m_pageList->fontMetrics().horizontalAdvance(QStringLiteral("Hit rates")) * 2 + 32);
    QFont listFont = m_pageList->font();
    listFont.setPointSizeF(listFont.pointSizeF() * 1.1);
    m_pageList->setFont(listFont);
    connect(m_pageList, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget(this);
    QVBoxLayout *right = m_rightLayout;
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(0);
    right->addWidget(m_messageBar);
    right->addWidget(m_stack, 1);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_pageList);
    auto *separator = new QFrame(central);
    separator->setFrameShape(QFrame::VLine);
    separator->setFrameShadow(QFrame::Sunken);
    layout->addWidget(separator);
    layout->addLayout(right, 1);
    setCentralWidget(central);

    m_overviewPage = new OverviewPage(m_overviewModel, this);
    addPage(Page::Overview, tr("Overview"), m_overviewPage);
    // Keys (browser + payload view), Hit rates (live plots) and Config (source with findings)
    // are added here with addPage() as they are built.

    m_sourceLabel->setText(tr("No caches"));
    statusBar()->addWidget(m_sourceLabel, 1);
    statusBar()->addPermanentWidget(m_totalsLabel);
    connect(m_overviewModel, &CacheOverviewModel::countersChanged, this, &MainWindow::updateStatus);
    showPage(Page::Overview);
}

MainWindow::~MainWindow() = default;

void MainWindow::setCacheManager(CacheManager *manager, const QString &source)
{
    m_overviewModel->setCacheManager(manager);
    m_sourceLabel->setText(source);
    updateStatus();
}

void MainWindow::setDemoWorkload(DemoWorkload *workload)
{
    if (m_demoControls) {
        m_rightLayout->removeWidget(m_demoControls);
        delete m_demoControls;
        m_demoControls = nullptr;
    }
    if (!workload)
        return;
    m_demoControls = new DemoControlsPanel(workload, this);
    m_rightLayout->addWidget(m_demoControls);
}

void MainWindow::addPage(Page page, const QString &title, QWidget *widget)
{
    if (QWidget *old = m_pages.value(int(page))) {
        const int at = m_stack->indexOf(old);
        m_stack->insertWidget(at, widget);
        m_stack->removeWidget(old);
        old->deleteLater();
        m_pageList->item(at)->setText(title);
        m_pages.insert(int(page), widget);
        return;
    }
    // Keep the list in Page order whatever order pages are added in.
    int at = 0;
    while (at < m_pageList->count() && m_pageList->item(at)->data(kPageRole).toInt() < int(page))
        ++at;
    auto *item = new QListWidgetItem(title);
    item->setData(kPageRole, int(page));
    item->setSizeHint(QSize(0, m_pageList->fontMetrics().height() * 2));
    m_pageList->insertItem(at, item);
    m_stack->insertWidget(at, widget);
    m_pages.insert(int(page), widget);
}

void MainWindow::showPage(Page page)
{
    if (QWidget *w = m_pages.value(int(page)))
        m_pageList->setCurrentRow(m_stack->indexOf(w));
}

QWidget *MainWindow::page(Page page) const
{
    return m_pages.value(int(page));
}

void MainWindow::showError(const QString &message)
{
    m_messageBar->showMessage(message, MessageBar::Level::Error);
}

void MainWindow::showWarning(const QString &message)
{
    m_messageBar->showMessage(message, MessageBar::Level::Warning);
}

void MainWindow::updateStatus()
{
    const CacheCountersSnapshot t = m_overviewModel->totals();
    const quint64 reads = t.hits + t.misses;
    m_totalsLabel->setText(reads ? tr("%1 reads · hit rate %2").arg(formatCount(reads), formatPercent(t.hitRate()))
                                 : tr("no reads yet"));
}

} // namespace cachescope
