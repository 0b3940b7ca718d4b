#pragma once

#include "common/expected.h"
#include "hitrateseries.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

#include <memory>

namespace cachescope {

// One line of a HitRatePlot: which SeriesPoint value it draws and on which axis.
struct PlotSeries
{
    QString name;       // legend text, "Hit rate %"
    int valueIndex = 0; // SeriesPoint::v index
    bool rightAxis = false;
    QColor colour = {};      // invalid: the next colour of the plot's palette
    bool emphasized = false; // drawn above the other lines (the hit rate)
};

// A live time-series chart (QCustomPlot) following STYLE.md §6: points appended in time order,
// data older than the window dropped with removeBefore, one replot per frame from a timer, axis
// ranges from our own min/max, re-themed on palette changes. Pause, crosshair with values,
// legend click toggles a line, export PNG/PDF/CSV. QCustomPlot stays out of this header.
class HitRatePlot : public QWidget
{
    Q_OBJECT
public:
    explicit HitRatePlot(QWidget *parent = nullptr);
    ~HitRatePlot() override;

    // Several groups of series (e.g. one group per cache in the benchmark) share the axes.
    void setSeries(const QList<PlotSeries> &series, const QString &leftLabel, const QString &rightLabel,
                   int groups = 1);
    void setLeftAxisFixed(double lower, double upper); // hit rate: 0..100 %
    void setTitle(const QString &title);

    void appendPoint(const SeriesPoint &point, int group = 0); // time order; older points are dropped
    void setPoints(const QVector<SeriesPoint> &points, int group = 0);
    void clearData();

    // The window sets the display resolution: points are averaged into buckets so that there is
    // about one point per pixel column (1 s for 1-10 min, a few seconds for 1 h at normal widths).
    void setWindowSeconds(qint64 seconds);
    int bucketSeconds() const;
    qint64 windowSeconds() const;
    void setPaused(bool paused);
    bool isPaused() const;
    void setSeriesVisible(int series, bool visible);
    bool isSeriesVisible(int series) const;
    int seriesCount() const;
    int pointCount(int series, int group = 0) const;
    // Shaded "no answer" bands drawn for runs of gap points (every plotted value NaN).
    int gapCount() const;

    // Frames: the timer replots when data changed; replotNow() is the same frame, synchronously.
    void replotNow();
    int replotCount() const;
    // Crosshair at time t (seconds since the epoch): a vertical line and the values there.
    void setCrosshair(double t);
    void hideCrosshair();
    QString crosshairText() const;

    Expected<bool> exportPng(const QString &path, int width = 0, int height = 0);
    Expected<bool> exportPdf(const QString &path);
    Expected<bool> exportCsv(const QString &path) const; // the data in the window: time + one column per line
    Expected<bool> exportTo(const QString &path); // by suffix: .png, .pdf, .csv

Q_SIGNALS:
    void seriesVisibilityChanged(int series, bool visible);
    // The display resolution changed (window or width): points set before should be set again.
    void resolutionChanged();

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void frame();
    void applyTheme();
    void updateRanges();
    void updateBucket();
    void markGap(const SeriesPoint &point);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cachescope
