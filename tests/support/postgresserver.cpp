#include "postgresserver.h"

#include "process.h"
#include "redisserver.h" // freeLoopbackPort

#include <QCollator>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QUrl>

#include <pwd.h>

namespace cachescope::test {

PostgresServer::PostgresServer() = default;

PostgresServer::~PostgresServer()
{
    stop();
}

QString PostgresServer::password()
{
    // ':', '@', '/', '%', '?', '#', ' ', quotes and a non-ASCII letter: percent-encoding in the
    // URI and quoting in libpq's conninfo are both exercised.
    return QStringLiteral("S3cr:t@/%?#+ 'q\"\u00fc\\x");
}

QString PostgresServer::findBinDir()
{
    QStringList versions = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCollator numeric;
    numeric.setNumericMode(true);
    std::sort(versions.begin(), versions.end(), [&](const QString &a, const QString &b) { return numeric.compare(a, b) > 0; });
    for (const QString &v : versions) {
        const QString bin = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(v);
        if (QFileInfo(bin + QStringLiteral("/initdb")).isExecutable() && QFileInfo(bin + QStringLiteral("/pg_ctl")).isExecutable())
            return bin;
    }
    return {};
}

QString PostgresServer::uri(const QString &database, const QString &scheme) const
{
    // One multi-arg call: the encoded password holds '%' sequences a later arg() would replace.
    return QStringLiteral("%1://%2:%3@127.0.0.1:%4/%5")
        .arg(scheme, user(), QString::fromLatin1(QUrl::toPercentEncoding(password())), QString::number(m_port), database);
}

QString PostgresServer::pgctl(const QStringList &args)
{
    ProcessOptions options;
    options.asUser = m_osUser;
    options.setEnvironment = {QStringLiteral("LC_ALL=C")};
    auto out = runProcess(m_binDir + QStringLiteral("/pg_ctl"), args, options);
    return out ? QString() : out.error();
}

QString PostgresServer::start()
{
    m_binDir = findBinDir();
    if (m_binDir.isEmpty())
        return QStringLiteral("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)");
    m_osUser = ::getpwnam("postgres") ? QStringLiteral("postgres") : QStringLiteral("nobody");
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/cs-pg-XXXXXX"));
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir for PostgreSQL: %1").arg(m_dir->errorString());
    const QString root = m_dir->path();
    {
        QFile pw(root + QStringLiteral("/pwfile"));
        if (!pw.open(QIODevice::WriteOnly) || pw.write(password().toUtf8() + '\n') < 0)
            return QStringLiteral("cannot write the password file for initdb");
    }
    QString error = chownForUser(root, m_osUser);
    if (!error.isEmpty())
        return error;
    ProcessOptions asServer;
    asServer.asUser = m_osUser;
    asServer.setEnvironment = {QStringLiteral("LC_ALL=C")};
    auto init = runProcess(m_binDir + QStringLiteral("/initdb"),
                      {QStringLiteral("-D"), root + QStringLiteral("/data"), QStringLiteral("-U"), user(),
                       QStringLiteral("--pwfile=") + root + QStringLiteral("/pwfile"), QStringLiteral("-A"),
                       QStringLiteral("scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                       QStringLiteral("--locale=C"), QStringLiteral("--no-sync")},
                           asServer);
    QFile::remove(root + QStringLiteral("/pwfile"));
    if (!init)
        return QStringLiteral("initdb failed: %1").arg(init.error());
    for (int attempt = 0; attempt < 5; ++attempt) { // the port may be taken between probe and bind
        m_port = freeLoopbackPort();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(root + QStringLiteral("/server.log"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
        m_process->setProcessEnvironment(env);
        startServerProcess(*m_process, m_binDir + QStringLiteral("/postgres"),
                           {QStringLiteral("-D"), root + QStringLiteral("/data"), QStringLiteral("-c"),
                            QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                            QStringLiteral("-k"), root, QStringLiteral("-c"), QStringLiteral("fsync=off"), QStringLiteral("-c"),
                            QStringLiteral("synchronous_commit=off"), QStringLiteral("-c"), QStringLiteral("full_page_writes=off"),
                            QStringLiteral("-c"), QStringLiteral("max_connections=40")},
                           m_osUser);
        if (!m_process->waitForStarted(10000)) {
            error = QStringLiteral("postgres did not start: %1").arg(m_process->errorString());
            break;
        }
        // Ready when pg_isready says so; an exit means the port was taken (or worse: the log says).
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 120000 && m_process->state() == QProcess::Running) {
            if (runProcess(m_binDir + QStringLiteral("/pg_isready"),
                           {QStringLiteral("-q"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                            QString::number(m_port)}))
                return {};
            m_process->waitForFinished(100); // also the pause between two probes
        }
        error = m_process->state() == QProcess::Running ? QStringLiteral("postgres did not accept connections within 120 s")
                                                        : QStringLiteral("postgres exited (code %1)").arg(m_process->exitCode());
        stopServerProcess(*m_process);
    }
    QFile log(root + QStringLiteral("/server.log"));
    log.open(QIODevice::ReadOnly);
    return QStringLiteral("PostgreSQL did not start: %1\n%2").arg(error, QString::fromUtf8(log.readAll().right(2000)));
}

void PostgresServer::stop()
{
    if (!isRunning())
        return;
    // Fast shutdown: sessions a test left open are ended, not waited for.
    pgctl({QStringLiteral("-D"), m_dir->path() + QStringLiteral("/data"), QStringLiteral("-m"), QStringLiteral("fast"),
           QStringLiteral("-w"), QStringLiteral("stop")});
    stopServerProcess(*m_process);
}

bool PostgresServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

Expected<QByteArray> PostgresServer::psql(const QString &database, const QStringList &args, const QByteArray &stdinData) const
{
    ProcessOptions options;
    options.stdinData = stdinData;
    options.setEnvironment = {QStringLiteral("PGPASSWORD=") + password()};
    return runProcess(m_binDir + QStringLiteral("/psql"),
                      QStringList{QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                                  QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                                  QStringLiteral("-U"), user(), QStringLiteral("-d"), database}
                          + args,
                      options);
}

QString PostgresServer::createDatabase(const QString &name)
{
    auto out = psql(QStringLiteral("postgres"), {QStringLiteral("-c"), QStringLiteral("CREATE DATABASE \"%1\"").arg(name)});
    return out ? QString() : out.error();
}

} // namespace cachescope::test
