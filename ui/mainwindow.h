#pragma once

#include <QHash>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;
class QVBoxLayout;

namespace cachescope {

class CacheManager;
class CacheOverviewModel;
class DemoControlsPanel;
class DemoWorkload;
class MessageBar;
class OverviewPage;

// The main window: a page list on the left, the current page on the right, an inline message
// bar above it for errors and a status bar naming what is shown. Pages are added by addPage();
// the Overview exists from the start, Keys, Hit rates and Config join as their issues land.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // Fixed order in the page list; a page that does not exist yet is simply not listed.
    enum class Page { Overview, Keys, HitRates, Config };

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

    CacheOverviewModel *overviewModel() const { return m_overviewModel; }
    OverviewPage *overviewPage() const { return m_overviewPage; }
    MessageBar *messageBar() const { return m_messageBar; }

public Q_SLOTS:
    void showError(const QString &message);
    void showWarning(const QString &message);

private:
    void updateStatus();

    QListWidget *m_pageList;
    QStackedWidget *m_stack;
    QVBoxLayout *m_rightLayout;
    MessageBar *m_messageBar;
    QLabel *m_sourceLabel;
    QLabel *m_totalsLabel;
    CacheOverviewModel *m_overviewModel;
    OverviewPage *m_overviewPage;
    DemoControlsPanel *m_demoControls = nullptr;
    QHash<int, QWidget *> m_pages; // Page -> widget
};

} // namespace cachescope
