#include "formatting.h"

#include <QLocale>

namespace cachescope {

QString formatBytes(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

QString formatDuration(qint64 seconds)
{
    if (seconds == 0)
        return QStringLiteral("never");
    const bool negative = seconds < 0;
    qint64 s = negative ? -seconds : seconds;
    const qint64 d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    s %= 60;
    QString text;
    if (d)
        text = QStringLiteral("%1d %2h").arg(d).arg(h);
    else if (h)
        text = QStringLiteral("%1h %2m").arg(h).arg(m);
    else if (m)
        text = QStringLiteral("%1m %2s").arg(m).arg(s);
    else
        text = QStringLiteral("%1s").arg(s);
    return negative ? u'-' + text : text;
}

QString formatPercent(double ratio)
{
    return QString::number(ratio * 100.0, 'f', 1) + QStringLiteral(" %");
}

QString formatCount(quint64 n)
{
    QLocale locale(QLocale::English);
    locale.setNumberOptions(QLocale::DefaultNumberOptions);
    return locale.toString(n);
}

} // namespace cachescope
