// SupersetMetastoreCache against a Python port of Superset's own metastore code
// (tests/support/superset_metastore.py) on real SQLite, PostgreSQL and MariaDB databases:
// rows written by either side are read by the other, byte for byte, with both codecs.
#include "cache/cachemanager.h"
#include "cache/metastorecache.h"
#include "checkok.h"
#include "codec/valuejson.h"
#include "metadata/metadataconnection.h"
#include "metadataservers.h"
#include "supersetschema.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cachescope;

// Plain string literals: Qt 6.4's moc mis-reads raw strings holding \" and then finds no test class.
namespace {

using Codec = SupersetMetastoreCache::Codec;

PyValue fromTagged(const char *json)
{
    auto v = ValueJson::fromJson(QByteArray(json));
    if (!v)
        qFatal("bad sample %s: %s", json, qPrintable(v.error()));
    return *v;
}

// Values both codecs carry unchanged (str keys, no tuples/bytes/sets).
QList<QByteArray> jsonSamples()
{
    return {
        "{\"owner\": 1, \"value\": \"{\\\"NATIVE_FILTER-abc\\\": {\\\"id\\\": \\\"NATIVE_FILTER-abc\\\", \\\"filterState\\\": {\\\"value\\\": [\\\"x\\\"]}}}\"}",
        "\"AbCdEfGhIjK\"",
        "{\"owner\": null, \"datasource_id\": 12, \"datasource_type\": \"table\", \"chart_id\": null, \"form_data\": \"{\\\"viz_type\\\": \\\"table\\\"}\"}",
        "\"h\\u00e9llo \\u20ac \\ud834\\udd1e \\u65e5\\u672c \\u0001\\t\\n\\\"\\\\\"",
        "[0.1, 1e15, 1e16, 1.5e-05, 123456789.123, -0.0, 1e300, 5e-324, 2.5]",
        "{\"big\": {\"__int__\": \"1180591620717411303424\"}, \"neg\": -42, \"t\": true, \"f\": false, \"n\": null}",
        "[1, [2, [3, []]], {}, \"\"]",
        "{\"nan\": {\"__float__\": \"nan\"}, \"inf\": {\"__float__\": \"inf\"}, \"ninf\": {\"__float__\": \"-inf\"}}",
        "0",
        "{}",
    };
}

// Values only pickle can carry.
QList<QByteArray> pickleOnlySamples()
{
    return {
        "{\"__bytes__\": \"AP+AAQI=\"}",
        "{\"__tuple__\": [1, \"two\", 3.0, {\"__bytes__\": \"\"}]}",
        "{\"__set__\": [1, 2, 3]}",
        "{\"__frozenset__\": [\"a\"]}",
        "{\"__dict__\": [[7, \"int key\"], [{\"__tuple__\": [1, 2]}, null]]}",
        "{\"__bytearray__\": \"YWIA\"}",
        "{\"__int__\": \"-340282366920938463463374607431768211457\"}",
    };
}

} // namespace

class TestMetastoreCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void namespacesAndUuids();
    void pythonWritesCacheScopeReads_data();
    void pythonWritesCacheScopeReads();
    void cacheScopeWritesPythonReads_data();
    void cacheScopeWritesPythonReads();
    void semanticsMatchSuperset_data();
    void semanticsMatchSuperset();
    void readOnlyFromAConfig();
    void builtFromASpec();

private:
    void matrix();
    // A database made (basic fixture, 4.1) for one test row in initTestCase.
    QString database(const QString &tag) const { return m_uris.value(tag); }
    std::unique_ptr<SupersetMetastoreCache> cacheFor(const QString &uri, const QByteArray &prefix, Codec codec,
                                                     qint64 defaultTimeout = 300);
    test::MetadataServers m_servers;
    QHash<QString, QString> m_uris;
};

void TestMetastoreCache::initTestCase()
{
    const QString error = m_servers.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // One database per test row, all made in one python3 run (its imports are most of the cost).
    QList<QPair<QString, QString>> made;
    auto add = [&](const QString &tag, const QString &backend) {
        auto uri = m_servers.database(backend, QStringLiteral("ms_") + tag);
        QVERIFY2(uri.hasValue(), qPrintable(test::errorOf(uri)));
        m_uris.insert(tag, *uri);
        made.append({*uri, QStringLiteral("4.1")});
    };
    for (const char *b : {"sqlite", "postgresql", "mysql"})
        for (const char *c : {"json", "pickle"})
            for (const char *kind : {"pw", "cw", "sem"})
                add(QStringLiteral("%1-%2-%3").arg(QLatin1String(kind), QLatin1String(b), QLatin1String(c)), QString::fromLatin1(b));
    add(QStringLiteral("uuids"), QStringLiteral("sqlite"));
    add(QStringLiteral("ro"), QStringLiteral("postgresql"));
    CHECK_OK(test::createSupersetSchemas(made));
}

