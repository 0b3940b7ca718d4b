#include "timeoutkeylabels.h"

#include <QRegularExpression>
#include <QSet>

namespace cachescope {

namespace {

QString datasetTitle(const DatasetRow &ds)
{
    return ds.schema.isEmpty() ? ds.tableName : ds.schema + u'.' + ds.tableName;
}

QString variantsText(int n)
{
    return n == 1 ? QStringLiteral("1 cached variant") : QStringLiteral("%1 cached variants").arg(n);
}

// The label of a dataset's charts; `chartIds` narrows to the charts an entry was tied to.
TimeoutKeyLabels::Label labelFor(const TimeoutIndex &index, qint64 datasetId, const QList<qint64> &chartIds, int variants,
                                 const QString &how)
{
    const MetadataSnapshot &s = index.snapshot();
    const DatasetRow *ds = index.dataset(datasetId);
    const QString dataset = ds ? datasetTitle(*ds) : QStringLiteral("dataset %1").arg(datasetId);
    QList<const ChartRow *> charts;
    for (int c : index.chartsOfDataset(datasetId))
        if (chartIds.isEmpty() || chartIds.contains(s.charts[c].id))
            charts << &s.charts[c];
    TimeoutKeyLabels::Label l;
    QStringList lines;
    const DatabaseRow *db = ds ? index.database(ds->databaseId) : nullptr;
    lines << QStringLiteral("Dataset %1 (id %2)%3").arg(dataset).arg(datasetId).arg(db ? QStringLiteral(" on database %1").arg(db->name) : QString());
    if (charts.size() == 1) {
        const ChartRow &c = *charts.first();
        const QStringList dashboards = index.dashboardTitles(c);
        l.text = QStringLiteral("chart %1 \"%2\" · %3%4 · %5")
                     .arg(c.id)
                     .arg(c.name, dataset,
                          dashboards.isEmpty() ? QString() : QStringLiteral(" · on %1").arg(dashboards.join(QStringLiteral(", "))),
                          variantsText(variants));
    } else if (charts.isEmpty()) {
        l.text = QStringLiteral("%1 · no saved chart · %2").arg(dataset, variantsText(variants));
    } else {
        l.text = QStringLiteral("%1 · %2 charts · %3").arg(dataset).arg(charts.size()).arg(variantsText(variants));
    }
    for (qsizetype i = 0; i < charts.size() && i < 10; ++i) {
        const QStringList dashboards = index.dashboardTitles(*charts[i]);
        lines << QStringLiteral("Chart %1 \"%2\"%3").arg(charts[i]->id).arg(charts[i]->name,
                                                                           dashboards.isEmpty() ? QString()
                                                                                                : QStringLiteral(" on %1").arg(dashboards.join(QStringLiteral(", "))));
    }
    if (charts.size() > 10)
        lines << QStringLiteral("… and %1 more charts").arg(charts.size() - 10);
    lines << QStringLiteral("%1 of this %2 (fragmentation: one entry per filter combination)")
                 .arg(variantsText(variants), charts.size() == 1 ? QStringLiteral("chart") : QStringLiteral("dataset"));
    lines << how;
    l.tooltip = lines.join(u'\n');
    return l;
}

} // namespace

std::shared_ptr<const TimeoutKeyLabels::Labels>
TimeoutKeyLabels::build(const QList<CacheKeyRow> &cacheKeys, const AuditReport *audit, const TimeoutIndex &index,
                        const std::function<QList<QByteArray>(const QByteArray &)> &storedForms)
{
    auto out = std::make_shared<Labels>();
    static const QRegularExpression uid(QStringLiteral(R"(^(\d+)__table$)"));

    // cache_keys: keys per dataset (distinct keys: a key written twice is one entry).
    QHash<qint64, QSet<QString>> recorded;
    for (const CacheKeyRow &row : cacheKeys) {
        const auto m = uid.match(row.datasourceUid);
        if (m.hasMatch())
            recorded[m.captured(1).toLongLong()].insert(row.cacheKey);
    }
    QHash<qint64, int> recordedLabel;
    for (auto it = recorded.cbegin(); it != recorded.cend(); ++it) {
        recordedLabel.insert(it.key(), int(out->labels.size()));
        out->labels.push_back(labelFor(index, it.key(), {}, int(it.value().size()),
                                       QStringLiteral("Recorded in cache_keys (datasource_uid %1__table)").arg(it.key())));
    }
    for (const CacheKeyRow &row : cacheKeys) {
        const auto m = uid.match(row.datasourceUid);
        if (!m.hasMatch())
            continue;
        const int label = recordedLabel.value(m.captured(1).toLongLong());
        for (const QByteArray &stored : storedForms(row.cacheKey.toUtf8()))
            out->byStoredKey.insert(stored, label);
        ++out->recordedKeys;
    }

    // Decoded entries: their own stored key, the charts the audit tied them to.
    if (audit) {
        QHash<QString, int> auditLabel; // dataset + chart ids -> label
        for (const AuditEntry &e : audit->entries) {
            if (e.status == AuditStatus::NotChartData || !e.datasetId)
                continue;
            QString id = QString::number(*e.datasetId);
            for (qint64 c : e.chartIds)
                id += u',' + QString::number(c);
            int label = auditLabel.value(id, -1);
            if (label < 0) {
                const int variants = e.chartIds.size() == 1 ? audit->variantsPerChart.value(e.chartIds.first())
                                                            : audit->variantsPerDataset.value(*e.datasetId);
                label = int(out->labels.size());
                out->labels.push_back(labelFor(index, *e.datasetId, e.chartIds, variants,
                                               e.mapping == AuditMapping::CacheKeys
                                                   ? QStringLiteral("Decoded chart data, tied through cache_keys")
                                                   : QStringLiteral("Decoded chart data, tied through the table its SQL names "
                                                                    "(a guess: not recorded in cache_keys)")));
                auditLabel.insert(id, label);
            }
            out->byStoredKey.insert(e.key, label);
            ++out->decodedKeys;
        }
    }
    return out;
}

TimeoutKeyLabels::TimeoutKeyLabels(QObject *parent)
    : QObject(parent)
{
}

void TimeoutKeyLabels::setLabels(std::shared_ptr<const Labels> labels)
{
    m_labels = std::move(labels);
    Q_EMIT changed();
}

void TimeoutKeyLabels::clear()
{
    if (!m_labels)
        return;
    m_labels.reset();
    Q_EMIT changed();
}

const TimeoutKeyLabels::Label *TimeoutKeyLabels::label(const QByteArray &storedKey) const
{
    if (!m_labels)
        return nullptr;
    const auto it = m_labels->byStoredKey.constFind(storedKey);
    return it == m_labels->byStoredKey.cend() ? nullptr : &m_labels->labels[size_t(*it)];
}

int TimeoutKeyLabels::size() const
{
    return m_labels ? int(m_labels->byStoredKey.size()) : 0;
}

} // namespace cachescope
