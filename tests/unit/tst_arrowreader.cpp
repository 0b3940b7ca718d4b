// The Arrow IPC reader against the official integration vectors (../shared/testdata/arrow-ipc):
// every column of every batch of every file whose types the reader claims must equal the JSON.
#include "codec/arrowreader.h"
#include "codec/arrowwriter.h"
#include "codec/inflater.h"
#include "codec/pyvalue.h"
#include "python.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace cachescope;

namespace {

QString vectorsDir()
{
    const QByteArray env = qgetenv("CACHESCOPE_ARROW_TESTDATA");
    QStringList candidates;
    if (!env.isEmpty())
        candidates << QString::fromLocal8Bit(env);
    const QString src = test::sourcePath(QString());
    // CI: ../shared beside the project root; worktrees sit one level deeper.
    candidates << src + QStringLiteral("/../shared/testdata/arrow-ipc") << src + QStringLiteral("/../../shared/testdata/arrow-ipc");
    for (const QString &c : candidates) {
        if (QFileInfo::exists(c + QStringLiteral("/1.0.0-littleendian")))
            return QDir(c).canonicalPath();
    }
    return {};
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QString integerText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    return QString::number(qint64(v.toDouble()));
}

bool claimed(const ArrowField &f)
{
    if (!f.type.isSupported())
        return false;
    if (f.type.id == ArrowType::Id::Interval && f.type.unit == 2)
        return false;
    for (const auto &c : f.children) {
        if (!claimed(c))
            return false;
    }
    return true;
}

class Comparator
{
public:
    QStringList mismatches;
    QJsonArray dictionaries;

    void compare(const ArrowField &f, const QJsonObject &gf, const ArrowArray &a, const QJsonObject &col, const QString &path, bool useDictionary = true)
    {
        const qint64 count = col.value(QLatin1String("count")).toInteger();
        if (a.length != count) {
            mismatches << QStringLiteral("%1: length %2, expected %3").arg(path).arg(a.length).arg(count);
            return;
        }
        const QJsonArray validity = col.value(QLatin1String("VALIDITY")).toArray();
        if (f.type.id != ArrowType::Id::Null || f.dictionaryEncoded) {
            for (qint64 i = 0; i < count; ++i) {
                const bool expected = validity.isEmpty() ? true : validity.at(i).toInt() == 1;
                if (a.isValid(i) != expected)
                    mismatches << QStringLiteral("%1[%2]: validity %3").arg(path).arg(i).arg(a.isValid(i));
            }
        }
        const QJsonArray data = col.value(QLatin1String("DATA")).toArray();
        if (f.dictionaryEncoded && useDictionary) {
            for (qint64 i = 0; i < count; ++i) {
                if (a.isValid(i) && a.indexAt(i) != qint64(data.at(i).toDouble()))
                    mismatches << QStringLiteral("%1[%2]: index %3").arg(path).arg(i).arg(a.indexAt(i));
            }
            compareDictionary(f, gf, a, path);
            return;
        }
        using Id = ArrowType::Id;
        const ArrowType &t = f.type;
        for (qint64 i = 0; i < count && !data.isEmpty(); ++i) {
            if (!a.isValid(i))
                continue;
            const QJsonValue g = data.at(i);
            QString got, want;
            switch (t.id) {
            case Id::Bool: got = a.boolAt(i) ? QStringLiteral("true") : QStringLiteral("false"); want = g.toBool() ? QStringLiteral("true") : QStringLiteral("false"); break;
            case Id::Int:
                got = (!t.isSigned && t.bitWidth == 64) ? QString::number(a.unsignedAt(i)) : QString::number(a.integerAt(i));
                want = integerText(g);
                break;
            case Id::Date: case Id::Time: case Id::Timestamp: case Id::Duration:
                got = QString::number(a.integerAt(i));
                want = integerText(g);
                break;
            case Id::FloatingPoint: {
                const double v = a.floatAt(i), w = g.toDouble();
                const bool same = t.precision == 2 ? (v == w || std::fabs(v - w) <= 1e-12 * std::fabs(w))
                                                   : std::fabs(float(v) - float(w)) <= 1e-6f * std::fabs(float(w)) + 1e-30f;
                got = same ? QStringLiteral("=") : QString::number(v, 'g', 17);
                want = same ? QStringLiteral("=") : QString::number(w, 'g', 17);
                break;
            }
            case Id::Binary: case Id::LargeBinary: case Id::FixedSizeBinary:
                got = QString::fromLatin1(a.bytesAt(i).toByteArray().toHex().toUpper());
                want = g.toString().toUpper();
                break;
            case Id::Utf8: case Id::LargeUtf8:
                got = QString::fromUtf8(a.bytesAt(i).toByteArray());
                want = g.toString();
                break;
            case Id::Decimal:
                got = QString::fromLatin1(PyValue::bigInteger(a.bytesAt(i).toByteArray()).bigIntDecimal());
                want = g.toString();
                break;
            case Id::Interval:
                if (t.unit == 0) {
                    got = QString::number(a.integerAt(i));
                    want = integerText(g);
                } else {
                    const QByteArrayView raw = a.bytesAt(i);
                    const qint32 days = qFromLittleEndian<qint32>(raw.data()), ms = qFromLittleEndian<qint32>(raw.data() + 4);
                    got = QStringLiteral("%1d%2ms").arg(days).arg(ms);
                    want = QStringLiteral("%1d%2ms").arg(g.toObject().value(QLatin1String("days")).toInt()).arg(g.toObject().value(QLatin1String("milliseconds")).toInt());
                }
                break;
            default:
                break;
            }
            if (got != want) {
                mismatches << QStringLiteral("%1[%2]: got %3, expected %4").arg(path).arg(i).arg(got, want);
                if (mismatches.size() > 20)
                    return;
            }
        }
        const QJsonArray offsets = col.value(QLatin1String("OFFSET")).toArray();
        if ((t.id == Id::List || t.id == Id::LargeList || t.id == Id::Map) && count > 0) {
            for (qint64 i = 0; i < count; ++i) {
                const auto r = a.listRange(i);
                if (QString::number(r.first) != integerText(offsets.at(i)) || QString::number(r.second) != integerText(offsets.at(i + 1)))
                    mismatches << QStringLiteral("%1[%2]: offsets %3..%4").arg(path).arg(i).arg(r.first).arg(r.second);
            }
        }
        if (t.id == Id::Union) {
            const QJsonArray typeIds = col.value(QLatin1String("TYPE_ID")).toArray();
            for (qint64 i = 0; i < count; ++i) {
                const int c = a.unionChild(i);
                const int id = c < 0 ? -1 : (t.typeIds.empty() ? c : t.typeIds[size_t(c)]);
                if (id != typeIds.at(i).toInt())
                    mismatches << QStringLiteral("%1[%2]: type id %3").arg(path).arg(i).arg(id);
                if (t.unit == 1 && QString::number(a.unionOffset(i)) != integerText(offsets.at(i)))
                    mismatches << QStringLiteral("%1[%2]: union offset %3").arg(path).arg(i).arg(a.unionOffset(i));
            }
        }
        const QJsonArray children = col.value(QLatin1String("children")).toArray();
        if (size_t(children.size()) != a.children.size() && !(a.children.empty() && children.isEmpty())) {
            mismatches << QStringLiteral("%1: %2 children, expected %3").arg(path).arg(a.children.size()).arg(children.size());
            return;
        }
        for (size_t c = 0; c < a.children.size(); ++c)
            compare(f.children[c], gf.value(QLatin1String("children")).toArray().at(qsizetype(c)).toObject(), a.children[c], children.at(qsizetype(c)).toObject(), path + u'.' + f.children[c].name);
    }

