#include "python.h"

#include "process.h"

#include <QDir>
#include <QFileInfo>

namespace cachescope::test {

QString pythonExecutable()
{
    const QString configured = qEnvironmentVariable("CACHESCOPE_PYTHON");
    if (!configured.isEmpty())
        return configured;
    if (QFileInfo::exists(QStringLiteral("/usr/bin/python3")))
        return QStringLiteral("/usr/bin/python3");
    return QStringLiteral("python3");
}

Expected<QByteArray> runPython(const QString &script, const QStringList &args, const QByteArray &stdinData,
                               int timeoutMs)
{
    ProcessOptions options;
    options.stdinData = stdinData;
    options.removeEnvironment = {QStringLiteral("PYTHONPATH"), QStringLiteral("PYTHONHOME")};
    options.timeoutMs = timeoutMs;
    return runProcess(pythonExecutable(), QStringList{QStringLiteral("-c"), script} + args, options);
}

QString sourcePath(const QString &relative)
{
    QString root = qEnvironmentVariable("CACHESCOPE_SOURCE_DIR");
    if (root.isEmpty())
        root = QStringLiteral(CACHESCOPE_SOURCE_DIR_FALLBACK);
    return QDir(root).filePath(relative);
}

QString pythonIsoDate()
{
    return QStringLiteral(R"PY(
import re as _re
import numpy as _np
def iso_date(secs, nanos):
    days, sod = divmod(secs, 86400)  # Python ints: no overflow whatever secs is
    m = _re.match(r"^(-?\d+)-(\d\d)-(\d\d)$", str(_np.datetime64(days, "D")))
    y = int(m.group(1))
    year = "%04d" % y if 0 <= y <= 9999 else ("-" if y < 0 else "+") + "%04d" % abs(y)
    out = "%s-%s-%sT%02d:%02d:%02d" % (year, m.group(2), m.group(3), sod // 3600, sod // 60 % 60, sod % 60)
    if nanos:
        out += ".%06d" % (nanos // 1000) if nanos % 1000 == 0 else ".%09d" % nanos
    return out
)PY");
}

} // namespace cachescope::test
