#include "timeoutauditmodel.h"

#include "formatting.h"

#include "timeouts/timeoutedit.h"

#include <QColor>

#include <algorithm>
#include <limits>

namespace cachescope {

namespace {

int statusRank(AuditStatus s)
{
    switch (s) {
    case AuditStatus::Mismatch: return 0;
    case AuditStatus::Unknown: return 1;
    case AuditStatus::Match: return 2;
    case AuditStatus::NotChartData: return 3;
    }
    return 4;
}

QString ttlText(const std::optional<qint64> &seconds)
{
    if (!seconds)
        return QStringLiteral("no expiry");
    return QStringLiteral("%1 s").arg(*seconds);
}

} // namespace

TimeoutAuditModel::TimeoutAuditModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString TimeoutAuditModel::chartLabel(const AuditEntry &entry, const TimeoutIndex &index)
{
    if (!entry.datasetId)
        return {};
    const DatasetRow *ds = index.dataset(*entry.datasetId);
    const QString dataset = ds ? datasetTitle(*ds) : QStringLiteral("dataset %1").arg(*entry.datasetId);
    if (entry.chartIds.size() == 1) {
        const QList<int> charts = index.chartsOfDataset(*entry.datasetId);
        for (int c : charts) {
            const ChartRow &chart = index.snapshot().charts[c];
            if (chart.id != entry.chartIds.first())
                continue;
            const QStringList dashboards = index.dashboardTitles(chart);
            return QStringLiteral("chart %1 \"%2\" · %3%4")
                .arg(chart.id)
                .arg(chart.name, dataset,
                     dashboards.isEmpty() ? QString() : QStringLiteral(" · on %1").arg(dashboards.join(QStringLiteral(", "))));
        }
    }
    if (entry.chartIds.isEmpty())
        return QStringLiteral("%1 (no saved chart)").arg(dataset);
    return QStringLiteral("%1 (one of %2 charts)").arg(dataset).arg(entry.chartIds.size());
}

void TimeoutAuditModel::setReport(const AuditReport &report, std::shared_ptr<const TimeoutIndex> index)
{
    beginResetModel();
    m_report = report;
    m_index = std::move(index);
    m_rows.clear();
    m_charts.clear();
    m_datasets.clear();
    for (int i = 0; i < m_report.entries.size(); ++i)
        if (m_report.entries[i].status != AuditStatus::NotChartData)
            m_rows << i;
    std::stable_sort(m_rows.begin(), m_rows.end(), [this](int a, int b) {
        return statusRank(m_report.entries[a].status) < statusRank(m_report.entries[b].status);
    });
    for (int i : std::as_const(m_rows)) {
        const AuditEntry &e = m_report.entries[i];
        m_charts << (m_index ? chartLabel(e, *m_index) : QString());
        const DatasetRow *ds = m_index && e.datasetId ? m_index->dataset(*e.datasetId) : nullptr;
        m_datasets << (ds ? datasetTitle(*ds) : e.datasetId ? QString::number(*e.datasetId) : QString());
    }
    endResetModel();
}

void TimeoutAuditModel::clear()
{
    setReport({}, nullptr);
}

const AuditEntry *TimeoutAuditModel::entryAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_report.entries[m_rows[row]] : nullptr;
}

int TimeoutAuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TimeoutAuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant TimeoutAuditModel::data(const QModelIndex &index, int role) const
{
    const AuditEntry *e = index.isValid() ? entryAt(index.row()) : nullptr;
    if (!e)
        return {};
    const int row = index.row();
    auto expectedText = [e] {
        QStringList parts;
        for (qint64 x : e->expected)
            parts << (x == 0 ? QStringLiteral("no expiry") : QStringLiteral("%1 s").arg(x));
        return parts.join(QStringLiteral(" or "));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StatusColumn: return auditStatusName(e->status);
        case KeyColumn: return QString::fromUtf8(e->key);
        case ChartColumn: return m_charts[row];
        case DatasetColumn: return m_datasets[row];
        case GivenColumn: return e->given || e->age ? ttlText(e->given) : QStringLiteral("?");
        case ExpectedColumn: return expectedText();
        case RemainingColumn: return e->remaining ? formatDuration(*e->remaining) : QStringLiteral("no expiry");
        case ReasonColumn: return e->reason;
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case StatusColumn: return statusRank(e->status);
        case GivenColumn: return e->given.value_or(std::numeric_limits<qint64>::max());
        case ExpectedColumn: return e->expected.isEmpty() ? qint64(-3) : e->expected.first();
        case RemainingColumn: return e->remaining.value_or(std::numeric_limits<qint64>::max());
        default: return data(index, Qt::DisplayRole);
        }
    case StatusRole: return int(e->status);
    case KeyBytesRole: return e->key;
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && e->status == AuditStatus::Mismatch)
            return QColor(0xa0, 0x10, 0x10);
        if (index.column() == StatusColumn && e->status == AuditStatus::Match)
            return QColor(0x10, 0x70, 0x20);
        return {};
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("%1\n%2").arg(QString::fromUtf8(e->key), e->reason);
        if (e->cachedAt.isValid())
            tip += QStringLiteral("\nwritten %1 UTC (age %2)").arg(e->cachedAt.toString(Qt::ISODate), formatDuration(e->age.value_or(0)));
        if (e->recorded)
            tip += QStringLiteral("\ncache_keys recorded timeout %1").arg(*e->recorded);
        tip += QStringLiteral("\ntied to its charts through %1").arg(auditMappingName(e->mapping));
        if (!e->decodeError.isEmpty())
            tip += QStringLiteral("\ndecode: %1").arg(e->decodeError);
        return tip;
    }
    default: return {};
    }
}

QVariant TimeoutAuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn: return tr("Status");
    case KeyColumn: return tr("Key");
    case ChartColumn: return tr("Chart");
    case DatasetColumn: return tr("Dataset");
    case GivenColumn: return tr("Given TTL");
    case ExpectedColumn: return tr("Chain today");
    case RemainingColumn: return tr("Remaining");
    case ReasonColumn: return tr("Likely reason");
    }
    return {};
}

} // namespace cachescope
