#pragma once

// Header-only: what the benchmarks read about themselves (Linux). On a shared machine wall time
// also counts other processes' turns, so the GUI benchmarks judge frames by this thread's CPU
// time and print the load average beside their figures.
#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <ctime>
#include <unistd.h>

namespace cachescope::test {

// The process's resident set in bytes (0 when /proc cannot be read).
inline qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.value(1).toLongLong() * sysconf(_SC_PAGESIZE);
}

inline qint64 clockNs(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
inline qint64 threadCpuNs() { return clockNs(CLOCK_THREAD_CPUTIME_ID); }
inline qint64 processCpuNs() { return clockNs(CLOCK_PROCESS_CPUTIME_ID); }
inline qint64 monotonicNs() { return clockNs(CLOCK_MONOTONIC); }

// "1.06 1.65 1.85": the 1, 5 and 15 minute load averages, or "?".
inline QByteArray loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().split(' ').mid(0, 3).join(' ') : QByteArray("?");
}

} // namespace cachescope::test
