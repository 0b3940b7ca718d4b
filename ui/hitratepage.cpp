#include "hitratepage.h"

#include "formatting.h"
#include "hitrateplot.h"
#include "hitrateseries.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace cachescope {

namespace {

enum HitIndex { HitRateValue = 0, HitsValue = 1, MissesValue = 2, SetsValue = 3 };
enum ServerIndex { EvictionsValue = 0, ExpirationsValue = 1, OpsValue = 2 };

// Paints the last minute of hit rate (0..100 %) as a small line; gaps where there were no reads.
class SparklineDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        QStyledItemDelegate::paint(painter, opt, index); // background and selection
        const auto values = index.data(HitRateSeries::SparklineRole).value<QList<double>>();
        if (values.size() < 2)
            return;
        const QRectF r = QRectF(option.rect).adjusted(4, 4, -4, -4);
        const double step = r.width() / double(HitRateSeries::kSparklinePoints - 1);
        const double x0 = r.right() - step * double(values.size() - 1);
        QPainterPath path;
        bool drawing = false;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (std::isnan(values[i])) {
                drawing = false;
                continue;
            }
            const QPointF p(x0 + step * double(i), r.bottom() - r.height() * qBound(0.0, values[i], 100.0) / 100.0);
            if (drawing)
                path.lineTo(p);
            else
                path.moveTo(p);
            drawing = true;
        }
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const bool selected = option.state & QStyle::State_Selected;
        QColor line = selected ? option.palette.color(QPalette::HighlightedText) : QColor(0x00, 0x72, 0xB2);
        if (!selected && option.palette.color(QPalette::Base).lightness() < 128)
            line = line.lighter(140);
        painter->setPen(QPen(line, 1.5));
        painter->drawPath(path);
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(140, 22));
    }
};

QString windowName(qint64 seconds)
{
    if (seconds < 3600)
        return QObject::tr("%n min", nullptr, int(seconds / 60));
    return QObject::tr("%n h", nullptr, int(seconds / 3600));
}

} // namespace

HitRatePage::HitRatePage(HitRateSeries *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    // Tool bar: window, pause, export.
    m_window = new QComboBox(this);
    for (qint64 s : windowChoices())
        m_window->addItem(windowName(s), s);
    m_window->setCurrentIndex(1);
    m_window->setToolTip(tr("Time window of the charts"));
    m_pause = new QToolButton(this);
    m_pause->setText(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the charts; samples keep being collected"));
    m_export = new QToolButton(this);
    m_export->setText(tr("Export…"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(m_export);
    exportMenu->addAction(tr("Chart as PNG, PDF or CSV…"), this, &HitRatePage::exportInteractively);
    m_export->setMenu(exportMenu);
    m_hint = new QLabel(tr("Click a legend entry to hide a line; hover the chart for values."), this);
    m_hint->setEnabled(false); // the disabled text colour: present but quiet, in light and dark palettes
    auto *bar = new QHBoxLayout;
    auto *windowLabel = new QLabel(tr("&Window:"), this);
    windowLabel->setBuddy(m_window); // Alt+W, and the combo box's accessible name
    bar->addWidget(windowLabel);
    bar->addWidget(m_window);
    bar->addWidget(m_pause);
    bar->addWidget(m_export);
    bar->addSpacing(12);
    bar->addWidget(m_hint, 1);

    // Per-cache rows.
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setItemDelegateForColumn(HitRateSeries::SparklineColumn, new SparklineDelegate(m_table));
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(qMax(24, fontMetrics().height() + 8));
    m_table->horizontalHeader()->setSectionResizeMode(HitRateSeries::CacheColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(HitRateSeries::SourceColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(HitRateSeries::ExactnessColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(HitRateSeries::HitRateColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(HitRateSeries::SparklineColumn, QHeaderView::Fixed);
    m_table->horizontalHeader()->resizeSection(HitRateSeries::SparklineColumn, 160);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);

    // Cache chart.
    m_cachePlot = new HitRatePlot(this);
    // The hit rate stands out (dark blue, wide, on top); the rates are lighter companions.
    m_cachePlot->setSeries({{tr("Hit rate %"), HitRateValue, false, QColor(0x1f, 0x4e, 0xb4), true},
                            {tr("Hits/s"), HitsValue, true, QColor(0x5a, 0xb4, 0x6e)},
                            {tr("Misses/s"), MissesValue, true, QColor(0xe0, 0x5a, 0x4a)},
                            {tr("Sets/s"), SetsValue, true, QColor(0xb0, 0x90, 0xd0)}},
                           tr("Hit rate (%)"), tr("Operations per second"));
    m_cachePlot->setLeftAxisFixed(0, 105);
    m_cachePlot->setTitle(tr("No cache selected"));

    // Server panel.
    auto *serverBox = new QGroupBox(tr("Redis server"), this);
    m_serverTitle = new QLabel(tr("No Redis server polled"), serverBox);
    m_memory = new QProgressBar(serverBox);
    m_memory->setRange(0, 1000);
    m_memory->setValue(0);
    m_memory->setTextVisible(true);
    m_memory->setFormat(tr("memory: –"));
    m_serverFigures = new QLabel(serverBox);
    m_serverFigures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_serverPlot = new HitRatePlot(serverBox);
    m_serverPlot->setSeries({{tr("Evictions/s"), EvictionsValue, false, QColor(0xd6, 0x27, 0x28), true},
                             {tr("Expirations/s"), ExpirationsValue, false, QColor(0xe6, 0x9f, 0x00)},
                             {tr("Ops/s"), OpsValue, true, QColor(0x88, 0x88, 0x88)}},
                            tr("Keys per second"), tr("Commands per second"));
    auto *serverLayout = new QVBoxLayout(serverBox);
    auto *serverTop = new QHBoxLayout;
    serverTop->addWidget(m_serverTitle);
    serverTop->addWidget(m_memory, 1);
    serverLayout->addLayout(serverTop);
    serverLayout->addWidget(m_serverFigures);
    serverLayout->addWidget(m_serverPlot, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_cachePlot);
    splitter->addWidget(serverBox);
    // Only a polled Redis server has figures to show; in-process caches (the demo) give the
    // page's height to the cache chart instead of an empty panel.
    m_serverBox = serverBox;
    m_serverBox->setVisible(false);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 3);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    // For screen readers: what the page is for, and names for what has no visible label.
    setAccessibleName(tr("Hit rates"));
    setAccessibleDescription(tr("When did it stop hitting: hit rates per cache over time, and the Redis server's figures"));
    m_table->setAccessibleName(tr("Caches and their current hit rates"));
    m_cachePlot->setAccessibleName(tr("Chart of the selected cache"));
    m_serverPlot->setAccessibleName(tr("Chart of the Redis server"));
    m_memory->setAccessibleName(tr("Redis server memory used"));

    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this](int i) { setWindowSeconds(m_window->itemData(i).toLongLong()); });
    connect(m_pause, &QToolButton::toggled, this, &HitRatePage::setPaused);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { selectRow(current.isValid() ? current.row() : -1); });
    connect(m_cachePlot, &HitRatePlot::resolutionChanged, this, &HitRatePage::reloadCachePlot);
    connect(m_serverPlot, &HitRatePlot::resolutionChanged, this, &HitRatePage::reloadServerPlot);
    connect(m_model, &HitRateSeries::pointAdded, this, &HitRatePage::onPointAdded);
    connect(m_model, &HitRateSeries::serverPointAdded, this, &HitRatePage::onServerPointAdded);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_row < 0 && m_model->rowCount() > 0)
            selectRow(0);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_row = -1;
        m_cachePlot->clearData();
        updateTitle();
    });

    setWindowSeconds(m_window->currentData().toLongLong());
    if (m_model->rowCount() > 0)
        selectRow(0);
    const QStringList servers = m_model->servers();
    if (!servers.isEmpty())
        setServer(servers.first());
}

