#include "capacityplot.h"

#include "capacityplanner.h"
#include "plottheme.h"

// qcustomplot.h uses `foreach`, which QT_NO_FOREACH removes; a range-for stand-in, local to this file.
#define foreach(variable, container) for (variable : container)
#include <qcustomplot.h>
#undef foreach

#include <QEvent>
#include <QVBoxLayout>

namespace cachescope {

namespace {

// Blue curve, green LRU, vermillion what-if, pink and orange markers.
const QColor &kCurve = plottheme::kBlue;
const QColor &kLru = plottheme::kGreen;
const QColor &kWhatIf = plottheme::kVermillion;
const QColor &kCurrent = plottheme::kPink;
const QColor &kRecommended = plottheme::kOrange;
using plottheme::forBackground;

} // namespace

struct CapacityPlot::Private
{
    QCustomPlot *plot = nullptr;
    QCPTextElement *title = nullptr;
    QCPGraph *curve = nullptr, *upper = nullptr, *lower = nullptr, *lru = nullptr, *whatIf = nullptr;
    QCPGraph *currentDot = nullptr, *recommendedDot = nullptr, *whatIfDot = nullptr, *observed = nullptr;
    QList<QCPItemText *> labels;
    QCPItemStraightLine *currentLine = nullptr;
    double scale = 1;
    QStringList markerTexts;
};

CapacityPlot::CapacityPlot(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    d->plot = new QCustomPlot(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->plot);
    d->plot->plotLayout()->insertRow(0);
    d->title = new QCPTextElement(d->plot, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    d->plot->plotLayout()->addElement(0, 0, d->title);
    d->plot->yAxis->setRange(0, 1);
    d->plot->yAxis->setLabel(tr("hit ratio"));
    d->plot->legend->setVisible(true);
    // The legend goes below the axes, in columns: inside them it hid the marker labels of the
    // flat right-hand part of a curve, where the current configuration usually sits.
    d->plot->axisRect()->insetLayout()->take(d->plot->legend);
    d->plot->plotLayout()->addElement(2, 0, d->plot->legend);
    d->plot->plotLayout()->setRowStretchFactor(2, 0.001);
    d->plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    d->plot->legend->setWrap(3); // four columns clip their text below ~700 px (a report page)
    d->plot->legend->setMargins(QMargins(4, 2, 4, 2));
    setMinimumSize(320, 220);
    rebuild();
}

CapacityPlot::~CapacityPlot() = default;

std::pair<double, QString> CapacityPlot::axisScale(double maxSize, SizeUnit unit)
{
    const QString what = unit == SizeUnit::Keys      ? QStringLiteral("keys")
                       : unit == SizeUnit::Bytes      ? QStringLiteral("key + value bytes")
                                                      : QStringLiteral("Redis memory");
    if (unit == SizeUnit::Keys)
        return {1.0, tr("cache size (%1)").arg(what)};
    static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double scale = 1;
    int i = 0;
    while (maxSize / scale >= 2048 && i < 4) {
        scale *= 1024;
        ++i;
    }
    return {scale, tr("cache size (%1, %2)").arg(QLatin1String(names[i]), what)};
}

void CapacityPlot::setContent(const Content &content)
{
    m_content = content;
    rebuild();
}

void CapacityPlot::clear()
{
    m_content = {};
    rebuild();
}

void CapacityPlot::setWhatIfMarker(const std::optional<Marker> &marker)
{
    m_content.whatIfPoint = marker;
    rebuild();
}

int CapacityPlot::curvePointCount() const
{
    return d->curve ? d->curve->dataCount() : 0;
}

bool CapacityPlot::hasBand() const
{
    return d->upper && d->upper->dataCount() > 0;
}

QString CapacityPlot::markerText() const
{
    return d->markerTexts.join(QStringLiteral(" | "));
}

void CapacityPlot::rebuild()
{
    QCustomPlot *plot = d->plot;
    plot->clearGraphs();
    plot->clearItems();
    d->labels.clear();
    d->markerTexts.clear();
    d->upper = d->lower = d->lru = d->whatIf = nullptr;
    d->currentDot = d->recommendedDot = d->whatIfDot = d->observed = nullptr;
    d->currentLine = nullptr;
    const Content &c = m_content;
    d->title->setText(c.title);
    double maxSize = 1;
    for (const CurvePoint &p : c.curve)
        maxSize = qMax(maxSize, double(p.size));
    for (const std::optional<Marker> &m : {c.current, c.recommended, c.whatIfPoint})
        if (m)
            maxSize = qMax(maxSize, m->size);
    const auto [scale, label] = axisScale(maxSize, c.unit);
    d->scale = scale;
    plot->xAxis->setLabel(label);
    plot->xAxis->setRange(0, maxSize / scale * 1.04);

    auto line = [&](const QList<CurvePoint> &points, const QString &name, double offset) {
        QCPGraph *g = plot->addGraph();
        g->setName(name);
        QVector<double> x, y;
        x.append(0);
        y.append(0); // an empty cache hits nothing
        for (const CurvePoint &p : points) {
            x.append(double(p.size) / scale);
            y.append(qBound(0.0, p.hitRatio + offset * p.band, 1.0));
        }
        g->setData(x, y, true);
        return g;
    };
    if (c.band && !c.curve.isEmpty()) {
        d->upper = line(c.curve, QString(), 1);
        plot->legend->removeItem(plot->legend->itemCount() - 1); // one legend entry for the band: the lower edge's
        d->lower = line(c.curve, tr("sampling band (≈95 %)"), -1);
        d->lower->setChannelFillGraph(d->upper);
    }
    if (!c.lru.isEmpty())
        d->lru = line(c.lru, tr("ideal LRU"), 0);
    d->curve = line(c.curve, c.curveName.isEmpty() ? tr("hit ratio") : c.curveName, 0);
    if (!c.whatIf.isEmpty())
        d->whatIf = line(c.whatIf, tr("what-if"), 0);
    if (c.observed && std::isfinite(*c.observed)) {
        d->observed = plot->addGraph();
        d->observed->setName(tr("hit ratio seen in the trace"));
        d->observed->setData({0, maxSize / scale * 1.04}, {*c.observed, *c.observed}, true);
    }
    auto marker = [&](const std::optional<Marker> &m, QCPScatterStyle::ScatterShape shape, const QString &name,
                      double yOffset) -> QCPGraph * {
        if (!m)
            return nullptr;
        QCPGraph *g = plot->addGraph();
        g->setName(name);
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shape, 11));
        g->setData({m->size / scale}, {m->hitRatio}, true);
        auto *text = new QCPItemText(plot);
        text->position->setCoords(m->size / scale, qBound(0.04, m->hitRatio + yOffset, 0.97));
        text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignVCenter);
        text->setText(m->label);
        text->setPadding(QMargins(3, 1, 3, 1));
        d->labels.append(text);
        d->markerTexts << m->label;
        return g;
    };
    if (c.current) {
        d->currentLine = new QCPItemStraightLine(plot);
        d->currentLine->point1->setCoords(c.current->size / scale, 0);
        d->currentLine->point2->setCoords(c.current->size / scale, 1);
    }
    d->currentDot = marker(c.current, QCPScatterStyle::ssDisc, tr("current configuration"), -0.07);
    d->recommendedDot = marker(c.recommended, QCPScatterStyle::ssDiamond, tr("recommended"), 0.07);
    d->whatIfDot = marker(c.whatIfPoint, QCPScatterStyle::ssCrossCircle, tr("what-if"), -0.14);
    applyTheme();
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void CapacityPlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyTheme();
}

