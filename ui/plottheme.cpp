#include "plottheme.h"

// qcustomplot.h uses `foreach`, which QT_NO_FOREACH removes; a range-for stand-in, local to this file.
#define foreach(variable, container) for (variable : container)
#include <qcustomplot.h>
#undef foreach

namespace cachescope::plottheme {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor gridColour(const QPalette &palette)
{
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlpha(isDark(palette) ? 90 : 70);
    return grid;
}

QColor forBackground(QColor c, bool dark)
{
    return dark ? QColor::fromHsl(c.hslHue(), c.hslSaturation(), qMax(c.lightness(), 165)) : c;
}

void applyFrame(QCustomPlot *plot, const QPalette &palette, std::initializer_list<QCPAxis *> axes)
{
    const QColor text = palette.color(QPalette::WindowText);
    const QColor base = palette.color(QPalette::Base);
    const QColor grid = gridColour(palette);
    plot->setBackground(palette.brush(QPalette::Window));
    plot->axisRect()->setBackground(base);
    for (QCPAxis *axis : axes) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    QColor legend = base;
    legend.setAlpha(210); // the lines behind it still show
    plot->legend->setBrush(legend);
    plot->legend->setBorderPen(QPen(grid));
    plot->legend->setTextColor(text);
}

} // namespace cachescope::plottheme
