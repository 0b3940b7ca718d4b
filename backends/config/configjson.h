#pragma once

#include "configreport.h"

#include <QByteArray>

namespace cachescope {

// JSON for `cachescope config show --json`: {"settings", "caches", "diagnostics"}. Values use the
// foundation's encoding (valuejson.h) plus __call__, __class__, __timedelta__, __unknown__ and
// __import__ (an imported class that is not called). Dict key order is kept. Secrets are "***".
class ConfigJson
{
public:
    struct Options
    {
        bool showSecrets = false;
        bool all = false; // every module-level data name, not only the cache-related ones
    };
    static QByteArray report(const ConfigReport &report, const Options &options);
    static QByteArray value(const py::ValuePtr &value, bool showSecrets, const QString &name = {});
    static QByteArray spec(const CacheSpec &spec, bool showSecrets);
    // The settings printed without --all.
    static const QStringList &cacheSettingNames();
    // Whether a setting, dict key or keyword of this name holds a secret.
    static bool isSecretName(const QString &name);
    static QString maskUrlPassword(const QString &text);
};

} // namespace cachescope
