// The payload view end to end (offscreen): real fixtures decode on the worker thread and land in
// the right page; layers, JSON, hex, image, CSV export and raw save work; newer payloads win.
#include "payloadview.h"
#include "python.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace cachescope;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(test::sourcePath(QStringLiteral("tests/fixtures/payloads/%1.bin").arg(QLatin1String(name))));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool decode(PayloadView &view, const QByteArray &bytes)
{
    QSignalSpy spy(&view, &PayloadView::decoded);
    view.setPayload(bytes);
    return spy.wait(60000);
}

QString pageText(PayloadView &view, int tab)
{
    auto *edit = qobject_cast<QPlainTextEdit *>(view.tabs()->widget(tab));
    return edit ? edit->toPlainText() : QString();
}

} // namespace

class TestPayloadView : public QObject
{
    Q_OBJECT

private slots:
    void chartDataOpensInTheTable()
    {
        PayloadView view;
        view.show();
        QVERIFY(decode(view, fixture("chart_data")));
        QVERIFY(view.result().ok());
        QAbstractItemModelTester tableTester(view.tableView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester treeTester(view.treeView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view.tabs()->currentIndex(), 1); // Table
        QCOMPARE(view.tableView()->model()->rowCount(), 3);
        QCOMPARE(view.tableView()->model()->columnCount(), 8);
        QCOMPARE(view.layerButtonCount(), 3); // envelope, pickle, value
        QVERIFY(pageText(view, 2).contains(QLatin1String("\"__dataframe__\"")));
        view.tableView()->sortByColumn(1, Qt::DescendingOrder);
        QCOMPARE(view.tableView()->model()->index(0, 1).data().toString(), QStringLiteral("1.5"));
        view.selectLayer(1);
        QCOMPARE(view.tabs()->currentIndex(), 3); // Hex of the pickle layer
        QVERIFY(pageText(view, 3).startsWith(QLatin1String("00000000  80 05")));
        QTemporaryDir dir;
        QVERIFY(view.exportTableCsv(dir.filePath(QStringLiteral("t.csv"))));
        QFile csv(dir.filePath(QStringLiteral("t.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().startsWith("id,price,name,flag,ts,ts_tz,nullable,cat\r\n"));
        QVERIFY(view.saveRawBytes(dir.filePath(QStringLiteral("raw.bin"))));
        QFile raw(dir.filePath(QStringLiteral("raw.bin")));
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QCOMPARE(raw.readAll(), fixture("chart_data"));
        QVERIFY(view.valueJson().contains("\"layers\""));
    }

    void thumbnailShowsTheImage()
    {
        PayloadView view;
        QVERIFY(decode(view, fixture("thumbnail_png")));
        QCOMPARE(view.tabs()->currentIndex(), 4);
    }

    void errorsAreShownWithLayers()
    {
        PayloadView view;
        QByteArray broken = fixture("chart_data");
        broken.truncate(200);
        QVERIFY(decode(view, broken));
        QVERIFY(!view.result().ok());
        QCOMPARE(view.layerButtonCount(), 3); // envelope, failing pickle, error
        QVERIFY(pageText(view, 2).contains(QLatin1String("\"error\"")));
    }

    void newerPayloadWins()
    {
        PayloadView view;
        QSignalSpy spy(&view, &PayloadView::decoded);
        view.setPayload(fixture("chart_data"));
        view.setPayload(fixture("form_data"));
        QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty() && !view.isDecoding(), 60000);
        QCOMPARE(view.result().shape, QStringLiteral("form-data"));
    }

    void openFileReadsFileSystemEntries()
    {
        PayloadView view;
        QSignalSpy spy(&view, &PayloadView::decoded);
        QVERIFY(view.openFile(test::sourcePath(QStringLiteral("tests/fixtures/payloads/filesystem_chart.bin"))));
        QVERIFY(spy.wait(60000));
        QCOMPARE(view.result().layers.front().kind, DecodeLayer::Kind::FileSystemHeader);
        QVERIFY(!view.openFile(QStringLiteral("/nonexistent/file")));
    }
};

QTEST_MAIN(TestPayloadView)
#include "tst_payloadview.moc"
