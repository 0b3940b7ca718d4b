#pragma once

#include <QAbstractItemModel>
#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QSet>

#include "chunkedvector.h"
#include "keyarena.h"

#include "browse/keysource.h"
#include "timeouts/keylabels.h"

#include <array>
#include <memory>
#include <vector>

class QTimer;

namespace cachescope {


// The keys of one cache as a lazy namespace tree (STYLE.md §5.8-10, ARCHITECTURE.md "opening a
// key"). canFetchMore/fetchMore only *send* an asynchronous SCAN through a KeySource; replies
// insert rows with beginInsertRows; SCAN duplicates are dropped; the cursor is kept as the
// bytes the source returned. The only resets are setSource/setFilter/setSeparators.
//
// Memory: each key's bytes are stored once in one arena (offsets into it), deduplicated by an
// open-addressing table of key ids; leaves are key ids in their namespace's vector. No
// QString exists for a key until a view asks for its text. Metadata (type, TTL, size) is kept
// only for rows a view asked about (requestMetadata), so it stays bounded.
class KeyTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    // The label columns (chart, dataset, dashboards, variants) stay empty until setKeyLabels().
    enum Columns {
        KeyColumn,
        TypeColumn,
        TtlColumn,
        SizeColumn,
        KindColumn,
        ChartColumn,
        DatasetColumn,
        DashboardColumn,
        VariantsColumn,
        NUM_COLUMNS
    };
    static constexpr int kFirstLabelColumn = ChartColumn;
    enum Roles {
        SortRole = Qt::UserRole, // numbers for TTL/size, bytes for names
        KeyBytesRole,            // the stored key (QByteArray); for namespaces their path
        IsNamespaceRole,         // bool
        TtlMsRole,               // qint64 remaining ms, -1 never, -2 unknown/missing
        SizeBytesRole,           // qint64, -1 unknown
        KeyCountRole,            // keys loaded under a namespace (1 for a key)
        DatasetIdRole,           // qint64 dataset id of a labelled key (invalid otherwise)
        ChartIdsRole,            // QList<qint64> candidate charts of a labelled key
        VariantsRole,            // int distinct keys of its chart/dataset, -1 unlabelled
    };
    Q_ENUM(Columns)

    explicit KeyTreeModel(QObject *parent = nullptr);
    ~KeyTreeModel() override;

    // Changing any of these resets the model (new keyspace).
    void setSource(KeySource *source);
    KeySource *source() const { return m_source; }
    // A glob on stored keys; one without the cache prefix gets the prefix in front. Empty = all.
    void setFilter(const QByteArray &glob);
    QByteArray filter() const { return m_filter; }
    QByteArray scanMatch() const;
    void setSeparators(const QByteArray &separators);
    QByteArray separators() const { return m_separators; }

    void setCachePurpose(const QString &purpose) { m_purpose = purpose; }
    // Chart/dataset/dashboard labels of chart-data keys (built off the GUI thread); nullptr
    // removes them. Keys are matched by the bytes after the cache prefix (or the key a hashed
    // source knows), one hash probe per row shown: nothing is queried per row.
    void setKeyLabels(std::shared_ptr<const KeyLabelIndex> labels);
    const KeyLabelIndex *keyLabels() const { return m_labels.get(); }
    void setBatchSize(int count);
    int batchSize() const { return m_batchSize; }

    // Load every key in the background (continuous SCAN), with progress; cancel keeps what is loaded.
    void loadAll();
    void cancelLoad();
    bool isLoadingAll() const { return m_loadAllId != 0; }
    bool isFetching() const;
    bool isScanComplete() const;
    quint64 loadedKeyCount() const { return m_liveKeys; }

    // The server behind the source stopped answering: the tree shows what was loaded before it
    // went away (TTLs stop counting down, rows are drawn in the disabled text colour, no
    // metadata is asked for). Cleared when the server answers again; if it came back as a
    // different instance (a restart) the model reloads by itself and emits keyspaceReplaced.
    bool isStale() const { return m_staleSinceMs != 0; }
    qint64 staleSinceMs() const { return m_staleSinceMs; }
    // Scans again from the start with the same filter (Refresh): loads everything again when
    // everything was loaded or loading, else the first page. Exact mode empties (the page looks
    // its keys up again).
    void reload();

