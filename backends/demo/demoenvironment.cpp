#include "demoenvironment.h"

#include "demoworkload.h"

#include "cache/cachemanager.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace cachescope {

DemoEnvironment::~DemoEnvironment()
{
    if (m_workload)
        m_workload->stop();
}

Expected<std::unique_ptr<DemoEnvironment>> DemoEnvironment::create(const QByteArray &configJson)
{
    std::unique_ptr<DemoEnvironment> env(new DemoEnvironment);
    if (!env->m_dir.isValid())
        return makeError(QStringLiteral("demo: cannot create a temporary directory: %1").arg(env->m_dir.errorString()));

    auto specs = CacheManager::specsFromJson(configJson, {{QStringLiteral("TEMP"), env->m_dir.path()}});
    if (!specs)
        return makeError(QStringLiteral("demo config: %1").arg(specs.error()));
    auto manager = CacheManager::create(*specs);
    if (!manager)
        return makeError(QStringLiteral("demo config: %1").arg(manager.error()));
    env->m_manager = std::move(*manager);

    // The "demo" member is optional; the caches parsed above prove the text is a JSON object.
    const QJsonObject demo = QJsonDocument::fromJson(configJson).object().value(QStringLiteral("demo")).toObject();
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
