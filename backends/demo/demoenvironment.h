#pragma once

#include "common/expected.h"
#include "timeouts/timeouttable.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope {

class CacheManager;
class DemoWorkload;

// The embedded demo: the caches of demo-config.json (in-process Simple caches and a
// FileSystemCache results backend in a temporary directory, removed at the end) and the
// workload that drives them. The workload is created stopped.
class DemoEnvironment
{
public:
    // configJson: the demo config (resources/demo/demo-config.json); ${TEMP} is this
    // environment's temporary directory.
    static Expected<std::unique_ptr<DemoEnvironment>> create(const QByteArray &configJson);
    ~DemoEnvironment();

    CacheManager &manager() { return *m_manager; }
    DemoWorkload &workload() { return *m_workload; }
    QString directory() const { return m_dir.path(); }
    // The demo's Superset metadata database (SQLite, DemoMetadata): databases, datasets and
    // charts with their cache timeouts, for the Timeouts page; written at start.
    QString metadataFile() const { return m_metadataFile; }
    // What the demo's config (demo-config.json) says about timeouts, in the form a
    // superset_config.py report gives them: the chain's settings and each cache's default.
    const TimeoutConfig &timeoutConfig() const { return m_timeoutConfig; }
    const QList<CacheTimeoutRow> &cacheTimeoutRows() const { return m_cacheTimeoutRows; }

private:
    DemoEnvironment() = default;
    void readTimeouts(const QByteArray &json, const QList<CacheSpec> &specs);

    QTemporaryDir m_dir;
    QString m_metadataFile;
    TimeoutConfig m_timeoutConfig;
    QList<CacheTimeoutRow> m_cacheTimeoutRows;
    std::unique_ptr<CacheManager> m_manager;
    std::unique_ptr<DemoWorkload> m_workload; // last: stopped before the caches go away
};

} // namespace cachescope