    void compareDictionary(const ArrowField &f, const QJsonObject &gf, const ArrowArray &a, const QString &path)
    {
        // Stream writers may renumber dictionaries; the JSON's own id for this field is the key.
        const qint64 goldenId = gf.value(QLatin1String("dictionary")).toObject().value(QLatin1String("id")).toInteger();
        for (const QJsonValue &d : std::as_const(dictionaries)) {
            if (d.toObject().value(QLatin1String("id")).toInteger() != goldenId)
                continue;
            const QJsonObject dictCol = d.toObject().value(QLatin1String("data")).toObject().value(QLatin1String("columns")).toArray().at(0).toObject();
            if (!a.dictionary) {
                mismatches << path + QStringLiteral(": no dictionary");
                return;
            }
            ArrowField valueField = f;
            valueField.dictionaryEncoded = false;
            compare(valueField, gf, *a.dictionary, dictCol, path + QStringLiteral("<dict>"), false);
            return;
        }
        mismatches << path + QStringLiteral(": golden dictionary %1 missing").arg(f.dictionaryId);
    }
};

} // namespace

class TestArrowReader : public QObject
{
    Q_OBJECT

private slots:
    void vectors_data()
    {
        QTest::addColumn<QString>("stream");
        const QString dir = vectorsDir();
        if (dir.isEmpty())
            return;
        for (const QString sub : {QStringLiteral("1.0.0-littleendian"), QStringLiteral("2.0.0-compression")}) {
            const QDir d(dir + u'/' + sub);
            for (const QString &name : d.entryList({QStringLiteral("*.stream")}, QDir::Files, QDir::Name))
                QTest::newRow(qPrintable(sub + u'/' + name)) << d.filePath(name);
        }
    }

