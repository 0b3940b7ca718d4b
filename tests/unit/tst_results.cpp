// SQL Lab results payloads against the real tools: our zlib(msgpack{..., data: Arrow}) must be
// byte-identical to what python's msgpack + zlib make of the same payload, python must read ours,
// and the decoder chain must open what python + cachelib store (including the official Arrow
// vectors as "data").
#include "codec/arrowreader.h"
#include "codec/arrowwriter.h"
#include "codec/decoderchain.h"
#include "codec/decodejson.h"
#include "codec/inflater.h"
#include "results/sqllabpayload.h"
#include "python.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace cachescope;

namespace {

QByteArray sampleArrow()
{
    ArrowTable t;
    ArrowRecordBatch b;
    b.length = 3;
    b.columns = {ArrowWriter::int64Array({1, 2, std::nullopt}), ArrowWriter::utf8Array({QByteArray("x"), std::nullopt, QByteArray("z\xc3\xa9")}),
                 ArrowWriter::float64Array({0.5, std::nullopt, 2.0})};
    t.schema = {ArrowWriter::fieldFor(QStringLiteral("id"), b.columns[0]), ArrowWriter::fieldFor(QStringLiteral("name"), b.columns[1]),
                ArrowWriter::fieldFor(QStringLiteral("v"), b.columns[2])};
    t.batches.push_back(b);
    return ArrowWriter::writeStream(t).value();
}

PyValue columns()
{
    auto col = [](const char *name, const char *type, int generic) {
        return PyValue::dict({{PyValue::str(QByteArray("column_name")), PyValue::str(QByteArray(name))},
                              {PyValue::str(QByteArray("name")), PyValue::str(QByteArray(name))},
                              {PyValue::str(QByteArray("type")), PyValue::str(QByteArray(type))},
                              {PyValue::str(QByteArray("type_generic")), PyValue::integer(generic)},
                              {PyValue::str(QByteArray("is_dttm")), PyValue::boolean(false)}});
    };
    return PyValue::list({col("id", "INT", 0), col("name", "STRING", 1), col("v", "FLOAT", 0)});
}

PyValue query()
{
    return PyValue::dict({{PyValue::str(QByteArray("state")), PyValue::str(QByteArray("success"))},
                          {PyValue::str(QByteArray("rows")), PyValue::integer(3)},
                          {PyValue::str(QByteArray("startDttm")), PyValue::floating(1704103200123.0)},
                          {PyValue::str(QByteArray("sql")), PyValue::str(QByteArray("SELECT * FROM t -- \xc3\xa9"))},
                          {PyValue::str(QByteArray("limit")), PyValue::integer(-1)},
                          {PyValue::str(QByteArray("big")), PyValue::integer(4294967296LL)}});
}

QString vectorsDir()
{
    const QString src = test::sourcePath(QString());
    // A QStringList, not a braced list: with QStringBuilder the list would hold expressions that
    // refer to temporaries already gone.
    const QStringList candidates{src + QStringLiteral("/../shared/testdata/arrow-ipc"),
                                 src + QStringLiteral("/../../shared/testdata/arrow-ipc")};
    for (const QString &c : candidates) {
        if (QFileInfo::exists(c + QStringLiteral("/1.0.0-littleendian")))
            return QDir(c).canonicalPath();
    }
    return {};
}

} // namespace

