#include "hitrateplot.h"

#include "formatting.h"
#include "plottheme.h"

// qcustomplot.h uses `foreach`, which QT_NO_FOREACH removes; a range-for stand-in, local to this file.
#define foreach(variable, container) for (variable : container)
#include <qcustomplot.h>
#undef foreach

#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QPalette>
#include <QSaveFile>
#include <QTextStream>
#include <QTimer>
#include <QResizeEvent>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace cachescope {

namespace {

// Colours that read on light and dark backgrounds alike (Okabe-Ito palette, colour-blind safe).
const QColor kSeriesColours[] = {plottheme::kBlue, plottheme::kGreen,  plottheme::kVermillion,
                                 plottheme::kPink, plottheme::kOrange, plottheme::kSky};

} // namespace

struct HitRatePlot::Private
{
    QCustomPlot *plot = nullptr;
    QCPTextElement *title = nullptr;
    QCPItemStraightLine *crosshair = nullptr;
    QCPItemText *crosshairLabel = nullptr;
    QTimer frameTimer;
    QList<PlotSeries> series;
    int groups = 1;
    QList<QCPGraph *> graphs; // group-major: graphs[group * series.size() + s]
    QList<bool> visible;
    qint64 window = 600;
    double newest = 0;        // newest key seen
    qint64 bucket = 1;        // seconds per plotted point
    // Mean of the samples in the newest display bucket of one group.
    struct Bucket
    {
        qint64 start = std::numeric_limits<qint64>::min();
        int count = 0;
        double sums[4] = {0, 0, 0, 0};
        int finite[4] = {0, 0, 0, 0};
        void add(const SeriesPoint &p)
        {
            ++count;
            for (int i = 0; i < 4; ++i)
                if (std::isfinite(p.v[i])) {
                    sums[i] += double(p.v[i]);
                    ++finite[i];
                }
        }
        double mean(int i) const
        {
            return finite[i] ? sums[i] / finite[i] : std::numeric_limits<double>::quiet_NaN();
        }
    };
    QList<Bucket> buckets; // per group
    bool dirty = false;
    bool paused = false;
    bool leftFixed = false;
    double leftLower = 0, leftUpper = 100;
    int replots = 0;
    double crosshairKey = std::numeric_limits<double>::quiet_NaN();
    // Shaded bands where the source did not answer (gap points: every plotted value NaN), so an
    // outage reads as an outage and not as a quiet stretch. The last one is open while it lasts.
    QList<QCPItemRect *> gapBands;
    bool gapOpen = false;

    QCPGraph *graph(int group, int s) const { return graphs.value(group * int(series.size()) + s); }
};

HitRatePlot::HitRatePlot(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    d->plot = new QCustomPlot(this);
    layout->addWidget(d->plot);
    d->plot->setNoAntialiasingOnDrag(true);
    // Dense lines (more than a point per pixel) are drawn aliased: the raster engine's antialiased
    // path is ~10x slower and at that density antialiasing is not visible anyway.
    d->plot->setNotAntialiasedElements(QCP::aePlottables);
    d->plot->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    d->plot->setMinimumHeight(120);
    d->plot->setLocale(displayLocale()); // axis numbers and day names as in the rest of the window
    setAccessibleName(tr("Chart")); // the page names each chart; setTitle describes it

    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    ticker->setDateTimeSpec(Qt::LocalTime);
    d->plot->xAxis->setTicker(ticker);
    d->plot->yAxis2->setVisible(true);
    d->plot->legend->setVisible(true);
    d->plot->legend->setSelectableParts(QCPLegend::spItems);
    // The legend goes in a row under the chart, one line wide, so it never hides data.
    d->plot->axisRect()->insetLayout()->take(d->plot->legend);
    auto *legendRow = new QCPLayoutGrid;
    d->plot->plotLayout()->addElement(1, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, d->plot->legend);
    d->plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    d->plot->plotLayout()->setRowStretchFactor(1, 0.001);
    // The emphasized line above the others, crosshair items above everything.
    d->plot->addLayer(QStringLiteral("emphasis"), d->plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    d->plot->addLayer(QStringLiteral("crosshair"), d->plot->layer(QStringLiteral("emphasis")), QCustomPlot::limAbove);

    d->crosshair = new QCPItemStraightLine(d->plot);
    d->crosshair->setVisible(false);
    d->crosshair->setSelectable(false);
    d->crosshair->setLayer(QStringLiteral("crosshair"));
    d->crosshairLabel = new QCPItemText(d->plot);
    d->crosshairLabel->setVisible(false);
    d->crosshairLabel->setSelectable(false);
    d->crosshairLabel->setLayer(QStringLiteral("crosshair"));
    d->crosshairLabel->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
    d->crosshairLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    d->crosshairLabel->setPadding(QMargins(4, 2, 4, 2));
    d->crosshairLabel->setTextAlignment(Qt::AlignLeft);

    connect(d->plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *) {
                auto *pi = qobject_cast<QCPPlottableLegendItem *>(item);
                if (!pi)
                    return;
                const int index = int(d->graphs.indexOf(qobject_cast<QCPGraph *>(pi->plottable())));
                if (index >= 0)
                    setSeriesVisible(index % int(d->series.size()), !isSeriesVisible(index % int(d->series.size())));
            });
    connect(d->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        if (!d->plot->axisRect()->rect().contains(event->position().toPoint())) {
            hideCrosshair();
            return;
        }
        setCrosshair(d->plot->xAxis->pixelToCoord(event->position().x()));
    });

    // One replot per frame at most (~30 Hz), only when something changed.
    d->frameTimer.setInterval(33);
    connect(&d->frameTimer, &QTimer::timeout, this, &HitRatePlot::frame);
    d->frameTimer.start();
    applyTheme();
}

