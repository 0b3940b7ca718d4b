#include "configsession.h"

#include "configpage.h"
#include "mainwindow.h"
#include "windowsettings.h"

#include "cache/cachemanager.h"

#include <QFileInfo>
#include <QStringList>

namespace cachescope {

namespace {

// Everything a cache is built from; equal signatures mean the running caches can stay.
QString signature(const QList<CacheSpec> &specs)
{
    QStringList parts;
    for (const CacheSpec &s : specs)
        parts << QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8|%9")
                     .arg(purposeConfigName(s.purpose), backendTypeName(s.backend), s.displayLocation(),
                          QString::fromUtf8(s.keyPrefix.toHex()))
                     .arg(s.defaultTimeout)
                     .arg(s.threshold)
                     .arg(s.redisUrl, s.password.isEmpty() ? QString() : QStringLiteral("pw"), s.directory);
    return parts.join(u'\n');
}

} // namespace

ConfigSession::ConfigSession(MainWindow *window, std::function<void()> retireDemo, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_page(new ConfigPage)
    , m_retireDemo(std::move(retireDemo))
{
    m_window->addPage(MainWindow::Page::Config, tr("Config"), m_page);
    connect(m_page, &ConfigPage::evaluated, this, &ConfigSession::applyReport);
    connect(m_window, &MainWindow::configFileChosen, this, &ConfigSession::open);
}

ConfigSession::~ConfigSession()
{
    // The window's models must let go of the caches before the manager goes.
    if (m_manager)
        m_window->setCacheManager(nullptr, QString());
}

bool ConfigSession::open(const QString &path)
{
    m_following = true;
    m_window->showPage(MainWindow::Page::Config);
    if (!m_page->openFile(path)) {
        m_window->showError(tr("Cannot open %1").arg(path));
        return false;
    }
    settings::addRecentConfig(path); // File → Recent configs
    return true;
}

void ConfigSession::applyReport()
{
    const ConfigReport &report = m_page->report();
    if (!m_following || !report.loaded)
        return; // the Config page shows why; the caches shown stay as they are
    const QString newSignature = signature(report.caches);
    if (m_manager && newSignature == m_cachesSignature)
        return;

    // A user's caches open read-only; backends CacheScope cannot show (the metadata database's
    // metastore cache, Sentinel, ...) are named instead of failing the whole config.
    auto manager = CacheManager::create({}, CacheManager::Access::ReadOnly);
    QStringList skipped;
    for (const CacheSpec &spec : report.caches) {
        if (auto added = (*manager)->setCache(spec); !added)
            skipped << added.error();
    }
    if (!skipped.isEmpty())
        m_window->showWarning(tr("Not shown: %1").arg(skipped.join(QStringLiteral("; "))));

    if (m_retireDemo) {
        m_retireDemo();
        m_retireDemo = nullptr;
    }
    std::unique_ptr<CacheManager> previous = std::move(m_manager);
    m_manager = std::move(*manager);
    m_cachesSignature = newSignature;
    m_window->setCacheManager(m_manager.get(), tr("Config %1 (read-only)").arg(QFileInfo(report.fileName).fileName()));
    // `previous` is released here, after the window switched to the new caches.
}

} // namespace cachescope
