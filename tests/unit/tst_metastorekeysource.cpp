// The metastore cache in the key browser and the CLI: a SQLite metadata database written by
// the Python port of Superset's metastore code, listed, decoded and edited through
// MetastoreKeySource and the real `cachescope keys` / `decode` / `cache` commands.
#include "browse/metastorekeysource.h"
#include "cache/cachemanager.h"
#include "checkok.h"
#include "config/configloader.h"
#include "supersetschema.h"

#include "cacheoverviewmodel.h"
#include "configpage.h"
#include "configsession.h"
#include "keyspage.h"
#include "keysbrowser.h"
#include "keytreemodel.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "payloadview.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTest>

using namespace cachescope;

namespace {

QJsonObject op(const char *name, const QString &key)
{
    return QJsonObject{{QStringLiteral("op"), QString::fromLatin1(name)}, {QStringLiteral("key"), key}};
}

} // namespace

class TestMetastoreKeySource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void theConfigNamesTheMetadataDatabase();
    void listsRowsByUuid();
    void writesNeedTheUnlockAndStayInTheResource();
    void keysAndDecodeCommands();
    void theWindowShowsTheMetastoreCaches();

private:
    std::unique_ptr<MetastoreKeySource> source(const QByteArray &prefix);
    QTemporaryDir m_dir;
    QString m_uri;
    QString m_config;
};

void TestMetastoreKeySource::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_uri = QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("superset.db"));
    CHECK_OK(test::createSupersetSchema(m_uri, QStringLiteral("4.1")));
    // Superset's own code (the port) writes a filter state and its contextual key, JSON codec.
    QJsonArray ops;
    QJsonObject state = op("set", QStringLiteral("7;AbCdEfGhIjK"));
    state.insert(QStringLiteral("value_json"), QStringLiteral("{\"owner\": 1, \"value\": \"{\\\"NATIVE_FILTER-1\\\": {}}\"}"));
    ops.append(state);
    QJsonObject contextual = op("set", QStringLiteral("session;tab;7"));
    contextual.insert(QStringLiteral("value_json"), QStringLiteral("\"AbCdEfGhIjK\""));
    contextual.insert(QStringLiteral("timeout"), 0);
    ops.append(contextual);
    CHECK_OK(test::runMetastorePort(m_uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"), ops,
                                    QStringLiteral("md5"), 7776000));
    // A config that leaves the temporary caches at Superset's defaults.
    m_config = m_dir.filePath(QStringLiteral("superset_config.py"));
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("SECRET_KEY = 'x' * 40\nSQLALCHEMY_DATABASE_URI = '%1'\n").arg(m_uri).toUtf8());
}

void TestMetastoreKeySource::theConfigNamesTheMetadataDatabase()
{
    const ConfigReport report = ConfigLoader::loadFile(m_config, {});
    QVERIFY2(report.loaded, qPrintable(report.error));
    int metastore = 0;
    for (const CacheSpec &spec : report.caches) {
        if (spec.purpose != CachePurpose::FilterState && spec.purpose != CachePurpose::ExploreFormData)
            continue;
        ++metastore;
        QCOMPARE(spec.backend, BackendType::SupersetMetastore);
        QCOMPARE(spec.metadataUri, m_uri);
        QCOMPARE(spec.codec, QStringLiteral("json")); // Superset's default CODEC
        QCOMPARE(spec.keyPrefix, purposeConfigName(spec.purpose).toUtf8());
        QVERIFY(spec.spans.value(QStringLiteral("SQLALCHEMY_DATABASE_URI")).isValid());
        // Built, not "not supported".
        CHECK_OK(CacheManager::buildCache(spec, CacheManager::Access::ReadOnly));
    }
    QCOMPARE(metastore, 2);
    // Without SQLALCHEMY_DATABASE_URI: Superset's default under $SUPERSET_HOME.
    ConfigLoader::Options options;
    options.environment.insert(QStringLiteral("SUPERSET_HOME"), QStringLiteral("/srv/superset"));
    const ConfigReport bare = ConfigLoader::loadSource(QStringLiteral("SECRET_KEY = 'x' * 40\n"), QStringLiteral("c.py"), options);
    for (const CacheSpec &spec : bare.caches)
        if (spec.backend == BackendType::SupersetMetastore)
            QCOMPARE(spec.metadataUri, QStringLiteral("sqlite:////srv/superset/superset.db?check_same_thread=false"));
    // A CODEC-less dict means pickle (SupersetMetastoreCache.factory).
    const ConfigReport pickled = ConfigLoader::loadSource(
        QStringLiteral("DATA_CACHE_CONFIG = {'CACHE_TYPE': 'SupersetMetastoreCache', 'CACHE_KEY_PREFIX': 'superset_results'}\n"),
        QStringLiteral("c.py"), {});
    for (const CacheSpec &spec : pickled.caches)
        if (spec.purpose == CachePurpose::Data)
            QCOMPARE(spec.codec, QStringLiteral("pickle"));
}