HitRatePlot::~HitRatePlot() = default;

void HitRatePlot::setSeries(const QList<PlotSeries> &series, const QString &leftLabel, const QString &rightLabel,
                            int groups)
{
    d->plot->clearGraphs();
    d->graphs.clear();
    d->series = series;
    d->groups = qMax(1, groups);
    d->buckets = QList<Private::Bucket>(d->groups);
    d->visible = QList<bool>(series.size(), true);
    for (int g = 0; g < d->groups; ++g) {
        for (int s = 0; s < series.size(); ++s) {
            QCPGraph *graph = d->plot->addGraph(d->plot->xAxis, series[s].rightAxis ? d->plot->yAxis2 : d->plot->yAxis);
            graph->setName(series[s].name);
            graph->setAdaptiveSampling(true);
            graph->setLineStyle(QCPGraph::lsLine);
            graph->setSelectable(QCP::stNone);
            if (series[s].emphasized)
                graph->setLayer(QStringLiteral("emphasis"));
            if (g > 0)
                graph->removeFromLegend(); // one legend entry per series, not per group
            d->graphs.append(graph);
        }
    }
    d->plot->yAxis->setLabel(leftLabel);
    d->plot->yAxis2->setLabel(rightLabel);
    applyTheme();
    d->dirty = true;
}

void HitRatePlot::setLeftAxisFixed(double lower, double upper)
{
    d->leftFixed = true;
    d->leftLower = lower;
    d->leftUpper = upper;
    d->dirty = true;
}

void HitRatePlot::setTitle(const QString &title)
{
    setAccessibleDescription(title); // a screen reader says which cache or server it shows
    if (!d->title) {
        d->plot->plotLayout()->insertRow(0);
        d->title = new QCPTextElement(d->plot, title, QFont(font().family(), font().pointSize(), QFont::Bold));
        d->plot->plotLayout()->addElement(0, 0, d->title);
    } else {
        d->title->setText(title);
    }
    applyTheme();
    d->dirty = true;
}

void HitRatePlot::markGap(const SeriesPoint &point)
{
    bool gap = true;
    for (const PlotSeries &s : std::as_const(d->series))
        gap = gap && std::isnan(point.v[s.valueIndex]);
    if (!gap) {
        d->gapOpen = false;
        return;
    }
    const double from = double(point.t), to = double(point.t) + 1;
    if (d->gapOpen && !d->gapBands.isEmpty()) {
        d->gapBands.last()->bottomRight->setCoords(to, 1);
        return;
    }
    auto *band = new QCPItemRect(d->plot);
    band->setLayer(QStringLiteral("grid")); // under the lines
    band->setSelectable(false);
    band->setPen(Qt::NoPen);
    band->setBrush(QColor(128, 128, 128, 60));
    band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band->topLeft->setCoords(from, 0);
    band->bottomRight->setCoords(to, 1);
    d->gapBands.append(band);
    d->gapOpen = true;
}