    // An exact key the user typed: shown at once without scanning (inserted if not loaded yet).
    QModelIndex insertKey(const QByteArray &storedKey);
    // Shows only these keys (an exact key typed in the filter): resets, and scans nothing.
    void showExactKeys(const QList<QByteArray> &storedKeys);
    bool isExactMode() const { return m_exact; }
    QModelIndex indexForKey(const QByteArray &storedKey) const;
    // Rows for keys deleted elsewhere (after a delete action); loaded namespaces shrink.
    void removeKeys(const QList<QByteArray> &storedKeys);
    void removeNamespace(const QModelIndex &index);
    QByteArray keyAt(const QModelIndex &index) const;
    bool isNamespace(const QModelIndex &index) const;

    // Fetch type/TTL/size for these rows (the visible ones) in one pipelined request.
    void requestMetadata(const QModelIndexList &indexes, bool force = false);
    // True while a sort applies to loaded keys only (new batches are appended unsorted).
    bool isSortedLoadedOnly() const { return m_sortColumn >= 0; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    // Throttled (about 10 per second) plus once when a scan completes or stops.
    void loadProgress(quint64 loadedKeys, bool complete);
    void loadingChanged(bool loading);
    void errorOccurred(const QString &message);
    void metadataUpdated();
    void staleChanged(bool stale);
    // The source's server was replaced (a restart): the tree was emptied and is reloading.
    void keyspaceReplaced();

private:
    struct Node;
    struct Meta;
    struct Request;

    void resetKeyspace();
    void onScanReady(quint64 id, const ScanBatch &batch);
    void onScanFailed(quint64 id, const QString &error);
    void onMetadataReady(quint64 id, const QList<KeyMetadata> &metadata);
    void onReachabilityChanged(bool reachable);
    void onServerReplaced();
    void setStaleSince(qint64 ms);
    void sendScan(Node *node, bool continuous);
    void tickTtl();
    void emitProgress(bool force);
    void announceCounts();

    QByteArrayView keyView(quint32 id) const { return m_keys.view(id); }
    quint32 findKey(QByteArrayView key) const { return m_keys.find(key); } // kNoKey if absent
    quint32 addKey(QByteArrayView key);                                     // arena + removed flag
    Node *placeKey(quint32 id, QByteArrayView key, std::vector<std::pair<Node *, std::vector<quint32>>> &pending,
                   QHash<Node *, qsizetype> &pendingIndex);
    Node *nodeOf(const QModelIndex &index) const; // nullptr for a leaf
    QModelIndex indexOf(Node *node, int column = 0) const;
    Node *leafParent(const QModelIndex &index) const;
    quint32 leafId(const QModelIndex &index) const;
    bool insertLeafRows(Node *node, std::vector<quint32> &ids);
    KeyLabelIndex::Hit labelOf(quint32 kid) const;
    QVariant labelData(quint32 kid, int column, int role) const;
    void emitAllRowsChanged(int firstColumn, int lastColumn);
    void markRemoved(Node *node);

    QPointer<KeySource> m_source;
    QByteArray m_filter;
    QByteArray m_separators = ":_";
    QString m_purpose;
    std::shared_ptr<const KeyLabelIndex> m_labels;
    int m_batchSize = 1000;
    int m_adaptiveCount = 1000;

    std::unique_ptr<Node> m_root;
    KeyArena m_keys; // every key's bytes, once
    std::vector<size_t> m_hashes; // scratch: the hashes of the batch being placed
    bool m_sepTable[256] = {};
    std::vector<bool> m_removed;
    quint64 m_liveKeys = 0;

    QHash<quint64, Request> m_requests;
    quint64 m_loadAllId = 0;
    int m_rowsSinceFetch = 0;
    QElapsedTimer m_progressClock;

    QHash<quint32, Meta> m_meta;
    QHash<quint64, QList<QPersistentModelIndex>> m_metaRequests;
    QList<QPersistentModelIndex> m_liveRows;
    QTimer *m_ttlTimer;
    QTimer *m_countTimer;
    QSet<Node *> m_countsChanged; // namespaces whose key count changed since it was last announced
    bool m_exact = false;
    qint64 m_staleSinceMs = 0;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace cachescope
