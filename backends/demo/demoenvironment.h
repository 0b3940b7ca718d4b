#pragma once

#include "common/expected.h"

#include <QByteArray>
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

private:
    DemoEnvironment() = default;

    QTemporaryDir m_dir;
    std::unique_ptr<CacheManager> m_manager;
    std::unique_ptr<DemoWorkload> m_workload; // last: stopped before the caches go away
};

} // namespace cachescope
