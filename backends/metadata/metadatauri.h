#pragma once

#include "common/expected.h"

#include <QList>
#include <QPair>
#include <QString>

namespace cachescope {

// A SQLAlchemy database URI (Superset's SQLALCHEMY_DATABASE_URI) turned into what QtSql needs.
// Parsing follows SQLAlchemy 1.4's make_url (sqlalchemy/engine/url.py › _parse_url, the
// version Superset 1.5-5.x pins; Debian ships 1.4.46): user and password are percent-decoded,
// the password cannot hold a raw '@', query options are form-decoded. The password lives only
// in this object and in the QSqlDatabase it configures; redacted() is the only printable form.
struct MetadataUri
{
    enum class Dialect { Sqlite, Postgresql, Mysql };

    Dialect dialect = Dialect::Sqlite;
    QString scheme;          // as written: "postgresql+psycopg2"
    QString host;            // empty: the driver's default (unix socket)
    int port = -1;           // -1: the driver's default
    QString user;
    QString password;        // secret: never printed, never logged
    // The database name, or for SQLite the absolute file path (a "file:" URI when uri=true).
    QString database;
    // QSqlDatabase::setConnectOptions() text built from the URI's query (sslmode=..., timeout=...).
    QString connectOptions;
    bool sqliteUri = false;  // SQLite "uri=true": database is a "file:" URI

    // sqlite:////abs/path.db, sqlite:///relative.db, postgresql[+driver]://, mysql[+driver]://,
    // mariadb[+driver]://. A relative SQLite path is resolved against baseDir: Superset's sqlite3
    // resolves it against the working directory of the Superset process, which CacheScope
    // cannot know, so callers pass the directory they believe that was (the CLI: its own
    // working directory). An unknown dialect, an in-memory SQLite database, a malformed port or
    // an option the Qt driver cannot take is an error naming the part; errors never contain the
    // password.
    static Expected<MetadataUri> parse(const QString &uri, const QString &baseDir = {});

    QString qtDriver() const;      // "QSQLITE", "QPSQL", "QMYSQL"
    QString dialectName() const;   // "sqlite", "postgresql", "mysql"
    QString driverPackage() const; // the Debian package that provides qtDriver()
    // The URI as written with the password (in the user info or a password= option) as "***".
    QString redacted() const { return m_redacted; }

private:
    QString m_redacted;
};

} // namespace cachescope
