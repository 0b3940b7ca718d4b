// SQLAlchemy URIs (Superset's SQLALCHEMY_DATABASE_URI) -> QtSql connection parameters, checked
// against what SQLAlchemy 1.4's own make_url() makes of the same text.
#include "checkok.h"
#include "metadata/metadatauri.h"
#include "python.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cachescope;

class TestMetadataUri : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqlitePaths();
    void sqliteOptions();
    void sqliteRefusals();
    void postgres();
    void mysql();
    void unknownDialects();
    void redactionNeverShowsPassword();
    void agreesWithSqlAlchemy();
};

void TestMetadataUri::sqlitePaths()
{
    auto abs = MetadataUri::parse(QStringLiteral("sqlite:////var/lib/superset/superset.db"));
    CHECK_OK(abs);
    QCOMPARE(abs->dialect, MetadataUri::Dialect::Sqlite);
    QCOMPARE(abs->qtDriver(), QStringLiteral("QSQLITE"));
    QCOMPARE(abs->database, QStringLiteral("/var/lib/superset/superset.db"));
    QCOMPARE(abs->connectOptions, QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));

    // Relative to the directory the caller believes Superset ran in.
    auto rel = MetadataUri::parse(QStringLiteral("sqlite:///data/../superset.db"), QStringLiteral("/srv/superset"));
    CHECK_OK(rel);
    QCOMPARE(rel->database, QStringLiteral("/srv/superset/superset.db"));
    auto cwd = MetadataUri::parse(QStringLiteral("sqlite:///superset.db"));
    CHECK_OK(cwd);
    QCOMPARE(cwd->database, QDir::current().filePath(QStringLiteral("superset.db")));
    QCOMPARE(cwd->driverPackage(), QStringLiteral("libqt6sql6-sqlite"));
}

void TestMetadataUri::sqliteOptions()
{
    auto t = MetadataUri::parse(QStringLiteral("sqlite:////x.db?timeout=2.5&check_same_thread=false"));
    CHECK_OK(t);
    QCOMPARE(t->connectOptions, QStringLiteral("QSQLITE_BUSY_TIMEOUT=2500"));
    auto uri = MetadataUri::parse(QStringLiteral("sqlite:///file:/tmp/x.db?mode=ro&uri=true"));
    CHECK_OK(uri);
    QVERIFY(uri->sqliteUri);
    QCOMPARE(uri->database, QStringLiteral("file:/tmp/x.db?mode=ro"));
    auto bad = MetadataUri::parse(QStringLiteral("sqlite:////x.db?journal=wal"));
    QVERIFY(!bad);
    QVERIFY2(bad.error().contains(QStringLiteral("journal")), qPrintable(bad.error()));
    auto badTimeout = MetadataUri::parse(QStringLiteral("sqlite:////x.db?timeout=soon"));
    QVERIFY(!badTimeout);
    QVERIFY(badTimeout.error().contains(QStringLiteral("timeout")));
}

void TestMetadataUri::sqliteRefusals()
{
    for (const QString &text : {QStringLiteral("sqlite://"), QStringLiteral("sqlite:///:memory:")}) {
        auto m = MetadataUri::parse(text);
        QVERIFY(!m);
        QVERIFY2(m.error().contains(QStringLiteral("in-memory")), qPrintable(m.error()));
    }
    auto host = MetadataUri::parse(QStringLiteral("sqlite://user:pw123@host/x.db"));
    QVERIFY(!host);
    QVERIFY2(!host.error().contains(QStringLiteral("pw123")), qPrintable(host.error()));
    QVERIFY(host.error().contains(QStringLiteral("sqlite:////absolute")));
}

