#include "browse/cachekeysource.h"
#include "cache/cache.h"
#include "keytreemodel.h"

#include <QAbstractItemModelTester>
#include <QMap>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace cachescope;

namespace {

// A tiny in-process cache (test only): values and expiry seconds per key, scan by sorted order.
class MapCache : public Cache
{
public:
    struct Entry
    {
        PyValue value;
        qint64 timeout = 0; // seconds, 0 = never
    };
    QMap<QByteArray, Entry> entries;

    QString backendName() const override { return QStringLiteral("MapCache"); }
    QString location() const override { return QStringLiteral("in-process"); }

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override
    {
        if (!entries.contains(key))
            return std::optional<PyValue>();
        return std::optional<PyValue>(entries.value(key).value);
    }
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override
    {
        entries.insert(key, {value, normalizeTimeout(timeout)});
        return true;
    }
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override
    {
        if (entries.contains(key))
            return false;
        return doSet(key, value, timeout);
    }
    Expected<bool> doRemove(const QByteArray &key) override { return entries.remove(key) > 0; }
    Expected<bool> doHas(const QByteArray &key) override { return entries.contains(key); }
    Expected<bool> doClear() override
    {
        entries.clear();
        return true;
    }
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) override
    {
        if (!entries.contains(key))
            return std::optional<QByteArray>();
        return std::optional<QByteArray>(QByteArray("raw:") + key);
    }
    Expected<EntryTtl> doTtl(const QByteArray &key) override
    {
        if (!entries.contains(key))
            return EntryTtl{};
        const qint64 t = entries.value(key).timeout;
        return t == 0 ? EntryTtl{EntryTtl::State::Never, 0} : EntryTtl{EntryTtl::State::Expires, t};
    }
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) override
    {
        if (!entries.contains(key))
            return std::optional<qint64>();
        return std::optional<qint64>(key.size() + 10);
    }
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) override
    {
        const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(QString::fromUtf8(glob)));
        const QList<QByteArray> keys = entries.keys();
        const qsizetype from = cursor.toLongLong();
        const qsizetype to = qMin(keys.size(), from + count);
        ScanPage page;
        for (qsizetype i = from; i < to; ++i) {
            if (re.match(QString::fromUtf8(keys[i])).hasMatch())
                page.keys << keys[i];
        }
        page.nextCursor = to >= keys.size() ? QByteArray("0") : QByteArray::number(to);
        return page;
    }
};

} // namespace

class TestCacheKeySource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldBrowseAnInProcessCache()
    {
        MapCache cache;
        for (int i = 0; i < 2500; ++i)
            cache.set("chart:" + QByteArray::number(i), PyValue::integer(i), i % 2 ? Timeout(600) : Timeout(0));
        CacheKeySource source(&cache);
        KeyTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBatchSize(300);
        model.setSource(&source);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        QCOMPARE(model.loadedKeyCount(), 2500ull);
        const QModelIndex i = model.indexForKey("chart:7");
        QVERIFY(i.isValid());
        model.requestMetadata({i, model.indexForKey("chart:8")});
        QTRY_COMPARE(i.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("pickle"));
        QCOMPARE(i.siblingAtColumn(KeyTreeModel::SizeColumn).data(KeyTreeModel::SizeBytesRole).toLongLong(), 17);
        QCOMPARE(model.indexForKey("chart:8").siblingAtColumn(KeyTreeModel::TtlColumn).data().toString(),
                 QStringLiteral("never"));
        QSignalSpy value(&source, &KeySource::valueReady);
        source.requestValue("chart:7");
        QTRY_COMPARE(value.size(), 1);
        QCOMPARE(value.at(0).at(2).toByteArray(), QByteArray("raw:chart:7"));
    }

    void shouldGuardWrites()
    {
        MapCache cache;
        cache.set("a:1", PyValue::integer(1), Timeout(0));
        cache.set("a:2", PyValue::integer(2), Timeout(0));
        cache.set("b:1", PyValue::integer(3), Timeout(0));
        CacheKeySource source(&cache);
        QSignalSpy failed(&source, &KeySource::writeFailed);
        QSignalSpy finished(&source, &KeySource::writeFinished);
        source.deleteKeys({"a:1"});
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(cache.entries.size(), 3);
        source.setWritesEnabled(true);
        source.deleteNamespace("a:");
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(1).toLongLong(), 2);
        QCOMPARE(cache.entries.keys(), QList<QByteArray>{"b:1"});
        source.setTtl({"b:1"}, 30000);
        QTRY_COMPARE(finished.size(), 2);
        QCOMPARE(cache.entries.value("b:1").timeout, 30);
    }
};

QTEST_GUILESS_MAIN(TestCacheKeySource)
#include "tst_cachekeysource.moc"
