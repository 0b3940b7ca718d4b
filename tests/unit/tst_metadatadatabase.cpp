// MetadataDatabase against real databases: SQLite files, a PostgreSQL cluster and a MariaDB
// server started by this test, each filled by superset_schema.py (SQLAlchemy with Superset's
// table definitions of several release families) and read back by SQLAlchemy for comparison.
#include "checkok.h"
#include "metadata/metadatadatabase.h"
#include "metadataservers.h"
#include "redisserver.h"
#include "supersetschema.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QTest>

using namespace cachescope;

namespace {

QJsonValue jsonOf(const std::optional<qint64> &v)
{
    return v ? QJsonValue(double(*v)) : QJsonValue(QJsonValue::Null);
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestMetadataDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void snapshotMatchesSqlAlchemy_data();
    void snapshotMatchesSqlAlchemy();
    void readOnlyByDefault_data();
    void readOnlyByDefault();
    void setCacheTimeoutInOneTransaction_data();
    void setCacheTimeoutInOneTransaction();
    void cacheKeysAndKeyValue_data();
    void cacheKeysAndKeyValue();
    void clearErrors();
    void refusedLogins();
    void namesAreNaive();

private:
    void backends();
    // A fresh database of one family on one backend; returns its SQLAlchemy URI.
    // A database made (from the basic fixture) for one test and backend in initTestCase.
    QString uriOf(const QString &tag, const QString &backend) const { return m_uris.value(tag + u'-' + backend); }
    test::MetadataServers m_servers;
    QHash<QString, QString> m_uris;
    QHash<QString, QJsonObject> m_dumps; // of the snapshot databases, read before any test ran
};

void TestMetadataDatabase::initTestCase()
{
    // One server of each kind for the whole executable: starting them is the slow part.
    const QString error = m_servers.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // Every database the tests use, made in one python3 run (its imports are most of the cost).
    QList<QPair<QString, QString>> made;
    auto add = [&](const QString &tag, const QString &backend, const QString &family) {
        auto uri = m_servers.database(backend, QStringLiteral("md_%1_%2").arg(tag, backend));
        QVERIFY2(uri.hasValue(), qPrintable(test::errorOf(uri)));
        m_uris.insert(tag + u'-' + backend, *uri);
        made.append({*uri, family});
    };
    for (const char *b : {"sqlite", "postgresql", "mysql"}) {
        const QString backend = QString::fromLatin1(b);
        for (const QString &family : test::supersetFamilies())
            add(QStringLiteral("snap") + family, backend, family);
        add(QStringLiteral("ro"), backend, QStringLiteral("4.1"));
        add(QStringLiteral("edit"), backend, QStringLiteral("5.0"));
        add(QStringLiteral("kv"), backend, QStringLiteral("4.1"));
    }
    CHECK_OK(test::createSupersetSchemas(made));
    QStringList snapshots;
    for (auto it = m_uris.begin(); it != m_uris.end(); ++it)
        if (it.key().startsWith(QStringLiteral("snap")))
            snapshots.append(it.value());
    auto dumps = test::dumpSupersetSchemas(snapshots);
    CHECK_OK(dumps);
    for (int i = 0; i < snapshots.size(); ++i)
        m_dumps.insert(snapshots[i], dumps->at(i));
}

void TestMetadataDatabase::cleanupTestCase()
{
    m_servers.stop();
}

void TestMetadataDatabase::backends()
{
    QTest::addColumn<QString>("backend");
    for (const char *b : {"sqlite", "postgresql", "mysql"})
        QTest::newRow(b) << QString::fromLatin1(b);
}

void TestMetadataDatabase::snapshotMatchesSqlAlchemy_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("family");
    for (const char *b : {"sqlite", "postgresql", "mysql"})
        for (const QString &f : test::supersetFamilies())
            QTest::addRow("%s-%s", b, qPrintable(f)) << QString::fromLatin1(b) << f;
}

