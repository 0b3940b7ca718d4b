#pragma once

#include "cache/cachecounters.h"
#include "cache/cachespec.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QList>
#include <QTimer>

#include <atomic>
#include <memory>

namespace cachescope {

class CacheManager;

// One row per cache purpose of a CacheManager: purpose, backend, location (server/db or
// directory), prefix, default timeout, entries, memory, hits, misses, hit rate of the embedded
// layer and, for Redis caches, the server's hit rate from INFO. Live: a timer re-reads the caches' atomic counters
// and emits dataChanged only for the cells whose value changed (never a reset for updates).
// Entry counts need a key scan, which may block (Redis), so they run on the thread pool and
// come back to this thread; the GUI thread never waits for a cache.
class CacheOverviewModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { Purpose, Backend, Location, Prefix, DefaultTimeout, Entries, Memory, Hits, Misses, HitRate, ServerHitRate, NUM_COLUMNS };
    enum Roles {
        SortRole = Qt::UserRole, // numbers for numeric columns, text otherwise
        PurposeRole,             // int(CachePurpose)
    };
    Q_ENUM(Columns)

    // Entry counts stop at this many keys ("100,000+") so a huge Redis is not scanned to the end.
    static constexpr qint64 kEntryCountLimit = 100'000;

    explicit CacheOverviewModel(QObject *parent = nullptr);
    ~CacheOverviewModel() override; // cancels a running entry count (without waiting for it)

    // The caches to show (not owned; must outlive this model or be replaced first). Resets.
    // Background counts hold their own handles to the caches, so they never need the manager.
    void setCacheManager(CacheManager *manager);
    CacheManager *cacheManager() const { return m_manager; }

    // Live refresh periods; 0 stops the timer (refresh() and refreshEntryCounts() still work).
    void setRefreshInterval(int ms);
    void setEntryCountInterval(int ms);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    bool isCountingEntries() const { return m_entryWatcher.isRunning(); }

    // INFO figures of the server a Redis cache lives on (from a RedisInfoPoller); serverHitRate
    // in [0, 1], negative when unknown. Announces only the cells that changed.
    void setServerFigures(cachescope::CachePurpose purpose, quint64 usedMemory, double serverHitRate);

    // The server of a Redis cache stopped answering at sinceMs (0: it answers again). Its server
    // figures (and a failed entry count) keep their last values, drawn in the disabled text
    // colour and in italics, with a tooltip saying since when they are from before.
    void setServerStale(cachescope::CachePurpose purpose, qint64 sinceMs);
    // "127.0.0.1:6379/0" for every row whose server does not answer, each once.
    QStringList unreachableLocations() const;

    // Sum of every cache's counters, as of the last refresh.
    CacheCountersSnapshot totals() const;

public Q_SLOTS:
    // Re-reads counters (cheap, non-blocking) and emits dataChanged for changed cells.
    void refresh();
    // Starts a background entry count unless one is already running.
    void refreshEntryCounts();

Q_SIGNALS:
    // Emitted after each refresh() that changed anything.
    void countersChanged();
    // Emitted when a background entry count has been applied.
    void entriesCounted();
    void serverStaleChanged();

private:
    struct Row
    {
        CachePurpose purpose = CachePurpose::Cache;
        QString backend;
        QString location;
        QString prefix;
        qint64 defaultTimeout = 0;
        qint64 entries = -1; // -1 = not counted yet
        QString entriesError;
        CacheCountersSnapshot counters;
        qint64 usedMemory = -1;     // server's used_memory, -1 = not a Redis cache or not polled yet
        double serverHitRate = -1;  // -1 = unknown
        qint64 serverStaleSinceMs = 0; // the server stopped answering then; 0 = it answers
    };
    struct EntryCount
    {
        CachePurpose purpose = CachePurpose::Cache;
        qint64 count = -1;
        QString error;
    };

    Row readRow(CachePurpose purpose, const Row *previous) const;
    QVariant cell(const Row &row, int column, int role) const;
    void onEntryCountsReady();
    void cancelEntryCount();

    CacheManager *m_manager = nullptr;
    QList<Row> m_rows;
    QTimer m_refreshTimer;
    QTimer m_entryTimer;
    QFutureWatcher<QList<EntryCount>> m_entryWatcher;
    std::shared_ptr<std::atomic_bool> m_entryStop;
    quint64 m_generation = 0;          // bumped when the manager changes; stale counts are dropped
    quint64 m_entryGeneration = 0;     // generation the running count was started for
};

} // namespace cachescope
