#include "browse/rediskeysource.h"
#include "keytreemodel.h"
#include "keytreewalk.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <set>

using namespace cachescope;
using cachescope::test::RedisServer;

namespace {

QByteArray hex32(int i)
{
    return QByteArray::number(quint64(i) * 2654435761ull, 16).rightJustified(32, 'a');
}

// 100k keys across namespaces, as a Superset deployment has them.
QList<QByteArray> makeKeys(int n)
{
    QList<QByteArray> keys;
    keys.reserve(n);
    for (int i = 0; i < n; ++i) {
        switch (i % 4) {
        case 0: keys << "superset_data_" + hex32(i); break;
        case 1: keys << "superset_qc-" + hex32(i); break;
        case 2: keys << "superset_db:" + QByteArray::number(i % 17) + ":schema:s" + QByteArray::number(i); break;
        default: keys << "superset_explore:" + QByteArray::number(i); break;
        }
    }
    return keys;
}

void fill(RedisClient &client, const QList<QByteArray> &keys, const QByteArray &value = "v")
{
    for (qsizetype at = 0; at < keys.size(); at += 5000) {
        QList<QList<QByteArray>> cmds;
        for (qsizetype i = at; i < qMin(keys.size(), at + 5000); ++i)
            cmds.append(QList<QByteArray>{"SET", keys[i], value});
        QVERIFY2(client.pipeline(cmds).hasValue(), "fill failed");
    }
}

using test::collectKeys;

QByteArray resp(const RedisServer &s, const QList<QByteArray> &cmd)
{
    return s.command(cmd).trimmed();
}

} // namespace

class TestRedisKeySource : public QObject
{
    Q_OBJECT
    RedisServer m_server;
    std::unique_ptr<RedisClient> m_client;

    RedisUrl url() const { return *RedisUrl::parse(m_server.url()); }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void init()
    {
        m_client = std::make_unique<RedisClient>(url());
        QVERIFY(m_client->connect().hasValue());
        QVERIFY(m_client->command({"FLUSHALL"}).hasValue());
    }

