#include "browse/keysource.h"
#include "keytreemodel.h"
#include "keytreewalk.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace cachescope;

namespace {

// An in-memory keyspace that answers like SCAN: pages by offset, and repeats the last few keys
// of the previous page (SCAN may return a key twice) so the model has to dedupe.
class FakeKeySource : public KeySource
{
public:
    explicit FakeKeySource(QList<QByteArray> keys, QByteArray prefix = {})
        : KeySource(std::move(prefix)), m_keys(std::move(keys))
    {
    }
    QString description() const override { return QStringLiteral("fake"); }
    int scans = 0;
    QList<QByteArray> matches;
    quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous) override
    {
        const quint64 id = nextId();
        ++scans;
        matches.append(match);
        post([=, this] { step(id, cursor, match, count, continuous); });
        return id;
    }
    void step(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous)
    {
        if (m_cancelled.contains(id))
            return;
        const qsizetype from = cursor == "0" ? 0 : cursor.toLongLong();
        const qsizetype to = qMin(m_keys.size(), from + count);
        const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(
            QString::fromLatin1(QByteArray(match).replace("\\", ""))));
        ScanBatch b;
        b.cursor = cursor;
        for (qsizetype i = qMax<qsizetype>(0, from - 3); i < to; ++i) {
            if (re.match(QString::fromLatin1(m_keys[i])).hasMatch())
                b.keys.append(m_keys[i]);
        }
        b.nextCursor = to >= m_keys.size() ? QByteArray("0") : QByteArray::number(to);
        Q_EMIT scanReady(id, b);
        if (continuous && !b.done())
            post([=, this] { step(id, b.nextCursor, match, count, continuous); });
    }
    // The server behind the source goes away, comes back, or comes back as another instance.
    void goAway() { setReachable(false, QStringLiteral("fake: connection refused")); }
    void comeBack() { setReachable(true); }
    void replaceServer(QList<QByteArray> keys)
    {
        m_keys = std::move(keys);
        Q_EMIT serverReplaced();
        setReachable(true);
    }
    int metadataRequests = 0;
    quint64 requestMetadata(const QList<QByteArray> &keys) override
    {
        const quint64 id = nextId();
        ++metadataRequests;
        post([=, this] {
            QList<KeyMetadata> out;
            for (const auto &k : keys) {
                KeyMetadata m;
                m.key = k;
                m.type = "string";
                m.ttlMs = k.endsWith('0') ? -1 : 60000 + k.size();
                m.size = k.size() * 10;
                out.append(m);
            }
            Q_EMIT metadataReady(id, out);
        });
        return id;
    }
    quint64 requestValue(const QByteArray &key) override
    {
        const quint64 id = nextId();
        post([=, this] { Q_EMIT valueReady(id, key, "v", true); });
        return id;
    }
    void cancel(quint64 id) override { m_cancelled.append(id); }

protected:
    void doDeleteKeys(quint64, const QList<QByteArray> &) override {}
    void doDeleteNamespace(quint64, const QByteArray &) override {}
    void doSetTtl(quint64, const QList<QByteArray> &, qint64) override {}

private:
    QList<QByteArray> m_keys;
    QList<quint64> m_cancelled;
};

QByteArray hex32(int i)
{
    return QByteArray::number(i, 16).rightJustified(32, '0');
}

// "name[child,child]" for the loaded tree, children in row order (namespaces before keys).
QString treeText(const QAbstractItemModel &m, const QModelIndex &parent = {})
{
    QStringList parts;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        QString s = QString::fromUtf8(i.data(KeyTreeModel::IsNamespaceRole).toBool()
                                          ? i.data(KeyTreeModel::KeyBytesRole).toByteArray() + '*'
                                          : i.data(Qt::DisplayRole).toString().toUtf8());
        if (m.rowCount(i))
            s += u'[' + treeText(m, i) + u']';
        parts << s;
    }
    return parts.join(u',');
}

