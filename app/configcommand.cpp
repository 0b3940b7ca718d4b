#include "configcommand.h"

#include "config/configcommandline.h"

#include <QProcessEnvironment>

#include <cstdio>

namespace cachescope {

int runConfigCommand(const QStringList &args)
{
    QHash<QString, QString> env;
    const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
    for (const QString &k : pe.keys())
        env.insert(k, pe.value(k));
    const ConfigCommandOutput o = ConfigCommandLine::run(args, env);
    std::fwrite(o.out.constData(), 1, size_t(o.out.size()), stdout);
    std::fwrite(o.err.constData(), 1, size_t(o.err.size()), stderr);
    std::fflush(stdout);
    return o.exitCode;
}

} // namespace cachescope
