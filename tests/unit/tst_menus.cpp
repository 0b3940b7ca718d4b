// The window's menus, toolbar and Help → About, offscreen: every menu action has a shortcut or a
// stated reason, no key sequence is bound twice, Ctrl+1..N open the pages, Find/Copy act, every
// icon renders (bundled SVG fallbacks: no theme offscreen), and About/--version name the versions.
#include "aboutdialog.h"
#include "buildinfo.h"
#include "cache/cachemanager.h"
#include "cacheoverviewmodel.h"
#include "icons.h"
#include "keysbrowser.h"
#include "keyspage.h"
#include "mainwindow.h"
#include "overviewpage.h"
#include "windowsettings.h"

#include "windowtesting.h"

#include <QClipboard>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace cachescope;

namespace {

// Every action reachable through the menu bar, submenus opened (so Recent configs and Saved
// connections fill themselves as a user would see them).
void collect(QMenu *menu, const QString &path, QList<QPair<QString, QAction *>> *out)
{
    Q_EMIT menu->aboutToShow();
    for (QAction *a : menu->actions()) {
        if (a->isSeparator())
            continue;
        const QString name = path + QStringLiteral(" → ") + a->text();
        if (a->menu())
            collect(a->menu(), name, out);
        else
            out->append({name, a});
    }
}

QList<QPair<QString, QAction *>> menuActions(MainWindow &w)
{
    QList<QPair<QString, QAction *>> all;
    for (QAction *top : w.menuBar()->actions())
        if (top->menu())
            collect(top->menu(), top->text(), &all);
    return all;
}

// A visible pixel: the icon drew something at that size.
bool drawsAt(const QIcon &icon, int size)
{
    const QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
    if (image.isNull())
        return false;
    int opaque = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            opaque += qAlpha(image.pixel(x, y)) > 128;
    return opaque >= size * size / 20;
}

} // namespace

