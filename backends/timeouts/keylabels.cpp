#include "keylabels.h"

#include "metadata/metadataconnection.h"

#include <QCryptographicHash>

namespace cachescope {

namespace {

constexpr quint32 kDecoded = 0x80000000u;

// cache_keys.datasource_uid of a SQL dataset: "<id>__table" (SqlaTable.uid); other datasource
// types ("3__query") have no row in `tables`.
std::optional<qint64> datasetOfUid(const QString &uid)
{
    static const QLatin1StringView suffix("__table");
    if (!uid.endsWith(suffix))
        return std::nullopt;
    bool ok = false;
    const qint64 id = QStringView(uid).chopped(suffix.size()).toLongLong(&ok);
    return ok ? std::optional<qint64>(id) : std::nullopt;
}

QString chartName(const ChartRow &c)
{
    return QStringLiteral("%1 (#%2)").arg(c.name.isEmpty() ? QStringLiteral("unnamed") : c.name).arg(c.id);
}

} // namespace

KeyLabelIndex::KeyLabelIndex(std::shared_ptr<const TimeoutIndex> index, bool hashedNames)
    : m_index(std::move(index)), m_hashedNames(hashedNames)
{
}

int KeyLabelIndex::groupFor(qint64 datasetId)
{
    if (const auto it = m_groupOfDataset.constFind(datasetId); it != m_groupOfDataset.cend())
        return *it;
    const DatasetRow *ds = m_index->dataset(datasetId);
    if (!ds)
        return -1;
    KeyLabel label;
    label.datasetId = datasetId;
    const DatabaseRow *db = m_index->database(ds->databaseId);
    label.dataset = QStringLiteral("%1%2 (#%3)%4")
                        .arg(ds->schema.isEmpty() ? QString() : ds->schema + u'.', ds->tableName)
                        .arg(ds->id)
                        .arg(db ? QStringLiteral(" · ") + db->name : QString());
    const auto &charts = m_index->snapshot().charts;
    QStringList names, dashboards;
    for (int c : m_index->chartsOfDataset(datasetId)) {
        label.chartIds << charts[c].id;
        names << chartName(charts[c]);
        for (const QString &t : m_index->dashboardTitles(charts[c]))
            if (!dashboards.contains(t))
                dashboards << t;
    }
    label.dashboards = dashboards.join(QStringLiteral(", "));
    if (names.isEmpty()) {
        label.chart = QStringLiteral("no saved chart");
        label.variantsNote = QStringLiteral("distinct keys of dataset %1 (no saved chart uses it: explore or SQL Lab charts)").arg(datasetId);
    } else if (names.size() == 1) {
        label.chart = names.first();
        label.variantsNote = QStringLiteral("distinct keys of chart %1 (the only chart on dataset %2)").arg(names.first()).arg(datasetId);
    } else {
        // More than a handful would not fit a cell; the tooltip and the CLI carry the ids.
        const QStringList shown = names.mid(0, 3);
        label.chart = QStringLiteral("one of %1 charts: %2%3")
                          .arg(names.size())
                          .arg(shown.join(QStringLiteral(", ")), names.size() > shown.size() ? QStringLiteral(", …") : QString());
        label.variantsNote = QStringLiteral("distinct keys of dataset %1, shared by its %2 charts (Superset records the dataset, "
                                            "not the chart)")
                                 .arg(datasetId)
                                 .arg(names.size());
    }
    m_groups.push_back(std::move(label));
    const int group = int(m_groups.size()) - 1;
    m_groupOfDataset.insert(datasetId, group);
    return group;
}

void KeyLabelIndex::setKey(const QByteArray &key, int group, Source source)
{
    const quint32 value = quint32(group) | (source == Source::Decoded ? kDecoded : 0u);
    auto it = m_keys.find(key);
    if (it != m_keys.end()) {
        const int old = int(*it & ~kDecoded);
        if (source == Source::Decoded && !(*it & kDecoded))
            return; // cache_keys' own record wins over a guess
        if (old == group) {
            *it = value;
            return;
        }
        --m_groups[size_t(old)].variants; // re-recorded under another dataset: the newest row wins
        *it = value;
    } else {
        m_keys.insert(key, value);
        ++m_keyCount;
    }
    ++m_groups[size_t(group)].variants;
    if (m_hashedNames) {
        // cachelib's FileSystemCache names a file by the md5 (or sha256) hex of the key.
        m_keys.insert(QCryptographicHash::hash(key, QCryptographicHash::Md5).toHex(), value);
        m_keys.insert(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex(), value);
    }
}

void KeyLabelIndex::addCacheKeys(const QList<CacheKeyRow> &rows)
{
    for (const CacheKeyRow &row : rows) {
        const auto dataset = datasetOfUid(row.datasourceUid);
        const int group = dataset ? groupFor(*dataset) : -1;
        if (group < 0) {
            ++m_unmatched;
            continue;
        }
        setKey(row.cacheKey.toUtf8(), group, Source::CacheKeys);
    }
}

void KeyLabelIndex::addDecoded(const QByteArray &appKey, qint64 datasetId)
{
    const int group = groupFor(datasetId);
    if (group >= 0 && !appKey.isEmpty())
        setKey(appKey, group, Source::Decoded);
}

KeyLabelIndex::Hit KeyLabelIndex::find(QByteArrayView key) const
{
    // A raw-data view of the bytes: no copy per lookup.
    const auto it = m_keys.constFind(QByteArray::fromRawData(key.data(), key.size()));
    if (it == m_keys.cend())
        return {};
    return Hit{&m_groups[size_t(*it & ~kDecoded)], (*it & kDecoded) ? Source::Decoded : Source::CacheKeys};
}

Expected<std::shared_ptr<KeyLabelIndex>>
KeyLabelIndex::load(std::shared_ptr<const TimeoutIndex> index, bool hashedNames,
                    const std::function<Expected<QList<CacheKeyRow>>(qint64, int)> &readPage, const LoadOptions &options)
{
    auto labels = std::make_shared<KeyLabelIndex>(std::move(index), hashedNames);
    qint64 after = 0, read = 0;
    if (options.truncated)
        *options.truncated = false;
    while (true) {
        if (options.stop && options.stop->load(std::memory_order_relaxed))
            return makeError(QStringLiteral("reading cache_keys stopped"));
        const int limit = int(std::min<qint64>(std::max(1, options.pageSize), options.maxRows - read));
        if (limit <= 0) {
            if (options.truncated) {
                const auto more = readPage(after, 1);
                *options.truncated = !more || !more->isEmpty();
            }
            break;
        }
        auto page = readPage(after, limit);
        if (!page)
            return Error{page.error()};
        labels->addCacheKeys(*page);
        read += page->size();
        if (page->size() < limit)
            break;
        after = page->last().id;
    }
    return labels;
}

Expected<std::shared_ptr<KeyLabelIndex>> KeyLabelIndex::load(std::shared_ptr<const TimeoutIndex> index, bool hashedNames,
                                                              MetadataConnection &connection, const LoadOptions &options)
{
    auto read = [&connection](qint64 after, int limit) {
        return connection.call([&connection, after, limit](MetadataDatabase &db) -> Expected<QList<CacheKeyRow>> {
            if (auto opened = connection.ensureOpen(); !opened)
                return Error{opened.error()};
            return db.cacheKeys(after, limit);
        });
    };
    return load(std::move(index), hashedNames, read, options);
}

} // namespace cachescope
