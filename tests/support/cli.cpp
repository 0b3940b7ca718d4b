#include "cli.h"

#include <QProcess>
#include <QtGlobal>

namespace cachescope::test {

CliResult runCli(const QStringList &args, const QByteArray &stdinData, int timeoutMs)
{
    if (qEnvironmentVariableIsEmpty("CACHESCOPE_BINARY"))
        qFatal("CACHESCOPE_BINARY is not set: run this test through ctest, or set it to build/app/cachescope");
    QProcess process;
    process.start(qEnvironmentVariable("CACHESCOPE_BINARY"), args);
    if (!process.waitForStarted())
        return {-1, {}, process.errorString().toUtf8()};
    process.write(stdinData);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

} // namespace cachescope::test