void TestMetadataDatabase::snapshotMatchesSqlAlchemy()
{
    QFETCH(QString, backend);
    QFETCH(QString, family);
    const QString uri = uriOf(QStringLiteral("snap") + family, backend);
    QVERIFY(m_dumps.contains(uri));
    const QJsonObject *expected = &m_dumps[uri];
    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    auto schema = db.open();
    CHECK_OK(schema);

    // The schema says which release wrote it, and what that release lacks.
    QCOMPARE(schema->alembicRevision, expected->value(QStringLiteral("alembic_revision")).toString());
    QVERIFY(schema->releaseKnown);
    QCOMPARE(schema->releaseFamily, family);
    QCOMPARE(schema->hasTable(QStringLiteral("key_value")), family != QStringLiteral("1.4"));
    QCOMPARE(schema->hasColumn(QStringLiteral("tables"), QStringLiteral("catalog")), family >= QStringLiteral("4.1"));
    QVERIFY(!schema->serverVersion.isEmpty());

    auto snap = db.snapshot();
    CHECK_OK(snap);

    const QJsonArray dbs = expected->value(QStringLiteral("databases")).toArray();
    QCOMPARE(snap->databases.size(), dbs.size());
    for (int i = 0; i < dbs.size(); ++i) {
        const QJsonObject e = dbs[i].toObject();
        const DatabaseRow &r = snap->databases[i];
        QCOMPARE(r.id, e[QStringLiteral("id")].toInteger());
        QCOMPARE(r.name, e[QStringLiteral("name")].toString());
        QCOMPARE(r.backend, e[QStringLiteral("backend")].toString());
        QCOMPARE(jsonOf(r.cacheTimeout), e[QStringLiteral("cache_timeout")]);
        QCOMPARE(jsonOf(r.metadataCacheTimeout.schema), e[QStringLiteral("schema_cache_timeout")]);
        QCOMPARE(jsonOf(r.metadataCacheTimeout.table), e[QStringLiteral("table_cache_timeout")]);
        QCOMPARE(!r.extraError.isEmpty(), e[QStringLiteral("extra_error")].toBool());
    }
    const QJsonArray datasets = expected->value(QStringLiteral("datasets")).toArray();
    QCOMPARE(snap->datasets.size(), datasets.size());
    for (int i = 0; i < datasets.size(); ++i) {
        const QJsonObject e = datasets[i].toObject();
        const DatasetRow &r = snap->datasets[i];
        QCOMPARE(r.id, e[QStringLiteral("id")].toInteger());
        QCOMPARE(r.tableName, e[QStringLiteral("table_name")].toString());
        QCOMPARE(r.schema, e[QStringLiteral("schema")].toString());
        QCOMPARE(r.catalog, e[QStringLiteral("catalog")].toString());
        QCOMPARE(r.databaseId, e[QStringLiteral("database_id")].toInteger());
        QCOMPARE(jsonOf(r.cacheTimeout), e[QStringLiteral("cache_timeout")]);
        QCOMPARE(r.isVirtual, e[QStringLiteral("is_virtual")].toBool());
    }
    const QJsonArray charts = expected->value(QStringLiteral("charts")).toArray();
    QCOMPARE(snap->charts.size(), charts.size());
    for (int i = 0; i < charts.size(); ++i) {
        const QJsonObject e = charts[i].toObject();
        const ChartRow &r = snap->charts[i];
        QCOMPARE(r.id, e[QStringLiteral("id")].toInteger());
        QCOMPARE(r.name, e[QStringLiteral("name")].toString());
        QCOMPARE(r.vizType, e[QStringLiteral("viz_type")].toString());
        QCOMPARE(jsonOf(r.datasourceId), e[QStringLiteral("datasource_id")]);
        QCOMPARE(r.datasourceType, e[QStringLiteral("datasource_type")].toString());
        QCOMPARE(jsonOf(r.cacheTimeout), e[QStringLiteral("cache_timeout")]);
        QCOMPARE(jsonOf(r.formDataCacheTimeout), e[QStringLiteral("form_data_cache_timeout")]);
        QCOMPARE(!r.paramsError.isEmpty(), e[QStringLiteral("params_error")].toBool());
        QCOMPARE(r.hasQueryContext, e[QStringLiteral("has_query_context")].toBool());
        QList<qint64> dashboards;
        for (const QJsonValue &v : e[QStringLiteral("dashboard_ids")].toArray())
            dashboards.append(v.toInteger());
        QCOMPARE(r.dashboardIds, dashboards);
    }
    const QJsonArray dashboards = expected->value(QStringLiteral("dashboards")).toArray();
    QCOMPARE(snap->dashboards.size(), dashboards.size());
    for (int i = 0; i < dashboards.size(); ++i) {
        QCOMPARE(snap->dashboards[i].title, dashboards[i][QStringLiteral("title")].toString());
        QCOMPARE(snap->dashboards[i].slug, dashboards[i][QStringLiteral("slug")].toString());
    }
    QCOMPARE(jsonOf(snap->cacheKeyCount), expected->value(QStringLiteral("cache_key_count")));
    const QJsonValue kv = expected->value(QStringLiteral("key_value"));
    if (kv.isNull()) {
        QVERIFY(!snap->metastoreCount);
    } else {
        qint64 metastore = 0;
        for (const QJsonValue &v : kv.toArray())
            metastore += v[QStringLiteral("resource")].toString() == QStringLiteral("superset_metastore_cache");
        QVERIFY(snap->metastoreCount);
        QCOMPARE(*snap->metastoreCount, metastore);
    }
    // The fixture's database URIs hold passwords; none may reach CacheScope.
    QVERIFY(snap->warnings.join(u' ').indexOf(QStringLiteral("S3cret")) < 0);
}

