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

} // namespace cachescope::test
