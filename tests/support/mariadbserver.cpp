#include "mariadbserver.h"

#include "process.h"
#include "redisserver.h"    // freeLoopbackPort

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include <pwd.h>

namespace cachescope::test {

namespace {

QString findProgram(const QStringList &names)
{
    for (const QString &n : names) {
        const QString found = QStandardPaths::findExecutable(n, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
        if (!found.isEmpty())
            return found;
    }
    return {};
}

} // namespace

MariaDbServer::MariaDbServer() = default;

MariaDbServer::~MariaDbServer()
{
    stop();
}

QString MariaDbServer::password()
{
    // ASCII only: PyMySQL encodes a str password as latin-1.
    return QStringLiteral("My:Sq1@/%?#+ pw\\'q");
}

QString MariaDbServer::uri(const QString &database, const QString &scheme) const
{
    // One multi-arg call: the encoded password holds '%' sequences a later arg() would replace.
    return QStringLiteral("%1://%2:%3@127.0.0.1:%4/%5")
        .arg(scheme, user(), QString::fromLatin1(QUrl::toPercentEncoding(password())), QString::number(m_port), database);
}

bool MariaDbServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString MariaDbServer::start()
{
    const QString installDb = findProgram({QStringLiteral("mariadb-install-db"), QStringLiteral("mysql_install_db")});
    const QString server = findProgram({QStringLiteral("mariadbd"), QStringLiteral("mysqld")});
    if (installDb.isEmpty() || server.isEmpty())
        return QStringLiteral("MariaDB is not installed: no mariadb-install-db/mariadbd (apt-get install mariadb-server)");
    m_osUser = ::getpwnam("mysql") ? QStringLiteral("mysql") : QStringLiteral("nobody");
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/cs-maria-XXXXXX"));
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir for MariaDB: %1").arg(m_dir->errorString());
    const QString root = m_dir->path();
    QDir().mkpath(root + QStringLiteral("/data"));
    // Its own tmpdir: two bootstraps at once in the shared /tmp once failed deleting a temporary
    // table file ("Error on delete of '/tmp/#sql-temptable-…'") under ctest -j2.
    QDir().mkpath(root + QStringLiteral("/tmp"));
    QString error = chownForUser(root, m_osUser);
    if (!error.isEmpty())
        return error;
    QStringList installArgs{QStringLiteral("--no-defaults"), QStringLiteral("--datadir=") + root + QStringLiteral("/data"),
                            QStringLiteral("--auth-root-authentication-method=normal"), QStringLiteral("--skip-test-db"),
                            QStringLiteral("--skip-name-resolve"), QStringLiteral("--tmpdir=") + root + QStringLiteral("/tmp")};
    if (runningAsRoot())
        installArgs << QStringLiteral("--user=") + m_osUser;
    auto installed = runProcess(installDb, installArgs); // it drops to --user itself
    if (!installed)
        return QStringLiteral("mariadb-install-db failed: %1").arg(installed.error());

    const QString socket = root + QStringLiteral("/mysqld.sock");
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        QStringList args{QStringLiteral("--no-defaults"),
                         QStringLiteral("--datadir=") + root + QStringLiteral("/data"),
                         QStringLiteral("--socket=") + socket,
                         QStringLiteral("--port=%1").arg(m_port),
                         QStringLiteral("--bind-address=127.0.0.1"),
                         QStringLiteral("--pid-file=") + root + QStringLiteral("/mysqld.pid"),
                         QStringLiteral("--skip-name-resolve"),
                         QStringLiteral("--tmpdir=") + root + QStringLiteral("/tmp"),
                         QStringLiteral("--skip-log-bin"),
                         QStringLiteral("--innodb-buffer-pool-size=32M"),
                         QStringLiteral("--innodb-log-file-size=16M"),
                         QStringLiteral("--innodb-flush-log-at-trx-commit=0"),
                         QStringLiteral("--character-set-server=utf8mb4"),
                         QStringLiteral("--collation-server=utf8mb4_general_ci")};
        startServerProcess(*m_process, server, args, m_osUser);
        if (!m_process->waitForStarted(10000))
            return QStringLiteral("mariadbd did not start: %1").arg(m_process->errorString());
        QElapsedTimer timer;
        timer.start();
        bool up = false;
        while (timer.elapsed() < 120000 && m_process->state() == QProcess::Running) {
            if (QFile::exists(socket) && sql(QStringLiteral("SELECT 1;")).hasValue()) {
                up = true;
                break;
            }
            QThread::msleep(100);
        }
        if (up)
            break;
        const QString output = QString::fromLocal8Bit(m_process->readAll()).right(2000);
        stop();
        if (!output.contains(QStringLiteral("Address already in use")) || attempt == 4)
            return QStringLiteral("mariadbd on port %1 did not come up: %2").arg(m_port).arg(output);
    }
    // TCP logins for the tests: a password user on 127.0.0.1 (root stays socket-only).
    const QString pw = password().replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
    auto created = sql(QStringLiteral("CREATE USER '%1'@'127.0.0.1' IDENTIFIED BY '%2';"
                                      "GRANT ALL PRIVILEGES ON *.* TO '%1'@'127.0.0.1';")
                           .arg(user(), pw));
    if (!created)
        return QStringLiteral("cannot create the MariaDB test user: %1").arg(created.error());
    return {};
}

void MariaDbServer::stop()
{
    if (!m_process)
        return;
    stopServerProcess(*m_process, 60000);
    m_process.reset();
}

Expected<QByteArray> MariaDbServer::sql(const QString &statements, const QString &database) const
{
    const QString client = findProgram({QStringLiteral("mariadb"), QStringLiteral("mysql")});
    if (client.isEmpty())
        return makeError(QStringLiteral("the mariadb client is not installed"));
    QStringList args{QStringLiteral("--no-defaults"), QStringLiteral("--socket=") + m_dir->path() + QStringLiteral("/mysqld.sock"),
                     QStringLiteral("-u"), QStringLiteral("root"), QStringLiteral("--batch")};
    if (!database.isEmpty())
        args << database;
    ProcessOptions options;
    options.stdinData = statements.toUtf8();
    options.timeoutMs = 60000;
    return runProcess(client, args, options);
}

QString MariaDbServer::createDatabase(const QString &name)
{
    auto out = sql(QStringLiteral("CREATE DATABASE `%1` CHARACTER SET utf8mb4;").arg(name));
    return out ? QString() : out.error();
}

} // namespace cachescope::test
