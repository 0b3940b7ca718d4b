#include "cache/cachemanager.h"
#include "cacheoverviewmodel.h"
#include "formatting.h"

#include <QAbstractItemModelTester>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

using namespace cachescope;

namespace {

CacheSpec spec(CachePurpose purpose, BackendType backend, QByteArray prefix = {}, qint64 timeout = 300)
{
    CacheSpec s;
    s.purpose = purpose;
    s.backend = backend;
    s.keyPrefix = std::move(prefix);
    s.defaultTimeout = timeout;
    return s;
}

// "row,first-last;..." for a dataChanged spy, so a whole emission sequence compares at once.
QString ranges(const QSignalSpy &spy)
{
    QStringList out;
    for (const auto &args : spy) {
        const auto tl = args.at(0).value<QModelIndex>();
        const auto br = args.at(1).value<QModelIndex>();
        out << QStringLiteral("%1,%2-%3").arg(tl.row()).arg(tl.column()).arg(br.column());
        if (tl.row() != br.row())
            out << QStringLiteral("multirow!");
    }
    return out.join(u';');
}

// A cache whose key scan waits for the test: stands in for a slow Redis SCAN.
class BlockingScanCache : public Cache
{
public:
    QSemaphore entered, release;
    std::atomic_bool inScan{false};
    QString backendName() const override { return QStringLiteral("BlockingScanCache"); }
    QString location() const override { return QStringLiteral("test"); }

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &) override { return std::optional<PyValue>{}; }
    Expected<bool> doSet(const QByteArray &, const PyValue &, Timeout) override { return true; }
    Expected<bool> doAdd(const QByteArray &, const PyValue &, Timeout) override { return true; }
    Expected<bool> doRemove(const QByteArray &) override { return false; }
    Expected<bool> doHas(const QByteArray &) override { return false; }
    Expected<bool> doClear() override { return true; }
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &) override { return std::optional<QByteArray>{}; }
    Expected<EntryTtl> doTtl(const QByteArray &) override { return EntryTtl{}; }
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &) override { return std::optional<qint64>{}; }
    Expected<ScanPage> doScan(const QByteArray &, const QByteArray &, int) override
    {
        inScan = true;
        entered.release();
        release.tryAcquire(1, 60000); // bounded: a broken test must not hang forever
        inScan = false;
        return ScanPage{"0", {"a", "b"}};
    }
};

} // namespace

class tst_CacheOverviewModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<CacheManager> m_manager;
    std::unique_ptr<CacheOverviewModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QVariant value(int row, int column, int role = Qt::DisplayRole) const
    {
        return m_model->data(m_model->index(row, column), role);
    }