int HitRatePlot::gapCount() const
{
    return int(d->gapBands.size());
}

void HitRatePlot::appendPoint(const SeriesPoint &point, int group)
{
    if (group < 0 || group >= d->groups || d->series.isEmpty())
        return;
    if (group == 0)
        markGap(point);
    const qint64 bucket = d->bucket > 1 ? point.t - point.t % d->bucket : point.t;
    Private::Bucket &acc = d->buckets[group];
    if (acc.start == bucket) {
        // Same display bucket: the newest plotted point becomes the mean so far (no new point).
        acc.add(point);
        for (int s = 0; s < d->series.size(); ++s) {
            auto data = d->graph(group, s)->data();
            if (!data->isEmpty())
                (data->end() - 1)->value = acc.mean(d->series[s].valueIndex);
        }
        d->dirty = true;
        return;
    }
    if (bucket < acc.start)
        return; // time order only: QCPDataContainer::add is O(1) when appending
    acc = Private::Bucket{};
    acc.start = bucket;
    acc.add(point);
    const double key = double(bucket);
    for (int s = 0; s < d->series.size(); ++s) {
        auto data = d->graph(group, s)->data();
        data->add(QCPGraphData(key, acc.mean(d->series[s].valueIndex)));
        // Keep a little more than the window so a line enters from the left edge, not mid-plot.
        data->removeBefore(key - double(d->window) * 1.05 - 60);
    }
    while (!d->gapBands.isEmpty() && d->gapBands.first()->bottomRight->coords().x() < key - double(d->window) * 1.05 - 60)
        d->plot->removeItem(d->gapBands.takeFirst());
    d->newest = qMax(d->newest, double(point.t));
    d->dirty = true;
}

void HitRatePlot::setPoints(const QVector<SeriesPoint> &points, int group)
{
    if (group < 0 || group >= d->groups)
        return;
    for (int s = 0; s < d->series.size(); ++s)
        d->graph(group, s)->data()->clear();
    d->buckets[group] = Private::Bucket{};
    if (group == 0) {
        for (QCPItemRect *band : std::as_const(d->gapBands))
            d->plot->removeItem(band);
        d->gapBands.clear();
        d->gapOpen = false;
    }
    for (const SeriesPoint &p : points)
        appendPoint(p, group);
}

int HitRatePlot::bucketSeconds() const
{
    return int(d->bucket);
}

void HitRatePlot::updateBucket()
{
    // At most about one point per pixel column: above that, noisy lines turn into solid vertical
    // bands that cost the raster engine millions of pixels and tell the reader nothing more.
    // The axis rect is laid out only at the next replot; the widget width minus both axes is close.
    const int width = qMax(200, this->width() - 130);
    const qint64 bucket = qMax<qint64>(1, (d->window + width - 1) / width);
    if (bucket != d->bucket) {
        d->bucket = bucket;
        Q_EMIT resolutionChanged();
    }
}

void HitRatePlot::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateBucket();
}

void HitRatePlot::clearData()
{
    for (QCPGraph *g : std::as_const(d->graphs))
        g->data()->clear();
    for (QCPItemRect *band : std::as_const(d->gapBands))
        d->plot->removeItem(band);
    d->gapBands.clear();
    d->gapOpen = false;
    d->buckets.fill(Private::Bucket{});
    d->newest = 0;
    d->dirty = true;
}

void HitRatePlot::setWindowSeconds(qint64 seconds)
{
    d->window = qMax<qint64>(10, seconds);
    updateBucket();
    auto ticker = qSharedPointerCast<QCPAxisTickerDateTime>(d->plot->xAxis->ticker());
    if (ticker)
        ticker->setDateTimeFormat(seconds > 3600 ? QStringLiteral("ddd HH:mm") : QStringLiteral("HH:mm:ss"));
    d->dirty = true;
}

qint64 HitRatePlot::windowSeconds() const
{
    return d->window;
}

void HitRatePlot::setPaused(bool paused)
{
    d->paused = paused;
    d->dirty = true;
}

bool HitRatePlot::isPaused() const
{
    return d->paused;
}

void HitRatePlot::setSeriesVisible(int series, bool visible)
{
    if (series < 0 || series >= d->series.size())
        return;
    d->visible[series] = visible;
    for (int g = 0; g < d->groups; ++g) {
        QCPGraph *graph = d->graph(g, series);
        graph->setVisible(visible);
    }
    applyTheme(); // greys out the legend entry
    d->dirty = true;
    Q_EMIT seriesVisibilityChanged(series, visible);
}