void TestMetastoreCache::cleanupTestCase()
{
    m_servers.stop();
}

std::unique_ptr<SupersetMetastoreCache> TestMetastoreCache::cacheFor(const QString &uri, const QByteArray &prefix, Codec codec,
                                                                     qint64 defaultTimeout)
{
    auto parsed = MetadataUri::parse(uri);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error()));
    SupersetMetastoreCache::Options options;
    options.keyPrefix = prefix;
    options.codec = codec;
    options.defaultTimeout = defaultTimeout;
    return std::make_unique<SupersetMetastoreCache>(std::make_shared<MetadataConnection>(*parsed), options);
}

void TestMetastoreCache::matrix()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("codec");
    for (const char *b : {"sqlite", "postgresql", "mysql"})
        for (const char *c : {"json", "pickle"})
            QTest::addRow("%s-%s", b, c) << QString::fromLatin1(b) << QString::fromLatin1(c);
}

void TestMetastoreCache::namespacesAndUuids()
{
    // FORMATS.md §5.2's table, worked out with Python's uuid module during the design.
    using H = SupersetMetastoreCache::NamespaceHash;
    const QByteArray key = "12;AbCdEfGhIjK";
    struct Row { const char *prefix, *md5Ns, *md5Row, *shaNs, *shaRow; };
    const Row rows[] = {
        {"FILTER_STATE_CACHE_CONFIG", "484121c0-9d0b-d4b1-d9e2-a050b2f39153", "a2b5aab4-98e0-3351-9d70-30770284246d",
         "44328ca3-b1a1-2983-da1c-9e1cbdf071fa", "d77a4a2b-7eb8-36b2-a0e7-7bf9efa41216"},
        {"EXPLORE_FORM_DATA_CACHE_CONFIG", "b6aa127c-139f-f4d8-aa82-bdaaa4806b5e", "3f92fd9d-9b6b-3e4e-ab4d-ba60fe5ab6d9",
         "c1fa2f89-bff4-0326-7fbd-0590034fb4ac", "a0b65bb2-f2e9-3c12-867c-e0f07c538dec"},
        {"superset_results", "b6b78975-18fa-c4a6-e144-afdac29815bd", "4c0b5a8b-4759-3a5d-b19c-4561bf869ecd",
         "995d3927-32b7-99a4-502a-80ebe889d24e", "83970c14-64dc-37fa-8fef-48a9d59b0b15"},
    };
    for (const Row &r : rows) {
        const QUuid md5 = SupersetMetastoreCache::namespaceFor(r.prefix, H::Md5);
        const QUuid sha = SupersetMetastoreCache::namespaceFor(r.prefix, H::Sha256);
        QCOMPARE(md5, QUuid(QString::fromLatin1(r.md5Ns)));
        QCOMPARE(sha, QUuid(QString::fromLatin1(r.shaNs)));
        QCOMPARE(SupersetMetastoreCache::uuid3(md5, key), QUuid(QString::fromLatin1(r.md5Row)));
        QCOMPARE(SupersetMetastoreCache::uuid3(sha, key), QUuid(QString::fromLatin1(r.shaRow)));
    }
    // And against Python's uuid3 for keys of every shape, through the port's get_key.
    QJsonArray ops;
    const QList<QByteArray> keys{"", "a", "12;AbCdEfGhIjK", "session;tab;42;None;table", "h\xc3\xa9llo \xe2\x82\xac",
                                 QByteArray(300, 'k')};
    for (const QByteArray &k : keys)
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("uuid")}, {QStringLiteral("key"), QString::fromUtf8(k)}});
    const QString uri = database(QStringLiteral("uuids"));
    for (const char *hash : {"md5", "sha256"}) {
        auto py = test::runMetastorePort(uri, "FILTER_STATE_CACHE_CONFIG", QStringLiteral("json"), ops, QString::fromLatin1(hash));
        CHECK_OK(py);
        const QUuid ns = SupersetMetastoreCache::namespaceFor("FILTER_STATE_CACHE_CONFIG",
                                                              qstrcmp(hash, "md5") == 0 ? H::Md5 : H::Sha256);
        for (int i = 0; i < keys.size(); ++i)
            QCOMPARE(SupersetMetastoreCache::uuid3(ns, keys[i]).toString(QUuid::WithoutBraces), (*py)[i].toString());
    }
}

