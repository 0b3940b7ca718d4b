#include "hitratedelegate.h"

#include <QPainter>

namespace cachescope {

namespace {
constexpr int kVerticalPadding = 8;
constexpr int kGap = 8;
}

HitRateDelegate::HitRateDelegate(int hitRateColumn, int ratioRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_column(hitRateColumn)
    , m_ratioRole(ratioRole)
{
}

QSize HitRateDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rheight() += kVerticalPadding;
    if (index.column() == m_column)
        size.rwidth() += kBarWidth + kGap;
    return size;
}

void HitRateDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    if (index.column() != m_column)
        return;
    bool ok = false;
    const double ratio = index.data(m_ratioRole).toDouble(&ok);
    if (!ok || ratio < 0)
        return;
    // The text is right-aligned; the bar sits at the left of the cell, clear of it.
    const int barHeight = std::max(6, option.fontMetrics.height() / 2);
    const QRect bar(option.rect.left() + 6, option.rect.center().y() - barHeight / 2 + 1,
                    std::min(kBarWidth, option.rect.width() - 12), barHeight);
    if (bar.width() <= 0)
        return;
    // Red below 50 %, amber below 80 %, green above: the usual reading of a cache hit rate.
    const QColor fill = ratio < 0.5 ? QColor(0xd9, 0x53, 0x4f) : ratio < 0.8 ? QColor(0xf0, 0xad, 0x4e)
                                                                              : QColor(0x5c, 0xb8, 0x5c);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    // The track is the cell's background moved a little toward its text colour: a faint groove on
    // light and dark palettes alike. (Mid.lighter() was near-white on a dark palette that leaves
    // Mid at its default, as many dark themes do.)
    const QColor base = option.palette.color(QPalette::Base), text = option.palette.color(QPalette::Text);
    constexpr double kTrack = 0.2;
    painter->setBrush(QColor::fromRgbF(float(base.redF() + (text.redF() - base.redF()) * kTrack),
                                       float(base.greenF() + (text.greenF() - base.greenF()) * kTrack),
                                       float(base.blueF() + (text.blueF() - base.blueF()) * kTrack)));
    painter->drawRoundedRect(bar, 2, 2);
    painter->setBrush(fill);
    painter->drawRoundedRect(QRect(bar.topLeft(), QSize(int(bar.width() * std::min(1.0, ratio)), bar.height())), 2, 2);
    painter->restore();
}

} // namespace cachescope
