#include "demoenvironment.h"

#include "demoworkload.h"

#include "cache/cachemanager.h"
#include "config/configloader.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace cachescope {

DemoEnvironment::~DemoEnvironment()
{
    if (m_workload)
        m_workload->stop();
}

QHash<QString, QString> DemoEnvironment::configEnvironment() const
{
    return {{QStringLiteral("SUPERSET_HOME"), m_dir.path()}};
}

Expected<std::unique_ptr<DemoEnvironment>> DemoEnvironment::create(const QByteArray &configJson, const QByteArray &supersetConfig)
{
    std::unique_ptr<DemoEnvironment> env(new DemoEnvironment);
    if (!env->m_dir.isValid())
        return makeError(QStringLiteral("demo: cannot create a temporary directory: %1").arg(env->m_dir.errorString()));

    const QJsonObject root = QJsonDocument::fromJson(configJson).object();
    QList<CacheSpec> specs;
    if (root.contains(QStringLiteral("caches")) || supersetConfig.isEmpty()) {
        auto fromJson = CacheManager::specsFromJson(configJson, {{QStringLiteral("TEMP"), env->m_dir.path()}});
        if (!fromJson)
            return makeError(QStringLiteral("demo config: %1").arg(fromJson.error()));
        specs = *fromJson;
    } else {
        // The file Superset would load, in the directory that stands for SUPERSET_HOME.
        const QString path = QDir(env->m_dir.path()).filePath(QStringLiteral("superset_config.py"));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(supersetConfig) != supersetConfig.size() || !file.commit())
            return makeError(QStringLiteral("demo: cannot write %1: %2").arg(path, file.errorString()));
        env->m_configFile = path;
        ConfigLoader::Options options;
        options.environment = env->configEnvironment();
        const ConfigReport report = ConfigLoader::loadFile(path, options);
        if (!report.loaded)
            return makeError(QStringLiteral("demo superset_config.py: %1").arg(report.error));
        specs = report.caches;
    }
    auto manager = CacheManager::create(specs);
    if (!manager)
        return makeError(QStringLiteral("demo config: %1").arg(manager.error()));
    env->m_manager = std::move(*manager);

    // The "demo" member is optional.
    const QJsonObject demo = root.value(QStringLiteral("demo")).toObject();
    auto settings = DemoSettings::fromJson(demo);
    if (!settings)
        return makeError(QStringLiteral("demo config: %1").arg(settings.error()));
    // The threshold knob starts where the config put the Data cache, so a UI shows the real value.
    if (settings->threshold == 0) {
        if (const auto data = env->m_manager->spec(CachePurpose::Data))
            settings->threshold = data->threshold;
    }
    env->m_workload = std::make_unique<DemoWorkload>(*env->m_manager, *settings);
    return env;
}

} // namespace cachescope
