#pragma once

#include <QStyledItemDelegate>

namespace cachescope {

// The overview table's delegate: gives every row some air, and draws the hit-rate column as a
// small bar beside its text so good and bad caches stand out at a glance. The ratio comes from
// ratioRole (a number in 0..1; negative = no reads yet, no bar).
class HitRateDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    HitRateDelegate(int hitRateColumn, int ratioRole, QObject *parent = nullptr);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static constexpr int kBarWidth = 56;

private:
    int m_column;
    int m_ratioRole;
};

} // namespace cachescope
