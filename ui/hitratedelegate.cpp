#include "hitratedelegate.h"

#include <QPainter>

namespace cachescope {

HitRateDelegate::HitRateDelegate(int ratioRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_ratioRole(ratioRole)
{
}

void HitRateDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    bool ok = false;
    const double ratio = index.data(m_ratioRole).toDouble(&ok);
    if (!ok || ratio < 0)
        return;
    const QRect area = option.rect.adjusted(4, option.rect.height() - 5, -4, -2);
    if (area.width() <= 0 || area.height() <= 0)
        return;
    // Red below 50 %, amber below 80 %, green above: the usual reading of a cache hit rate.
    const QColor fill = ratio < 0.5 ? QColor(0xd9, 0x53, 0x4f) : ratio < 0.8 ? QColor(0xf0, 0xad, 0x4e)
                                                                              : QColor(0x5c, 0xb8, 0x5c);
    painter->save();
    painter->setPen(Qt::NoPen);
    painter->setBrush(option.palette.color(QPalette::Midlight));
    painter->drawRect(area);
    painter->setBrush(fill);
    painter->drawRect(QRect(area.topLeft(), QSize(int(area.width() * std::min(1.0, ratio)), area.height())));
    painter->restore();
}

} // namespace cachescope
