#include "timeoutmodel.h"

#include "formatting.h"

#include "timeouts/timeoutedit.h"
#include "timeoutexplain.h"

#include "config/configreport.h"

#include <QColor>
#include <QElapsedTimer>
#include <QFont>
#include <QPointer>
#include <QThreadPool>

#include <bit>
#include <limits>

namespace cachescope {

namespace {

// Pitfall codes the resolver reports (timeoutresolver.cpp), one bit each, with the short label
// the Pitfalls column shows; the full message is in the tooltip and the detail pane.
struct PitfallName
{
    const char *code;
    const char *label;
};
constexpr PitfallName kPitfalls[] = {
    {"chart-ignored", "chart timeout ignored"},
    {"zero-skips-chain", "0 is falsy: chain skipped"},
    {"data-cache-config-ignored", "DATA_CACHE_CONFIG ignored"},
    {"async-floor", "raised to the async floor"},
    {"null-cache", "NullCache: nothing stored"},
    {"minus-one-not-bypass", "-1 is no bypass here"},
    {"minus-one-skipped", "-1: never written"},
    {"minus-one-never-expire", "-1 stored as never-expire"},
    {"minus-one-expired", "-1 written already expired"},
    {"negative-rejected", "negative timeout rejected"},
    {"legacy-zero-dropped", "legacy path drops the 0"},
};

// internalId: kind in the top 4 bits, the position (snapshot list, cache row or group) below,
// multiplied by an odd constant (a bijection modulo 2^60). Why: Qt hashes a QModelIndex as
// (row << 4) + column + internalId, and QHash probes linearly, so plain positions give 100,000
// persistent indexes one contiguous run of buckets; every lookup of an absent index then walks
// the run. Sorting the page with every row expanded took over 12 minutes that way.
constexpr int kKindShift = 60;
constexpr quintptr kPositionMask = (quintptr(1) << kKindShift) - 1;
constexpr quintptr kSpread = 0x9E3779B97F4A7C15ull & kPositionMask; // odd: invertible
constexpr quintptr inverseOf(quintptr odd)
{
    quintptr x = odd; // Newton's iteration doubles the correct low bits each step: 3, 6, 12, ... 96
    for (int i = 0; i < 5; ++i)
        x *= 2 - odd * x;
    return x;
}
constexpr quintptr kUnspread = inverseOf(kSpread) & kPositionMask;
static_assert(((kSpread * kUnspread) & kPositionMask) == 1);

quintptr makeId(TimeoutModel::RowKind kind, int position)
{
    return (quintptr(kind) << kKindShift) | ((quintptr(position) * kSpread) & kPositionMask);
}
TimeoutModel::RowKind kindOf(quintptr id)
{
    return TimeoutModel::RowKind(id >> kKindShift);
}
int positionOf(quintptr id)
{
    return int(((id & kPositionMask) * kUnspread) & kPositionMask);
}

QString counted(qint64 n, const char *noun)
{
    return QStringLiteral("%1 %2%3").arg(formatCount(quint64(n)), QLatin1String(noun), n == 1 ? QString() : QStringLiteral("s"));
}

// FNV-1a over the structure, so a reload with the same rows keeps the tree.
struct StructureHash
{
    quint64 h = 1469598103934665603ull;
    void add(qint64 v)
    {
        for (int i = 0; i < 8; ++i) {
            h ^= quint64(v >> (8 * i)) & 0xff;
            h *= 1099511628211ull;
        }
    }
};

} // namespace

struct TimeoutModel::Table
{
    // One resolved row: what data() shows, without the explanation.
    struct Cell
    {
        qint64 effective = 0;
        quint32 pitfalls = 0;
        quint8 source = 0;  // TimeoutLink
        quint8 stored = 0;  // StoredExpiry
        bool bypass = false;

        bool operator==(const Cell &o) const
        {
            return effective == o.effective && pitfalls == o.pitfalls && source == o.source && stored == o.stored
                   && bypass == o.bypass;
        }
    };

    std::shared_ptr<const TimeoutIndex> index; // null without a snapshot
    QList<CacheTimeoutRow> caches;
    std::vector<Group> groups;
    int groupRow[4] = {-1, -1, -1, -1};

    std::vector<Cell> databases, datasets, charts;
    // Children: datasets of each database (positions into dbDatasets), charts of each dataset.
    std::vector<int> dbDatasets, dbFirst, dbCount;
    std::vector<int> dsCharts, dsFirst, dsCount;
    std::vector<int> orphanDatasets, orphanCharts;
    // Parent and row under it.
    std::vector<int> datasetDb, datasetRow; // -1: the "datasets without a database" group
    std::vector<int> chartDs, chartRow;     // -1: the "charts without a SQL dataset" group

    // Display strings, computed once per table and shared by every row that shows them.
    std::vector<QString> datasetNames, chartDashboards, databaseDetails, datasetDetails;
    QStringList cacheNames, cacheDetails, cacheOwn, cacheEffective, cacheSource;
    QString groupNames[4];
    QHash<QPair<qint64, int>, QString> effectiveTexts; // (effective, stored | bypass << 4)
    QHash<qint64, QString> ownTexts;
    QString nullText = QStringLiteral("NULL");
    QString sourceTexts[int(TimeoutLink::AsyncFloor) + 1];
    QHash<quint32, QString> pitfallTexts;

