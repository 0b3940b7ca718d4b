#pragma once

#include "capacityreport.h"
#include "common/expected.h"

#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTableView;
class QTabWidget;
class QToolButton;

namespace cachescope {

class CapacityPlanner;
class CapacityPlot;
class CapacityWorkloadChart;

// The Capacity page: every cache of a request trace (the live capture of the embedded demo, or a
// trace file), the selected cache's miss-ratio curve with its current configuration marked, the
// recommendation, what-if knobs (policy, size, timeouts, value cap) whose prediction follows a
// slider at once (read off the curve, then replayed off the GUI thread), the workload behind the
// curve, and a one-click report (PDF, PNG per cache, CSV). It only reads the CapacityPlanner.
class CapacityPage : public QWidget
{
    Q_OBJECT
public:
    explicit CapacityPage(CapacityPlanner *planner, QWidget *parent = nullptr);
    ~CapacityPage() override;

    // The live source to return to after a file was opened (the app's capture).
    void setLiveSource(const QString &description, std::function<void()> start);

    CapacityPlanner *planner() const { return m_planner; }
    CapacityPlot *plot() const { return m_plot; }
    QTableView *table() const { return m_table; }
    QSlider *sizeSlider() const { return m_size; }
    QSlider *timeoutSlider() const { return m_timeout; }
    QComboBox *policyBox() const { return m_policy; }
    QString whatIfText() const;
    QString recommendationText() const;
    QString sourceText() const;

    // Sets the what-if size (the slider follows) and the timeout scale, as a user would.
    void setWhatIfSize(quint64 size);
    void setTimeoutScale(double scale);

    // Writes <base>.pdf, <base>-<cache>.png per cache and <base>.csv. The pages are drawn on
    // this thread (QPainter needs it), the bytes written on the thread pool: reportWritten or
    // errorOccurred follows.
    void writeReport(const QString &basePath);

protected:
    // The planner's live refreshes follow the page's visibility (a hidden page costs no CPU).
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

Q_SIGNALS:
    void reportWritten(const cachescope::CapacityReportFiles &files);
    void errorOccurred(const QString &message);

private:
    void onCachesUpdated();
    void onWhatIfUpdated();
    void onSizeSliderMoved(int value);
    void applySize(quint64 size);
    void onKnobsChanged();
    void updatePlot();
    void updateWorkload();
    void fillPolicies();
    quint64 sliderToSize(int value) const;
    int sizeToSlider(quint64 size) const;
    double timeoutScale() const;
    void openTraceInteractively();
    void saveTraceInteractively();
    void reportInteractively();

    CapacityPlanner *m_planner;
    QLabel *m_source;
    QToolButton *m_live;
    QLabel *m_busy;
    QTableView *m_table;
    CapacityPlot *m_plot;
    QLabel *m_recommendation;
    QTabWidget *m_tabs;
    QComboBox *m_policy;
    QSlider *m_size;
    QLabel *m_sizeLabel;
    QSlider *m_timeout;
    QLabel *m_timeoutLabel;
    QSpinBox *m_cap;
    QLabel *m_result;
    QLabel *m_growth;
    QComboBox *m_workloadView;
    CapacityWorkloadChart *m_workloadChart;
    QLabel *m_workloadText;
    QLabel *m_assumptions;
    std::function<void()> m_startLive;
    QString m_liveDescription;
    quint64 m_sizeMin = 1, m_sizeMax = 100;
    bool m_updatingKnobs = false;
    std::optional<double> m_pendingReadOff; // the slider's immediate estimate, until the replay answers
};

} // namespace cachescope
