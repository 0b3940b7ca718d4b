#include "statsdlistener.h"

#include <QDateTime>
#include <QNetworkDatagram>
#include <QTimer>
#include <QUdpSocket>

namespace cachescope {

namespace {
constexpr qint64 kMaxDatagram = 65535;
}

StatsdListener::StatsdListener(QObject *parent)
    : QObject(parent), m_socket(new QUdpSocket(this)), m_timer(new QTimer(this))
{
    qRegisterMetaType<HitRateSample>();
    qRegisterMetaType<StatsdMetric>();
    m_timer->setInterval(1000);
    connect(m_socket, &QUdpSocket::readyRead, this, &StatsdListener::readPending);
    connect(m_timer, &QTimer::timeout, this, &StatsdListener::emitSample);
}

StatsdListener::~StatsdListener() = default;

void StatsdListener::setForward(const QHostAddress &host, quint16 port)
{
    m_forwardHost = host;
    m_forwardPort = port;
    if (!m_forwardSocket)
        m_forwardSocket = new QUdpSocket(this);
}

void StatsdListener::setIntervalMs(int ms)
{
    m_timer->setInterval(qMax(10, ms));
}

Expected<bool> StatsdListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_socket->bind(address, port))
        return makeError(QStringLiteral("cannot listen for statsd on %1:%2: %3")
                             .arg(address.toString(), QString::number(port), m_socket->errorString()));
    m_intervalStartMs = QDateTime::currentMSecsSinceEpoch();
    m_timer->start();
    return true;
}

void StatsdListener::close()
{
    m_timer->stop();
    m_socket->close();
}

quint16 StatsdListener::localPort() const
{
    return m_socket->localPort();
}

Expected<QPair<QHostAddress, quint16>> StatsdListener::parseAddress(const QString &text, quint16 defaultPort)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text;
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon >= 0) {
        if (colon > 0)
            host = text.left(colon);
        portText = text.mid(colon + 1);
    } else if (!text.isEmpty() && !text.front().isDigit()) {
        host = text;
        portText.clear();
    }
    if (host == u"localhost")
        host = QStringLiteral("127.0.0.1");
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (!address.setAddress(host))
        return makeError(QStringLiteral("'%1' is not an IP address (statsd address must be HOST:PORT)").arg(host));
    quint16 port = defaultPort;
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint p = portText.toUInt(&ok);
        if (!ok || p > 65535)
            return makeError(QStringLiteral("'%1' is not a UDP port").arg(portText));
        port = quint16(p);
    }
    return qMakePair(address, port);
}

void StatsdListener::readPending()
{
    while (m_socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket->receiveDatagram(kMaxDatagram);
        if (!datagram.isValid())
            break;
        ++m_datagrams;
        const QByteArray data = datagram.data();
        // Forward before parsing, byte for byte, so the real statsd sees exactly what Superset sent.
        if (m_forwardSocket && m_forwardPort) {
            if (m_forwardSocket->writeDatagram(data, m_forwardHost, m_forwardPort) == data.size())
                ++m_forwarded;
        }
        for (const auto &parsed : StatsdMetric::parseDatagram(data)) {
            if (!parsed) {
                ++m_malformed;
                continue;
            }
            ++m_metrics;
            handleMetric(*parsed);
            Q_EMIT metricReceived(*parsed);
        }
    }
}

void StatsdListener::handleMetric(const StatsdMetric &metric)
{
    if (metric.type != StatsdMetric::Type::Counter)
        return;
    QByteArray name = metric.name;
    if (!m_prefix.isEmpty()) {
        if (!name.startsWith(QByteArray(m_prefix + '.')))
            return;
        name = name.mid(m_prefix.size() + 1);
    }
    const double count = metric.value / metric.sampleRate;
    if (name == "loaded_from_cache")
        m_hits += count;
    else if (name == "loaded_from_source_without_force")
        m_misses += count;
    else if (name == "set_cache_key")
        m_sets += count;
}

void StatsdListener::emitSample()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const double seconds = double(now - m_intervalStartMs) / 1000.0;
    if (seconds <= 0)
        return;
    HitRateSample s;
    s.timestampMs = now;
    s.cache = QStringLiteral("DATA_CACHE_CONFIG");
    s.source = SampleSource::Statsd;
    s.exactness = Exactness::AsReported;
    s.intervalSeconds = seconds;
    s.hitsPerSecond = m_hits / seconds;
    s.missesPerSecond = m_misses / seconds;
    s.setsPerSecond = m_sets / seconds;
    m_hits = m_misses = m_sets = 0;
    m_intervalStartMs = now;
    Q_EMIT hitSample(s);
}

} // namespace cachescope
