#pragma once

#include "common/expected.h"
#include "metadata/metadatatypes.h"
#include "timeouttable.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace cachescope {

class MetadataConnection;

// What the Keys page and `cachescope keys --json` say about a chart-data key: the chart, dataset
// and dashboards it belongs to and how many distinct keys ("variants") that chart has. Superset
// records a key's *dataset* only (cache_keys.datasource_uid, FORMATS.md §4(f)); the chart follows
// when exactly one saved chart uses that dataset, otherwise every chart of the dataset is a
// candidate and the label says so. Keys not in cache_keys get a label when the audit decoded
// their payload and tied it to a dataset (the SQL names its table: a guess, flagged).
//
// Built once off the GUI thread (a few hundred ns per cache_keys row), then immutable and shared:
// a lookup is one hash probe on the key bytes, so a view of a million keys labels the rows it
// shows without any query. Memory: about 100 bytes per distinct recorded key.
struct KeyLabel
{
    qint64 datasetId = 0;
    QList<qint64> chartIds;  // the saved charts on the dataset (one: unambiguous)
    QString chart;           // "Revenue by country (#1)", "one of 2 charts: A (#1), B (#2)", "no saved chart"
    QString dataset;         // "public.orders (#1) · examples"
    QString dashboards;      // titles, comma-separated (of every candidate chart)
    int variants = 0;        // distinct keys tied to this dataset (so to its chart when unambiguous)
    QString variantsNote;    // what the count counts, for a tooltip
};

class KeyLabelIndex
{
public:
    enum class Source : quint8 { CacheKeys, Decoded };
    struct Hit
    {
        const KeyLabel *label = nullptr;
        Source source = Source::CacheKeys;
        explicit operator bool() const { return label != nullptr; }
    };

    // hashedNames: also find keys by the file names a FileSystemCache stores them under
    // (md5 and sha256 hex of the key, as cachelib names its files).
    explicit KeyLabelIndex(std::shared_ptr<const TimeoutIndex> index, bool hashedNames = false);

    // Later rows win (the newest write of a key). Rows whose datasource is not a SQL dataset
    // ("3__query") or an unknown dataset are counted in unmatchedRows().
    void addCacheKeys(const QList<CacheKeyRow> &rows);
    // A key the audit decoded and tied to a dataset; cache_keys' own record is kept when both exist.
    void addDecoded(const QByteArray &appKey, qint64 datasetId);

    // appKey: the key Superset gave the cache (without the cache's key prefix), or for a hashed
    // source the stored file name.
    Hit find(QByteArrayView key) const;
    qsizetype keyCount() const { return m_keyCount; } // distinct keys labelled (hashed names not counted)
    // One label per dataset that has keys (what find() points into).
    const std::vector<KeyLabel> &labels() const { return m_groups; }
    qsizetype unmatchedRows() const { return m_unmatched; }
    const TimeoutIndex &timeoutIndex() const { return *m_index; }
    bool hashedNames() const { return m_hashedNames; }

    // Every cache_keys row of a metadata database, read page by page on the calling thread
    // (never the GUI thread) through `readPage(afterId, limit)` (rows with id > afterId, ascending;
    // fewer than limit = the last page), into a new index. At most maxRows rows are read;
    // `truncated` says when more were there. A stop request ends it with an error.
    struct LoadOptions
    {
        qint64 maxRows = 2000000;
        int pageSize = 10000;
        bool *truncated = nullptr;
        const std::atomic_bool *stop = nullptr;
    };
    static Expected<std::shared_ptr<KeyLabelIndex>>
    load(std::shared_ptr<const TimeoutIndex> index, bool hashedNames,
         const std::function<Expected<QList<CacheKeyRow>>(qint64 afterId, int limit)> &readPage, const LoadOptions &options);

    // The same through a metadata connection (opened read-only on first use); blocking.
    static Expected<std::shared_ptr<KeyLabelIndex>> load(std::shared_ptr<const TimeoutIndex> index, bool hashedNames,
                                                         MetadataConnection &connection, const LoadOptions &options);

private:
    int groupFor(qint64 datasetId); // -1 when the dataset is unknown
    void setKey(const QByteArray &key, int group, Source source);

    std::shared_ptr<const TimeoutIndex> m_index;
    bool m_hashedNames = false;
    std::vector<KeyLabel> m_groups;       // one per dataset seen
    QHash<qint64, int> m_groupOfDataset;
    QHash<QByteArray, quint32> m_keys;    // key -> group | kDecoded
    qsizetype m_unmatched = 0;
    qsizetype m_keyCount = 0;
};

} // namespace cachescope