bool HitRatePlot::isSeriesVisible(int series) const
{
    return d->visible.value(series, false);
}

int HitRatePlot::seriesCount() const
{
    return int(d->series.size());
}

int HitRatePlot::pointCount(int series, int group) const
{
    QCPGraph *graph = d->graph(group, series);
    return graph ? graph->data()->size() : 0;
}

void HitRatePlot::updateRanges()
{
    const double right = d->newest > 0 ? d->newest : double(QDateTime::currentSecsSinceEpoch());
    d->plot->xAxis->setRange(right, double(d->window), Qt::AlignRight);
    d->plot->xAxis2->setRange(d->plot->xAxis->range());
    // Our own min/max over the visible window: cheaper and steadier than rescaleAxes() per frame.
    double leftMax = 0, rightMax = 0;
    const double from = right - double(d->window);
    for (int i = 0; i < d->graphs.size(); ++i) {
        QCPGraph *graph = d->graphs[i];
        if (!graph->visible())
            continue;
        const bool onRight = graph->valueAxis() == d->plot->yAxis2;
        double &m = onRight ? rightMax : leftMax;
        auto data = graph->data();
        for (auto it = data->findBegin(from, false); it != data->constEnd(); ++it)
            if (std::isfinite(it->value) && it->value > m)
                m = it->value;
    }
    if (d->leftFixed)
        d->plot->yAxis->setRange(d->leftLower, d->leftUpper);
    else
        d->plot->yAxis->setRange(0, leftMax > 0 ? leftMax * 1.15 : 1.0);
    d->plot->yAxis2->setRange(0, rightMax > 0 ? rightMax * 1.15 : 1.0);
}

void HitRatePlot::frame()
{
    if (!d->dirty || d->paused || !isVisible())
        return;
    replotNow();
}

void HitRatePlot::replotNow()
{
    updateRanges();
    d->plot->replot(QCustomPlot::rpImmediateRefresh);
    d->dirty = false;
    ++d->replots;
}

int HitRatePlot::replotCount() const
{
    return d->replots;
}

void HitRatePlot::setCrosshair(double t)
{
    d->crosshairKey = t;
    d->crosshair->point1->setCoords(t, 0);
    d->crosshair->point2->setCoords(t, 1);
    QStringList lines{formatTimeOfDay(qint64(std::llround(t)) * 1000)};
    for (int s = 0; s < d->series.size(); ++s) {
        if (!d->visible[s])
            continue;
        QCPGraph *graph = d->graph(0, s);
        auto data = graph->data();
        if (data->isEmpty())
            continue;
        auto it = data->findBegin(t, true);
        if (it == data->constEnd())
            --it;
        // The nearer of the two neighbouring points.
        auto next = it + 1;
        if (next != data->constEnd() && std::abs(next->key - t) < std::abs(it->key - t))
            it = next;
        const QString value = std::isnan(it->value) ? QStringLiteral("–") : QString::number(it->value, 'f', 1);
        lines.append(d->series[s].name % QStringLiteral(": ") % value);
    }
    d->crosshairLabel->setText(lines.join(u'\n'));
    const double ratio = (t - d->plot->xAxis->range().lower) / qMax(1e-9, d->plot->xAxis->range().size());
    // The label sits right of the line, or left of it near the right edge.
    d->crosshairLabel->setPositionAlignment(ratio > 0.7 ? (Qt::AlignTop | Qt::AlignRight) : (Qt::AlignTop | Qt::AlignLeft));
    d->crosshairLabel->position->setCoords(ratio > 0.7 ? ratio - 0.01 : ratio + 0.01, 0.02);
    d->crosshair->setVisible(true);
    d->crosshairLabel->setVisible(true);
    d->dirty = true;
    if (d->paused) // a paused plot still follows the mouse
        d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void HitRatePlot::hideCrosshair()
{
    if (!d->crosshair->visible())
        return;
    d->crosshair->setVisible(false);
    d->crosshairLabel->setVisible(false);
    d->crosshairKey = std::numeric_limits<double>::quiet_NaN();
    d->dirty = true;
}

QString HitRatePlot::crosshairText() const
{
    return d->crosshairLabel->visible() ? d->crosshairLabel->text() : QString();
}

Expected<bool> HitRatePlot::exportPng(const QString &path, int width, int height)
{
    updateRanges();
    if (!d->plot->savePng(path, width, height))
        return makeError(QStringLiteral("cannot write the chart to %1").arg(path));
    return true;
}

Expected<bool> HitRatePlot::exportPdf(const QString &path)
{
    updateRanges();
    if (!d->plot->savePdf(path))
        return makeError(QStringLiteral("cannot write the chart to %1").arg(path));
    return true;
}

Expected<bool> HitRatePlot::exportCsv(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QTextStream out(&file);
    out << "time";
    for (int g = 0; g < d->groups; ++g)
        for (const PlotSeries &s : std::as_const(d->series))
            out << ',' << (d->groups > 1 ? QStringLiteral("%1 #%2").arg(s.name).arg(g + 1) : s.name);
    out << '\n';
    // Rows keyed by time across all graphs (they share time stamps).
    QMap<double, QList<double>> rows;
    const double from = d->newest - double(d->window);
    const qsizetype columns = d->graphs.size();
    for (qsizetype i = 0; i < columns; ++i) {
        auto data = d->graphs[i]->data();
        for (auto it = data->findBegin(from, false); it != data->constEnd(); ++it) {
            auto &row = rows[it->key];
            if (row.isEmpty())
                row = QList<double>(columns, std::numeric_limits<double>::quiet_NaN());
            row[i] = it->value;
        }
    }
    for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
        out << QDateTime::fromSecsSinceEpoch(qint64(it.key()), Qt::UTC).toString(Qt::ISODate);
        for (double v : it.value())
            out << ',' << (std::isnan(v) ? QString() : QString::number(v, 'g', 10));
        out << '\n';
    }
    out.flush();
    if (!file.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

Expected<bool> HitRatePlot::exportTo(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"png")
        return exportPng(path);
    if (suffix == u"pdf")
        return exportPdf(path);
    if (suffix == u"csv")
        return exportCsv(path);
    return makeError(QStringLiteral("cannot export to %1: use .png, .pdf or .csv").arg(path));
}

void HitRatePlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyTheme();
}

