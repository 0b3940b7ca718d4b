#include "formatting.h"

#include <QDateTime>
#include <QRegularExpression>

namespace cachescope {

namespace {

QLocale englishDigits()
{
    QLocale locale(QLocale::English);
    locale.setNumberOptions(QLocale::DefaultNumberOptions); // with group separators
    return locale;
}

// Set once by the window before any model formats (runWindow); read on the GUI thread.
QLocale &displayLocaleRef()
{
    static QLocale locale = englishDigits();
    return locale;
}

} // namespace

void setDisplayLocale(const QLocale &locale)
{
    displayLocaleRef() = locale;
}

QLocale displayLocale()
{
    return displayLocaleRef();
}

QString formatBytes(qint64 bytes)
{
    return displayLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
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
    return displayLocale().toString(ratio * 100.0, 'f', 1) + QStringLiteral(" %");
}

QString formatCount(quint64 n)
{
    return displayLocale().toString(n);
}

QString formatTimeOfDay(qint64 msecsSinceEpoch)
{
    // The locale's long time format has the seconds a live view needs, and a time zone name it
    // does not ("HH:mm:ss t", "h:mm:ss AP t"): that is dropped.
    const QLocale locale = displayLocale();
    QString format = locale.timeFormat(QLocale::LongFormat);
    static const QRegularExpression zone(QStringLiteral("(^|\\s)t+(?=\\s|$)"));
    format.remove(zone);
    return locale.toString(QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).time(), format.trimmed());
}

} // namespace cachescope