class TestResults : public QObject
{
    Q_OBJECT

private slots:
    void msgpackPayloadIsByteIdenticalToPython()
    {
        const QByteArray arrow = sampleArrow();
        const PyValue payload = SqlLabPayload::makePayload(42, arrow, columns(), query());
        auto ours = SqlLabPayload::encode(payload, SqlLabPayload::Format::Msgpack);
        QVERIFY(ours.hasValue());
        // Python decodes ours, re-encodes the way superset/sql_lab.py does, and reports.
        auto py = test::runPython(QStringLiteral(
            "import sys, zlib, msgpack, hashlib, json\n"
            "blob = sys.stdin.buffer.read()\n"
            "ds = msgpack.loads(zlib.decompress(blob), raw=False)\n"
            "again = zlib.compress(msgpack.dumps(ds, use_bin_type=True))\n"
            "print(json.dumps({'same': again == blob, 'keys': list(ds), 'query_id': ds['query_id'],\n"
            "  'data_sha': hashlib.sha256(ds['data']).hexdigest(), 'sql': ds['query']['sql'], 'big': ds['query']['big'],\n"
            "  'cols': [c['name'] for c in ds['columns']]}))\n"), {}, *ours);
        QVERIFY2(py.hasValue(), py.hasValue() ? "" : qPrintable(py.error()));
        const QJsonObject o = QJsonDocument::fromJson(*py).object();
        QVERIFY(o.value(QLatin1String("same")).toBool());
        QCOMPARE(o.value(QLatin1String("query_id")).toInt(), 42);
        QCOMPARE(o.value(QLatin1String("data_sha")).toString(), QString::fromLatin1(QCryptographicHash::hash(arrow, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(o.value(QLatin1String("sql")).toString(), QStringLiteral("SELECT * FROM t -- \u00e9"));
        QCOMPARE(o.value(QLatin1String("big")).toInteger(), 4294967296LL);
        QCOMPARE(o.value(QLatin1String("keys")).toVariant().toStringList(),
                 QStringList({QStringLiteral("query_id"), QStringLiteral("status"), QStringLiteral("data"), QStringLiteral("columns"),
                              QStringLiteral("selected_columns"), QStringLiteral("expanded_columns"), QStringLiteral("query")}));

        auto back = SqlLabPayload::decode(*ours, SqlLabPayload::Format::Msgpack);
        QVERIFY(back.hasValue());
        QVERIFY(back->table);
        QCOMPARE(back->table->rowCount(), 3);
        QCOMPARE(back->table->schema[1].name, QStringLiteral("name"));
    }

    void jsonPayloadMatchesPythonJsonDumps()
    {
        PyValue payload = PyValue::dict({
            {PyValue::str(QByteArray("query_id")), PyValue::integer(7)},
            {PyValue::str(QByteArray("status")), PyValue::str(QByteArray("success"))},
            {PyValue::str(QByteArray("data")), PyValue::list({PyValue::dict({{PyValue::str(QByteArray("a")), PyValue::integer(1)},
                                                                            {PyValue::str(QByteArray("b")), PyValue::str(QByteArray("\xc3\xa9\"\n"))}}),
                                                             PyValue::dict({{PyValue::str(QByteArray("a")), PyValue::none()},
                                                                            {PyValue::str(QByteArray("b")), PyValue::floating(2.5)}})})},
            {PyValue::str(QByteArray("columns")), columns()},
            {PyValue::str(QByteArray("expanded_columns")), PyValue::list()},
            {PyValue::str(QByteArray("query")), query()},
        });
        auto ours = SqlLabPayload::encode(payload, SqlLabPayload::Format::Json);
        QVERIFY(ours.hasValue());
        auto py = test::runPython(QStringLiteral(
            "import sys, zlib, json\n"
            "blob = sys.stdin.buffer.read()\n"
            "text = zlib.decompress(blob).decode()\n"
            "ds = json.loads(text)\n"
            "print(json.dumps({'same': json.dumps(ds) == text, 'b': ds['data'][0]['b'], 'n': len(ds['data'])}))\n"), {}, *ours);
        QVERIFY2(py.hasValue(), py.hasValue() ? "" : qPrintable(py.error()));
        const QJsonObject o = QJsonDocument::fromJson(*py).object();
        QVERIFY(o.value(QLatin1String("same")).toBool());
        QCOMPARE(o.value(QLatin1String("b")).toString(), QStringLiteral("\u00e9\"\n"));
        auto back = SqlLabPayload::decode(*ours, SqlLabPayload::Format::Json);
        QVERIFY(back.hasValue());
        QCOMPARE(back->payload.get("data")->items().size(), size_t(2));
    }

    void chainOpensWhatPythonAndCachelibStore()
    {
        // Python builds the payload around our Arrow bytes and stores it like RedisCache does.
        auto py = test::runPython(QStringLiteral(
            "import sys, zlib, msgpack\n"
            "from cachelib.serializers import RedisSerializer\n"
            "data = sys.stdin.buffer.read()\n"
            "payload = {'query_id': 1, 'status': 'success', 'data': data, 'columns': [], 'selected_columns': [],\n"
            "           'expanded_columns': [], 'query': {'state': 'success'}}\n"
            "sys.stdout.buffer.write(RedisSerializer().dumps(zlib.compress(msgpack.dumps(payload, use_bin_type=True))))\n"),
            {}, sampleArrow());
        QVERIFY2(py.hasValue(), py.hasValue() ? "" : qPrintable(py.error()));
        const DecodeResult r = DecoderChain().decode(*py);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.shape, QStringLiteral("sqllab-results"));
        QCOMPARE(r.layers.size(), size_t(5)); // envelope, pickle(bytes), zlib, msgpack, arrow
        QCOMPARE(r.layers[0].kind, DecodeLayer::Kind::RedisEnvelope);
        QCOMPARE(r.layers[1].kind, DecodeLayer::Kind::Pickle);
        QCOMPARE(r.layers[2].kind, DecodeLayer::Kind::Zlib);
        QCOMPARE(r.layers[3].kind, DecodeLayer::Kind::Msgpack);
        QCOMPARE(r.layers[4].kind, DecodeLayer::Kind::Arrow);
        QVERIFY(r.table);
        QCOMPARE(r.table->rowCount(), 3);
        const QJsonObject json = QJsonDocument::fromJson(DecodeJson::result(r)).object();
        const QJsonObject arrow = json.value(QLatin1String("value")).toObject().value(QLatin1String("data")).toObject().value(QLatin1String("__arrow__")).toObject();
        QCOMPARE(arrow.value(QLatin1String("rows")).toInt(), 3);
        QCOMPARE(arrow.value(QLatin1String("data")).toArray().at(2).toArray().at(1).toString(), QStringLiteral("z\u00e9"));
    }

    void chainOpensOfficialVectorsAsSqlLabData()
    {
        const QString dir = vectorsDir();
        if (dir.isEmpty())
            QSKIP("Arrow test vectors are not present in this checkout");
        for (const QString name : {QStringLiteral("1.0.0-littleendian/generated_primitive.stream"),
                                   QStringLiteral("1.0.0-littleendian/generated_datetime.stream"),
                                   QStringLiteral("2.0.0-compression/generated_zstd.stream")}) {
            QFile f(dir + u'/' + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray stream = f.readAll();
            auto py = test::runPython(QStringLiteral(
                "import sys, zlib, msgpack, pickle\n"
                "data = sys.stdin.buffer.read()\n"
                "payload = {'query_id': 2, 'status': 'success', 'data': data}\n"
                "sys.stdout.buffer.write(b'!' + pickle.dumps(zlib.compress(msgpack.dumps(payload, use_bin_type=True)), 5))\n"),
                {}, stream);
            QVERIFY(py.hasValue());
            const DecodeResult r = DecoderChain().decode(*py);
            QVERIFY2(r.ok(), qPrintable(r.error));
            QVERIFY(r.table);
            QCOMPARE(r.table->rowCount(), ArrowReader().read(stream)->rowCount());
        }
    }

    void hostilePayloadsFailWithLocation()
    {
        // zlib bomb: a 16 MiB run of zeros under a 1 MiB limit.
        QByteArray bomb = Inflater::compressZlib(QByteArray(16 << 20, '\0'), 9);
        auto r = SqlLabPayload::decode(bomb, SqlLabPayload::Format::Msgpack, 1 << 20);
        QVERIFY(!r.hasValue());
        QVERIFY2(r.error().contains(QLatin1String("limit")), qPrintable(r.error()));
        // msgpack array32 header claiming 2^32-1 elements: an error, not a 137 GB allocation.
        r = SqlLabPayload::decode(Inflater::compressZlib(QByteArray("\xdd\xff\xff\xff\xff", 5)), SqlLabPayload::Format::Msgpack);
        QVERIFY(!r.hasValue());
        QVERIFY2(r.error().contains(QLatin1String("msgpack")), qPrintable(r.error()));
        // Arrow data that is not Arrow.
        const PyValue payload = SqlLabPayload::makePayload(1, QByteArray("\xff\xff\xff\xff\x10\x00\x00\x00garbage", 15), PyValue::list(), PyValue::dict());
        r = SqlLabPayload::decode(SqlLabPayload::encode(payload, SqlLabPayload::Format::Msgpack).value(), SqlLabPayload::Format::Msgpack);
        QVERIFY(!r.hasValue());
        QVERIFY2(r.error().contains(QLatin1String("Arrow IPC stream")), qPrintable(r.error()));
    }
};

QTEST_GUILESS_MAIN(TestResults)
#include "tst_results.moc"
