#include "browse/rediskeysource.h"
#include "keyspage.h"
#include "keytreemodel.h"
#include "formatting.h"
#include "messagebar.h"
#include "namespacelistview.h"
#include "payloadview.h"
#include "redis/redisclient.h"
#include "redisserver.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace cachescope;
using cachescope::test::RedisServer;

namespace {

void fill(RedisClient &c, const QList<QByteArray> &keys, const QByteArray &value)
{
    for (qsizetype at = 0; at < keys.size(); at += 5000) {
        QList<QList<QByteArray>> cmds;
        for (qsizetype i = at; i < qMin(keys.size(), at + 5000); ++i)
            cmds.append(QList<QByteArray>{"SET", keys[i], value});
        QVERIFY(c.pipeline(cmds).hasValue());
    }
}

QByteArray hex32(int i)
{
    return QByteArray::number(quint64(i) * 2654435761ull + 0x1000000000ull, 16).rightJustified(32, 'c');
}

QModelIndex findNamespace(const KeyTreeModel &m, const QByteArray &path)
{
    for (int r = 0; r < m.rowCount(); ++r) {
        const QModelIndex i = m.index(r, 0);
        if (m.isNamespace(i) && m.keyAt(i) == path)
            return i;
    }
    return {};
}

} // namespace

