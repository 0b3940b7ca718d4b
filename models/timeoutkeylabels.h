#pragma once

#include "metadata/metadatatypes.h"
#include "timeouts/timeoutaudit.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace cachescope {

// Which chart, dataset and dashboards a cache key belongs to, for the Keys page (which shows
// them beside a key's kind, through a delegate: the key tree itself is not touched). Two
// sources: the keys Superset recorded in cache_keys (STORE_CACHE_KEYS_IN_METADATA_DB: the key and
// its dataset), and the chart-data entries an audit decoded (tied to charts through cache_keys or
// the table their SQL names). Each label also says how many cached variants its chart or dataset
// has (fragmentation: every filter combination is an entry of its own).
//
// build() is pure and thread-safe (hashing 100,000 recorded keys into FileSystemCache file names
// takes a while): run it on a worker, then setLabels() on the GUI thread.
class TimeoutKeyLabels : public QObject
{
    Q_OBJECT
public:
    struct Label
    {
        QString text;    // one line: chart 3 "Top products" · public.sales_1 · on Sales · 3 variants
        QString tooltip; // the same with every chart, dashboard and where the tie comes from
    };
    struct Labels
    {
        std::vector<Label> labels;           // shared by every key of one chart or dataset
        QHash<QByteArray, int> byStoredKey;  // stored key (Redis: prefix + key; files: hash name) -> label
        int recordedKeys = 0;                // cache_keys rows used
        int decodedKeys = 0;                 // audit entries used
    };

    // storedForms: the stored names of an application key in the data cache (prefix + key on
    // Redis, md5/sha256 file names on a FileSystemCache, the key itself in-process).
    static std::shared_ptr<const Labels> build(const QList<CacheKeyRow> &cacheKeys, const AuditReport *audit,
                                               const TimeoutIndex &index,
                                               const std::function<QList<QByteArray>(const QByteArray &)> &storedForms);

    explicit TimeoutKeyLabels(QObject *parent = nullptr);

    void setLabels(std::shared_ptr<const Labels> labels);
    void clear();
    // Null when the key has no label.
    const Label *label(const QByteArray &storedKey) const;
    int size() const;

Q_SIGNALS:
    void changed();

private:
    std::shared_ptr<const Labels> m_labels;
};

} // namespace cachescope
