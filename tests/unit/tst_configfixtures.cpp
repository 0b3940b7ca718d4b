// Every fixture under tests/fixtures/configs through `config show --json` (in-process), checked
// against its expectation; fixtures Python can run are also checked against Python itself.
#include "configcommand.h"
#include "config/configcommandline.h"
#include "config/configjson.h"
#include "config/configloader.h"

#include "python.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cachescope;

namespace {

QString configsDir()
{
    return test::sourcePath(QStringLiteral("tests/fixtures/configs"));
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

ConfigCommandOutput show(const QString &py, const QStringList &extra = {}, const QHash<QString, QString> &processEnv = {})
{
    QStringList args{QStringLiteral("show"), py, QStringLiteral("--json"), QStringLiteral("--no-process-env")};
    const QString env = py.left(py.size() - 3) + QStringLiteral(".env");
    if (QFileInfo::exists(env))
        args << QStringLiteral("--env-file") << env;
    return runConfigCommand(args + extra, processEnv);
}

QSet<QString> codes(const QJsonObject &out)
{
    QSet<QString> c;
    for (const auto &d : out.value(QStringLiteral("diagnostics")).toArray())
        c.insert(d.toObject().value(QStringLiteral("code")).toString());
    return c;
}

} // namespace

class TestConfigFixtures : public QObject
{
    Q_OBJECT
private slots:
    void fixtures_data()
    {
        QTest::addColumn<QString>("name");
        const QStringList jsons = QDir(configsDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QVERIFY2(jsons.size() >= 40, "the corpus needs at least 40 configs");
        for (const QString &j : jsons)
            QTest::newRow(qPrintable(j.chopped(5))) << j.chopped(5);
    }

    void fixtures()
    {
        QFETCH(QString, name);
        const QString py = QDir(configsDir()).filePath(name + QStringLiteral(".py"));
        const QString expectedPath = QDir(configsDir()).filePath(name + QStringLiteral(".json"));
        const QJsonObject expected = QJsonDocument::fromJson(readAll(expectedPath)).object();
        QVERIFY(!expected.isEmpty());

        const ConfigCommandOutput o = show(py);
        const bool loaded = expected.value(QStringLiteral("loaded")).toBool();
        QCOMPARE(o.exitCode, loaded ? 0 : 1);
        QJsonParseError err;
        const QJsonObject actual = QJsonDocument::fromJson(o.out, &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString() + QString::fromUtf8(o.out.left(400))));
        QCOMPARE(actual.value(QStringLiteral("loaded")).toBool(), loaded);

        // Caches: every expected field of every expected purpose.
        const QJsonObject caches = actual.value(QStringLiteral("caches")).toObject();
        const QJsonObject expCaches = expected.value(QStringLiteral("caches")).toObject();
        for (auto it = expCaches.begin(); it != expCaches.end(); ++it) {
            QVERIFY2(caches.contains(it.key()), qPrintable(QStringLiteral("missing cache %1 in %2").arg(it.key(), QString::fromUtf8(o.out))));
            const QJsonObject got = caches.value(it.key()).toObject();
            const QJsonObject want = it.value().toObject();
            for (auto f = want.begin(); f != want.end(); ++f)
                QVERIFY2(got.value(f.key()) == f.value(),
                         qPrintable(QStringLiteral("%1.%2: got %3, want %4")
                                        .arg(it.key(), f.key(),
                                             QString::fromUtf8(QJsonDocument(QJsonArray{got.value(f.key())}).toJson(QJsonDocument::Compact)),
                                             QString::fromUtf8(QJsonDocument(QJsonArray{f.value()}).toJson(QJsonDocument::Compact)))));
        }
        // Doctor and evaluation findings.
        const QSet<QString> found = codes(actual);
        for (const auto &c : expected.value(QStringLiteral("diagnostics")).toArray())
            QVERIFY2(found.contains(c.toString()), qPrintable(QStringLiteral("expected finding %1; got %2").arg(c.toString(), QStringList(found.values()).join(u','))));
        for (const auto &c : expected.value(QStringLiteral("absent")).toArray())
            QVERIFY2(!found.contains(c.toString()), qPrintable(QStringLiteral("unexpected finding %1").arg(c.toString())));
        // Every finding is located in the file.
        for (const auto &d : actual.value(QStringLiteral("diagnostics")).toArray()) {
            const QJsonObject dd = d.toObject();
            const QString code = dd.value(QStringLiteral("code")).toString();
            if (code == u"caching-off" || code == u"results-backend-missing")
                continue; // may be about a setting the file does not have
            QVERIFY2(dd.value(QStringLiteral("line")).toInt() > 0, qPrintable(QStringLiteral("finding %1 has no line").arg(code)));
        }

        // Settings, order-sensitive, and against Python itself when it can run the file.
        const QString envPath = QDir(configsDir()).filePath(name + QStringLiteral(".env"));
        auto cmp = test::runPython(QString::fromUtf8(readAll(test::sourcePath(QStringLiteral("tests/fixtures/oracle/comparesettings.py")))),
                                   {expectedPath, py, envPath, test::sourcePath(QStringLiteral("tests/fixtures/oracle/configoracle.py"))},
                                   o.out);
        QVERIFY2(cmp.hasValue(), cmp.hasValue() ? "" : qPrintable(cmp.error()));
        QCOMPARE(QString::fromUtf8(cmp.value()).trimmed(), QStringLiteral("OK"));
    }