void TestMetadataDatabase::readOnlyByDefault_data()
{
    backends();
}

void TestMetadataDatabase::readOnlyByDefault()
{
    QFETCH(QString, backend);
    const QString uri = uriOf(QStringLiteral("ro"), backend);
    const QString sqliteFile = backend == QStringLiteral("sqlite") ? uri.mid(int(qstrlen("sqlite:///"))) : QString();
    const QByteArray hashBefore = sqliteFile.isEmpty() ? QByteArray() : fileHash(sqliteFile);
    auto before = test::dumpSupersetSchema(uri);
    CHECK_OK(before);

    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    CHECK_OK(db.open());
    QVERIFY(db.isReadOnly());
    CHECK_OK(db.snapshot());

    auto refused = db.setCacheTimeout(MetadataKind::Chart, 2, 60);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("read-only")), qPrintable(refused.error()));
    auto kv = db.keyValueUpsert(QStringLiteral("superset_metastore_cache"), QUuid::createUuid(), "x", {},
                                QDateTime::currentDateTimeUtc());
    QVERIFY(!kv);
    QVERIFY(kv.error().contains(QStringLiteral("read-only")));

    // Not only CacheScope's own check: the connection itself cannot write.
    {
        QSqlQuery raw(QSqlDatabase::database(db.connectionName(), false));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE slices SET cache_timeout = 1 WHERE id = 2")));
        const QString text = raw.lastError().text().toLower();
        QVERIFY2(text.contains(QStringLiteral("read")), qPrintable(text)); // "readonly"/"read-only"/"READ ONLY"
    }

    auto after = test::dumpSupersetSchema(uri);
    CHECK_OK(after);
    QCOMPARE(*after, *before);
    if (!sqliteFile.isEmpty())
        QCOMPARE(fileHash(sqliteFile), hashBefore);

    // Unlocking is explicit and per connection; locking again restores the refusal.
    CHECK_OK(db.unlockWrites());
    QVERIFY(!db.isReadOnly());
    CHECK_OK(db.lockWrites());
    QVERIFY(!db.setCacheTimeout(MetadataKind::Chart, 2, 60));
}

void TestMetadataDatabase::setCacheTimeoutInOneTransaction_data()
{
    backends();
}

