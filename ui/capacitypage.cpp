#include "capacitypage.h"

#include "capacitymodels.h"
#include "capacityplanner.h"
#include "capacityplot.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace cachescope {

namespace {

constexpr int kSliderSteps = 1000;

QList<CachePolicy> policiesFor(const CapacityCacheState &s)
{
    if (s.curve.unit == SizeUnit::Keys && s.info.backend == u"SimpleCache")
        return {CachePolicy::SimpleThreshold, CachePolicy::Lru, CachePolicy::Fifo};
    if (s.curve.unit == SizeUnit::Keys && s.info.backend == u"FileSystemCache")
        return {CachePolicy::FileSystemThreshold, CachePolicy::Lru, CachePolicy::Fifo};
    if (s.curve.unit == SizeUnit::RedisBytes)
        return {CachePolicy::RedisAllKeysLru, CachePolicy::RedisAllKeysLfu, CachePolicy::RedisVolatileLru,
                CachePolicy::RedisVolatileLfu, CachePolicy::Lru, CachePolicy::Fifo};
    return {CachePolicy::Lru, CachePolicy::Fifo, CachePolicy::RedisAllKeysLru, CachePolicy::RedisAllKeysLfu};
}

QString rate(double v)
{
    return QString::number(v, 'f', v < 10 ? 2 : 1);
}

} // namespace

