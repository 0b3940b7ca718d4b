#include "redissentinelset.h"

#include "process.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

namespace cachescope::test {

namespace {

// The integers of a RESP reply's bulk strings, e.g. the port in get-master-addr-by-name.
QList<QByteArray> bulkStrings(const QByteArray &reply)
{
    QList<QByteArray> out;
    const QList<QByteArray> lines = reply.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i)
        if (lines[i].startsWith('$') && !lines[i].startsWith("$-1"))
            out << lines[i + 1].trimmed();
    return out;
}

} // namespace

RedisSentinelSet::RedisSentinelSet() = default;

RedisSentinelSet::~RedisSentinelSet()
{
    stop();
}

QList<QPair<QString, int>> RedisSentinelSet::sentinels() const
{
    QList<QPair<QString, int>> out;
    for (quint16 p : m_sentinelPorts)
        out.append({QStringLiteral("127.0.0.1"), int(p)});
    return out;
}

QString RedisSentinelSet::pythonSentinels() const
{
    QStringList parts;
    for (quint16 p : m_sentinelPorts)
        parts << QStringLiteral("(\"127.0.0.1\", %1)").arg(p);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QByteArray RedisSentinelSet::sentinelCommand(int index, const QList<QByteArray> &args) const
{
    return respCommand(m_sentinelPorts.value(index), args, m_options.sentinelPassword.toUtf8());
}

QString RedisSentinelSet::start(const Options &options)
{
    m_options = options;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir: %1").arg(m_dir->errorString());
    QStringList auth;
    if (!options.password.isEmpty())
        auth << QStringLiteral("--requirepass") << options.password << QStringLiteral("--masterauth") << options.password;
    m_master = std::make_unique<RedisServer>();
    if (QString e = m_master->start(auth); !e.isEmpty())
        return QStringLiteral("master: %1").arg(e);
    m_replica = std::make_unique<RedisServer>();
    if (QString e = m_replica->start(auth + QStringList{QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"),
                                                         QString::number(m_master->port())});
        !e.isEmpty())
        return QStringLiteral("replica: %1").arg(e);
    for (int i = 0; i < 3; ++i) {
        QString error;
        for (int attempt = 0; attempt < 5; ++attempt) { // a probed port may be taken before the bind
            error = startSentinel(i, freeLoopbackPort());
            if (error.isEmpty())
                break;
        }
        if (!error.isEmpty())
            return error;
    }
    return waitUntilSettled(60000);
}

QString RedisSentinelSet::startSentinel(int index, quint16 port)
{
    const QString binary = QStandardPaths::findExecutable(QStringLiteral("redis-sentinel"));
    if (binary.isEmpty())
        return QStringLiteral("redis-sentinel is not installed (apt-get install redis-sentinel)");
    // Sentinel rewrites its config file: one writable file each, in the set's temp dir.
    const QString conf = m_dir->filePath(QStringLiteral("sentinel-%1.conf").arg(index));
    QFile f(conf);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QStringLiteral("cannot write %1").arg(conf);
    const QByteArray name = m_options.masterName.toUtf8();
    QByteArray text = "port " + QByteArray::number(port) + "\nbind 127.0.0.1\ndaemonize no\nlogfile \"\"\n"
                      "dir " + m_dir->path().toUtf8() + "\n"
                      "sentinel monitor " + name + " 127.0.0.1 " + QByteArray::number(m_master->port()) + " 2\n"
                      "sentinel down-after-milliseconds " + name + " 1000\n"
                      "sentinel failover-timeout " + name + " 3000\n"
                      "sentinel parallel-syncs " + name + " 1\n";
    // Config values are quoted: passwords may hold spaces.
    auto quoted = [](const QString &v) -> QByteArray { // not a QStringBuilder over a local
        QByteArray q = v.toUtf8();
        q.replace('\\', "\\\\").replace('"', "\\\"");
        return '"' + q + '"';
    };
    if (!m_options.password.isEmpty())
        text += "sentinel auth-pass " + name + " " + quoted(m_options.password) + "\n";
    if (!m_options.sentinelPassword.isEmpty())
        text += "requirepass " + quoted(m_options.sentinelPassword) + "\nsentinel sentinel-pass "
                + quoted(m_options.sentinelPassword) + "\n";
    f.write(text);
    f.close();
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    startServerProcess(*process, binary, {conf});
    if (!process->waitForStarted(5000))
        return QStringLiteral("redis-sentinel did not start: %1").arg(process->errorString());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        const QByteArray pong = respCommand(port, {"PING"}, m_options.sentinelPassword.toUtf8());
        if (pong.startsWith("+PONG")) {
            m_sentinelPorts.append(port);
            m_sentinels.push_back(std::move(process));
            return {};
        }
        if (process->waitForFinished(20)) // also the pause between two probes
            return QStringLiteral("redis-sentinel on port %1 exited: %2").arg(port).arg(QString::fromUtf8(process->readAll()));
    }
    process->kill();
    process->waitForFinished(2000);
    return QStringLiteral("redis-sentinel on port %1 did not answer PING within 10 s").arg(port);
}

// Every sentinel must know the replica (learnt from the master's INFO) and the two others (from
// their hello messages) before a failover can be agreed on.
QString RedisSentinelSet::waitUntilSettled(int timeoutMs)
{
    const QByteArray name = m_options.masterName.toUtf8();
    QElapsedTimer t;
    t.start();
    QByteArray last;
    while (t.elapsed() < timeoutMs) {
        bool settled = true;
        for (int i = 0; i < m_sentinelPorts.size() && settled; ++i) {
            const QByteArray replicas = sentinelCommand(i, {"SENTINEL", "replicas", name});
            const QByteArray others = sentinelCommand(i, {"SENTINEL", "sentinels", name});
            last = replicas + others;
            settled = replicas.contains(QByteArray::number(m_replica->port())) && !replicas.contains("s_down")
                      && others.count("\r\nip\r\n") >= 2;
        }
        if (settled)
            return {};
        QThread::msleep(200);
    }
    return QStringLiteral("the sentinels did not discover the replica and each other within %1 ms; last answers: %2")
        .arg(timeoutMs)
        .arg(QString::fromUtf8(last.left(600)));
}

QString RedisSentinelSet::reportedMaster() const
{
    for (int i = 0; i < m_sentinelPorts.size(); ++i) {
        const QList<QByteArray> parts =
            bulkStrings(sentinelCommand(i, {"SENTINEL", "get-master-addr-by-name", m_options.masterName.toUtf8()}));
        if (parts.size() == 2)
            return QString::fromUtf8(parts[0] + ':' + parts[1]);
    }
    return {};
}

QString RedisSentinelSet::killMasterAndWaitForFailover(int timeoutMs)
{
    m_master->kill();
    const QString wanted = QStringLiteral("127.0.0.1:%1").arg(m_replica->port());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (reportedMaster() == wanted
            && m_replica->command({"ROLE"}, m_options.password.toUtf8()).contains("master"))
            return {};
        QThread::msleep(100);
    }
    return QStringLiteral("no failover to %1 within %2 ms (sentinels report %3)").arg(wanted).arg(timeoutMs).arg(reportedMaster());
}

void RedisSentinelSet::stop()
{
    for (auto &p : m_sentinels) {
        stopServerProcess(*p);
    }
    m_sentinels.clear();
    m_sentinelPorts.clear();
    if (m_replica)
        m_replica->stop();
    if (m_master)
        m_master->stop();
}

} // namespace cachescope::test