void TestMetastoreCache::pythonWritesCacheScopeReads_data()
{
    matrix();
}

void TestMetastoreCache::pythonWritesCacheScopeReads()
{
    QFETCH(QString, backend);
    QFETCH(QString, codec);
    const QString uri = database(QStringLiteral("pw-%1-%2").arg(backend, codec));
    const QByteArray prefix = "FILTER_STATE_CACHE_CONFIG";
    QList<QByteArray> samples = jsonSamples();
    if (codec == QStringLiteral("pickle"))
        samples += pickleOnlySamples();

    // Python sets every sample (timeouts: default, 0 = never, 120), then reads back its rows.
    QJsonArray ops;
    for (int i = 0; i < samples.size(); ++i) {
        QJsonObject set{{QStringLiteral("op"), QStringLiteral("set")}, {QStringLiteral("key"), QStringLiteral("k%1").arg(i)},
                        {QStringLiteral("value_json"), QString::fromUtf8(samples[i])}};
        set.insert(QStringLiteral("timeout"), i % 3 == 0 ? QJsonValue() : QJsonValue(i % 3 == 1 ? 0 : 120));
        ops.append(set);
    }
    for (int i = 0; i < samples.size(); ++i) {
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("row")}, {QStringLiteral("key"), QStringLiteral("k%1").arg(i)}});
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("get")}, {QStringLiteral("key"), QStringLiteral("k%1").arg(i)}});
    }
    auto py = test::runMetastorePort(uri, prefix, codec, ops, QStringLiteral("md5"), 3600);
    CHECK_OK(py);

    auto cache = cacheFor(uri, prefix, codec == QStringLiteral("json") ? Codec::Json : Codec::Pickle, 3600);
    cache->setWritable(false);
    for (int i = 0; i < samples.size(); ++i) {
        const QByteArray key = QByteArray("k") + QByteArray::number(i);
        const QJsonObject row = (*py)[samples.size() + 2 * i].toObject();
        const QJsonValue pythonValue = (*py)[samples.size() + 2 * i + 1];
        // The same stored bytes...
        auto raw = cache->rawGet(key);
        CHECK_OK(raw);
        QVERIFY2(raw->has_value(), key.constData());
        QCOMPARE(**raw, QByteArray::fromBase64(row[QStringLiteral("value")].toString().toLatin1()));
        // ... decode to what Superset's code decodes them to.
        auto got = cache->get(key);
        CHECK_OK(got);
        QVERIFY(got->has_value());
        auto expected = ValueJson::fromJson(pythonValue.toString().toUtf8());
        CHECK_OK(expected);
        QVERIFY2(**got == *expected, qPrintable(QStringLiteral("%1: %2 != %3").arg(QString::fromLatin1(key), (*got)->repr(), expected->repr())));
        // Timeouts: default (3600) and 120 expire, 0 never does.
        auto ttl = cache->ttl(key);
        CHECK_OK(ttl);
        if (i % 3 == 1) {
            QCOMPARE(ttl->state, EntryTtl::State::Never);
            QVERIFY(row[QStringLiteral("expires_on")].isNull());
        } else {
            QCOMPARE(ttl->state, EntryTtl::State::Expires);
            const qint64 timeout = i % 3 == 0 ? 3600 : 120;
            QVERIFY2(ttl->seconds > timeout - 120 && ttl->seconds <= timeout + 1, qPrintable(QString::number(ttl->seconds)));
        }
    }
    QCOMPARE(cache->counters().snapshot().hits, quint64(samples.size()));

    // An entry Superset considers expired is a miss here too, and is left in place.
    QJsonArray expire{QJsonObject{{QStringLiteral("op"), QStringLiteral("expire")}, {QStringLiteral("key"), QStringLiteral("k2")},
                                  {QStringLiteral("expires_on"), QStringLiteral("2001-01-01 00:00:00")}},
                      QJsonObject{{QStringLiteral("op"), QStringLiteral("get")}, {QStringLiteral("key"), QStringLiteral("k2")}}};
    auto expired = test::runMetastorePort(uri, prefix, codec, expire);
    CHECK_OK(expired);
    QCOMPARE((*expired)[1].toString(), QStringLiteral("null"));
    auto miss = cache->get("k2");
    CHECK_OK(miss);
    QVERIFY(!miss->has_value());
    QCOMPARE(cache->ttl("k2")->state, EntryTtl::State::Missing);
    QVERIFY(cache->rawGet("k2")->has_value());
    QCOMPARE(cache->counters().snapshot().misses, quint64(1));

    // The scan lists live rows by uuid: the fixture's two rows plus the samples, less the expired ones.
    QSet<QByteArray> scanned;
    QByteArray cursor = "0";
    do {
        auto page = cache->scan(cursor, "*", 3);
        CHECK_OK(page);
        for (const QByteArray &k : page->keys)
            scanned.insert(k);
        cursor = page->nextCursor;
    } while (cursor != "0");
    QVERIFY(scanned.contains(cache->rowUuid("k0").toByteArray(QUuid::WithoutBraces)));
    QVERIFY(!scanned.contains(cache->rowUuid("k2").toByteArray(QUuid::WithoutBraces)));
    QCOMPARE(scanned.size(), samples.size() - 1 + 1); // the fixture's row that never expires is there too
}

