#include "metadatauri.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

namespace cachescope {

namespace {

// urllib.parse.unquote: %XX decoded as UTF-8, '+' kept.
QString unquote(const QString &text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

// urllib.parse.parse_qsl(keep_blank_values=False): '&'-separated, '+' is a space, pairs with an
// empty value or without '=' are dropped, as SQLAlchemy 1.4 sees them.
QList<QPair<QString, QString>> parseQuery(const QString &query)
{
    QList<QPair<QString, QString>> out;
    for (const QString &part : query.split(u'&', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq < 0)
            continue;
        QString key = part.left(eq);
        QString value = part.mid(eq + 1);
        key.replace(u'+', u' ');
        value.replace(u'+', u' ');
        if (value.isEmpty())
            continue;
        out.append({unquote(key), unquote(value)});
    }
    return out;
}

bool isPasswordOption(const QString &key)
{
    return key.compare(QStringLiteral("password"), Qt::CaseInsensitive) == 0;
}

// libpq conninfo value quoting (QPSQL quotes host/user/password itself, not the options).
QString conninfoQuote(const QString &value)
{
    QString v = value;
    v.replace(u'\\', QStringLiteral("\\\\"));
    v.replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + v + u'\'';
}

Expected<QString> postgresOptions(const QList<QPair<QString, QString>> &query, QString &host, int &port)
{
    // psycopg2 hands every query option to libpq as a connection keyword
    // (sqlalchemy/dialects/postgresql/psycopg2.py › create_connect_args: opts.update(url.query)),
    // so they pass through; libpq itself rejects an unknown keyword with a clear message.
    static const QRegularExpression keyword(QStringLiteral("^[a-z_]+$"));
    QStringList parts;
    for (const auto &[key, value] : query) {
        if (!keyword.match(key).hasMatch())
            return makeError(QStringLiteral("PostgreSQL URI option '%1' is not a libpq keyword").arg(key));
        // QPSQL turns every ';' of the options into a space before libpq sees them.
        if (value.contains(u';'))
            return makeError(QStringLiteral("PostgreSQL URI option '%1': a ';' cannot be passed through Qt's driver")
                                 .arg(key));
        if (key == QStringLiteral("host") && host.isEmpty()) {
            host = value; // "?host=/var/run/postgresql": a socket directory, as psycopg2 reads it
            continue;
        }
        if (key == QStringLiteral("port") && port < 0) {
            bool ok = false;
            const int p = value.toInt(&ok);
            if (!ok || p <= 0 || p > 65535)
                return makeError(QStringLiteral("PostgreSQL URI option 'port': '%1' is not a port number").arg(value));
            port = p;
            continue;
        }
        parts.append(key + u'=' + conninfoQuote(value));
    }
    return parts.join(u';');
}

Expected<QString> mysqlOptions(const QList<QPair<QString, QString>> &query)
{
    // What SQLAlchemy's mysqldb/pymysql dialects accept in the URI, mapped to the options of Qt
    // 6.4's QMYSQL (qsql_mysql.cpp › QMYSQLDriver::open). ssl_* become the ssl dict
    // (sqlalchemy/dialects/mysql/mysqldb.py › create_connect_args).
    static const QList<QPair<QString, QString>> mapped{
        {QStringLiteral("unix_socket"), QStringLiteral("UNIX_SOCKET")},
        {QStringLiteral("connect_timeout"), QStringLiteral("MYSQL_OPT_CONNECT_TIMEOUT")},
        {QStringLiteral("read_timeout"), QStringLiteral("MYSQL_OPT_READ_TIMEOUT")},
        {QStringLiteral("write_timeout"), QStringLiteral("MYSQL_OPT_WRITE_TIMEOUT")},
        {QStringLiteral("ssl_ca"), QStringLiteral("SSL_CA")},
        {QStringLiteral("ssl_cert"), QStringLiteral("SSL_CERT")},
        {QStringLiteral("ssl_key"), QStringLiteral("SSL_KEY")},
        {QStringLiteral("ssl_capath"), QStringLiteral("SSL_CAPATH")},
        {QStringLiteral("ssl_cipher"), QStringLiteral("SSL_CIPHER")},
    };
    // Options that change nothing for reading through QMYSQL, which always talks utf8mb4 and
    // returns text as Unicode.
    static const QStringList harmless{QStringLiteral("charset"),     QStringLiteral("use_unicode"),
                                      QStringLiteral("binary_prefix"), QStringLiteral("local_infile"),
                                      QStringLiteral("autocommit"),  QStringLiteral("client_flag")};
    QStringList parts;
    bool ssl = false;
    for (const auto &option : query) {
        const QString &key = option.first; // named, not a structured binding: lambdas capture it below
        const QString &value = option.second;
        if (value.contains(u';'))
            return makeError(QStringLiteral("MySQL URI option '%1': a ';' cannot be passed through Qt's driver").arg(key));
        if (harmless.contains(key))
            continue;
        if (key == QStringLiteral("ssl")) {
            ssl = value.compare(QStringLiteral("false"), Qt::CaseInsensitive) != 0 && value != QStringLiteral("0");
            continue;
        }
        auto it = std::find_if(mapped.begin(), mapped.end(), [&](const auto &m) { return m.first == key; });
        if (it == mapped.end())
            return makeError(QStringLiteral("MySQL URI option '%1' is not supported (Qt's MySQL driver has no equivalent)")
                                 .arg(key));
        parts.append(it->second + u'=' + value);
        if (key.startsWith(QStringLiteral("ssl_")))
            ssl = true;
    }
    if (ssl)
        parts.append(QStringLiteral("CLIENT_SSL"));
    return parts.join(u';');
}

Expected<QString> sqliteOptions(const QList<QPair<QString, QString>> &query, bool &uri, QStringList &uriQuery)
{
    // pysqlite's connect arguments (sqlalchemy/dialects/sqlite/pysqlite.py › create_connect_args);
    // with uri=true every other option belongs to the SQLite "file:" URI.
    int busyMs = 5000; // sqlite3.connect's default timeout of 5.0 s
    for (const auto &[key, value] : query) {
        if (key == QStringLiteral("uri")) {
            uri = value.compare(QStringLiteral("true"), Qt::CaseInsensitive) == 0 || value == QStringLiteral("1");
        } else if (key == QStringLiteral("timeout")) {
            bool ok = false;
            const double seconds = value.toDouble(&ok);
            if (!ok || seconds < 0 || seconds > 86400)
                return makeError(QStringLiteral("SQLite URI option 'timeout': '%1' is not a number of seconds").arg(value));
            busyMs = int(seconds * 1000);
        } else if (key == QStringLiteral("check_same_thread") || key == QStringLiteral("isolation_level")
                   || key == QStringLiteral("detect_types") || key == QStringLiteral("cached_statements")) {
            // Python-side settings; nothing to do for QtSql.
        } else {
            uriQuery.append(key + u'=' + value);
        }
    }
    if (!uri && !uriQuery.isEmpty())
        return makeError(QStringLiteral("SQLite URI option '%1' is not supported (add uri=true for a SQLite file: URI)")
                             .arg(uriQuery.first().section(u'=', 0, 0)));
    return QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyMs);
}

// sqlalchemy/engine/url.py › _parse_url (1.4.46), the same groups in the same order.
QRegularExpressionMatch matchUri(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^
        (?P<name>[\w+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/?]+)\] |
                (?P<ipv4host>[^/:?]+)
            )?
            (?::(?P<port>[^/?]*))?
        )?
        (?:/(?P<database>[^?]*))?
        (?:\?(?P<query>.*))?
        $)"),
                                            QRegularExpression::ExtendedPatternSyntaxOption
                                                | QRegularExpression::DotMatchesEverythingOption);
    return pattern.match(text);
}