void TestMetadataDatabase::setCacheTimeoutInOneTransaction()
{
    QFETCH(QString, backend);
    const QString uri = uriOf(QStringLiteral("edit"), backend);
    auto before = test::dumpSupersetSchema(uri);
    CHECK_OK(before);
    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    CHECK_OK(db.open());

    // The dry-run text needs no write access.
    QCOMPARE(db.cacheTimeoutSql(MetadataKind::Chart, 2, 60).contains(QStringLiteral("60")), true);
    QVERIFY(db.cacheTimeoutSql(MetadataKind::Dataset, 3, std::nullopt).contains(QStringLiteral("NULL")));

    CHECK_OK(db.unlockWrites());
    auto chart = db.setCacheTimeout(MetadataKind::Chart, 2, 60);
    CHECK_OK(chart);
    QCOMPARE(chart->name, QStringLiteral("Orders (5 s)"));
    QCOMPARE(chart->before, std::optional<qint64>(5));
    QCOMPARE(chart->after, std::optional<qint64>(60));
    QVERIFY(chart->written);
    auto dataset = db.setCacheTimeout(MetadataKind::Dataset, 3, std::nullopt);
    CHECK_OK(dataset);
    QCOMPARE(dataset->before, std::optional<qint64>(0));
    QCOMPARE(dataset->after, std::nullopt);
    auto database = db.setCacheTimeout(MetadataKind::Database, 1, -1);
    CHECK_OK(database);
    QCOMPARE(database->name, QStringLiteral("examples"));
    QCOMPARE(database->before, std::nullopt);
    QCOMPARE(database->after, std::optional<qint64>(-1));
    // The same value again is still one matched row (MySQL counts changed rows by default).
    CHECK_OK(db.setCacheTimeout(MetadataKind::Database, 1, -1));

    auto missing = db.setCacheTimeout(MetadataKind::Chart, 999, 10);
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QStringLiteral("no chart with id 999")), qPrintable(missing.error()));
    auto tooBig = db.setCacheTimeout(MetadataKind::Chart, 1, qint64(1) << 33);
    QVERIFY(!tooBig);
    QVERIFY(tooBig.error().contains(QStringLiteral("INTEGER")));

    // Exactly the three columns changed; every other value is as it was.
    auto after = test::dumpSupersetSchema(uri);
    CHECK_OK(after);
    QJsonObject expected = *before;
    auto setField = [&](const QString &list, int index, const QJsonValue &value) {
        QJsonArray rows = expected[list].toArray();
        QJsonObject row = rows[index].toObject();
        row[QStringLiteral("cache_timeout")] = value;
        rows[index] = row;
        expected[list] = rows;
    };
    setField(QStringLiteral("charts"), 1, 60);
    setField(QStringLiteral("datasets"), 2, QJsonValue::Null);
    setField(QStringLiteral("databases"), 0, -1);
    QCOMPARE(*after, expected);
}

void TestMetadataDatabase::cacheKeysAndKeyValue_data()
{
    backends();
}