    quint64 structure = 0;
    qint64 resolveMs = 0;

    const MetadataSnapshot *snapshot() const { return index ? &index->snapshot() : nullptr; }
    int childCount(RowKind kind, int position) const
    {
        switch (kind) {
        case RowKind::Group:
            switch (Group(position)) {
            case Group::Caches: return int(caches.size());
            case Group::Databases: return int(databases.size());
            case Group::OrphanDatasets: return int(orphanDatasets.size());
            case Group::OrphanCharts: return int(orphanCharts.size());
            }
            return 0;
        case RowKind::Database: return dbCount[position];
        case RowKind::Dataset: return dsCount[position];
        default: return 0;
        }
    }
    const Cell *cell(RowKind kind, int position) const
    {
        switch (kind) {
        case RowKind::Database: return &databases[position];
        case RowKind::Dataset: return &datasets[position];
        case RowKind::Chart: return &charts[position];
        default: return nullptr;
        }
    }
    const QString &effectiveText(const Cell &c) const
    {
        return *effectiveTexts.find(qMakePair(c.effective, int(c.stored) | (c.bypass ? 16 : 0)));
    }
    const QString &ownText(const std::optional<qint64> &own) const
    {
        return own ? *ownTexts.find(*own) : nullText;
    }
};

namespace {

TimeoutModel::Table::Cell cellOf(const TimeoutResolution &r)
{
    TimeoutModel::Table::Cell c;
    c.effective = r.effective;
    c.source = quint8(r.source);
    c.stored = quint8(r.stored.kind);
    c.bypass = r.bypass;
    for (const TimeoutPitfall &p : r.pitfalls)
        c.pitfalls |= TimeoutModel::pitfallBit(p.code);
    return c;
}

QString effectiveDisplay(qint64 effective, StoredExpiry stored, bool bypass)
{
    if (bypass)
        return QStringLiteral("-1: bypass");
    QString text = effective == 0 ? QStringLiteral("never (0)")
                   : effective < 0 ? QString::number(effective)
                                   : QStringLiteral("%1 (%2 s)").arg(formatDuration(effective)).arg(effective);
    switch (stored) {
    case StoredExpiry::Never:
        if (effective != 0)
            text += QStringLiteral(" → never expires");
        break;
    case StoredExpiry::ExpiredAtOnce: text += QStringLiteral(" → stored expired"); break;
    case StoredExpiry::Rejected: text += QStringLiteral(" → rejected"); break;
    case StoredExpiry::NotStored: text += QStringLiteral(" → not stored"); break;
    case StoredExpiry::Seconds:
    case StoredExpiry::Unknown: break;
    }
    return text;
}

// Builds the whole table from the inputs, off the GUI thread. Returns null when a newer
// generation was requested meanwhile (the result would be dropped anyway).
std::shared_ptr<TimeoutModel::Table> buildTable(const std::shared_ptr<const MetadataSnapshot> &snapshot,
                                                const TimeoutConfig &config, const QList<CacheTimeoutRow> &caches,
                                                SupersetFamily family, const std::atomic<quint64> &latest,
                                                quint64 generation)
{
    using Group = TimeoutModel::Group;
    QElapsedTimer clock;
    clock.start();
    auto t = std::make_shared<TimeoutModel::Table>();
    t->caches = caches;
    StructureHash hash;
    hash.add(caches.size());
    for (const CacheTimeoutRow &c : caches)
        hash.add(qint64(c.purpose));

    // Cache rows.
    for (const CacheTimeoutRow &c : caches) {
        t->cacheNames << purposeConfigName(c.purpose);
        t->cacheDetails << QStringLiteral("%1 · %2").arg(backendTypeName(c.backend), c.meaning);
        t->cacheOwn << (c.own ? QString::number(*c.own) : QStringLiteral("not set"));
        t->cacheEffective << effectiveDisplay(c.effective, StoredExpiry::Seconds, false);
        QString source = c.source == u"default" ? QStringLiteral("Superset's default") : c.source;
        if (c.at.isValid())
            source += QStringLiteral(" (%1)").arg(c.at.toString());
        t->cacheSource << source;
    }
    t->groups.push_back(Group::Caches);

    auto addOwn = [&](const std::optional<qint64> &own) {
        if (own && !t->ownTexts.contains(*own))
            t->ownTexts.insert(*own, QString::number(*own));
    };
    auto addEffective = [&](const TimeoutModel::Table::Cell &c) {
        const auto key = qMakePair(c.effective, int(c.stored) | (c.bypass ? 16 : 0));
        if (!t->effectiveTexts.contains(key))
            t->effectiveTexts.insert(key, effectiveDisplay(c.effective, StoredExpiry(c.stored), c.bypass));
        if (!t->pitfallTexts.contains(c.pitfalls))
            t->pitfallTexts.insert(c.pitfalls, TimeoutModel::pitfallLabels(c.pitfalls));
    };
    for (int link = 0; link <= int(TimeoutLink::AsyncFloor); ++link) {
        QString text = timeoutLinkName(TimeoutLink(link));
        if (TimeoutLink(link) == TimeoutLink::CacheDefaultTimeout)
            text += config.cacheDefaultFromFile && config.cacheDefaultAt.isValid()
                        ? QStringLiteral(" (%1)").arg(config.cacheDefaultAt.toString())
                        : QStringLiteral(" (Superset's default)");
        else if (TimeoutLink(link) == TimeoutLink::DataCacheConfig && config.dataCacheAt.isValid())
            text += QStringLiteral(" (%1)").arg(config.dataCacheAt.toString());
        else if (TimeoutLink(link) == TimeoutLink::AsyncFloor && config.asyncMinAt.isValid())
            text += QStringLiteral(" (%1)").arg(config.asyncMinAt.toString());
        t->sourceTexts[link] = text;
    }

    if (snapshot) {
        auto index = std::make_shared<TimeoutIndex>(*snapshot, config, family);
        const MetadataSnapshot &s = index->snapshot();
        const int nDb = int(s.databases.size()), nDs = int(s.datasets.size()), nCharts = int(s.charts.size());
        t->groups.push_back(Group::Databases);

        // Structure: datasets under their database, charts under their dataset (snapshot order).
        QHash<qint64, int> dbPos;
        dbPos.reserve(nDb);
        for (int d = 0; d < nDb; ++d) {
            dbPos.insert(s.databases[d].id, d);
            hash.add(s.databases[d].id);
        }
        t->datasetDb.assign(nDs, -1);
        t->datasetRow.assign(nDs, 0);
        t->dbCount.assign(nDb, 0);
        for (int i = 0; i < nDs; ++i) {
            const int d = dbPos.value(s.datasets[i].databaseId, -1);
            t->datasetDb[i] = d;
            if (d >= 0)
                t->datasetRow[i] = t->dbCount[d]++;
            else
                t->datasetRow[i] = int(t->orphanDatasets.size()), t->orphanDatasets.push_back(i);
            hash.add(s.datasets[i].id);
            hash.add(d);
        }
        t->dbFirst.assign(nDb, 0);
        for (int d = 1; d < nDb; ++d)
            t->dbFirst[d] = t->dbFirst[d - 1] + t->dbCount[d - 1];
        t->dbDatasets.assign(nDs, 0);
        for (int i = 0; i < nDs; ++i)
            if (t->datasetDb[i] >= 0)
                t->dbDatasets[t->dbFirst[t->datasetDb[i]] + t->datasetRow[i]] = i;

        QHash<qint64, int> dsPos;
        dsPos.reserve(nDs);
        for (int i = 0; i < nDs; ++i)
            dsPos.insert(s.datasets[i].id, i);
        t->chartDs.assign(nCharts, -1);
        t->chartRow.assign(nCharts, 0);
        t->dsCount.assign(nDs, 0);
        for (int c = 0; c < nCharts; ++c) {
            const ChartRow &chart = s.charts[c];
            const int ds = chart.datasourceId && chart.datasourceType == u"table" ? dsPos.value(*chart.datasourceId, -1) : -1;
            t->chartDs[c] = ds;
            if (ds >= 0)
                t->chartRow[c] = t->dsCount[ds]++;
            else
                t->chartRow[c] = int(t->orphanCharts.size()), t->orphanCharts.push_back(c);
            hash.add(chart.id);
            hash.add(ds);
        }
        t->dsFirst.assign(nDs, 0);
        for (int i = 1; i < nDs; ++i)
            t->dsFirst[i] = t->dsFirst[i - 1] + t->dsCount[i - 1];
        t->dsCharts.assign(nCharts, 0);
        for (int c = 0; c < nCharts; ++c)
            if (t->chartDs[c] >= 0)
                t->dsCharts[t->dsFirst[t->chartDs[c]] + t->chartRow[c]] = c;
        if (!t->orphanDatasets.empty())
            t->groups.push_back(Group::OrphanDatasets);
        if (!t->orphanCharts.empty())
            t->groups.push_back(Group::OrphanCharts);

        // Resolution of every row; the cancellation check costs nothing next to a resolution.
        t->databases.resize(nDb);
        t->databaseDetails.resize(nDb);
        for (int d = 0; d < nDb; ++d) {
            t->databases[d] = cellOf(index->resolveDatabase(d));
            addEffective(t->databases[d]);
            addOwn(s.databases[d].cacheTimeout);
            t->databaseDetails[d] = QStringLiteral("%1 · %2").arg(s.databases[d].backend, counted(t->dbCount[d], "dataset"));
        }
        t->datasets.resize(nDs);
        t->datasetNames.resize(nDs);
        t->datasetDetails.resize(nDs);
        for (int i = 0; i < nDs; ++i) {
            t->datasets[i] = cellOf(index->resolveDataset(i));
            addEffective(t->datasets[i]);
            addOwn(s.datasets[i].cacheTimeout);
            t->datasetNames[i] = datasetTitle(s.datasets[i]);
            t->datasetDetails[i] = counted(t->dsCount[i], "chart")
                                   + (s.datasets[i].isVirtual ? QStringLiteral(" · virtual (SQL)") : QString());
        }
        t->charts.resize(nCharts);
        t->chartDashboards.resize(nCharts);
        for (int c = 0; c < nCharts; ++c) {
            if ((c & 4095) == 0 && latest.load(std::memory_order_relaxed) != generation)
                return nullptr;
            t->charts[c] = cellOf(index->resolveChart(c));
            addEffective(t->charts[c]);
            addOwn(s.charts[c].cacheTimeout);
            if (!s.charts[c].dashboardIds.isEmpty())
                t->chartDashboards[c] = index->dashboardTitles(s.charts[c]).join(QStringLiteral(", "));
        }
        t->index = std::move(index);
        t->groupNames[int(Group::Databases)] = QStringLiteral("Metadata database: %1, %2, %3")
                                                   .arg(counted(nDb, "database"), counted(nDs, "dataset"), counted(nCharts, "chart"));
        t->groupNames[int(Group::OrphanDatasets)] =
            QStringLiteral("Datasets whose database row is missing (%1)").arg(t->orphanDatasets.size());
        t->groupNames[int(Group::OrphanCharts)] =
            QStringLiteral("Charts without a SQL dataset (%1)").arg(t->orphanCharts.size());
    }
    t->groupNames[int(Group::Caches)] = QStringLiteral("Cache defaults (%1)").arg(caches.size());
    for (size_t g = 0; g < t->groups.size(); ++g) {
        t->groupRow[int(t->groups[g])] = int(g);
        hash.add(int(t->groups[g]));
    }
    t->structure = hash.h;
    t->resolveMs = clock.elapsed();
    return t;
}

} // namespace

TimeoutModel::TimeoutModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_pool(new QThreadPool(this))
    , m_latest(std::make_shared<std::atomic<quint64>>(0))
{
    // One resolution at a time, in request order; a newer request makes the running one stop.
    m_pool->setMaxThreadCount(1);
    m_inputs.family = newestFamily();
    m_table = buildTable(nullptr, m_inputs.config, {}, m_inputs.family, *m_latest, 0);
}

TimeoutModel::~TimeoutModel()
{
    m_latest->store(std::numeric_limits<quint64>::max()); // a running job stops at its next check
    m_pool->clear();
}

void TimeoutModel::setConfig(const ConfigReport &report)
{
    m_inputs.config = TimeoutConfig::fromReport(report);
    m_inputs.caches = cacheTimeoutRows(report);
    resolve();
}

void TimeoutModel::setConfig(const TimeoutConfig &config, const QList<CacheTimeoutRow> &caches)
{
    m_inputs.config = config;
    m_inputs.caches = caches;
    resolve();
}

void TimeoutModel::setSnapshot(const MetadataSnapshot &snapshot)
{
    m_inputs.snapshot = std::make_shared<const MetadataSnapshot>(snapshot);
    resolve();
}

void TimeoutModel::clearSnapshot()
{
    m_inputs.snapshot.reset();
    resolve();
}

void TimeoutModel::setFamily(SupersetFamily family)
{
    if (family == m_inputs.family)
        return;
    m_inputs.family = family;
    resolve();
}

void TimeoutModel::applyChange(const TimeoutChange &change)
{
    if (!m_inputs.snapshot || !change.written)
        return;
    // Copy-on-write of one list; the rows themselves are shared until changed.
    auto s = std::make_shared<MetadataSnapshot>(*m_inputs.snapshot);
    auto set = [&](auto &rows) {
        for (auto &row : rows) {
            if (row.id == change.id) {
                row.cacheTimeout = change.after;
                return true;
            }
        }
        return false;
    };
    const bool found = change.kind == MetadataKind::Chart     ? set(s->charts)
                       : change.kind == MetadataKind::Dataset ? set(s->datasets)
                                                              : set(s->databases);
    if (!found)
        return;
    m_inputs.snapshot = std::move(s);
    resolve();
}

void TimeoutModel::resolve()
{
    const quint64 generation = ++m_generation;
    m_latest->store(generation);
    if (m_pending++ == 0)
        Q_EMIT resolvingChanged(true);
    QPointer<TimeoutModel> guard(this);
    auto latest = m_latest;
    m_pool->start([guard, latest, generation, snapshot = m_inputs.snapshot, config = m_inputs.config,
                   caches = m_inputs.caches, family = m_inputs.family] {
        std::shared_ptr<const Table> table;
        if (latest->load() == generation)
            table = buildTable(snapshot, config, caches, family, *latest, generation);
        QMetaObject::invokeMethod(guard, [guard, table = std::move(table), generation]() mutable {
            if (guard)
                guard->install(std::move(table), generation);
        });
    });
}

void TimeoutModel::install(std::shared_ptr<const Table> table, quint64 generation)
{
    const bool newest = generation == m_generation;
    if (newest && table) {
        if (m_table && m_table->structure == table->structure) {
            std::shared_ptr<const Table> before = std::move(m_table);
            m_table = std::move(table);
            announceChanges(*before, *m_table);
        } else {
            beginResetModel();
            m_table = std::move(table);
            endResetModel();
        }
    }
    if (--m_pending == 0)
        Q_EMIT resolvingChanged(false);
    if (newest && m_table)
        Q_EMIT resolved();
}

void TimeoutModel::announceChanges(const Table &before, const Table &after)
{
    // Same structure: the same rows in the same places. Each parent gets one dataChanged spanning
    // its changed children, so a chart edit announces one row and a family switch every parent.
    const MetadataSnapshot *a = before.snapshot();
    const MetadataSnapshot *b = after.snapshot();
    auto announce = [this](const QModelIndex &parent, int first, int last) {
        if (first <= last)
            Q_EMIT dataChanged(index(first, 0, parent), index(last, NUM_COLUMNS - 1, parent));
    };
    auto run = [&](const QModelIndex &parent, int count, auto &&differs) {
        int first = count, last = -1;
        for (int row = 0; row < count; ++row) {
            if (differs(row)) {
                first = std::min(first, row);
                last = row;
            }
        }
        announce(parent, first, last);
    };
    // Group titles count rows and never change without a structure change; cache rows may.
    run(indexOfGroup(Group::Caches), int(after.caches.size()), [&](int r) {
        return before.cacheOwn[r] != after.cacheOwn[r] || before.cacheEffective[r] != after.cacheEffective[r]
               || before.cacheSource[r] != after.cacheSource[r] || before.cacheDetails[r] != after.cacheDetails[r];
    });
    if (!a || !b)
        return;
    const bool sourcesDiffer = [&] {
        for (int i = 0; i <= int(TimeoutLink::AsyncFloor); ++i)
            if (before.sourceTexts[i] != after.sourceTexts[i])
                return true;
        return false;
    }();
    auto chartDiffers = [&](int c) {
        return !(before.charts[c] == after.charts[c]) || a->charts[c].cacheTimeout != b->charts[c].cacheTimeout
               || a->charts[c].name != b->charts[c].name || before.chartDashboards[c] != after.chartDashboards[c]
               || (sourcesDiffer && TimeoutLink(after.charts[c].source) >= TimeoutLink::DataCacheConfig);
    };
    auto datasetDiffers = [&](int i) {
        return !(before.datasets[i] == after.datasets[i]) || a->datasets[i].cacheTimeout != b->datasets[i].cacheTimeout
               || before.datasetNames[i] != after.datasetNames[i]
               || (sourcesDiffer && TimeoutLink(after.datasets[i].source) >= TimeoutLink::DataCacheConfig);
    };
    const QModelIndex databases = indexOfGroup(Group::Databases);
    run(databases, int(after.databases.size()), [&](int d) {
        return !(before.databases[d] == after.databases[d]) || a->databases[d].cacheTimeout != b->databases[d].cacheTimeout
               || a->databases[d].name != b->databases[d].name
               || (sourcesDiffer && TimeoutLink(after.databases[d].source) >= TimeoutLink::DataCacheConfig);
    });
    for (size_t d = 0; d < after.databases.size(); ++d) {
        const int first = after.dbFirst[d];
        run(index(int(d), 0, databases), after.dbCount[d], [&](int r) { return datasetDiffers(after.dbDatasets[first + r]); });
    }
    if (after.groupRow[int(Group::OrphanDatasets)] >= 0)
        run(indexOfGroup(Group::OrphanDatasets), int(after.orphanDatasets.size()),
            [&](int r) { return datasetDiffers(after.orphanDatasets[r]); });
    for (size_t i = 0; i < after.datasets.size(); ++i) {
        if (after.dsCount[i] == 0)
            continue;
        const int first = after.dsFirst[i];
        const QModelIndex parent = createIndex(after.datasetRow[i], 0, makeId(RowKind::Dataset, int(i)));
        run(parent, after.dsCount[i], [&](int r) { return chartDiffers(after.dsCharts[first + r]); });
    }
    if (after.groupRow[int(Group::OrphanCharts)] >= 0)
        run(indexOfGroup(Group::OrphanCharts), int(after.orphanCharts.size()),
            [&](int r) { return chartDiffers(after.orphanCharts[r]); });
}

std::shared_ptr<const TimeoutIndex> TimeoutModel::timeoutIndex() const
{
    return m_table->index;
}

qint64 TimeoutModel::lastResolveMs() const
{
    return m_table->resolveMs;
}

int TimeoutModel::chartCount() const
{
    return int(m_table->charts.size());
}

quint32 TimeoutModel::pitfallBit(const QString &code)
{
    for (size_t i = 0; i < std::size(kPitfalls); ++i)
        if (code == QLatin1String(kPitfalls[i].code))
            return 1u << i;
    return kOtherPitfall;
}

QString TimeoutModel::pitfallLabels(quint32 mask)
{
    QStringList labels;
    for (size_t i = 0; i < std::size(kPitfalls); ++i)
        if (mask & (1u << i))
            labels << QString::fromLatin1(kPitfalls[i].label);
    if (mask & kOtherPitfall)
        labels << QStringLiteral("see details");
    return labels.join(QStringLiteral(", "));
}

// --- structure -------------------------------------------------------------------------------

QModelIndex TimeoutModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= NUM_COLUMNS)
        return {};
    const Table &t = *m_table;
    if (!parent.isValid()) {
        if (row >= int(t.groups.size()))
            return {};
        return createIndex(row, column, makeId(RowKind::Group, int(t.groups[row])));
    }
    const RowKind kind = kindOf(parent.internalId());
    const int pos = positionOf(parent.internalId());
    if (row >= t.childCount(kind, pos))
        return {};
    switch (kind) {
    case RowKind::Group:
        switch (Group(pos)) {
        case Group::Caches: return createIndex(row, column, makeId(RowKind::Cache, row));
        case Group::Databases: return createIndex(row, column, makeId(RowKind::Database, row));
        case Group::OrphanDatasets: return createIndex(row, column, makeId(RowKind::Dataset, t.orphanDatasets[row]));
        case Group::OrphanCharts: return createIndex(row, column, makeId(RowKind::Chart, t.orphanCharts[row]));
        }
        return {};
    case RowKind::Database: return createIndex(row, column, makeId(RowKind::Dataset, t.dbDatasets[t.dbFirst[pos] + row]));
    case RowKind::Dataset: return createIndex(row, column, makeId(RowKind::Chart, t.dsCharts[t.dsFirst[pos] + row]));
    default: return {};
    }
}

