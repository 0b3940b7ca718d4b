// A metadata database whose Qt SQL driver is missing: the message names the driver and the Debian
// package, for the database layer and for a SupersetMetastoreCache on top of it. The driver is
// made missing for real: Qt's plugin loader is pointed at an empty directory (its own process, so
// no plugin is loaded yet), then pointed back to show the same database opens with the plugin.
#include "cache/cachemanager.h"
#include "checkok.h"
#include "metadata/metadatadatabase.h"
#include "supersetschema.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

class TestMetadataDriver : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void missingDriverNamesThePackage_data();
    void missingDriverNamesThePackage();
    void theMetastoreCacheSaysSo();
    void withThePluginItOpens();

private:
    QTemporaryDir m_dir;
    QTemporaryDir m_noPlugins;
    QStringList m_libraryPaths;
    QString m_sqlite;
};

void TestMetadataDriver::initTestCase()
{
    QVERIFY(m_dir.isValid() && m_noPlugins.isValid());
    m_sqlite = QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("superset.db"));
    CHECK_OK(test::createSupersetSchema(m_sqlite, QStringLiteral("4.1")));
    m_libraryPaths = QCoreApplication::libraryPaths();
    QCoreApplication::setLibraryPaths({m_noPlugins.path()});
    QVERIFY2(QSqlDatabase::drivers().isEmpty(), qPrintable(QSqlDatabase::drivers().join(u' ')));
}

void TestMetadataDriver::missingDriverNamesThePackage_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QString>("package");
    QTest::newRow("sqlite") << m_sqlite << QStringLiteral("QSQLITE") << QStringLiteral("libqt6sql6-sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql+psycopg2://superset:s3cr%40t@127.0.0.1:5432/superset")
                                << QStringLiteral("QPSQL") << QStringLiteral("libqt6sql6-psql");
    QTest::newRow("mysql") << QStringLiteral("mysql+mysqldb://superset:s3cr%40t@127.0.0.1/superset?charset=utf8mb4")
                           << QStringLiteral("QMYSQL") << QStringLiteral("libqt6sql6-mysql");
}

void TestMetadataDriver::missingDriverNamesThePackage()
{
    QFETCH(QString, uri);
    QFETCH(QString, driver);
    QFETCH(QString, package);
    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    auto opened = db.open();
    QVERIFY(!opened);
    const QString error = opened.error();
    QVERIFY2(error.contains(driver + QStringLiteral(") is not installed")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("apt-get install ") + package), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("s3cr")), qPrintable(error)); // the password, in neither spelling
    QVERIFY(!db.isOpen());
}

void TestMetadataDriver::theMetastoreCacheSaysSo()
{
    // What the Keys page and `cachescope keys` show for a default FILTER_STATE cache on PostgreSQL.
    CacheSpec spec;
    spec.purpose = CachePurpose::FilterState;
    spec.backend = BackendType::SupersetMetastore;
    spec.keyPrefix = "FILTER_STATE_CACHE_CONFIG";
    spec.codec = QStringLiteral("json");
    spec.metadataUri = QStringLiteral("postgresql://superset:s3cr%40t@127.0.0.1:5432/superset");
    auto cache = CacheManager::buildCache(spec, CacheManager::Access::ReadOnly);
    CHECK_OK(cache); // built: connecting waits for the first use
    auto value = (*cache)->get("7;AbCdEfGhIjK");
    QVERIFY(!value);
    QVERIFY2(value.error().contains(QStringLiteral("apt-get install libqt6sql6-psql")), qPrintable(value.error()));
    QVERIFY2(!value.error().contains(QStringLiteral("s3cr")), qPrintable(value.error()));
}

void TestMetadataDriver::withThePluginItOpens()
{
    // The failures above came from the missing plugin and nothing else.
    QCoreApplication::setLibraryPaths(m_libraryPaths);
    QVERIFY2(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")), qPrintable(QSqlDatabase::drivers().join(u' ')));
    auto parsed = MetadataUri::parse(m_sqlite);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    CHECK_OK(db.open());
    QVERIFY(db.isOpen());
}

QTEST_MAIN(TestMetadataDriver)
#include "tst_metadatadriver.moc"
