// MainWindow's menus beyond File and Sources, its toolbar and its shortcuts (kept apart from
// mainwindow.cpp, which wires the pages). Shortcuts: the platform's standard key where Qt has one
// (QKeySequence::StandardKey: Open, Copy, Find, Refresh, Quit), Ctrl+1..N for the pages in their
// order, Ctrl+Shift+letter for the rest; an action without one says why in kNoShortcutReason.
#include "mainwindow.h"

#include "aboutdialog.h"
#include "guidedtour.h"
#include "icons.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "passwordstore.h"
#include "userguide.h"
#include "windowsettings.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTextEdit>
#include <QToolBar>
#include <QUrl>

namespace cachescope {

namespace {

void noShortcut(QAction *action, const QString &reason)
{
    action->setProperty(MainWindow::kNoShortcutReason, reason);
}

// The selected rows of an item view as tab-separated lines, columns in view order, hidden ones
// left out: what a spreadsheet or a terminal takes.
QString selectedRowsText(const QAbstractItemView *view)
{
    const QItemSelectionModel *selection = view->selectionModel();
    const QAbstractItemModel *model = view->model();
    if (!selection || !model)
        return {};
    QModelIndexList rows = selection->selectedRows();
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows << view->currentIndex().siblingAtColumn(0);
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) {
        // Parents first, then rows: tree order for one level, stable otherwise.
        return a.parent() == b.parent() ? a.row() < b.row() : a.internalId() < b.internalId();
    });
    QStringList lines;
    for (const QModelIndex &row : std::as_const(rows)) {
        QStringList cells;
        for (int c = 0; c < model->columnCount(row.parent()); ++c)
            cells << row.siblingAtColumn(c).data(Qt::DisplayRole).toString();
        lines << cells.join(u'\t');
    }
    return lines.join(u'\n');
}

} // namespace

void MainWindow::createToolBar()
{
    m_toolBar = addToolBar(tr("Main toolbar"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar")); // QMainWindow::saveState needs it
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonFollowStyle);
    m_toolBar->addAction(m_openConfigAction);
    m_toolBar->addAction(m_connectRedisAction);
    m_toolBar->addAction(m_openDirectoryAction);
    m_toolBar->addAction(m_openPayloadAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_findAction);
    m_toolBar->addAction(m_refreshAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_recordAction);
    m_toolBar->addAction(m_stopRecordAction);
    m_toolBar->addAction(m_replayAction);
    m_toolBar->addAction(m_stopReplayAction);
}

void MainWindow::createViewAndHelpMenus()
{
    // Edit and View come between File and Sources, as in other Qt/KDE applications.
    QAction *sourcesMenu = menuBar()->actions().value(1);
    auto *edit = new QMenu(tr("&Edit"), this);
    menuBar()->insertMenu(sourcesMenu, edit);
    QAction *copy = edit->addAction(themedIcon(QStringLiteral("edit-copy")), tr("&Copy"), this, &MainWindow::copyFromFocus);
    setStandardShortcut(copy, QKeySequence::Copy);
    copy->setToolTip(tr("Copy the selected rows (tab-separated) or text"));
    m_findAction = edit->addAction(themedIcon(QStringLiteral("edit-find")), tr("&Find keys…"), this, &MainWindow::findKeys);
    setStandardShortcut(m_findAction, QKeySequence::Find);
    m_findAction->setToolTip(tr("Filter the keys of the selected connection (SCAN MATCH)"));

    m_viewMenu = new QMenu(tr("&View"), this);
    menuBar()->insertMenu(sourcesMenu, m_viewMenu);
    // Refresh (F5) goes to the page shown, when it has something to refresh: a page offers it
    // with a refresh() slot (Keys rescans, Overview and Hit rates poll again).
    m_refreshAction = m_viewMenu->addAction(themedIcon(QStringLiteral("view-refresh")), tr("&Refresh"), this,
                                            &MainWindow::refreshCurrentPage);
    setStandardShortcut(m_refreshAction, QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Refresh the page shown"));
    auto enableRefresh = [this] {
        m_refreshAction->setEnabled(m_stack->currentWidget()
                                    && m_stack->currentWidget()->metaObject()->indexOfMethod("refresh()") >= 0);
    };
    connect(m_stack, &QStackedWidget::currentChanged, this, enableRefresh);
    enableRefresh();
    createToolBar(); // holds the actions above
    QAction *toolbar = m_toolBar->toggleViewAction();
    toolbar->setText(tr("Show &toolbar"));
    noShortcut(toolbar, tr("A setting changed once; the window remembers it."));
    m_viewMenu->addAction(toolbar);
    m_viewMenu->addSeparator(); // the pages follow (updatePageActions)
    updatePageActions();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *guide = help->addAction(themedIcon(QStringLiteral("help-contents")), tr("&User guide"), this,
                                     &MainWindow::openUserGuide);
    setStandardShortcut(guide, QKeySequence::HelpContents);
    guide->setToolTip(tr("Open the user guide (docs/guide) in the desktop's viewer"));
    QAction *tour = help->addAction(themedIcon(QStringLiteral("help-hint")), tr("Guided &tour of the demo"), this,
                                    &MainWindow::startTour);
    noShortcut(tour, tr("Taken once or twice: Alt+H, T."));
    help->addSeparator();
    QAction *about = help->addAction(themedIcon(QStringLiteral("help-about")), tr("&About CacheScope"), this, &MainWindow::showAbout);
    noShortcut(about, tr("Opened rarely: Alt+H, A."));
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setIcon(themedIcon(QStringLiteral("help-about")));
    noShortcut(aboutQt, tr("Opened rarely: Alt+H, Q."));
}

void MainWindow::updatePageActions()
{
    if (!m_viewMenu)
        return;
    qDeleteAll(m_pageActions);
    m_pageActions.clear();
    for (int row = 0; row < m_pageList->count(); ++row) {
        QListWidgetItem *item = m_pageList->item(row);
        const auto page = Page(item->data(Qt::UserRole).toInt());
        QAction *action = m_viewMenu->addAction(item->text(), this, [this, page] { showPage(page); });
        if (row < 9)
            action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + row)));
        else
            noShortcut(action, tr("Ctrl+1..9 are taken by the first nine pages."));
        m_pageActions << action;
    }
}

