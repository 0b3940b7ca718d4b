#pragma once

#include "common/expected.h"
#include "timeouts/timeouttable.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope {

class CacheManager;
class DemoWorkload;

// The embedded demo: its caches (in-process Simple caches and a FileSystemCache results backend
// in a temporary directory, removed at the end) and the workload that drives them. The caches
// come from the demo's own superset_config.py, read as CacheScope reads any config (so the
// Config page can show the very file they were built from). The workload is created stopped.
class DemoEnvironment
{
public:
    // configJson: the demo's knobs (resources/demo/demo-config.json: {"demo": {...}}).
    // supersetConfig: the text of resources/demo/superset_config.py; it is written into the
    // temporary directory and evaluated with SUPERSET_HOME set to that directory. A "caches"
    // member in configJson (the CacheManager JSON spec, ${TEMP} = the directory) is used instead
    // when present: tests describe small cache sets that way.
    static Expected<std::unique_ptr<DemoEnvironment>> create(const QByteArray &configJson, const QByteArray &supersetConfig = {});
    ~DemoEnvironment();

    CacheManager &manager() { return *m_manager; }
    DemoWorkload &workload() { return *m_workload; }
    QString directory() const { return m_dir.path(); }
    // The demo's superset_config.py on disk and the environment it was evaluated with; empty
    // when the caches came from JSON.
    QString configFile() const { return m_configFile; }
    QHash<QString, QString> configEnvironment() const;
    // The demo's Superset metadata database (SQLite, DemoMetadata): databases, datasets and
    // charts with their cache timeouts, for the Timeouts page; written at start.
    QString metadataFile() const { return m_metadataFile; }
    // What the demo's superset_config.py (or, for JSON-described test caches, the JSON) says about
    // timeouts: the chain's settings and each cache's default.
    const TimeoutConfig &timeoutConfig() const { return m_timeoutConfig; }
    const QList<CacheTimeoutRow> &cacheTimeoutRows() const { return m_cacheTimeoutRows; }

private:
    DemoEnvironment() = default;
    void readTimeouts(const QByteArray &json, const QList<CacheSpec> &specs);

    QTemporaryDir m_dir;
    QString m_configFile;
    QString m_metadataFile;
    TimeoutConfig m_timeoutConfig;
    QList<CacheTimeoutRow> m_cacheTimeoutRows;
    std::unique_ptr<CacheManager> m_manager;
    std::unique_ptr<DemoWorkload> m_workload; // last: stopped before the caches go away
};

} // namespace cachescope
