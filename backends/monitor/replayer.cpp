#include "replayer.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <algorithm>

namespace cachescope {

namespace {
QAtomicInt g_replayCounter;
}

Replayer::Replayer(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    qRegisterMetaType<HitRateSample>();
    qRegisterMetaType<ServerSample>();
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Replayer::emitDue);
}

Replayer::~Replayer() = default;

Expected<std::vector<RecordedSample>> Replayer::load(const QString &path)
{
    if (!QFileInfo::exists(path))
        return makeError(QStringLiteral("recording %1 does not exist").arg(path));
    const QString name = QStringLiteral("cachescope-replay-%1").arg(g_replayCounter.fetchAndAddRelaxed(1));
    std::vector<std::pair<std::pair<qint64, qint64>, RecordedSample>> rows; // ((ts, order), sample)
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'format'")) || !q.next()
                || q.value(0).toString() != u"cachescope-recording") {
                error = QStringLiteral("not a CacheScope recording");
            } else if (!q.exec(QStringLiteral("SELECT ts_ms, cache, source, exactness, interval_s, hits_per_s, "
                                              "misses_per_s, sets_per_s, id FROM hit_samples"))) {
                error = q.lastError().text();
            } else {
                while (q.next()) {
                    HitRateSample s;
                    s.timestampMs = q.value(0).toLongLong();
                    s.cache = q.value(1).toString();
                    s.source = sampleSourceFromName(q.value(2).toString()).value_or(SampleSource::Embedded);
                    s.exactness = exactnessFromName(q.value(3).toString()).value_or(Exactness::Estimated);
                    s.intervalSeconds = q.value(4).toDouble();
                    s.hitsPerSecond = q.value(5).toDouble();
                    s.missesPerSecond = q.value(6).toDouble();
                    s.setsPerSecond = q.value(7).toDouble();
                    rows.push_back({{s.timestampMs, q.value(8).toLongLong() * 2}, s});
                }
                if (!q.exec(QStringLiteral("SELECT ts_ms, server, interval_s, used_memory, max_memory, evictions_per_s, "
                                           "expirations_per_s, ops_per_s, keys, expires, counter_reset, id "
                                           "FROM server_samples"))) {
                    error = q.lastError().text();
                } else {
                    while (q.next()) {
                        ServerSample s;
                        s.timestampMs = q.value(0).toLongLong();
                        s.server = q.value(1).toString();
                        s.intervalSeconds = q.value(2).toDouble();
                        s.usedMemory = quint64(q.value(3).toLongLong());
                        s.maxMemory = quint64(q.value(4).toLongLong());
                        s.evictionsPerSecond = q.value(5).toDouble();
                        s.expirationsPerSecond = q.value(6).toDouble();
                        s.opsPerSecond = q.value(7).toDouble();
                        s.keys = quint64(q.value(8).toLongLong());
                        s.expires = quint64(q.value(9).toLongLong());
                        s.counterReset = q.value(10).toInt() != 0;
                        rows.push_back({{s.timestampMs, q.value(11).toLongLong() * 2 + 1}, s});
                    }
                }
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    if (!error.isEmpty())
        return makeError(QStringLiteral("cannot read recording %1: %2").arg(path, error));
    std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<RecordedSample> out;
    out.reserve(rows.size());
    for (auto &r : rows)
        out.push_back(std::move(r.second));
    return out;
}

Expected<bool> Replayer::open(const QString &path)
{
    auto loaded = load(path);
    if (!loaded)
        return makeError(loaded.error());
    stop();
    m_samples = std::move(loaded.value());
    m_next = 0;
    return true;
}

qint64 Replayer::timestampOf(qsizetype i) const
{
    return std::visit([](const auto &s) { return s.timestampMs; }, m_samples[size_t(i)]);
}

void Replayer::start(double speed)
{
    m_speed = speed;
    m_next = 0;
    m_startWallMs = QDateTime::currentMSecsSinceEpoch();
    m_timer->start(0);
}

void Replayer::stop()
{
    m_timer->stop();
}

bool Replayer::isRunning() const
{
    return m_timer->isActive();
}

void Replayer::emitDue()
{
    if (m_next >= sampleCount()) {
        Q_EMIT finished();
        return;
    }
    const qint64 first = timestampOf(0);
    const double elapsed = double(QDateTime::currentMSecsSinceEpoch() - m_startWallMs);
    int emitted = 0;
    // At full speed, yield to the event loop every 1000 samples so the GUI stays live.
    while (m_next < sampleCount() && (m_speed <= 0 ? emitted < 1000 : double(timestampOf(m_next) - first) <= elapsed * m_speed)) {
        std::visit(
            [this](const auto &s) {
                if constexpr (std::is_same_v<std::decay_t<decltype(s)>, HitRateSample>)
                    Q_EMIT hitSample(s);
                else
                    Q_EMIT serverSample(s);
            },
            m_samples[size_t(m_next)]);
        ++m_next;
        ++emitted;
    }
    if (m_next >= sampleCount()) {
        Q_EMIT finished();
        return;
    }
    qint64 wait = 0;
    if (m_speed > 0)
        wait = qint64(double(timestampOf(m_next) - first) / m_speed - elapsed);
    m_timer->start(int(qBound(qint64(0), wait, qint64(1000))));
}

} // namespace cachescope
