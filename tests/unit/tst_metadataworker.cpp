// MetadataWorker: requests answered by queued signals tagged with their id, from the
// connection's own thread, on a real SQLite metadata database written by superset_schema.py.
#include "checkok.h"
#include "metadata/metadataworker.h"
#include "supersetschema.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace cachescope;

class TestMetadataWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void answersArriveLaterFromTheConnectionThread();
    void writesNeedAnExplicitUnlock();
    void cancelledRequestsAreNotAnswered();
    void openFailureAnswersEveryRequest();
    void destroyedWithWorkQueued();

private:
    QTemporaryDir m_dir;
    QString m_uri;
};

void TestMetadataWorker::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_uri = QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("superset.db"));
    CHECK_OK(test::createSupersetSchema(m_uri, QStringLiteral("4.1")));
}

void TestMetadataWorker::answersArriveLaterFromTheConnectionThread()
{
    auto uri = MetadataUri::parse(m_uri);
    CHECK_OK(uri);
    MetadataWorker worker(*uri);
    QCOMPARE(worker.description(), m_uri);
    QThread *answeredOn = nullptr;
    connect(&worker, &MetadataWorker::snapshotReady, this, [&] { answeredOn = QThread::currentThread(); },
            Qt::DirectConnection);
    QSignalSpy opened(&worker, &MetadataWorker::opened);
    QSignalSpy snapshots(&worker, &MetadataWorker::snapshotReady);
    const quint64 openId = worker.requestOpen();
    const quint64 snapId = worker.requestSnapshot();
    QVERIFY(snapId != openId);
    QCOMPARE(snapshots.count(), 0); // nothing is answered inside the call
    QVERIFY(snapshots.wait(60000));
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened[0][0].value<quint64>(), openId);
    QCOMPARE(opened[0][1].value<SchemaInfo>().releaseFamily, QStringLiteral("4.1"));
    QCOMPARE(snapshots[0][0].value<quint64>(), snapId);
    const auto snapshot = snapshots[0][1].value<MetadataSnapshot>();
    QCOMPARE(snapshot.charts.size(), 8);
    QVERIFY(answeredOn && answeredOn != QThread::currentThread());

    QSignalSpy keys(&worker, &MetadataWorker::cacheKeysReady);
    QSignalSpy kv(&worker, &MetadataWorker::keyValueEntriesReady);
    const quint64 keysId = worker.requestCacheKeys(0, 2);
    const quint64 kvId = worker.requestKeyValueEntries(QStringLiteral("superset_metastore_cache"), 0, 10);
    QVERIFY(kv.wait(60000));
    QCOMPARE(keys.count(), 1);
    QCOMPARE(keys[0][0].value<quint64>(), keysId);
    QCOMPARE(keys[0][1].value<QList<CacheKeyRow>>().size(), 2);
    QCOMPARE(kv[0][0].value<quint64>(), kvId);
    QCOMPARE(kv[0][1].value<QList<KeyValueRow>>().size(), 2);
}

void TestMetadataWorker::writesNeedAnExplicitUnlock()
{
    auto uri = MetadataUri::parse(m_uri);
    CHECK_OK(uri);
    MetadataWorker worker(*uri);
    QSignalSpy failed(&worker, &MetadataWorker::failed);
    QSignalSpy changed(&worker, &MetadataWorker::cacheTimeoutChanged);
    QSignalSpy unlocked(&worker, &MetadataWorker::writesEnabledChanged);
    const quint64 refusedId = worker.setCacheTimeout(MetadataKind::Dataset, 2, 900);
    QVERIFY(failed.wait(60000));
    QCOMPARE(failed[0][0].value<quint64>(), refusedId);
    QVERIFY(failed[0][1].toString().contains(QStringLiteral("read-only")));
    QVERIFY(!worker.writesEnabled());

    const quint64 unlockId = worker.setWritesEnabled(true);
    QVERIFY(unlocked.wait(60000));
    QCOMPARE(unlocked[0][0].value<quint64>(), unlockId);
    QCOMPARE(unlocked[0][1].toBool(), true);
    QVERIFY(worker.writesEnabled());
    const quint64 editId = worker.setCacheTimeout(MetadataKind::Dataset, 2, 900);
    QVERIFY(changed.wait(60000));
    QCOMPARE(changed[0][0].value<quint64>(), editId);
    const auto change = changed[0][1].value<TimeoutChange>();
    QCOMPARE(change.before, std::optional<qint64>(120));
    QCOMPARE(change.after, std::optional<qint64>(900));
    QCOMPARE(change.name, QStringLiteral("orders"));

    worker.setWritesEnabled(false);
    QVERIFY(unlocked.wait(60000));
    QVERIFY(!worker.writesEnabled());
    // Put the fixture back for the other tests (through a second, unlocked connection).
    MetadataWorker restore(*uri);
    QSignalSpy restored(&restore, &MetadataWorker::cacheTimeoutChanged);
    restore.setWritesEnabled(true);
    restore.setCacheTimeout(MetadataKind::Dataset, 2, 120);
    QVERIFY(restored.wait(60000));
}

void TestMetadataWorker::cancelledRequestsAreNotAnswered()
{
    auto uri = MetadataUri::parse(m_uri);
    CHECK_OK(uri);
    MetadataWorker worker(*uri);
    QSignalSpy snapshots(&worker, &MetadataWorker::snapshotReady);
    QSignalSpy opened(&worker, &MetadataWorker::opened);
    const quint64 stale = worker.requestSnapshot();
    worker.cancel(stale);
    const quint64 fresh = worker.requestOpen(); // queued after the cancelled one
    QVERIFY(opened.wait(60000));
    QCOMPARE(opened[0][0].value<quint64>(), fresh);
    QTest::qWait(50);
    QCOMPARE(snapshots.count(), 0);
}

void TestMetadataWorker::openFailureAnswersEveryRequest()
{
    auto uri = MetadataUri::parse(QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("missing.db")));
    CHECK_OK(uri);
    MetadataWorker worker(*uri);
    QSignalSpy failed(&worker, &MetadataWorker::failed);
    const quint64 a = worker.requestSnapshot();
    const quint64 b = worker.requestCacheKeys(0, 10);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 60000);
    QCOMPARE(failed[0][0].value<quint64>(), a);
    QCOMPARE(failed[1][0].value<quint64>(), b);
    QVERIFY(failed[0][1].toString().contains(QStringLiteral("does not exist")));
}

void TestMetadataWorker::destroyedWithWorkQueued()
{
    auto uri = MetadataUri::parse(m_uri);
    CHECK_OK(uri);
    {
        MetadataWorker worker(*uri);
        for (int i = 0; i < 20; ++i)
            worker.requestSnapshot();
    } // joins the connection's thread; queued answers go nowhere
    QCoreApplication::processEvents();
}

QTEST_GUILESS_MAIN(TestMetadataWorker)
#include "tst_metadataworker.moc"
