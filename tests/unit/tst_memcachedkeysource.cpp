// The Keys page's memcached source against real servers: every key listed once through
// lru_crawler metadump (across slab classes and servers, in the lazy tree and in Load all),
// metadata from mg, values as memcached items the decoder chain opens by their flags, writes
// refused until enabled and confined to the prefix, and SASL servers refused for listing by name.
#include "browse/memcachedkeysource.h"
#include "codec/decoderchain.h"
#include "codec/inflater.h"
#include "keytreemodel.h"
#include "keytreewalk.h"
#include "memcachedserver.h"
#include "redisserver.h"
#include "python.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <set>

using namespace cachescope;

namespace {

QList<QByteArray> makeKeys(int n)
{
    QList<QByteArray> keys;
    for (int i = 0; i < n; ++i) {
        switch (i % 3) {
        case 0: keys << "superset_data_" + QByteArray::number(quint64(i) * 2654435761ull, 16); break;
        case 1: keys << "superset_db:" + QByteArray::number(i % 7) + ":s" + QByteArray::number(i); break;
        default: keys << "superset_explore:\xc3\xbc" + QByteArray::number(i); break;
        }
    }
    return keys;
}

bool fill(MemcachedClient &client, const QList<QByteArray> &keys)
{
    for (qsizetype at = 0; at < keys.size(); at += 2000) {
        QList<MemcachedLink::Store> stores;
        for (qsizetype i = at; i < qMin(keys.size(), at + 2000); ++i) // sizes spread over several slab classes
            stores.append({MemcachedLink::StoreCommand::Set, keys[i], MemcachedItem{16, QByteArray(int(i % 9) * 300, 'v')}, 0});
        if (!client.store(stores))
            return false;
    }
    return true;
}

MemcachedClient::Options optionsFor(const QList<MemcachedEndpoint> &servers)
{
    MemcachedClient::Options o;
    o.servers = servers;
    return o;
}

} // namespace

