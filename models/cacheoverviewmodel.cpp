#include "cacheoverviewmodel.h"

#include "formatting.h"

#include "cache/cache.h"
#include "cache/cachemanager.h"
#include "codec/utf8.h"

#include "stalestyle.h"

#include <QDateTime>
#include <QThread>

#include <cmath>
#include <limits>
#include <QtConcurrent/QtConcurrentRun>

namespace cachescope {

namespace {

QString purposeDescription(CachePurpose purpose)
{
    switch (purpose) {
    case CachePurpose::Cache: return CacheOverviewModel::tr("Superset metadata (CACHE_CONFIG)");
    case CachePurpose::Data: return CacheOverviewModel::tr("Chart data (DATA_CACHE_CONFIG)");
    case CachePurpose::FilterState: return CacheOverviewModel::tr("Dashboard filter state (FILTER_STATE_CACHE_CONFIG)");
    case CachePurpose::ExploreFormData: return CacheOverviewModel::tr("Explore form data (EXPLORE_FORM_DATA_CACHE_CONFIG)");
    case CachePurpose::Thumbnail: return CacheOverviewModel::tr("Dashboard and chart thumbnails (THUMBNAIL_CACHE_CONFIG)");
    case CachePurpose::Results: return CacheOverviewModel::tr("SQL Lab results backend (RESULTS_BACKEND)");
    case CachePurpose::GlobalAsyncQueries: return CacheOverviewModel::tr("Async query results (GLOBAL_ASYNC_QUERIES_CACHE_BACKEND)");
    }
    return {};
}

} // namespace

CacheOverviewModel::CacheOverviewModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    connect(&m_refreshTimer, &QTimer::timeout, this, &CacheOverviewModel::refresh);
    connect(&m_entryTimer, &QTimer::timeout, this, &CacheOverviewModel::refreshEntryCounts);
    // The watcher lives on this object's thread, so finished() arrives here, queued.
    connect(&m_entryWatcher, &QFutureWatcherBase::finished, this, &CacheOverviewModel::onEntryCountsReady);
    m_refreshTimer.setInterval(500);
    m_entryTimer.setInterval(2000);
}

CacheOverviewModel::~CacheOverviewModel()
{
    cancelEntryCount();
}

void CacheOverviewModel::cancelEntryCount()
{
    // Never waits: the running count holds its own handles to the caches (not the manager),
    // stops at its next page and its result is dropped by the generation check.
    if (m_entryStop)
        m_entryStop->store(true);
    m_entryWatcher.setFuture({});
}

void CacheOverviewModel::setCacheManager(CacheManager *manager)
{
    cancelEntryCount();
    beginResetModel();
    ++m_generation;
    m_manager = manager;
    m_rows.clear();
    if (m_manager) {
        for (CachePurpose purpose : m_manager->purposes())
            m_rows.append(readRow(purpose, nullptr));
    }
    endResetModel();
    if (m_manager) {
        if (m_refreshTimer.interval() > 0)
            m_refreshTimer.start();
        if (m_entryTimer.interval() > 0)
            m_entryTimer.start();
        refreshEntryCounts();
    } else {
        m_refreshTimer.stop();
        m_entryTimer.stop();
    }
}

void CacheOverviewModel::setRefreshInterval(int ms)
{
    m_refreshTimer.setInterval(std::max(0, ms));
    if (ms > 0 && m_manager)
        m_refreshTimer.start();
    else
        m_refreshTimer.stop();
}

void CacheOverviewModel::setEntryCountInterval(int ms)
{
    m_entryTimer.setInterval(std::max(0, ms));
    if (ms > 0 && m_manager)
        m_entryTimer.start();
    else
        m_entryTimer.stop();
}

CacheOverviewModel::Row CacheOverviewModel::readRow(CachePurpose purpose, const Row *previous) const
{
    Row row;
    row.purpose = purpose;
    if (previous) {
        row.entries = previous->entries;
        row.entriesError = previous->entriesError;
        row.usedMemory = previous->usedMemory;
        row.serverHitRate = previous->serverHitRate;
        row.serverStaleSinceMs = previous->serverStaleSinceMs;
    }
    const auto spec = m_manager->spec(purpose);
    const auto cache = m_manager->cache(purpose);
    if (spec) {
        row.prefix = utf8::toString(spec->keyPrefix);
        row.location = spec->displayLocation();
        row.defaultTimeout = spec->defaultTimeout;
        row.backend = backendTypeName(spec->backend);
    }
    if (cache) {
        // Only cheap, non-blocking reads here: names and atomic counters.
        row.backend = cache->backendName();
        row.defaultTimeout = cache->defaultTimeout();
        row.counters = cache->counters().snapshot();
    }
    return row;
}

