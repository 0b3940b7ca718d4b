#include "democontrolspanel.h"

#include "cache/cache.h"
#include "cache/cachemanager.h"
#include "demo/demoworkload.h"
#include "formatting.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <array>
#include <cmath>

namespace cachescope {

namespace {

// Slider stops: the interesting range of a timeout or a threshold spans three decades, so the
// slider steps through round values (the spin box takes any value). "Never" (0) is the longest
// timeout, so it sits at the right end.
constexpr std::array<int, 13> kTimeoutStops{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 0};
constexpr std::array<int, 14> kThresholdStops{5, 10, 20, 50, 100, 200, 300, 400, 600, 900, 1200, 2000, 5000, 10000};
constexpr int kSkewSteps = 20; // slider steps per unit of skew (0.05)
constexpr int kSampleMs = 500;

template <size_t N> int nearestStop(const std::array<int, N> &stops, qint64 value)
{
    if (value <= 0) { // only the timeout has a 0 stop ("never")
        for (size_t i = 0; i < N; ++i)
            if (stops[i] == 0)
                return int(i);
        return 0;
    }
    int best = 0;
    double bestDistance = 1e300;
    for (size_t i = 0; i < N; ++i) {
        if (stops[i] <= 0)
            continue;
        const double distance = std::abs(std::log(double(value)) - std::log(double(stops[i])));
        if (distance < bestDistance) {
            bestDistance = distance;
            best = int(i);
        }
    }
    return best;
}

QSlider *makeSlider(int max, QWidget *parent)
{
    auto *slider = new QSlider(Qt::Horizontal, parent);
    slider->setRange(0, max);
    slider->setMinimumWidth(140);
    return slider;
}

} // namespace

DemoControlsPanel::DemoControlsPanel(DemoWorkload *workload, QWidget *parent)
    : QFrame(parent)
    , m_workload(workload)
{
    if (m_workload) {
        m_initial = m_workload->settings();
        const auto spec = m_workload->cacheManager().spec(CachePurpose::Data);
        m_thresholdAdjustable =
            spec && (spec->backend == BackendType::Simple || spec->backend == BackendType::FileSystem);
        if (m_thresholdAdjustable && m_initial.threshold <= 0)
            m_initial.threshold = spec->threshold;
    }
    buildUi();
    showSettings(m_initial);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &DemoControlsPanel::applyNow);
    if (m_workload)
        connect(m_workload, &DemoWorkload::settingsChanged, this, &DemoControlsPanel::onWorkloadSettingsChanged);

    m_clock.start();
    m_sampleTimer.setInterval(kSampleMs);
    connect(&m_sampleTimer, &QTimer::timeout, this, &DemoControlsPanel::sampleHitRate);
    m_sampleTimer.start();
    sampleHitRate();
}

DemoControlsPanel::~DemoControlsPanel() = default;

