// What the window remembers between runs (ui/windowsettings.h), offscreen: a round trip through a
// second window, recent configs, saved connections without their passwords, and settings files
// that are corrupt, foreign or damaged value by value.
#include "hitratefeed.h"
#include "hitratepage.h"
#include "keysbrowser.h"
#include "mainwindow.h"
#include "overviewpage.h"
#include "redisserver.h"
#include "windowsettings.h"
#include "windowtesting.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <functional>

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

// The menu action whose text (without its "&") is `text`, from any menu of the window.
QAction *menuAction(MainWindow &w, const QString &text)
{
    for (QAction *a : w.menuBar()->findChildren<QAction *>())
        if (a->text().remove(u'&') == text)
            return a;
    for (QMenu *menu : w.findChildren<QMenu *>())
        for (QAction *a : menu->actions())
            if (a->text().remove(u'&') == text)
                return a;
    return nullptr;
}

// Triggers `action` and answers the modal dialogs it opens, in order, as a user would: each
// handler gets the dialog and closes it. Returns how many were answered.
int triggerAndAnswer(QAction *action, QList<std::function<void(QDialog *)>> handlers)
{
    int answered = 0;
    QTimer timer;
    timer.setInterval(20);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || dialog->property("answered").toBool() || answered >= handlers.size())
            return;
        dialog->setProperty("answered", true);
        handlers[answered++](dialog);
    });
    timer.start();
    action->trigger();
    // A dialog may come later (after the keychain answered): wait for it, within a bound.
    (void)QTest::qWaitFor([&] { return answered >= handlers.size(); }, 15000); // the caller compares the count
    return answered;
}

// File → Saved connections' first entry.
QAction *firstSavedConnection(MainWindow &w)
{
    for (QMenu *menu : w.findChildren<QMenu *>())
        if (menu->title().remove(u'&') == QStringLiteral("Saved connections"))
            return menu->actions().value(0);
    return nullptr;
}

} // namespace

