#pragma once

#include <QDateTime>

#include <functional>

#ifdef Q_OS_LINUX
#include <time.h>
#endif

namespace cachescope {

// Wall clock in milliseconds since the Unix epoch. cachelib compares expiries with the float
// time.time(), so the local caches keep sub-second precision; tests inject a fake clock.
using CacheClock = std::function<qint64()>;

inline qint64 systemClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// The same wall clock from the kernel's tick-granular copy (1-4 ms resolution): a few ns
// instead of ~80 ns on a VM, which matters for an in-process cache whose whole call is ~100 ns.
// Expiries have one-second granularity, so the tick error is immaterial.
inline qint64 coarseClockMs()
{
#ifdef Q_OS_LINUX
    timespec ts;
    if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
        return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
#endif
    return systemClockMs();
}

// Python's int(time()) for a millisecond time (floor, also before 1970).
inline qint64 wholeSeconds(qint64 ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

// Expiry tests on integer seconds against a millisecond clock, without overflow for any
// qint64 expiry (legacy headers are arbitrary pickled ints). `nowMs` is assumed >= 0.
// Python: expires > time()
inline bool expiresAfter(qint64 expires, qint64 nowMs)
{
    return expires > nowMs / 1000;
}
// Python: expires >= time()
inline bool expiresAtOrAfter(qint64 expires, qint64 nowMs)
{
    return expires >= (nowMs + 999) / 1000;
}
// Python: expires < time()
inline bool expiredBefore(qint64 expires, qint64 nowMs)
{
    return expires < (nowMs + 999) / 1000;
}
// Whole seconds left, rounded up: ceil(expires - time()).
inline qint64 secondsLeft(qint64 expires, qint64 nowMs)
{
    return expires - nowMs / 1000;
}

} // namespace cachescope