QModelIndex TimeoutModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Table &t = *m_table;
    const int pos = positionOf(child.internalId());
    switch (kindOf(child.internalId())) {
    case RowKind::Group: return {};
    case RowKind::Cache: return indexOfGroup(Group::Caches);
    case RowKind::Database: return indexOfGroup(Group::Databases);
    case RowKind::Dataset: {
        const int db = t.datasetDb[pos];
        return db < 0 ? indexOfGroup(Group::OrphanDatasets) : createIndex(db, 0, makeId(RowKind::Database, db));
    }
    case RowKind::Chart: {
        const int ds = t.chartDs[pos];
        return ds < 0 ? indexOfGroup(Group::OrphanCharts) : createIndex(t.datasetRow[ds], 0, makeId(RowKind::Dataset, ds));
    }
    }
    return {};
}

int TimeoutModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_table->groups.size());
    if (parent.column() != 0)
        return 0;
    return m_table->childCount(kindOf(parent.internalId()), positionOf(parent.internalId()));
}

int TimeoutModel::columnCount(const QModelIndex &) const
{
    return NUM_COLUMNS;
}

bool TimeoutModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

QModelIndex TimeoutModel::indexOfGroup(Group group, int column) const
{
    const int row = m_table->groupRow[int(group)];
    return row < 0 ? QModelIndex() : createIndex(row, column, makeId(RowKind::Group, int(group)));
}

