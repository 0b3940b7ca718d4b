// PayloadTreeModel and ResultTableModel under QAbstractItemModelTester, on decoded fixtures.
#include "codec/arrowwriter.h"
#include "codec/decoderchain.h"
#include "payloadtreemodel.h"
#include "python.h"
#include "resulttablemodel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QFile>
#include <QtTest>

using namespace cachescope;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(test::sourcePath(QStringLiteral("tests/fixtures/payloads/%1.bin").arg(QLatin1String(name))));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

std::shared_ptr<const ArrowTable> table(int rows)
{
    std::vector<std::optional<qint64>> ids;
    std::vector<std::optional<QByteArray>> names;
    for (int i = 0; i < rows; ++i) {
        ids.push_back(i % 10 == 3 ? std::nullopt : std::optional<qint64>((i * 7919) % 1000));
        names.push_back(QByteArray("n,") + QByteArray::number(i));
    }
    ArrowTable t;
    ArrowRecordBatch b;
    b.length = rows;
    b.columns = {ArrowWriter::int64Array(ids), ArrowWriter::utf8Array(names)};
    t.schema = {ArrowWriter::fieldFor(QStringLiteral("id"), b.columns[0]), ArrowWriter::fieldFor(QStringLiteral("name"), b.columns[1])};
    t.batches = {b, b}; // two batches: rows continue across them
    return std::make_shared<const ArrowTable>(t);
}

} // namespace

