// The Help menu as a user meets it, offscreen on the embedded demo: the guided tour visits every
// page of the window in list order (forward, back, finish), and Help → User guide hands the
// desktop a guide file that exists, whose links to its pictures and CLI reference resolve too.
#include "commandline.h"
#include "guidedtour.h"
#include "mainwindow.h"
#include "userguide.h"
#include "window.h"
#include "windowtesting.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

namespace {

QAction *helpAction(MainWindow &w, const QString &text)
{
    for (QAction *menu : w.menuBar()->actions())
        if (menu->menu() && menu->text().remove(u'&') == QStringLiteral("Help"))
            for (QAction *a : menu->menu()->actions())
                if (a->text().remove(u'&') == text)
                    return a;
    return nullptr;
}

QPushButton *button(QWidget *dialog, const QString &text)
{
    for (QPushButton *b : dialog->findChildren<QPushButton *>())
        if (b->text().remove(u'&') == text)
            return b;
    return nullptr;
}

} // namespace

// Receives what QDesktopServices::openUrl would hand the desktop (setUrlHandler for "file").
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> urls;
public slots:
    void open(const QUrl &url) { urls << url; }
};

class TestHelpMenu : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_helpmenu")));
    }

    void shouldTourEveryPageOfTheDemo()
    {
        auto s = test::openDemoWindow(QSize(1280, 800));
        QVERIFY(s && s->demo);
        MainWindow &w = *s->window;
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QList<MainWindow::Page> pages = w.pageOrder();
        QVERIFY(pages.size() >= 4); // Overview, Keys, Hit rates, Config (and what joined since)
        w.showPage(pages.last()); // the tour starts at the first page wherever the user is

        QAction *start = helpAction(w, QStringLiteral("Guided tour of the demo"));
        QVERIFY(start);
        start->trigger();
        auto *tour = w.findChild<GuidedTour *>();
        QVERIFY(tour);
        QVERIFY(QTest::qWaitForWindowExposed(tour));
        QVERIFY(!tour->isModal()); // the demo's knobs stay usable while touring
        QCOMPARE(tour->stepCount(), pages.size());
        QPushButton *next = button(tour, QStringLiteral("Next"));
        QPushButton *back = button(tour, QStringLiteral("Back"));
        QVERIFY(next && back);
        QVERIFY(!back->isEnabled());

        QList<MainWindow::Page> visited;
        QStringList texts;
        for (int step = 0; step < pages.size(); ++step) {
            QCOMPARE(tour->step(), step);
            QCOMPARE(w.currentPage(), tour->stepPage()); // the page it talks about is shown
            visited << w.currentPage();
            texts << tour->stepText();
            QVERIFY2(tour->stepText().size() > 40, qPrintable(w.pageTitle(w.currentPage())));
            if (step < pages.size() - 1) {
                QCOMPARE(next->text().remove(u'&'), QStringLiteral("Next"));
                QTest::mouseClick(next, Qt::LeftButton);
            }
        }
        QCOMPARE(visited, pages);
        QCOMPARE(QSet<QString>(texts.begin(), texts.end()).size(), texts.size()); // a text of its own per page

        QTest::mouseClick(back, Qt::LeftButton);
        QCOMPARE(tour->step(), pages.size() - 2);
        QCOMPARE(w.currentPage(), pages[pages.size() - 2]);
        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(next->text().remove(u'&'), QStringLiteral("Finish"));
        QPointer<GuidedTour> guard(tour);
        QTest::mouseClick(next, Qt::LeftButton); // Finish closes it
        QTRY_VERIFY(!guard);

        // Once more from the menu: a fresh tour from the first page; Esc ends it.
        start->trigger();
        tour = w.findChild<GuidedTour *>();
        QVERIFY(tour);
        QCOMPARE(tour->step(), 0);
        QCOMPARE(w.currentPage(), pages.first());
        guard = tour;
        QTest::keyClick(tour, Qt::Key_Escape);
        QTRY_VERIFY(!guard);
    }

    void shouldOpenAUserGuideThatExists()
    {
        UrlCatcher catcher;
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &catcher, "open");
        MainWindow w;
        QAction *guide = helpAction(w, QStringLiteral("User guide"));
        QVERIFY(guide);
        QVERIFY(!guide->shortcut().isEmpty()); // F1
        guide->trigger();
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
        QCOMPARE(catcher.urls.size(), 1);
        const QUrl url = catcher.urls.first();
        QVERIFY(url.isLocalFile());
        const QFileInfo file(url.toLocalFile());
        QVERIFY2(file.isFile(), qPrintable(url.toString()));
        QCOMPARE(file.fileName(), QStringLiteral("README.md"));
        QCOMPARE(file.canonicalFilePath(), userGuideFile());
        // From a build tree: the source tree's guide (an installed one is tested by deb_package).
        QCOMPARE(file.canonicalFilePath(),
                 QFileInfo(qEnvironmentVariable("CACHESCOPE_SOURCE_DIR") + QStringLiteral("/docs/guide/README.md")).canonicalFilePath());

        // What the guide links to (pictures, the CLI reference) is there beside it.
        QFile f(file.filePath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.contains(QStringLiteral("# CacheScope user guide")));
        static const QRegularExpression link(QStringLiteral(R"(\]\(([^)#:]+)\))"));
        int relative = 0;
        for (auto it = link.globalMatch(text); it.hasNext();) {
            const QString target = it.next().captured(1);
            QVERIFY2(QFileInfo::exists(file.dir().filePath(target)), qPrintable(target));
            ++relative;
        }
        QVERIFY(relative >= 5); // four pictures and cli.md at least
    }
};

QTEST_MAIN(TestHelpMenu)
#include "tst_helpmenu.moc"
