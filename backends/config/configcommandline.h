#pragma once

#include "common/expected.h"
#include "configloader.h"
#include "redis/redisurl.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

namespace cachescope {

class ConfigCommandLine
{
public:
    // The options that decide what os.environ holds while a config is evaluated, shared by every
    // command that loads a superset_config.py (config show, keys --config, stats --config, ...)
    // so they all read the same file the same way. The command line fills it
    // (CommandLine::addEnvironmentOptions in app/commandline.h).
    struct EnvironmentArgs
    {
        bool noProcessEnv = false;
        QHash<QString, QString> overrides; // --env K=V, applied last
        QStringList envFiles;              // --env-file F, in order
        QStringList pythonPath;            // --pythonpath DIR

        // The loader's options: the process environment (unless --no-process-env), then each
        // env file, then the --env overrides. Fails naming an unreadable or malformed env file.
        Expected<ConfigLoader::Options> loaderOptions(const QHash<QString, QString> &processEnvironment) const;
    };
    static QHash<QString, QString> systemEnvironment();

    // For commands that act on the caches of a config: the report of FILE if it loaded, otherwise
    // an error naming the file and the reason (URL passwords masked).
    static Expected<ConfigReport> loadForCommand(const QString &file, const ConfigLoader::Options &options);
    // The spec of one purpose, named as in the config (DATA_CACHE_CONFIG, results_backend, ...);
    // an unknown name lists the valid ones, an unset purpose says so.
    static Expected<CacheSpec> cacheSpec(const ConfigReport &report, const QString &purposeName);
    // The Redis server of a RedisCache spec as Flask-Caching connects to it: CACHE_REDIS_URL wins
    // over host/port, CACHE_REDIS_DB applies when the URL names no DB.
    static Expected<RedisUrl> redisUrl(const CacheSpec &spec);

    // `config show`'s readable text: the caches and the doctor's findings (passwords masked
    // unless showSecrets).
    static QByteArray humanReport(const ConfigReport &report, bool showSecrets);
};

} // namespace cachescope
