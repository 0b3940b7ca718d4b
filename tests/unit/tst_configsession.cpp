// The window follows a superset_config.py: its caches replace the demo's, open read-only, and
// follow re-evaluations (an environment value typed on the Config page moves the caches).
#include "configpage.h"
#include "configsession.h"
#include "keysbrowser.h"
#include "mainwindow.h"
#include "redisserver.h"

#include "cache/cachemanager.h"
#include "cacheoverviewmodel.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;
using namespace cachescope::test;

namespace {

QStringList shownPurposes(const CacheOverviewModel *model)
{
    QStringList purposes;
    for (int row = 0; row < model->rowCount(); ++row)
        purposes << model->data(model->index(row, CacheOverviewModel::Purpose)).toString();
    return purposes;
}

} // namespace

class TestConfigSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start().isEmpty(), "redis-server must start"); }

    void shouldShowTheConfigsCachesReadOnly()
    {
        QTemporaryDir dir;
        const QString results = dir.filePath(QStringLiteral("sqllab"));
        QVERIFY(QDir().mkpath(results));
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral(
            "import os\n"
            "from flask_caching.backends.filesystemcache import FileSystemCache\n"
            "REDIS_PORT = os.environ.get('REDIS_PORT', '1')\n"
            "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'superset_data_',\n"
            "    'CACHE_REDIS_URL': f'redis://127.0.0.1:{REDIS_PORT}/0', 'CACHE_DEFAULT_TIMEOUT': 600}\n"
            "RESULTS_BACKEND = FileSystemCache('%1')\n").arg(results).toUtf8());
        file.close();

        MainWindow window;
        bool demoRetired = false;
        ConfigSession session(&window, [&] { demoRetired = true; });
        session.page()->setBaseEnvironment({}); // the port comes from the field below, not the process
        QVERIFY(session.open(path));

        // Evaluated off the GUI thread; the caches follow the report.
        QTRY_VERIFY_WITH_TIMEOUT(session.manager() != nullptr, 20000);
        QVERIFY(demoRetired);
        QTRY_VERIFY(shownPurposes(window.overviewModel()).contains(QStringLiteral("DATA_CACHE_CONFIG")));
        QVERIFY(shownPurposes(window.overviewModel()).contains(QStringLiteral("RESULTS_BACKEND")));
        CacheManager *first = session.manager();
        auto data = first->cache(CachePurpose::Data);
        QVERIFY(data);
        QVERIFY(!data->isWritable());
        QVERIFY(!data->set("x", PyValue::none()).hasValue()); // refused, nothing sent
        auto resultsCache = first->cache(CachePurpose::Results);
        QVERIFY(!resultsCache->isWritable());
        QVERIFY(QDir(results).entryList(QDir::Files).isEmpty()); // opening wrote no count file
        QVERIFY(window.keysBrowser()->connectionCount() >= 2);

        // Typing the unset variable re-evaluates; the Data cache now points at the real server.
        m_redis.command({"SET", "superset_data_abc", "!\x80\x05K*."});
        session.page()->setEnvironmentValue(QStringLiteral("REDIS_PORT"), QString::number(m_redis.port()));
        QTRY_VERIFY_WITH_TIMEOUT(session.manager() != first, 20000);
        auto value = session.manager()->cache(CachePurpose::Data)->get("abc");
        QVERIFY2(value.hasValue(), qPrintable(value.error()));
        QCOMPARE(value->value(), PyValue::integer(42));
        QVERIFY(window.connectionStatus().contains(QString::number(m_redis.port()))
                || session.manager()->cache(CachePurpose::Data)->location().contains(QString::number(m_redis.port())));
    }

    void shouldKeepTheCachesWhenTheConfigDoesNotLoad()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broken.py"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("CACHE_CONFIG = {\n");
        file.close();
        MainWindow window;
        ConfigSession session(&window, {});
        QVERIFY(session.open(path));
        QTRY_VERIFY_WITH_TIMEOUT(session.page()->evaluationCount() > 0, 20000);
        QVERIFY(!session.page()->report().loaded);
        QVERIFY(session.manager() == nullptr); // the Config page says why; no caches replaced
    }

private:
    RedisServer m_redis;
};

QTEST_MAIN(TestConfigSession)
#include "tst_configsession.moc"