class TestKeysPage : public QObject
{
    Q_OBJECT
    RedisServer m_server;
    std::unique_ptr<RedisClient> m_client;
    int m_keyCount = 3000;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start().isEmpty(), "redis-server did not start");
        m_client = std::make_unique<RedisClient>(*RedisUrl::parse(m_server.url()));
        QVERIFY(m_client->connect().hasValue());
        // A screenshot run (CACHESCOPE_SCREENSHOT=/path.png) uses a 100k-key server.
        if (!qEnvironmentVariableIsEmpty("CACHESCOPE_SCREENSHOT"))
            m_keyCount = 100000;
        QList<QByteArray> keys;
        for (int i = 0; i < m_keyCount; ++i) {
            if (i % 3 == 0)
                keys << "superset_data_" + hex32(i);
            else if (i % 3 == 1)
                keys << "superset_qc-" + hex32(i);
            else
                keys << "superset_db:" + QByteArray::number(i % 7) + ":schema:s" + QByteArray::number(i % 5) + ":table_list_" + QByteArray::number(i);
        }
        fill(*m_client, keys, QByteArray("\x21\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x02df\x94N\x73.", 22));
        QVERIFY(m_client->command({"SET", "superset_6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00", "{\"status\": \"success\"}",
                                   "EX", "3600"}).hasValue());
        QVERIFY(m_client->command({"SET", "other_app:x", "y"}).hasValue());
    }

    void shouldBrowseFilterExpandAndSelect()
    {
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false);
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // Given the page on a cache, the first batch appears without asking
        page.setSource(&source, QStringLiteral("DATA_CACHE_CONFIG"));
        QTRY_VERIFY(page.model()->rowCount() > 0);
        QVERIFY(page.statusText().contains(QStringLiteral("keys loaded")));
        // When a glob is typed, then after the debounce it becomes the SCAN MATCH
        QTest::keyClicks(page.filterEdit(), QStringLiteral("superset_data_*"));
        QCOMPARE(page.model()->filter(), QByteArray()); // debounced: not yet
        QTRY_COMPARE(page.model()->filter(), QByteArray("superset_data_*"));
        page.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->isScanComplete(), 30000);
        QCOMPARE(page.model()->loadedKeyCount(), quint64(m_keyCount / 3));
        QCOMPARE(page.model()->rowCount(), 1); // the data namespace
        // When the namespace is expanded and a key selected
        const QModelIndex ns = page.model()->index(0, 0);
        page.view()->expand(ns);
        const QModelIndex key = page.model()->index(0, 0, ns);
        QSignalSpy shown(&page, &KeysPage::valueShown);
        QSignalSpy decoded(page.payloadView(), &PayloadView::decoded);
        page.view()->setCurrentIndex(key);
        // Then its metadata and its stored bytes are shown, decoded
        QTRY_COMPARE(shown.size(), 1);
        QVERIFY(shown.first().at(1).toByteArray().startsWith("!\x80\x05")); // RedisCache's pickle marker
        QTRY_COMPARE(decoded.size(), 1); // the payload view decoded it (this fixture's frame is short: ok or not)
        QTRY_COMPARE(key.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"));
        QCOMPARE(key.siblingAtColumn(KeyTreeModel::TtlColumn).data().toString(), QStringLiteral("never"));
        QCOMPARE(key.siblingAtColumn(KeyTreeModel::KindColumn).data().toString(), QStringLiteral("chart data"));
        QCOMPARE(page.currentKey(), page.model()->keyAt(key));
    }

    void shouldOpenAnExactKeyWithoutScanning()
    {
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        page.show();
        page.setSource(&source);
        QTRY_VERIFY(!page.model()->isFetching());
        // The key as the application names it (no prefix) is found under its stored name
        page.filterEdit()->setText(QStringLiteral("6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00"));
        QTRY_VERIFY(page.model()->isExactMode());
        QCOMPARE(page.model()->loadedKeyCount(), 1ull);
        QVERIFY(!page.model()->canFetchMore({}));
        QTRY_COMPARE(page.currentKey(), QByteArray("superset_6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00"));
        QTRY_VERIFY(!page.payloadView()->isDecoding() && page.payloadView()->valueJson().contains("status"));
        // A key that does not exist says so
        page.filterEdit()->setText(QStringLiteral("no-such-key"));
        QTRY_VERIFY(page.messageBar()->isVisible());
        QVERIFY(page.messageBar()->text().contains(QStringLiteral("no-such-key")));
    }

    void shouldGuardWritesWithThePadlock()
    {
        QVERIFY(m_client->command({"SET", "superset_victim:1", "a"}).hasValue());
        QVERIFY(m_client->command({"SET", "superset_victim:2", "b"}).hasValue());
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        QStringList questions;
        bool answer = false;
        page.setConfirmHandler([&](const QString &q) {
            questions << q;
            return answer;
        });
        page.show();
        page.setSource(&source);
        page.filterEdit()->setText(QStringLiteral("superset_victim*"));
        QTRY_COMPARE(page.model()->filter(), QByteArray("superset_victim*"));
        QTRY_VERIFY(page.model()->isScanComplete());
        const QModelIndex ns = findNamespace(*page.model(), "superset_victim:");
        QVERIFY(ns.isValid());
        page.view()->expand(ns);
        page.view()->selectionModel()->select(page.model()->index(0, 0, ns),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        // Read-only: delete is refused by the source, nothing changes
        page.deleteSelected();
        QTRY_VERIFY(page.messageBar()->isVisible());
        QVERIFY(page.messageBar()->text().contains(QStringLiteral("read-only")));
        QCOMPARE(m_server.command({"EXISTS", "superset_victim:1"}).trimmed(), QByteArray(":1"));
        // The padlock asks first; a "no" keeps it locked
        page.padlock()->click();
        QCOMPARE(questions.size(), 1);
        QVERIFY(!source.writesEnabled());
        answer = true;
        page.padlock()->click();
        QVERIFY(source.writesEnabled());
        // Deleting the namespace asks again, then removes exactly its keys and its row
        page.view()->selectionModel()->select(ns, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        page.deleteSelected();
        QCOMPARE(questions.size(), 3);
        QVERIFY(questions.last().contains(QStringLiteral("superset_victim:*")));
        QTRY_VERIFY(!findNamespace(*page.model(), "superset_victim:").isValid());
        QCOMPARE(m_server.command({"EXISTS", "superset_victim:1", "superset_victim:2"}).trimmed(), QByteArray(":0"));
        QCOMPARE(m_server.command({"EXISTS", "other_app:x"}).trimmed(), QByteArray(":1"));
    }

    void shouldExportSelectionWithMetadata()
    {
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        page.show();
        page.setSource(&source);
        page.filterEdit()->setText(QStringLiteral("superset_db:1*"));
        QTRY_COMPARE(page.model()->filter(), QByteArray("superset_db:1*"));
        QTRY_VERIFY(page.model()->isScanComplete());
        page.view()->expandAll();
        page.view()->selectAll();
        QTemporaryDir dir;
        QVERIFY(page.exportSelection(dir.filePath(QStringLiteral("k.json")), true));
        QFile f(dir.filePath(QStringLiteral("k.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray rows = QJsonDocument::fromJson(f.readAll()).array();
        QCOMPARE(rows.size(), qsizetype(page.model()->loadedKeyCount()));
        QVERIFY(rows.size() > 1);
        for (const auto &r : rows)
            QVERIFY(r.toObject().value(u"key").toString().startsWith(u"superset_db:1"));
        QVERIFY(page.exportSelection(dir.filePath(QStringLiteral("k.csv")), false));
        QFile csv(dir.filePath(QStringLiteral("k.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readLine().startsWith("key,type,ttl_ms,size,kind"));
    }

    void shouldListANamespaceTooLargeForTheTreeFlat()
    {
        // Given a namespace with more rows than the tree expands
        const int big = KeysPage::kFlatRows + 500;
        QList<QByteArray> keys;
        for (int i = 0; i < big; ++i)
            keys << "superset_big:" + hex32(i);
        fill(*m_client, keys, "v");
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false);
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setSource(&source);
        page.filterEdit()->setText(QStringLiteral("superset_big:*"));
        QTRY_COMPARE(page.model()->filter(), QByteArray("superset_big:*"));
        QTRY_VERIFY(page.model()->rowCount() == 1);
        const QPersistentModelIndex ns = page.model()->index(0, 0);
        // When it is expanded while it loads
        page.view()->expand(ns);
        QVERIFY(!page.isShowingFlat()); // still small
        page.loadAll();
        // Then, once it grows past the limit, it is listed flat instead of expanded
        QTRY_VERIFY_WITH_TIMEOUT(page.isShowingFlat(), 30000);
        QVERIFY(!page.view()->isExpanded(ns));
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->isScanComplete(), 60000);
        QTableView *table = page.flatView()->table();
        QCOMPARE(table->rootIndex(), QModelIndex(ns));
        QCOMPARE(table->model()->rowCount(table->rootIndex()), big);
        QTRY_VERIFY(page.flatView()->title().contains(formatCount(quint64(big))));
        // the rows on screen get their metadata, a selected key its value
        QTRY_COMPARE(page.model()->index(0, KeyTreeModel::TypeColumn, ns).data().toString(), QStringLiteral("string"));
        QSignalSpy shown(&page, &KeysPage::valueShown);
        table->setCurrentIndex(page.model()->index(5, 0, ns));
        QTRY_COMPARE(shown.size(), 1);
        QCOMPARE(shown.first().at(0).toByteArray(), page.model()->keyAt(page.model()->index(5, 0, ns)));
        QCOMPARE(page.currentKey(), shown.first().at(0).toByteArray());
        // Back to the tree: the namespace is selected, collapsed
        page.flatView()->backButton()->click();
        QVERIFY(!page.isShowingFlat());
        QCOMPARE(page.view()->currentIndex(), QModelIndex(ns));
        QVERIFY(!page.view()->isExpanded(ns));
        // And expanding it again lists it flat at once
        page.view()->expand(ns);
        QVERIFY(page.isShowingFlat());
        // A new filter (a reset) goes back to the tree
        page.filterEdit()->setText(QStringLiteral("superset_db*"));
        QTRY_COMPARE(page.model()->filter(), QByteArray("superset_db*"));
        QVERIFY(!page.isShowingFlat());
        QList<QList<QByteArray>> dels;
        for (qsizetype at = 0; at < keys.size(); at += 1000)
            dels.append(QList<QByteArray>{"DEL"} + keys.mid(at, 1000));
        QVERIFY(m_client->pipeline(dels).hasValue());
    }

    // A key or a JSON string that begins with U+FEFF keeps it on screen and in the clipboard: Qt 6.4's
    // QString::fromUtf8 and QJsonDocument::fromJson drop a leading BOM, and QJsonDocument sorts keys.
    void shouldKeepALeadingByteOrderMarkInKeysAndCopiedJson()
    {
        const QByteArray bom("\xEF\xBB\xBF");
        const QString qbom(QChar(0xFEFF));
        const QByteArray json = "{\"z\":\"" + bom + "zeta\",\"a\":[1,2]}";
        const QList<QByteArray> keys{"bt:" + bom + "lone", "bt:" + bom + "ns:a", "bt:" + bom + "ns:b",
                                     "bt:x:" + bom + "leaf", "bt:x:y"};
        for (const QByteArray &k : keys)
            QVERIFY(m_client->command({"SET", k, k == keys[0] ? json : QByteArray("v")}).hasValue());
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "bt:");
        KeysPage page;
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(false);
        page.show();
        page.setSource(&source);
        page.filterEdit()->setText(QStringLiteral("bt:*"));
        QTRY_COMPARE(page.model()->filter(), QByteArray("bt:*"));
        page.loadAll();
        QTRY_VERIFY(page.model()->isScanComplete());
        QCOMPARE(page.model()->loadedKeyCount(), quint64(keys.size()));
        // Then the key column shows the BOM where the name begins with one
        const QModelIndex lone = page.model()->indexForKey(keys[0]);
        QVERIFY(lone.isValid());
        QCOMPARE(lone.data().toString(), qbom + u"lone");
        const QModelIndex ns = findNamespace(*page.model(), "bt:" + bom + "ns:");
        QVERIFY(ns.isValid());
        QVERIFY2(ns.data().toString().startsWith(qbom + u"ns"), qPrintable(ns.data().toString()));
        QVERIFY(ns.data(Qt::ToolTipRole).toString().startsWith(u"bt:" + qbom + u"ns:"));
        const QModelIndex leaf = page.model()->indexForKey(keys[3]);
        QVERIFY(leaf.isValid());
        QCOMPARE(leaf.data().toString(), qbom + u"leaf");
        // And "Copy value as JSON" keeps the string's BOM and the members' order, both while the
        // value is still being decoded (the stored JSON, indented) and after (the decoded value)
        QString whileDecoding;
        connect(&page, &KeysPage::valueShown, &page, [&] {
            page.copyValueAsJson();
            whileDecoding = QGuiApplication::clipboard()->text();
        });
        QSignalSpy decoded(page.payloadView(), &PayloadView::decoded);
        page.view()->setCurrentIndex(lone);
        QTRY_VERIFY(!whileDecoding.isEmpty());
        QCOMPARE(whileDecoding, QString(u"{\n    \"z\": \"" + qbom + u"zeta\",\n    \"a\": [\n        1,\n        2\n    ]\n}"));
        QTRY_COMPARE(decoded.size(), 1);
        page.copyValueAsJson();
        const QString afterDecoding = QGuiApplication::clipboard()->text();
        QVERIFY2(afterDecoding.contains(u"\"" + qbom + u"zeta\""), qPrintable(afterDecoding));
        QVERIFY(afterDecoding.indexOf(u"\"z\"") < afterDecoding.indexOf(u"\"a\""));
        QList<QByteArray> del{"DEL"};
        QVERIFY(m_client->command(del + keys).hasValue());
    }

    void screenshot()
    {
        const QString path = qEnvironmentVariable("CACHESCOPE_SCREENSHOT");
        if (path.isEmpty())
            return; // only on request: the screenshot is for people, not an assertion
        RedisKeySource source(*RedisUrl::parse(m_server.url()), "superset_");
        KeysPage page;
        page.resize(1280, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setSource(&source, QStringLiteral("DATA_CACHE_CONFIG"));
        page.loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->isScanComplete(), 60000);
        const QModelIndex ns = findNamespace(*page.model(), "superset_data_");
        page.view()->expand(ns);
        page.view()->expand(findNamespace(*page.model(), "superset_db:"));
        // (a namespace this large is listed flat)
        QAbstractItemView *active = page.isShowingFlat() ? static_cast<QAbstractItemView *>(page.flatView()->table()) : page.view();
        active->setCurrentIndex(page.model()->index(2, 0, ns));
        QTest::qWait(800);
        QVERIFY(page.grab().save(path));
    }
};

QTEST_MAIN(TestKeysPage)
#include "tst_keyspage.moc"