void TestMetadataDatabase::cacheKeysAndKeyValue()
{
    QFETCH(QString, backend);
    const QString uri = uriOf(QStringLiteral("kv"), backend);
    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase db(*parsed);
    CHECK_OK(db.open());

    auto keys = db.cacheKeys();
    CHECK_OK(keys);
    QCOMPARE(keys->size(), 3);
    QCOMPARE(keys->at(0).cacheKey, QString(32, u'a'));
    QCOMPARE(keys->at(0).cacheTimeout, std::optional<qint64>(120));
    // SQLAlchemy's DateTime is DATETIME(0) on MariaDB: the fixture's microseconds are gone there.
    const int ms = backend == QStringLiteral("mysql") ? 0 : 123;
    QCOMPARE(keys->at(0).createdOn, QDateTime(QDate(2024, 5, 6), QTime(7, 8, 9, ms), Qt::UTC));
    QCOMPARE(keys->at(1).cacheTimeout, std::nullopt);
    QVERIFY(!keys->at(2).createdOn.isValid());
    auto ofDataset = db.cacheKeys(0, 10, QStringLiteral("2__table"));
    CHECK_OK(ofDataset);
    QCOMPARE(ofDataset->size(), 2);
    auto page = db.cacheKeys(1, 1);
    CHECK_OK(page);
    QCOMPARE(page->size(), 1);
    QCOMPARE(page->at(0).id, 2);
    QCOMPARE(*db.cacheKeyCount(), 3);

    const QString resource = QStringLiteral("superset_metastore_cache");
    auto listed = db.keyValueEntries(resource);
    CHECK_OK(listed);
    QCOMPARE(listed->size(), 2);
    QCOMPARE(listed->at(0).uuid, QUuid(QStringLiteral("a2b5aab4-98e0-3351-9d70-30770284246d")));
    QCOMPARE(listed->at(0).valueSize, qint64(qstrlen(R"({"owner": 1, "value": "{}"})")));
    QVERIFY(listed->at(0).value.isEmpty()); // listings carry sizes, not values
    QCOMPARE(listed->at(0).expiresOn, QDateTime(QDate(2024, 8, 4), QTime(7, 8, 9, ms), Qt::UTC));
    QVERIFY(!listed->at(1).expiresOn.isValid());
    QCOMPARE(listed->at(1).createdByFk, std::optional<qint64>(1));
    QCOMPARE(*db.keyValueCount(resource), 2);
    QCOMPARE(*db.keyValueCount(QStringLiteral("dashboard_permalink")), 1);

    auto one = db.keyValueEntry(resource, QUuid(QStringLiteral("3f92fd9d-9b6b-3e4e-ab4d-ba60fe5ab6d9")));
    CHECK_OK(one);
    QVERIFY(one->has_value());
    QCOMPARE((*one)->value, QByteArray(R"("AbCdEfGhIjK")"));
    // The right uuid under another resource is not this resource's row.
    auto other = db.keyValueEntry(resource, QUuid(QStringLiteral("12345678-1234-5678-1234-567812345678")));
    CHECK_OK(other);
    QVERIFY(!other->has_value());

    CHECK_OK(db.unlockWrites());
    const QUuid fresh = QUuid::createUuid();
    const QDateTime now(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);
    const QByteArray binary("\x00\x01\xff\x80pickle", 10);
    QCOMPARE(*db.keyValueUpsert(resource, fresh, binary, now.addSecs(60), now), true);
    auto stored = db.keyValueEntry(resource, fresh);
    CHECK_OK(stored);
    QCOMPARE((*stored)->value, binary);
    QCOMPARE((*stored)->expiresOn, now.addSecs(60));
    QCOMPARE((*stored)->createdOn, now);
    QVERIFY(!(*stored)->changedOn.isValid()); // create_entry sets created_on only
    QCOMPARE(*db.keyValueUpsert(resource, fresh, "v2", {}, now.addSecs(5)), true);
    stored = db.keyValueEntry(resource, fresh);
    QCOMPARE((*stored)->value, QByteArray("v2"));
    QVERIFY(!(*stored)->expiresOn.isValid());
    QCOMPARE((*stored)->changedOn, now.addSecs(5));
    QCOMPARE(*db.keyValueAdd(resource, fresh, "v3", {}, now), false); // exists
    QCOMPARE(*db.keyValueCount(resource), 3); // and the failed add rolled its prune back, as Superset does
    QCOMPARE(*db.keyValueSetExpiry(resource, fresh, now.addSecs(-10), now), true);
    // add() prunes the expired rows of the resource first, then inserts.
    QCOMPARE(*db.keyValueAdd(resource, fresh, "v4", {}, now), true);
    QCOMPARE((*db.keyValueEntry(resource, fresh))->value, QByteArray("v4"));
    QCOMPARE(*db.keyValueCount(resource), 2); // the fixture's expired row went too
    QCOMPARE(*db.keyValueDelete(resource, fresh), true);
    QCOMPARE(*db.keyValueDelete(resource, fresh), false);
    QCOMPARE(*db.keyValueCount(QStringLiteral("dashboard_permalink")), 1);
}