CapacityPage::CapacityPage(CapacityPlanner *planner, QWidget *parent)
    : QWidget(parent)
    , m_planner(planner)
    , m_source(new QLabel(this))
    , m_live(new QToolButton(this))
    , m_busy(new QLabel(this))
    , m_table(new QTableView(this))
    , m_plot(new CapacityPlot(this))
    , m_recommendation(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_policy(new QComboBox(this))
    , m_size(new QSlider(Qt::Horizontal, this))
    , m_sizeLabel(new QLabel(this))
    , m_timeout(new QSlider(Qt::Horizontal, this))
    , m_timeoutLabel(new QLabel(this))
    , m_cap(new QSpinBox(this))
    , m_result(new QLabel(this))
    , m_growth(new QLabel(this))
    , m_workloadView(new QComboBox(this))
    , m_workloadChart(new CapacityWorkloadChart(this))
    , m_workloadText(new QLabel(this))
    , m_assumptions(new QLabel(this))
{
    qRegisterMetaType<CapacityReportFiles>();
    // Toolbar: where the trace comes from, and what can be done with it.
    auto *bar = new QHBoxLayout;
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_source->setWordWrap(true);
    bar->addWidget(m_source, 1);
    bar->addWidget(m_busy);
    m_live->setText(tr("Back to live"));
    m_live->setVisible(false);
    bar->addWidget(m_live);
    auto *open = new QToolButton(this);
    open->setText(tr("Open trace…"));
    open->setToolTip(tr("A CacheScope trace or recording, a Twitter cache-trace CSV or a libCacheSim oracleGeneral "
                        "file (zstd-compressed too)"));
    bar->addWidget(open);
    auto *save = new QToolButton(this);
    save->setText(tr("Save trace…"));
    bar->addWidget(save);
    auto *report = new QPushButton(tr("Report…"), this);
    report->setToolTip(tr("One PDF with every cache's curve, current point, recommendation and assumptions, a PNG "
                          "per cache and the curves as CSV"));
    bar->addWidget(report);

    // Caches (left) and the selected cache's curve (right).
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(planner->cacheModel());
    proxy->setSortRole(CapacityCacheModel::SortRole);
    m_table->setModel(proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    // The configuration is in the chart's title and the cache's tooltip: the table stays narrow
    // enough to leave the chart most of the width.
    for (int c : {CapacityCacheModel::Backend, CapacityCacheModel::Configuration, CapacityCacheModel::Requests,
                  CapacityCacheModel::RecommendedHitRatio})
        m_table->hideColumn(c);
    // The figures keep their width; a long purpose name gives way (elided, whole in the tooltip).
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(CapacityCacheModel::Cache, QHeaderView::Stretch);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_recommendation->setWordWrap(true);
    m_recommendation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_plot, 1);
    rightLayout->addWidget(m_recommendation);
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(m_table);
    top->addWidget(right);
    top->setStretchFactor(0, 1); // the table's columns fit; the chart takes the rest
    top->setStretchFactor(1, 1);

    // What-if knobs and their answer.
    auto *whatIf = new QWidget(this);
    auto *form = new QFormLayout;
    m_size->setRange(0, kSliderSteps);
    m_timeout->setRange(0, 200); // x0.1 .. x10, logarithmic
    m_timeout->setValue(100);
    m_cap->setRange(0, 1 << 20);
    m_cap->setSuffix(tr(" KiB"));
    m_cap->setSpecialValueText(tr("no cap"));
    m_cap->setSingleStep(64);
    auto row = [&](QWidget *slider, QLabel *label) {
        auto *w = new QWidget(this);
        auto *h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(slider, 1);
        label->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("×10.0: a 604800 s timeout becomes 6048000 s")));
        h->addWidget(label);
        return w;
    };
    form->addRow(tr("Policy"), m_policy);
    form->addRow(tr("Size"), row(m_size, m_sizeLabel));
    form->addRow(tr("Timeouts"), row(m_timeout, m_timeoutLabel));
    form->addRow(tr("Value size cap"), m_cap);
    auto *reset = new QToolButton(this);
    reset->setText(tr("Back to the current configuration"));
    form->addRow(QString(), reset);
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_growth->setWordWrap(true);
    auto *whatIfLayout = new QHBoxLayout(whatIf);
    whatIfLayout->addLayout(form, 3);
    auto *answer = new QVBoxLayout;
    answer->addWidget(m_result);
    answer->addWidget(m_growth);
    answer->addStretch(1);
    whatIfLayout->addLayout(answer, 2);

    // The workload behind the curve.
    auto *workload = new QWidget(this);
    auto *workloadLayout = new QHBoxLayout(workload);
    auto *pick = new QVBoxLayout;
    m_workloadView->addItems({tr("Working set over time"), tr("Requests over time"), tr("Object sizes"), tr("TTLs"),
                              tr("Reuse distances")});
    pick->addWidget(m_workloadView);
    m_workloadText->setWordWrap(true);
    m_workloadText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pick->addWidget(m_workloadText, 1);
    workloadLayout->addLayout(pick, 2);
    workloadLayout->addWidget(m_workloadChart, 3);

    m_assumptions->setWordWrap(true);
    m_assumptions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tabs->addTab(whatIf, tr("What if"));
    m_tabs->addTab(workload, tr("Workload"));
    m_tabs->addTab(m_assumptions, tr("Assumptions"));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    // For screen readers and the guided tour (which reads the page's description aloud as its step).
    setAccessibleName(tr("Capacity"));
    setAccessibleDescription(tr("How big each cache must be: its miss-ratio curve from the live demo or a recorded "
                                "trace, the current configuration marked on it, and what-if answers for another size, "
                                "eviction policy, timeout or value size cap."));
    m_table->setAccessibleName(tr("Caches and their predicted hit ratios"));
    m_plot->setAccessibleName(tr("Miss-ratio curve of the selected cache"));
    m_tabs->setAccessibleName(tr("What-if, workload and assumptions"));
    m_policy->setAccessibleName(tr("Eviction policy"));
    m_size->setAccessibleName(tr("Cache size"));
    m_timeout->setAccessibleName(tr("Timeout scale"));
    m_cap->setAccessibleName(tr("Value size cap"));
    m_workloadView->setAccessibleName(tr("Workload chart to show"));
    m_workloadChart->setAccessibleName(tr("Workload chart"));
    // Tab leaves the table for the next widget instead of walking its cells (arrows do that).
    m_table->setTabKeyNavigation(false);

    connect(planner, &CapacityPlanner::cachesUpdated, this, &CapacityPage::onCachesUpdated);
    connect(planner, &CapacityPlanner::whatIfUpdated, this, &CapacityPage::onWhatIfUpdated);
    connect(planner, &CapacityPlanner::errorOccurred, this, &CapacityPage::errorOccurred);
    connect(planner, &CapacityPlanner::busyChanged, this, [this](bool busy) { m_busy->setText(busy ? tr("computing…") : QString()); });
    connect(planner, &CapacityPlanner::sourceChanged, this, [this] {
        m_source->setText(sourceText());
        m_live->setVisible(m_startLive && !m_planner->isLive());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this, proxy](const QModelIndex &current) {
        if (current.isValid())
            m_planner->selectCache(proxy->mapToSource(current).row());
    });
    connect(m_size, &QSlider::valueChanged, this, &CapacityPage::onSizeSliderMoved);
    connect(m_timeout, &QSlider::valueChanged, this, &CapacityPage::onKnobsChanged);
    connect(m_cap, &QSpinBox::valueChanged, this, &CapacityPage::onKnobsChanged);
    connect(m_policy, &QComboBox::currentIndexChanged, this, &CapacityPage::onKnobsChanged);
    connect(m_workloadView, &QComboBox::currentIndexChanged, this, &CapacityPage::updateWorkload);
    connect(reset, &QToolButton::clicked, this, [this] {
        const int selected = m_planner->selectedCache();
        if (selected < 0)
            return;
        const CapacityCacheState &s = m_planner->caches()[selected];
        m_updatingKnobs = true;
        m_timeout->setValue(100);
        m_cap->setValue(0);
        m_policy->setCurrentIndex(m_policy->findData(int(s.curve.policy)));
        m_updatingKnobs = false;
        setWhatIfSize(s.current.known && s.current.size ? s.current.size : s.recommendation.size);
    });
    connect(m_live, &QToolButton::clicked, this, [this] {
        if (m_startLive)
            m_startLive();
    });
    connect(open, &QToolButton::clicked, this, &CapacityPage::openTraceInteractively);
    connect(save, &QToolButton::clicked, this, &CapacityPage::saveTraceInteractively);
    connect(report, &QPushButton::clicked, this, &CapacityPage::reportInteractively);
    connect(planner, &CapacityPlanner::traceSaved, this, [this](const QString &path, quint64 records) {
        m_source->setText(sourceText() + tr(" · saved %1 requests to %2").arg(records).arg(path));
    });
    m_source->setText(sourceText());
    m_result->setText(tr("The curve appears as soon as the trace has reads."));
    planner->setActive(false); // until the page is shown
}

