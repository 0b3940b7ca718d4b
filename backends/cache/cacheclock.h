#pragma once

#include <QDateTime>

#include <functional>

namespace cachescope {

// Wall clock in milliseconds since the Unix epoch. cachelib compares expiries with the float
// time.time(), so the local caches keep sub-second precision; tests inject a fake clock.
using CacheClock = std::function<qint64()>;

inline qint64 systemClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Python's int(time()) for a millisecond time (floor, also before 1970).
inline qint64 wholeSeconds(qint64 ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

} // namespace cachescope