class TestMenus : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_menus")));
        // Entries in the two submenus, so their actions are checked too.
        const QString config = m_home.filePath(QStringLiteral("superset_config.py"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        settings::addRecentConfig(config);
        settings::saveConnection(QStringLiteral("redis://:pw@127.0.0.1:6379/0"), QByteArrayLiteral("superset_"));
    }

    void everyMenuActionHasAShortcutOrAReason()
    {
        MainWindow w;
        const auto actions = menuActions(w);
        QVERIFY(actions.size() > 20);
        QStringList missing;
        for (const auto &[name, a] : actions) {
            const QString reason = a->property(MainWindow::kNoShortcutReason).toString();
            if (a->shortcuts().isEmpty() && reason.isEmpty())
                missing << name;
            if (!a->shortcuts().isEmpty() && !reason.isEmpty())
                missing << name + QStringLiteral(" (has both)");
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u'\n')));
        // The submenus' entries were there to check.
        QVERIFY(std::any_of(actions.begin(), actions.end(), [](const auto &p) { return p.first.contains(u"superset_config.py"); }));
        QVERIFY(std::any_of(actions.begin(), actions.end(), [](const auto &p) { return p.first.contains(u"127.0.0.1:6379"); }));
    }

    void noKeySequenceIsBoundTwice()
    {
        MainWindow w;
        menuActions(w); // fills the submenus
        QHash<QString, QAction *> owner;
        QStringList clashes;
        const QList<QAction *> all = w.findChildren<QAction *>();
        for (QAction *a : all) {
            for (const QKeySequence &k : a->shortcuts()) {
                const QString key = k.toString(QKeySequence::PortableText);
                if (owner.contains(key) && owner.value(key) != a)
                    clashes << QStringLiteral("%1: %2 and %3").arg(key, owner.value(key)->text(), a->text());
                owner.insert(key, a);
            }
        }
        QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(u'\n')));
        // The standard ones are there.
        // The standard ones are there (the platform's binding, or ours where it has none: Quit
        // has none in Qt's Windows scheme, which the offscreen platform uses).
        for (auto standard : {QKeySequence::Open, QKeySequence::Find, QKeySequence::Refresh, QKeySequence::Copy, QKeySequence::Quit}) {
            const QKeySequence k = QKeySequence::keyBindings(standard).value(0, standardShortcutFallback(standard));
            QVERIFY2(owner.contains(k.toString(QKeySequence::PortableText)), qPrintable(k.toString()));
        }
        QVERIFY(owner.contains(QStringLiteral("Ctrl+Q")));
    }

    void ctrlDigitsOpenThePagesInOrder()
    {
        MainWindow w;
        w.show();
        QApplication::setActiveWindow(&w);
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::HitRates);
        QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::Keys);
        QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::Overview);
        // A page added later gets the next digit.
        auto *extra = new QLabel(QStringLiteral("config"));
        w.addPage(MainWindow::Page::Config, QStringLiteral("Config"), extra);
        QTest::keyClick(&w, Qt::Key_4, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::Config);
    }

    void findFocusesTheKeyFilterAndCopyTakesTheSelectedRows()
    {
        MainWindow w;
        w.show();
        QApplication::setActiveWindow(&w);
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keySequence(&w, QKeySequence(QKeySequence::Find));
        QCOMPARE(w.currentPage(), MainWindow::Page::Keys);
        QCOMPARE(QApplication::focusWidget(), w.keysBrowser()->keysPage()->filterEdit());

        auto manager = CacheManager::create({});
        QVERIFY(manager);
        for (auto purpose : {CachePurpose::Cache, CachePurpose::Data}) {
            CacheSpec spec;
            spec.purpose = purpose;
            spec.backend = BackendType::Simple;
            QVERIFY((*manager)->setCache(spec));
        }
        w.setCacheManager(manager->get(), QStringLiteral("test"));
        w.overviewModel()->refresh();
        w.showPage(MainWindow::Page::Overview);
        QTreeView *view = w.overviewPage()->view();
        QVERIFY(view && view->model()->rowCount() > 1);
        view->setFocus();
        view->selectionModel()->select(view->model()->index(0, 0),
                                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QApplication::clipboard()->clear();
        QTest::keySequence(&w, QKeySequence(QKeySequence::Copy));
        const QString copied = QApplication::clipboard()->text();
        QStringList expected;
        for (int c = 0; c < view->model()->columnCount(); ++c)
            expected << view->model()->index(0, c).data().toString();
        QCOMPARE(copied, expected.join(u'\t'));
        QVERIFY(copied.contains(u'\t'));
        w.setCacheManager(nullptr, QString());
    }

    void everyIconDrawsFromTheBundle()
    {
        QVERIFY(drawsAt(applicationIcon(), 16));
        QVERIFY(drawsAt(applicationIcon(), 256));
        int bundled = 0;
        QDirIterator it(QStringLiteral(":/icons/actions"));
        while (it.hasNext()) {
            const QString path = it.next();
            ++bundled;
            // 16 px and 200 % of it: vector icons render at any size.
            QVERIFY2(drawsAt(QIcon(path), 16), qPrintable(path));
            QVERIFY2(drawsAt(QIcon(path), 32), qPrintable(path));
        }
        QVERIFY(bundled >= 15);
        MainWindow w;
        QVERIFY(w.mainToolBar());
        QVERIFY(w.mainToolBar()->actions().size() >= 8);
        for (QAction *a : w.mainToolBar()->actions())
            if (!a->isSeparator())
                QVERIFY2(drawsAt(a->icon(), 22), qPrintable(a->text()));
    }

    void aboutNamesTheVersions()
    {
        AboutDialog about(applicationVersion(), componentVersions());
        const QString text = about.versionsText();
        QVERIFY2(text.startsWith(QStringLiteral("CacheScope %1\n").arg(applicationVersion())), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("hiredis 0.") ) || text.contains(QStringLiteral("hiredis 1.")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("msgpack-c ")), qPrintable(text));
        auto *qtLabel = about.findChild<QLabel *>(QStringLiteral("version:Qt"));
        QVERIFY(qtLabel);
        QVERIFY(qtLabel->text().contains(QString::fromLatin1(qVersion())));
    }

    void versionNeedsNoDisplay()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("CACHESCOPE_BINARY"), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.startsWith(QStringLiteral("cachescope %1\n").arg(applicationVersion())), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("Qt ")), qPrintable(out));
        QVERIFY(p.readAllStandardError().isEmpty());
    }
};

QTEST_MAIN(TestMenus)
#include "tst_menus.moc"
