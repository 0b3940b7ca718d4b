#pragma once

#include "hitratepage.h"
#include "keysbrowser.h"
#include "windowsettings.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QMenu;
class QToolBar;
class QListWidget;
class QStackedWidget;
class QVBoxLayout;

namespace cachescope {

class CacheManager;
class CacheOverviewModel;
class DemoControlsPanel;
class DemoWorkload;
class GuidedTour;
class HitRateFeed;
class HitRateSeries;
class MessageBar;
class OverviewPage;
class PasswordStore;
class PayloadView;

// The main window: a page list on the left, the current page on the right, an inline message
// bar above it for errors and a status bar naming what is shown and the connection state. The
// Overview, Keys (connections + key tree + payload view) and Hit rates pages exist from the start;
// the Config page joins through addPage() when it lands. The File menu opens payload files, ad-hoc
// Redis connections and cache directories, and records or replays hit-rate samples. The menus and
// the toolbar (icons from the desktop theme with bundled fallbacks, standard shortcuts, Ctrl+1..N
// for the pages) are built in mainwindowactions.cpp; a menu action without a shortcut carries the
// reason in its kNoShortcutReason property (tests check every action has one or the other).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // Fixed order in the page list; a page that does not exist yet is simply not listed.
    // Appended, never inserted: the last page is saved as this number.
    enum class Page { Overview, Keys, HitRates, Config, Timeouts, Capacity };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows the caches of a manager (not owned: it must outlive this window or be replaced
    // first); source names it in the status bar, e.g. "Embedded demo".
    void setCacheManager(CacheManager *manager, const QString &source);
    // The embedded demo's workload (not owned; same lifetime rule as the manager): shows the demo
    // controls beneath every page, so a knob can be turned while any page is watched. nullptr
    // removes them (the window shows caches that are not the demo's).
    void setDemoWorkload(DemoWorkload *workload);
    DemoControlsPanel *demoControls() const { return m_demoControls; }

    // Adds (or replaces) a page; the window takes ownership.
    void addPage(Page page, const QString &title, QWidget *widget);
    void showPage(Page page);
    QWidget *page(Page page) const;
    Page currentPage() const;
    // The pages in list order, and a page's title in the list.
    QList<Page> pageOrder() const;
    QString pageTitle(Page page) const;

    // Help → About: this build's version and its components' (the app layer knows them).
    void setAboutInfo(const QString &version, const QList<QPair<QString, QString>> &components);
    QToolBar *mainToolBar() const { return m_toolBar; }
    // Help → Guided tour of the demo: opens the tour beside the window (it deletes itself on close).
    GuidedTour *startTour();
    // Help → User guide (F1): opens docs/guide in the desktop's viewer; false (and a message)
    // when no guide is found.
    bool openUserGuide();
    static constexpr const char *kNoShortcutReason = "noShortcutReason";

    CacheOverviewModel *overviewModel() const { return m_overviewModel; }
    KeysBrowser *keysBrowser() const { return m_keysBrowser; }
    HitRatePage *hitRatePage() const { return m_hitRatePage; }
    HitRateSeries *hitRateSeries() const { return m_series; }
    HitRateFeed *hitRateFeed() const { return m_feed; }
    QString connectionStatus() const;
    // View → Refresh (F5): calls the shown page's refresh() slot when it has one.
    void refreshCurrentPage();
    QAction *refreshAction() const { return m_refreshAction; }

    // File menu actions without their dialogs (tests and the command line call these).
    PayloadView *openPayloadFile(const QString &path); // a window with the decoded file; null on error
    bool startRecording(const QString &path);
    void stopRecording();
    bool startReplay(const QString &path, double speed);
    void stopReplay();
    // Sources menu: opt-in, time-boxed MONITOR on the polled servers (the dialog warns first).
    bool startMonitor(int seconds);
    OverviewPage *overviewPage() const { return m_overviewPage; }
    MessageBar *messageBar() const { return m_messageBar; }

Q_SIGNALS:
    // File → Open config… / Open last config: the application opens it on the Config page.
    void configFileChosen(const QString &path);
    // File → Record samples started or stopped (the capacity capture writes its trace beside them).
    void recordingStarted(const QString &path);
    void recordingStopped();

public Q_SLOTS:
    void showError(const QString &message);
    void showWarning(const QString &message);

private:
    void updateStatus();
    void updateConnectionStatus();
    void createMenus();
    // mainwindowactions.cpp
    void createToolBar();
    void createViewAndHelpMenus();
    void updatePageActions();
    void fillRecentConfigsMenu();
    void fillSavedConnectionsMenu();
    // File → Saved connections: the password from the keychain, else asked (mainwindowactions.cpp).
    void openSavedConnection(const settings::SavedConnection &connection);
    void connectSaved(const settings::SavedConnection &connection, const QString &password, bool fromKeychain);
    void askPasswordAndConnect(const settings::SavedConnection &connection, const QString &why);
    void rememberPassword(const RedisUrl &url);
    PasswordStore *passwordStore();
    void copyFromFocus();
    void findKeys();
    void showAbout();
    void openPayloadInteractively();
    void openConfigInteractively();
    void monitorInteractively();
    void statsdInteractively();
    void recordInteractively();
    void replayInteractively();

    QListWidget *m_pageList;
    QStackedWidget *m_stack;
    QVBoxLayout *m_rightLayout;
    MessageBar *m_messageBar;
    QLabel *m_sourceLabel;
    QLabel *m_totalsLabel;
    QLabel *m_connectionLabel;
    QLabel *m_recordingLabel;
    QString m_keysState;
    QHash<QString, QString> m_serverStates; // server -> "reachable" or the last error
    CacheOverviewModel *m_overviewModel;
    OverviewPage *m_overviewPage;
    DemoControlsPanel *m_demoControls = nullptr;
    HitRateSeries *m_series;
    HitRateFeed *m_feed;
    // Guarded: addPage() may replace a page (and delete it).
    QPointer<KeysBrowser> m_keysBrowser;
    QPointer<HitRatePage> m_hitRatePage;
    QAction *m_refreshAction = nullptr;
    QAction *m_recordAction = nullptr;
    QAction *m_stopRecordAction = nullptr;
    QAction *m_replayAction = nullptr;
    QAction *m_stopReplayAction = nullptr;
    QHash<int, QWidget *> m_pages; // Page -> widget
    QToolBar *m_toolBar = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_connectionsMenu = nullptr;
    PasswordStore *m_passwords = nullptr;
    QHash<QString, settings::SavedConnection> m_awaitingPassword; // URL -> saved connection, while the keychain reads
    QAction *m_openConfigAction = nullptr;
    QAction *m_openPayloadAction = nullptr;
    QAction *m_connectRedisAction = nullptr;
    QAction *m_openDirectoryAction = nullptr;
    QAction *m_findAction = nullptr;
    QList<QAction *> m_pageActions; // View → pages, Ctrl+1..N in page order
    QString m_version;
    QList<QPair<QString, QString>> m_components;
};

} // namespace cachescope
