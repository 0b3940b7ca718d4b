#pragma once

#include "demo/demosettings.h"
#include "demo/demoworkload.h"

#include <QElapsedTimer>
#include <QFrame>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace cachescope {

class Cache;

// The presenter's knobs for the embedded demo: simulated users, chart popularity skew, chart
// data timeout and the Data cache's size threshold. Each knob is a slider (coarse, debounced so
// a drag does not rebuild the Data cache at every step) beside a spin box (exact, applied at
// once). Beside them, the Data cache's hit rate over the last few seconds, so the effect of a
// knob shows within seconds instead of being diluted in the cumulative rate.
class DemoControlsPanel : public QFrame
{
    Q_OBJECT
public:
    static constexpr int kMaxUsers = 64;
    static constexpr double kMaxSkew = 2.5;
    static constexpr int kDebounceMs = 200;
    static constexpr int kRecentWindowMs = 5000;

    // The workload is not owned; the panel goes quiet if it is destroyed first.
    explicit DemoControlsPanel(DemoWorkload *workload, QWidget *parent = nullptr);
    ~DemoControlsPanel() override;

    DemoWorkload *workload() const { return m_workload; }

    // What the controls show (applied, or about to be once the debounce ends).
    DemoSettings shownSettings() const;
    // The settings the workload had when the panel was created; reset() returns to them.
    DemoSettings initialSettings() const { return m_initial; }
    // "Data cache, last 5 s: 83.1% hits · 310 reads/s" (or why there is no rate yet).
    QString recentHitRateText() const;

    QSlider *usersSlider() const { return m_usersSlider; }
    QSpinBox *usersSpin() const { return m_usersSpin; }
    QSlider *skewSlider() const { return m_skewSlider; }
    QDoubleSpinBox *skewSpin() const { return m_skewSpin; }
    QSlider *timeoutSlider() const { return m_timeoutSlider; }
    QSpinBox *timeoutSpin() const { return m_timeoutSpin; }
    QSlider *thresholdSlider() const { return m_thresholdSlider; }
    QSpinBox *thresholdSpin() const { return m_thresholdSpin; }
    QPushButton *resetButton() const { return m_resetButton; }

public Q_SLOTS:
    // Back to initialSettings(), applied at once.
    void reset();
    // Applies what the controls show now (ends a pending debounce).
    void applyNow();

Q_SIGNALS:
    // The workload was given the shown settings (emitted after each apply that changed something).
    void settingsApplied();

private:
    void buildUi();
    void onSliderMoved(const std::function<void()> &showInSpinBox);
    void onSpinChanged();
    void showSettings(const DemoSettings &settings);
    void syncSlidersToSpins();
    void onWorkloadSettingsChanged();
    void sampleHitRate();

    struct Sample
    {
        qint64 ms = 0;
        quint64 hits = 0;
        quint64 misses = 0;
    };

    QPointer<DemoWorkload> m_workload;
    DemoSettings m_initial;
    bool m_thresholdAdjustable = false;
    bool m_updating = false; // set while the panel writes its own controls

    QSlider *m_usersSlider = nullptr;
    QSpinBox *m_usersSpin = nullptr;
    QSlider *m_skewSlider = nullptr;
    QDoubleSpinBox *m_skewSpin = nullptr;
    QSlider *m_timeoutSlider = nullptr;
    QSpinBox *m_timeoutSpin = nullptr;
    QSlider *m_thresholdSlider = nullptr;
    QSpinBox *m_thresholdSpin = nullptr;
    QPushButton *m_resetButton = nullptr;
    QLabel *m_rateLabel = nullptr;

    QTimer m_debounce;
    QTimer m_sampleTimer;
    QElapsedTimer m_clock;
    std::deque<Sample> m_samples;
    std::weak_ptr<Cache> m_sampledCache; // a rebuilt Data cache starts its counts afresh
};

} // namespace cachescope
