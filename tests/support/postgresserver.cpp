#include "postgresserver.h"

#include "redisserver.h" // freeLoopbackPort

#include <QCollator>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QUrl>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cachescope::test {

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

QString chownForUser(const QString &path, const QString &user)
{
    if (!runningAsRoot())
        return {};
    const passwd *pw = ::getpwnam(user.toLocal8Bit().constData());
    if (!pw)
        return QStringLiteral("no system user %1 to run the server as").arg(user);
    auto own = [&](const QString &p) { return ::chown(QFile::encodeName(p).constData(), pw->pw_uid, pw->pw_gid) == 0; };
    if (!own(path))
        return QStringLiteral("cannot hand %1 to %2").arg(path, user);
    QDir dir(path);
    for (const QFileInfo &fi : dir.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
        if (fi.isDir() && !fi.isSymLink()) {
            const QString error = chownForUser(fi.filePath(), user);
            if (!error.isEmpty())
                return error;
        } else if (!own(fi.filePath())) {
            return QStringLiteral("cannot hand %1 to %2").arg(fi.filePath(), user);
        }
    }
    return {};
}

Expected<QByteArray> runAs(const QString &user, const QString &program, const QStringList &args,
                           const QByteArray &stdinData, const QStringList &extraEnv, int timeoutMs)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    for (const QString &kv : extraEnv)
        env.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    process.setProcessEnvironment(env);
    // runuser keeps the environment given to it (no login shell), so PGPASSWORD etc. pass through.
    if (runningAsRoot() && !user.isEmpty())
        process.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), user, QStringLiteral("--"), program} + args);
    else
        process.start(program, args);
    if (!process.waitForStarted(10000))
        return makeError(QStringLiteral("cannot start %1: %2").arg(program, process.errorString()));
    if (!stdinData.isEmpty())
        process.write(stdinData);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return makeError(QStringLiteral("%1 did not finish within %2 ms").arg(program).arg(timeoutMs));
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return makeError(QStringLiteral("%1 failed (exit %2): %3%4")
                             .arg(QFileInfo(program).fileName())
                             .arg(process.exitCode())
                             .arg(QString::fromLocal8Bit(process.readAllStandardError()),
                                  QString::fromLocal8Bit(process.readAllStandardOutput()).right(2000)));
    return process.readAllStandardOutput();
}

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
    auto out = runAs(m_osUser, m_binDir + QStringLiteral("/pg_ctl"), args);
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
    auto init = runAs(m_osUser, m_binDir + QStringLiteral("/initdb"),
                      {QStringLiteral("-D"), root + QStringLiteral("/data"), QStringLiteral("-U"), user(),
                       QStringLiteral("--pwfile=") + root + QStringLiteral("/pwfile"), QStringLiteral("-A"),
                       QStringLiteral("scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                       QStringLiteral("--locale=C"), QStringLiteral("--no-sync")});
    QFile::remove(root + QStringLiteral("/pwfile"));
    if (!init)
        return QStringLiteral("initdb failed: %1").arg(init.error());
    for (int attempt = 0; attempt < 5; ++attempt) { // the port may be taken between probe and bind
        m_port = freeLoopbackPort();
        const QString options = QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -k %2 -c fsync=off "
                                               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40")
                                    .arg(m_port)
                                    .arg(root);
        error = pgctl({QStringLiteral("-D"), root + QStringLiteral("/data"), QStringLiteral("-l"),
                       root + QStringLiteral("/server.log"), QStringLiteral("-o"), options, QStringLiteral("-w"),
                       QStringLiteral("-t"), QStringLiteral("120"), QStringLiteral("start")});
        if (error.isEmpty()) {
            m_running = true;
            return {};
        }
    }
    QFile log(root + QStringLiteral("/server.log"));
    log.open(QIODevice::ReadOnly);
    return QStringLiteral("pg_ctl start failed: %1\n%2").arg(error, QString::fromUtf8(log.readAll().right(2000)));
}

void PostgresServer::stop()
{
    if (!m_running)
        return;
    pgctl({QStringLiteral("-D"), m_dir->path() + QStringLiteral("/data"), QStringLiteral("-m"), QStringLiteral("fast"),
           QStringLiteral("-w"), QStringLiteral("stop")});
    m_running = false;
}

Expected<QByteArray> PostgresServer::psql(const QString &database, const QStringList &args, const QByteArray &stdinData) const
{
    return runAs(QString(), m_binDir + QStringLiteral("/psql"),
                 QStringList{QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                             QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                             QStringLiteral("-U"), user(), QStringLiteral("-d"), database}
                     + args,
                 stdinData, {QStringLiteral("PGPASSWORD=") + password()});
}

QString PostgresServer::createDatabase(const QString &name)
{
    auto out = psql(QStringLiteral("postgres"), {QStringLiteral("-c"), QStringLiteral("CREATE DATABASE \"%1\"").arg(name)});
    return out ? QString() : out.error();
}

} // namespace cachescope::test