HitRatePage::~HitRatePage() = default;

QList<qint64> HitRatePage::windowChoices()
{
    return {60, 600, 3600, 24 * 3600};
}

void HitRatePage::setWindowSeconds(qint64 seconds)
{
    const int index = m_window->findData(seconds);
    if (index >= 0 && index != m_window->currentIndex()) {
        m_window->setCurrentIndex(index); // comes back here through the signal
        return;
    }
    m_cachePlot->setWindowSeconds(seconds);
    m_serverPlot->setWindowSeconds(seconds);
    reloadCachePlot();
    reloadServerPlot();
}

qint64 HitRatePage::windowSeconds() const
{
    return m_cachePlot->windowSeconds();
}

void HitRatePage::setPaused(bool paused)
{
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    m_cachePlot->setPaused(paused);
    m_serverPlot->setPaused(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
}

bool HitRatePage::isPaused() const
{
    return m_cachePlot->isPaused();
}

void HitRatePage::selectRow(int row)
{
    if (row >= m_model->rowCount())
        row = -1;
    if (row != m_row) {
        m_row = row;
        if (row >= 0 && m_table->currentIndex().row() != row)
            m_table->setCurrentIndex(m_model->index(row, 0));
        reloadCachePlot();
    }
}

int HitRatePage::selectedRow() const
{
    return m_row;
}

void HitRatePage::setServer(const QString &server)
{
    m_server = server;
    m_serverAwaySinceMs = 0;
    m_serverTitle->setStyleSheet(QString());
    m_serverTitle->setText(server);
    m_serverBox->setVisible(!server.isEmpty());
    reloadServerPlot();
    updateServerPanel();
}

QString HitRatePage::memoryText() const
{
    return m_memory->text();
}

Expected<bool> HitRatePage::exportChart(const QString &path)
{
    return m_cachePlot->exportTo(path);
}

void HitRatePage::exportInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QStringLiteral("hit-rates.png"),
                                                      tr("PNG image (*.png);;PDF document (*.pdf);;CSV data (*.csv)"));
    if (path.isEmpty())
        return;
    if (auto ok = exportChart(path); !ok)
        m_hint->setText(ok.error());
    else
        m_hint->setText(tr("Exported to %1").arg(path));
}

