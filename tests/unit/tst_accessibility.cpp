// Accessibility and locale as a user of a screen reader, a keyboard or another language meets
// them, offscreen on the embedded demo: every page's focusable and custom widgets have an
// accessible name, Tab walks each page without a trap and without leaving it half-way, numbers
// and times in the window follow the user's locale, and the command line's JSON does not.
#include "aboutdialog.h"
#include "buildinfo.h"
#include "cacheoverviewmodel.h"
#include "cli.h"
#include "formatting.h"
#include "guidedtour.h"
#include "mainwindow.h"
#include "window.h"
#include "windowtesting.h"

#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QListWidget>
#include <QSettings>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

namespace {

std::unique_ptr<WindowSession> demoWindow()
{
    return test::openDemoWindow(QSize(1400, 900));
}

// "KeysBrowser > KeysPage > QTreeView 'keys'": where an offender is, for the failure message.
QString describe(const QWidget *w, const QWidget *root)
{
    QStringList parts;
    if (w == root)
        return QString::fromLatin1(w->metaObject()->className()).section(u':', -1) + QStringLiteral(" (itself)");
    for (const QWidget *p = w; p && p != root; p = p->parentWidget())
        parts.prepend(QString::fromLatin1(p->metaObject()->className()).section(u':', -1)
                      + (p->objectName().isEmpty() ? QString() : QStringLiteral(" '%1'").arg(p->objectName())));
    return parts.join(QStringLiteral(" > "));
}

// Parts of a compound widget that speak through it (a spin box's line edit, a combo box's
// popup, a tab widget's bar) are not judged on their own.
bool insideCompound(const QWidget *w, const QWidget *root)
{
    for (const QWidget *p = w->parentWidget(); p && p != root; p = p->parentWidget())
        if (qobject_cast<const QAbstractSpinBox *>(p) || qobject_cast<const QComboBox *>(p))
            return true;
    return qobject_cast<const QTabBar *>(w) != nullptr;
}

bool isCustom(const QWidget *w)
{
    const QByteArray cls = w->metaObject()->className();
    return cls.startsWith("cachescope::");
}

// Widgets under `root` a screen reader would announce without a name.
QStringList unnamedWidgets(QWidget *root)
{
    QStringList offenders;
    QList<QWidget *> all = root->findChildren<QWidget *>();
    all.prepend(root);
    for (QWidget *w : std::as_const(all)) {
        if (w->isWindow() && w != root)
            continue; // a window of its own (menus, popups): not part of the page
        if (insideCompound(w, root))
            continue;
        const bool focusable = (w->focusPolicy() & Qt::TabFocus) != 0;
        if (!focusable && !isCustom(w))
            continue;
        QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(w);
        const QString name = iface ? iface->text(QAccessible::Name).trimmed() : QString();
        if (name.isEmpty())
            offenders << describe(w, root);
    }
    return offenders;
}

bool tabStop(const QWidget *w)
{
    return (w->focusPolicy() & Qt::TabFocus) && w->isVisible() && w->isEnabled() && !w->window()->isHidden()
        && w->focusProxy() == nullptr;
}

} // namespace