void DemoControlsPanel::buildUi()
{
    setObjectName(QStringLiteral("demoControls"));
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);

    auto *title = new QLabel(tr("Demo controls"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto *hint = new QLabel(tr("Changes apply to the running demo at once."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    m_rateLabel = new QLabel(this);
    m_rateLabel->setObjectName(QStringLiteral("recentHitRate"));
    m_rateLabel->setTextFormat(Qt::RichText);
    m_rateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_resetButton = new QPushButton(tr("Reset"), this);
    m_resetButton->setToolTip(tr("Back to the demo's configured settings"));
    connect(m_resetButton, &QPushButton::clicked, this, &DemoControlsPanel::reset);

    m_usersSlider = makeSlider(kMaxUsers, this);
    m_usersSpin = new QSpinBox(this);
    m_usersSpin->setRange(0, std::max(kMaxUsers, m_initial.users));
    m_usersSpin->setSpecialValueText(tr("paused"));
    const QString usersTip =
        tr("Simulated users, each sending a request every %1 ms on average").arg(m_initial.requestIntervalMs);

    m_skewSlider = makeSlider(int(kMaxSkew * kSkewSteps), this);
    m_skewSpin = new QDoubleSpinBox(this);
    m_skewSpin->setRange(0.0, std::max(kMaxSkew, m_initial.skew));
    m_skewSpin->setDecimals(2);
    m_skewSpin->setSingleStep(1.0 / kSkewSteps);
    const QString skewTip = tr("Zipf exponent of chart popularity: 0 = every chart equally popular; "
                               "higher = a few charts get most views");

    m_timeoutSlider = makeSlider(int(kTimeoutStops.size()) - 1, this);
    m_timeoutSpin = new QSpinBox(this);
    m_timeoutSpin->setRange(0, 7 * 86400);
    m_timeoutSpin->setSuffix(tr(" s"));
    m_timeoutSpin->setSpecialValueText(tr("never"));
    const QString timeoutTip = tr("How long a chart's data stays in the Data cache (0 = never expires); "
                                  "applies to data cached from now on");

    m_thresholdSlider = makeSlider(int(kThresholdStops.size()) - 1, this);
    m_thresholdSpin = new QSpinBox(this);
    m_thresholdSpin->setRange(1, 1'000'000);
    m_thresholdSpin->setSuffix(tr(" entries"));
    const QString thresholdTip =
        m_thresholdAdjustable
            ? tr("CACHE_THRESHOLD of the Data cache: above it, cachelib prunes entries. The demo has %1 charts "
                 "with a few filter variants each. Changing it rebuilds the Data cache (empty, counters at zero).")
                  .arg(m_initial.charts)
            : tr("Only a SimpleCache or FileSystemCache Data cache has a threshold");

    const auto spinWidth = m_thresholdSpin->fontMetrics().horizontalAdvance(QStringLiteral("100000 entries")) + 36;
    for (QAbstractSpinBox *spin :
         std::initializer_list<QAbstractSpinBox *>{m_usersSpin, m_skewSpin, m_timeoutSpin, m_thresholdSpin}) {
        // Typing "400" must not apply 4 and 40 on the way (each threshold change rebuilds the cache).
        spin->setKeyboardTracking(false);
        spin->setAlignment(Qt::AlignRight);
        spin->setFixedWidth(spinWidth);
    }

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(4);
    const auto addKnob = [&](int row, int column, const QString &text, const QString &tip, QSlider *slider,
                             QAbstractSpinBox *spin) {
        auto *label = new QLabel(text, this);
        label->setBuddy(spin);
        slider->setAccessibleName(QString(text).remove(u'&')); // the label is the spin box's buddy
        for (QWidget *w : std::initializer_list<QWidget *>{label, slider, spin})
            w->setToolTip(tip);
        grid->addWidget(label, row, column * 4);
        grid->addWidget(slider, row, column * 4 + 1);
        grid->addWidget(spin, row, column * 4 + 2);
    };
    addKnob(0, 0, tr("&Users"), usersTip, m_usersSlider, m_usersSpin);
    addKnob(0, 1, tr("Popularity &skew"), skewTip, m_skewSlider, m_skewSpin);
    addKnob(1, 0, tr("Chart &timeout"), timeoutTip, m_timeoutSlider, m_timeoutSpin);
    addKnob(1, 1, tr("Data cache t&hreshold"), thresholdTip, m_thresholdSlider, m_thresholdSpin);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(5, 1);
    grid->setColumnMinimumWidth(3, 16); // gap between the two knob columns

    auto *header = new QHBoxLayout;
    header->addWidget(title);
    header->addWidget(hint);
    header->addStretch(1);
    header->addWidget(m_rateLabel);
    header->addSpacing(12);
    header->addWidget(m_resetButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 10);
    layout->setSpacing(6);
    layout->addLayout(header);
    layout->addLayout(grid);
    setAccessibleName(tr("Demo controls"));
    setAccessibleDescription(tr("Knobs of the embedded demo's workload; changes apply at once"));
    m_rateLabel->setAccessibleName(tr("Data cache hit rate, last seconds"));

    // Each slider writes only its own spin box: a value typed into another spin box that is not
    // one of its slider's stops must survive a drag elsewhere.
    connect(m_usersSlider, &QSlider::valueChanged, this,
            [this](int v) { onSliderMoved([&] { m_usersSpin->setValue(v); }); });
    connect(m_skewSlider, &QSlider::valueChanged, this,
            [this](int v) { onSliderMoved([&] { m_skewSpin->setValue(double(v) / kSkewSteps); }); });
    connect(m_timeoutSlider, &QSlider::valueChanged, this,
            [this](int v) { onSliderMoved([&] { m_timeoutSpin->setValue(kTimeoutStops[size_t(v)]); }); });
    connect(m_thresholdSlider, &QSlider::valueChanged, this,
            [this](int v) { onSliderMoved([&] { m_thresholdSpin->setValue(kThresholdStops[size_t(v)]); }); });
    for (QSlider *slider : {m_usersSlider, m_skewSlider, m_timeoutSlider, m_thresholdSlider}) {
        // Letting go of a slider applies at once; only the drag itself is debounced.
        connect(slider, &QSlider::sliderReleased, this, &DemoControlsPanel::applyNow);
    }
    connect(m_usersSpin, &QSpinBox::valueChanged, this, &DemoControlsPanel::onSpinChanged);
    connect(m_skewSpin, &QDoubleSpinBox::valueChanged, this, &DemoControlsPanel::onSpinChanged);
    connect(m_timeoutSpin, &QSpinBox::valueChanged, this, &DemoControlsPanel::onSpinChanged);
    connect(m_thresholdSpin, &QSpinBox::valueChanged, this, &DemoControlsPanel::onSpinChanged);

    m_thresholdSlider->setEnabled(m_thresholdAdjustable);
    m_thresholdSpin->setEnabled(m_thresholdAdjustable);
    const bool live = m_workload != nullptr;
    for (QWidget *w : std::initializer_list<QWidget *>{m_usersSlider, m_usersSpin, m_skewSlider, m_skewSpin,
                                                       m_timeoutSlider, m_timeoutSpin, m_resetButton})
        w->setEnabled(live);
}

DemoSettings DemoControlsPanel::shownSettings() const
{
    DemoSettings s = m_initial;
    s.users = m_usersSpin->value();
    s.skew = m_skewSpin->value();
    s.chartTimeout = m_timeoutSpin->value();
    if (m_thresholdAdjustable)
        s.threshold = m_thresholdSpin->value();
    return s;
}

QString DemoControlsPanel::recentHitRateText() const
{
    return m_rateLabel->text();
}

void DemoControlsPanel::reset()
{
    showSettings(m_initial);
    applyNow();
}

void DemoControlsPanel::applyNow()
{
    m_debounce.stop();
    if (!m_workload)
        return;
    const DemoSettings before = m_workload->settings();
    const DemoSettings wanted = shownSettings();
    // Setters emit settingsChanged(), which would write the controls back while we read them.
    m_updating = true;
    m_workload->setUsers(wanted.users);
    m_workload->setSkew(wanted.skew);
    m_workload->setChartTimeout(wanted.chartTimeout);
    if (m_thresholdAdjustable)
        m_workload->setThreshold(wanted.threshold);
    m_updating = false;
    const DemoSettings after = m_workload->settings();
    if (before.users != after.users || before.skew != after.skew || before.chartTimeout != after.chartTimeout ||
        before.threshold != after.threshold)
        Q_EMIT settingsApplied();
}

void DemoControlsPanel::onSliderMoved(const std::function<void()> &showInSpinBox)
{
    if (m_updating)
        return;
    // The spin box shows the value at once; the workload gets it when the drag pauses.
    m_updating = true;
    showInSpinBox();
    m_updating = false;
    m_debounce.start();
}

void DemoControlsPanel::onSpinChanged()
{
    if (m_updating)
        return;
    syncSlidersToSpins();
    applyNow();
}

void DemoControlsPanel::showSettings(const DemoSettings &settings)
{
    m_updating = true;
    m_usersSpin->setValue(settings.users);
    m_skewSpin->setValue(settings.skew);
    m_timeoutSpin->setValue(int(std::min<qint64>(settings.chartTimeout, m_timeoutSpin->maximum())));
    if (settings.threshold > 0)
        m_thresholdSpin->setValue(settings.threshold);
    m_updating = false;
    syncSlidersToSpins();
}

void DemoControlsPanel::syncSlidersToSpins()
{
    const bool wasUpdating = m_updating;
    m_updating = true;
    // A slider move here must not start the debounce: the value came from the spin box.
    m_usersSlider->setValue(m_usersSpin->value());
    m_skewSlider->setValue(int(std::lround(m_skewSpin->value() * kSkewSteps)));
    m_timeoutSlider->setValue(nearestStop(kTimeoutStops, m_timeoutSpin->value()));
    m_thresholdSlider->setValue(nearestStop(kThresholdStops, m_thresholdSpin->value()));
    m_updating = wasUpdating;
}

void DemoControlsPanel::onWorkloadSettingsChanged()
{
    // A change made elsewhere (a script, a test, another view); a drag in progress wins.
    if (m_updating || m_debounce.isActive() || !m_workload)
        return;
    showSettings(m_workload->settings());
}

void DemoControlsPanel::sampleHitRate()
{
    const qint64 now = m_clock.elapsed();
    const std::shared_ptr<Cache> cache = m_workload ? m_workload->cacheManager().cache(CachePurpose::Data) : nullptr;
    if (!cache) {
        m_samples.clear();
        m_sampledCache.reset();
        m_rateLabel->setText(m_workload ? tr("No Data cache in this demo") : tr("Demo stopped"));
        return;
    }
    const CacheCountersSnapshot counters = cache->counters().snapshot();
    const bool sameCache = m_sampledCache.lock() == cache;
    if (!sameCache ||
        (!m_samples.empty() && (counters.hits < m_samples.back().hits || counters.misses < m_samples.back().misses)))
        m_samples.clear();
    m_sampledCache = cache;
    m_samples.push_back({now, counters.hits, counters.misses});
    // Keep one sample at or before the window's start so the window is covered entirely.
    while (m_samples.size() > 2 && m_samples[1].ms <= now - kRecentWindowMs)
        m_samples.pop_front();

    const QString window = tr("Data cache, last %1 s:").arg(kRecentWindowMs / 1000);
    const Sample &first = m_samples.front();
    const Sample &last = m_samples.back();
    const quint64 hits = last.hits - first.hits;
    const quint64 reads = hits + (last.misses - first.misses);
    if (m_samples.size() < 2) {
        m_rateLabel->setText(window + QLatin1Char(' ') + tr("measuring…"));
        return;
    }
    if (reads == 0) {
        m_rateLabel->setText(window + QLatin1Char(' ') + tr("no reads"));
        return;
    }
    const double seconds = double(last.ms - first.ms) / 1000.0;
    const QString perSecond =
        seconds > 0 ? formatCount(quint64(std::llround(double(reads) / seconds))) : QStringLiteral("?");
    m_rateLabel->setText(window + QLatin1Char(' ') +
                         tr("<b>%1</b> hits · %2 reads/s").arg(formatPercent(double(hits) / double(reads)), perSecond));
}

} // namespace cachescope
