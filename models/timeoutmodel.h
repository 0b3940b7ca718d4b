#pragma once

#include "metadata/metadatatypes.h"
#include "timeouts/timeouttable.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

class QThreadPool;

namespace cachescope {

struct ConfigReport;

// The Timeouts page's tree: the cache purposes' default timeouts, then the metadata database's
// databases → datasets → charts, each with its own cache_timeout, the effective chart-data
// timeout under one Superset release family, the link of the chain that supplied it and the
// family's pitfalls. Rows that do not fit the hierarchy (a chart whose datasource is no SQL
// dataset, a dataset whose database row is gone) get groups of their own.
//
// Built for 100,000 charts: every row is resolved off the GUI thread into a compact table (an
// effective value, a link, a pitfall mask per row; display strings shared between rows with the
// same value), which is swapped in whole when ready. data() only looks values up: no resolution,
// no per-row allocation. A change of family, config or a single cache_timeout keeps the tree and
// announces dataChanged for the rows whose values changed; only a snapshot whose rows differ
// (another database, rows added or removed) resets. The full explanation of one row (every step
// of the chain, the pitfalls' messages) is resolved on demand (resolutionAt).
class TimeoutModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Columns { NameColumn, OwnColumn, EffectiveColumn, SourceColumn, PitfallsColumn, DetailsColumn, NUM_COLUMNS };
    enum Roles {
        SortRole = Qt::UserRole, // numbers for the timeout columns ("never" sorts last), text otherwise
        KindRole,                // int(RowKind)
        IdRole,                  // qint64: object id; int(CachePurpose) for a cache row; int(Group) for a group
        OwnRole,                 // qint64 own timeout; invalid QVariant when NULL / not set
        EffectiveRole,           // qint64 handed to cache.set() (0 never expires)
        SourceRole,              // int(TimeoutLink) (databases, datasets, charts)
        BypassRole,              // bool
        PitfallsRole,            // uint: mask of pitfall bits (pitfallBit)
    };
    Q_ENUM(Columns)
    enum class RowKind { Group, Cache, Database, Dataset, Chart };
    enum class Group { Caches, Databases, OrphanDatasets, OrphanCharts };

    explicit TimeoutModel(QObject *parent = nullptr);
    ~TimeoutModel() override; // cancels a running resolution without waiting for it

    // The config's cache purposes and the settings the chain reads (from the Config page's report).
    void setConfig(const ConfigReport &report);
    // The same from values read elsewhere (the embedded demo's JSON config).
    void setConfig(const TimeoutConfig &config, const QList<CacheTimeoutRow> &caches);
    // A fresh read of the metadata database (MetadataWorker::snapshotReady). Resets only when the
    // rows differ from the ones shown (a reload of an unchanged database keeps the tree).
    void setSnapshot(const MetadataSnapshot &snapshot);
    void clearSnapshot();
    void setFamily(SupersetFamily family);
    SupersetFamily family() const { return m_inputs.family; }

    // After a committed cache_timeout edit (MetadataWorker::cacheTimeoutChanged): the row takes the
    // new value and every row it reaches is resolved again; no reset.
    void applyChange(const TimeoutChange &change);

    bool hasSnapshot() const { return m_inputs.snapshot != nullptr; }
    const MetadataSnapshot *snapshot() const { return m_inputs.snapshot.get(); }
    const TimeoutConfig &timeoutConfig() const { return m_inputs.config; }
    const QList<CacheTimeoutRow> &cacheRows() const { return m_inputs.caches; }
    // The index of what is shown (null before the first resolution with a snapshot). Shared, so a
    // worker may keep using it after the model moved on.
    std::shared_ptr<const TimeoutIndex> timeoutIndex() const;

    bool isResolving() const { return m_pending != 0; }
    qint64 lastResolveMs() const; // wall-clock time of the last resolution, on its worker thread
    int chartCount() const;

    // Row identity.
    RowKind kindAt(const QModelIndex &index) const;
    // Position in the snapshot's list (databases/datasets/charts) or in cacheRows(); -1 for groups.
    int rowIndexAt(const QModelIndex &index) const;
    std::optional<qint64> objectIdAt(const QModelIndex &index) const; // databases, datasets, charts
    std::optional<MetadataKind> metadataKindAt(const QModelIndex &index) const;
    QModelIndex indexOf(MetadataKind kind, qint64 id, int column = 0) const;
    QModelIndex indexOfCache(CachePurpose purpose, int column = 0) const;
    QModelIndex indexOfGroup(Group group, int column = 0) const;

    // Fast accessors for the filter proxy (no QVariant).
    quint32 pitfallsAt(const QModelIndex &index) const;
    bool bypassAt(const QModelIndex &index) const;
    std::optional<qint64> ownAt(const QModelIndex &index) const;
    qint64 effectiveAt(const QModelIndex &index) const;
    // Case-insensitive match of the row's name, "#id"/id, dashboards or cache purpose.
    bool matches(const QModelIndex &index, QStringView needle) const;

    // The full resolution of one row (steps and pitfalls); nullopt for groups.
    std::optional<TimeoutResolution> resolutionAt(const QModelIndex &index) const;

    // Pitfall codes (TimeoutPitfall::code) as bits of PitfallsRole; unknown codes share kOtherPitfall.
    static quint32 pitfallBit(const QString &code);
    static constexpr quint32 kOtherPitfall = 1u << 31;
    // Short label of each pitfall in a mask ("0 skips the chain", ...), for the Pitfalls column.
    static QString pitfallLabels(quint32 mask);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void resolvingChanged(bool resolving);
    // A resolution was swapped in (after a reset or the dataChanged it caused).
    void resolved();

public:
    struct Table; // the resolved rows (timeoutmodel.cpp)

private:
    struct Inputs
    {
        std::shared_ptr<const MetadataSnapshot> snapshot;
        TimeoutConfig config;
        QList<CacheTimeoutRow> caches;
        SupersetFamily family = SupersetFamily::Master;
    };
    void resolve();
    void install(std::shared_ptr<const Table> table, quint64 generation);
    void announceChanges(const Table &before, const Table &after);

    Inputs m_inputs;
    std::shared_ptr<const Table> m_table;
    QThreadPool *m_pool;
    std::shared_ptr<std::atomic<quint64>> m_latest; // newest generation requested; older jobs stop
    quint64 m_generation = 0;
    int m_pending = 0;
};

} // namespace cachescope