    void secretsAreMaskedUnlessAsked()
    {
        const QString py = QDir(configsDir()).filePath(QStringLiteral("40_redis_url.py"));
        const ConfigCommandOutput masked = show(py);
        QVERIFY(!masked.out.contains("topsecret"));
        QVERIFY(masked.out.contains(":***@"));
        const ConfigCommandOutput shown = show(py, {QStringLiteral("--show-secrets")});
        QVERIFY(shown.out.contains("redis://:topsecret@redis.internal:6381/2"));
        // Human output never shows it either.
        const ConfigCommandOutput human = runConfigCommand({QStringLiteral("show"), py, QStringLiteral("--no-process-env")}, {});
        QCOMPARE(human.exitCode, 0);
        QVERIFY(!human.out.contains("topsecret"));
        QVERIFY(human.out.contains("CACHE_CONFIG"));
        const QString lit = QDir(configsDir()).filePath(QStringLiteral("01_literals.py"));
        const ConfigCommandOutput l = show(lit);
        QVERIFY(!l.out.contains("thisISaSECRET"));
        QVERIFY(show(lit, {QStringLiteral("--all"), QStringLiteral("--show-secrets")}).out.contains("thisISaSECRET_1234"));
    }

    void environmentPrecedence()
    {
        const QString py = QDir(configsDir()).filePath(QStringLiteral("11_getenv.py"));
        const QHash<QString, QString> process{{QStringLiteral("REDIS_HOST"), QStringLiteral("from-process")},
                                              {QStringLiteral("CACHE_PREFIX"), QStringLiteral("proc_")}};
        auto host = [](const ConfigCommandOutput &o) {
            return QJsonDocument::fromJson(o.out).object()[QStringLiteral("caches")].toObject()[QStringLiteral("CACHE_CONFIG")].toObject()[QStringLiteral("host")].toString();
        };
        auto prefix = [](const ConfigCommandOutput &o) {
            return QJsonDocument::fromJson(o.out).object()[QStringLiteral("caches")].toObject()[QStringLiteral("CACHE_CONFIG")].toObject()[QStringLiteral("key_prefix")].toString();
        };
        // Process environment by default.
        const auto a = runConfigCommand({QStringLiteral("show"), py, QStringLiteral("--json")}, process);
        QCOMPARE(host(a), QStringLiteral("from-process"));
        // --env-file over the process environment, --env over both.
        const QString envFile = QDir(configsDir()).filePath(QStringLiteral("11_getenv.env"));
        const auto b = runConfigCommand({QStringLiteral("show"), py, QStringLiteral("--json"), QStringLiteral("--env-file"), envFile}, process);
        QCOMPARE(host(b), QStringLiteral("redis-master"));
        QCOMPARE(prefix(b), QStringLiteral("proc_"));
        const auto c = runConfigCommand({QStringLiteral("show"), py, QStringLiteral("--json"), QStringLiteral("--env-file"), envFile,
                                               QStringLiteral("--env"), QStringLiteral("REDIS_HOST=cli")}, process);
        QCOMPARE(host(c), QStringLiteral("cli"));
        // --no-process-env ignores it.
        const auto d = runConfigCommand({QStringLiteral("show"), py, QStringLiteral("--json"), QStringLiteral("--no-process-env")}, process);
        QCOMPARE(host(d), QStringLiteral("localhost"));
        QCOMPARE(prefix(d), QStringLiteral("superset_"));
    }