std::unique_ptr<MetastoreKeySource> TestMetastoreKeySource::source(const QByteArray &prefix)
{
    CacheSpec spec;
    spec.purpose = CachePurpose::FilterState;
    spec.backend = BackendType::SupersetMetastore;
    spec.keyPrefix = prefix;
    spec.codec = QStringLiteral("json");
    spec.metadataUri = m_uri;
    auto s = MetastoreKeySource::fromSpec(spec);
    if (!s)
        qFatal("%s", qPrintable(s.error()));
    return std::move(*s);
}

void TestMetastoreKeySource::listsRowsByUuid()
{
    auto src = source("FILTER_STATE_CACHE_CONFIG");
    QVERIFY(src->storesHashedNames());
    QVERIFY(src->description().contains(QStringLiteral("superset_metastore_cache")));
    QSignalSpy scans(src.get(), &KeySource::scanReady);
    src->requestScan("0", "*", 2, true); // "Load all" in pages of two rows
    QTRY_VERIFY_WITH_TIMEOUT(!scans.isEmpty() && scans.last()[1].value<ScanBatch>().done(), 60000);
    QList<QByteArray> keys;
    for (const auto &args : scans)
        keys += args[1].value<ScanBatch>().keys;
    // The fixture's two metastore rows (one long expired) and the two the port wrote; never
    // the dashboard_permalink row of the same table.
    QCOMPARE(keys.size(), 4);
    QVERIFY(!keys.contains("12345678-1234-5678-1234-567812345678"));

    // A typed key becomes its row uuid, and the list can show the key from then on.
    const QList<QByteArray> stored = src->storedKeysFor("7;AbCdEfGhIjK");
    QVERIFY(keys.contains(stored.first()));
    QCOMPARE(src->knownKeyFor(stored.first()), QByteArray("7;AbCdEfGhIjK"));
    const QByteArray contextual = src->storedKeysFor("session;tab;7").first();

    QSignalSpy metas(src.get(), &KeySource::metadataReady);
    src->requestMetadata({stored.first(), contextual, "a2b5aab4-98e0-3351-9d70-30770284246d", "not-a-uuid"});
    QVERIFY(metas.wait(60000));
    const auto meta = metas[0][1].value<QList<KeyMetadata>>();
    QCOMPARE(meta.size(), 4);
    QCOMPARE(meta[0].type, QByteArray("row"));
    QVERIFY(meta[0].ttlMs > 7776000LL * 1000 - 600000 && meta[0].ttlMs <= 7776000LL * 1000);
    QCOMPARE(meta[0].size, qint64(qstrlen("{\"owner\": 1, \"value\": \"{\\\"NATIVE_FILTER-1\\\": {}}\"}")));
    QCOMPARE(meta[1].ttlMs, -1); // timeout 0: never expires
    QVERIFY(meta[2].expired);    // the fixture's row expired in 2024 and is still stored
    QCOMPARE(meta[3].type, QByteArray("none"));

    QSignalSpy values(src.get(), &KeySource::valueReady);
    src->requestValue(contextual);
    QVERIFY(values.wait(60000));
    QCOMPARE(values[0][2].toByteArray(), QByteArray("\"AbCdEfGhIjK\""));
    QVERIFY(values[0][3].toBool());

    // MATCH filters on the uuid or on the key it stands for.
    scans.clear();
    src->requestScan("0", "7;*", 100, false);
    QVERIFY(scans.wait(60000));
    QCOMPARE(scans[0][1].value<ScanBatch>().keys, QList<QByteArray>{stored.first()});
}

