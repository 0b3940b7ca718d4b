#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace cachescope::test {

// Debian's python3 (with python3-cachelib, -flask-caching, -pandas, -msgpack), not a pyenv one.
QString pythonExecutable();

// Runs `python3 -c script args...` with stdin; returns stdout, or an error naming the exit
// status and stderr. Used to prove byte compatibility against the real libraries.
Expected<QByteArray> runPython(const QString &script, const QStringList &args = {}, const QByteArray &stdinData = {},
                               int timeoutMs = 120000);

// Python source defining iso_date(secs, nanos): the ISO 8601 text CacheScope renders for an
// instant (years 0000-9999 as four digits, otherwise signed, at least four; fraction as 6 or 9
// digits), the calendar computed by numpy. Prepend it to a runPython script.
QString pythonIsoDate();

// Absolute path of a file in the source tree (CACHESCOPE_SOURCE_DIR is set by CTest).
QString sourcePath(const QString &relative);

} // namespace cachescope::test
