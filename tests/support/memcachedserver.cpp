#include "memcachedserver.h"

#include "process.h"
#include "redisserver.h" // freeLoopbackPort: one port probe for every test server

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>

#include <unistd.h>

namespace cachescope::test {

MemcachedServer::MemcachedServer() = default;

MemcachedServer::~MemcachedServer()
{
    stop();
}

QString MemcachedServer::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

MemcachedEndpoint MemcachedServer::endpoint() const
{
    MemcachedEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = m_port;
    return e;
}

QString MemcachedServer::start(const QStringList &extraArgs)
{
    m_sasl = false;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir for memcached: %1").arg(m_dir->errorString());
    return launch(extraArgs, QProcessEnvironment::systemEnvironment());
}

QString MemcachedServer::writeSaslConfig(const Sasl &sasl)
{
    // memcached runs as "nobody" under root: it must be able to read its SASL files.
    QFile::setPermissions(m_dir->path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                             | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
    const QString db = m_dir->filePath(QStringLiteral("sasldb2"));
    QFile conf(m_dir->filePath(QStringLiteral("memcached.conf")));
    if (!conf.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(conf.fileName(), conf.errorString());
    conf.write(QStringLiteral("mech_list: %1\nsasldb_path: %2\n").arg(sasl.mechanisms, db).toUtf8());
    conf.close();
    const QString saslpasswd = QStandardPaths::findExecutable(QStringLiteral("saslpasswd2"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    if (saslpasswd.isEmpty())
        return QStringLiteral("saslpasswd2 is not installed (apt-get install sasl2-bin)");
    QProcess p;
    p.start(saslpasswd, {QStringLiteral("-p"), QStringLiteral("-a"), QStringLiteral("memcached"), QStringLiteral("-c"),
                         QStringLiteral("-f"), db, sasl.username});
    if (!p.waitForStarted(5000))
        return QStringLiteral("saslpasswd2 did not start: %1").arg(p.errorString());
    p.write(sasl.password.toUtf8());
    p.closeWriteChannel();
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        return QStringLiteral("saslpasswd2 failed: %1").arg(QString::fromUtf8(p.readAllStandardError()));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    return {};
}

QString MemcachedServer::startWithSasl(const Sasl &sasl, const QStringList &extraArgs)
{
    m_sasl = true;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir for memcached: %1").arg(m_dir->errorString());
    if (const QString error = writeSaslConfig(sasl); !error.isEmpty())
        return error;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SASL_CONF_PATH"), m_dir->path());
    return launch(QStringList{QStringLiteral("-S")} + extraArgs, env);
}

QString MemcachedServer::launch(const QStringList &extra, const QProcessEnvironment &environment)
{
    const QString binary = QStandardPaths::findExecutable(QStringLiteral("memcached"));
    if (binary.isEmpty())
        return QStringLiteral("memcached is not installed (apt-get install memcached)");
    QString lastError;
    for (int attempt = 0; attempt < 5; ++attempt) { // the port may be taken between probe and bind
        m_port = freeLoopbackPort();
        if (m_port == 0)
            return QStringLiteral("no free loopback port below 32768");
        QStringList args{QStringLiteral("-l"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                         QStringLiteral("-U"), QStringLiteral("0"), QStringLiteral("-m"), QStringLiteral("64")};
        args += extra;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setProcessEnvironment(environment);
        startServerProcess(*m_process, binary, args, QStringLiteral("nobody")); // memcached refuses root
        if (!m_process->waitForStarted(5000))
            return QStringLiteral("memcached did not start: %1").arg(m_process->errorString());
        QElapsedTimer timer;
        timer.start();
        bool up = false;
        while (timer.elapsed() < 10000 && m_process->state() == QProcess::Running) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(200)) {
                up = true;
                break;
            }
            QThread::msleep(20);
        }
        if (up)
            return {};
        lastError = QStringLiteral("memcached on port %1 did not come up: %2")
                        .arg(m_port)
                        .arg(QString::fromUtf8(m_process->readAll()));
        stop();
    }
    return lastError;
}

void MemcachedServer::stop()
{
    if (!m_process)
        return;
    stopServerProcess(*m_process);
    m_process.reset();
}

QByteArray MemcachedServer::command(const QByteArray &request, const QByteArray &terminator) const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(2000))
        return {};
    socket.write(request);
    socket.waitForBytesWritten(2000);
    QByteArray reply;
    while (!reply.endsWith(terminator) && socket.waitForReadyRead(5000))
        reply += socket.readAll();
    return reply;
}

} // namespace cachescope::test
