// The Arrow IPC writer, checked with the reader (pyarrow is not available here): every Superset
// result type round-trips, framing follows the IPC rules, and the official vectors' supported
// columns survive a read -> write -> read cycle.
#include "codec/arrowcell.h"
#include "codec/arrowreader.h"
#include "codec/arrowwriter.h"
#include "codec/decodejson.h"
#include "python.h"

#include <QDir>
#include <QFile>
#include <QtEndian>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace cachescope;

namespace {

ArrowTable sampleTable()
{
    ArrowTable t;
    std::vector<ArrowArray> cols{
        ArrowWriter::int64Array({1, std::nullopt, -9007199254740993LL}),
        ArrowWriter::float64Array({1.5, std::nullopt, -0.0}),
        ArrowWriter::utf8Array({QByteArray("a"), std::nullopt, QByteArray("\xc3\xa9t\xc3\xa9")}),
        ArrowWriter::binaryArray({QByteArray("\x00\x01", 2), QByteArray(), std::nullopt}),
        ArrowWriter::boolArray({true, false, std::nullopt}),
        ArrowWriter::date32Array({19723, std::nullopt, -1}),
        ArrowWriter::timestampArray({1704103200000000LL, std::nullopt, 0}, ArrowType::TimeUnit::Microsecond),
        ArrowWriter::timestampArray({1704103200000000000LL, 0, std::nullopt}, ArrowType::TimeUnit::Nanosecond, "Europe/Paris"),
        ArrowWriter::decimal128Array({12345, -5, std::nullopt}, 10, 2),
        ArrowWriter::nullArray(3),
    };
    const char *names[] = {"i", "f", "s", "b", "flag", "d", "ts", "tstz", "dec", "nothing"};
    ArrowRecordBatch batch;
    batch.length = 3;
    for (size_t i = 0; i < cols.size(); ++i) {
        t.schema.push_back(ArrowWriter::fieldFor(QString::fromLatin1(names[i]), cols[i]));
        batch.columns.push_back(cols[i]);
    }
    t.batches.push_back(batch);
    return t;
}

QString cellText(const ArrowTable &t, qint64 row, int col)
{
    return QString::fromUtf8(DecodeJson::cell(ArrowCell::at(t.batches[0].columns[size_t(col)], row, &t.schema[size_t(col)])));
}

} // namespace