MainWindow::Page MainWindow::currentPage() const
{
    const QWidget *current = m_stack->currentWidget();
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it)
        if (it.value() == current)
            return Page(it.key());
    return Page::Overview;
}

QList<MainWindow::Page> MainWindow::pageOrder() const
{
    QList<Page> order;
    for (int row = 0; row < m_pageList->count(); ++row)
        order << Page(m_pageList->item(row)->data(Qt::UserRole).toInt());
    return order;
}

QString MainWindow::pageTitle(Page page) const
{
    for (int row = 0; row < m_pageList->count(); ++row)
        if (m_pageList->item(row)->data(Qt::UserRole).toInt() == int(page))
            return m_pageList->item(row)->text();
    return {};
}

GuidedTour *MainWindow::startTour()
{
    if (auto *open = findChild<GuidedTour *>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto *tour = new GuidedTour(this);
    tour->adjustSize();
    // Beside the page, over the window's top right corner, clear of the page list and toolbar.
    const QRect frame = geometry();
    tour->move(frame.right() - tour->width() - 24, frame.top() + m_toolBar->height() + 48);
    tour->show();
    return tour;
}

bool MainWindow::openUserGuide()
{
    const QString file = userGuideFile();
    if (file.isEmpty()) {
        showError(tr("The user guide is not installed with this CacheScope (docs/guide/README.md was not found)."));
        return false;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(file))) {
        showError(tr("No application opens %1; it is the user guide, in Markdown.").arg(file));
        return false;
    }
    return true;
}

