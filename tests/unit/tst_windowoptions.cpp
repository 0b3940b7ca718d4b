// The window's command line as a user gives it (`cachescope superset_config.py --page overview`),
// parsed by the shared parser and opened by the same openWindow() the executable runs.
#include "commandline.h"
#include "configpage.h"
#include "configsession.h"
#include "mainwindow.h"
#include "window.h"

#include "demo/demoenvironment.h"
#include "windowtesting.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

namespace {

using Page = MainWindow::Page;

// The page the stack shows (the others are hidden inside it).
bool showing(const WindowSession &s, Page page)
{
    QWidget *w = s.window->page(page);
    return w && w->isVisibleTo(s.window.get());
}

} // namespace

class TestWindowOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("data"))); // read-only caches create nothing
        m_config = m_dir.filePath(QStringLiteral("superset_config.py"));
        QFile f(m_config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import os\nCACHE_CONFIG = {'CACHE_TYPE': 'SimpleCache', 'CACHE_DEFAULT_TIMEOUT': 60}\n"
                "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'FileSystemCache', 'CACHE_DIR': '" + m_dir.path().toUtf8() + "/data'}\n");
    }

    void pageWinsOverTheConfig_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("page");
        QTest::newRow("config, no --page") << QStringList{} << int(Page::Config);
        QTest::newRow("--page overview") << QStringList{u"--page"_qs, u"overview"_qs} << int(Page::Overview);
        QTest::newRow("--page=keys before") << QStringList{u"--page=keys"_qs} << int(Page::Keys);
        QTest::newRow("--page hitrates") << QStringList{u"--page"_qs, u"hitrates"_qs} << int(Page::HitRates);
        QTest::newRow("--page config") << QStringList{u"--page"_qs, u"config"_qs} << int(Page::Config);
        QTest::newRow("--page timeouts") << QStringList{u"--page"_qs, u"timeouts"_qs} << int(Page::Timeouts);
        QTest::newRow("--page capacity") << QStringList{u"--page"_qs, u"capacity"_qs} << int(Page::Capacity);
    }
    void pageWinsOverTheConfig()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, page);
        auto s = test::openWindowWith(QStringList{m_config} + extra);
        QVERIFY(s);
        QVERIFY(!s->demo); // the config's caches, not the demo's
        // Still on the page asked for once the config has been evaluated (off the GUI thread) and
        // its caches replaced the window's.
        QTRY_VERIFY_WITH_TIMEOUT(s->session->manager(), 30000);
        QVERIFY(s->session->page()->report().loaded);
        QCoreApplication::processEvents();
        for (Page p : {Page::Overview, Page::Keys, Page::HitRates, Page::Config, Page::Timeouts, Page::Capacity})
            QCOMPARE(showing(*s, p), int(p) == page);
        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_PAGE");
        if (!shot.isEmpty() && page == int(Page::Overview)) {
            s->window->show();
            QVERIFY(QTest::qWaitForWindowExposed(s->window.get()));
            QVERIFY(s->window->grab().save(shot));
        }
    }

    void demoOpensOnOverviewUnlessAsked()
    {
        auto demo = test::openWindowWith({});
        QVERIFY(demo && demo->demo);
        QVERIFY(showing(*demo, Page::Overview));
        auto keys = test::openWindowWith({u"--page"_qs, u"keys"_qs});
        QVERIFY(keys && keys->demo);
        QVERIFY(showing(*keys, Page::Keys));
    }

private:
    QTemporaryDir m_dir;
    QString m_config;
};

QTEST_MAIN(TestWindowOptions)
#include "tst_windowoptions.moc"
