#pragma once

#include "monitor/hitratesample.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QVector>

#include <cmath>

namespace cachescope {

// One point of a plotted series. For a cache: hit rate in percent (NaN = no reads), hits/s,
// misses/s, sets/s. For a server: evictions/s, expirations/s, ops/s, used memory in MiB.
struct SeriesPoint
{
    qint64 t = 0; // seconds since the epoch (start of the second or of the minute)
    float v[4] = {0, 0, 0, 0};
};

// Per cache and source (the rows) bounded ring buffers of rates: 1 s resolution for the last hour
// and 1 min resolution for the last 24 hours, preallocated, so memory does not grow with uptime.
// The row list is the Hit rates page's table: cache, source, exactness, current hit rate, sparkline.
class HitRateSeries : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { CacheColumn, SourceColumn, ExactnessColumn, HitRateColumn, SparklineColumn, ColumnCount };
    enum Role {
        SparklineRole = Qt::UserRole + 1, // QList<double>: the last 60 s of hit rate %, NaN = no reads
        HitRateRole,                      // double in [0, 1] or NaN
        SourceRole,                       // int(SampleSource)
        ExactnessRole,                    // int(Exactness)
    };
    static constexpr int kFineCapacity = 3600;   // 1 h at 1 s
    static constexpr int kCoarseCapacity = 1440; // 24 h at 1 min
    static constexpr int kMaxSeries = 128;       // caches x sources (and servers): hostile input cannot grow it
    static constexpr int kSparklinePoints = 60;

    explicit HitRateSeries(QObject *parent = nullptr);
    ~HitRateSeries() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void addHitSample(const cachescope::HitRateSample &sample);
    void addServerSample(const cachescope::ServerSample &sample);
    void clear();

    int rowOf(const QString &cache, SampleSource source) const; // -1 if absent
    QString cacheAt(int row) const;
    SampleSource sourceAt(int row) const;
    Exactness exactnessAt(int row) const;
    double currentHitRate(int row) const; // the newest point with reads, in [0, 1]; NaN if none

    // Points of the last `windowSeconds` up to the newest point, oldest first. Windows up to an hour
    // come from the 1 s buffer, longer ones from the 1 min buffer (with the minute in progress).
    QVector<SeriesPoint> points(int row, qint64 windowSeconds) const;
    QStringList servers() const;
    QVector<SeriesPoint> serverPoints(const QString &server, qint64 windowSeconds) const;
    ServerSample latestServer(const QString &server) const;

    // Bytes held by the buffers (constant per series: they are preallocated).
    qsizetype memoryBytes() const;
    qsizetype finePointCount(int row) const;
    qsizetype coarsePointCount(int row) const;

Q_SIGNALS:
    void pointAdded(int row, const cachescope::SeriesPoint &point);
    void serverPointAdded(const QString &server, const cachescope::SeriesPoint &point);

private:
    struct Ring
    {
        QVector<SeriesPoint> buffer;
        qsizetype head = 0;  // index of the oldest point
        qsizetype count = 0;
        explicit Ring(qsizetype capacity = 0) : buffer(capacity) {}
        void push(const SeriesPoint &p);
        const SeriesPoint &at(qsizetype i) const { return buffer[(head + i) % buffer.size()]; }
        SeriesPoint &last() { return buffer[(head + count - 1) % buffer.size()]; }
    };
    struct MinuteAccumulator
    {
        qint64 minute = -1;
        double weight = 0;     // seconds of samples
        double sums[4] = {0, 0, 0, 0};
        int hitRateSamples = 0; // points with reads (for the mean hit rate)
        double hitRateSum = 0;
    };
    struct Series
    {
        QString name;
        SampleSource source = SampleSource::Embedded;
        Exactness exactness = Exactness::Exact;
        Ring fine{kFineCapacity};
        Ring coarse{kCoarseCapacity};
        MinuteAccumulator minute;
    };
    static void append(Series &s, const SeriesPoint &p, double weight);
    static SeriesPoint minutePoint(const MinuteAccumulator &m);
    static QVector<SeriesPoint> window(const Series &s, qint64 windowSeconds);

    QList<Series *> m_rows;
    QList<Series *> m_servers;
    QHash<QString, ServerSample> m_latestServer;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::SeriesPoint)