void HitRatePage::onPointAdded(int row, const SeriesPoint &point)
{
    if (row != m_row)
        return;
    // Rates are NaN only in a gap point (the source did not answer); no reads is a NaN hit rate alone.
    const qint64 awaySince = std::isnan(point.v[HitsValue]) ? (m_rowAwaySinceMs ? m_rowAwaySinceMs : point.t * 1000) : 0;
    if (awaySince != m_rowAwaySinceMs) {
        m_rowAwaySinceMs = awaySince;
        updateTitle();
    }
    if (windowSeconds() > HitRateSeries::kFineCapacity) {
        // The 24 h chart shows minutes: reload when a minute completes, not on every second.
        const qint64 minute = point.t / 60;
        if (minute != m_lastMinute) {
            m_lastMinute = minute;
            reloadCachePlot();
        }
        return;
    }
    m_cachePlot->appendPoint(point);
}

void HitRatePage::onServerPointAdded(const QString &server, const SeriesPoint &point)
{
    if (m_server.isEmpty())
        setServer(server);
    if (server != m_server)
        return;
    if (windowSeconds() <= HitRateSeries::kFineCapacity)
        m_serverPlot->appendPoint(point);
    else if (point.t % 60 == 0)
        reloadServerPlot();
    updateServerPanel();
}

void HitRatePage::reloadCachePlot()
{
    m_rowAwaySinceMs = 0;
    m_cachePlot->clearData();
    if (m_row >= 0) {
        const QVector<SeriesPoint> points = m_model->points(m_row, windowSeconds());
        m_cachePlot->setPoints(points);
        // A trailing run of gap points: the source has not answered since the first of them.
        for (qsizetype i = points.size() - 1; i >= 0 && std::isnan(points[i].v[HitsValue]); --i)
            m_rowAwaySinceMs = points[i].t * 1000;
    }
    updateTitle();
}

void HitRatePage::reloadServerPlot()
{
    m_serverPlot->clearData();
    if (!m_server.isEmpty())
        m_serverPlot->setPoints(m_model->serverPoints(m_server, windowSeconds()));
}

void HitRatePage::updateTitle()
{
    if (m_row < 0) {
        m_cachePlot->setTitle(tr("No cache selected"));
        return;
    }
    QString title = tr("%1 — %2 (%3)")
                        .arg(m_model->cacheAt(m_row), sampleSourceName(m_model->sourceAt(m_row)),
                             exactnessName(m_model->exactnessAt(m_row)));
    if (m_rowAwaySinceMs)
        title += tr(" — no answer since %1").arg(formatTimeOfDay(m_rowAwaySinceMs));
    m_cachePlot->setTitle(title);
}

void HitRatePage::updateServerPanel()
{
    const ServerSample s = m_model->latestServer(m_server);
    if (s.timestampMs == 0)
        return;
    if (std::isnan(s.opsPerSecond)) {
        // A gap point: the server did not answer this poll. Say since when, and that the
        // figures and the chart resume when it answers again.
        if (!m_serverAwaySinceMs)
            m_serverAwaySinceMs = s.timestampMs;
        const QString since = formatTimeOfDay(m_serverAwaySinceMs);
        m_serverTitle->setText(tr("%1 — no answer since %2").arg(m_server, since));
        m_serverTitle->setStyleSheet(QStringLiteral("QLabel { color: #b02a37; font-weight: bold; }"));
        m_memory->setValue(0);
        m_memory->setFormat(tr("memory: unknown (no answer)"));
        m_serverFigures->setText(tr("The server does not answer: the charts show a gap until it does."));
        return;
    }
    if (m_serverAwaySinceMs) {
        m_serverAwaySinceMs = 0;
        m_serverTitle->setText(m_server);
        m_serverTitle->setStyleSheet(QString());
    }
    if (s.maxMemory > 0) {
        const double ratio = double(s.usedMemory) / double(s.maxMemory);
        m_memory->setValue(int(qBound(0.0, ratio, 1.0) * 1000));
        m_memory->setFormat(tr("memory %1 of %2 (%3)")
                                .arg(formatBytes(qint64(s.usedMemory)), formatBytes(qint64(s.maxMemory)),
                                     formatPercent(ratio)));
    } else {
        m_memory->setValue(0);
        m_memory->setFormat(tr("memory %1 (no maxmemory limit)").arg(formatBytes(qint64(s.usedMemory))));
    }
    m_serverFigures->setText(tr("evictions %1/s · expirations %2/s · %3 ops/s · %4 keys (%5 with a TTL)%6")
                                 .arg(QString::number(s.evictionsPerSecond, 'f', 1),
                                      QString::number(s.expirationsPerSecond, 'f', 1),
                                      QString::number(s.opsPerSecond, 'f', 0), formatCount(s.keys),
                                      formatCount(s.expires),
                                      s.counterReset ? tr(" · counters were reset (restart or CONFIG RESETSTAT)")
                                                     : QString()));
}

} // namespace cachescope
