#include "redisserver.h"

#include "process.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace cachescope::test {

quint16 freeLoopbackPort()
{
    // Below 32768, outside Linux's ephemeral range (32768-60999), so a client socket of some other
    // test cannot take the port between this probe and the server's bind.
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = quint16(QRandomGenerator::global()->bounded(10000, 32768));
        QTcpServer server;
        if (server.listen(QHostAddress::LocalHost, port))
            return port;
    }
    return 0;
}

RedisServer::RedisServer() = default;

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::startTls(const RedisTlsServerOptions &tls, const QStringList &extraArgs)
{
    m_tlsPort = freeLoopbackPort();
    QStringList args{QStringLiteral("--tls-port"),      QString::number(m_tlsPort),
                     QStringLiteral("--tls-cert-file"), tls.certFile,
                     QStringLiteral("--tls-key-file"),  tls.keyFile,
                     QStringLiteral("--tls-auth-clients"), tls.authClients ? QStringLiteral("yes") : QStringLiteral("no")};
    if (!tls.caFile.isEmpty())
        args << QStringLiteral("--tls-ca-cert-file") << tls.caFile;
    return start(args + extraArgs);
}

QString RedisServer::start(const QStringList &extraArgs)
{
    m_extraArgs = extraArgs;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir for redis-server: %1").arg(m_dir->errorString());
    QString lastError;
    for (int attempt = 0; attempt < 5; ++attempt) { // the free port may be taken between probe and bind
        m_port = freeLoopbackPort();
        lastError = launch();
        if (lastError.isEmpty())
            return {};
    }
    return lastError;
}

QString RedisServer::launch()
{
    const QString binary = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (binary.isEmpty())
        return QStringLiteral("redis-server is not installed (apt-get install redis-server)");
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{QStringLiteral("--port"),      QString::number(m_port), QStringLiteral("--bind"),
                     QStringLiteral("127.0.0.1"),   QStringLiteral("--dir"), m_dir->path(),
                     QStringLiteral("--save"),      QString(),               QStringLiteral("--appendonly"),
                     QStringLiteral("no"),          QStringLiteral("--daemonize"), QStringLiteral("no"),
                     QStringLiteral("--protected-mode"), QStringLiteral("yes")};
    args += m_extraArgs;
    startServerProcess(*m_process, binary, args);
    if (!m_process->waitForStarted(5000))
        return QStringLiteral("redis-server did not start: %1").arg(m_process->errorString());
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        if (m_process->state() != QProcess::Running)
            return QStringLiteral("redis-server exited: %1").arg(QString::fromUtf8(m_process->readAll()));
        const QByteArray pong = command({"PING"});
        if (pong.startsWith("+PONG") || pong.startsWith("-NOAUTH")) // NOAUTH: up, started with --requirepass
            return {};
        QThread::msleep(20);
    }
    stop();
    return QStringLiteral("redis-server on port %1 did not answer PING within 10 s").arg(m_port);
}

void RedisServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    stopServerProcess(*m_process);
    m_process.reset();
}

QString RedisServer::restart()
{
    stop();
    QElapsedTimer timer;
    timer.start();
    QString error;
    while (timer.elapsed() < 5000) { // the port can linger briefly after the old process exits
        error = launch();
        if (error.isEmpty())
            return {};
        QThread::msleep(50);
    }
    return error;
}

QString RedisServer::url(int db) const
{
    return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db);
}

RedisUrl RedisServer::redisUrl(int db) const
{
    auto u = RedisUrl::parse(url(db));
    return u ? *u : RedisUrl{};
}

RedisUrl RedisServer::tlsUrl(int db, const QString &caFile) const
{
    RedisUrl u = redisUrl(db);
    u.port = m_tlsPort;
    u.tls.enabled = true;
    u.tls.caCerts = caFile;
    return u;
}

QByteArray RedisServer::command(const QList<QByteArray> &args, const QByteArray &password) const
{
    return respCommand(m_port, args, password);
}

QByteArray respCommand(quint16 port, const QList<QByteArray> &args, const QByteArray &password)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(1000))
        return {};
    auto encode = [](const QList<QByteArray> &command) {
        QByteArray out = '*' + QByteArray::number(command.size()) + "\r\n";
        for (const auto &a : command)
            out += '$' + QByteArray::number(a.size()) + "\r\n" + a + "\r\n";
        return out;
    };
    QByteArray request;
    if (!password.isEmpty())
        request += encode({"AUTH", password});
    request += encode(args);
    socket.write(request);
    socket.waitForBytesWritten(1000);
    QByteArray reply;
    // AUTH's +OK can arrive alone, well before the command's own reply (WAIT takes a while):
    // the long wait lasts until the command's reply has begun, then the server has 50 ms to finish.
    const qsizetype authReply = password.isEmpty() ? 0 : 5;
    while (socket.waitForReadyRead(reply.size() <= authReply ? 10000 : 50))
        reply += socket.readAll();
    if (authReply && reply.startsWith("+OK\r\n"))
        reply.remove(0, 5);
    return reply;
}

} // namespace cachescope::test