QModelIndex TimeoutModel::indexOfCache(CachePurpose purpose, int column) const
{
    for (qsizetype i = 0; i < m_table->caches.size(); ++i)
        if (m_table->caches[i].purpose == purpose)
            return createIndex(int(i), column, makeId(RowKind::Cache, int(i)));
    return {};
}

QModelIndex TimeoutModel::indexOf(MetadataKind kind, qint64 id, int column) const
{
    const Table &t = *m_table;
    const MetadataSnapshot *s = t.snapshot();
    if (!s)
        return {};
    auto find = [id](const auto &rows) {
        const auto it = std::lower_bound(rows.cbegin(), rows.cend(), id, [](const auto &r, qint64 v) { return r.id < v; });
        return it != rows.cend() && it->id == id ? int(it - rows.cbegin()) : -1;
    };
    switch (kind) {
    case MetadataKind::Database: {
        const int d = find(s->databases);
        return d < 0 ? QModelIndex() : createIndex(d, column, makeId(RowKind::Database, d));
    }
    case MetadataKind::Dataset: {
        const int i = find(s->datasets);
        return i < 0 ? QModelIndex() : createIndex(t.datasetRow[i], column, makeId(RowKind::Dataset, i));
    }
    case MetadataKind::Chart: {
        const int c = find(s->charts);
        return c < 0 ? QModelIndex() : createIndex(t.chartRow[c], column, makeId(RowKind::Chart, c));
    }
    }
    return {};
}

