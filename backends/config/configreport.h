#pragma once

#include "cache/cachespec.h"
#include "configevaluator.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace cachescope {

// Everything known about one superset_config.py after safe evaluation: the module namespace,
// each cache's resolved spec, and the findings (evaluation problems plus the doctor's).
struct ConfigReport
{
    std::shared_ptr<py::ValueHeap> heap;  // first member: released last, after everything using its values
    QString fileName;
    QString source;                       // the main file's text (for the GUI)
    bool loaded = false;                  // false: syntax error, uncaught exception, exit() or a limit
    QString error;
    SourceSpan errorSpan;
    std::shared_ptr<py::Scope> globals;   // module-level names in definition order
    QList<CacheSpec> caches;              // resolved specs, in allPurposes() order (Results/GAQ only if set)
    std::vector<py::Diagnostic> diagnostics;
    std::vector<py::EnvRead> envReads;
    QStringList importedModules;
    QStringList evaluatedFiles;

    // Environment variables read but not set (the GUI offers them as fields), first read wins.
    QList<py::EnvRead> unsetEnvironment() const;
    // The value of a module-level name, or null.
    py::ValuePtr setting(const QString &name) const;
    SourceSpan settingSpan(const QString &name) const;
};

} // namespace cachescope
