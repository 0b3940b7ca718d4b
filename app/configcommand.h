#pragma once

#include <QByteArray>
#include <QHash>
#include <QStringList>

namespace cachescope {

// `cachescope config show FILE [--json] [--show-secrets] [--all] [--env K=V]...`: loads a
// superset_config.py without running it and prints its caches and the doctor's findings.
int runConfigCommand(const QStringList &args);

// The same as a pure function, so tests drive it in-process: arguments and the process
// environment in, exit status (0 loaded, 1 not loaded, 2 usage error) and output out.
struct ConfigCommandOutput
{
    int exitCode = 0;
    QByteArray out; // stdout
    QByteArray err; // stderr
};
ConfigCommandOutput runConfigCommand(const QStringList &args, const QHash<QString, QString> &processEnvironment);

} // namespace cachescope