TimeoutModel::RowKind TimeoutModel::kindAt(const QModelIndex &index) const
{
    return index.isValid() ? kindOf(index.internalId()) : RowKind::Group;
}

int TimeoutModel::rowIndexAt(const QModelIndex &index) const
{
    if (!index.isValid() || kindOf(index.internalId()) == RowKind::Group)
        return -1;
    return positionOf(index.internalId());
}

std::optional<MetadataKind> TimeoutModel::metadataKindAt(const QModelIndex &index) const
{
    switch (kindAt(index)) {
    case RowKind::Database: return MetadataKind::Database;
    case RowKind::Dataset: return MetadataKind::Dataset;
    case RowKind::Chart: return MetadataKind::Chart;
    default: return std::nullopt;
    }
}

std::optional<qint64> TimeoutModel::objectIdAt(const QModelIndex &index) const
{
    const MetadataSnapshot *s = m_table->snapshot();
    if (!s || !index.isValid())
        return std::nullopt;
    const int pos = positionOf(index.internalId());
    switch (kindOf(index.internalId())) {
    case RowKind::Database: return s->databases[pos].id;
    case RowKind::Dataset: return s->datasets[pos].id;
    case RowKind::Chart: return s->charts[pos].id;
    default: return std::nullopt;
    }
}