void TestMetastoreCache::cacheScopeWritesPythonReads_data()
{
    matrix();
}

void TestMetastoreCache::cacheScopeWritesPythonReads()
{
    QFETCH(QString, backend);
    QFETCH(QString, codec);
    const QString uri = database(QStringLiteral("cw-%1-%2").arg(backend, codec));
    const QByteArray prefix = "EXPLORE_FORM_DATA_CACHE_CONFIG";
    QList<QByteArray> samples = jsonSamples();
    if (codec == QStringLiteral("pickle"))
        samples += pickleOnlySamples();
    auto cache = cacheFor(uri, prefix, codec == QStringLiteral("json") ? Codec::Json : Codec::Pickle, 600);
    for (int i = 0; i < samples.size(); ++i) {
        const Timeout timeout = i % 3 == 0 ? Timeout() : Timeout(i % 3 == 1 ? 0 : 90);
        auto ok = cache->set(QByteArray("c") + QByteArray::number(i), fromTagged(samples[i].constData()), timeout);
        CHECK_OK(ok);
        QVERIFY(*ok);
    }
    QCOMPARE(cache->counters().snapshot().sets, quint64(samples.size()));

    QJsonArray ops;
    for (int i = 0; i < samples.size(); ++i) {
        const QString key = QStringLiteral("c%1").arg(i);
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("get")}, {QStringLiteral("key"), key}});
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("row")}, {QStringLiteral("key"), key}});
        ops.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("encode")},
                               {QStringLiteral("value_json"), QString::fromUtf8(samples[i])}});
    }
    auto py = test::runMetastorePort(uri, prefix, codec, ops);
    CHECK_OK(py);
    for (int i = 0; i < samples.size(); ++i) {
        const QJsonValue got = (*py)[3 * i];
        const QJsonObject row = (*py)[3 * i + 1].toObject();
        const QByteArray stored = QByteArray::fromBase64(row[QStringLiteral("value")].toString().toLatin1());
        // Byte for byte what Superset's codec would have written for the same value.
        QCOMPARE(stored, QByteArray::fromBase64((*py)[3 * i + 2].toString().toLatin1()));
        // Superset's code reads the value back.
        auto decoded = ValueJson::fromJson(got.toString().toUtf8());
        CHECK_OK(decoded);
        auto mine = cache->decode(stored);
        CHECK_OK(mine);
        QVERIFY2(*decoded == *mine, qPrintable(QStringLiteral("c%1: %2 != %3").arg(i).arg(decoded->repr(), mine->repr())));
        // expires_on: default 600 s, 0 = never (NULL), 90 s; created_on set, changed_on not.
        QVERIFY(!row[QStringLiteral("created_on")].isNull());
        QVERIFY(row[QStringLiteral("changed_on")].isNull());
        const QDateTime now = QDateTime::fromString(row[QStringLiteral("now")].toString().left(19), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (i % 3 == 1) {
            QVERIFY(row[QStringLiteral("expires_on")].isNull());
        } else {
            const QDateTime expires = QDateTime::fromString(row[QStringLiteral("expires_on")].toString().left(19),
                                                            QStringLiteral("yyyy-MM-dd HH:mm:ss"));
            const qint64 left = now.secsTo(expires);
            const qint64 timeout = i % 3 == 0 ? 600 : 90;
            QVERIFY2(left > timeout - 120 && left <= timeout, qPrintable(QString::number(left)));
        }
    }

    // An overwrite updates changed_on; a delete is seen by Superset's code.
    CHECK_OK(cache->set("c0", PyValue::str(QByteArray("again"))));
    CHECK_OK(cache->remove("c1"));
    QJsonArray after{QJsonObject{{QStringLiteral("op"), QStringLiteral("row")}, {QStringLiteral("key"), QStringLiteral("c0")}},
                     QJsonObject{{QStringLiteral("op"), QStringLiteral("get")}, {QStringLiteral("key"), QStringLiteral("c0")}},
                     QJsonObject{{QStringLiteral("op"), QStringLiteral("get")}, {QStringLiteral("key"), QStringLiteral("c1")}}};
    auto py2 = test::runMetastorePort(uri, prefix, codec, after);
    CHECK_OK(py2);
    QVERIFY(!(*py2)[0].toObject()[QStringLiteral("changed_on")].isNull());
    QCOMPARE((*py2)[1].toString(), QStringLiteral("\"again\""));
    QCOMPARE((*py2)[2].toString(), QStringLiteral("null"));
}

