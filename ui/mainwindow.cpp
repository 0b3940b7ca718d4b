#include "mainwindow.h"

#include "cacheoverviewmodel.h"
#include "configpage.h"
#include "democontrolspanel.h"
#include "formatting.h"
#include "hitratefeed.h"
#include "hitratepage.h"
#include "hitrateseries.h"
#include "icons.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "messagebar.h"
#include "overviewpage.h"
#include "payloadview.h"
#include "windowsettings.h"

#include "cache/cachemanager.h"
#include "monitor/monitorsampler.h"
#include "redis/redisnotices.h"

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QListWidget>
#include <QLineEdit>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

namespace cachescope {

namespace {
constexpr int kPageRole = Qt::UserRole;
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_pageList(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_rightLayout(new QVBoxLayout)
    , m_messageBar(new MessageBar(this))
    , m_sourceLabel(new QLabel(this))
    , m_totalsLabel(new QLabel(this))
    , m_connectionLabel(new QLabel(this))
    , m_recordingLabel(new QLabel(this))
    , m_overviewModel(new CacheOverviewModel(this))
    , m_overviewPage(nullptr)
    , m_series(new HitRateSeries(this))
    , m_feed(new HitRateFeed(m_series, this))
    , m_keysBrowser(nullptr)
    , m_hitRatePage(nullptr)
{
    setWindowTitle(tr("CacheScope"));
    setWindowIcon(applicationIcon());

    m_pageList->setAccessibleName(tr("Pages"));
    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_pageList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pageList->setSpacing(2);
    m_pageList->setFixedWidth(m_pageList->fontMetrics().horizontalAdvance(QStringLiteral("Hit rates")) * 2 + 32);
    QFont listFont = m_pageList->font();
    listFont.setPointSizeF(listFont.pointSizeF() * 1.1);
    m_pageList->setFont(listFont);
    connect(m_pageList, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget(this);
    QVBoxLayout *right = m_rightLayout;
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(0);
    right->addWidget(m_messageBar);
    right->addWidget(m_stack, 1);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_pageList);
    auto *separator = new QFrame(central);
    separator->setFrameShape(QFrame::VLine);
    separator->setFrameShadow(QFrame::Sunken);
    layout->addWidget(separator);
    layout->addLayout(right, 1);
    setCentralWidget(central);

    m_overviewPage = new OverviewPage(m_overviewModel, this);
    addPage(Page::Overview, tr("Overview"), m_overviewPage);
    m_keysBrowser = new KeysBrowser(this);
    addPage(Page::Keys, tr("Keys"), m_keysBrowser);
    m_hitRatePage = new HitRatePage(m_series, this);
    addPage(Page::HitRates, tr("Hit rates"), m_hitRatePage);
    // The Config page (source with findings) joins with addPage() when it is built.

    m_sourceLabel->setText(tr("No caches"));
    statusBar()->addWidget(m_sourceLabel, 1);
    statusBar()->addPermanentWidget(m_recordingLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_totalsLabel);
    m_recordingLabel->hide();
    connect(m_overviewModel, &CacheOverviewModel::countersChanged, this, &MainWindow::updateStatus);

    connect(m_feed, &HitRateFeed::serverFigures, m_overviewModel, &CacheOverviewModel::setServerFigures);
    connect(m_feed, &HitRateFeed::serverStale, m_overviewModel, &CacheOverviewModel::setServerStale);
    connect(m_feed, &HitRateFeed::errorOccurred, this, &MainWindow::showError);
    connect(m_feed, &HitRateFeed::serverStateChanged, this, [this](const QString &server, bool reachable, const QString &message) {
        m_serverStates.insert(server, reachable ? tr("connected") : message);
        // The banner names its server, so it goes when that server answers again.
        const QString cause = QStringLiteral("server:") + server;
        if (reachable)
            m_messageBar->withdraw(cause);
        else
            m_messageBar->showMessage(message, MessageBar::Level::Error, cause);
        if (reachable && m_hitRatePage && m_hitRatePage->server().isEmpty())
            m_hitRatePage->setServer(server); // the server panel shows the first server that answers
        updateConnectionStatus();
    });
    connect(m_feed, &HitRateFeed::replayFinished, this, [this] {
        m_recordingLabel->setText(tr("Replay finished"));
    });
    // The chart data cache is what the page is opened for: select its row when it first appears.
    connect(m_series, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        if (!m_hitRatePage)
            return;
        for (int row = first; row <= last; ++row) {
            const bool data = m_series->cacheAt(row) == purposeConfigName(CachePurpose::Data);
            const QString selected = m_hitRatePage->selectedRow() >= 0 ? m_series->cacheAt(m_hitRatePage->selectedRow()) : QString();
            if (data && selected != purposeConfigName(CachePurpose::Data))
                m_hitRatePage->selectRow(row);
        }
    });
    connect(m_keysBrowser, &KeysBrowser::errorOccurred, this, &MainWindow::showError);
    connect(m_keysBrowser, &KeysBrowser::connectionStateChanged, this, [this](const QString &state) {
        m_keysState = state;
        updateConnectionStatus();
    });
    connect(m_keysBrowser, &KeysBrowser::redisConnected, m_feed, &HitRateFeed::addRedisServer);
    // File → Saved connections offers it next time; the password goes to the keychain, never to
    // the settings file (windowsettings.h, mainwindowactions.cpp).
    connect(m_keysBrowser, &KeysBrowser::redisConnected, this, [this](const RedisUrl &url, const QByteArray &prefix) {
        settings::saveConnection(url.redacted(), prefix);
        rememberPassword(url);
    });
    // TLS verification switched off by the settings, a Sentinel failover followed: shown, not
    // logged (posted from connection threads, delivered queued).
    connect(&RedisNotices::instance(), &RedisNotices::posted, this, &MainWindow::showWarning);
    createMenus();
    createViewAndHelpMenus();
    updateConnectionStatus();
    showPage(Page::Overview);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_openConfigAction = file->addAction(themedIcon(QStringLiteral("document-open")), tr("&Open config…"), this,
                                         &MainWindow::openConfigInteractively);
    setStandardShortcut(m_openConfigAction, QKeySequence::Open);
    m_openConfigAction->setToolTip(tr("Open a superset_config.py (read, never run)"));
    m_recentMenu = file->addMenu(themedIcon(QStringLiteral("document-open-recent")), tr("Recent &configs"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentConfigsMenu);
    fillRecentConfigsMenu();
    m_openPayloadAction = file->addAction(themedIcon(QStringLiteral("document-import")), tr("Open &payload…"), this,
                                          &MainWindow::openPayloadInteractively);
    m_openPayloadAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openPayloadAction->setToolTip(tr("Decode a dumped cache entry or cache file"));
    m_connectRedisAction = file->addAction(themedIcon(QStringLiteral("network-connect")), tr("Connect to &Redis URL…"),
                                           m_keysBrowser.data(), [this] {
                                               showPage(Page::Keys);
                                               m_keysBrowser->connectRedisInteractively();
                                           });
    m_connectRedisAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_connectionsMenu = file->addMenu(themedIcon(QStringLiteral("network-server")), tr("&Saved connections"));
    connect(m_connectionsMenu, &QMenu::aboutToShow, this, &MainWindow::fillSavedConnectionsMenu);
    fillSavedConnectionsMenu();
    m_openDirectoryAction = file->addAction(themedIcon(QStringLiteral("folder-open")), tr("Open cache &directory…"),
                                            m_keysBrowser.data(), [this] {
                                                showPage(Page::Keys);
                                                m_keysBrowser->openDirectoryInteractively();
                                            });
    m_openDirectoryAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    file->addSeparator();
    m_recordAction = file->addAction(themedIcon(QStringLiteral("media-record")), tr("Record samples…"), this,
                                     &MainWindow::recordInteractively);
    m_recordAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_stopRecordAction = file->addAction(themedIcon(QStringLiteral("media-playback-stop")), tr("Stop recording"), this,
                                         &MainWindow::stopRecording);
    m_stopRecordAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_replayAction = file->addAction(themedIcon(QStringLiteral("media-playback-start")), tr("Replay recording…"), this,
                                     &MainWindow::replayInteractively);
    m_replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_stopReplayAction = file->addAction(themedIcon(QStringLiteral("go-jump")), tr("Stop replay (back to live)"), this,
                                         &MainWindow::stopReplay);
    m_stopReplayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_stopRecordAction->setEnabled(false);
    m_stopReplayAction->setEnabled(false);
    file->addSeparator();
    QAction *quit = file->addAction(themedIcon(QStringLiteral("application-exit")), tr("&Quit"), this, &QWidget::close);
    setStandardShortcut(quit, QKeySequence::Quit);

    // Sources that cost something or listen on a port start only by an explicit action.
    QMenu *sources = menuBar()->addMenu(tr("&Sources"));
    const QString deliberate = tr("Costs the server or opens a port: started deliberately from the menu (Alt+S).");
    QAction *monitor = sources->addAction(themedIcon(QStringLiteral("utilities-system-monitor")),
                                          tr("Estimate per-cache hit rates with MONITOR…"), this, &MainWindow::monitorInteractively);
    monitor->setProperty(kNoShortcutReason, deliberate);
    QAction *stopMonitor = sources->addAction(themedIcon(QStringLiteral("process-stop")), tr("Stop MONITOR"), this,
                                              [this] { m_feed->stopMonitor(); });
    stopMonitor->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    sources->addSeparator();
    QAction *statsd = sources->addAction(themedIcon(QStringLiteral("network-receive")), tr("Listen for Superset statsd metrics…"),
                                         this, &MainWindow::statsdInteractively);
    statsd->setProperty(kNoShortcutReason, deliberate);
    QAction *stopStatsd = sources->addAction(themedIcon(QStringLiteral("process-stop")), tr("Stop statsd listener"), this,
                                             [this] { m_feed->stopStatsd(); });
    stopStatsd->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
}

void MainWindow::refreshCurrentPage()
{
    QWidget *page = m_stack->currentWidget();
    if (page && page->metaObject()->indexOfMethod("refresh()") >= 0)
        QMetaObject::invokeMethod(page, "refresh");
}

QString MainWindow::connectionStatus() const
{
    return m_connectionLabel->text();
}

void MainWindow::updateConnectionStatus()
{
    QStringList parts;
    if (!m_keysState.isEmpty())
        parts << m_keysState;
    for (auto it = m_serverStates.cbegin(); it != m_serverStates.cend(); ++it)
        parts << tr("INFO %1: %2").arg(it.key(), it.value());
    m_connectionLabel->setText(parts.join(QStringLiteral(" · ")));
}

PayloadView *MainWindow::openPayloadFile(const QString &path)
{
    auto *view = new PayloadView(this);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setWindowTitle(tr("%1 — CacheScope").arg(QFileInfo(path).fileName()));
    if (!view->openFile(path)) {
        delete view;
        showError(tr("Cannot open the payload %1").arg(path));
        return nullptr;
    }
    view->resize(900, 640);
    view->show();
    return view;
}

void MainWindow::openPayloadInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open payload"), {},
                                                      tr("Cache entries (*);;Dumped entries (*.bin *.pickle *.pkl)"));
    if (!path.isEmpty())
        openPayloadFile(path);
}

bool MainWindow::startRecording(const QString &path)
{
    auto started = m_feed->startRecording(path);
    if (!started) {
        showError(tr("Cannot record to %1: %2").arg(path, started.error()));
        return false;
    }
    m_recordingLabel->setText(tr("Recording to %1").arg(QFileInfo(path).fileName()));
    m_recordingLabel->show();
    m_recordAction->setEnabled(false);
    m_stopRecordAction->setEnabled(true);
    Q_EMIT recordingStarted(path);
    return true;
}

void MainWindow::stopRecording()
{
    if (!m_feed->isRecording())
        return;
    const quint64 n = m_feed->recordedCount();
    m_feed->stopRecording();
    m_recordingLabel->setText(tr("Recorded %1 samples").arg(formatCount(n)));
    m_recordAction->setEnabled(true);
    m_stopRecordAction->setEnabled(false);
    Q_EMIT recordingStopped();
}

void MainWindow::recordInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Record samples"), QStringLiteral("cachescope-recording.sqlite"),
                                                      tr("CacheScope recordings (*.sqlite)"));
    if (!path.isEmpty())
        startRecording(path);
}

