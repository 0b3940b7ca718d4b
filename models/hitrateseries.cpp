#include "hitrateseries.h"

#include "formatting.h"

#include <limits>

namespace cachescope {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
}

void HitRateSeries::Ring::push(const SeriesPoint &p)
{
    const qsizetype capacity = buffer.size();
    if (count < capacity) {
        buffer[(head + count) % capacity] = p;
        ++count;
    } else {
        buffer[head] = p; // overwrite the oldest
        head = (head + 1) % capacity;
    }
}

HitRateSeries::HitRateSeries(QObject *parent) : QAbstractTableModel(parent)
{
    qRegisterMetaType<SeriesPoint>();
}

HitRateSeries::~HitRateSeries()
{
    qDeleteAll(m_rows);
    qDeleteAll(m_servers);
}

int HitRateSeries::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HitRateSeries::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HitRateSeries::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case CacheColumn: return tr("Cache");
    case SourceColumn: return tr("Source");
    case ExactnessColumn: return tr("Exactness");
    case HitRateColumn: return tr("Hit rate");
    case SparklineColumn: return tr("Last minute");
    }
    return {};
}

QVariant HitRateSeries::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Series &s = *m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case CacheColumn: return s.name;
        case SourceColumn: return sampleSourceName(s.source);
        case ExactnessColumn: return exactnessName(s.exactness);
        case HitRateColumn: {
            const double rate = currentHitRate(index.row());
            return std::isnan(rate) ? QStringLiteral("–") : formatPercent(rate);
        }
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == ExactnessColumn || index.column() == HitRateColumn) {
            switch (s.exactness) {
            case Exactness::Exact: return tr("Counted by the embedded cache layer at every call.");
            case Exactness::ServerWide: return tr("Redis INFO: all clients and databases of the server together.");
            case Exactness::AsReported: return tr("Superset's own statsd counters for the chart data cache.");
            case Exactness::Estimated:
                return tr("From MONITOR: a read followed by a write of the same key counts as a miss.");
            }
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == HitRateColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SparklineRole: {
        QList<double> values;
        const qsizetype n = qMin<qsizetype>(kSparklinePoints, s.fine.count);
        values.reserve(n);
        for (qsizetype i = s.fine.count - n; i < s.fine.count; ++i)
            values.append(double(s.fine.at(i).v[0]));
        return QVariant::fromValue(values);
    }
    case HitRateRole: return currentHitRate(index.row());
    case SourceRole: return int(s.source);
    case ExactnessRole: return int(s.exactness);
    }
    return {};
}

int HitRateSeries::rowOf(const QString &cache, SampleSource source) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i)->source == source && m_rows.at(i)->name == cache)
            return i;
    return -1;
}

QString HitRateSeries::cacheAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->name : QString();
}

SampleSource HitRateSeries::sourceAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->source : SampleSource::Embedded;
}

Exactness HitRateSeries::exactnessAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->exactness : Exactness::Exact;
}

