#pragma once

#include "common/expected.h"
#include "mariadbserver.h"
#include "postgresserver.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace cachescope::test {

// The three kinds of metadata database a test runs against: SQLite files in a temp dir, a
// PostgreSQL cluster and a MariaDB server (one of each for the whole test executable).
class MetadataServers
{
public:
    static QStringList backends() { return {QStringLiteral("sqlite"), QStringLiteral("postgresql"), QStringLiteral("mysql")}; }

    // Empty on success, otherwise why a server did not start (the test must fail with it).
    QString start();
    void stop();
    // A new, empty database on backend, as the SQLAlchemy URI Superset would be given (with a
    // password that needs percent-encoding on the servers).
    Expected<QString> database(const QString &backend, const QString &name);

    PostgresServer &postgres() { return m_pg; }
    MariaDbServer &mariadb() { return m_maria; }
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    PostgresServer m_pg;
    MariaDbServer m_maria;
};

} // namespace cachescope::test