private Q_SLOTS:
    void init()
    {
        auto manager = CacheManager::create({spec(CachePurpose::Cache, BackendType::Null),
                                             spec(CachePurpose::Data, BackendType::Simple, "superset_data_", 600),
                                             spec(CachePurpose::Thumbnail, BackendType::Simple, {}, 0)});
        QVERIFY(manager);
        m_manager = std::move(*manager);
        m_model = std::make_unique<CacheOverviewModel>();
        // Attached before the first population, so every change is checked.
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_model->setRefreshInterval(0); // the test drives refresh() itself
        m_model->setEntryCountInterval(0);
        m_model->setCacheManager(m_manager.get());
    }

    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
        m_manager.reset();
    }

    void shouldShowOneRowPerPurpose()
    {
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->columnCount(), int(CacheOverviewModel::NUM_COLUMNS));
        QCOMPARE(value(0, CacheOverviewModel::Purpose).toString(), QStringLiteral("CACHE_CONFIG"));
        QCOMPARE(value(0, CacheOverviewModel::Backend).toString(), QStringLiteral("NullCache"));
        QCOMPARE(value(1, CacheOverviewModel::Purpose).toString(), QStringLiteral("DATA_CACHE_CONFIG"));
        QCOMPARE(value(1, CacheOverviewModel::Backend).toString(), QStringLiteral("SimpleCache"));
        QCOMPARE(value(1, CacheOverviewModel::Location).toString(), QStringLiteral("in-process"));
        QCOMPARE(value(1, CacheOverviewModel::Prefix).toString(), QStringLiteral("superset_data_"));
        QCOMPARE(value(2, CacheOverviewModel::Prefix).toString(), QStringLiteral("(none)"));
        QCOMPARE(value(1, CacheOverviewModel::DefaultTimeout).toString(), QStringLiteral("10m 0s"));
        QCOMPARE(value(1, CacheOverviewModel::DefaultTimeout, CacheOverviewModel::SortRole).toLongLong(), 600);
        QCOMPARE(value(2, CacheOverviewModel::DefaultTimeout).toString(), QStringLiteral("never"));
        QCOMPARE(value(1, CacheOverviewModel::Purpose, CacheOverviewModel::PurposeRole).toInt(),
                 int(CachePurpose::Data));
        // No reads yet: no hit rate, and it sorts below every real one
        QCOMPARE(value(1, CacheOverviewModel::HitRate).toString(), QStringLiteral("—"));
        QVERIFY(value(1, CacheOverviewModel::HitRate, CacheOverviewModel::SortRole).toDouble() < 0);
        for (int c = 0; c < CacheOverviewModel::NUM_COLUMNS; ++c)
            QVERIFY(!m_model->headerData(c, Qt::Horizontal).toString().isEmpty());
    }

    void shouldShowServerFiguresAndAnnounceOnlyTheirChanges()
    {
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        // Not polled yet: a dash, sorting below every real figure
        QCOMPARE(value(1, CacheOverviewModel::Memory).toString(), QStringLiteral("—"));
        QCOMPARE(value(1, CacheOverviewModel::ServerHitRate).toString(), QStringLiteral("—"));
        // When INFO figures arrive for the Data cache's server, only its two cells are announced
        m_model->setServerFigures(CachePurpose::Data, 3 * 1024 * 1024, 0.25);
        QCOMPARE(ranges(changed), QStringLiteral("1,6-6;1,10-10"));
        QCOMPARE(value(1, CacheOverviewModel::Memory).toString(), formatBytes(3 * 1024 * 1024));
        QCOMPARE(value(1, CacheOverviewModel::Memory, CacheOverviewModel::SortRole).toLongLong(), 3 * 1024 * 1024);
        QCOMPARE(value(1, CacheOverviewModel::ServerHitRate).toString(), formatPercent(0.25));
        QCOMPARE(value(0, CacheOverviewModel::Memory).toString(), QStringLiteral("—"));
        changed.clear();
        // The same figures again announce nothing; an unknown rate (no reads) goes back to a dash
        m_model->setServerFigures(CachePurpose::Data, 3 * 1024 * 1024, 0.25);
        QCOMPARE(ranges(changed), QString());
        m_model->setServerFigures(CachePurpose::Data, 3 * 1024 * 1024, -1);
        QCOMPARE(ranges(changed), QStringLiteral("1,10-10"));
        QCOMPARE(value(1, CacheOverviewModel::ServerHitRate).toString(), QStringLiteral("—"));
        // And a counter refresh keeps them
        m_model->refresh();
        QCOMPARE(value(1, CacheOverviewModel::Memory, CacheOverviewModel::SortRole).toLongLong(), 3 * 1024 * 1024);
        QCOMPARE(reset.count(), 0);
    }

    void shouldMarkServerFiguresStaleWhileTheServerIsAway()
    {
        m_model->setServerFigures(CachePurpose::Data, 3 * 1024 * 1024, 0.25);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy stale(m_model.get(), &CacheOverviewModel::serverStaleChanged);
        QVERIFY(!value(1, CacheOverviewModel::Memory, Qt::ForegroundRole).isValid());
        // When the Data cache's server stops answering, its two server cells keep their values
        // but are announced as drawn differently, with a tooltip saying since when
        m_model->setServerStale(CachePurpose::Data, 1700000000000);
        QCOMPARE(ranges(changed), QStringLiteral("1,6-6;1,10-10"));
        QCOMPARE(stale.count(), 1);
        QCOMPARE(value(1, CacheOverviewModel::Memory).toString(), formatBytes(3 * 1024 * 1024));
        QVERIFY(value(1, CacheOverviewModel::Memory, Qt::ForegroundRole).isValid());
        QVERIFY(value(1, CacheOverviewModel::ServerHitRate, Qt::ForegroundRole).isValid());
        QVERIFY(!value(1, CacheOverviewModel::Hits, Qt::ForegroundRole).isValid());
        QVERIFY(!value(0, CacheOverviewModel::Memory, Qt::ForegroundRole).isValid());
        QVERIFY(value(1, CacheOverviewModel::Memory, Qt::ToolTipRole).toString().contains(QStringLiteral("No answer")));
        QCOMPARE(m_model->unreachableLocations().size(), 1);
        changed.clear();
        // Still away: nothing new to announce; back: the marks go
        m_model->setServerStale(CachePurpose::Data, 1700000005000);
        QCOMPARE(ranges(changed), QString());
        m_model->setServerStale(CachePurpose::Data, 0);
        QCOMPARE(ranges(changed), QStringLiteral("1,6-6;1,10-10"));
        QCOMPARE(stale.count(), 2);
        QVERIFY(!value(1, CacheOverviewModel::Memory, Qt::ForegroundRole).isValid());
        QVERIFY(m_model->unreachableLocations().isEmpty());
    }

    void shouldAnnounceOnlyTheCellsThatChanged()
    {
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        auto data = m_manager->cache(CachePurpose::Data);

        // Given nothing happened, when refreshed, then nothing is announced
        m_model->refresh();
        QCOMPARE(ranges(changed), QString());

        // Given a miss on the Data cache: Misses and Hit rate change (adjacent: one range; Memory sits before Hits)
        QVERIFY(data->get("k"));
        m_model->refresh();
        QCOMPARE(ranges(changed), QStringLiteral("1,8-9"));
        QCOMPARE(value(1, CacheOverviewModel::Misses).toString(), QStringLiteral("1"));
        QCOMPARE(value(1, CacheOverviewModel::HitRate).toString(), QStringLiteral("0.0 %"));
        changed.clear();

        // Given a set and a hit: Hits and Hit rate change, Misses does not (two ranges)
        QVERIFY(data->set("k", PyValue::integer(1)));
        QVERIFY(data->get("k"));
        m_model->refresh();
        QCOMPARE(ranges(changed), QStringLiteral("1,7-7;1,9-9"));
        QCOMPARE(value(1, CacheOverviewModel::Hits, CacheOverviewModel::SortRole).toULongLong(), 1u);
        QCOMPARE(value(1, CacheOverviewModel::HitRate).toString(), QStringLiteral("50.0 %"));
        QCOMPARE(value(1, CacheOverviewModel::HitRate, CacheOverviewModel::SortRole).toDouble(), 0.5);
        changed.clear();

        // Given traffic on another purpose only, only its row is announced
        QVERIFY(m_manager->cache(CachePurpose::Thumbnail)->get("t"));
        m_model->refresh();
        QCOMPARE(ranges(changed), QStringLiteral("2,8-9"));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(m_model->totals().hits, 1u);
        QCOMPARE(m_model->totals().misses, 2u);
    }

    void shouldCountEntriesInTheBackground()
    {
        auto data = m_manager->cache(CachePurpose::Data);
        for (int i = 0; i < 42; ++i)
            QVERIFY(data->set("k" + QByteArray::number(i), PyValue::integer(i)));
        QTRY_VERIFY(!m_model->isCountingEntries()); // the count started by setCacheManager
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->refreshEntryCounts();
        QTRY_COMPARE(value(1, CacheOverviewModel::Entries, CacheOverviewModel::SortRole).toLongLong(), 42);
        QCOMPARE(value(1, CacheOverviewModel::Entries).toString(), QStringLiteral("42"));
        QCOMPARE(value(0, CacheOverviewModel::Entries, CacheOverviewModel::SortRole).toLongLong(), 0);
        // Only Entries cells were announced
        for (const auto &args : changed) {
            QCOMPARE(args.at(0).value<QModelIndex>().column(), int(CacheOverviewModel::Entries));
            QCOMPARE(args.at(1).value<QModelIndex>().column(), int(CacheOverviewModel::Entries));
        }
        // A recount that finds the same numbers announces nothing
        changed.clear();
        QSignalSpy counted(m_model.get(), &CacheOverviewModel::entriesCounted);
        m_model->refreshEntryCounts();
        QTRY_COMPARE(counted.count(), 1);
        QCOMPARE(changed.count(), 0);
    }

    void shouldFollowAReplacedCache()
    {
        auto data = m_manager->cache(CachePurpose::Data);
        QVERIFY(data->get("k"));
        m_model->refresh();
        QCOMPARE(value(1, CacheOverviewModel::Misses).toString(), QStringLiteral("1"));
        QVERIFY(m_manager->setCache(spec(CachePurpose::Data, BackendType::Simple, "superset_data_", 30)));
        m_model->refresh();
        QCOMPARE(value(1, CacheOverviewModel::Misses).toString(), QStringLiteral("0"));
        QCOMPARE(value(1, CacheOverviewModel::DefaultTimeout, CacheOverviewModel::SortRole).toLongLong(), 30);
    }

    void shouldAddRowsForNewPurposes()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QVERIFY(m_manager->setCache(spec(CachePurpose::FilterState, BackendType::Simple)));
        m_model->refresh();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m_model->rowCount(), 4);
        QCOMPARE(value(3, CacheOverviewModel::Purpose).toString(), QStringLiteral("FILTER_STATE_CACHE_CONFIG"));
    }

    void shouldUpdateLiveOnItsTimer()
    {
        m_model->setRefreshInterval(20);
        QSignalSpy countersChanged(m_model.get(), &CacheOverviewModel::countersChanged);
        QVERIFY(m_manager->cache(CachePurpose::Data)->get("k"));
        QTRY_COMPARE(value(1, CacheOverviewModel::Misses, CacheOverviewModel::SortRole).toULongLong(), 1u);
        QVERIFY(countersChanged.count() >= 1);
    }

    void shouldNotWaitForASlowCountWhenGoingAway()
    {
        // Given an entry count stuck in a slow scan
        auto blocking = std::make_unique<BlockingScanCache>();
        BlockingScanCache *cache = blocking.get();
        std::shared_ptr<Cache> keepAlive;
        {
            CacheSpec slow = spec(CachePurpose::Results, BackendType::Redis);
            m_manager->adoptCache(slow, std::move(blocking));
            keepAlive = m_manager->cache(CachePurpose::Results);
        }
        m_model->refresh();
        QCOMPARE(m_model->rowCount(), 4);
        QTRY_VERIFY(!m_model->isCountingEntries()); // the count started by setCacheManager
        m_model->refreshEntryCounts();
        QVERIFY(m_model->isCountingEntries());
        QVERIFY(cache->entered.tryAcquire(1, 30000));

        // When the model and then the manager go away, neither waits for the scan
        m_tester.reset();
        m_model.reset();
        m_manager.reset();
        QVERIFY(cache->inScan.load());

        // Then the scan, released later, ends on caches it still holds
        cache->release.release();
        QThreadPool::globalInstance()->waitForDone();
        QVERIFY(!cache->inScan.load());
    }

    void shouldEmptyWithoutAManager()
    {
        m_model->setCacheManager(nullptr);
        QCOMPARE(m_model->rowCount(), 0);
        m_model->refresh();
        m_model->refreshEntryCounts();
        QCOMPARE(m_model->totals().hits, 0u);
    }
};

QTEST_GUILESS_MAIN(tst_CacheOverviewModel)
#include "tst_cacheoverviewmodel.moc"