CapacityPage::~CapacityPage() = default;

void CapacityPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_planner->setActive(true);
}

void CapacityPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_planner->setActive(false);
}

void CapacityPage::setLiveSource(const QString &description, std::function<void()> start)
{
    m_liveDescription = description;
    m_startLive = std::move(start);
    m_live->setVisible(m_startLive && !m_planner->isLive());
}

QString CapacityPage::sourceText() const
{
    const QString what = m_planner->isLive() ? tr("Live: %1").arg(m_planner->sourceDescription())
                                             : tr("Trace: %1").arg(m_planner->sourceDescription());
    if (m_planner->sourceDescription().isEmpty())
        return tr("No trace yet");
    return tr("%1 · %2 requests").arg(what).arg(m_planner->recordCount());
}

QString CapacityPage::whatIfText() const
{
    return m_result->text();
}

QString CapacityPage::recommendationText() const
{
    return m_recommendation->text();
}

quint64 CapacityPage::sliderToSize(int value) const
{
    const double lo = std::log(double(m_sizeMin)), hi = std::log(double(qMax(m_sizeMax, m_sizeMin + 1)));
    return qMax<quint64>(1, quint64(std::llround(std::exp(lo + (hi - lo) * value / kSliderSteps))));
}

int CapacityPage::sizeToSlider(quint64 size) const
{
    const double lo = std::log(double(m_sizeMin)), hi = std::log(double(qMax(m_sizeMax, m_sizeMin + 1)));
    const double v = (std::log(double(qBound(m_sizeMin, size, m_sizeMax))) - lo) / (hi - lo);
    return int(std::lround(v * kSliderSteps));
}

double CapacityPage::timeoutScale() const
{
    return std::pow(10.0, (m_timeout->value() - 100) / 100.0);
}

void CapacityPage::setWhatIfSize(quint64 size)
{
    {
        QSignalBlocker block(m_size);
        m_size->setValue(sizeToSlider(size));
    }
    applySize(size); // exactly this size, not the slider step nearest to it
}