quint32 TimeoutModel::pitfallsAt(const QModelIndex &index) const
{
    const Table::Cell *c = index.isValid() ? m_table->cell(kindOf(index.internalId()), positionOf(index.internalId())) : nullptr;
    return c ? c->pitfalls : 0;
}

bool TimeoutModel::bypassAt(const QModelIndex &index) const
{
    const Table::Cell *c = index.isValid() ? m_table->cell(kindOf(index.internalId()), positionOf(index.internalId())) : nullptr;
    return c && c->bypass;
}

std::optional<qint64> TimeoutModel::ownAt(const QModelIndex &index) const
{
    const Table &t = *m_table;
    if (!index.isValid())
        return std::nullopt;
    const int pos = positionOf(index.internalId());
    switch (kindOf(index.internalId())) {
    case RowKind::Cache: return t.caches[pos].own;
    case RowKind::Database: return t.snapshot()->databases[pos].cacheTimeout;
    case RowKind::Dataset: return t.snapshot()->datasets[pos].cacheTimeout;
    case RowKind::Chart: return t.snapshot()->charts[pos].cacheTimeout;
    case RowKind::Group: break;
    }
    return std::nullopt;
}

qint64 TimeoutModel::effectiveAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return 0;
    const int pos = positionOf(index.internalId());
    if (kindOf(index.internalId()) == RowKind::Cache)
        return m_table->caches[pos].effective;
    const Table::Cell *c = m_table->cell(kindOf(index.internalId()), pos);
    return c ? c->effective : 0;
}

