#pragma once

#include <QLocale>
#include <QString>

namespace cachescope {

// Display text shared by every model, so sizes, rates and durations read the same everywhere.
// Numbers and times follow the display locale: English digits ("1,234,567", "87.3 %") unless the
// window set the user's (setDisplayLocale at start). The command line never sets it, so its text
// and JSON output do not change with LANG. Sizes are always in binary units (KiB, MiB).
void setDisplayLocale(const QLocale &locale);
QLocale displayLocale();

QString formatBytes(qint64 bytes);          // "1.5 KiB"
QString formatDuration(qint64 seconds);     // "never" for 0, "1d 2h", "5m 3s", "42s"
QString formatPercent(double ratio);        // 0.873 -> "87.3 %"
QString formatCount(quint64 n);             // 1234567 -> "1,234,567"
QString formatTimeOfDay(qint64 msecsSinceEpoch); // local time with seconds: "14:03:27", "2:03:27 PM"

} // namespace cachescope