void TestMetadataUri::postgres()
{
    auto pg = MetadataUri::parse(
        QStringLiteral("postgresql+psycopg2://sup%40er:p%40ss%3Aw+rd@db.example.org:5433/superset?sslmode=require&application_name=cache+scope"));
    CHECK_OK(pg);
    QCOMPARE(pg->dialect, MetadataUri::Dialect::Postgresql);
    QCOMPARE(pg->qtDriver(), QStringLiteral("QPSQL"));
    QCOMPARE(pg->scheme, QStringLiteral("postgresql+psycopg2"));
    QCOMPARE(pg->user, QStringLiteral("sup@er"));
    QCOMPARE(pg->password, QStringLiteral("p@ss:w+rd")); // unquote keeps '+'
    QCOMPARE(pg->host, QStringLiteral("db.example.org"));
    QCOMPARE(pg->port, 5433);
    QCOMPARE(pg->database, QStringLiteral("superset"));
    QCOMPARE(pg->connectOptions, QStringLiteral("sslmode='require';application_name='cache scope'")); // parse_qsl: '+' is ' '

    auto socket = MetadataUri::parse(QStringLiteral("postgresql://superset@/superset?host=/var/run/postgresql&port=5434"));
    CHECK_OK(socket);
    QCOMPARE(socket->host, QStringLiteral("/var/run/postgresql"));
    QCOMPARE(socket->port, 5434);
    QVERIFY(socket->connectOptions.isEmpty());

    auto v6 = MetadataUri::parse(QStringLiteral("postgresql://u:pw@[::1]:5432/db"));
    CHECK_OK(v6);
    QCOMPARE(v6->host, QStringLiteral("::1"));

    auto quoted = MetadataUri::parse(QStringLiteral("postgresql://u@h/db?options=-c%20statement_timeout%3D5s&sslrootcert=/a%27b"));
    CHECK_OK(quoted);
    QCOMPARE(quoted->connectOptions, QStringLiteral("options='-c statement_timeout=5s';sslrootcert='/a\\'b'"));

    auto semicolon = MetadataUri::parse(QStringLiteral("postgresql://u@h/db?application_name=a%3Bb"));
    QVERIFY(!semicolon);
    QVERIFY(semicolon.error().contains(QStringLiteral("';'")));
    auto badKey = MetadataUri::parse(QStringLiteral("postgresql://u@h/db?Bad-Key=1"));
    QVERIFY(!badKey);

    // "user:password" without '@' reads as host:port; the message must not echo it.
    auto noAt = MetadataUri::parse(QStringLiteral("postgresql://admin:hunter22/superset"));
    QVERIFY(!noAt);
    QVERIFY2(!noAt.error().contains(QStringLiteral("hunter22")), qPrintable(noAt.error()));
    QVERIFY(noAt.error().contains(QStringLiteral("port")));
}

void TestMetadataUri::mysql()
{
    for (const QString &scheme : {QStringLiteral("mysql"), QStringLiteral("mysql+pymysql"), QStringLiteral("mysql+mysqldb"),
                                  QStringLiteral("mariadb+pymysql")}) {
        auto m = MetadataUri::parse(scheme + QStringLiteral("://superset:pw@mysql:3307/superset?charset=utf8mb4"));
        CHECK_OK(m);
        QCOMPARE(m->dialect, MetadataUri::Dialect::Mysql);
        QCOMPARE(m->qtDriver(), QStringLiteral("QMYSQL"));
        QCOMPARE(m->port, 3307);
        QVERIFY(m->connectOptions.isEmpty());
    }
    auto ssl = MetadataUri::parse(QStringLiteral("mysql+mysqldb://u:pw@h/db?ssl_ca=/etc/ca.pem&connect_timeout=5"));
    CHECK_OK(ssl);
    QCOMPARE(ssl->connectOptions, QStringLiteral("SSL_CA=/etc/ca.pem;MYSQL_OPT_CONNECT_TIMEOUT=5;CLIENT_SSL"));
    auto sock = MetadataUri::parse(QStringLiteral("mysql://u@localhost/db?unix_socket=/run/mysqld/mysqld.sock"));
    CHECK_OK(sock);
    QCOMPARE(sock->connectOptions, QStringLiteral("UNIX_SOCKET=/run/mysqld/mysqld.sock"));
    auto unknown = MetadataUri::parse(QStringLiteral("mysql://u@h/db?ssl_mode=VERIFY_IDENTITY"));
    QVERIFY(!unknown);
    QVERIFY(unknown.error().contains(QStringLiteral("ssl_mode")));
}

void TestMetadataUri::unknownDialects()
{
    auto mssql = MetadataUri::parse(QStringLiteral("mssql+pyodbc://u:secretpw@h/db"));
    QVERIFY(!mssql);
    QVERIFY2(mssql.error().contains(QStringLiteral("mssql+pyodbc")), qPrintable(mssql.error()));
    QVERIFY(!mssql.error().contains(QStringLiteral("secretpw")));
    auto postgres = MetadataUri::parse(QStringLiteral("postgres://u:pw@h/db"));
    QVERIFY(!postgres);
    QVERIFY(postgres.error().contains(QStringLiteral("postgresql://")));
    auto garbage = MetadataUri::parse(QStringLiteral("not a uri with password hunter2"));
    QVERIFY(!garbage);
    QVERIFY(!garbage.error().contains(QStringLiteral("hunter2")));
}