bool TimeoutModel::matches(const QModelIndex &index, QStringView needle) const
{
    if (needle.isEmpty())
        return true;
    const Table &t = *m_table;
    const int pos = positionOf(index.internalId());
    QStringView id = needle.startsWith(u'#') ? needle.mid(1) : QStringView();
    auto idIs = [&](qint64 value) {
        bool ok = false;
        const qint64 wanted = (id.isEmpty() ? needle : id).toLongLong(&ok);
        return ok && wanted == value;
    };
    switch (kindOf(index.internalId())) {
    case RowKind::Group: return false;
    case RowKind::Cache:
        return t.cacheNames[pos].contains(needle, Qt::CaseInsensitive) || t.cacheDetails[pos].contains(needle, Qt::CaseInsensitive);
    case RowKind::Database:
        return idIs(t.snapshot()->databases[pos].id) || t.snapshot()->databases[pos].name.contains(needle, Qt::CaseInsensitive);
    case RowKind::Dataset: return idIs(t.snapshot()->datasets[pos].id) || t.datasetNames[pos].contains(needle, Qt::CaseInsensitive);
    case RowKind::Chart:
        return idIs(t.snapshot()->charts[pos].id) || t.snapshot()->charts[pos].name.contains(needle, Qt::CaseInsensitive)
               || t.chartDashboards[pos].contains(needle, Qt::CaseInsensitive);
    }
    return false;
}

std::optional<TimeoutResolution> TimeoutModel::resolutionAt(const QModelIndex &index) const
{
    const Table &t = *m_table;
    if (!index.isValid() || !t.index)
        return std::nullopt;
    const int pos = positionOf(index.internalId());
    switch (kindOf(index.internalId())) {
    case RowKind::Database: return t.index->resolveDatabase(pos);
    case RowKind::Dataset: return t.index->resolveDataset(pos);
    case RowKind::Chart: return t.index->resolveChart(pos);
    default: return std::nullopt;
    }
}

// --- data --------------------------------------------------------------------------------------