class TestPayloadModels : public QObject
{
    Q_OBJECT

private slots:
    void treeOfChartData()
    {
        PayloadTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResult(DecoderChain().decode(fixture("chart_data")));
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex top = model.index(0, 0);
        QVERIFY(model.hasChildren(top));
        QCOMPARE(model.rowCount(top), 8); // df, query, applied_template_filters, ..., dttm
        const QModelIndex df = model.index(0, 0, top);
        QCOMPARE(df.data().toString(), QStringLiteral("df"));
        QCOMPARE(model.index(0, PayloadTreeModel::TypeColumn, top).data().toString(), QStringLiteral("DataFrame"));
        QCOMPARE(model.index(0, PayloadTreeModel::ValueColumn, top).data().toString(), QStringLiteral("3 rows × 8 columns"));
        QVERIFY(df.data(PayloadTreeModel::IsTableRole).toBool());
        QVERIFY(!model.hasChildren(df));
        QCOMPARE(model.index(1, PayloadTreeModel::ValueColumn, top).data().toString(), QStringLiteral("SELECT 1"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void treeOfSqlLabAndBigLists()
    {
        PayloadTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto py = test::runPython(QStringLiteral(
            "import pickle, sys\nsys.stdout.buffer.write(b'!' + pickle.dumps({'big': list(range(25000)), 'nested': {'a': [{'b': (1, 2)}]}}, 5))\n"));
        QVERIFY(py.hasValue());
        model.setResult(DecoderChain().decode(*py));
        const QModelIndex top = model.index(0, 0);
        const QModelIndex big = model.index(0, 0, top);
        QCOMPARE(model.rowCount(big), PayloadTreeModel::kMaxChildren + 1);
        QCOMPARE(model.index(PayloadTreeModel::kMaxChildren, PayloadTreeModel::ValueColumn, big).data().toString(), QStringLiteral("15000 more"));
        const QModelIndex nested = model.index(1, 0, top);
        const QModelIndex a = model.index(0, 0, nested);
        const QModelIndex item = model.index(0, 0, a);
        const QModelIndex b = model.index(0, 0, item);
        QCOMPARE(model.index(0, PayloadTreeModel::TypeColumn, item).data().toString(), QStringLiteral("tuple"));
        QCOMPARE(model.parent(b), item);
        QCOMPARE(model.parent(item), a);
    }

    void tableFetchesLazilyAcrossBatches()
    {
        ResultTableModel model;
        model.setArrowTable(table(1500)); // 3000 rows in two batches
        QCOMPARE(model.totalRows(), 3000);
        QCOMPARE(model.rowCount(), ResultTableModel::kChunk);
        // The tester's reset checks call fetchMore themselves, so it watches from here on.
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 3000);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("id\nint64"));
        QCOMPARE(model.index(1503, 1).data().toString(), QStringLiteral("n,3"));
        QCOMPARE(model.index(3, 0).data().toString(), QStringLiteral("NULL"));
    }

    void tableSortsAllRows()
    {
        ResultTableModel model;
        model.setArrowTable(table(1500));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.sort(0, Qt::AscendingOrder);
        // Nulls first, then ascending numbers over all 3000 rows (not just the loaded chunk).
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("NULL"));
        while (model.canFetchMore({}))
            model.fetchMore({});
        double previous = -1;
        int nulls = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const QVariant v = model.index(r, 0).data(ResultTableModel::SortKeyRole);
            if (model.index(r, 0).data().toString() == QLatin1String("NULL")) {
                ++nulls;
                QCOMPARE(previous, -1.0);
                continue;
            }
            QVERIFY(v.toDouble() >= previous);
            previous = v.toDouble();
        }
        QCOMPARE(nulls, 300);
        model.sort(1, Qt::DescendingOrder);
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("n,999"));
    }

    void dataFrameTableAndCsv()
    {
        const DecodeResult r = DecoderChain().decode(fixture("chart_data"));
        auto df = Recognisers::dataFrame(*r.value.get("df"));
        QVERIFY(df);
        ResultTableModel model;
        model.setDataFrame(std::make_shared<const DataFrameView>(*df));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), 8);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.headerData(5, Qt::Horizontal).toString(), QStringLiteral("ts_tz\ndatetime64[ns, Europe/Paris]"));
        QCOMPARE(model.headerData(2, Qt::Vertical).toString(), QStringLiteral("2"));
        QCOMPARE(model.index(2, 4).data().toString(), QStringLiteral("2024-03-01T00:00:01.500000"));
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(model.writeCsv(&buffer));
        const QList<QByteArray> lines = buffer.data().split('\n');
        QCOMPARE(lines.at(0).trimmed(), QByteArray("id,price,name,flag,ts,ts_tz,nullable,cat"));
        QCOMPARE(lines.at(2).trimmed(), QByteArray("2,nan,b\xc3\xa9,False,,2024-06-01T12:30:00+02:00,,y"));
    }

    // A frame whose object column holds one shared DAG (16 levels of [a, a]: 2^17 values per cell,
    // 6.5M for the frame, under the reader's limit): the tree, its JSON and the table show it
    // without expanding it, each within its own bound.
    void sharedReferencesAreNotExpanded()
    {
        auto py = test::runPython(QStringLiteral(
            "import pickle, sys\nimport pandas as pd\na = [1]\nfor _ in range(16):\n    a = [a, a]\n"
            "df = pd.DataFrame({'id': range(50), 'blob': [a] * 50})\n"
            "sys.stdout.buffer.write(b'!' + pickle.dumps({'df': df, 'query': 'SELECT 1'}, 5))\n"));
        QVERIFY(py.hasValue());
        const DecodeResult r = DecoderChain().decode(*py);
        QVERIFY2(r.ok(), qPrintable(r.error));

        PayloadTreeModel tree;
        QAbstractItemModelTester treeTester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tree.setResult(r);
        QModelIndex at = tree.index(0, 0);
        QVERIFY(tree.data(at, PayloadTreeModel::JsonRole).toString().size() < (64 << 20));
        const QModelIndex df = tree.index(0, 0, at);
        QVERIFY(df.data(PayloadTreeModel::IsTableRole).toBool());

        auto frame = Recognisers::dataFrame(*r.value.get("df"));
        QVERIFY(frame);
        ResultTableModel table;
        table.setDataFrame(std::make_shared<const DataFrameView>(*frame));
        QAbstractItemModelTester tableTester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        while (table.canFetchMore({}))
            table.fetchMore({});
        QCOMPARE(table.rowCount(), 50);
        QVERIFY(table.index(7, 1).data().toString().size() < 1000);
        table.sort(1, Qt::AscendingOrder);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(table.writeCsv(&buffer));
        QVERIFY2(buffer.data().size() < (1 << 20), qPrintable(QString::number(buffer.data().size())));
    }
};

QTEST_MAIN(TestPayloadModels)
#include "tst_payloadmodels.moc"
