// The Config page offscreen: resolved caches, findings that select their span, live environment
// fields evaluated off the GUI thread with stale results dropped.
#include "configpage.h"

#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace cachescope;

namespace {

const char kConfig[] =
    "import os\n"
    "REDIS_HOST = os.getenv('REDIS_HOST', 'localhost')\n"
    "CACHE_CONFIG = {\n"
    "    'CACHE_TYPE': 'RedisCache',\n"
    "    'CACHE_REDIS_HOST': REDIS_HOST,\n"
    "    'CACHE_KEY_PREFIX': 'superset_',\n"
    "}\n"
    "DATA_CACHE_CONFIG = CACHE_CONFIG\n";

QTreeWidgetItem *cacheItem(QTreeWidget *tree, const QString &purpose)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0) == purpose)
            return tree->topLevelItem(i);
    return nullptr;
}

QString childValue(QTreeWidgetItem *item, const QString &key)
{
    for (int i = 0; i < item->childCount(); ++i)
        if (item->child(i)->text(0) == key)
            return item->child(i)->text(1);
    return {};
}

} // namespace

class TestConfigPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings must not touch the real user config
        QCoreApplication::setOrganizationName(QStringLiteral("CacheScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_configpage"));
    }

    void showsCachesFindingsAndEnvironment()
    {
        ConfigPage page;
        page.setBaseEnvironment({});
        page.resize(1000, 700);
        page.show();
        QSignalSpy spy(&page, &ConfigPage::evaluated);
        page.setSource(QString::fromUtf8(kConfig), QStringLiteral("/nonexistent/superset_config.py"));
        QVERIFY(spy.wait(10000));

        auto *caches = page.findChild<QTreeWidget *>(QStringLiteral("configCaches"));
        QVERIFY(caches);
        QTreeWidgetItem *cache = cacheItem(caches, QStringLiteral("CACHE_CONFIG"));
        QVERIFY(cache);
        QCOMPARE(childValue(cache, QStringLiteral("CACHE_REDIS_HOST")), QStringLiteral("localhost"));
        QVERIFY(cacheItem(caches, QStringLiteral("FILTER_STATE_CACHE_CONFIG")));

        // The shared keyspace finding selects its span in the source.
        auto *findings = page.findChild<QListWidget *>(QStringLiteral("configFindings"));
        QListWidgetItem *shared = nullptr;
        for (int i = 0; i < findings->count(); ++i)
            if (findings->item(i)->data(Qt::UserRole).toString() == u"shared-keyspace")
                shared = findings->item(i);
        QVERIFY(shared);
        const QRect r = findings->visualItemRect(shared);
        QTest::mouseClick(findings->viewport(), Qt::LeftButton, {}, r.center());
        auto *source = page.findChild<QPlainTextEdit *>(QStringLiteral("configSource"));
        QCOMPARE(source->textCursor().blockNumber() + 1, 6); // CACHE_KEY_PREFIX line
        QVERIFY(source->textCursor().selectedText().contains(QStringLiteral("superset_")));
        // Every finding is also marked in the source; the active one on top.
        QVERIFY(source->extraSelections().size() >= 2);

        // The unset variable is a field; typing re-evaluates.
        auto *field = page.findChild<QLineEdit *>(QStringLiteral("env_REDIS_HOST"));
        QVERIFY(field);
        QVERIFY(field->placeholderText().contains(QStringLiteral("localhost")));
        spy.clear();
        field->setFocus();
        QTest::keyClicks(field, QStringLiteral("redis.prod"));
        QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(childValue(cacheItem(caches, QStringLiteral("CACHE_CONFIG")), QStringLiteral("CACHE_REDIS_HOST")),
                                  QStringLiteral("redis.prod"), 10000);
        // The field stays (it is now set, but the user typed it).
        QVERIFY(page.findChild<QLineEdit *>(QStringLiteral("env_REDIS_HOST")));
    }

    void staleResultsAreDropped()
    {
        ConfigPage page;
        page.setBaseEnvironment({});
        QSignalSpy spy(&page, &ConfigPage::evaluated);
        // A slow evaluation followed at once by a quick one: only the latest is shown.
        page.setSource(QStringLiteral("n = 0\nfor i in range(200000):\n    n += i\nCACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'slow_'}\n"),
                       QStringLiteral("slow.py"));
        page.setSource(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'fast_'}\n"), QStringLiteral("fast.py"));
        QVERIFY(spy.wait(20000));
        QTest::qWait(200);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 20000);
        QCOMPARE(page.report().caches.front().keyPrefix, QByteArray("fast_"));
        // Give the slow one every chance to arrive late; it must not replace the shown report.
        QTest::qWait(1500);
        QCOMPARE(page.evaluationCount(), 1);
        QCOMPARE(page.report().caches.front().keyPrefix, QByteArray("fast_"));
    }

    void openFileRemembersIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import sys\nCACHE_DEFAULT_TIMEOUT = 5\nsys.exit(1)\n");
        f.close();
        ConfigPage page;
        QSignalSpy spy(&page, &ConfigPage::evaluated);
        QVERIFY(page.openFile(path));
        QVERIFY(spy.wait(10000));
        QCOMPARE(ConfigPage::lastFile(), QFileInfo(path).absoluteFilePath());
        QVERIFY(!page.report().loaded);
        bool exitFinding = false;
        auto *findings = page.findChild<QListWidget *>(QStringLiteral("configFindings"));
        for (int i = 0; i < findings->count(); ++i)
            exitFinding = exitFinding || findings->item(i)->data(Qt::UserRole).toString() == u"exit-reached";
        QVERIFY(exitFinding);
        QVERIFY(!page.openFile(dir.filePath(QStringLiteral("missing.py"))));
    }
};

QTEST_MAIN(TestConfigPage)
#include "tst_configpage.moc"