bool MainWindow::startReplay(const QString &path, double speed)
{
    auto started = m_feed->startReplay(path, speed);
    if (!started) {
        showError(tr("Cannot replay %1: %2").arg(path, started.error()));
        return false;
    }
    m_recordingLabel->setText(speed > 0 ? tr("Replaying %1 at %2×").arg(QFileInfo(path).fileName()).arg(speed)
                                        : tr("Replaying %1 at full speed").arg(QFileInfo(path).fileName()));
    m_recordingLabel->show();
    m_stopReplayAction->setEnabled(true);
    showPage(Page::HitRates);
    return true;
}

void MainWindow::stopReplay()
{
    if (!m_feed->isReplaying())
        return;
    m_feed->stopReplay();
    m_recordingLabel->hide();
    m_stopReplayAction->setEnabled(false);
}

void MainWindow::replayInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Replay recording"), {}, tr("CacheScope recordings (*.sqlite);;All files (*)"));
    if (path.isEmpty())
        return;
    bool ok = false;
    const double speed = QInputDialog::getDouble(this, tr("Replay speed"), tr("Times real time (0 = as fast as possible):"),
                                                 10.0, 0.0, 10000.0, 1, &ok);
    if (ok)
        startReplay(path, speed);
}

MainWindow::~MainWindow()
{
    // Sources and pollers stop before the pages that show them go.
    m_feed->setCacheManager(nullptr);
}