class TestAccessibility : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_accessibility")));
    }

    void shouldNameEveryFocusableAndCustomWidgetOnEveryPage()
    {
        auto s = demoWindow();
        QVERIFY(s && s->demo);
        MainWindow &w = *s->window;
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.overviewModel()->rowCount() > 0, 10000);
        QStringList offenders;
        for (MainWindow::Page page : w.pageOrder()) {
            w.showPage(page); // pages may build parts when first shown
            QTest::qWait(100);
            for (const QString &o : unnamedWidgets(w.page(page)))
                offenders << w.pageTitle(page) + QStringLiteral(": ") + o;
            // The page itself says what it is for (the tour and screen readers read it).
            if (w.page(page)->accessibleName().isEmpty() || w.page(page)->accessibleDescription().isEmpty())
                offenders << w.pageTitle(page) + QStringLiteral(": the page has no accessible name and description");
        }
        // The rest of the window: page list, toolbar, message bar, demo controls, status bar.
        for (const QString &o : unnamedWidgets(&w))
            if (!offenders.contains(o))
                offenders << QStringLiteral("window: ") + o;
        offenders.removeDuplicates();

        AboutDialog about(applicationVersion(), componentVersions());
        for (const QString &o : unnamedWidgets(&about))
            offenders << QStringLiteral("About: ") + o;
        auto *tour = w.startTour();
        for (const QString &o : unnamedWidgets(tour))
            offenders << QStringLiteral("Tour: ") + o;
        tour->close();
        for (const QString &o : std::as_const(offenders))
            qWarning("no accessible name: %s", qPrintable(o)); // all of them (QVERIFY2 cuts its message)
        QVERIFY2(offenders.isEmpty(), qPrintable(QStringLiteral("%1 widgets have no accessible name").arg(offenders.size())));
    }

    // From the page list, Tab enters the page, visits every widget of it that takes Tab focus,
    // one after the other (never leaving the page and coming back), and comes round again: no
    // widget traps the focus.
    void shouldTabThroughEveryPageInOneRun()
    {
        auto s = demoWindow();
        QVERIFY(s && s->demo);
        MainWindow &w = *s->window;
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        auto *list = w.findChild<QListWidget *>();
        QVERIFY(list);
        QStringList problems;
        for (MainWindow::Page page : w.pageOrder()) {
            w.showPage(page);
            QTest::qWait(100);
            QWidget *pageWidget = w.page(page);
            list->setFocus(Qt::TabFocusReason);
            QCOMPARE(QApplication::focusWidget(), list);
            QList<QWidget *> visited;
            for (int i = 0; i < 400; ++i) {
                QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
                QWidget *focus = QApplication::focusWidget();
                if (!focus || focus == list)
                    break;
                visited << focus;
            }
            const QString title = w.pageTitle(page);
            if (QApplication::focusWidget() != list) {
                problems << QStringLiteral("%1: Tab does not come round to the page list (stuck at %2)")
                                .arg(title, QApplication::focusWidget() ? describe(QApplication::focusWidget(), &w) : QStringLiteral("nothing"));
                continue;
            }
            // The page's stops in one contiguous run.
            int first = -1, last = -1;
            for (int i = 0; i < visited.size(); ++i) {
                if (pageWidget->isAncestorOf(visited[i])) {
                    if (first < 0)
                        first = i;
                    last = i;
                }
            }
            for (int i = first; first >= 0 && i <= last; ++i)
                if (!pageWidget->isAncestorOf(visited[i]))
                    problems << QStringLiteral("%1: Tab leaves the page for %2 and comes back").arg(title, describe(visited[i], &w));
            for (QWidget *child : pageWidget->findChildren<QWidget *>())
                if (tabStop(child) && !insideCompound(child, pageWidget) && !visited.contains(child))
                    problems << QStringLiteral("%1: %2 takes Tab focus but Tab never reaches it").arg(title, describe(child, pageWidget));
            if (first < 0)
                problems << QStringLiteral("%1: Tab never enters the page").arg(title);
        }
        for (const QString &p : std::as_const(problems))
            qWarning("focus order: %s", qPrintable(p));
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 focus order problems").arg(problems.size())));
    }

    // The window's numbers follow the user's locale (here German: 1.234.567, 87,3 %), sizes stay
    // binary (KiB), and the default — what the command line gets — is unchanged.
    void shouldFormatNumbersInTheDisplayLocale()
    {
        QCOMPARE(formatCount(1234567), QStringLiteral("1,234,567"));
        QCOMPARE(formatPercent(0.873), QStringLiteral("87.3 %"));
        QCOMPARE(formatBytes(1536), QStringLiteral("1.5 KiB"));
        setDisplayLocale(QLocale(QLocale::German, QLocale::Germany));
        QCOMPARE(formatCount(1234567), QStringLiteral("1.234.567"));
        QCOMPARE(formatPercent(0.873), QStringLiteral("87,3 %"));
        QCOMPARE(formatBytes(1536), QStringLiteral("1,5 KiB"));
        QCOMPARE(formatBytes(3 * 1024 * 1024), QStringLiteral("3,0 MiB"));
        const QDateTime afternoon(QDate(2026, 12, 6), QTime(14, 3, 27));
        QCOMPARE(formatTimeOfDay(afternoon.toMSecsSinceEpoch()), QStringLiteral("14:03:27"));
        setDisplayLocale(QLocale(QLocale::English, QLocale::UnitedStates));
        QCOMPARE(formatTimeOfDay(afternoon.toMSecsSinceEpoch()), QStringLiteral("2:03:27 PM"));

        // A window under German shows German numbers in its Overview.
        setDisplayLocale(QLocale(QLocale::German, QLocale::Germany));
        {
            auto s = demoWindow();
            QVERIFY(s && s->demo);
            auto *model = s->window->overviewModel();
            QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 0, 10000);
            bool sawComma = false;
            QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                         for (int r = 0; r < model->rowCount(); ++r)
                                             for (int c = 0; c < model->columnCount(); ++c) {
                                                 const QString text = model->index(r, c).data().toString();
                                                 if (text.endsWith(QStringLiteral(" %")) && text.contains(u','))
                                                     sawComma = true;
                                             }
                                         return sawComma;
                                     }()),
                                     15000);
        }
        setDisplayLocale(QLocale(QLocale::English)); // back to the default for other tests
    }

    // `--json` and the command line's text are the same bytes whatever the user's locale.
    void shouldKeepJsonOutputUnderAnotherLocale()
    {
        const QString config = QFINDTESTDATA("fixtures/configs/18_if_elif_env.py");
        const QString chart = QFINDTESTDATA("fixtures/payloads/chart_data.bin"); // floats, sizes, dates
        const QString scalars = QFINDTESTDATA("fixtures/payloads/scalars.bin");
        QVERIFY(!config.isEmpty() && !chart.isEmpty() && !scalars.isEmpty());
        const QList<QStringList> commands = {
            {QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("--json"), config},
            {QStringLiteral("config"), QStringLiteral("show"), config},
            {QStringLiteral("decode"), QStringLiteral("--input"), chart, QStringLiteral("--json")},
            {QStringLiteral("decode"), QStringLiteral("--input"), scalars, QStringLiteral("--json")},
            {QStringLiteral("decode"), QStringLiteral("--input"), chart},
        };
        // The program inherits this process's locale variables.
        const auto runUnder = [](const QByteArray &locale, const QStringList &args) {
            for (const char *name : {"LANG", "LC_ALL", "LC_NUMERIC", "LC_TIME"})
                qputenv(name, locale);
            return test::runCli(args);
        };
        for (const QStringList &args : commands) {
            const test::CliResult english = runUnder("C.UTF-8", args);
            const test::CliResult german = runUnder("de_DE.UTF-8", args);
            QVERIFY2(english.exitCode == 0, english.err.constData());
            QCOMPARE(german.exitCode, 0);
            QVERIFY(!english.out.isEmpty());
            QCOMPARE(german.out, english.out);
        }
        for (const char *name : {"LANG", "LC_ALL", "LC_NUMERIC", "LC_TIME"})
            qunsetenv(name);
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