QVariant TimeoutModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Table &t = *m_table;
    const RowKind kind = kindOf(index.internalId());
    const int pos = positionOf(index.internalId());
    const int column = index.column();

    switch (role) {
    case KindRole: return int(kind);
    case IdRole:
        if (kind == RowKind::Group)
            return pos;
        if (kind == RowKind::Cache)
            return int(t.caches[pos].purpose);
        return objectIdAt(index).value_or(0);
    case OwnRole: {
        const auto own = ownAt(index);
        return own ? QVariant(*own) : QVariant();
    }
    case EffectiveRole: return kind == RowKind::Group ? QVariant() : QVariant(effectiveAt(index));
    case SourceRole: {
        const Table::Cell *c = t.cell(kind, pos);
        return c ? QVariant(int(c->source)) : QVariant();
    }
    case BypassRole: return bypassAt(index);
    case PitfallsRole: return uint(pitfallsAt(index));
    case Qt::FontRole:
        if (kind == RowKind::Group) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ForegroundRole:
        if (column == PitfallsColumn && pitfallsAt(index))
            return QColor(0x9c, 0x40, 0x00);
        if (column == OwnColumn && kind != RowKind::Group && !ownAt(index))
            return QColor(0x80, 0x80, 0x80);
        if (column == EffectiveColumn && bypassAt(index))
            return QColor(0xa0, 0x10, 0x10);
        return {};
    case Qt::TextAlignmentRole:
        if (column == OwnColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default: break;
    }

    if (kind == RowKind::Group) {
        if (role == Qt::DisplayRole && column == NameColumn)
            return t.groupNames[pos];
        if (role == SortRole)
            return pos;
        return {};
    }

    if (kind == RowKind::Cache) {
        const CacheTimeoutRow &c = t.caches[pos];
        if (role == Qt::DisplayRole) {
            switch (column) {
            case NameColumn: return t.cacheNames[pos];
            case OwnColumn: return t.cacheOwn[pos];
            case EffectiveColumn: return t.cacheEffective[pos];
            case SourceColumn: return t.cacheSource[pos];
            case PitfallsColumn: return {};
            case DetailsColumn: return t.cacheDetails[pos];
            }
        } else if (role == SortRole) {
            switch (column) {
            case NameColumn: return t.cacheNames[pos];
            case OwnColumn: return c.own.value_or(std::numeric_limits<qint64>::min());
            case EffectiveColumn: return c.effective == 0 ? std::numeric_limits<qint64>::max() : c.effective;
            case SourceColumn: return t.cacheSource[pos];
            case PitfallsColumn: return 0;
            case DetailsColumn: return t.cacheDetails[pos];
            }
        } else if (role == Qt::ToolTipRole) {
            return QStringLiteral("%1 (%2): default timeout %3, from %4.\nNone, 0 and -1 on this backend: %5")
                .arg(t.cacheNames[pos], backendTypeName(c.backend), t.cacheEffective[pos], t.cacheSource[pos], c.meaning);
        }
        return {};
    }

    const MetadataSnapshot &s = *t.snapshot();
    const Table::Cell &cell = *t.cell(kind, pos);
    const std::optional<qint64> own = ownAt(index);
    if (role == Qt::DisplayRole) {
        switch (column) {
        case NameColumn:
            return kind == RowKind::Database ? s.databases[pos].name : kind == RowKind::Dataset ? t.datasetNames[pos] : s.charts[pos].name;
        case OwnColumn: return t.ownText(own);
        case EffectiveColumn: return t.effectiveText(cell);
        case SourceColumn: return t.sourceTexts[cell.source];
        case PitfallsColumn: return *t.pitfallTexts.find(cell.pitfalls);
        case DetailsColumn:
            return kind == RowKind::Database ? t.databaseDetails[pos]
                   : kind == RowKind::Dataset ? t.datasetDetails[pos]
                                              : t.chartDashboards[pos];
        }
        return {};
    }
    if (role == SortRole) {
        switch (column) {
        case NameColumn:
            return kind == RowKind::Database ? s.databases[pos].name : kind == RowKind::Dataset ? t.datasetNames[pos] : s.charts[pos].name;
        case OwnColumn: return own.value_or(std::numeric_limits<qint64>::min());
        case EffectiveColumn:
            return cell.bypass ? qint64(-2) : cell.effective == 0 ? std::numeric_limits<qint64>::max() : cell.effective;
        case SourceColumn: return int(cell.source);
        case PitfallsColumn: return std::popcount(cell.pitfalls);
        case DetailsColumn:
            return kind == RowKind::Chart ? QVariant(t.chartDashboards[pos])
                                          : QVariant(kind == RowKind::Database ? t.dbCount[pos] : t.dsCount[pos]);
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        // Resolved on demand: one row, when the pointer rests on it.
        const auto r = resolutionAt(index);
        if (!r)
            return {};
        QString text;
        if (kind == RowKind::Chart) {
            const ChartRow &c = s.charts[pos];
            text = QStringLiteral("chart %1 \"%2\" (%3)").arg(c.id).arg(c.name, c.vizType);
        } else if (kind == RowKind::Dataset) {
            text = QStringLiteral("dataset %1 %2: what a chart without its own timeout gets").arg(s.datasets[pos].id).arg(t.datasetNames[pos]);
        } else {
            text = QStringLiteral("database %1 %2: what a chart without its own or its dataset's timeout gets")
                       .arg(s.databases[pos].id)
                       .arg(s.databases[pos].name);
        }
        text += u'\n' + timeoutexplain::summary(*r);
        for (const TimeoutPitfall &p : r->pitfalls)
            text += QStringLiteral("\n⚠ %1").arg(p.message);
        return text;
    }
    return {};
}

QVariant TimeoutModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn: return tr("Name");
        case OwnColumn: return tr("Own");
        case EffectiveColumn: return tr("Effective");
        case SourceColumn: return tr("Supplied by");
        case PitfallsColumn: return tr("Pitfalls");
        case DetailsColumn: return tr("Dashboards / details");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case OwnColumn: return tr("The row's own cache_timeout (NULL: not set, the next link decides); a cache's own CACHE_DEFAULT_TIMEOUT");
        case EffectiveColumn: return tr("The timeout Superset hands to cache.set() for this chart's data, under the chosen release family");
        case SourceColumn: return tr("Which link of the timeout chain supplied the effective value");
        case PitfallsColumn: return tr("Known pitfalls of this release family that apply to the row");
        }
    }
    return {};
}

} // namespace cachescope
