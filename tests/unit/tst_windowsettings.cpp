// What the window remembers between runs (ui/windowsettings.h), offscreen: a round trip through a
// second window, recent configs, saved connections without their passwords, and settings files
// that are corrupt, foreign or damaged value by value.
#include "keysbrowser.h"
#include "mainwindow.h"
#include "overviewpage.h"
#include "redisserver.h"
#include "windowsettings.h"

#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace cachescope;

namespace {

QSplitter *keysSplitter(MainWindow &w)
{
    return w.keysBrowser()->findChild<QSplitter *>();
}

QTreeView *overviewView(MainWindow &w)
{
    return w.overviewPage()->findChild<QTreeView *>();
}

QByteArray settingsBytes()
{
    QFile f(QSettings().fileName());
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeSettingsFile(const QByteArray &bytes)
{
    const QString name = QSettings().fileName();
    QDir().mkpath(QFileInfo(name).absolutePath());
    QFile::remove(name);
    QFile f(name);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

} // namespace

class TestWindowSettings : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        // Our own settings directory: never the user's, never another test's.
        QVERIFY(m_home.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_home.path());
        QCoreApplication::setOrganizationName(QStringLiteral("CacheScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_windowsettings"));
        QVERIFY(QSettings().fileName().startsWith(m_home.path()));
    }

    void init()
    {
        QFile::remove(QSettings().fileName());
    }

