#pragma once

#include <QStyledItemDelegate>

namespace cachescope {

// Draws a hit-rate cell as a thin bar under its text, so good and bad caches stand out at a glance.
// Reads the ratio from the model's sort role (a number in 0..1; negative = no reads yet).
class HitRateDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    HitRateDelegate(int ratioRole, QObject *parent = nullptr);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_ratioRole;
};

} // namespace cachescope
