#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// A real MariaDB server for one test executable (Debian's mariadb-server): mariadb-install-db
// into a temp dir, mariadbd with its own --datadir/--socket/--port (a free loopback port below
// 32768, --bind-address=127.0.0.1), no system config read (--no-defaults), and a password user
// "cachescope" for TCP logins. As root the server runs as the "mysql" system user. Stopped by
// stop() or the destructor (SIGTERM, a clean shutdown).
class MariaDbServer
{
public:
    MariaDbServer();
    ~MariaDbServer();
    MariaDbServer(const MariaDbServer &) = delete;
    MariaDbServer &operator=(const MariaDbServer &) = delete;

    QString start(); // empty on success
    void stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    static QString user() { return QStringLiteral("cachescope"); }
    static QString password(); // has characters a URI must percent-encode
    // mysql+pymysql://cachescope:<encoded password>@127.0.0.1:<port>/<database>
    QString uri(const QString &database, const QString &scheme = QStringLiteral("mysql+pymysql")) const;

    QString createDatabase(const QString &name);
    // The mariadb client as root over the unix socket, statements on stdin.
    Expected<QByteArray> sql(const QString &statements, const QString &database = {}) const;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_osUser;
    quint16 m_port = 0;
};

} // namespace cachescope::test