void TestMetastoreCache::semanticsMatchSuperset_data()
{
    matrix();
}

void TestMetastoreCache::semanticsMatchSuperset()
{
    QFETCH(QString, backend);
    QFETCH(QString, codec);
    const QString uri = database(QStringLiteral("sem-%1-%2").arg(backend, codec));
    const QByteArray prefix = "superset_results";
    auto cache = cacheFor(uri, prefix, codec == QStringLiteral("json") ? Codec::Json : Codec::Pickle);

    // add(): false for an existing key on both sides; a negative timeout never expires.
    QCOMPARE(*cache->add("a", PyValue::integer(1), qint64(-1)), true);
    QCOMPARE(*cache->add("a", PyValue::integer(2)), false);
    QCOMPARE(cache->ttl("a")->state, EntryTtl::State::Never);
    QJsonArray ops{QJsonObject{{QStringLiteral("op"), QStringLiteral("add")}, {QStringLiteral("key"), QStringLiteral("a")}, {QStringLiteral("value"), 3}},
                   QJsonObject{{QStringLiteral("op"), QStringLiteral("add")}, {QStringLiteral("key"), QStringLiteral("b")}, {QStringLiteral("value"), 0}},
                   QJsonObject{{QStringLiteral("op"), QStringLiteral("set")}, {QStringLiteral("key"), QStringLiteral("empty")}, {QStringLiteral("value"), QString()}},
                   QJsonObject{{QStringLiteral("op"), QStringLiteral("has")}, {QStringLiteral("key"), QStringLiteral("b")}},
                   QJsonObject{{QStringLiteral("op"), QStringLiteral("has")}, {QStringLiteral("key"), QStringLiteral("a")}}};
    auto py = test::runMetastorePort(uri, prefix, codec, ops);
    CHECK_OK(py);
    QCOMPARE((*py)[0].toBool(), false);
    QCOMPARE((*py)[1].toBool(), true);
    QCOMPARE((*py)[3].toBool(), false); // has() is the truthiness of the value: 0 is "not there"
    QCOMPARE((*py)[4].toBool(), true);
    QVERIFY(*cache->get("a") == std::optional<PyValue>(PyValue::integer(1)));
    QCOMPARE(*cache->has("b"), false);
    QCOMPARE(*cache->has("empty"), false);
    QCOMPARE(*cache->has("a"), true);
    QCOMPARE(*cache->has("never-set"), false);
    // remove() says whether there was a row; clear() is Superset's no-op.
    QCOMPARE(*cache->remove("b"), true);
    QCOMPARE(*cache->remove("b"), false);
    QCOMPARE(*cache->clear(), true);
    QVERIFY(cache->get("a")->has_value());
    // A JSON cache refuses what json.dumps refuses, naming the type; nothing is written.
    if (codec == QStringLiteral("json")) {
        auto refused = cache->set("bytes", PyValue::bytes("x"));
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("bytes is not JSON serializable")), qPrintable(refused.error()));
        QVERIFY(!cache->rawGet("bytes")->has_value());
    }
    // A row in the other codec is an error that says so, not a crash or a silent miss.
    auto other = cacheFor(uri, prefix, codec == QStringLiteral("json") ? Codec::Pickle : Codec::Json);
    CHECK_OK(other->set("cross", PyValue::dict({{PyValue::str(QByteArray("k")), PyValue::integer(1)}})));
    auto crossed = cache->get("cross");
    QVERIFY(!crossed);
    QVERIFY2(crossed.error().contains(QStringLiteral("CODEC")), qPrintable(crossed.error()));
}

