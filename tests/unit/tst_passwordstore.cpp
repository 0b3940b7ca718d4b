// PasswordStore (ui/passwordstore.h) without a keychain, as on a server or a CI machine: no D-Bus
// session bus, so neither a Secret Service nor KWallet answers. Every call returns at once and
// answers later with a failure that names the reason, never the password, and nothing lands in
// the settings file (QtKeychain's insecure QSettings fallback stays off).
#include "passwordstore.h"
#include "windowtesting.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

class TestPasswordStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

    // Every file under the test's settings directory, concatenated.
    QByteArray everythingWritten() const
    {
        QByteArray all;
        for (QDirIterator it(m_home.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly))
                all += f.readAll();
        }
        return all;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.path()));
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_passwordstore")));
        QSettings().setValue(QStringLiteral("format"), 1); // a settings file exists to be looked into
    }

    void shouldAnswerLaterWithAReasonWhenThereIsNoKeychain()
    {
        PasswordStore store(QStringLiteral("CacheScopeTest"));
        const QString account = QStringLiteral("redis://127.0.0.1:6390/3");
        QSignalSpy written(&store, &PasswordStore::writeFinished);
        QSignalSpy writeFailed(&store, &PasswordStore::writeFailed);
        store.write(account, QStringLiteral("pw-n0t-kept"));
        QCOMPARE(writeFailed.count() + written.count(), 0); // returned before the keychain answered
        QTRY_COMPARE_WITH_TIMEOUT(writeFailed.count(), 1, 15000);
        QCOMPARE(written.count(), 0);
        QCOMPARE(writeFailed.first().at(0).toString(), account);
        const QString reason = writeFailed.first().at(1).toString();
        QVERIFY(!reason.isEmpty());
        QVERIFY2(!reason.contains(u"pw-n0t-kept"), qPrintable(reason));

        QSignalSpy found(&store, &PasswordStore::readFinished);
        QSignalSpy readFailed(&store, &PasswordStore::readFailed);
        store.read(account);
        QCOMPARE(readFailed.count() + found.count(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(readFailed.count(), 1, 15000);
        QCOMPARE(found.count(), 0);
        QCOMPARE(readFailed.first().at(0).toString(), account);
        qInfo("without a keychain: %s", qPrintable(readFailed.first().at(1).toString()));

        store.remove(account); // harmless without a keychain
        QTest::qWait(100);
        QSettings().sync();
        const QByteArray all = everythingWritten();
        QVERIFY(all.contains("format")); // the settings file was read
        QVERIFY(!all.contains("pw-n0t-kept"));
    }
};

QTEST_MAIN(TestPasswordStore)
#include "tst_passwordstore.moc"