    void vectors()
    {
        if (vectorsDir().isEmpty())
            QSKIP("Arrow test vectors (../shared/testdata/arrow-ipc) are not present in this checkout");
        QFETCH(QString, stream);
        const QByteArray bytes = readFile(stream);
        QVERIFY(!bytes.isEmpty());
        QString jsonPath = stream;
        jsonPath.replace(QLatin1String(".stream"), QLatin1String(".json.gz"));
        auto json = Inflater().inflate(readFile(jsonPath), Inflater::Format::Gzip);
        QVERIFY2(json.hasValue(), json.hasValue() ? "" : qPrintable(json.error()));
        const QJsonObject golden = QJsonDocument::fromJson(json->data).object();
        const QJsonArray goldenFields = golden.value(QLatin1String("schema")).toObject().value(QLatin1String("fields")).toArray();
        const QJsonArray goldenBatches = golden.value(QLatin1String("batches")).toArray();

        auto table = ArrowReader().read(bytes);
        QVERIFY2(table.hasValue(), table.hasValue() ? "" : qPrintable(table.error()));
        QCOMPARE(qsizetype(table->schema.size()), goldenFields.size());
        QCOMPARE(qsizetype(table->batches.size()), goldenBatches.size());
        Comparator cmp;
        cmp.dictionaries = golden.value(QLatin1String("dictionaries")).toArray();
        int matched = 0, unclaimed = 0;
        for (size_t c = 0; c < table->schema.size(); ++c) {
            const ArrowField &f = table->schema[c];
            QCOMPARE(f.name, goldenFields.at(qsizetype(c)).toObject().value(QLatin1String("name")).toString());
            QCOMPARE(f.nullable, goldenFields.at(qsizetype(c)).toObject().value(QLatin1String("nullable")).toBool());
            if (!claimed(f)) {
                ++unclaimed;
                continue;
            }
            for (qsizetype b = 0; b < goldenBatches.size(); ++b) {
                const QJsonObject col = goldenBatches.at(b).toObject().value(QLatin1String("columns")).toArray().at(qsizetype(c)).toObject();
                QCOMPARE(table->batches[size_t(b)].length, goldenBatches.at(b).toObject().value(QLatin1String("count")).toInteger());
                const int before = int(cmp.mismatches.size());
                cmp.compare(f, goldenFields.at(qsizetype(c)).toObject(), table->batches[size_t(b)].columns[c], col, QStringLiteral("batch%1.%2").arg(b).arg(f.name));
                if (cmp.mismatches.size() == before)
                    ++matched;
            }
        }
        QVERIFY2(cmp.mismatches.isEmpty(), qPrintable(cmp.mismatches.mid(0, 10).join(u'\n')));
        qInfo("%s: %d column-batches matched, %d fields unclaimed", qPrintable(QFileInfo(stream).fileName()), matched, unclaimed);
    }

    void readingAnOwnedStreamReferencesItAndOutlivesIt()
    {
        std::vector<std::optional<qint64>> ids;
        std::vector<std::optional<QByteArray>> names;
        for (qint64 i = 0; i < 1000; ++i) {
            ids.push_back(i % 7 ? std::optional<qint64>(i * 3) : std::nullopt);
            names.push_back(QByteArray("name_") + QByteArray::number(i));
        }
        ArrowTable table;
        ArrowRecordBatch batch;
        batch.length = 1000;
        batch.columns = {ArrowWriter::int64Array(ids), ArrowWriter::utf8Array(names)};
        table.schema = {ArrowWriter::fieldFor(QStringLiteral("id"), batch.columns[0]),
                        ArrowWriter::fieldFor(QStringLiteral("name"), batch.columns[1])};
        table.batches.push_back(std::move(batch));
        const QByteArray stream = ArrowWriter::writeStream(table).value();

        auto copied = ArrowReader().read(QByteArrayView(stream));
        Expected<ArrowTable> referenced = makeError(QStringLiteral("unset"));
        {
            QByteArray owned(stream.constData(), stream.size()); // dies before the table is read
            referenced = ArrowReader().read(owned);
        }
        QVERIFY(copied.hasValue() && referenced.hasValue());
        QCOMPARE(referenced->rowCount(), qint64(1000));
        const ArrowArray &idCol = referenced->batches[0].columns[0];
        const ArrowArray &nameCol = referenced->batches[0].columns[1];
        for (qint64 i = 0; i < 1000; ++i) {
            QCOMPARE(idCol.isValid(i), ids[size_t(i)].has_value());
            if (ids[size_t(i)])
                QCOMPARE(idCol.integerAt(i), *ids[size_t(i)]);
            QCOMPARE(nameCol.bytesAt(i).toByteArray(), *names[size_t(i)]);
            QCOMPARE(nameCol.bytesAt(i).toByteArray(), copied->batches[0].columns[1].bytesAt(i).toByteArray());
        }
    }

