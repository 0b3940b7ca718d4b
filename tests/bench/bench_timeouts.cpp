// bench_timeouts: 100,000 charts, 10,000 datasets and 100 databases in a real PostgreSQL (started
// here, filled with generate_series SQL shaped like tests/support/superset_schema.py's generated
// rows: ~450 bytes of params per chart, a query_context on two charts in three). Measured, best of
// N, alternating, in one run:
//  1. CacheScope: connect, read the snapshot through QtSql (MetadataDatabase::snapshot, which also
//     reads dashboards, dashboard_slices and the cache_keys/key_value counts), index it and resolve
//     every chart's, dataset's and database's effective timeout under 4.1's rules;
//  2. psql: connect and \copy dbs, tables and slices to /dev/null.
// Wall-clock seconds (both sides wait on the same server). Last line: ratio=<cachescope/psql>.
#include "benchprobes.h"
#include "config/configloader.h"
#include "metadata/metadataconnection.h"
#include "postgresserver.h"
#include "supersetschema.h"
#include "timeouts/timeouttable.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace cachescope;

namespace {

constexpr int kRuns = 5;

// The 12 timeouts generated_rows() draws from: half NULL, then 0, -1 and real ones.
const char *kTimeouts = "(ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, 0, -1, 60, 300, 3600, 86400]::int[])";

QString fillSql(int databases, int datasets, int charts)
{
    return QStringLiteral(
               "TRUNCATE dashboard_slices, dashboards, cache_keys, key_value, slices, tables, dbs CASCADE;\n"
               "INSERT INTO dbs (id, database_name, sqlalchemy_uri, cache_timeout, extra)\n"
               "  SELECT g, 'database ' || g, 'postgresql://u:pw' || g || '@host' || g || '/db', %1[1 + (g * 7) %% 12], '{}'\n"
               "  FROM generate_series(1, %2) g;\n"
               "INSERT INTO tables (id, table_name, schema, database_id, cache_timeout, sql)\n"
               "  SELECT g, 'table_' || g, 'schema_' || (g %% 17), 1 + (g * 31) %% %2, %1[1 + (g * 11) %% 12],\n"
               "         CASE WHEN g %% 5 = 0 THEN 'SELECT 1' END\n"
               "  FROM generate_series(1, %3) g;\n"
               "INSERT INTO slices (id, slice_name, viz_type, datasource_id, datasource_type, cache_timeout, params, query_context)\n"
               "  SELECT g, 'chart ' || g, 'table', 1 + (g * 37) %% %3, 'table', %1[1 + (g * 13) %% 12],\n"
               "         CASE WHEN g %% 10 = 0\n"
               "              THEN json_build_object('viz_type', 'table', 'datasource', (1 + g %% %3) || '__table', 'adhoc_filters',\n"
               "                                     json_build_array(), 'row_limit', 10000, 'time_range', 'No filter',\n"
               "                                     'extra', repeat('x', 400), 'cache_timeout', (ARRAY[0, 60, 600])[1 + g %% 3])::text\n"
               "              ELSE json_build_object('viz_type', 'table', 'datasource', (1 + g %% %3) || '__table', 'adhoc_filters',\n"
               "                                     json_build_array(), 'row_limit', 10000, 'time_range', 'No filter',\n"
               "                                     'extra', repeat('x', 400))::text END,\n"
               "         CASE WHEN g %% 3 <> 0 THEN json_build_object('form_data', json_build_object('slice_id', g),\n"
               "                                                      'extra', repeat('x', 400))::text END\n"
               "  FROM generate_series(1, %4) g;\n"
               "ANALYZE dbs; ANALYZE tables; ANALYZE slices;\n")
        .replace(QStringLiteral("%%"), QStringLiteral("%"))
        .arg(QString::fromLatin1(kTimeouts))
        .arg(databases)
        .arg(datasets)
        .arg(charts);
}

struct Loaded
{
    qint64 charts = 0, datasets = 0, databases = 0;
    qint64 checksum = 0; // keeps the resolution from being optimised away, and lets runs be compared
    qint64 snapshotMs = 0; // MetadataSnapshot::loadMs: the reads alone
    double resolveSeconds = 0;
    QString error;
};

Loaded loadAndResolve(const MetadataUri &uri, const TimeoutConfig &config)
{
    Loaded out;
    MetadataConnection connection(uri);
    auto snapshot = connection.call([](MetadataDatabase &db) -> Expected<MetadataSnapshot> {
        auto opened = db.open();
        if (!opened)
            return Error{opened.error()};
        return db.snapshot();
    });
    if (!snapshot) {
        out.error = snapshot.error();
        return out;
    }
    out.snapshotMs = snapshot->loadMs;
    QElapsedTimer resolve;
    resolve.start();
    const FamilyGuess guess = familyFromAlembicRevision(snapshot->schema.alembicRevision);
    const TimeoutIndex index(std::move(*snapshot), config, guess.family);
    const auto &s = index.snapshot();
    for (int i = 0; i < s.charts.size(); ++i)
        out.checksum += index.resolveChart(i).effective;
    for (int i = 0; i < s.datasets.size(); ++i)
        out.checksum += index.resolveDataset(i).effective;
    for (int i = 0; i < s.databases.size(); ++i)
        out.checksum += index.resolveDatabase(i).effective;
    out.resolveSeconds = resolve.nsecsElapsed() / 1e9;
    out.charts = s.charts.size();
    out.datasets = s.datasets.size();
    out.databases = s.databases.size();
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int charts = 100000, datasets = 10000, databases = 100;
    test::PostgresServer pg;
    QString error = pg.start();
    if (error.isEmpty())
        error = pg.createDatabase(QStringLiteral("bench"));
    if (!error.isEmpty()) {
        std::fprintf(stderr, "PostgreSQL: %s\n", qPrintable(error));
        return 1;
    }
    const QString uriText = pg.uri(QStringLiteral("bench"));
    QElapsedTimer fill;
    fill.start();
    if (auto schema = test::createSupersetSchema(uriText, QStringLiteral("4.1")); !schema) {
        std::fprintf(stderr, "schema: %s\n", qPrintable(schema.error()));
        return 1;
    }
    if (auto filled = pg.psql(QStringLiteral("bench"), {QStringLiteral("-c"), fillSql(databases, datasets, charts)}); !filled) {
        std::fprintf(stderr, "fill: %s\n", qPrintable(filled.error()));
        return 1;
    }
    const auto sizes = pg.psql(QStringLiteral("bench"), {QStringLiteral("-At"), QStringLiteral("-c"),
                                                         QStringLiteral("SELECT pg_size_pretty(pg_total_relation_size('slices'))")});
    std::printf("PostgreSQL %s on port %u: %d charts, %d datasets, %d databases (slices: %s), filled in %.1f s\n",
                qPrintable(pg.binDir().section(u'/', -2, -2)), pg.port(), charts, datasets, databases,
                sizes ? sizes->trimmed().constData() : "?", fill.elapsed() / 1000.0);

    const auto uri = MetadataUri::parse(uriText);
    if (!uri) {
        std::fprintf(stderr, "%s\n", qPrintable(uri.error()));
        return 1;
    }
    const ConfigReport report = ConfigLoader::loadSource(QStringLiteral("CACHE_DEFAULT_TIMEOUT = 600\n"
                                                                        "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', "
                                                                        "'CACHE_DEFAULT_TIMEOUT': 300}\n"),
                                                         QStringLiteral("superset_config.py"), {});
    const TimeoutConfig config = TimeoutConfig::fromReport(report);

    // psql as a client of the same server, output thrown away.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSWORD"), test::PostgresServer::password());
    const QStringList psqlArgs = {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                                  QStringLiteral("-p"), QString::number(pg.port()), QStringLiteral("-U"), test::PostgresServer::user(),
                                  QStringLiteral("-d"), QStringLiteral("bench"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                                  QStringLiteral("-c"), QStringLiteral("\\copy dbs to '/dev/null'"), QStringLiteral("-c"),
                                  QStringLiteral("\\copy tables to '/dev/null'"), QStringLiteral("-c"),
                                  QStringLiteral("\\copy slices to '/dev/null'")};
    auto runPsql = [&]() -> double {
        QProcess p;
        p.setProcessEnvironment(env);
        p.setStandardOutputFile(QProcess::nullDevice());
        QElapsedTimer t;
        t.start();
        p.start(pg.binDir() + QStringLiteral("/psql"), psqlArgs);
        p.waitForFinished(600000);
        const double s = t.nsecsElapsed() / 1e9;
        if (p.exitCode() != 0) {
            std::fprintf(stderr, "psql: %s\n", p.readAllStandardError().constData());
            return -1;
        }
        return s;
    };

    // One warm-up each (server caches, page cache), then alternate.
    runPsql();
    const Loaded warm = loadAndResolve(*uri, config);
    if (!warm.error.isEmpty()) {
        std::fprintf(stderr, "cachescope: %s\n", qPrintable(warm.error));
        return 1;
    }
    std::vector<double> ours, theirs;
    std::vector<qint64> reads;
    std::vector<double> resolves;
    for (int i = 0; i < kRuns; ++i) {
        QElapsedTimer t;
        t.start();
        const Loaded l = loadAndResolve(*uri, config);
        ours.push_back(t.nsecsElapsed() / 1e9);
        reads.push_back(l.snapshotMs);
        resolves.push_back(l.resolveSeconds);
        if (l.checksum != warm.checksum || l.charts != charts) {
            std::fprintf(stderr, "cachescope: run %d read %lld charts, checksum %lld (expected %lld)\n", i, l.charts, l.checksum,
                         warm.checksum);
            return 1;
        }
        const double p = runPsql();
        if (p < 0)
            return 1;
        theirs.push_back(p);
    }
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    std::printf("cachescope load + resolve %lld charts, %lld datasets, %lld databases: best %.3f s, median %.3f s\n",
                warm.charts, warm.datasets, warm.databases, ours.front(), ours[ours.size() / 2]);
    std::sort(reads.begin(), reads.end());
    std::sort(resolves.begin(), resolves.end());
    std::printf("  of which: snapshot reads best %lld ms, index + resolve every row best %.3f s\n", reads.front(), resolves.front());
    std::printf("psql \\copy dbs, tables, slices to /dev/null: best %.3f s, median %.3f s\n", theirs.front(),
                theirs[theirs.size() / 2]);
    std::printf("load average: %s (%d cores shared)\n", test::loadAverage().constData(), QThread::idealThreadCount());
    pg.stop();
    std::printf("ratio=%.2f\n", ours.front() / theirs.front());
    return 0;
}