void CapacityPage::setTimeoutScale(double scale)
{
    m_timeout->setValue(int(std::lround(100 + 100 * std::log10(qBound(0.1, scale, 10.0)))));
}

void CapacityPage::fillPolicies()
{
    const int selected = m_planner->selectedCache();
    m_updatingKnobs = true;
    m_policy->clear();
    if (selected >= 0) {
        const CapacityCacheState &s = m_planner->caches()[selected];
        for (CachePolicy p : policiesFor(s))
            m_policy->addItem(policyName(p), int(p));
        m_policy->setCurrentIndex(m_policy->findData(int(m_planner->whatIf().policy)));
    }
    m_updatingKnobs = false;
}

void CapacityPage::onCachesUpdated()
{
    m_source->setText(sourceText());
    m_live->setVisible(m_startLive && !m_planner->isLive());
    const int selected = m_planner->selectedCache();
    auto *proxy = static_cast<QSortFilterProxyModel *>(m_table->model());
    if (selected >= 0) {
        const QModelIndex at = proxy->mapFromSource(m_planner->cacheModel()->index(selected, 0));
        if (m_table->currentIndex().row() != at.row()) {
            QSignalBlocker block(m_table->selectionModel());
            m_table->selectRow(at.row());
        }
    }
    if (selected < 0) {
        m_plot->clear();
        return;
    }
    const CapacityCacheState &s = m_planner->caches()[selected];
    // The size knob spans the curve and the current size, whatever the unit.
    quint64 hi = 1;
    for (const CurvePoint &p : s.curve.points)
        hi = qMax(hi, p.size);
    hi = qMax(hi, s.current.size);
    m_sizeMin = qMax<quint64>(1, s.curve.points.isEmpty() ? 1 : s.curve.points.first().size / 4);
    m_sizeMax = qMax(hi * 2, m_sizeMin + 1);
    const CapacityWhatIf knobs = m_planner->whatIf();
    if (m_policy->count() == 0 || m_policy->findData(int(knobs.policy)) < 0 || m_policy->itemText(0) != policyName(policiesFor(s).first()))
        fillPolicies();
    else if (m_policy->currentData().toInt() != int(knobs.policy)) {
        m_updatingKnobs = true; // the planner reset the knobs (the cache's first curve)
        m_policy->setCurrentIndex(m_policy->findData(int(knobs.policy)));
        m_updatingKnobs = false;
    }
    {
        QSignalBlocker block(m_size);
        m_size->setValue(sizeToSlider(knobs.size));
    }
    m_sizeLabel->setText(formatSize(double(knobs.size), s.curve.unit));
    m_recommendation->setText(s.failure.isEmpty() ? tr("<b>Recommendation:</b> %1").arg(s.recommendation.text.toHtmlEscaped())
                                                  : tr("No curve for %1: %2").arg(s.info.name, s.failure));
    m_growth->setText(m_planner->growthText(selected));
    QStringList assumptions = m_planner->assumptions(selected);
    for (QString &a : assumptions)
        a = u"• "_qs + a;
    m_assumptions->setText(assumptions.join(u'\n'));
    updatePlot();
    updateWorkload();
    onKnobsChanged();
}

void CapacityPage::updatePlot()
{
    const int selected = m_planner->selectedCache();
    if (selected < 0)
        return;
    const CapacityCacheState &s = m_planner->caches()[selected];
    std::optional<CapacityPlot::Marker> point;
    const CapacityWhatIf knobs = m_planner->whatIf();
    const auto &answer = m_planner->whatIfAnswer();
    if (m_pendingReadOff)
        point = CapacityPlot::Marker{double(knobs.size), *m_pendingReadOff,
                                     tr("what-if ≈ %1").arg(*m_pendingReadOff, 0, 'f', 2)};
    else if (answer)
        point = CapacityPlot::Marker{double(knobs.size), answer->result.hitRatio,
                                     tr("what-if: %1").arg(answer->result.hitRatio, 0, 'f', 2)};
    m_plot->setContent(capacityPlotContent(s, answer ? &*answer : nullptr, point));
}

void CapacityPage::onSizeSliderMoved(int value)
{
    applySize(sliderToSize(value));
}