void TestMetastoreKeySource::writesNeedTheUnlockAndStayInTheResource()
{
    auto src = source("FILTER_STATE_CACHE_CONFIG");
    const QByteArray row = src->storedKeysFor("session;tab;7").first();
    QSignalSpy failed(src.get(), &KeySource::writeFailed);
    QSignalSpy finished(src.get(), &KeySource::writeFinished);
    src->setTtl({row}, 60000);
    QVERIFY(failed.wait(60000));
    QVERIFY(failed[0][1].toString().contains(QStringLiteral("read-only")));

    src->setWritesEnabled(true);
    src->setTtl({row}, 60000);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished[0][1].toLongLong(), 1);
    // Superset's code sees the new expiry: now + 60 s.
    auto py = test::runMetastorePort(m_uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"),
                                     QJsonArray{op("row", QStringLiteral("session;tab;7"))});
    CHECK_OK(py);
    const QJsonObject r = (*py)[0].toObject();
    const QDateTime now = QDateTime::fromString(r[QStringLiteral("now")].toString().left(19), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    const QDateTime expires = QDateTime::fromString(r[QStringLiteral("expires_on")].toString().left(19), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    QVERIFY2(now.secsTo(expires) > 0 && now.secsTo(expires) <= 60, qPrintable(r[QStringLiteral("expires_on")].toString()));

    // PERSIST: never expires again.
    src->setTtl({row}, -1);
    QVERIFY(finished.wait(60000));
    py = test::runMetastorePort(m_uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"),
                                QJsonArray{op("row", QStringLiteral("session;tab;7"))});
    CHECK_OK(py);
    QVERIFY((*py)[0].toObject()[QStringLiteral("expires_on")].isNull());

    // Deleting a row, then one that is gone; the permalink row of the same table survives.
    src->deleteKeys({row});
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last()[1].toLongLong(), 1);
    py = test::runMetastorePort(m_uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"),
                                QJsonArray{op("get", QStringLiteral("session;tab;7"))});
    QCOMPARE((*py)[0].toString(), QStringLiteral("null"));
    src->deleteKeys({"12345678-1234-5678-1234-567812345678"});
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last()[1].toLongLong(), 0);
    auto permalink = test::runSupersetSql(m_uri, QStringLiteral("SELECT COUNT(*) FROM key_value WHERE resource = 'dashboard_permalink'"));
    CHECK_OK(permalink);
    QCOMPARE(permalink->trimmed(), QByteArray("[[1]]"));

    // Locked again: refused.
    src->setWritesEnabled(false);
    src->deleteKeys({src->storedKeysFor("7;AbCdEfGhIjK").first()});
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 60000);
}

void TestMetastoreKeySource::keysAndDecodeCommands()
{
    const QString binary = qEnvironmentVariable("CACHESCOPE_BINARY");
    QVERIFY2(!binary.isEmpty(), "CTest sets CACHESCOPE_BINARY");
    auto run = [&](const QStringList &args) {
        QProcess p;
        p.start(binary, args);
        p.closeWriteChannel();
        p.waitForFinished(120000);
        return std::make_tuple(p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError());
    };
    auto [status, out, err] = run({QStringLiteral("keys"), QStringLiteral("--config"), m_config, QStringLiteral("--cache"),
                                   QStringLiteral("FILTER_STATE_CACHE_CONFIG"), QStringLiteral("--meta")});
    QVERIFY2(status == 0, err.constData());
    const QByteArray stateUuid = SupersetMetastoreCache::uuid3(
        SupersetMetastoreCache::namespaceFor("FILTER_STATE_CACHE_CONFIG", SupersetMetastoreCache::NamespaceHash::Md5), "7;AbCdEfGhIjK")
                                     .toByteArray(QUuid::WithoutBraces);
    bool listed = false;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("key")).toString().toLatin1() == stateUuid) {
            listed = true;
            QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("row"));
            QVERIFY(o.value(QStringLiteral("ttl_ms")).toDouble() > 0);
        }
    }
    QVERIFY2(listed, out.constData());

    // decode by key, and by the uuid `keys` printed: the JSON row, layer by layer.
    for (const QString &key : {QStringLiteral("7;AbCdEfGhIjK"), QString::fromLatin1(stateUuid)}) {
        auto [dstatus, dout, derr] = run({QStringLiteral("decode"), QStringLiteral("--config"), m_config, QStringLiteral("--cache"),
                                          QStringLiteral("FILTER_STATE_CACHE_CONFIG"), key, QStringLiteral("--json")});
        QVERIFY2(dstatus == 0, derr.constData());
        const QJsonObject doc = QJsonDocument::fromJson(dout).object();
        QCOMPARE(doc.value(QStringLiteral("value")).toObject().value(QStringLiteral("owner")).toInt(), 1);
    }
    auto [mstatus, mout, merr] = run({QStringLiteral("decode"), QStringLiteral("--config"), m_config, QStringLiteral("--cache"),
                                      QStringLiteral("FILTER_STATE_CACHE_CONFIG"), QStringLiteral("no-such-key")});
    QCOMPARE(mstatus, 1);
    QVERIFY2(merr.contains("no metastore row for key 'no-such-key'"), merr.constData());

    // `cache` reads a row by its key; writes only when asked (set), and Superset's code reads them.
    const QStringList target{QStringLiteral("--config"), m_config, QStringLiteral("--cache"), QStringLiteral("FILTER_STATE_CACHE_CONFIG")};
    auto [gstatus, gout, gerr] = run(QStringList{QStringLiteral("cache"), QStringLiteral("get"), QStringLiteral("7;AbCdEfGhIjK")} + target);
    QVERIFY2(gstatus == 0, gerr.constData());
    QCOMPARE(QJsonDocument::fromJson(gout).object().value(QStringLiteral("owner")).toInt(), 1);
    auto [tstatus, tout, terr] = run(QStringList{QStringLiteral("cache"), QStringLiteral("ttl"), QStringLiteral("7;AbCdEfGhIjK")} + target);
    QVERIFY2(tstatus == 0, terr.constData());
    const qint64 ttl = QJsonDocument::fromJson(tout).object().value(QStringLiteral("ttl")).toInteger(-1);
    QVERIFY2(ttl > 7776000 - 3600 && ttl <= 7776000, tout.constData()); // the port's 90-day default timeout
    auto [sstatus, sout, serr] = run(QStringList{QStringLiteral("cache"), QStringLiteral("set"), QStringLiteral("from-cli"),
                                                 QStringLiteral("{\"owner\": 2}"), QStringLiteral("--timeout"), QStringLiteral("60")}
                                     + target);
    QVERIFY2(sstatus == 0, serr.constData());
    QVERIFY2(sout.contains("\"stored\":true"), sout.constData());
    auto read = test::runMetastorePort(m_uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"),
                                       QJsonArray{op("get", QStringLiteral("from-cli"))}, QStringLiteral("md5"), 7776000);
    CHECK_OK(read);
    QCOMPARE(QJsonDocument::fromJson(read->at(0).toString().toUtf8()).object().value(QStringLiteral("owner")).toInt(), 2);
    auto [dstatus, dout, derr] = run(QStringList{QStringLiteral("cache"), QStringLiteral("delete"), QStringLiteral("from-cli")} + target);
    QVERIFY2(dstatus == 0 && dout.contains("\"deleted\":true"), derr.constData());
}