class TestArrowWriter : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsSupersetTypes()
    {
        const ArrowTable t = sampleTable();
        auto bytes = ArrowWriter::writeStream(t);
        QVERIFY(bytes.hasValue());
        QVERIFY(ArrowReader::looksLikeStream(*bytes));
        QVERIFY(bytes->endsWith(QByteArray("\xff\xff\xff\xff\x00\x00\x00\x00", 8)));
        auto back = ArrowReader().read(*bytes);
        QVERIFY2(back.hasValue(), back.hasValue() ? "" : qPrintable(back.error()));
        QCOMPARE(back->schema.size(), t.schema.size());
        QCOMPARE(back->rowCount(), 3);
        QCOMPARE(back->metadataVersion, 4);
        for (size_t c = 0; c < t.schema.size(); ++c) {
            QCOMPARE(back->schema[c].name, t.schema[c].name);
            QCOMPARE(back->schema[c].typeString(), t.schema[c].typeString());
        }
        // Values as the decode JSON shows them.
        QCOMPARE(cellText(*back, 0, 0), QStringLiteral("1"));
        QCOMPARE(cellText(*back, 1, 0), QStringLiteral("null"));
        QCOMPARE(cellText(*back, 2, 0), QStringLiteral("{\"__int__\":\"-9007199254740993\"}"));
        QCOMPARE(cellText(*back, 0, 1), QStringLiteral("1.5"));
        QCOMPARE(cellText(*back, 2, 1), QStringLiteral("-0.0"));
        QCOMPARE(cellText(*back, 2, 2), QStringLiteral("\"\u00e9t\u00e9\""));
        QCOMPARE(cellText(*back, 0, 3), QStringLiteral("{\"__bytes__\":\"AAE=\"}"));
        QCOMPARE(cellText(*back, 1, 3), QStringLiteral("{\"__bytes__\":\"\"}"));
        QCOMPARE(cellText(*back, 2, 3), QStringLiteral("null"));
        QCOMPARE(cellText(*back, 0, 4), QStringLiteral("true"));
        QCOMPARE(cellText(*back, 1, 4), QStringLiteral("false"));
        QCOMPARE(cellText(*back, 2, 4), QStringLiteral("null"));
        QCOMPARE(cellText(*back, 0, 5), QStringLiteral("{\"__date__\":\"2024-01-01\"}"));
        QCOMPARE(cellText(*back, 2, 5), QStringLiteral("{\"__date__\":\"1969-12-31\"}"));
        QCOMPARE(cellText(*back, 0, 6), QStringLiteral("{\"__datetime__\":\"2024-01-01T10:00:00\"}"));
        QCOMPARE(cellText(*back, 0, 7), QStringLiteral("{\"__datetime__\":\"2024-01-01T11:00:00+01:00\"}"));
        QCOMPARE(cellText(*back, 0, 8), QStringLiteral("{\"__decimal__\":\"123.45\"}"));
        QCOMPARE(cellText(*back, 1, 8), QStringLiteral("{\"__decimal__\":\"-0.05\"}"));
        QCOMPARE(cellText(*back, 0, 9), QStringLiteral("null"));
    }

    void framingFollowsIpcRules()
    {
        auto bytes = ArrowWriter::writeStream(sampleTable());
        QVERIFY(bytes.hasValue());
        // Every message: continuation marker, (8 + metadata length) % 8 == 0, body a multiple of 8.
        qsizetype pos = 0;
        int messages = 0;
        while (pos + 8 <= bytes->size()) {
            QCOMPARE(qFromLittleEndian<quint32>(bytes->constData() + pos), 0xffffffffu);
            const qint32 len = qFromLittleEndian<qint32>(bytes->constData() + pos + 4);
            if (len == 0)
                break;
            QCOMPARE((8 + len) % 8, 0);
            pos += 8 + len;
            ++messages;
            // Skip the body: re-read via the reader is the authority; here only alignment matters.
            if (messages == 2) {
                QCOMPARE(pos % 8, 0);
                break;
            }
        }
        QCOMPARE(messages, 2);
    }

    // Timestamps and dates far from today, in every unit, naive and with UTC or a fixed offset,
    // render as ISO 8601 with the calendar numpy computes (years beyond 0000-9999 signed).
    void farTimestampsRenderAsIsoDates()
    {
        const std::vector<qint64> values = {-(qint64(1) << 62), std::numeric_limits<qint64>::min() + 1, std::numeric_limits<qint64>::max(),
                                            -62198755200LL, 253402300800LL, -1, 0};
        ArrowTable t;
        ArrowRecordBatch batch;
        batch.length = qint64(values.size());
        QStringList names;
        for (int unit = 0; unit < 4; ++unit)
            for (const QByteArray &zone : {QByteArray(), QByteArray("UTC"), QByteArray("+05:30")}) {
                std::vector<std::optional<qint64>> col(values.begin(), values.end());
                batch.columns.push_back(ArrowWriter::timestampArray(col, ArrowType::TimeUnit(unit), zone));
                names << QStringLiteral("ts%1_%2").arg(unit).arg(QString::fromLatin1(zone));
                t.schema.push_back(ArrowWriter::fieldFor(names.back(), batch.columns.back()));
            }
        std::vector<std::optional<qint32>> days = {std::numeric_limits<qint32>::min() + 1, std::numeric_limits<qint32>::max(), -719893, 0};
        days.resize(values.size(), 1);
        batch.columns.push_back(ArrowWriter::date32Array(days));
        t.schema.push_back(ArrowWriter::fieldFor(QStringLiteral("d"), batch.columns.back()));
        t.batches.push_back(batch);
        auto bytes = ArrowWriter::writeStream(t);
        QVERIFY(bytes.hasValue());
        auto back = ArrowReader().read(*bytes);
        QVERIFY(back.hasValue());

        QByteArray ours;
        for (size_t c = 0; c < back->schema.size(); ++c)
            for (qint64 r = 0; r < back->batches[0].length; ++r)
                ours += ArrowCell::at(back->batches[0].columns[c], r, &back->schema[c]).text.toUtf8() + '\n';
        QByteArray input;
        for (qint64 v : values)
            input += QByteArray::number(v) + ' ';
        input += '\n';
        for (const auto &d : days)
            input += QByteArray::number(*d) + ' ';
        auto py = test::runPython(test::pythonIsoDate() + QStringLiteral(
            "import sys\nvalues, days = [[int(x) for x in l.split()] for l in sys.stdin.read().splitlines()]\n"
            "out = []\n"
            "for per in (1, 10**3, 10**6, 10**9):\n"
            "    for off in (None, 0, 5 * 3600 + 30 * 60):\n"
            "        for v in values:\n"
            "            secs, frac = divmod(v, per)\n"
            "            nanos = frac * (10**9 // per)\n"
            "            text = iso_date(secs + (off or 0), nanos)\n"
            "            if off is not None:\n"
            "                text += '+00:00' if off == 0 else '+05:30'\n"
            "            out.append(text)\n"
            "out += [iso_date(d * 86400, 0).split('T')[0] for d in days]\n"
            "print('\\n'.join(out))\n"),
            {}, input);
        QVERIFY2(py.hasValue(), qPrintable(py.hasValue() ? QString() : py.error()));
        const QList<QByteArray> want = py->trimmed().split('\n');
        const QList<QByteArray> got = ours.trimmed().split('\n');
        QCOMPARE(got.size(), want.size());
        for (qsizetype i = 0; i < want.size(); ++i)
            QCOMPARE(got[i], want[i]);
    }

    void emptyTableAndNoBatches()
    {
        ArrowTable t;
        ArrowRecordBatch b;
        b.length = 0;
        b.columns.push_back(ArrowWriter::int64Array({}));
        t.schema.push_back(ArrowWriter::fieldFor(QStringLiteral("x"), b.columns[0]));
        t.batches.push_back(b);
        auto bytes = ArrowWriter::writeStream(t);
        QVERIFY(bytes.hasValue());
        auto back = ArrowReader().read(*bytes);
        QVERIFY(back.hasValue());
        QCOMPARE(back->rowCount(), 0);
        t.batches.clear();
        bytes = ArrowWriter::writeStream(t);
        back = ArrowReader().read(*bytes);
        QVERIFY(back.hasValue());
        QCOMPARE(back->batches.size(), size_t(0));
        QCOMPARE(back->schema.size(), size_t(1));
    }

    void rejectsUnsupportedTypes()
    {
        ArrowTable t;
        ArrowField f;
        f.name = QStringLiteral("l");
        f.type.id = ArrowType::Id::List;
        t.schema.push_back(f);
        QVERIFY(!ArrowWriter::writeStream(t).hasValue());
    }

    void manyRowsRoundTrip()
    {
        std::vector<std::optional<qint64>> ints;
        std::vector<std::optional<QByteArray>> strs;
        for (int i = 0; i < 100000; ++i) {
            ints.push_back(i % 7 ? std::optional<qint64>(i * 3) : std::nullopt);
            strs.push_back(QByteArray::number(i));
        }
        ArrowTable t;
        ArrowRecordBatch b;
        b.length = 100000;
        b.columns = {ArrowWriter::int64Array(ints), ArrowWriter::utf8Array(strs)};
        t.schema = {ArrowWriter::fieldFor(QStringLiteral("n"), b.columns[0]), ArrowWriter::fieldFor(QStringLiteral("s"), b.columns[1])};
        t.batches.push_back(b);
        auto bytes = ArrowWriter::writeStream(t);
        auto back = ArrowReader().read(*bytes);
        QVERIFY(back.hasValue());
        const ArrowArray &n = back->batches[0].columns[0];
        const ArrowArray &s = back->batches[0].columns[1];
        for (int i = 0; i < 100000; i += 997) {
            QCOMPARE(n.isValid(i), bool(i % 7));
            if (i % 7)
                QCOMPARE(n.integerAt(i), qint64(i) * 3);
            QCOMPARE(s.bytesAt(i).toByteArray(), QByteArray::number(i));
        }
    }
};

QTEST_GUILESS_MAIN(TestArrowWriter)
#include "tst_arrowwriter.moc"