void CapacityPage::applySize(quint64 size)
{
    if (m_updatingKnobs)
        return;
    const int selected = m_planner->selectedCache();
    if (selected < 0)
        return;
    const CapacityCacheState &s = m_planner->caches()[selected];
    CapacityWhatIf knobs = m_planner->whatIf();
    knobs.size = size;
    m_sizeLabel->setText(formatSize(double(knobs.size), s.curve.unit));
    // At once: read the prediction off the curve the knobs are on; the replay refines it.
    const auto &answer = m_planner->whatIfAnswer();
    const CurveResult &curve = answer && answer->curve ? *answer->curve : s.curve;
    m_pendingReadOff = curve.hitRatioAt(knobs.size);
    m_result->setText(tr("<b>Predicted hit ratio ≈ %1</b> at %2 (read off the curve; replaying…)")
                          .arg(*m_pendingReadOff, 0, 'f', 3)
                          .arg(formatSize(double(knobs.size), s.curve.unit)));
    m_planner->setWhatIf(knobs);
    updatePlot();
}

void CapacityPage::onKnobsChanged()
{
    if (m_updatingKnobs)
        return;
    const int selected = m_planner->selectedCache();
    if (selected < 0)
        return;
    const CapacityCacheState &s = m_planner->caches()[selected];
    CapacityWhatIf knobs = m_planner->whatIf();
    const double scale = timeoutScale();
    knobs.ttlScale = std::abs(scale - 1.0) < 1e-9 ? 1.0 : scale;
    knobs.maxValueSize = quint64(m_cap->value()) * 1024;
    if (m_policy->currentIndex() >= 0)
        knobs.policy = CachePolicy(m_policy->currentData().toInt());
    knobs.unit = s.curve.unit;
    const qint64 timeout = s.current.defaultTimeout;
    m_timeoutLabel->setText(knobs.ttlScale == 1.0 ? tr("×1.0: as traced")
                            : timeout > 0
                                ? tr("×%1: a %2 s timeout becomes %3 s").arg(knobs.ttlScale, 0, 'f', 2).arg(timeout).arg(std::llround(double(timeout) * knobs.ttlScale))
                                : tr("×%1 on every TTL").arg(knobs.ttlScale, 0, 'f', 2));
    if (knobs == m_planner->whatIf() && m_planner->whatIfAnswer())
        return;
    m_planner->setWhatIf(knobs);
    // No curve to read this off yet: the old answer must not stand for the new knobs.
    m_result->setText(tr("<b>Replaying</b> with %1 at %2…").arg(policyName(knobs.policy), formatSize(double(knobs.size), s.curve.unit)));
}

void CapacityPage::onWhatIfUpdated()
{
    const int selected = m_planner->selectedCache();
    const auto &answer = m_planner->whatIfAnswer();
    if (selected < 0 || !answer)
        return;
    m_pendingReadOff.reset();
    const CapacityCacheState &s = m_planner->caches()[selected];
    const CapacityWhatIf knobs = m_planner->whatIf();
    const WhatIfResult &r = answer->result;
    QString text = tr("<b>Predicted hit ratio %1</b> with %2 at %3")
                       .arg(r.hitRatio, 0, 'f', 3)
                       .arg(policyName(knobs.policy), formatSize(double(knobs.size), s.curve.unit));
    if (s.atCurrent)
        text += tr(" (now %1)").arg(s.atCurrent->hitRatio, 0, 'f', 3);
    text += tr("<br>Database load: %1 misses/s%2").arg(rate(r.missesPerSecond),
                                                       s.atCurrent ? tr(" (now %1)").arg(rate(s.atCurrent->missesPerSecond)) : QString());
    text += tr("<br>Churn: %1 evictions/s, %2 expirations/s%3")
                .arg(rate(r.evictionsPerSecond), rate(r.expirationsPerSecond),
                     r.refusedPerSecond > 0 ? tr(", %1 writes/s not cached").arg(rate(r.refusedPerSecond)) : QString());
    text += tr("<br>Memory: %1 on average, peak %2").arg(formatSize(r.meanUsed, s.curve.unit), formatSize(r.peakUsed, s.curve.unit));
    if (r.sampleRate < 1)
        text += tr("<br><i>Replayed on a %1 sample of the keys.</i>").arg(r.sampleRate, 0, 'g', 3);
    m_result->setText(text);
    updatePlot();
}

