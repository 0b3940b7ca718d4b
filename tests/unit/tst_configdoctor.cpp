// The doctor: each finding points at the setting that causes it.
#include "config/configjson.h"
#include "config/configloader.h"

#include <QtTest>

using namespace cachescope;

namespace {

ConfigReport load(const QString &src, const QString &fileName = QStringLiteral("superset_config.py"))
{
    return ConfigLoader::loadSource(src, fileName, {});
}

const py::Diagnostic *find(const ConfigReport &r, const QString &code)
{
    for (const auto &d : r.diagnostics)
        if (d.code == code)
            return &d;
    return nullptr;
}

} // namespace

class TestConfigDoctor : public QObject
{
    Q_OBJECT
private slots:
    void sharedKeyspacePointsAtThePrefix()
    {
        const ConfigReport r = load(QStringLiteral("CACHE_CONFIG = {\n"
                                                   "    'CACHE_TYPE': 'RedisCache',\n"
                                                   "    'CACHE_KEY_PREFIX': 'superset_',\n"
                                                   "}\n"
                                                   "DATA_CACHE_CONFIG = CACHE_CONFIG\n"));
        const auto *d = find(r, QStringLiteral("shared-keyspace"));
        QVERIFY(d);
        QCOMPARE(d->severity, QStringLiteral("error"));
        QCOMPARE(d->span.line, 3);
        QCOMPARE(d->span.column, 5);
        QVERIFY(d->message.contains(QStringLiteral("18639")));
    }

    void sameServerDifferentDbIsFine()
    {
        const ConfigReport r = load(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_DB': 0}\n"
                                                   "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_DB': 1}\n"));
        QVERIFY(!find(r, QStringLiteral("shared-keyspace")));
        // localhost and 127.0.0.1 are one server.
        const ConfigReport same = load(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_HOST': '127.0.0.1'}\n"
                                                      "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache'}\n"));
        QVERIFY(find(same, QStringLiteral("shared-keyspace")));
    }

    void urlDbDecidesTheKeyspace()
    {
        const ConfigReport r = load(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_URL': 'redis://r:6379/2', 'CACHE_REDIS_DB': 5}\n"
                                                   "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_REDIS_HOST': 'r', 'CACHE_REDIS_DB': 2}\n"));
        QCOMPARE(r.caches[0].db, 2);
        QVERIFY(find(r, QStringLiteral("shared-keyspace")));
    }

    void resultsBackendForms()
    {
        const ConfigReport dict = load(QStringLiteral("RESULTS_BACKEND = {'CACHE_TYPE': 'RedisCache'}\n"));
        const auto *d = find(dict, QStringLiteral("results-backend-dict"));
        QVERIFY(d);
        QCOMPARE(d->span.line, 1);
        const ConfigReport celery = load(QStringLiteral("class CeleryConfig:\n    broker_url = 'redis://'\nCELERY_CONFIG = CeleryConfig\n"));
        QVERIFY(find(celery, QStringLiteral("results-backend-missing")));
        const ConfigReport ok = load(QStringLiteral("from cachelib.redis import RedisCache\nRESULTS_BACKEND = RedisCache('r', 6380, key_prefix='res_')\n"
                                                    "CELERY_CONFIG = object\n"));
        QVERIFY(!find(ok, QStringLiteral("results-backend-missing")));
        const CacheSpec &res = ok.caches.last();
        QCOMPARE(res.purpose, CachePurpose::Results);
        QCOMPARE(res.host, QStringLiteral("r"));
        QCOMPARE(res.port, 6380);
        QCOMPARE(res.keyPrefix, QByteArray("res_"));
        QCOMPARE(res.spans.value(QStringLiteral("port")).line, 2); // the positional argument
    }

    void defaultsAreFilledLikeSupersetAndFlaskCaching()
    {
        const ConfigReport r = load(QStringLiteral("CACHE_DEFAULT_TIMEOUT = 42\nCACHE_CONFIG = {'CACHE_TYPE': 'RedisCache'}\n"
                                                   "FILTER_STATE_CACHE_CONFIG = {'CACHE_DEFAULT_TIMEOUT': 10}\n"));
        QCOMPARE(r.caches[0].defaultTimeout, 42);                       // app-level CACHE_DEFAULT_TIMEOUT
        QCOMPARE(r.caches[0].keyPrefix, QByteArray("flask_cache_"));    // Flask-Caching's default prefix
        QCOMPARE(r.caches[2].backend, BackendType::SupersetMetastore);  // required cache without CACHE_TYPE
        QCOMPARE(r.caches[2].defaultTimeout, 10);
        QCOMPARE(r.caches[3].backend, BackendType::SupersetMetastore);  // not set at all: Superset's default
        QCOMPARE(r.caches[3].defaultTimeout, 604800);
        QVERIFY(!r.caches[3].spans.value(QStringLiteral("CACHE_TYPE")).isValid());
        const ConfigReport empty = load(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': ''}\n"));
        QCOMPARE(empty.caches[0].keyPrefix, QByteArray()); // a falsy prefix is not passed at all
    }

    void legacyAndWerkzeugAndContainer()
    {
        const ConfigReport r = load(QStringLiteral("import os\nfrom werkzeug.contrib.cache import RedisCache\n"
                                                   "CACHE_CONFIG = {'CACHE_TYPE': 'redis', 'CACHE_REDIS_HOST': 'localhost'}\n"),
                                    QStringLiteral("/srv/docker/superset_config.py"));
        const auto *w = find(r, QStringLiteral("werkzeug-contrib"));
        QVERIFY(w);
        QCOMPARE(w->span.line, 2);
        const auto *l = find(r, QStringLiteral("legacy-cache-type"));
        QVERIFY(l);
        QCOMPARE(l->span.line, 3);
        QVERIFY(find(r, QStringLiteral("localhost-in-container")));
        const ConfigReport bare = load(QStringLiteral("CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache'}\n"));
        QVERIFY(!find(bare, QStringLiteral("localhost-in-container")));
    }

    void unknownValuesAreNamed()
    {
        const ConfigReport r = load(QStringLiteral("from mycompany.settings import CACHE\nCACHE_CONFIG = CACHE\n"));
        QVERIFY(r.loaded);
        const QByteArray json = ConfigJson::report(r, {});
        QVERIFY(json.contains("\"CACHE_CONFIG\":{\"__unknown__\":\"mycompany.settings.CACHE (module mycompany.settings is not modelled)\"}"));
        QCOMPARE(r.caches[0].backend, BackendType::Unknown);
        QVERIFY(find(r, QStringLiteral("unknown-backend")));
    }

    void unsetEnvironmentIsListedOnce()
    {
        const ConfigReport r = ConfigLoader::loadSource(QStringLiteral("import os\nA = os.getenv('A', 'x')\nB = os.environ.get('A')\nC = os.getenv('C')\nD = os.getenv('SET')\n"),
                                                        QStringLiteral("superset_config.py"), {{{QStringLiteral("SET"), QStringLiteral("1")}}, {}});
        const auto unset = r.unsetEnvironment();
        QCOMPARE(unset.size(), 2);
        QCOMPARE(unset[0].name, QStringLiteral("A"));
        QVERIFY(unset[0].hasDefault);
        QCOMPARE(unset[0].defaultRepr, QStringLiteral("'x'"));
        QCOMPARE(unset[1].name, QStringLiteral("C"));
    }
};

QTEST_GUILESS_MAIN(TestConfigDoctor)
#include "tst_configdoctor.moc"