    void shouldRestoreTheWindowAsItWasLeft()
    {
        QList<int> splitterSizes;
        {
            MainWindow w;
            w.resize(1234, 789);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.showPage(MainWindow::Page::Keys);
            QSplitter *splitter = keysSplitter(w);
            QVERIFY(splitter);
            QVERIFY(splitter->count() >= 2);
            QList<int> sizes = splitter->sizes();
            const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
            sizes.fill(0);
            sizes[0] = total / 5;
            sizes[1] = total - total / 5;
            splitter->setSizes(sizes);
            splitterSizes = splitter->sizes();
            QTreeView *view = overviewView(w);
            QVERIFY(view);
            QVERIFY(view->header()->count() > 3);
            view->header()->resizeSection(1, 211);
            view->sortByColumn(2, Qt::DescendingOrder);
            w.showPage(MainWindow::Page::HitRates);
            settings::saveWindow(w);
        }
        QVERIFY(settingsBytes().contains("geometry"));

        MainWindow w;
        QCOMPARE(w.currentPage(), MainWindow::Page::Overview);
        const QStringList problems = settings::restoreWindow(w, true);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.size(), QSize(1234, 789));
        QCOMPARE(w.currentPage(), MainWindow::Page::HitRates);
        w.showPage(MainWindow::Page::Keys);
        QCoreApplication::processEvents();
        QCOMPARE(keysSplitter(w)->sizes(), splitterSizes);
        QTreeView *view = overviewView(w);
        QCOMPARE(view->header()->sectionSize(1), 211);
        QCOMPARE(view->header()->sortIndicatorSection(), 2);
        QCOMPARE(view->header()->sortIndicatorOrder(), Qt::DescendingOrder);
    }

    void shouldLeaveThePageToTheCommandLine()
    {
        {
            MainWindow w;
            w.showPage(MainWindow::Page::HitRates);
            settings::saveWindow(w);
        }
        MainWindow w;
        w.showPage(MainWindow::Page::Keys); // what --page asked for
        QVERIFY(settings::restoreWindow(w, false).isEmpty());
        QCOMPARE(w.currentPage(), MainWindow::Page::Keys);
    }

    void shouldListRecentConfigsNewestFirst()
    {
        QTemporaryDir dir;
        QStringList paths;
        for (int i = 0; i < settings::kMaxRecentConfigs + 2; ++i) {
            paths << dir.filePath(QStringLiteral("superset_config_%1.py").arg(i));
            QFile f(paths.last());
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        settings::addRecentConfig(paths[0]);
        settings::addRecentConfig(paths[1]);
        settings::addRecentConfig(paths[2]);
        settings::addRecentConfig(paths[0]);
        QCOMPARE(settings::recentConfigs(), (QStringList{paths[0], paths[2], paths[1]}));
        QFile::remove(paths[2]); // gone files are not offered
        QCOMPARE(settings::recentConfigs(), (QStringList{paths[0], paths[1]}));
        QFile back(paths[2]);
        QVERIFY(back.open(QIODevice::WriteOnly));
        for (const QString &p : paths)
            settings::addRecentConfig(p);
        const QStringList recent = settings::recentConfigs();
        QCOMPARE(recent.size(), settings::kMaxRecentConfigs);
        QCOMPARE(recent.first(), paths.last());
    }

    void shouldSaveConnectionsWithoutPasswords()
    {
        // A real server with a password: the window connects, remembers the URL and prefix, and
        // the settings file never holds the password.
        test::RedisServer server;
        const QString error = server.start({QStringLiteral("--requirepass"), QStringLiteral("s3cr3t-pw")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString url = QStringLiteral("redis://:s3cr3t-pw@127.0.0.1:%1/3").arg(server.port());
        {
            MainWindow w;
            auto row = w.keysBrowser()->connectRedis(url, QByteArrayLiteral("superset_"));
            QVERIFY2(row, row ? "" : qPrintable(row.error()));
        }
        const QList<settings::SavedConnection> saved = settings::savedConnections();
        QCOMPARE(saved.size(), 1);
        QCOMPARE(saved[0].url, QStringLiteral("redis://127.0.0.1:%1/3").arg(server.port()));
        QCOMPARE(saved[0].prefix, QByteArrayLiteral("superset_"));
        QVERIFY(saved[0].needsPassword);
        QVERIFY(!settingsBytes().isEmpty());
        QVERIFY(!settingsBytes().contains("s3cr3t"));

        bool had = false;
        QCOMPARE(settings::withoutPassword(QStringLiteral("redis://user:pw@host:6380/1"), &had),
                 QStringLiteral("redis://user@host:6380/1"));
        QVERIFY(had);
        QCOMPARE(settings::withoutPassword(QStringLiteral("redis://host:6379/0"), &had), QStringLiteral("redis://host:6379/0"));
        QVERIFY(!had);
    }

    void shouldMoveACorruptFileAsideWithAMessage()
    {
        const QByteArray garbage("[window\n\x01\x02 not = an [ini\n\xff\xfe[[[\n");
        writeSettingsFile(garbage);
        const QString message = settings::checkFile();
        QVERIFY2(message.contains(QSettings().fileName()), qPrintable(message));
        QVERIFY(message.contains(u"corrupt"));
        QVERIFY(!QFile::exists(QSettings().fileName()));
        const QStringList aside = QDir(QFileInfo(QSettings().fileName()).absolutePath())
                                      .entryList({QStringLiteral("*.corrupt-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QFile kept(QFileInfo(QSettings().fileName()).absolutePath() + u'/' + aside.first());
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), garbage); // nothing lost
        kept.remove();

        MainWindow w; // starts from defaults, and saving works again
        QVERIFY(settings::restoreWindow(w, true).isEmpty());
        settings::saveWindow(w);
        QCOMPARE(QSettings().status(), QSettings::NoError);
        QVERIFY(settings::checkFile().isEmpty());
    }

    void shouldMoveAForeignFormatAside()
    {
        writeSettingsFile("[General]\nformat=99\n");
        const QString message = settings::checkFile();
        QVERIFY2(message.contains(u"99"), qPrintable(message));
        QVERIFY(!QFile::exists(QSettings().fileName()));
        for (const QString &f : QDir(QFileInfo(QSettings().fileName()).absolutePath()).entryList({QStringLiteral("*.corrupt-*")}))
            QFile::remove(QFileInfo(QSettings().fileName()).absolutePath() + u'/' + f);
    }

    void shouldSkipDamagedValuesAndSayWhich()
    {
        {
            MainWindow w;
            settings::saveWindow(w);
        }
        {
            // Values of the wrong type and bytes that are no saved state, as a hand edit or
            // another program would leave them.
            QSettings s;
            s.setValue(QStringLiteral("window/geometry"), QStringLiteral("hello"));
            s.setValue(QStringLiteral("window/state"), QByteArrayLiteral("xyz"));
            s.setValue(QStringLiteral("window/page"), QStringLiteral("banana"));
            for (const QString &group : {QStringLiteral("splitters"), QStringLiteral("columns")}) {
                s.beginGroup(group);
                const QStringList keys = s.allKeys();
                QVERIFY(!keys.isEmpty());
                for (const QString &k : keys)
                    s.setValue(k, QByteArray("\0\0\0\xff garbage", 12));
                s.endGroup();
            }
        }
        QVERIFY(settings::checkFile().isEmpty()); // readable and ours: kept, judged value by value
        MainWindow w;
        w.resize(900, 600);
        const QStringList problems = settings::restoreWindow(w, true);
        const QString all = problems.join(u'\n');
        QVERIFY2(all.contains(u"window/geometry"), qPrintable(all));
        QVERIFY2(all.contains(u"window/state"), qPrintable(all));
        QVERIFY2(all.contains(u"window/page"), qPrintable(all));
        QVERIFY2(all.contains(u"splitters/"), qPrintable(all));
        QVERIFY2(all.contains(u"columns/"), qPrintable(all));
        QCOMPARE(w.size(), QSize(900, 600));
        QCOMPARE(w.currentPage(), MainWindow::Page::Overview);
    }
};

QTEST_MAIN(TestWindowSettings)
#include "tst_windowsettings.moc"