void TestMetadataDatabase::clearErrors()
{
    auto open = [](const QString &uri) -> QString {
        auto parsed = MetadataUri::parse(uri);
        if (!parsed)
            return parsed.error();
        MetadataDatabase db(*parsed);
        auto result = db.open();
        return result ? QString() : result.error();
    };
    const QString missing = open(QStringLiteral("sqlite:///") + QDir(m_servers.dir()).filePath(QStringLiteral("nope.db")));
    QVERIFY2(missing.contains(QStringLiteral("does not exist")), qPrintable(missing));
    QVERIFY(!QFile::exists(QDir(m_servers.dir()).filePath(QStringLiteral("nope.db")))); // never created

    QFile junk(QDir(m_servers.dir()).filePath(QStringLiteral("junk.db")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    const QString notDb = open(QStringLiteral("sqlite:///") + junk.fileName());
    QVERIFY2(notDb.contains(QStringLiteral("not a database")), qPrintable(notDb));

    // A database without Superset's tables: which one, and why that matters.
    QString error = m_servers.postgres().createDatabase(QStringLiteral("empty_one"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString empty = open(m_servers.postgres().uri(QStringLiteral("empty_one")));
    QVERIFY2(empty.contains(QStringLiteral("not a Superset metadata database")), qPrintable(empty));
    QVERIFY(!empty.contains(test::PostgresServer::password()));

    const QString noDb = open(m_servers.postgres().uri(QStringLiteral("no_such_db")));
    QVERIFY2(noDb.contains(QStringLiteral("no_such_db")) && noDb.contains(QStringLiteral("does not exist")), qPrintable(noDb));

    const QString closed = open(QStringLiteral("postgresql://u:secretpw@127.0.0.1:%1/x").arg(test::freeLoopbackPort()));
    QVERIFY2(closed.contains(QStringLiteral("cannot connect")), qPrintable(closed));
    QVERIFY(!closed.contains(QStringLiteral("secretpw")));
}

void TestMetadataDatabase::refusedLogins()
{
    // The wrong password, on both servers: the cause named, neither password shown.
    QString uri = m_servers.postgres().uri(QStringLiteral("postgres"));
    uri.replace(QString::fromLatin1(QUrl::toPercentEncoding(test::PostgresServer::password())),
                QStringLiteral("wrong-Passw0rd"));
    auto parsed = MetadataUri::parse(uri);
    CHECK_OK(parsed);
    MetadataDatabase pg(*parsed);
    auto result = pg.open();
    QVERIFY(!result);
    QVERIFY2(result.error().contains(QStringLiteral("password authentication failed")), qPrintable(result.error()));
    QVERIFY(!result.error().contains(QStringLiteral("wrong-Passw0rd")));

    QString mariaUri = m_servers.mariadb().uri(QStringLiteral("mysql"));
    mariaUri.replace(QString::fromLatin1(QUrl::toPercentEncoding(test::MariaDbServer::password())),
                     QStringLiteral("wrong-Passw0rd"));
    auto mparsed = MetadataUri::parse(mariaUri);
    CHECK_OK(mparsed);
    MetadataDatabase maria(*mparsed);
    auto mresult = maria.open();
    QVERIFY(!mresult);
    QVERIFY2(mresult.error().contains(QStringLiteral("Access denied")), qPrintable(mresult.error()));
    QVERIFY(!mresult.error().contains(QStringLiteral("wrong-Passw0rd")));
}

void TestMetadataDatabase::namesAreNaive()
{
    const QDateTime naive(QDate(2024, 1, 2), QTime(3, 4, 5, 678), Qt::UTC);
    QCOMPARE(MetadataDatabase::formatNaive(naive), QStringLiteral("2024-01-02 03:04:05.678000"));
    QCOMPARE(MetadataDatabase::toNaive(QStringLiteral("2024-01-02 03:04:05.678901")), naive);
    QCOMPARE(MetadataDatabase::toNaive(QStringLiteral("2024-01-02T03:04:05.678")), naive);
    QCOMPARE(MetadataDatabase::toNaive(QStringLiteral("2024-01-02 03:04:05")), naive.addMSecs(-678));
    QVERIFY(!MetadataDatabase::toNaive(QStringLiteral("garbage")).isValid());
    QVERIFY(!MetadataDatabase::toNaive(QVariant()).isValid());
    // A time-zone-aware value becomes its UTC wall clock.
    const QDateTime aware(QDate(2024, 1, 2), QTime(5, 4, 5, 678), Qt::OffsetFromUTC, 7200);
    QCOMPARE(MetadataDatabase::toNaive(aware), naive);
}

QTEST_GUILESS_MAIN(TestMetadataDatabase)
#include "tst_metadatadatabase.moc"