void HitRatePlot::applyTheme()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    plottheme::applyFrame(d->plot, pal, {d->plot->xAxis, d->plot->yAxis, d->plot->xAxis2, d->plot->yAxis2});
    for (QCPAxis *axis : {d->plot->xAxis, d->plot->yAxis, d->plot->xAxis2, d->plot->yAxis2})
        axis->grid()->setZeroLinePen(Qt::NoPen);
    d->plot->xAxis2->setVisible(false);
    d->plot->yAxis->grid()->setVisible(true);
    d->plot->yAxis2->grid()->setVisible(false);
    if (d->title)
        d->title->setTextColor(text);
    const bool dark = plottheme::isDark(pal);
    for (int i = 0; i < d->graphs.size(); ++i) {
        const int s = i % qMax<int>(1, int(d->series.size()));
        const int g = i / qMax<int>(1, int(d->series.size()));
        const PlotSeries &series = d->series[s];
        QColor c = series.colour.isValid() && d->groups == 1
                       ? series.colour
                       : kSeriesColours[(s + g * int(d->series.size())) % std::size(kSeriesColours)];
        c = plottheme::forBackground(c, dark);
        // 1 px cosmetic pens only: the raster engine's fast path. A 2 px line went through the
        // stroker and cost 30x more per replot (bench_plot), so emphasis is colour and layer.
        QPen pen(c, 1);
        pen.setCosmetic(true);
        d->graphs[i]->setPen(pen);
    }
    for (int s = 0; s < d->series.size(); ++s) {
        if (QCPAbstractLegendItem *item = d->plot->legend->itemWithPlottable(d->graph(0, s))) {
            QColor c = text;
            if (!d->visible.value(s, true))
                c.setAlpha(90);
            item->setTextColor(c);
        }
    }
    QColor crosshair = text;
    crosshair.setAlpha(150);
    d->crosshair->setPen(QPen(crosshair, 1, Qt::DashLine));
    d->crosshairLabel->setColor(text);
    d->crosshairLabel->setBrush(pal.color(QPalette::Base)); // opaque: the values must stay readable over dense lines
    d->crosshairLabel->setPen(QPen(plottheme::gridColour(pal)));
    d->dirty = true;
}

} // namespace cachescope
