#pragma once

// What the hit-rate and capacity charts share: the Okabe-Ito colours (colour-blind safe), lines
// that stay readable on dark backgrounds, and the chart's frame (background, axes, grid, legend)
// drawn in the widget's own palette, so a theme switch restyles both alike.

#include <QColor>
#include <QPalette>

#include <initializer_list>

class QCPAxis;
class QCustomPlot;

namespace cachescope::plottheme {

inline const QColor kBlue{0x00, 0x72, 0xB2};
inline const QColor kGreen{0x00, 0x9E, 0x73};
inline const QColor kVermillion{0xD5, 0x5E, 0x00};
inline const QColor kPink{0xCC, 0x79, 0xA7};
inline const QColor kOrange{0xE6, 0x9F, 0x00};
inline const QColor kSky{0x56, 0xB4, 0xE9};

bool isDark(const QPalette &palette);
// The grid's dotted lines and the frames of labels on the chart.
QColor gridColour(const QPalette &palette);
// `c` lightened to at least mid-grey on a dark background, to read there.
QColor forBackground(QColor c, bool dark);
// Background, the axes' pens and labels, their dotted grids and the legend in `palette`'s colours.
void applyFrame(QCustomPlot *plot, const QPalette &palette, std::initializer_list<QCPAxis *> axes);

} // namespace cachescope::plottheme
