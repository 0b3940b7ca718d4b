#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

namespace cachescope {

// `cachescope config show FILE ...` as a pure function so tests can drive it in-process:
// arguments and the process environment in, exit status and output out.
struct ConfigCommandOutput
{
    int exitCode = 0;   // 0 loaded, 1 not loaded, 2 usage error
    QByteArray out;     // stdout
    QByteArray err;     // stderr
};

class ConfigCommandLine
{
public:
    static ConfigCommandOutput run(const QStringList &args, const QHash<QString, QString> &processEnvironment);
    static QByteArray usage();
};

} // namespace cachescope
