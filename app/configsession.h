#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace cachescope {

class CacheManager;
class ConfigPage;
class MainWindow;

// Ties a superset_config.py to the window: the Config page shows it, and every fresh evaluation
// whose caches changed rebuilds a read-only CacheManager that the Overview, Keys and Hit rates
// pages then show. Before the first config is opened the window keeps the embedded demo; the
// demo is retired (through the callback) when a config takes over.
class ConfigSession : public QObject
{
    Q_OBJECT
public:
    ConfigSession(MainWindow *window, std::function<void()> retireDemo, QObject *parent = nullptr);
    ~ConfigSession() override;

    ConfigPage *page() const { return m_page; }
    // Opens a config (the command line's argument, File → Open config…).
    bool open(const QString &path);
    CacheManager *manager() const { return m_manager.get(); }

private:
    void applyReport();

    MainWindow *m_window;
    ConfigPage *m_page;
    std::function<void()> m_retireDemo;
    std::unique_ptr<CacheManager> m_manager;
    QString m_cachesSignature; // what the current manager was built from
    bool m_following = false;   // a config was opened: caches follow its evaluations
};

} // namespace cachescope