void CapacityPage::updateWorkload()
{
    const int selected = m_planner->selectedCache();
    if (selected < 0)
        return;
    const TraceAnalysis &a = m_planner->caches()[selected].analysis;
    const TraceProfile &p = a.profile;
    m_workloadText->setText(tr("%1 requests over %2 s: %3/s, of which %4 % reads.\n%5 distinct keys%6, %7 in all.\n"
                               "Mean value %8.%9")
                                .arg(p.records)
                                .arg(p.seconds(), 0, 'f', 0)
                                .arg(rate(a.requestsPerSecond))
                                .arg(a.readShare * 100, 0, 'f', 0)
                                .arg(p.uniqueKeys)
                                .arg(p.uniqueEstimated ? tr(" (estimated)") : QString())
                                .arg(formatSize(double(p.uniqueBytes), SizeUnit::Bytes))
                                .arg(formatSize(p.meanValueSize, SizeUnit::Bytes))
                                .arg(std::isfinite(p.observedHitRatio()) ? tr("\nHit ratio seen: %1.").arg(p.observedHitRatio(), 0, 'f', 3)
                                                                         : QString()));
    auto bars = [&](const QString &title, const QList<HistogramBin> &bins, const QString &what) {
        QStringList labels;
        QList<double> values;
        for (const HistogramBin &b : bins) {
            labels << b.label;
            values << double(b.count);
        }
        m_workloadChart->setBars(title, labels, values, what);
    };
    QList<double> x, y;
    switch (m_workloadView->currentIndex()) {
    case 0:
    case 1:
        for (const TimeSlice &s : a.timeline) {
            x << double(s.startMs - p.firstMs) / 1000.0;
            y << (m_workloadView->currentIndex() == 0 ? double(s.distinctKeys) : double(s.requests) / qMax(a.sliceSeconds, 1e-3));
        }
        m_workloadChart->setLine(m_workloadView->currentIndex() == 0 ? tr("Distinct keys used per %1 s").arg(a.sliceSeconds, 0, 'f', 0)
                                                                     : tr("Requests per second"),
                                 x, y, tr("seconds into the trace"),
                                 m_workloadView->currentIndex() == 0 ? tr("keys") : tr("requests/s"));
        break;
    case 2:
        bars(tr("Objects by value size"), a.objectSizes, tr("keys"));
        break;
    case 3:
        bars(tr("Sets by TTL"), a.ttls, tr("sets"));
        break;
    case 4:
        bars(tr("Reads by reuse distance (distinct keys since the last use)"), a.reuseDistances, tr("reads"));
        break;
    }
}

void CapacityPage::openTraceInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a request trace"), {},
                                                      tr("Traces (*.cstrace *.csv *.txt *.zst *.oracleGeneral *.bin *.sqlite);;All files (*)"));
    if (!path.isEmpty())
        m_planner->openTrace(path);
}

void CapacityPage::saveTraceInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the trace"), QStringLiteral("cachescope-trace.cstrace"),
                                                      tr("CacheScope trace (*.cstrace);;Twitter cache-trace CSV (*.csv);;"
                                                         "oracleGeneral (*.oracleGeneral)"));
    if (!path.isEmpty())
        m_planner->saveTrace(path);
}

void CapacityPage::reportInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Write the capacity report"), QStringLiteral("capacity-report.pdf"),
                                                      tr("PDF (*.pdf)"));
    if (!path.isEmpty())
        writeReport(path);
}

void CapacityPage::writeReport(const QString &basePath)
{
    if (m_planner->caches().isEmpty()) {
        Q_EMIT errorOccurred(tr("No curve to report yet"));
        return;
    }
    CapacityReportDocument document = buildCapacityReport(*m_planner);
    auto *watcher = new QFutureWatcher<Expected<CapacityReportFiles>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        const auto files = watcher->result();
        watcher->deleteLater();
        if (files)
            Q_EMIT reportWritten(*files);
        else
            Q_EMIT errorOccurred(files.error());
    });
    watcher->setFuture(QtConcurrent::run([document = std::move(document), basePath] { return writeCapacityReport(document, basePath); }));
}

} // namespace cachescope