void TestMetastoreKeySource::theWindowShowsTheMetastoreCaches()
{
    // A config that leaves the temporary caches at Superset's defaults, opened as a user would.
    MainWindow window;
    window.resize(1400, 860);
    window.show();
    ConfigSession session(&window, [] {});
    session.page()->setBaseEnvironment({});
    QVERIFY(session.open(m_config));
    QTRY_VERIFY_WITH_TIMEOUT(session.manager() != nullptr, 30000);
    for (CachePurpose purpose : {CachePurpose::FilterState, CachePurpose::ExploreFormData}) {
        auto cache = session.manager()->cache(purpose);
        QVERIFY2(cache, qPrintable(purposeConfigName(purpose)));
        QCOMPARE(cache->backendName(), QStringLiteral("SupersetMetastoreCache"));
        QVERIFY(!cache->isWritable());
    }
    // Shown and counted on the Overview (the count runs off the GUI thread), not "not shown".
    const CacheOverviewModel *overview = window.overviewModel();
    int row = -1;
    for (int r = 0; r < overview->rowCount(); ++r)
        if (overview->data(overview->index(r, CacheOverviewModel::Purpose)).toString() == QStringLiteral("FILTER_STATE_CACHE_CONFIG"))
            row = r;
    QVERIFY(row >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(overview->index(row, CacheOverviewModel::Entries).data(CacheOverviewModel::SortRole).toLongLong() > 0, 30000);
    QVERIFY(overview->index(row, CacheOverviewModel::Location).data().toString().contains(QStringLiteral("metadata database")));
    QVERIFY(!window.messageBar()->isVisible() || !window.messageBar()->text().contains(QStringLiteral("FILTER_STATE")));

    const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_METASTORE");
    window.showPage(MainWindow::Page::Overview);
    if (!shot.isEmpty())
        QVERIFY(window.grab().save(QString(shot).replace(QStringLiteral(".png"), QStringLiteral("-overview.png"))));

    // The Keys page lists its rows; selecting the filter state's row decodes its JSON.
    window.showPage(MainWindow::Page::Keys);
    KeysBrowser *browser = window.keysBrowser();
    const int connection = browser->rowOf(CachePurpose::FilterState);
    QVERIFY(connection >= 0);
    browser->selectConnection(connection);
    KeysPage *page = browser->keysPage();
    QVERIFY(!page->source()->writesEnabled());
    const QByteArray stateRow = page->source()->storedKeysFor("7;AbCdEfGhIjK").first();
    QModelIndex index;
    QTRY_VERIFY_WITH_TIMEOUT((index = page->model()->indexForKey(stateRow)).isValid(), 30000);
    QSignalSpy decoded(page->payloadView(), &PayloadView::decoded);
    page->view()->setCurrentIndex(index);
    QVERIFY(decoded.wait(30000));
    QVERIFY2(decoded.last().at(0).toBool(), qPrintable(page->payloadView()->result().error));
    QVERIFY2(page->payloadView()->valueJson().contains("NATIVE_FILTER-1"), page->payloadView()->valueJson().constData());

    if (!shot.isEmpty())
        QVERIFY(window.grab().save(shot));
}

QTEST_MAIN(TestMetastoreKeySource)
#include "tst_metastorekeysource.moc"