class TestMemcachedKeySource : public QObject
{
    Q_OBJECT
    test::MemcachedServer m_a;
    test::MemcachedServer m_b;
    test::MemcachedServer m_sasl;

private Q_SLOTS:
    void initTestCase()
    {
        for (auto *s : {&m_a, &m_b}) {
            const QString error = s->start();
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        const QString error = m_sasl.startWithSasl({QStringLiteral("u"), QStringLiteral("p")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void init()
    {
        // Test set-up on the test's own servers only.
        for (auto *s : {&m_a, &m_b})
            QCOMPARE(s->command("flush_all\r\n"), QByteArray("OK\r\n"));
    }

    void shouldLoadEveryKeyOnceAcrossServersAndClasses()
    {
        // Given 30k keys spread by pylibmc's hash over two servers, and keys outside the prefix
        MemcachedClient writer(optionsFor({m_a.endpoint(), m_b.endpoint()}));
        const QList<QByteArray> keys = makeKeys(30000);
        QVERIFY(fill(writer, keys));
        QVERIFY(fill(writer, {"other_app:1", "other_app:2", "supersetx"}));
        MemcachedKeySource source(optionsFor({m_a.endpoint(), m_b.endpoint()}), "superset_");
        QCOMPARE(source.description(), QStringLiteral("memcached://%1,%2").arg(m_a.address(), m_b.address()));
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        // When everything is loaded
        model.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(model.isScanComplete(), 120000);
        // Then every cache key is there once, and nothing else
        QList<QByteArray> loaded;
        test::collectKeys(model, {}, loaded);
        const std::set<QByteArray> unique(loaded.begin(), loaded.end());
        QCOMPARE(unique.size(), size_t(loaded.size()));
        QVERIFY(unique == std::set<QByteArray>(keys.begin(), keys.end()));
    }

    void shouldPageLazilyWithoutLoadAll()
    {
        MemcachedClient writer(optionsFor({m_a.endpoint()}));
        QVERIFY(fill(writer, makeKeys(3000)));
        MemcachedKeySource source(optionsFor({m_a.endpoint()}), "superset_");
        QSignalSpy ready(&source, &KeySource::scanReady);
        QSignalSpy failed(&source, &KeySource::scanFailed);
        QByteArray cursor = "0";
        std::set<QByteArray> seen;
        int requests = 0;
        do {
            const quint64 id = source.requestScan(cursor, "superset_db:*", 100, false);
            ++requests;
            // Slices of one page arrive under one id; the last one carries the next cursor.
            QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() && !ready.last().at(1).value<ScanBatch>().more, 30000);
            for (const auto &signal : ready) {
                QCOMPARE(signal.at(0).toULongLong(), id);
                const ScanBatch b = signal.at(1).value<ScanBatch>();
                for (const auto &k : b.keys) {
                    QVERIFY2(k.startsWith("superset_db:"), k.constData());
                    seen.insert(k);
                }
            }
            cursor = ready.last().at(1).value<ScanBatch>().nextCursor;
            ready.clear();
        } while (cursor != "0" && requests < 100);
        QVERIFY(failed.isEmpty());
        QCOMPARE(seen.size(), size_t(1000));
        QVERIFY2(requests >= 2, "one request per slab class that holds items");
    }

    void shouldFetchMetadataAndDecodableValues()
    {
        MemcachedClient writer(optionsFor({m_a.endpoint()}));
        // pylibmc's int (4), pickle (1), str (16), zlib+pickle (9), and python-memcache's protocol-0 pickle.
        QVERIFY(writer.store({{MemcachedLink::StoreCommand::Set, "superset_int", MemcachedItem{4, "42"}, 0},
                              {MemcachedLink::StoreCommand::Set, "superset_pickle", MemcachedItem{1, QByteArray("\x80\x05\x95\x06\x00\x00\x00\x00\x00\x00\x00\x8c\x02hi\x94.", 19)}, 0},
                              {MemcachedLink::StoreCommand::Set, "superset_str", MemcachedItem{16, "h\xc3\xa9"}, 0},
                              {MemcachedLink::StoreCommand::Set, "superset_zip", MemcachedItem{9, Inflater::compressZlib("(lp0\nI1\na.")}, 0},
                              {MemcachedLink::StoreCommand::Set, "superset_p0", MemcachedItem{1, "(dp0\nVa\np1\nI01\ns."},
                               QDateTime::currentSecsSinceEpoch() + 500}}));
        MemcachedKeySource source(optionsFor({m_a.endpoint()}), "superset_");
        QSignalSpy meta(&source, &KeySource::metadataReady);
        source.requestMetadata({"superset_int", "superset_pickle", "superset_p0", "superset_gone"});
        QTRY_COMPARE(meta.size(), 1);
        const auto m = meta.at(0).at(1).value<QList<KeyMetadata>>();
        QCOMPARE(m.size(), 4);
        QCOMPARE(m[0].type, QByteArray("int"));
        QCOMPARE(m[0].ttlMs, -1);
        QCOMPARE(m[0].size, 2);
        QCOMPARE(m[1].type, QByteArray("pickle"));
        // memcached counts an absolute expiry against its own one-second clock, which lags the
        // wall clock: right after the set it may answer 501.
        QVERIFY2(m[2].ttlMs > 490000 && m[2].ttlMs <= 501000, qPrintable(QString::number(m[2].ttlMs)));
        QCOMPARE(m[3].ttlMs, -2);

        struct Expect
        {
            QByteArray key;
            DecodeResult::FinalKind kind;
            PyValue value;
        };
        const QList<Expect> expected{
            {"superset_int", DecodeResult::FinalKind::Integer, PyValue::integer(42)},
            {"superset_pickle", DecodeResult::FinalKind::Value, PyValue::str(QByteArray("hi"))},
            {"superset_zip", DecodeResult::FinalKind::Value, PyValue::list({PyValue::integer(1)})},
            {"superset_p0", DecodeResult::FinalKind::Value,
             PyValue::dict({{PyValue::str(QByteArray("a")), PyValue::boolean(true)}})},
        };
        QSignalSpy values(&source, &KeySource::valueReady);
        for (const auto &e : expected) {
            values.clear();
            source.requestValue(e.key);
            QTRY_COMPARE(values.size(), 1);
            QVERIFY(values.at(0).at(3).toBool());
            const QByteArray raw = values.at(0).at(2).toByteArray();
            QVERIFY2(raw.startsWith(QByteArray("VALUE " + e.key + ' ')), raw.constData());
            DecodeHints hints;
            hints.backend = DecodeHints::Backend::Memcached;
            const DecodeResult r = DecoderChain().decode(raw, hints);
            QVERIFY2(r.ok(), qPrintable(r.error));
            QCOMPARE(r.layers.front().kind, DecodeLayer::Kind::MemcachedValue);
            QCOMPARE(r.finalKind, e.kind);
            QVERIFY2(r.value == e.value, qPrintable(QString::fromUtf8(e.key) + QStringLiteral(": ") + r.value.repr()));
            // Auto-detection finds the item too (decode --input of a saved value).
            QCOMPARE(DecoderChain().decode(raw).layers.front().kind, DecodeLayer::Kind::MemcachedValue);
        }
        values.clear();
        source.requestValue("superset_str");
        QTRY_COMPARE(values.size(), 1);
        const DecodeResult text = DecoderChain().decode(values.at(0).at(2).toByteArray());
        QCOMPARE(text.finalKind, DecodeResult::FinalKind::Text);
        QCOMPARE(text.bytes, QByteArray("h\xc3\xa9"));
        values.clear();
        source.requestValue("superset_gone");
        QTRY_COMPARE(values.size(), 1);
        QVERIFY(!values.at(0).at(3).toBool());
        // A damaged item says where.
        const DecodeResult broken = DecoderChain().decode("VALUE k 4 3\r\n4x\r\n");
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error.contains(QStringLiteral("memcached-value")), qPrintable(broken.error));
    }

    void shouldRefuseWritesUntilEnabledAndStayInsideThePrefix()
    {
        MemcachedClient writer(optionsFor({m_a.endpoint(), m_b.endpoint()}));
        QVERIFY(fill(writer, {"superset_ns:a", "superset_ns:b", "superset_other:c", "superset_nsx", "other_ns:d"}));
        MemcachedKeySource source(optionsFor({m_a.endpoint(), m_b.endpoint()}), "superset_");
        QSignalSpy failed(&source, &KeySource::writeFailed);
        QSignalSpy finished(&source, &KeySource::writeFinished);
        source.deleteKeys({"superset_ns:a"});
        source.setTtl({"superset_ns:a"}, 5000);
        source.deleteNamespace("superset_ns:");
        QTRY_COMPARE(failed.size(), 3);
        for (const auto &f : failed)
            QVERIFY2(f.at(1).toString().contains(QStringLiteral("read-only")), qPrintable(f.at(1).toString()));
        auto still = writer.get({"superset_ns:a"});
        QVERIFY(still && still->front());

        source.setWritesEnabled(true);
        failed.clear();
        source.deleteKeys({"other_ns:d"});
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("outside the cache's key prefix")));

        source.setTtl({"superset_other:c"}, 7000);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(1).toLongLong(), 1);
        auto meta = writer.meta({"superset_other:c"});
        QVERIFY(meta && meta->front());
        QVERIFY2(meta->front()->ttl >= 6 && meta->front()->ttl <= 8, qPrintable(QString::number(meta->front()->ttl)));

