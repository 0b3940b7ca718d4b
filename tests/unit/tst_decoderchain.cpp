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

    void sharedReferenceBombRendersBounded()
    {
        // "Billion laughs": 60 levels of [a, a] are 2^60 leaves through the pickle memo, in 600
        // bytes. Decoding shares them; rendering stops at the value budget and says so.
        auto py = test::runPython(QStringLiteral(
            "import pickle, sys\na = []\nfor _ in range(60):\n    a = [a, a]\nsys.stdout.buffer.write(b'!' + pickle.dumps(a, 5))\n"));
        QVERIFY(py.hasValue());
        QVERIFY(py->size() < 2000);
        const DecodeResult r = DecoderChain().decode(*py);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const QByteArray out = DecodeJson::result(r);
        QVERIFY(out.contains("\"__truncated__\":true"));
        QVERIFY(out.size() < 64 << 20);
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
