#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace cachescope::test {

// A real PostgreSQL cluster for one test executable (Debian's postgresql package; the binaries
// of the newest /usr/lib/postgresql/*/bin): initdb in a temp dir, postgres on a free loopback
// port below 32768 (listen_addresses=127.0.0.1, unix socket inside the temp dir), password
// authentication for a superuser whose password needs percent-encoding in a URI. As root,
// initdb and postgres run as the "postgres" system user (created by the package; "nobody"
// otherwise) and the temp dir is handed to it. postgres is the test's child, not pg_ctl's
// daemon, so it stops when the test dies (startServerProcess). Durability is off: the cluster is
// thrown away. Stopped by stop() or the destructor.
class PostgresServer
{
public:
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Empty on success, otherwise why it failed (the test must fail with it).
    QString start();
    void stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    static QString user() { return QStringLiteral("cachescope"); }
    static QString password(); // has characters a URI must percent-encode
    // postgresql://cachescope:<encoded password>@127.0.0.1:<port>/<database>
    QString uri(const QString &database, const QString &scheme = QStringLiteral("postgresql")) const;

    QString createDatabase(const QString &name);
    // psql -X -q -v ON_ERROR_STOP=1 against database, with the password in the environment.
    Expected<QByteArray> psql(const QString &database, const QStringList &args, const QByteArray &stdinData = {}) const;
    QString binDir() const { return m_binDir; }
    static QString findBinDir(); // empty when PostgreSQL is not installed

private:
    QString pgctl(const QStringList &args);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    QString m_osUser;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
};

} // namespace cachescope::test