        source.deleteNamespace("superset_ns:");
        QTRY_COMPARE(finished.size(), 2);
        QCOMPARE(finished.at(1).at(1).toLongLong(), 2);
        auto after = writer.get({"superset_ns:a", "superset_ns:b", "superset_nsx", "other_ns:d", "superset_other:c"});
        QVERIFY(after);
        QVERIFY(!after->at(0) && !after->at(1));
        QVERIFY(after->at(2) && after->at(3) && after->at(4));

        source.deleteKeys({"superset_nsx", "superset_missing"});
        QTRY_COMPARE(finished.size(), 3);
        QCOMPARE(finished.at(2).at(1).toLongLong(), 1);
    }

    void shouldRefuseListingOverSasl()
    {
        MemcachedClient::Options o = optionsFor({m_sasl.endpoint()});
        o.credentials = {QStringLiteral("u"), QStringLiteral("p")};
        MemcachedClient writer(o);
        QVERIFY(writer.store({{MemcachedLink::StoreCommand::Set, "superset_k", MemcachedItem{16, "v"}, 0}}));
        MemcachedKeySource source(o, "superset_");
        QVERIFY(source.description().contains(QStringLiteral("u:***@")));
        QSignalSpy failed(&source, &KeySource::scanFailed);
        source.requestScan("0", "superset_*", 100, false);
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("keys cannot be listed")),
                 qPrintable(failed.at(0).at(1).toString()));
        QSignalSpy values(&source, &KeySource::valueReady);
        source.requestValue("superset_k");
        QTRY_COMPARE(values.size(), 1);
        QCOMPARE(values.at(0).at(2).toByteArray(), QByteArray("VALUE superset_k 16 1\r\nv\r\n"));
    }

    void shouldReportAnUnreachableServer()
    {
        MemcachedEndpoint nowhere;
        nowhere.port = test::freeLoopbackPort();
        MemcachedKeySource source(optionsFor({nowhere}), "superset_");
        KeyTreeModel model;
        QSignalSpy errors(&model, &KeyTreeModel::errorOccurred);
        model.setSource(&source);
        model.fetchMore({});
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 20000);
        QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("cannot connect")),
                 qPrintable(errors.at(0).at(0).toString()));
    }
};

QTEST_MAIN(TestMemcachedKeySource)
#include "tst_memcachedkeysource.moc"