// True when text splits into the same user, host, port, database and query span as m did.
bool splitsLike(const QString &text, const QRegularExpressionMatch &m)
{
    const auto again = matchUri(text);
    if (!again.hasMatch())
        return false;
    for (const auto group : {u"name", u"username", u"ipv6host", u"ipv4host", u"port", u"database"}) {
        if (again.captured(group) != m.captured(group) || (again.capturedStart(group) < 0) != (m.capturedStart(group) < 0))
            return false;
    }
    return (again.capturedStart(u"password") < 0) == (m.capturedStart(u"password") < 0)
        && (again.capturedStart(u"query") < 0) == (m.capturedStart(u"query") < 0);
}

// The URI as written with the password span and password= values as "***". Shortening a
// password can change how the text splits: "h?password=/x&a://u:p@b" has no user info because
// of the '/', but without it the regex finds user "h?password=***&a" and host "b". The query's
// ':', '/' and '@' are then percent-encoded (parse_qsl decodes them back, so the options are
// the same), and a text that still splits differently is reduced to its scheme.
QString redactUri(const QString &text, const QRegularExpressionMatch &m)
{
    QString before = text;
    QStringList query;
    const qsizetype qStart = m.capturedStart(u"query");
    if (qStart >= 0) {
        before = text.left(qStart);
        query = text.mid(qStart).split(u'&');
        for (QString &p : query) {
            const qsizetype eq = p.indexOf(u'=');
            if (eq > 0 && isPasswordOption(unquote(p.left(eq))))
                p = p.left(eq + 1) + QStringLiteral("***");
        }
    }
    const qsizetype pStart = m.capturedStart(u"password");
    if (pStart >= 0)
        before = text.left(pStart) + QStringLiteral("***") + before.mid(m.capturedEnd(u"password"));
    QString written = before + query.join(u'&');
    if (splitsLike(written, m))
        return written;
    QString encoded = query.join(u'&');
    encoded.replace(u':', QStringLiteral("%3A")).replace(u'/', QStringLiteral("%2F")).replace(u'@', QStringLiteral("%40"));
    written = before + encoded;
    if (splitsLike(written, m))
        return written;
    return m.captured(u"name") + QStringLiteral("://***");
}

} // namespace