double HitRateSeries::currentHitRate(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return std::numeric_limits<double>::quiet_NaN();
    const Ring &fine = m_rows.at(row)->fine;
    for (qsizetype i = fine.count - 1; i >= 0 && i >= fine.count - 10; --i) {
        const float v = fine.at(i).v[0];
        if (!std::isnan(v))
            return double(v) / 100.0;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

SeriesPoint HitRateSeries::minutePoint(const MinuteAccumulator &m)
{
    SeriesPoint p;
    p.t = m.minute * 60;
    for (int i = 1; i < 4; ++i)
        p.v[i] = m.weight > 0 ? float(m.sums[i] / m.weight) : 0.0f;
    p.v[0] = m.hitRateSamples ? float(m.hitRateSum / m.hitRateSamples) : kNaN;
    return p;
}

void HitRateSeries::append(Series &s, const SeriesPoint &p, double weight)
{
    // Time order is what keeps QCustomPlot's appends O(1): a point older than the newest is dropped,
    // a second point in the same second replaces the first.
    if (s.fine.count > 0) {
        SeriesPoint &last = s.fine.last();
        if (p.t < last.t)
            return;
        if (p.t == last.t)
            last = p;
        else
            s.fine.push(p);
    } else {
        s.fine.push(p);
    }
    const qint64 minute = p.t / 60;
    MinuteAccumulator &m = s.minute;
    if (m.minute != minute) {
        if (m.minute >= 0 && m.weight > 0)
            s.coarse.push(minutePoint(m));
        m = MinuteAccumulator{};
        m.minute = minute;
    }
    weight = weight > 0 ? weight : 1.0;
    m.weight += weight;
    for (int i = 1; i < 4; ++i)
        m.sums[i] += double(p.v[i]) * weight;
    if (!std::isnan(p.v[0])) {
        ++m.hitRateSamples;
        m.hitRateSum += double(p.v[0]);
    }
}

void HitRateSeries::addHitSample(const HitRateSample &sample)
{
    int row = rowOf(sample.cache, sample.source);
    if (row < 0) {
        if (m_rows.size() >= kMaxSeries)
            return;
        row = int(m_rows.size());
        beginInsertRows({}, row, row);
        auto *s = new Series;
        s->name = sample.cache;
        s->source = sample.source;
        s->exactness = sample.exactness;
        m_rows.append(s);
        endInsertRows();
    }
    SeriesPoint p;
    p.t = sample.timestampMs / 1000;
    const double rate = sample.hitRate();
    p.v[0] = std::isnan(rate) ? kNaN : float(rate * 100.0);
    p.v[1] = float(sample.hitsPerSecond);
    p.v[2] = float(sample.missesPerSecond);
    p.v[3] = float(sample.setsPerSecond);
    Series &s = *m_rows[row];
    const qsizetype before = s.fine.count ? s.fine.last().t : -1;
    if (s.fine.count && p.t < before)
        return;
    append(s, p, sample.intervalSeconds);
    Q_EMIT dataChanged(index(row, HitRateColumn), index(row, SparklineColumn));
    Q_EMIT pointAdded(row, p);
}

void HitRateSeries::addServerSample(const ServerSample &sample)
{
    Series *s = nullptr;
    for (Series *candidate : std::as_const(m_servers))
        if (candidate->name == sample.server)
            s = candidate;
    if (!s) {
        if (m_servers.size() >= kMaxSeries)
            return;
        s = new Series;
        s->name = sample.server;
        s->source = SampleSource::RedisInfo;
        s->exactness = Exactness::ServerWide;
        m_servers.append(s);
    }
    SeriesPoint p;
    p.t = sample.timestampMs / 1000;
    if (s->fine.count && p.t < s->fine.last().t)
        return;
    p.v[0] = float(sample.evictionsPerSecond);
    p.v[1] = float(sample.expirationsPerSecond);
    p.v[2] = float(sample.opsPerSecond);
    p.v[3] = float(double(sample.usedMemory) / (1024.0 * 1024.0));
    append(*s, p, sample.intervalSeconds);
    m_latestServer.insert(sample.server, sample);
    Q_EMIT serverPointAdded(sample.server, p);
}

void HitRateSeries::clear()
{
    beginResetModel();
    qDeleteAll(m_rows);
    m_rows.clear();
    endResetModel();
    qDeleteAll(m_servers);
    m_servers.clear();
    m_latestServer.clear();
}

QVector<SeriesPoint> HitRateSeries::window(const Series &s, qint64 windowSeconds)
{
    QVector<SeriesPoint> out;
    const bool fine = windowSeconds <= kFineCapacity;
    const Ring &ring = fine ? s.fine : s.coarse;
    qint64 newest = s.fine.count ? s.fine.at(s.fine.count - 1).t : 0;
    const qint64 from = newest - windowSeconds;
    qsizetype first = ring.count;
    while (first > 0 && ring.at(first - 1).t > from) // newest backwards: cost follows the window, not the buffer
        --first;
    out.reserve(ring.count - first + 1);
    for (qsizetype i = first; i < ring.count; ++i)
        out.append(ring.at(i));
    if (!fine && s.minute.minute >= 0 && s.minute.weight > 0)
        out.append(minutePoint(s.minute));
    return out;
}

QVector<SeriesPoint> HitRateSeries::points(int row, qint64 windowSeconds) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return window(*m_rows.at(row), windowSeconds);
}

QStringList HitRateSeries::servers() const
{
    QStringList out;
    for (const Series *s : m_servers)
        out.append(s->name);
    return out;
}

QVector<SeriesPoint> HitRateSeries::serverPoints(const QString &server, qint64 windowSeconds) const
{
    for (const Series *s : m_servers)
        if (s->name == server) {
            QVector<SeriesPoint> out = window(*s, windowSeconds);
            return out;
        }
    return {};
}

ServerSample HitRateSeries::latestServer(const QString &server) const
{
    return m_latestServer.value(server);
}

qsizetype HitRateSeries::memoryBytes() const
{
    qsizetype bytes = 0;
    for (const QList<Series *> *list : {&m_rows, &m_servers})
        for (const Series *s : *list)
            bytes += qsizetype(sizeof(Series)) + (s->fine.buffer.capacity() + s->coarse.buffer.capacity()) * qsizetype(sizeof(SeriesPoint));
    return bytes;
}

qsizetype HitRateSeries::finePointCount(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->fine.count : 0;
}

qsizetype HitRateSeries::coarsePointCount(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->coarse.count : 0;
}

} // namespace cachescope