void TestMetastoreCache::readOnlyFromAConfig()
{
    const QString uri = database(QStringLiteral("ro"));
    CacheSpec spec;
    spec.purpose = CachePurpose::FilterState;
    spec.backend = BackendType::SupersetMetastore;
    spec.keyPrefix = "FILTER_STATE_CACHE_CONFIG";
    spec.codec = QStringLiteral("json");
    spec.defaultTimeout = 7776000;
    spec.metadataUri = uri;
    auto manager = CacheManager::create({spec}, CacheManager::Access::ReadOnly);
    CHECK_OK(manager);
    auto cache = (*manager)->cache(CachePurpose::FilterState);
    QVERIFY(cache);
    QCOMPARE(cache->backendName(), QStringLiteral("SupersetMetastoreCache"));
    QVERIFY(!cache->location().contains(test::PostgresServer::password()));
    QVERIFY(!spec.displayLocation().contains(test::PostgresServer::password()));
    QVERIFY(spec.displayLocation().contains(QStringLiteral("***")));
    // The fixture's filter-state row (uuid of "12;AbCdEfGhIjK") reads; writes are refused.
    auto got = cache->get("12;AbCdEfGhIjK");
    CHECK_OK(got);
    QVERIFY(!got->has_value()); // the fixture row expired in 2024
    QVERIFY(cache->rawGet("12;AbCdEfGhIjK")->has_value());
    QVERIFY(!cache->set("x", PyValue::integer(1)));
    auto meta = static_cast<SupersetMetastoreCache *>(cache.get());
    QVERIFY(!meta->setRowExpiry(meta->rowUuid("12;AbCdEfGhIjK"), 60));
    QVERIFY(!meta->removeRow(meta->rowUuid("12;AbCdEfGhIjK")));
    auto count = CacheManager::countEntries((*manager)->handle(CachePurpose::FilterState));
    CHECK_OK(count);
    QCOMPARE(*count, 1); // the live one; the expired row is not counted
}

void TestMetastoreCache::builtFromASpec()
{
    // A spec's codec and hash choose the cache's; an unsupported CODEC or a missing URI is a
    // clear error naming the purpose.
    CacheSpec spec;
    spec.purpose = CachePurpose::ExploreFormData;
    spec.backend = BackendType::SupersetMetastore;
    spec.keyPrefix = "EXPLORE_FORM_DATA_CACHE_CONFIG";
    spec.metadataUri = QStringLiteral("sqlite:///") + QDir(m_servers.dir()).filePath(QStringLiteral("none.db"));
    spec.codec = QStringLiteral("pickle");
    spec.hashAlgorithm = QStringLiteral("sha256");
    auto built = CacheManager::buildCache(spec);
    CHECK_OK(built);
    auto *meta = static_cast<SupersetMetastoreCache *>(built->get());
    QCOMPARE(meta->options().codec, Codec::Pickle);
    QCOMPARE(meta->rowUuid("12;AbCdEfGhIjK"), QUuid(QStringLiteral("a0b65bb2-f2e9-3c12-867c-e0f07c538dec")));
    auto missingFile = (*built)->get("k");
    QVERIFY(!missingFile);
    QVERIFY2(missingFile.error().contains(QStringLiteral("does not exist")), qPrintable(missingFile.error()));

    spec.codec = QStringLiteral("superset.key_value.types.MarshmallowKeyValueCodec");
    auto marshmallow = CacheManager::buildCache(spec);
    QVERIFY(!marshmallow);
    QVERIFY(marshmallow.error().contains(QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG")));
    spec.codec = QStringLiteral("json");
    spec.metadataUri.clear();
    auto noUri = CacheManager::buildCache(spec);
    QVERIFY(!noUri);
    QVERIFY(noUri.error().contains(QStringLiteral("SQLALCHEMY_DATABASE_URI")));
}

QTEST_GUILESS_MAIN(TestMetastoreCache)
#include "tst_metastorecache.moc"