void MainWindow::setCacheManager(CacheManager *manager, const QString &source)
{
    m_overviewModel->setCacheManager(manager);
    if (m_keysBrowser)
        m_keysBrowser->setCacheManager(manager);
    m_feed->setCacheManager(manager);
    m_serverStates.clear();
    updateConnectionStatus();
    m_sourceLabel->setText(source);
    updateStatus();
}

void MainWindow::monitorInteractively()
{
    const auto answer = QMessageBox::warning(this, tr("Run MONITOR?"), MonitorSampler::costWarning(),
                                             QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Ok)
        return;
    bool ok = false;
    settings::SourcePreferences preferences = settings::sourcePreferences();
    const int seconds = QInputDialog::getInt(this, tr("MONITOR time box"), tr("Seconds to sample (at most 3600):"),
                                             preferences.monitorSeconds, 1, 3600, 1, &ok);
    if (!ok)
        return;
    preferences.monitorSeconds = seconds; // offered next time, also after a failed start
    settings::saveSourcePreferences(preferences);
    startMonitor(seconds);
}

bool MainWindow::startMonitor(int seconds)
{
    auto started = m_feed->startMonitor(seconds);
    if (!started) {
        showError(started.error());
        return false;
    }
    showPage(Page::HitRates);
    m_messageBar->showMessage(tr("MONITOR runs on %n server(s) for %1 s; per-cache rates are estimated.", nullptr, *started)
                                  .arg(seconds),
                              MessageBar::Level::Information);
    return true;
}