using test::collectKeys;

} // namespace

class TestKeyTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldPassModelTester_data()
    {
        QTest::addColumn<bool>("useFetchMore");
        QTest::addRow("fetchMore on") << true;
        QTest::addRow("fetchMore off") << false;
    }
    void shouldPassModelTester()
    {
        QFETCH(bool, useFetchMore);
        // Given a keyspace with namespaces, digests and nested keys
        QList<QByteArray> keys;
        for (int i = 0; i < 3000; ++i)
            keys << "superset_data_" + hex32(i);
        for (int i = 0; i < 50; ++i)
            keys << "superset_db:" + QByteArray::number(i % 5) + ":schema:s" + QByteArray::number(i);
        keys << "superset_6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00" << "superset_x";
        FakeKeySource source(keys, "superset_");
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(useFetchMore);
        model.setBatchSize(250);
        // When the model is populated lazily, then fully
        model.setSource(&source);
        if (model.canFetchMore({}))
            model.fetchMore({});
        QTRY_VERIFY(model.rowCount() > 0);
        const QModelIndex data = model.index(0, 0);
        QVERIFY(model.isNamespace(data));
        model.fetchMore(data); // a namespace scan
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 20000);
        QTRY_VERIFY(!model.isFetching());
        // Then every key is there exactly once
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        QCOMPARE(loaded.size(), keys.size());
        std::sort(loaded.begin(), loaded.end());
        std::sort(keys.begin(), keys.end());
        QCOMPARE(loaded, keys);
        QCOMPARE(model.loadedKeyCount(), quint64(keys.size()));
        QVERIFY(!model.canFetchMore({}));
    }

    void shouldSplitNamespacesAndKeepDigestsWhole()
    {
        // Given keys after the prefix with ':' and '_' separators, a UUID and digests
        FakeKeySource source({"p_data_" + hex32(1), "p_data_" + hex32(2), "p_db:1:schema:main:table_list",
                              "p_6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00", "p_" + hex32(3) + "_tail", "p_data_"},
                             "p_");
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        // Then namespaces come from separators, digests stay whole leaves
        QCOMPARE(treeText(model),
                 QStringLiteral("p_data_*[%1,%2],p_db:*[p_db:1:*[p_db:1:schema:*[p_db:1:schema:main:*[p_db:1:schema:main:"
                                "table_*[list]]]]],6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00,%3_tail,data_")
                     .arg(QString::fromLatin1(hex32(1)), QString::fromLatin1(hex32(2)), QString::fromLatin1(hex32(3))));
        // And a namespace row shows how many keys it holds
        QCOMPARE(model.index(0, 0).data(KeyTreeModel::KeyCountRole).toULongLong(), 2ull);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("data (2)"));
    }

    void shouldFetchOnlyWhenAskedAndNeverReset()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 5000; ++i)
            keys << "k:" + QByteArray::number(i);
        FakeKeySource source(keys);
        KeyTreeModel model;
        model.setSource(&source);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        // Given nothing asked, nothing is scanned
        QTest::qWait(20);
        QCOMPARE(source.scans, 0);
        // When one fetchMore is made, rows arrive by inserts only
        model.fetchMore({});
        QTRY_VERIFY(!model.isFetching());
        QVERIFY(model.loadedKeyCount() >= 200);
        QVERIFY(model.loadedKeyCount() < 5000);
        QVERIFY(model.canFetchMore({}));
        QCOMPARE(resets.size(), 0);
        QVERIFY(inserts.size() > 0);
        // And a filter change is the one thing that resets, turning into the SCAN MATCH
        model.setFilter("k:12*");
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        QCOMPARE(source.matches.last(), QByteArray("k:12*"));
        QCOMPARE(model.loadedKeyCount(), quint64(1 + 10 + 100)); // k:12, k:120..129, k:1200..1299
    }

    void shouldShowExactKeyWithoutScanning()
    {
        FakeKeySource source({"a:b:c"});
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false); // the tester would scan; this test asserts nothing does
        model.setSource(&source);
        const QModelIndex i = model.insertKey("x:y:z");
        QVERIFY(i.isValid());
        QCOMPARE(model.keyAt(i), QByteArray("x:y:z"));
        QCOMPARE(source.scans, 0);
        QCOMPARE(model.indexForKey("x:y:z"), i);
        // Inserting it again, or scanning it later, does not duplicate it
        QCOMPARE(model.insertKey("x:y:z"), i);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        QCOMPARE(model.loadedKeyCount(), 2ull);
        // And removal after a delete takes the row away
        model.removeKeys({"x:y:z"});
        QVERIFY(!model.indexForKey("x:y:z").isValid());
        QCOMPARE(model.loadedKeyCount(), 1ull);
    }

    void shouldFetchMetadataForRowsAndSortLoadedKeys()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 20; ++i)
            keys << "n:" + QByteArray::number(i * 7 % 20);
        FakeKeySource source(keys);
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        const QModelIndex ns = model.index(0, 0);
        QModelIndexList rows;
        for (int r = 0; r < model.rowCount(ns); ++r)
            rows << model.index(r, 0, ns);
        QSignalSpy changed(&model, &KeyTreeModel::metadataUpdated);
        model.requestMetadata(rows);
        QTRY_COMPARE(changed.size(), 1);
        const QModelIndex n10 = model.indexForKey("n:10");
        QCOMPARE(n10.siblingAtColumn(KeyTreeModel::TtlColumn).data().toString(), QStringLiteral("never"));
        QCOMPARE(n10.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"));
        QCOMPARE(n10.siblingAtColumn(KeyTreeModel::SizeColumn).data(KeyTreeModel::SizeBytesRole).toLongLong(), 40);
        // Sorting by size orders what is loaded; a persistent index follows its key
        const QPersistentModelIndex keep(model.indexForKey("n:3"));
        model.sort(KeyTreeModel::KeyColumn, Qt::AscendingOrder);
        QVERIFY(model.isSortedLoadedOnly());
        QCOMPARE(model.keyAt(model.index(0, 0, ns)), QByteArray("n:0"));
        QCOMPARE(model.keyAt(keep), QByteArray("n:3"));
        model.sort(KeyTreeModel::SizeColumn, Qt::DescendingOrder);
        const qint64 first = model.index(0, KeyTreeModel::SizeColumn, ns).data(KeyTreeModel::SizeBytesRole).toLongLong();
        const qint64 last = model.index(19, KeyTreeModel::SizeColumn, ns).data(KeyTreeModel::SizeBytesRole).toLongLong();
        QVERIFY(first >= last);
        QCOMPARE(model.keyAt(keep), QByteArray("n:3"));
    }

    void shouldCancelLoadAllAndResume()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 20000; ++i)
            keys << "c_" + QByteArray::number(i);
        FakeKeySource source(keys);
        KeyTreeModel model;
        model.setBatchSize(100);
        model.setSource(&source);
        QSignalSpy loading(&model, &KeyTreeModel::loadingChanged);
        model.loadAll();
        QVERIFY(model.isLoadingAll());
        QTRY_VERIFY(model.loadedKeyCount() > 0);
        model.cancelLoad();
        QVERIFY(!model.isLoadingAll());
        const quint64 partial = model.loadedKeyCount();
        QTest::qWait(50);
        QCOMPARE(model.loadedKeyCount(), partial); // nothing more arrives after cancel
        QVERIFY(partial < 20000);
        model.loadAll(); // resumes from the kept cursor
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 20000);
        QCOMPARE(model.loadedKeyCount(), 20000ull);
    }

    void shouldGoStaleWhileTheServerIsAwayAndReloadWhenItIsReplaced()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 500; ++i)
            keys << "old:" + QByteArray::number(i);
        FakeKeySource source(keys);
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        const QModelIndex ns = model.index(0, 0);
        QModelIndexList rows;
        for (int r = 0; r < 10; ++r)
            rows << model.index(r, 0, ns);
        model.requestMetadata(rows);
        const QPersistentModelIndex counting = model.indexForKey("old:1"); // the fake gives it a TTL
        QVERIFY(rows.contains(counting));
        QTRY_VERIFY(counting.sibling(counting.row(), KeyTreeModel::TtlColumn).data(KeyTreeModel::TtlMsRole).toLongLong() > 0);
        QVERIFY(!rows.first().data(Qt::ForegroundRole).isValid());
        QSignalSpy stale(&model, &KeyTreeModel::staleChanged);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // When the server goes away, the rows stay but are marked stale (and repainted), TTLs freeze
        source.goAway();
        QTRY_COMPARE(stale.size(), 1);
        QVERIFY(model.isStale());
        QVERIFY(stale.first().first().toBool());
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model.loadedKeyCount(), 500ull);
        QVERIFY(rows.first().data(Qt::ForegroundRole).isValid());
        QVERIFY(ns.data(Qt::ForegroundRole).isValid());
        const QModelIndex ttl = counting.sibling(counting.row(), KeyTreeModel::TtlColumn);
        const qint64 frozen = ttl.data(KeyTreeModel::TtlMsRole).toLongLong();
        QTest::qWait(30);
        QCOMPARE(ttl.data(KeyTreeModel::TtlMsRole).toLongLong(), frozen);
        // and no metadata is asked of a server that does not answer
        const int asked = source.metadataRequests;
        model.requestMetadata(rows, true);
        QCOMPARE(source.metadataRequests, asked);

        // When it comes back as the same server, the same keys are live again, metadata refreshed
        source.comeBack();
        QTRY_COMPARE(stale.size(), 2);
        QVERIFY(!model.isStale());
        QVERIFY(!rows.first().data(Qt::ForegroundRole).isValid());
        QCOMPARE(source.metadataRequests, asked + 1);
        QCOMPARE(model.loadedKeyCount(), 500ull);

        // When it comes back as another instance with other keys, the tree reloads by itself
        QSignalSpy replaced(&model, &KeyTreeModel::keyspaceReplaced);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        source.goAway();
        QTRY_VERIFY(model.isStale());
        QList<QByteArray> fresh;
        for (int i = 0; i < 20; ++i)
            fresh << "new:" + QByteArray::number(i);
        source.replaceServer(fresh);
        QTRY_COMPARE(replaced.size(), 1);
        QCOMPARE(reset.size(), 1);
        QVERIFY(!model.isStale());
        // everything was loaded before, so everything is loaded again
        QTRY_VERIFY(model.isScanComplete() && !model.isFetching());
        QList<QByteArray> loaded;
        collectKeys(model, {}, loaded);
        std::sort(loaded.begin(), loaded.end());
        std::sort(fresh.begin(), fresh.end());
        QCOMPARE(loaded, fresh);
    }

    void shouldReloadKeepingTheFilter()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 300; ++i)
            keys << (i % 2 ? "a:" : "b:") + QByteArray::number(i);
        FakeKeySource source(keys);
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        model.setFilter("a:*");
        model.fetchMore({});
        QTRY_VERIFY(model.isScanComplete());
        QCOMPARE(model.loadedKeyCount(), 150ull);
        const int scans = source.scans;
        model.reload();
        QVERIFY(source.scans > scans); // scanned again
        QCOMPARE(source.matches.last(), QByteArray("a:*"));
        QTRY_VERIFY(model.isScanComplete() && !model.isFetching());
        QCOMPARE(model.loadedKeyCount(), 150ull);
    }
};

QTEST_GUILESS_MAIN(TestKeyTreeModel)
#include "tst_keytreemodel.moc"