    void truncatedAtEveryOffsetFailsCleanly()
    {
        const QString dir = vectorsDir();
        if (dir.isEmpty())
            QSKIP("Arrow test vectors are not present in this checkout");
        for (const QString name : {QStringLiteral("1.0.0-littleendian/generated_nested.stream"),
                                   QStringLiteral("1.0.0-littleendian/generated_dictionary.stream"),
                                   QStringLiteral("2.0.0-compression/generated_lz4.stream")}) {
            const QByteArray bytes = readFile(dir + u'/' + name);
            QVERIFY(ArrowReader().read(bytes).hasValue());
            int errors = 0;
            for (qsizetype cut = 0; cut < bytes.size(); ++cut) {
                auto r = ArrowReader().read(QByteArrayView(bytes).first(cut));
                if (!r.hasValue()) {
                    ++errors;
                    QVERIFY2(r.error().contains(QLatin1String("Arrow IPC stream")), qPrintable(r.error()));
                }
            }
            QVERIFY(errors > 0);
            // Bit flips: must never crash; errors or values are both acceptable.
            for (qsizetype at = 0; at < bytes.size(); at += 3) {
                QByteArray flipped = bytes;
                flipped[at] = char(flipped[at] ^ 0x5a);
                auto r = ArrowReader().read(flipped);
                Q_UNUSED(r);
            }
        }
    }

    void decompressionLimitIsEnforced()
    {
        const QString dir = vectorsDir();
        if (dir.isEmpty())
            QSKIP("Arrow test vectors are not present in this checkout");
        const QByteArray bytes = readFile(dir + QStringLiteral("/2.0.0-compression/generated_zstd.stream"));
        ArrowReadLimits limits;
        limits.maxDecompressedBytes = 16;
        auto r = ArrowReader(limits).read(bytes);
        QVERIFY(!r.hasValue());
        QVERIFY2(r.error().contains(QLatin1String("over the limit")), qPrintable(r.error()));
    }

    // Decimals render with every digit (38 for decimal128, 76 for decimal256): Python checks each
    // text against the unscaled integer, in a context wide enough not to round (the default
    // context's 28 digits would), and the rows include values past 28 significant digits.
    void decimalVectorsRenderExactly()
    {
        const QString dir = vectorsDir();
        if (dir.isEmpty())
            QSKIP("Arrow test vectors are not present in this checkout");
        QByteArray lines;
        int longest = 0;
        for (const char *name : {"generated_decimal.stream", "generated_decimal256.stream"}) {
            auto table = ArrowReader().read(readFile(dir + QStringLiteral("/1.0.0-littleendian/") + QLatin1String(name)));
            QVERIFY(table.hasValue());
            for (const auto &batch : table->batches)
                for (size_t c = 0; c < batch.columns.size(); ++c) {
                    const ArrowArray &a = batch.columns[c];
                    if (a.type.id != ArrowType::Id::Decimal)
                        continue;
                    for (qint64 i = 0; i < a.length; ++i) {
                        if (!a.isValid(i))
                            continue;
                        const QByteArray unscaled = PyValue::bigInteger(a.bytesAt(i).toByteArray()).bigIntDecimal();
                        longest = std::max(longest, int(unscaled.size()));
                        lines += a.decimalText(i).toLatin1() + ' ' + unscaled + ' ' + QByteArray::number(a.type.scale) + '\n';
                    }
                }
        }
        QVERIFY2(longest > 28, qPrintable(QString::number(longest)));
        auto check = test::runPython(QStringLiteral("import decimal, sys\ndecimal.getcontext().prec = 200\nbad = 0\n"
                                                    "for line in sys.stdin.read().splitlines():\n"
                                                    "    text, unscaled, scale = line.split()\n"
                                                    "    if decimal.Decimal(text) != decimal.Decimal(unscaled).scaleb(-int(scale)) or text != format(decimal.Decimal(unscaled).scaleb(-int(scale)), 'f'):\n"
                                                    "        bad += 1\n        print(line)\n"
                                                    "print('bad', bad)\n"),
                                     {}, lines);
        QVERIFY2(check.hasValue(), qPrintable(check.hasValue() ? QString() : check.error()));
        QVERIFY2(check->trimmed().endsWith("bad 0"), check->right(2000).constData());
    }

    void garbageIsRejected()
    {
        QVERIFY(!ArrowReader().read(QByteArray("hello world, not arrow")).hasValue());
        QVERIFY(!ArrowReader().read(QByteArray()).hasValue());
        QVERIFY(!ArrowReader::looksLikeStream(QByteArray("\xff\xff\xff\xff\x00\x00\x00\x00", 8)));
    }
};

QTEST_GUILESS_MAIN(TestArrowReader)
#include "tst_arrowreader.moc"
