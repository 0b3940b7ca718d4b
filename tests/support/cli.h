#pragma once

#include <QByteArray>
#include <QStringList>

namespace cachescope::test {

// What the cachescope executable printed and how it ended.
struct CliResult
{
    int exitCode = -1; // -1 when it crashed or had to be killed
    QByteArray out;
    QByteArray err;
};

// Runs the cachescope executable CTest names in CACHESCOPE_BINARY with args, feeds it stdinData
// and closes its stdin, and waits at most timeoutMs before killing it. The one way CLI tests run
// the program as a user does.
CliResult runCli(const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 180000);

} // namespace cachescope::test