    void shouldLoadEveryKeyOnceAcrossNamespaces()
    {
        // Given 100k keys in four namespaces and 100 keys outside the cache prefix
        const QList<QByteArray> keys = makeKeys(100000);
        fill(*m_client, keys);
        QList<QByteArray> others;
        for (int i = 0; i < 100; ++i)
            others << "other_app:" + QByteArray::number(i);
        fill(*m_client, others);
        RedisKeySource source(url(), "superset_");
        KeyTreeModel model;
        model.setSource(&source);
        // When everything is loaded in the background
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 60000);
        // Then the model holds exactly the cache's keys, each once
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        QCOMPARE(loaded.size(), keys.size());
        const std::set<QByteArray> unique(loaded.begin(), loaded.end());
        QCOMPARE(unique.size(), size_t(keys.size()));
        QVERIFY(unique == std::set<QByteArray>(keys.begin(), keys.end()));
    }

    void shouldLoadStableKeysWhileKeysAreAddedAndExpire()
    {
        // Given 100k stable keys and 20k that expire during the load
        const QList<QByteArray> stable = makeKeys(100000);
        fill(*m_client, stable);
        QList<QList<QByteArray>> volatileCmds;
        for (int i = 0; i < 20000; ++i)
            volatileCmds.append(QList<QByteArray>{"SET", "superset_tmp:" + QByteArray::number(i), "x", "PX",
                                                  QByteArray::number(50 + i % 400)});
        QVERIFY(m_client->pipeline(volatileCmds).hasValue());
        RedisKeySource source(url(), "superset_");
        KeyTreeModel model;
        model.setBatchSize(200); // many round trips, so the writer interleaves
        model.setSource(&source);
        // When keys are added while the scan runs
        int added = 0;
        QTimer writer;
        connect(&writer, &QTimer::timeout, this, [&] {
            QList<QList<QByteArray>> cmds;
            for (int i = 0; i < 500; ++i, ++added)
                cmds.append(QList<QByteArray>{"SET", "superset_new:" + QByteArray::number(added), "n"});
            m_client->pipeline(cmds);
        });
        writer.start(1);
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 120000);
        writer.stop();
        QVERIFY(added > 0);
        // Then every key that existed throughout is there, and nothing twice
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        const std::set<QByteArray> unique(loaded.begin(), loaded.end());
        QCOMPARE(unique.size(), size_t(loaded.size()));
        for (const QByteArray &k : stable)
            QVERIFY2(unique.count(k), k.constData());
        for (const QByteArray &k : loaded)
            QVERIFY(k.startsWith("superset_"));
    }

    void shouldRestartScanCleanlyAcrossServerRestart()
    {
        // Given 100k keys and a load in small batches
        const QList<QByteArray> keys = makeKeys(100000);
        fill(*m_client, keys);
        RedisKeySource source(url(), "superset_");
        KeyTreeModel model;
        model.setBatchSize(100);
        model.setSource(&source);
        QSignalSpy errors(&model, &KeyTreeModel::errorOccurred);
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.loadedKeyCount() > 5000, 60000);
        QVERIFY(!model.isScanComplete());
        // When the server restarts mid-load with the same keys. They come back from its dump file,
        // so they are all there before the source can reconnect; writing them again after the
        // restart raced the resumed scan (on a loaded machine the scan finished first).
        QVERIFY(m_client->command({"SAVE"}).hasValue());
        QCOMPARE(m_server.restart(), QString());
        m_client = std::make_unique<RedisClient>(url());
        QVERIFY(m_client->connect().hasValue());
        QCOMPARE(m_client->command({"DBSIZE"})->integer, qint64(keys.size()));
        // The dump has done its job: the next test's restart must start empty.
        const auto dir = m_client->command({"CONFIG", "GET", "dir"});
        QVERIFY(dir && dir->elements.size() == 2);
        QVERIFY(QFile::remove(QString::fromUtf8(dir->elements[1].string) + QStringLiteral("/dump.rdb")));
        // Then the load finishes with every key exactly once
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete() || !model.isLoadingAll(), 120000);
        if (!model.isScanComplete()) { // the reconnect window passed: a new Load all resumes
            model.loadAll();
            QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 120000);
        }
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        const std::set<QByteArray> unique(loaded.begin(), loaded.end());
        QCOMPARE(unique.size(), size_t(loaded.size()));
        QVERIFY(unique == std::set<QByteArray>(keys.begin(), keys.end()));
    }

    void shouldReportRestartInTheBatch()
    {
        fill(*m_client, makeKeys(5000));
        RedisKeySource source(url(), "superset_");
        QSignalSpy ready(&source, &KeySource::scanReady);
        source.requestScan("0", "superset_*", 100, false);
        QTRY_COMPARE(ready.size(), 1);
        const QByteArray cursor = ready.at(0).at(1).value<ScanBatch>().nextCursor;
        QVERIFY(cursor != "0");
        QCOMPARE(m_server.restart(), QString());
        m_client = std::make_unique<RedisClient>(url());
        QVERIFY(m_client->connect().hasValue());
        fill(*m_client, makeKeys(5000));
        source.requestScan(cursor, "superset_*", 100, false);
        QTRY_VERIFY_WITH_TIMEOUT(ready.size() == 2, 30000);
        const ScanBatch b = ready.at(1).at(1).value<ScanBatch>();
        QVERIFY(b.restarted);
        QCOMPARE(b.cursor, QByteArray("0"));
    }

    void shouldRefuseWritesInReadOnlyMode()
    {
        fill(*m_client, {"superset_a", "superset_b", "other_c"});
        RedisKeySource source(url(), "superset_");
        QSignalSpy failed(&source, &KeySource::writeFailed);
        QSignalSpy finished(&source, &KeySource::writeFinished);
        // Given a read-only source, when deletes and TTL changes are asked for
        source.deleteKeys({"superset_a"});
        source.deleteNamespace("superset_");
        source.setTtl({"superset_b"}, 1000);
        // Then every one is refused and nothing changed
        QTRY_COMPARE(failed.size(), 3);
        QCOMPARE(finished.size(), 0);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("read-only")));
        QCOMPARE(resp(m_server, {"EXISTS", "superset_a"}), QByteArray(":1"));
        QCOMPARE(resp(m_server, {"PTTL", "superset_b"}), QByteArray(":-1"));
    }

    void shouldConfineWritesToThePrefix()
    {
        QList<QByteArray> inside, outside;
        for (int i = 0; i < 3000; ++i) {
            inside << "superset_data_" + QByteArray::number(i);
            outside << "supersetx_data_" + QByteArray::number(i); // shares bytes but not the prefix
        }
        fill(*m_client, inside);
        fill(*m_client, outside);
        fill(*m_client, {"superset_keep", "superset_ttl"});
        RedisKeySource source(url(), "superset_");
        source.setWritesEnabled(true);
        QSignalSpy failed(&source, &KeySource::writeFailed);
        QSignalSpy finished(&source, &KeySource::writeFinished);
        QSignalSpy progress(&source, &KeySource::writeProgress);
        // Outside the prefix: refused, untouched
        source.deleteKeys({"superset_keep", "supersetx_data_1"});
        source.deleteNamespace("supersetx_");
        source.deleteNamespace("super");
        source.setTtl({"other"}, 5000);
        QTRY_COMPARE(failed.size(), 4);
        for (const auto &args : std::as_const(failed))
            QVERIFY(args.at(1).toString().contains(QStringLiteral("outside")));
        QCOMPARE(resp(m_server, {"EXISTS", "superset_keep"}), QByteArray(":1"));
        // Inside: a namespace delete in SCAN+DEL batches with progress, and only that namespace
        const quint64 id = source.deleteNamespace("superset_data_");
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
        QCOMPARE(finished.at(0).at(0).toULongLong(), id);
        QCOMPARE(finished.at(0).at(1).toLongLong(), 3000);
        QVERIFY(progress.size() >= 1);
        QCOMPARE(resp(m_server, {"DBSIZE"}), QByteArray(":3002"));
        QCOMPARE(resp(m_server, {"EXISTS", "supersetx_data_7"}), QByteArray(":1"));
        // TTL: EXPIRE then PERSIST
        source.setTtl({"superset_ttl"}, 100000);
        QTRY_COMPARE(finished.size(), 2);
        const qint64 pttl = resp(m_server, {"PTTL", "superset_ttl"}).mid(1).toLongLong();
        QVERIFY(pttl > 90000 && pttl <= 100000);
        source.setTtl({"superset_ttl"}, -1);
        QTRY_COMPARE(finished.size(), 3);
        QCOMPARE(resp(m_server, {"PTTL", "superset_ttl"}), QByteArray(":-1"));
        // Deleting a key
        source.deleteKeys({"superset_keep"});
        QTRY_COMPARE(finished.size(), 4);
        QCOMPARE(finished.at(3).at(1).toLongLong(), 1);
        QCOMPARE(resp(m_server, {"EXISTS", "superset_keep"}), QByteArray(":0"));
    }

    void shouldFetchMetadataAndValues()
    {
        QVERIFY(m_client->command({"SET", "superset_s", QByteArray(300, 'x'), "PX", "60000"}).hasValue());
        QVERIFY(m_client->command({"HSET", "superset_h", "f", "v"}).hasValue());
        RedisKeySource source(url(), "superset_");
        QSignalSpy meta(&source, &KeySource::metadataReady);
        QSignalSpy value(&source, &KeySource::valueReady);
        source.requestMetadata({"superset_s", "superset_h", "superset_gone"});
        QTRY_COMPARE(meta.size(), 1);
        const auto list = meta.at(0).at(1).value<QList<KeyMetadata>>();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0].type, QByteArray("string"));
        QVERIFY(list[0].ttlMs > 50000 && list[0].ttlMs <= 60000);
        QVERIFY(list[0].size >= 300);
        QCOMPARE(list[1].type, QByteArray("hash"));
        QCOMPARE(list[1].ttlMs, -1);
        QCOMPARE(list[2].type, QByteArray("none"));
        QCOMPARE(list[2].ttlMs, -2);
        source.requestValue("superset_s");
        source.requestValue("superset_gone");
        QTRY_COMPARE(value.size(), 2);
        QCOMPARE(value.at(0).at(2).toByteArray(), QByteArray(300, 'x'));
        QVERIFY(value.at(0).at(3).toBool());
        QVERIFY(!value.at(1).at(3).toBool());
    }

    void shouldReportAnUnreachableServer()
    {
        RedisUrl dead = url();
        dead.port = cachescope::test::freeLoopbackPort();
        RedisKeySource source(dead, {});
        QSignalSpy failed(&source, &KeySource::scanFailed);
        source.requestScan("0", "*", 10, false);
        QTRY_VERIFY_WITH_TIMEOUT(failed.size() == 1, 30000);
        QVERIFY(failed.at(0).at(1).toString().contains(QString::number(dead.port)));
    }
};

QTEST_GUILESS_MAIN(TestRedisKeySource)
#include "tst_rediskeysource.moc"
