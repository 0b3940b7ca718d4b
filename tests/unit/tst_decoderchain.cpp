// The decoder chain on entries written by the real tools (tests/fixtures/payloads, made by
// make_payloads.py with cachelib 0.9.0 / pandas 1.5.3) and on hostile input.
#include "codec/arrowwriter.h"
#include "codec/decodejson.h"
#include "codec/decoderchain.h"
#include "codec/imagesniffer.h"
#include "codec/inflater.h"
#include "codec/jsonreader.h"
#include "codec/msgpackencoder.h"
#include "python.h"
#include "checkok.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace cachescope;
using Kind = DecodeLayer::Kind;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(test::sourcePath(QStringLiteral("tests/fixtures/payloads/%1.bin").arg(QLatin1String(name))));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

std::vector<Kind> kinds(const DecodeResult &r)
{
    std::vector<Kind> k;
    for (const auto &l : r.layers)
        k.push_back(l.kind);
    return k;
}

QJsonObject json(const DecodeResult &r, int rows = 100)
{
    return QJsonDocument::fromJson(DecodeJson::result(r, rows)).object();
}

} // namespace

class TestDecoderChain : public QObject
{
    Q_OBJECT

private slots:
    void chartData()
    {
        const DecodeResult r = DecoderChain().decode(fixture("chart_data"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::RedisEnvelope, Kind::Pickle}));
        QCOMPARE(r.layers[1].notes.value(QStringLiteral("protocol")).toInt(), 5);
        QCOMPARE(r.shape, QStringLiteral("chart-data"));
        const QJsonObject v = json(r).value(QLatin1String("value")).toObject();
        QCOMPARE(v.value(QLatin1String("query")).toString(), QStringLiteral("SELECT 1"));
        QCOMPARE(v.value(QLatin1String("dttm")).toString(), QStringLiteral("2024-01-01T00:00:00"));
        const QJsonObject df = v.value(QLatin1String("df")).toObject().value(QLatin1String("__dataframe__")).toObject();
        QCOMPARE(df.value(QLatin1String("rows")).toInt(), 3);
        QCOMPARE(df.value(QLatin1String("columns")).toArray().at(5).toString(), QStringLiteral("ts_tz"));
        QCOMPARE(df.value(QLatin1String("dtypes")).toArray().at(5).toString(), QStringLiteral("datetime64[ns, Europe/Paris]"));
        const QJsonArray row1 = df.value(QLatin1String("data")).toArray().at(1).toArray();
        QCOMPARE(row1.at(2).toString(), QStringLiteral("b\u00e9"));
        QVERIFY(row1.at(4).isNull()); // NaT
        QCOMPARE(row1.at(5).toObject().value(QLatin1String("__datetime__")).toString(), QStringLiteral("2024-06-01T12:30:00+02:00"));
        QVERIFY(row1.at(6).isNull()); // <NA> in Int64
        QCOMPARE(row1.at(7).toString(), QStringLiteral("y"));
    }

    void rowsLimitKeepsTotal()
    {
        const DecodeResult r = DecoderChain().decode(fixture("chart_data"));
        const QJsonObject df = json(r, 1).value(QLatin1String("value")).toObject().value(QLatin1String("df")).toObject().value(QLatin1String("__dataframe__")).toObject();
        QCOMPARE(df.value(QLatin1String("data")).toArray().size(), 1);
        QCOMPARE(df.value(QLatin1String("rows")).toInt(), 3);
    }

    void fileSystemEntry()
    {
        const DecodeResult r = DecoderChain().decode(fixture("filesystem_chart"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::FileSystemHeader, Kind::Pickle}));
        QCOMPARE(r.layers[0].notes.value(QStringLiteral("expires")).toString(), QStringLiteral("never"));
        QCOMPARE(r.shape, QStringLiteral("chart-data"));
        // A legacy (cachelib <= 0.6) file: pickled timeout, then the pickle.
        auto legacy = test::runPython(QStringLiteral(
            "import pickle, sys\nsys.stdout.buffer.write(pickle.dumps(300, 4) + pickle.dumps({'a': 1}, 4))\n"));
        QVERIFY(legacy.hasValue());
        const DecodeResult l = DecoderChain().decode(*legacy);
        QVERIFY2(l.ok(), qPrintable(l.error));
        QCOMPARE(kinds(l), (std::vector<Kind>{Kind::LegacyFileSystemHeader, Kind::Pickle}));
        QCOMPARE(l.layers[0].notes.value(QStringLiteral("timeout")).toString(), QStringLiteral("300"));
    }

    void sqlLabJson()
    {
        const DecodeResult r = DecoderChain().decode(fixture("sqllab_json"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::RedisEnvelope, Kind::Pickle, Kind::Zlib, Kind::Json}));
        QCOMPARE(r.shape, QStringLiteral("sqllab-results"));
        QVERIFY(r.layers[2].notes.value(QStringLiteral("ratio")).toDouble() > 1.0);
        const QJsonObject v = json(r).value(QLatin1String("value")).toObject();
        QCOMPARE(v.value(QLatin1String("data")).toArray().at(1).toObject().value(QLatin1String("b")).toString(), QStringLiteral("y"));
    }

    void thumbnails()
    {
        DecodeResult r = DecoderChain().decode(fixture("thumbnail_png"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::RedisEnvelope, Kind::Pickle, Kind::Image}));
        QCOMPARE(r.image->format, QStringLiteral("png"));
        QCOMPARE(r.image->width, 3);
        QCOMPARE(r.image->height, 2);
        r = DecoderChain().decode(fixture("thumbnail_dict"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.shape, QStringLiteral("thumbnail"));
        const QJsonObject img = json(r).value(QLatin1String("value")).toObject().value(QLatin1String("image")).toObject().value(QLatin1String("__image__")).toObject();
        QCOMPARE(img.value(QLatin1String("width")).toInt(), 3);
        QCOMPARE(img.value(QLatin1String("format")).toString(), QStringLiteral("png"));
    }

    void imageFormats()
    {
        // JPEG (SOF0), GIF, WebP VP8X headers, sized by hand from the format specs.
        const QByteArray jpeg = QByteArray::fromHex("ffd8ffe000104a46494600010100000100010000ffc0001108007800a003012200021101031101ffd9");
        auto i = ImageSniffer::sniff(jpeg);
        QVERIFY(i);
        QCOMPARE(i->format, QStringLiteral("jpeg"));
        QCOMPARE(i->width, 160);
        QCOMPARE(i->height, 120);
        i = ImageSniffer::sniff(QByteArray("GIF89a\x0a\x00\x05\x00", 10));
        QVERIFY(i);
        QCOMPARE(i->width, 10);
        QCOMPARE(i->height, 5);
        QByteArray webp("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\x63\x00\x00\x31\x00\x00", 30);
        i = ImageSniffer::sniff(webp);
        QVERIFY(i);
        QCOMPARE(i->width, 100);
        QCOMPARE(i->height, 50);
        QVERIFY(!ImageSniffer::sniff(QByteArray("not an image")));
    }

    void formDataAndFilterStateJsonIsParsed()
    {
        DecodeResult r = DecoderChain().decode(fixture("form_data"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.shape, QStringLiteral("form-data"));
        QCOMPARE(json(r).value(QLatin1String("value")).toObject().value(QLatin1String("form_data")).toObject().value(QLatin1String("row_limit")).toInt(), 100);
        r = DecoderChain().decode(fixture("filter_state"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.shape, QStringLiteral("filter-state"));
        QVERIFY(json(r).value(QLatin1String("value")).toObject().value(QLatin1String("value")).toObject().contains(QLatin1String("NATIVE_FILTER-1")));
    }

    void plainIntegerAndText()
    {
        DecodeResult r = DecoderChain().decode(fixture("redis_int"));
        QVERIFY(r.ok());
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::RedisInteger}));
        QCOMPARE(json(r).value(QLatin1String("value")).toInt(), 42);
        r = DecoderChain().decode(QByteArray("hello w\xc3\xb6rld"));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Text}));
        QCOMPARE(json(r).value(QLatin1String("value")).toString(), QStringLiteral("hello w\u00f6rld"));
        r = DecoderChain().decode(QByteArray("\x01\x02\xff", 3));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Raw}));
        QCOMPARE(json(r).value(QLatin1String("value")).toObject().value(QLatin1String("__bytes__")).toString(), QStringLiteral("AQL/"));
    }

    void gzipAndForcedKinds()
    {
        auto gz = test::runPython(QStringLiteral("import gzip, sys\nsys.stdout.buffer.write(gzip.compress(b'{\"a\": [1, 2]}'))\n"));
        QVERIFY(gz.hasValue());
        DecodeResult r = DecoderChain().decode(*gz);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Gzip, Kind::Json}));
        // Forcing layer 1 to text shows the JSON as a string.
        DecodeHints hints;
        hints.forced.insert(1, Kind::Text);
        r = DecoderChain().decode(*gz, hints);
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Gzip, Kind::Text}));
        // Forcing a wrong kind is a located error.
        hints.forced.clear();
        hints.forced.insert(0, Kind::Zlib);
        r = DecoderChain().decode(*gz, hints);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.startsWith(QLatin1String("layer 0 (zlib)")), qPrintable(r.error));
    }

    void bigSqlLabPayloadIsOpenedWithoutLosingBytes()
    {
        // Over 1 MiB of Arrow in "data": the msgpack layer hands the inflated buffer to the bin.
        std::vector<std::optional<qint64>> ids;
        for (qint64 i = 0; i < 300'000; ++i)
            ids.push_back(i * 5);
        ArrowTable table;
        ArrowRecordBatch batch;
        batch.length = qint64(ids.size());
        batch.columns = {ArrowWriter::int64Array(ids)};
        table.schema = {ArrowWriter::fieldFor(QStringLiteral("id"), batch.columns[0])};
        table.batches.push_back(std::move(batch));
        const QByteArray arrow = ArrowWriter::writeStream(table).value();
        QVERIFY(arrow.size() > (1 << 20));
        PyValue::Pairs pairs;
        pairs.emplace_back(PyValue::str(QByteArray("status")), PyValue::str(QByteArray("success")));
        pairs.emplace_back(PyValue::str(QByteArray("data")), PyValue::bytes(arrow));
        pairs.emplace_back(PyValue::str(QByteArray("query_id")), PyValue::integer(3));
        const QByteArray packed = MsgpackEncoder::encode(PyValue::dict(std::move(pairs))).value();

        const DecodeResult r = DecoderChain().decode(Inflater::compressZlib(packed));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.shape, QStringLiteral("sqllab-results"));
        QVERIFY(r.table);
        QCOMPARE(r.table->rowCount(), qint64(ids.size()));
        QCOMPARE(r.table->batches[0].columns[0].integerAt(123456), qint64(123456 * 5));
        QCOMPARE(r.value.get("data")->bytesData(), arrow);
        QCOMPARE(r.value.get("query_id")->toInt(), qint64(3));

        // With bytes after the value it is not this msgpack layer's buffer to take: the chain
        // falls back and still shows every byte.
        const QByteArray trailing = packed + QByteArray("\xff\xfe", 2);
        const DecodeResult raw = DecoderChain().decode(Inflater::compressZlib(trailing));
        QVERIFY2(raw.ok(), qPrintable(raw.error));
        QCOMPARE(raw.bytes, trailing);
    }

    void zlibBombIsStopped()
    {
        DecodeLimits limits;
        limits.maxDecompressedBytes = 1 << 20;
        const DecodeResult r = DecoderChain(limits).decode(fixture("zlib_bomb"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(QLatin1String("layer 2 (zlib)")) && r.error.contains(QLatin1String("limit"))
                     && r.error.contains(QLatin1String("offset")), qPrintable(r.error));
        QCOMPARE(r.layers.size(), size_t(3));
    }

    void truncatedAtEveryOffsetNeverCrashes()
    {
        for (const char *name : {"chart_data", "sqllab_json", "thumbnail_dict", "scalars", "numpy"}) {
            const QByteArray full = fixture(name);
            QVERIFY(DecoderChain().decode(full).ok());
            for (qsizetype cut = 0; cut < full.size(); ++cut) {
                const DecodeResult r = DecoderChain().decode(full.left(cut));
                // A truncated pickle must fail with its layer named, never crash or "succeed".
                if (cut > 2 && full.startsWith('!'))
                    QVERIFY2(!r.ok() && r.error.startsWith(QLatin1String("layer 1 (pickle)")), qPrintable(QStringLiteral("%1 cut %2: %3").arg(QLatin1String(name)).arg(cut).arg(r.error)));
                DecodeJson::result(r);
            }
        }
    }

    void bitFlipsNeverCrash()
    {
        for (const char *name : {"chart_data", "sqllab_json", "numpy", "filesystem_chart"}) {
            const QByteArray full = fixture(name);
            for (qsizetype at = 0; at < full.size(); ++at) {
                for (uchar mask : {uchar(0x01), uchar(0x80), uchar(0xff)}) {
                    QByteArray b = full;
                    b[at] = char(uchar(b[at]) ^ mask);
                    const DecodeResult r = DecoderChain().decode(b);
                    DecodeJson::result(r, 5);
                }
            }
        }
    }

    void deepNestingIsBounded()
    {
        const QByteArray deepJson = QByteArray(100000, '[') + QByteArray(100000, ']');
        auto j = JsonReader().parse(deepJson);
        QVERIFY(!j.hasValue());
        QVERIFY2(j.error().contains(QLatin1String("too deep")), qPrintable(j.error()));
        // msgpack: 100000 nested fixarrays of one element.
        QByteArray deepMsgpack(100000, '\x91');
        deepMsgpack.append('\xc0');
        DecodeHints hints;
        hints.forced.insert(0, Kind::Msgpack);
        const DecodeResult r = DecoderChain().decode(deepMsgpack, hints);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(QLatin1String("deeper")), qPrintable(r.error));
    }

    void sharedReferenceBombIsAnError()
    {
        // "Billion laughs": 60 levels of [a, a] are 2^60 leaves through the pickle memo, in 600
        // bytes. It is an error of the pickle layer, not a clean decode, and says why.
        auto py = test::runPython(QStringLiteral(
            "import pickle, sys\na = []\nfor _ in range(60):\n    a = [a, a]\nsys.stdout.buffer.write(b'!' + pickle.dumps(a, 5))\n"));
        QVERIFY(py.hasValue());
        QVERIFY(py->size() < 2000);
        const DecodeResult r = DecoderChain().decode(*py);
        QVERIFY(!r.ok());
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::RedisEnvelope, Kind::Pickle}));
        QVERIFY2(r.error.contains(QLatin1String("layer 1 (pickle)")) && r.error.contains(QLatin1String("shared references")),
                 qPrintable(r.error));
        QCOMPARE(json(r).value(QLatin1String("error")).toString(), r.error);
    }

    void sharedReferencesBelowTheLimitRenderBoundedAndSaySo()
    {
        // 2^22 leaves: allowed, still shared; the JSON stops at its value budget, marks the place
        // and says at the top that it is partial, without expanding the rest.
        auto py = test::runPython(QStringLiteral(
            "import pickle, sys\na = [1]\nfor _ in range(22):\n    a = [a, a]\nsys.stdout.buffer.write(b'!' + pickle.dumps(a, 5))\n"));
        QVERIFY(py.hasValue());
        const DecodeResult r = DecoderChain().decode(*py);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const QByteArray out = DecodeJson::result(r);
        QVERIFY(out.contains("\"__truncated__\":true"));
        QVERIFY2(out.size() < 16 << 20, qPrintable(QString::number(out.size())));
        QVERIFY(json(r).value(QLatin1String("truncated")).toString().contains(QLatin1String("2000000")));
    }

    // werkzeug's contrib.cache FileSystemCache (and early cachelib) pickled the expiry with
    // protocol 1, then the value with the highest protocol: filesystem header > pickle, whatever
    // the expiry's opcode (BININT1 for 0, BININT, LONG text beyond 32 bits) or protocol.
    void werkzeugContribCacheFiles_data()
    {
        QTest::addColumn<QString>("expiry");
        QTest::addColumn<int>("headerProtocol");
        QTest::addColumn<QString>("expires");
        QTest::newRow("never, protocol 1") << "0" << 1 << "never";
        QTest::newRow("epoch seconds, protocol 1") << "1700000000" << 1 << "2023-11-14T22:13:20Z";
        QTest::newRow("beyond 32 bits, protocol 1") << "2**40" << 1 << "";
        QTest::newRow("epoch seconds, protocol 0") << "1700000000" << 0 << "2023-11-14T22:13:20Z";
        QTest::newRow("epoch seconds, protocol 2") << "1700000000" << 2 << "2023-11-14T22:13:20Z";
    }
    void werkzeugContribCacheFiles()
    {
        QFETCH(QString, expiry);
        QFETCH(int, headerProtocol);
        QFETCH(QString, expires);
        // werkzeug/contrib/cache.py FileSystemCache.set: pickle.dump(timeout, f, 1) then
        // pickle.dump(value, f, pickle.HIGHEST_PROTOCOL), into one file.
        auto file = test::runPython(QStringLiteral("import io, pickle, sys\nf = io.BytesIO()\n"
                                                   "pickle.dump(%1, f, %2)\n"
                                                   "pickle.dump({'chart': [1, 2.5, 'x'], 'ok': True}, f, pickle.HIGHEST_PROTOCOL)\n"
                                                   "sys.stdout.buffer.write(f.getvalue())\n")
                                        .arg(expiry)
                                        .arg(headerProtocol));
        QVERIFY(file.hasValue());
        const DecodeResult r = DecoderChain().decode(*file);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::LegacyFileSystemHeader, Kind::Pickle}));
        const QJsonObject out = json(r);
        QCOMPARE(out.value(QLatin1String("value")).toObject().value(QLatin1String("chart")).toArray(), QJsonArray({1, 2.5, QStringLiteral("x")}));
        const QString expected = expiry == u"2**40" ? QStringLiteral("1099511627776") : expiry;
        QCOMPARE(r.layers[0].notes.value(QStringLiteral("timeout")).toString(), expected);
        if (!expires.isEmpty())
            QCOMPARE(r.layers[0].notes.value(QStringLiteral("expires")).toString(), expires);
        // Forced to the file-system backend it is the same
        DecodeHints hints;
        hints.backend = DecodeHints::Backend::FileSystem;
        QCOMPARE(kinds(DecoderChain().decode(*file, hints)), (std::vector<Kind>{Kind::LegacyFileSystemHeader, Kind::Pickle}));
    }

    // A str-keyed map that breaks further on (a declared length past the end, nested in it) is
    // msgpack with an error, never raw bytes that look decoded; bytes that only start like a
    // map fall back to raw and the raw layer says why they were not msgpack.
    void hostileMsgpackLengthsAreErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("what");
        // {"status": "ok", "data": <hostile>} and {"a": {"b": <hostile>}}
        const QByteArray head = QByteArray::fromHex("82" "a6737461747573" "a26f6b" "a464617461");
        const QByteArray nested = QByteArray::fromHex("81" "a161" "81" "a162");
        QTest::newRow("array32") << head + QByteArray::fromHex("dd80000000") << "array";
        QTest::newRow("map32") << head + QByteArray::fromHex("df80000000") << "map";
        QTest::newRow("bin32") << head + QByteArray::fromHex("c680000000") + "abc" << "bin";
        QTest::newRow("str32") << head + QByteArray::fromHex("dbffffffff") << "str";
        QTest::newRow("ext32") << head + QByteArray::fromHex("c98000000001") << "ext";
        QTest::newRow("nested array32") << nested + QByteArray::fromHex("ddffffffff") + QByteArray(8, '\x01') << "array";
        QTest::newRow("nested map16") << nested + QByteArray::fromHex("de7fff") + QByteArray(8, '\x01') << "map";
    }
    void hostileMsgpackLengthsAreErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, what);
        const DecodeResult r = DecoderChain().decode(bytes);
        QVERIFY2(!r.ok(), DecodeJson::result(r).constData());
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Msgpack}));
        QVERIFY2(r.error.contains(what) && r.error.contains(QLatin1String("declares")) && r.error.contains(QLatin1String("offset")),
                 qPrintable(r.error));
        // Python's msgpack refuses them too
        auto py = test::runPython(QStringLiteral("import msgpack, sys\n"
                                                 "try:\n    msgpack.unpackb(sys.stdin.buffer.read(), raw=False)\n    print('decoded')\n"
                                                 "except Exception as e:\n    print('refused', type(e).__name__)\n"),
                                  {}, bytes);
        QVERIFY(py.hasValue());
        QVERIFY2(py->startsWith("refused"), py->constData());
    }

    // Superset writes JSON results with simplejson, Decimals with every digit: a fraction a double
    // cannot hold reads as that Decimal; one it can hold stays the float json.loads makes.
    void jsonDecimalsKeepEveryDigit()
    {
        auto py = test::runPython(QStringLiteral(
            "import decimal, simplejson, sys\n"
            "rows = [{'amount': decimal.Decimal('1234567890.123456789012345678901234567890'), 'small': decimal.Decimal('0.1'),\n"
            "         'neg': decimal.Decimal('-0.000000000000000000000000000012345678901234567890123'), 'huge': decimal.Decimal('1.5E+400'),\n"
            "         'f': 2.5, 'edge': 0.1 + 0.2}]\n"
            "sys.stdout.write(simplejson.dumps({'status': 'success', 'query_id': 7, 'data': rows}) + '\\n')\n"
            "sys.stdout.write(simplejson.dumps({k: str(v) for k, v in rows[0].items()}))\n"));
        QVERIFY2(py.hasValue(), qPrintable(test::errorOf(py)));
        const QList<QByteArray> lines = py->split('\n');
        QCOMPARE(lines.size(), 2);
        const QJsonObject strs = QJsonDocument::fromJson(lines[1]).object(); // str(Decimal): what simplejson wrote
        const DecodeResult r = DecoderChain().decode(lines[0]);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(kinds(r), (std::vector<Kind>{Kind::Json}));
        const QJsonObject row = json(r).value(QLatin1String("value")).toObject().value(QLatin1String("data")).toArray().at(0).toObject();
        for (const char *name : {"amount", "neg", "huge"})
            QCOMPARE(row.value(QLatin1String(name)).toObject().value(QLatin1String("__decimal__")).toString(), strs.value(QLatin1String(name)).toString());
        QCOMPARE(strs.value(QLatin1String("amount")).toString(), QStringLiteral("1234567890.123456789012345678901234567890"));
        QCOMPARE(row.value(QLatin1String("small")).toDouble(), 0.1);
        QCOMPARE(row.value(QLatin1String("f")).toDouble(), 2.5);
        QCOMPARE(row.value(QLatin1String("edge")).toDouble(), 0.1 + 0.2);
    }

    void notMsgpackAfterAllSaysWhy()
    {
        const QByteArray blob = QByteArray::fromHex("85c1") + QByteArray(40, '\xee');
        const DecodeResult r = DecoderChain().decode(blob);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.finalKind, DecodeResult::FinalKind::Raw);
        QVERIFY2(r.layers.back().notes.value(QStringLiteral("notMsgpack")).toString().contains(QLatin1String("0xc1")),
                 DecodeJson::result(r).constData());
    }

    void cancelStopsBeforeTheNextLayer()
    {
        std::atomic_bool cancel{true};
        const DecodeResult r = DecoderChain().decode(fixture("chart_data"), {}, &cancel);
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("cancelled")));
    }

    void kindNamesRoundTrip()
    {
        for (int k = int(Kind::RedisEnvelope); k <= int(Kind::Raw); ++k) {
            Kind back;
            QVERIFY(DecodeLayer::kindFromName(DecodeLayer::kindName(Kind(k)), &back));
            QCOMPARE(int(back), k);
        }
    }
};

QTEST_GUILESS_MAIN(TestDecoderChain)
#include "tst_decoderchain.moc"
