#pragma once

#include "capacity/mrc.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

class QImage;

namespace cachescope {

// A miss-ratio curve chart (QCustomPlot, kept out of this header): hit ratio against cache size
// for one cache, its own policy's curve with the sampling band, ideal LRU and a what-if curve
// beside it, and markers for the current configuration, the recommendation and the what-if
// point. Re-themed on palette changes like HitRatePlot; renders into any QPainter (the report).
class CapacityPlot : public QWidget
{
    Q_OBJECT
public:
    struct Marker
    {
        double size = 0;
        double hitRatio = 0;
        QString label;
    };
    struct Content
    {
        QString title;
        SizeUnit unit = SizeUnit::Keys;
        QString curveName;
        QList<CurvePoint> curve;
        bool band = false;
        QList<CurvePoint> lru;
        QList<CurvePoint> whatIf;
        std::optional<Marker> current, recommended, whatIfPoint;
        std::optional<double> observed; // hit ratio the trace recorded
    };

    explicit CapacityPlot(QWidget *parent = nullptr);
    ~CapacityPlot() override;

    void setContent(const Content &content);
    const Content &content() const { return m_content; }
    // Moves only the what-if marker (slider feedback before the replay answers).
    void setWhatIfMarker(const std::optional<Marker> &marker);
    void clear();

    int curvePointCount() const;   // points of the main curve drawn (tests)
    bool hasBand() const;
    QString markerText() const;    // the markers' labels, in order (tests)

    // The chart as it looks at width x height (logical pixels), drawn `scale` times as fine.
    QImage toImage(int width, int height, double scale = 1.0);
    // The x-axis scale: sizes are divided by this and the axis says in what.
    static std::pair<double, QString> axisScale(double maxSize, SizeUnit unit);

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void applyTheme();
    struct Private;
    std::unique_ptr<Private> d;
    Content m_content;
};

struct CapacityCacheState;
struct CapacityWhatIfAnswer;

// What the chart of one cache shows, from the planner's state (the page and the report share it).
CapacityPlot::Content capacityPlotContent(const CapacityCacheState &state, const CapacityWhatIfAnswer *whatIf = nullptr,
                                          std::optional<CapacityPlot::Marker> whatIfPoint = std::nullopt);

// The workload behind a curve: bars (histograms) or a line over time, one at a time.
class CapacityWorkloadChart : public QWidget
{
    Q_OBJECT
public:
    explicit CapacityWorkloadChart(QWidget *parent = nullptr);
    ~CapacityWorkloadChart() override;
    void setBars(const QString &title, const QStringList &labels, const QList<double> &values, const QString &valueLabel);
    void setLine(const QString &title, const QList<double> &x, const QList<double> &y, const QString &xLabel,
                 const QString &yLabel);
    int itemCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cachescope