Expected<MetadataUri> MetadataUri::parse(const QString &uri, const QString &baseDir)
{
    const QString trimmed = uri.trimmed();
    const auto m = matchUri(trimmed);
    if (!m.hasMatch()) {
        // Never echo the text: a malformed URI may still contain a password.
        const qsizetype sep = trimmed.indexOf(QStringLiteral("://"));
        return makeError(sep > 0 ? QStringLiteral("cannot parse the database URI (scheme '%1')").arg(trimmed.left(sep))
                                 : QStringLiteral("cannot parse the database URI: expected dialect[+driver]://..."));
    }

    MetadataUri out;
    out.scheme = m.captured(u"name");
    const QString dialect = out.scheme.section(u'+', 0, 0).toLower();
    if (dialect == QStringLiteral("sqlite"))
        out.dialect = Dialect::Sqlite;
    else if (dialect == QStringLiteral("postgresql"))
        out.dialect = Dialect::Postgresql;
    else if (dialect == QStringLiteral("mysql") || dialect == QStringLiteral("mariadb"))
        out.dialect = Dialect::Mysql;
    else if (dialect == QStringLiteral("postgres"))
        return makeError(QStringLiteral("database URI scheme 'postgres' is not accepted by SQLAlchemy 1.4+ (so not by "
                                        "Superset): write postgresql://"));
    else
        return makeError(QStringLiteral("database URI dialect '%1' is not supported: Superset's metadata database must be "
                                        "SQLite, PostgreSQL or MySQL/MariaDB here")
                             .arg(out.scheme));

    out.m_redacted = redactUri(trimmed, m);

    if (m.capturedStart(u"username") >= 0)
        out.user = unquote(m.captured(u"username"));
    if (m.capturedStart(u"password") >= 0)
        out.password = unquote(m.captured(u"password"));
    out.host = m.captured(u"ipv4host");
    if (out.host.isEmpty())
        out.host = m.captured(u"ipv6host");
    const QString port = m.captured(u"port");
    if (!port.isEmpty()) {
        bool ok = false;
        out.port = port.toInt(&ok);
        // Not echoed: "user:password" without the '@' parses as host:port.
        if (!ok || out.port <= 0 || out.port > 65535)
            return makeError(QStringLiteral("database URI (scheme %1): the port after host '%2' is not a port number "
                                            "(a password needs a '@' after it)")
                                 .arg(out.scheme, out.host));
    }
    out.database = m.captured(u"database");
    QList<QPair<QString, QString>> query = parseQuery(m.captured(u"query"));
    for (auto &[key, value] : query) {
        if (isPasswordOption(key)) {
            if (out.password.isEmpty())
                out.password = value;
            value.clear();
        }
    }
    query.removeIf([](const auto &kv) { return isPasswordOption(kv.first); });

    Expected<QString> options = QString();
    switch (out.dialect) {
    case Dialect::Sqlite: {
        // pysqlite refuses user/host/port (pysqlite.py › create_connect_args).
        if (!out.user.isEmpty() || !out.password.isEmpty() || !out.host.isEmpty() || out.port > 0)
            return makeError(QStringLiteral("SQLite URI %1 has a user, host or port; valid forms are sqlite:////absolute/path.db "
                                            "and sqlite:///relative/path.db")
                                 .arg(out.m_redacted));
        if (out.database.isEmpty() || out.database == QStringLiteral(":memory:"))
            return makeError(QStringLiteral("SQLite URI %1 names an in-memory database: it only exists inside the Superset "
                                            "process, there is nothing to read")
                                 .arg(out.m_redacted));
        QStringList uriQuery;
        options = sqliteOptions(query, out.sqliteUri, uriQuery);
        if (!options)
            break;
        if (out.sqliteUri) {
            if (!uriQuery.isEmpty())
                out.database += (out.database.contains(u'?') ? u'&' : u'?') + uriQuery.join(u'&');
        } else if (QDir::isRelativePath(out.database)) {
            out.database = QDir::cleanPath(QDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir).filePath(out.database));
        }
        break;
    }
    case Dialect::Postgresql:
        options = postgresOptions(query, out.host, out.port);
        break;
    case Dialect::Mysql:
        options = mysqlOptions(query);
        break;
    }
    if (!options)
        return makeError(QStringLiteral("database URI %1: %2").arg(out.m_redacted, options.error()));
    out.connectOptions = *options;
    return out;
}

QString MetadataUri::qtDriver() const
{
    switch (dialect) {
    case Dialect::Sqlite:
        return QStringLiteral("QSQLITE");
    case Dialect::Postgresql:
        return QStringLiteral("QPSQL");
    case Dialect::Mysql:
        return QStringLiteral("QMYSQL");
    }
    return {};
}

QString MetadataUri::dialectName() const
{
    switch (dialect) {
    case Dialect::Sqlite:
        return QStringLiteral("sqlite");
    case Dialect::Postgresql:
        return QStringLiteral("postgresql");
    case Dialect::Mysql:
        return QStringLiteral("mysql");
    }
    return {};
}

QString MetadataUri::driverPackage() const
{
    switch (dialect) {
    case Dialect::Sqlite:
        return QStringLiteral("libqt6sql6-sqlite");
    case Dialect::Postgresql:
        return QStringLiteral("libqt6sql6-psql");
    case Dialect::Mysql:
        return QStringLiteral("libqt6sql6-mysql");
    }
    return {};
}

} // namespace cachescope