void MainWindow::fillRecentConfigsMenu()
{
    m_recentMenu->clear();
    const QStringList recent = settings::recentConfigs();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        // "&1 superset_config.py — /etc/superset": the number is the keyboard's way in.
        const QString label = QStringLiteral("&%1 %2 — %3").arg(i + 1 < 10 ? QString::number(i + 1) : QString(),
                                                                QFileInfo(path).fileName(), QFileInfo(path).absolutePath());
        QAction *a = m_recentMenu->addAction(label, this, [this, path] { Q_EMIT configFileChosen(path); });
        noShortcut(a, tr("Numbered: Alt+F, C, then the number."));
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::fillSavedConnectionsMenu()
{
    m_connectionsMenu->clear();
    const QList<settings::SavedConnection> saved = settings::savedConnections();
    for (int i = 0; i < saved.size(); ++i) {
        const settings::SavedConnection c = saved[i];
        const QString label = QStringLiteral("&%1 %2%3").arg(i + 1 < 10 ? QString::number(i + 1) : QString(), c.url,
                                                             c.prefix.isEmpty() ? QString()
                                                                                : tr(" · prefix %1").arg(QString::fromUtf8(c.prefix)));
        QAction *a = m_connectionsMenu->addAction(label, this, [this, c] { openSavedConnection(c); });
        noShortcut(a, tr("Numbered: Alt+F, S, then the number."));
    }
    m_connectionsMenu->setEnabled(!saved.isEmpty());
}

void MainWindow::openSavedConnection(const settings::SavedConnection &connection)
{
    if (!connection.needsPassword) {
        connectSaved(connection, QString(), false);
        return;
    }
    // The keychain answers later (it may ask the user to unlock it); the window goes on meanwhile.
    m_awaitingPassword.insert(connection.url, connection);
    statusBar()->showMessage(tr("Reading the password for %1 from the keychain…").arg(connection.url), 5000);
    passwordStore()->read(connection.url);
}

void MainWindow::askPasswordAndConnect(const settings::SavedConnection &connection, const QString &why)
{
    bool ok = false;
    const QString password = QInputDialog::getText(this, tr("Password"), tr("%1\nPassword for %2:").arg(why, connection.url),
                                                   QLineEdit::Password, QString(), &ok);
    if (ok)
        connectSaved(connection, password, false);
}

void MainWindow::connectSaved(const settings::SavedConnection &connection, const QString &password, bool fromKeychain)
{
    QUrl url(connection.url);
    if (!password.isEmpty())
        url.setPassword(password);
    showPage(Page::Keys);
    if (auto row = m_keysBrowser->connectRedis(url.toString(), connection.prefix); !row) {
        if (fromKeychain) // changed on the server since: the user knows the new one
            askPasswordAndConnect(connection, tr("The keychain's password did not work: %1").arg(row.error()));
        else
            showError(tr("Cannot connect to %1: %2").arg(connection.url, row.error()));
    }
}

void MainWindow::rememberPassword(const RedisUrl &url)
{
    if (url.password.isEmpty())
        return;
    passwordStore()->write(settings::withoutPassword(url.redacted()), url.password);
}

PasswordStore *MainWindow::passwordStore()
{
    if (m_passwords)
        return m_passwords;
    m_passwords = new PasswordStore(QCoreApplication::organizationName(), this);
    connect(m_passwords, &PasswordStore::readFinished, this, [this](const QString &account, const QString &password) {
        if (m_awaitingPassword.contains(account))
            connectSaved(m_awaitingPassword.take(account), password, true);
    });
    connect(m_passwords, &PasswordStore::readFailed, this, [this](const QString &account, const QString &reason) {
        if (m_awaitingPassword.contains(account))
            askPasswordAndConnect(m_awaitingPassword.take(account), tr("Not from the keychain: %1.").arg(reason));
    });
    connect(m_passwords, &PasswordStore::writeFailed, this, [this](const QString &account, const QString &reason) {
        statusBar()->showMessage(tr("The password for %1 is not kept (%2); it is asked for next time.").arg(account, reason), 10000);
    });
    return m_passwords;
}

void MainWindow::copyFromFocus()
{
    QWidget *focus = QApplication::focusWidget();
    if (auto *line = qobject_cast<QLineEdit *>(focus))
        line->copy();
    else if (auto *plain = qobject_cast<QPlainTextEdit *>(focus))
        plain->copy();
    else if (auto *text = qobject_cast<QTextEdit *>(focus))
        text->copy();
    else if (auto *view = qobject_cast<QAbstractItemView *>(focus)) {
        if (const QString rows = selectedRowsText(view); !rows.isEmpty())
            QApplication::clipboard()->setText(rows);
    }
}

void MainWindow::findKeys()
{
    showPage(Page::Keys);
    if (!m_keysBrowser || !m_keysBrowser->keysPage())
        return;
    QLineEdit *filter = m_keysBrowser->keysPage()->filterEdit();
    filter->setFocus(Qt::ShortcutFocusReason);
    filter->selectAll();
}

void MainWindow::setAboutInfo(const QString &version, const QList<QPair<QString, QString>> &components)
{
    m_version = version;
    m_components = components;
}

void MainWindow::showAbout()
{
    AboutDialog dialog(m_version, m_components, this);
    dialog.exec();
}

} // namespace cachescope
