#pragma once

#include <QString>

namespace cachescope {

// Display text shared by every model, so sizes, rates and durations read the same everywhere.
QString formatBytes(qint64 bytes);          // "1.5 KiB"
QString formatDuration(qint64 seconds);     // "never" for 0, "1d 2h", "5m 3s", "42s"
QString formatPercent(double ratio);        // 0.873 -> "87.3 %"
QString formatCount(quint64 n);             // 1234567 -> "1,234,567"

} // namespace cachescope
