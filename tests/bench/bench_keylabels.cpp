// bench_keylabels: the Keys page's labels at a million keys. A metadata snapshot of 100,000
// charts on 10,000 datasets, and 1,000,000 cache_keys rows (32-hex keys, as Superset's md5 cache
// keys) spread over the datasets. Measured: building the index (off the GUI thread in the app),
// its memory, and a lookup per key as KeyTreeModel::data() does it for each row shown (the bytes
// after the prefix, no copy), for every key, against a plain QHash<QByteArray, int> probe of the
// same keys (the floor a hash join can reach). Last line: ns_per_lookup, the ratio to the plain
// probe, and the build time.
#include "benchprobes.h"
#include "timeouts/keylabels.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>

using namespace cachescope;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    constexpr int kCharts = 100000, kDatasets = 10000, kDatabases = 100, kKeys = 1000000;
    MetadataSnapshot s;
    for (int i = 1; i <= kDatabases; ++i)
        s.databases.append(DatabaseRow{i, QStringLiteral("database %1").arg(i), QStringLiteral("postgresql"), std::nullopt, {}, {}});
    for (int i = 1; i <= kDatasets; ++i) {
        DatasetRow d;
        d.id = i;
        d.schema = QStringLiteral("schema_%1").arg(i % 17);
        d.tableName = QStringLiteral("table_%1").arg(i);
        d.databaseId = 1 + i % kDatabases;
        s.datasets.append(d);
    }
    for (int i = 1; i <= kCharts; ++i) {
        ChartRow c;
        c.id = i;
        c.name = QStringLiteral("chart %1").arg(i);
        c.datasourceId = 1 + (i * 37) % kDatasets;
        c.datasourceType = QStringLiteral("table");
        s.charts.append(c);
    }
    auto index = std::make_shared<const TimeoutIndex>(s, TimeoutConfig{}, SupersetFamily::V4_1);
    std::printf("snapshot and timeout index: RSS %.0f MB\n", test::residentBytes() / 1e6);
    QList<CacheKeyRow> rows;
    QList<QByteArray> stored; // as a Redis data cache stores them: prefix + key
    rows.reserve(kKeys);
    stored.reserve(kKeys);
    for (int i = 0; i < kKeys; ++i) {
        const QByteArray key = QCryptographicHash::hash(QByteArray::number(i), QCryptographicHash::Md5).toHex();
        rows.append(CacheKeyRow{i + 1, QString::fromLatin1(key), 300, QStringLiteral("%1__table").arg(1 + (qint64(i) * 7919) % kDatasets), {}});
        stored.append("superset_data_" + key);
    }

    std::printf("cache_keys rows and stored keys: RSS %.0f MB\n", test::residentBytes() / 1e6);
    const qint64 rssBefore = test::residentBytes();
    QElapsedTimer t;
    t.start();
    KeyLabelIndex labels(index);
    for (qsizetype at = 0; at < rows.size(); at += 10000)
        labels.addCacheKeys(rows.mid(at, 10000)); // in pages, as the loader reads them
    const double buildS = t.nsecsElapsed() / 1e9;
    const qint64 rssAfter = test::residentBytes();
    std::printf("index of %lld keys on %zu datasets: built in %.3f s, %.0f bytes per key (RSS)\n", qlonglong(labels.keyCount()),
                labels.labels().size(), buildS, double(rssAfter - rssBefore) / kKeys);

    // What data() does per row: strip the prefix (a view), one probe.
    constexpr qsizetype kPrefix = 14; // "superset_data_"
    qint64 found = 0;
    double best = 1e9;
    for (int run = 0; run < 3; ++run) {
        t.restart();
        found = 0;
        for (const QByteArray &k : std::as_const(stored))
            if (labels.find(QByteArrayView(k).sliced(kPrefix)))
                ++found;
        best = std::min(best, t.nsecsElapsed() / 1e9);
    }
    QHash<QByteArray, int> plain;
    plain.reserve(kKeys);
    for (const CacheKeyRow &r : std::as_const(rows))
        plain.insert(r.cacheKey.toLatin1(), int(r.id));
    double plainBest = 1e9;
    qint64 plainFound = 0;
    for (int run = 0; run < 3; ++run) {
        t.restart();
        plainFound = 0;
        for (const QByteArray &k : std::as_const(stored))
            if (plain.contains(QByteArray::fromRawData(k.constData() + kPrefix, k.size() - kPrefix)))
                ++plainFound;
        plainBest = std::min(plainBest, t.nsecsElapsed() / 1e9);
    }
    if (found != kKeys || plainFound != kKeys) {
        std::fprintf(stderr, "found %lld and %lld of %d keys\n", found, plainFound, kKeys);
        return 1;
    }
    const double ns = best * 1e9 / kKeys, plainNs = plainBest * 1e9 / kKeys;
    std::printf("label lookup of %d stored keys: best %.3f s (%.0f ns each); plain QHash probe: %.3f s (%.0f ns each)\n", kKeys,
                best, ns, plainBest, plainNs);
    std::printf("a 40-row screen costs %.1f us of lookups\n", 40 * ns / 1000);
    std::printf("ns_per_lookup=%.0f ratio=%.2f build_s=%.2f\n", ns, ns / plainNs, buildS);
    return 0;
}