void CapacityPlot::applyTheme()
{
    const QPalette pal = palette();
    const bool dark = plottheme::isDark(pal);
    const QColor text = pal.color(QPalette::WindowText);
    plottheme::applyFrame(d->plot, pal, {d->plot->xAxis, d->plot->yAxis});
    d->title->setTextColor(text);
    auto pen = [&](QColor c, Qt::PenStyle style = Qt::SolidLine) {
        QPen p(forBackground(c, dark), 2, style);
        return p;
    };
    if (d->curve)
        d->curve->setPen(pen(kCurve));
    if (d->upper && d->lower) {
        QColor fill = forBackground(kCurve, dark);
        fill.setAlpha(55);
        d->upper->setPen(Qt::NoPen);
        d->lower->setPen(Qt::NoPen);
        d->lower->setBrush(fill); // filled up to the upper edge (channel fill)
    }
    if (d->lru)
        d->lru->setPen(pen(kLru, Qt::DashLine));
    if (d->whatIf)
        d->whatIf->setPen(pen(kWhatIf, Qt::DashDotLine));
    if (d->observed) {
        QColor c = text;
        c.setAlpha(140);
        d->observed->setPen(QPen(c, 1, Qt::DotLine));
    }
    for (auto [g, colour] : {std::pair{d->currentDot, kCurrent}, std::pair{d->recommendedDot, kRecommended},
                             std::pair{d->whatIfDot, kWhatIf}})
        if (g) {
            QCPScatterStyle s = g->scatterStyle();
            s.setPen(QPen(forBackground(colour, dark), 2));
            s.setBrush(forBackground(colour, dark));
            g->setScatterStyle(s);
            g->setPen(QPen(forBackground(colour, dark), 2));
        }
    if (d->currentLine) {
        QColor c = forBackground(kCurrent, dark);
        c.setAlpha(160);
        d->currentLine->setPen(QPen(c, 1, Qt::DashLine));
    }
    for (QCPItemText *t : std::as_const(d->labels)) {
        t->setColor(text);
        QColor bg = pal.color(QPalette::Base);
        bg.setAlpha(225);
        t->setBrush(bg);
        t->setPen(QPen(plottheme::gridColour(pal)));
    }
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

QImage CapacityPlot::toImage(int width, int height, double scale)
{
    // A raster at `scale` pixels per logical pixel: the layout (legend columns, tick labels) is
    // computed with the same font metrics it is drawn with. Replaying a vector recording (QPicture)
    // on a 150-dpi PDF page measured the legend's text on the screen and drew it wider, clipped.
    return d->plot->toPixmap(width, height, scale).toImage();
}

CapacityPlot::Content capacityPlotContent(const CapacityCacheState &s, const CapacityWhatIfAnswer *whatIf,
                                          std::optional<CapacityPlot::Marker> whatIfPoint)
{
    CapacityPlot::Content c;
    c.title = QObject::tr("%1 · %2").arg(s.info.name, s.current.known ? s.current.description
                                                                   : QObject::tr("configuration not in the trace"));
    c.unit = s.curve.unit;
    c.curve = s.curve.points;
    c.curveName = QObject::tr("%1 (%2)").arg(policyName(s.curve.policy), s.curve.method);
    c.band = s.curve.sampleRate < 1.0;
    if (s.lru)
        c.lru = s.lru->points;
    if (whatIf && whatIf->curve)
        c.whatIf = whatIf->curve->points;
    if (s.current.known && s.current.size > 0 && s.current.unit == s.curve.unit) {
        const double h = s.curve.hitRatioAt(s.current.size);
        c.current = CapacityPlot::Marker{double(s.current.size), h,
                                         QObject::tr("now: %1 → %2").arg(formatSize(double(s.current.size), c.unit)).arg(h, 0, 'f', 2)};
    }
    if (!s.curve.points.isEmpty())
        c.recommended = CapacityPlot::Marker{double(s.recommendation.size), s.recommendation.hitRatio,
                                             QObject::tr("recommended: %1 → %2")
                                                 .arg(formatSize(double(s.recommendation.size), c.unit))
                                                 .arg(s.recommendation.hitRatio, 0, 'f', 2)};
    c.whatIfPoint = whatIfPoint;
    const double observed = s.analysis.profile.observedHitRatio();
    if (std::isfinite(observed))
        c.observed = observed;
    return c;
}

struct CapacityWorkloadChart::Private
{
    QCustomPlot *plot = nullptr;
    QCPTextElement *title = nullptr;
    int items = 0;
};

CapacityWorkloadChart::CapacityWorkloadChart(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    d->plot = new QCustomPlot(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->plot);
    d->plot->plotLayout()->insertRow(0);
    d->title = new QCPTextElement(d->plot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    d->plot->plotLayout()->addElement(0, 0, d->title);
    setMinimumHeight(160);
}

CapacityWorkloadChart::~CapacityWorkloadChart() = default;

int CapacityWorkloadChart::itemCount() const
{
    return d->items;
}

void CapacityWorkloadChart::setBars(const QString &title, const QStringList &labels, const QList<double> &values,
                                    const QString &valueLabel)
{
    QCustomPlot *plot = d->plot;
    plot->clearPlottables();
    d->title->setText(title);
    d->title->setTextColor(palette().color(QPalette::WindowText));
    auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
    QVector<double> ticks;
    QVector<QString> names;
    QVector<double> v;
    double top = 1;
    for (qsizetype i = 0; i < labels.size() && i < values.size(); ++i) {
        ticks.append(double(i + 1));
        names.append(labels[i]);
        v.append(values[i]);
        top = qMax(top, values[i]);
    }
    bars->setData(ticks, v, true);
    bars->setWidth(0.7);
    const QColor c = forBackground(kCurve, plottheme::isDark(palette()));
    bars->setPen(QPen(c));
    QColor fill = c;
    fill.setAlpha(160);
    bars->setBrush(fill);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTicks(ticks, names);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(labels.size() > 6 ? 30 : 0);
    plot->xAxis->setLabel(QString());
    plot->xAxis->setRange(0.3, double(labels.size()) + 0.7);
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot->yAxis->setLabel(valueLabel);
    plot->yAxis->setRange(0, top * 1.1);
    plottheme::applyFrame(plot, palette(), {plot->xAxis, plot->yAxis});
    d->items = int(ticks.size());
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void CapacityWorkloadChart::setLine(const QString &title, const QList<double> &x, const QList<double> &y,
                                    const QString &xLabel, const QString &yLabel)
{
    QCustomPlot *plot = d->plot;
    plot->clearPlottables();
    d->title->setText(title);
    d->title->setTextColor(palette().color(QPalette::WindowText));
    QCPGraph *g = plot->addGraph();
    g->setData(QVector<double>(x.begin(), x.end()), QVector<double>(y.begin(), y.end()), true);
    g->setPen(QPen(forBackground(kCurve, plottheme::isDark(palette())), 2));
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot->xAxis->setTickLabelRotation(0);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    double top = 1;
    for (double v : y)
        top = qMax(top, v);
    plot->xAxis->setRange(x.isEmpty() ? 0 : x.first(), x.isEmpty() ? 1 : qMax(x.last(), x.first() + 1));
    plot->yAxis->setRange(0, top * 1.1);
    plottheme::applyFrame(plot, palette(), {plot->xAxis, plot->yAxis});
    d->items = int(x.size());
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace cachescope