void MainWindow::statsdInteractively()
{
    bool ok = false;
    settings::SourcePreferences preferences = settings::sourcePreferences();
    const QString address = QInputDialog::getText(this, tr("statsd listener"),
                                                  tr("Listen on (Superset's STATS_LOGGER sends here):"),
                                                  QLineEdit::Normal, preferences.statsdListen, &ok);
    if (!ok)
        return;
    const QString forward = QInputDialog::getText(this, tr("statsd listener"),
                                                  tr("Forward every datagram to (your real statsd, empty for none):"),
                                                  QLineEdit::Normal, preferences.statsdForward, &ok);
    if (!ok)
        return;
    preferences.statsdListen = address.trimmed();
    preferences.statsdForward = forward.trimmed();
    settings::saveSourcePreferences(preferences);
    if (auto started = m_feed->startStatsd(address, QByteArray("superset"), forward); !started)
        showError(started.error());
    else
        showPage(Page::HitRates);
}

void MainWindow::openConfigInteractively()
{
    const QString last = ConfigPage::lastFile();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open superset_config.py"),
                                                      last.isEmpty() ? QString() : QFileInfo(last).absolutePath(),
                                                      tr("Python files (*.py);;All files (*)"));
    if (!path.isEmpty())
        Q_EMIT configFileChosen(path);
}

void MainWindow::setDemoWorkload(DemoWorkload *workload)
{
    if (m_demoControls) {
        m_rightLayout->removeWidget(m_demoControls);
        delete m_demoControls;
        m_demoControls = nullptr;
    }
    if (!workload)
        return;
    m_demoControls = new DemoControlsPanel(workload, this);
    // A presenter turns a knob and watches the rate respond: the last minute shows that best.
    if (m_hitRatePage)
        m_hitRatePage->setWindowSeconds(60);
    m_rightLayout->addWidget(m_demoControls);
}

void MainWindow::addPage(Page page, const QString &title, QWidget *widget)
{
    if (QWidget *old = m_pages.value(int(page))) {
        const int at = m_stack->indexOf(old);
        m_stack->insertWidget(at, widget);
        m_stack->removeWidget(old);
        old->deleteLater();
        m_pageList->item(at)->setText(title);
        m_pages.insert(int(page), widget);
        updatePageActions();
        return;
    }
    // Keep the list in Page order whatever order pages are added in.
    int at = 0;
    while (at < m_pageList->count() && m_pageList->item(at)->data(kPageRole).toInt() < int(page))
        ++at;
    auto *item = new QListWidgetItem(title);
    item->setData(kPageRole, int(page));
    item->setSizeHint(QSize(0, m_pageList->fontMetrics().height() * 2));
    m_pageList->insertItem(at, item);
    m_stack->insertWidget(at, widget);
    m_pages.insert(int(page), widget);
    updatePageActions(); // Ctrl+1..N follow the list
}

void MainWindow::showPage(Page page)
{
    if (QWidget *w = m_pages.value(int(page)))
        m_pageList->setCurrentRow(m_stack->indexOf(w));
}

QWidget *MainWindow::page(Page page) const
{
    return m_pages.value(int(page));
}

void MainWindow::showError(const QString &message)
{
    m_messageBar->showMessage(message, MessageBar::Level::Error);
}

void MainWindow::showWarning(const QString &message)
{
    m_messageBar->showMessage(message, MessageBar::Level::Warning);
}

void MainWindow::updateStatus()
{
    const CacheCountersSnapshot t = m_overviewModel->totals();
    const quint64 reads = t.hits + t.misses;
    m_totalsLabel->setText(reads ? tr("%1 reads · hit rate %2").arg(formatCount(reads), formatPercent(t.hitRate()))
                                 : tr("no reads yet"));
}

} // namespace cachescope