void CacheOverviewModel::refresh()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!m_manager)
        return;
    bool changed = false;
    const QList<CachePurpose> purposes = m_manager->purposes();
    // Purposes are only ever added (a replaced cache keeps its row).
    if (purposes.size() > m_rows.size()) {
        beginInsertRows({}, int(m_rows.size()), int(purposes.size()) - 1);
        for (qsizetype i = m_rows.size(); i < purposes.size(); ++i)
            m_rows.append(readRow(purposes[i], nullptr));
        endInsertRows();
        changed = true;
    }
    for (int r = 0; r < m_rows.size(); ++r) {
        Row next = readRow(m_rows[r].purpose, &m_rows[r]);
        bool differs[NUM_COLUMNS];
        for (int c = 0; c < NUM_COLUMNS; ++c)
            differs[c] = cell(m_rows[r], c, Qt::DisplayRole) != cell(next, c, Qt::DisplayRole)
                || cell(m_rows[r], c, SortRole) != cell(next, c, SortRole);
        // Stored before emitting: a view reacting to the signal must read the new values.
        m_rows[r] = std::move(next);
        // One dataChanged per run of adjacent changed cells; unchanged cells are never announced.
        for (int c = 0; c < NUM_COLUMNS; ++c) {
            if (!differs[c])
                continue;
            int last = c;
            while (last + 1 < NUM_COLUMNS && differs[last + 1])
                ++last;
            Q_EMIT dataChanged(index(r, c), index(r, last));
            changed = true;
            c = last;
        }
    }
    if (changed)
        Q_EMIT countersChanged();
}

void CacheOverviewModel::refreshEntryCounts()
{
    if (!m_manager || m_entryWatcher.isRunning())
        return;
    m_entryStop = std::make_shared<std::atomic_bool>(false);
    m_entryGeneration = m_generation;
    QList<CacheManager::Handle> handles;
    for (const Row &row : std::as_const(m_rows))
        handles.append(m_manager->handle(row.purpose));
    m_entryWatcher.setFuture(QtConcurrent::run([handles, stop = m_entryStop] {
        QList<EntryCount> counts;
        for (const CacheManager::Handle &handle : handles) {
            EntryCount count;
            count.purpose = handle.purpose;
            auto n = CacheManager::countEntries(handle, kEntryCountLimit, stop.get());
            if (n)
                count.count = *n;
            else
                count.error = n.error();
            counts.append(count);
        }
        return counts;
    }));
}

void CacheOverviewModel::onEntryCountsReady()
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QFuture<QList<EntryCount>> future = m_entryWatcher.future();
    if (m_entryGeneration != m_generation || future.isCanceled() || future.resultCount() == 0)
        return; // counted for a manager this model no longer shows
    const QList<EntryCount> counts = future.result();
    for (const EntryCount &count : counts) {
        if (m_entryStop && m_entryStop->load())
            return;
        for (int r = 0; r < m_rows.size(); ++r) {
            Row &row = m_rows[r];
            if (row.purpose != count.purpose)
                continue;
            // A failed recount keeps the last known number and says why in the tooltip.
            const qint64 entries = count.error.isEmpty() ? count.count : row.entries;
            if (row.entries == entries && row.entriesError == count.error)
                continue;
            row.entries = entries;
            row.entriesError = count.error;
            Q_EMIT dataChanged(index(r, Entries), index(r, Entries));
        }
    }
    Q_EMIT entriesCounted();
}

int CacheOverviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CacheOverviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant CacheOverviewModel::data(const QModelIndex &index, int role) const
{
    // Views and QAbstractItemModelTester ask for invalid indexes on purpose: answer, don't warn.
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_rows.size() || index.column() >= NUM_COLUMNS)
        return {};
    return cell(m_rows[index.row()], index.column(), role);
}

