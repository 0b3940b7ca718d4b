// The Config page offscreen: resolved caches, findings that select their span, live environment
// fields evaluated off the GUI thread with stale results dropped.
#include "configpage.h"
#include "demo/demoenvironment.h"
#include "cache/cachemanager.h"
#include "checkok.h"
#include "demofiles.h"

#include <QFile>
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

    // The embedded demo's Config page, wired as app/window.cpp wires it: the demo's own
    // superset_config.py, evaluated with the demo's SUPERSET_HOME, with its caches and findings;
    // showing it remembers no "last config".
    void showsTheDemosOwnConfig()
    {
        auto demo = DemoEnvironment::create(test::demoConfigJson(), test::demoSupersetConfig());
        QVERIFY2(demo, qPrintable(test::errorOf(demo)));
        const QString lastBefore = ConfigPage::lastFile();
        ConfigPage page;
        page.resize(1000, 700);
        page.show();
        QSignalSpy spy(&page, &ConfigPage::evaluated);
        const QHash<QString, QString> environment = (*demo)->configEnvironment();
        for (auto it = environment.begin(); it != environment.end(); ++it)
            page.setEnvironmentValue(it.key(), it.value());
        QFile file((*demo)->configFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        page.setSource(QString::fromUtf8(file.readAll()), (*demo)->configFile());
        QVERIFY(spy.wait(10000));
        QVERIFY2(page.report().loaded, qPrintable(page.report().error));

        auto *caches = page.findChild<QTreeWidget *>(QStringLiteral("configCaches"));
        QVERIFY(caches);
        for (const char *purpose : {"CACHE_CONFIG", "DATA_CACHE_CONFIG", "FILTER_STATE_CACHE_CONFIG", "EXPLORE_FORM_DATA_CACHE_CONFIG",
                                    "THUMBNAIL_CACHE_CONFIG", "RESULTS_BACKEND"})
            QVERIFY2(cacheItem(caches, QLatin1String(purpose)), purpose);
        QVERIFY(cacheItem(caches, QStringLiteral("DATA_CACHE_CONFIG"))->text(1).startsWith(QLatin1String("SimpleCache")));
        QTreeWidgetItem *results = cacheItem(caches, QStringLiteral("RESULTS_BACKEND"));
        QVERIFY2(results->text(1).contains((*demo)->directory() + QStringLiteral("/sqllab")), qPrintable(results->text(1)));
        // The page's caches are the ones the running demo was built from
        for (const CacheSpec &spec : page.report().caches) {
            const auto running = (*demo)->manager().spec(spec.purpose);
            QVERIFY2(running, qPrintable(purposeConfigName(spec.purpose)));
            QCOMPARE(running->keyPrefix, spec.keyPrefix);
            QCOMPARE(running->defaultTimeout, spec.defaultTimeout);
            QCOMPARE(running->threshold, spec.threshold);
        }
        // In-process caches are per worker: the doctor says so
        auto *findings = page.findChild<QListWidget *>(QStringLiteral("configFindings"));
        bool simple = false;
        for (int i = 0; i < findings->count(); ++i)
            simple = simple || findings->item(i)->data(Qt::UserRole).toString() == u"simple-cache";
        QVERIFY(simple);
        QCOMPARE(ConfigPage::lastFile(), lastBefore);
        QTRY_COMPARE_WITH_TIMEOUT(page.report().loaded, true, 5000); // the debounced re-evaluation agrees
        // A screenshot run (CACHESCOPE_SCREENSHOT_CONFIG=/path.png) keeps what a user sees.
        if (const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_CONFIG"); !shot.isEmpty()) {
            page.resize(1500, 900);
            QTest::qWait(600);
            QVERIFY(page.grab().save(shot));
        }
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