class TestWindowSettings : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        // No keychain here: no D-Bus session bus to reach a Secret Service or KWallet daemon
        // (the address names a socket that does not exist), so saved passwords must be asked for.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_windowsettings")));
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
            w.hitRatePage()->setWindowSeconds(3600); // not the default (600)
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
        QCOMPARE(w.hitRatePage()->windowSeconds(), 3600);
    }

    // The Sources menu's dialogs offer what the user entered last time, in a new window (the
    // settings file is the only thing the two windows share); damaged values fall back to defaults.
    void shouldOfferTheLastStatsdAndMonitorChoices()
    {
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(test::freeLoopbackPort());
        const QString forward = QStringLiteral("127.0.0.1:%1").arg(test::freeLoopbackPort());
        {
            MainWindow w;
            QAction *statsd = menuAction(w, QStringLiteral("Listen for Superset statsd metrics…"));
            QVERIFY(statsd);
            QStringList offered;
            const auto typeAndAccept = [&](const QString &text) {
                return [&offered, text](QDialog *d) {
                    auto *input = qobject_cast<QInputDialog *>(d);
                    QVERIFY(input);
                    offered << input->textValue();
                    input->setTextValue(text);
                    input->accept();
                };
            };
            QCOMPARE(triggerAndAnswer(statsd, {typeAndAccept(listen), typeAndAccept(forward)}), 2);
            QCOMPARE(offered, (QStringList{QStringLiteral("127.0.0.1:8125"), QString()})); // the defaults, first time
            QVERIFY(w.hitRateFeed()->isListeningForStatsd()); // on the port the user typed
            menuAction(w, QStringLiteral("Stop statsd listener"))->trigger();
            QVERIFY(!w.hitRateFeed()->isListeningForStatsd());

            QAction *monitor = menuAction(w, QStringLiteral("Estimate per-cache hit rates with MONITOR…"));
            QVERIFY(monitor);
            int offeredSeconds = 0;
            QCOMPARE(triggerAndAnswer(monitor, {[](QDialog *d) {
                                                    auto *box = qobject_cast<QMessageBox *>(d);
                                                    QVERIFY(box);
                                                    box->button(QMessageBox::Ok)->click();
                                                },
                                                [&](QDialog *d) {
                                                    auto *input = qobject_cast<QInputDialog *>(d);
                                                    QVERIFY(input);
                                                    offeredSeconds = input->intValue();
                                                    input->setIntValue(45);
                                                    input->accept();
                                                }}),
                     2);
            QCOMPARE(offeredSeconds, 30);
            // No server is polled, so MONITOR does not start; the choice is kept all the same.
        }
        MainWindow w;
        QStringList offered;
        const auto recordAndCancel = [&offered](QDialog *d) {
            auto *input = qobject_cast<QInputDialog *>(d);
            QVERIFY(input);
            offered << input->textValue();
            input->reject();
        };
        QAction *statsd = menuAction(w, QStringLiteral("Listen for Superset statsd metrics…"));
        QCOMPARE(triggerAndAnswer(statsd, {recordAndCancel}), 1);
        QCOMPARE(offered, QStringList{listen});
        QCOMPARE(settings::sourcePreferences().statsdForward, forward);
        int offeredSeconds = 0;
        QCOMPARE(triggerAndAnswer(menuAction(w, QStringLiteral("Estimate per-cache hit rates with MONITOR…")),
                                  {[](QDialog *d) { qobject_cast<QMessageBox *>(d)->button(QMessageBox::Ok)->click(); },
                                   [&](QDialog *d) {
                                       offeredSeconds = qobject_cast<QInputDialog *>(d)->intValue();
                                       d->reject();
                                   }}),
                 2);
        QCOMPARE(offeredSeconds, 45);

        {
            QSettings s;
            s.setValue(QStringLiteral("sources/monitorSeconds"), QStringLiteral("forever"));
            s.setValue(QStringLiteral("sources/statsdListen"), QString());
            s.setValue(QStringLiteral("hitrates/window"), 17);
        }
        QCOMPARE(settings::sourcePreferences().monitorSeconds, 30);
        QCOMPARE(settings::sourcePreferences().statsdListen, QStringLiteral("127.0.0.1:8125"));
        MainWindow third;
        const QStringList problems = settings::restoreWindow(third, false);
        QVERIFY2(problems.join(u'\n').contains(u"hitrates/window"), qPrintable(problems.join(u'\n')));
        QCOMPARE(third.hitRatePage()->windowSeconds(), 600);
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

        // Next run: File → Saved connections' entry. The keychain is asked first, in the
        // background; with none available the user is asked, and the connection opens with what
        // they typed. The password is written nowhere in the settings file, then or after.
        {
            MainWindow w;
            const int before = w.keysBrowser()->connectionCount();
            QAction *entry = firstSavedConnection(w);
            QVERIFY(entry);
            QVERIFY2(entry->text().contains(QStringLiteral("redis://127.0.0.1:%1/3").arg(server.port())), qPrintable(entry->text()));
            QString asked;
            QCOMPARE(triggerAndAnswer(entry, {[&](QDialog *d) {
                                                  auto *input = qobject_cast<QInputDialog *>(d);
                                                  QVERIFY(input);
                                                  asked = input->labelText();
                                                  QCOMPARE(input->textEchoMode(), QLineEdit::Password);
                                                  input->setTextValue(QStringLiteral("s3cr3t-pw"));
                                                  input->accept();
                                              }}),
                     1);
            QVERIFY2(asked.contains(u"keychain"), qPrintable(asked)); // says why it asks
            QVERIFY2(!asked.contains(u"s3cr3t"), qPrintable(asked));
            QCOMPARE(w.keysBrowser()->connectionCount(), before + 1);
            QCOMPARE(w.currentPage(), MainWindow::Page::Keys);
            QTest::qWait(200); // the keychain write that follows the connection fails in the background
        }
        QVERIFY(!settingsBytes().contains("s3cr3t"));
        QCOMPARE(settings::savedConnections().size(), 1);

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