QVariant CacheOverviewModel::cell(const Row &row, int column, int role) const
{
    const CacheCountersSnapshot &c = row.counters;
    const quint64 gets = c.hits + c.misses;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Purpose: return purposeConfigName(row.purpose);
        case Backend: return row.backend;
        case Location: return row.location;
        case Prefix: return row.prefix.isEmpty() ? tr("(none)") : row.prefix;
        case DefaultTimeout: return formatDuration(row.defaultTimeout);
        case Entries:
            if (row.entries < 0)
                return row.entriesError.isEmpty() ? tr("counting…") : tr("unknown");
            return row.entries >= kEntryCountLimit ? formatCount(quint64(row.entries)) + u'+'
                                                   : formatCount(quint64(row.entries));
        case Memory: return row.usedMemory < 0 ? QStringLiteral("—") : formatBytes(row.usedMemory);
        case Hits: return formatCount(c.hits);
        case Misses: return formatCount(c.misses);
        case HitRate: return gets ? formatPercent(c.hitRate()) : QStringLiteral("—");
        case ServerHitRate: return row.serverHitRate < 0 ? QStringLiteral("—") : formatPercent(row.serverHitRate);
        }
        break;
    case SortRole:
        switch (column) {
        case Purpose: return int(row.purpose);
        case Backend: return row.backend;
        case Location: return row.location;
        case Prefix: return row.prefix;
        case DefaultTimeout: return row.defaultTimeout;
        case Entries: return row.entries;
        case Memory: return row.usedMemory;
        case Hits: return c.hits;
        case Misses: return c.misses;
        case HitRate: return gets ? c.hitRate() : -1.0;
        case ServerHitRate: return row.serverHitRate;
        }
        break;
    case PurposeRole:
        return int(row.purpose);
    case Qt::ToolTipRole:
        switch (column) {
        case Purpose: return purposeDescription(row.purpose);
        case Location: return row.location;
        case Entries:
            return row.entriesError.isEmpty() ? tr("Live entries, counted by a key scan") : row.entriesError;
        case DefaultTimeout: return tr("%n second(s); 0 means entries never expire", nullptr, int(std::min<qint64>(row.defaultTimeout, INT_MAX)));
        case HitRate: return tr("Embedded layer (exact): %1 hits of %2 reads").arg(formatCount(c.hits), formatCount(gets));
        case Memory:
        case ServerHitRate: {
            const QString what = column == Memory ? tr("used_memory of the whole Redis server (INFO)")
                                                  : tr("keyspace hits / (hits + misses) of the whole Redis server over the last "
                                                       "interval (INFO; server-wide)");
            if (!row.serverStaleSinceMs)
                return what;
            return tr("%1\nNo answer from the server since %2: this is the last value from before.")
                .arg(what, formatTimeOfDay(row.serverStaleSinceMs));
        }
        default: break;
        }
        break;
    case Qt::ForegroundRole:
    case Qt::FontRole: {
        // Values kept from before the server went away (or before a count failed) look it.
        const bool serverColumn = column == Memory || column == ServerHitRate;
        const bool stale = (serverColumn && row.serverStaleSinceMs) || (column == Entries && !row.entriesError.isEmpty());
        if (!stale)
            break;
        return role == Qt::ForegroundRole ? staleForeground() : staleFont();
    }
    case Qt::TextAlignmentRole:
        if (column >= DefaultTimeout)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    default:
        break;
    }
    return {};
}

QVariant CacheOverviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= NUM_COLUMNS)
        return {};
    if (role == Qt::TextAlignmentRole && section >= DefaultTimeout)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role == Qt::ToolTipRole && section == DefaultTimeout)
        return tr("CACHE_DEFAULT_TIMEOUT: how long an entry lives when set without a timeout");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Purpose: return tr("Purpose");
    case Backend: return tr("Backend");
    case Location: return tr("Server/db or directory");
    case Prefix: return tr("Key prefix");
    case DefaultTimeout: return tr("Timeout");
    case Entries: return tr("Entries");
    case Memory: return tr("Server memory");
    case Hits: return tr("Hits");
    case Misses: return tr("Misses");
    case HitRate: return tr("Hit rate");
    case ServerHitRate: return tr("Server hit rate");
    }
    return {};
}

void CacheOverviewModel::setServerFigures(CachePurpose purpose, quint64 usedMemory, double serverHitRate)
{
    for (int r = 0; r < m_rows.size(); ++r) {
        Row &row = m_rows[r];
        if (row.purpose != purpose)
            continue;
        const qint64 memory = qint64(std::min<quint64>(usedMemory, quint64(std::numeric_limits<qint64>::max())));
        const double rate = serverHitRate < 0 || std::isnan(serverHitRate) ? -1.0 : serverHitRate;
        if (row.usedMemory != memory) {
            row.usedMemory = memory;
            Q_EMIT dataChanged(index(r, Memory), index(r, Memory));
        }
        if (row.serverHitRate != rate) {
            row.serverHitRate = rate;
            Q_EMIT dataChanged(index(r, ServerHitRate), index(r, ServerHitRate));
        }
    }
}

void CacheOverviewModel::setServerStale(CachePurpose purpose, qint64 sinceMs)
{
    bool changed = false;
    for (int r = 0; r < m_rows.size(); ++r) {
        Row &row = m_rows[r];
        if (row.purpose != purpose || (row.serverStaleSinceMs != 0) == (sinceMs != 0))
            continue;
        row.serverStaleSinceMs = sinceMs;
        for (int column : {int(Memory), int(ServerHitRate)})
            Q_EMIT dataChanged(index(r, column), index(r, column), {Qt::ForegroundRole, Qt::FontRole, Qt::ToolTipRole});
        changed = true;
    }
    if (changed)
        Q_EMIT serverStaleChanged();
}

QStringList CacheOverviewModel::unreachableLocations() const
{
    QStringList out;
    for (const Row &row : m_rows)
        if (row.serverStaleSinceMs && !out.contains(row.location))
            out << row.location;
    return out;
}

CacheCountersSnapshot CacheOverviewModel::totals() const
{
    CacheCountersSnapshot t;
    for (const Row &row : m_rows) {
        t.hits += row.counters.hits;
        t.misses += row.counters.misses;
        t.sets += row.counters.sets;
        t.deletes += row.counters.deletes;
        t.errors += row.counters.errors;
        t.operations += row.counters.operations;
    }
    return t;
}

} // namespace cachescope