    void allListsEveryDataName()
    {
        const QString py = QDir(configsDir()).filePath(QStringLiteral("25_tuple_unpack.py"));
        const QJsonObject s = QJsonDocument::fromJson(show(py, {QStringLiteral("--all")}).out).object()[QStringLiteral("settings")].toObject();
        QVERIFY(s.contains(QStringLiteral("HOST")));
        QVERIFY(s.contains(QStringLiteral("MIDDLE")));
        QVERIFY(!s.contains(QStringLiteral("os")));
    }

    void usageErrors()
    {
        QCOMPARE(runConfigCommand({}, {}).exitCode, 2);
        QCOMPARE(runConfigCommand({QStringLiteral("show")}, {}).exitCode, 2);
        QCOMPARE(runConfigCommand({QStringLiteral("show"), QStringLiteral("x.py"), QStringLiteral("--bogus")}, {}).exitCode, 2);
        QCOMPARE(runConfigCommand({QStringLiteral("show"), QStringLiteral("x.py"), QStringLiteral("--env"), QStringLiteral("NOEQUALS")}, {}).exitCode, 2);
        QCOMPARE(runConfigCommand({QStringLiteral("--help")}, {}).exitCode, 0);
        const auto missing = runConfigCommand({QStringLiteral("show"), QStringLiteral("/nonexistent/superset_config.py"), QStringLiteral("--json")}, {});
        QCOMPARE(missing.exitCode, 1);
    }

    void tenMegabyteLiteralIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("BLOB = \"");
        f.write(QByteArray(10 * 1024 * 1024, 'x'));
        f.write("\"\nCACHE_CONFIG = {}\n");
        f.close();
        const auto o = runConfigCommand({QStringLiteral("show"), path, QStringLiteral("--json"), QStringLiteral("--no-process-env")}, {});
        QCOMPARE(o.exitCode, 1);
        QVERIFY(codes(QJsonDocument::fromJson(o.out).object()).contains(QStringLiteral("file-too-large")));
    }

    void pythonPathFindsSiblings()
    {
        QTemporaryDir dir, lib;
        QFile m(lib.filePath(QStringLiteral("company_defaults.py")));
        QVERIFY(m.open(QIODevice::WriteOnly));
        m.write("CACHE_DEFAULT_TIMEOUT = 777\n");
        m.close();
        QFile c(dir.filePath(QStringLiteral("superset_config.py")));
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write("from company_defaults import *\n");
        c.close();
        const auto without = runConfigCommand({QStringLiteral("show"), c.fileName(), QStringLiteral("--json")}, {});
        QCOMPARE(without.exitCode, 1); // ModuleNotFoundError, as Python
        const auto with = runConfigCommand({QStringLiteral("show"), c.fileName(), QStringLiteral("--json"), QStringLiteral("--pythonpath"), lib.path()}, {});
        QCOMPARE(with.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(with.out).object()[QStringLiteral("settings")].toObject()[QStringLiteral("CACHE_DEFAULT_TIMEOUT")].toInt(), 777);
    }
};

QTEST_GUILESS_MAIN(TestConfigFixtures)
#include "tst_configfixtures.moc"
