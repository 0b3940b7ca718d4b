#pragma once

#include "hitratesample.h"
#include "statsdmetric.h"

#include <QHostAddress>
#include <QObject>

class QTimer;
class QUdpSocket;

namespace cachescope {

// Listens for statsd datagrams (Superset's StatsdStatsLogger) and turns the data cache's counters
// into the hit rate Superset itself sees: hits = loaded_from_cache, misses =
// loaded_from_source_without_force (a forced refresh never asked the cache), sets = set_cache_key.
// Optionally forwards every datagram unchanged so a real statsd still gets the metrics.
// Lives on the thread that created it (UDP reads are cheap and non-blocking).
class StatsdListener : public QObject
{
    Q_OBJECT
public:
    explicit StatsdListener(QObject *parent = nullptr);
    ~StatsdListener() override;

    void setPrefix(const QByteArray &prefix) { m_prefix = prefix; } // STATS_LOGGER prefix, "superset"
    void setForward(const QHostAddress &host, quint16 port);
    void setIntervalMs(int ms);
    // Binds the socket (127.0.0.1:8125 by default; port 0 = any free port) and starts emitting samples.
    Expected<bool> listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 8125);
    void close();
    quint16 localPort() const;

    quint64 datagramsReceived() const { return m_datagrams; }
    quint64 metricsParsed() const { return m_metrics; }
    quint64 malformedLines() const { return m_malformed; }
    quint64 datagramsForwarded() const { return m_forwarded; }

    // "host:port", "port" or ":port"; the host defaults to 127.0.0.1.
    static Expected<QPair<QHostAddress, quint16>> parseAddress(const QString &text, quint16 defaultPort = 8125);

Q_SIGNALS:
    void metricReceived(const cachescope::StatsdMetric &metric);
    void hitSample(const cachescope::HitRateSample &sample);

private:
    void readPending();
    void handleMetric(const StatsdMetric &metric);
    void emitSample();

    QUdpSocket *m_socket;
    QUdpSocket *m_forwardSocket = nullptr;
    QTimer *m_timer;
    QByteArray m_prefix = "superset";
    QHostAddress m_forwardHost;
    quint16 m_forwardPort = 0;
    quint64 m_datagrams = 0, m_metrics = 0, m_malformed = 0, m_forwarded = 0;
    double m_hits = 0, m_misses = 0, m_sets = 0; // this interval, scaled by 1/sampleRate
    qint64 m_intervalStartMs = 0;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::StatsdMetric)
