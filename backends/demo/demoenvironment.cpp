#include "demoenvironment.h"

#include "demometadata.h"
#include "demoworkload.h"

#include "cache/cachemanager.h"
#include "config/configloader.h"
#include "timeouts/backendexpiry.h"
#include "timeouts/timeouttable.h"

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
        env->readTimeouts(configJson, specs);
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
        env->m_timeoutConfig = TimeoutConfig::fromReport(report);
        env->m_cacheTimeoutRows = cachescope::cacheTimeoutRows(report); // the free function, not the getter
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

    // SUPERSET_HOME/superset.db: where Superset's default SQLALCHEMY_DATABASE_URI points.
    DemoMetadata metadata;
    metadata.workloadCharts = settings->charts;
    metadata.variants = DemoWorkload::kChartVariants;
    metadata.chartTable = &DemoWorkload::chartTable;
    metadata.chartDataKey = &DemoWorkload::chartDataKey;
    metadata.recordedTimeout = settings->chartTimeout;
    env->m_metadataFile = env->m_dir.filePath(QStringLiteral("superset.db"));
    if (auto written = metadata.write(env->m_metadataFile); !written)
        return makeError(written.error());
    return env;
}

namespace {

// The 1-based line where `"name"` first appears in the JSON text (0: nowhere): the demo's file is
// one setting per line, so this is where a timeout was set.
int lineOf(const QByteArray &json, const QString &name)
{
    const qsizetype at = json.indexOf(QByteArray('"' + name.toUtf8() + '"'));
    return at < 0 ? 0 : int(json.left(at).count('\n')) + 1;
}

} // namespace

void DemoEnvironment::readTimeouts(const QByteArray &json, const QList<CacheSpec> &specs)
{
    const QJsonObject config = QJsonDocument::fromJson(json).object();
    // The demo's JSON stands in for a superset_config.py: its top-level CACHE_DEFAULT_TIMEOUT and
    // DATA_CACHE_CONFIG's own one are the chain's config links, each cache's default its row.
    const QString file = QStringLiteral("demo-config.json");
    if (const QJsonValue v = config.value(QStringLiteral("CACHE_DEFAULT_TIMEOUT")); v.isDouble()) {
        m_timeoutConfig.cacheDefaultTimeout = qint64(v.toDouble());
        m_timeoutConfig.cacheDefaultFromFile = true;
        m_timeoutConfig.cacheDefaultAt = SourceRef{file, lineOf(json, QStringLiteral("CACHE_DEFAULT_TIMEOUT")), 0};
    }
    const QJsonObject caches = config.value(QStringLiteral("caches")).toObject();
    for (const CacheSpec &spec : specs) {
        const QJsonValue own = caches.value(purposeConfigName(spec.purpose)).toObject().value(QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
        CacheTimeoutRow row;
        row.purpose = spec.purpose;
        row.backend = spec.backend;
        row.effective = spec.defaultTimeout;
        if (own.isDouble()) {
            row.own = qint64(own.toDouble());
            row.source = purposeConfigName(spec.purpose);
            row.at = SourceRef{file, lineOf(json, row.source), 0};
        } else {
            row.source = QStringLiteral("default");
        }
        row.meaning = noneZeroMinusOneMeaning(spec.backend, spec.defaultTimeout);
        m_cacheTimeoutRows << row;
        if (spec.purpose == CachePurpose::Data) {
            m_timeoutConfig.dataBackend = spec.backend;
            if (row.own) {
                m_timeoutConfig.dataCacheDefaultTimeout = row.own;
                m_timeoutConfig.dataCacheAt = row.at;
            }
        }
    }
}

} // namespace cachescope
