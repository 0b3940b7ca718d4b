#pragma once

#include "configreport.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace cachescope {

// Loads a superset_config.py without running it: parse, evaluate safely with the injected
// environment, resolve every cache purpose as Flask-Caching and Superset would, run the doctor.
class ConfigLoader
{
public:
    struct Options
    {
        QHash<QString, QString> environment; // what os.environ holds during evaluation
        QStringList pythonPath;              // extra directories for "from X import *" of sibling modules
        qint64 maxSteps = 3'000'000;         // evaluation budget (a fuzzer lowers it)
    };

    static ConfigReport loadFile(const QString &path, const Options &options);
    static ConfigReport loadSource(const QString &source, const QString &fileName, const Options &options);

    // Fills the typed specs from an evaluated namespace (used by loadFile; public for tests).
    // environment is what os.environ held (SUPERSET_HOME decides Superset's default metadata URI).
    static QList<CacheSpec> resolveCaches(const ConfigReport &report, const QHash<QString, QString> &environment = {});
};

} // namespace cachescope