void TestMetadataUri::redactionNeverShowsPassword()
{
    auto pg = MetadataUri::parse(QStringLiteral("postgresql://superset:p%40ss@db:5432/superset?sslmode=require"));
    CHECK_OK(pg);
    QCOMPARE(pg->redacted(), QStringLiteral("postgresql://superset:***@db:5432/superset?sslmode=require"));
    auto query = MetadataUri::parse(QStringLiteral("postgresql://superset@db/superset?password=topsecret&sslmode=disable"));
    CHECK_OK(query);
    QCOMPARE(query->password, QStringLiteral("topsecret"));
    QCOMPARE(query->redacted(), QStringLiteral("postgresql://superset@db/superset?password=***&sslmode=disable"));
    QVERIFY(!query->connectOptions.contains(QStringLiteral("topsecret")));
    auto none = MetadataUri::parse(QStringLiteral("sqlite:////a/b.db"));
    CHECK_OK(none);
    QCOMPARE(none->redacted(), QStringLiteral("sqlite:////a/b.db"));

    // The '/' in this password keeps "h?password=/x&o=a://u:p@b" from having user info; "***"
    // alone would let the redacted text split as user "h?password=***&o=a", host "b". The
    // redacted form must name the same server, so the query's delimiters are percent-encoded.
    auto shifty = MetadataUri::parse(QStringLiteral("postgresql://h?password=/x&sslmode=a://u:p@b"));
    CHECK_OK(shifty);
    QCOMPARE(shifty->host, QStringLiteral("h"));
    QVERIFY(shifty->user.isEmpty());
    QCOMPARE(shifty->redacted(), QStringLiteral("postgresql://h?password=***&sslmode=a%3A%2F%2Fu%3Ap%40b"));
    auto again = MetadataUri::parse(shifty->redacted());
    CHECK_OK(again);
    QCOMPARE(again->host, QStringLiteral("h"));
    QVERIFY(again->user.isEmpty());
    QCOMPARE(again->connectOptions, shifty->connectOptions);
}

// The same URIs through SQLAlchemy 1.4's make_url (Debian's python3-sqlalchemy): user, password,
// host, port, database and query must agree.
void TestMetadataUri::agreesWithSqlAlchemy()
{
    const QStringList uris{
        QStringLiteral("postgresql+psycopg2://sup%40er:p%40ss%3Aw+rd%25@db.example.org:5433/superset?sslmode=require"),
        QStringLiteral("postgresql://u:pw@[::1]:5432/db"),
        QStringLiteral("postgresql://superset@/superset?host=/var/run/postgresql"),
        QStringLiteral("mysql+pymysql://a%20b:%C3%BC%2F@mysql/db?charset=utf8mb4&ssl_ca=/x+y.pem"),
        QStringLiteral("sqlite:////var/lib/superset/superset.db"),
        QStringLiteral("postgresql://h?password=/x&sslmode=a://u:p@b"),
        QStringLiteral("postgresql://h?password=***&sslmode=a%3A%2F%2Fu%3Ap%40b"), // the redacted form of the one above
    };
    const QString script = QStringLiteral(R"(
import json, sys
from sqlalchemy.engine.url import make_url
out = []
for text in sys.argv[1:]:
    u = make_url(text)
    out.append({"user": u.username or "", "password": u.password or "", "host": u.host or "",
                "port": u.port or -1, "database": u.database or "", "query": dict(u.query)})
print(json.dumps(out))
)");
    auto result = test::runPython(script, uris);
    CHECK_OK(result);
    const QJsonArray expected = QJsonDocument::fromJson(*result).array();
    QCOMPARE(expected.size(), uris.size());
    for (int i = 0; i < uris.size(); ++i) {
        const QJsonObject e = expected[i].toObject();
        auto m = MetadataUri::parse(uris[i]);
        CHECK_OK(m);
        const QJsonObject query = e[QStringLiteral("query")].toObject();
        QCOMPARE(m->user, e[QStringLiteral("user")].toString());
        QString password = e[QStringLiteral("password")].toString();
        if (password.isEmpty())
            password = query[QStringLiteral("password")].toString(); // psycopg2 reads ?password= too
        QCOMPARE(m->password, password);
        QString host = e[QStringLiteral("host")].toString();
        if (host.isEmpty())
            host = query[QStringLiteral("host")].toString(); // psycopg2 reads ?host= as the host
        QCOMPARE(m->host, host);
        QCOMPARE(m->port, e[QStringLiteral("port")].toInt());
        QCOMPARE(m->database, e[QStringLiteral("database")].toString());
        for (auto it = query.begin(); it != query.end(); ++it) {
            if (it.key() == QStringLiteral("host") || it.key() == QStringLiteral("charset") || it.key() == QStringLiteral("password"))
                continue;
            QVERIFY2(m->connectOptions.contains(it.value().toString()),
                     qPrintable(QStringLiteral("%1: %2 not in %3").arg(uris[i], it.value().toString(), m->connectOptions)));
        }
    }
}

QTEST_GUILESS_MAIN(TestMetadataUri)
#include "tst_metadatauri.moc"
