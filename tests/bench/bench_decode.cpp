// bench_decode: CacheScope's decoders against Python on the same bytes, same machine, same run.
//  1. a ~10 MB chart-data entry ("!" + pickle of {"df": DataFrame, ...}) vs python3 pickle.loads
//  2. a ~50 MB SQL Lab payload (zlib(msgpack{..., data: Arrow IPC})) vs python3 zlib + msgpack
// Prints each time and ratio (ours / python; lower is better) and, last, ratio_max=<worst ratio>.
// Times are CPU seconds of the decoding process (best of N), measured inside each process: the
// build machine is shared, and wall-clock time there mostly measures the other jobs. Python's
// interpreter start-up is not counted against it.
#include "codec/arrowwriter.h"
#include "codec/decoderchain.h"
#include "codec/recognisers.h"
#include "results/sqllabpayload.h"
#include "python.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <ctime>
#include <random>

using namespace cachescope;

namespace {

constexpr int kRuns = 5;

template<typename F>
double bestSeconds(F &&f)
{
    double best = 1e30;
    for (int i = 0; i < kRuns; ++i) {
        timespec a{}, b{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        f();
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        best = std::min(best, double(b.tv_sec - a.tv_sec) + double(b.tv_nsec - a.tv_nsec) / 1e9);
    }
    return best;
}

double pythonSeconds(const QString &setupAndStmt, const QByteArray &input)
{
    const QString script = QStringLiteral(
        "import sys, time, zlib, pickle, msgpack\n"
        "blob = sys.stdin.buffer.read()\n") + setupAndStmt + QStringLiteral(
        "best = 1e30\n"
        "for _ in range(%1):\n"
        "    t = time.process_time(); run(); best = min(best, time.process_time() - t)\n"
        "print(best)\n").arg(kRuns);
    auto out = test::runPython(script, {}, input, 600000);
    if (!out) {
        std::fprintf(stderr, "python failed: %s\n", qPrintable(out.error()));
        return -1;
    }
    return out->trimmed().toDouble();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);

    // 1. Chart data: python makes the entry exactly as cachelib's RedisSerializer stores it.
    auto chart = test::runPython(QStringLiteral(
        "import sys, numpy as np, pandas as pd\n"
        "from cachelib.serializers import RedisSerializer\n"
        "n = 200000\n"
        "rng = np.random.default_rng(1)\n"
        "df = pd.DataFrame({'id': np.arange(n), 'value': rng.random(n), 'count': rng.integers(0, 1000, n),\n"
        "                   'name': ['name_%d' % (i % 5000) for i in range(n)],\n"
        "                   'ts': pd.date_range('2020-01-01', periods=n, freq='min'), 'flag': rng.random(n) > 0.5})\n"
        "sys.stdout.buffer.write(RedisSerializer().dumps({'df': df, 'query': 'SELECT 1', 'dttm': '2024-01-01T00:00:00'}))\n"),
        {}, {}, 600000);
    if (!chart) {
        std::fprintf(stderr, "cannot make the chart entry: %s\n", qPrintable(chart.error()));
        return 1;
    }
    qint64 cells = 0;
    const double oursChart = bestSeconds([&] {
        const DecodeResult r = DecoderChain().decode(*chart);
        const auto df = Recognisers::dataFrame(*r.value.get("df"));
        cells = df ? df->rows * qint64(df->columns.size()) : -1;
    });
    const double pyChart = pythonSeconds(QStringLiteral("def run():\n    pickle.loads(blob[1:])\n"), *chart);
    std::printf("chart-data pickle: %.1f MB, %lld cells: cachescope %.3f s, python pickle.loads %.3f s, ratio %.2f\n",
                chart->size() / 1e6, static_cast<long long>(cells), oursChart, pyChart, oursChart / pyChart);

    // 2. SQL Lab payload: an Arrow table from our writer, wrapped and compressed.
    const qint64 rows = 1'000'000;
    std::mt19937_64 gen(7);
    std::vector<std::optional<qint64>> ids, counts;
    std::vector<std::optional<double>> values;
    std::vector<std::optional<QByteArray>> names;
    std::vector<std::optional<bool>> flags;
    for (qint64 i = 0; i < rows; ++i) {
        ids.push_back(i);
        counts.push_back(i % 17 ? std::optional<qint64>(qint64(gen() % 100000)) : std::nullopt);
        values.push_back(double(gen() % 1000000) / 1000.0);
        names.push_back(QByteArray("customer_") + QByteArray::number(qulonglong(gen() % 200000)) + "_" + QByteArray::number(i % 97));
        flags.push_back(gen() & 1);
    }
    ArrowTable table;
    ArrowRecordBatch batch;
    batch.length = rows;
    batch.columns = {ArrowWriter::int64Array(ids), ArrowWriter::int64Array(counts), ArrowWriter::float64Array(values),
                     ArrowWriter::utf8Array(names), ArrowWriter::boolArray(flags)};
    const char *columnNames[] = {"id", "count", "value", "name", "flag"};
    for (size_t c = 0; c < batch.columns.size(); ++c)
        table.schema.push_back(ArrowWriter::fieldFor(QString::fromLatin1(columnNames[c]), batch.columns[c]));
    table.batches.push_back(std::move(batch));
    const QByteArray arrow = ArrowWriter::writeStream(table).value();
    const QByteArray compressed = SqlLabPayload::encode(SqlLabPayload::makePayload(1, arrow, PyValue::list(), PyValue::dict()),
                                                        SqlLabPayload::Format::Msgpack).value();
    qint64 decodedRows = 0;
    const double oursPayload = bestSeconds([&] {
        auto d = SqlLabPayload::decode(compressed, SqlLabPayload::Format::Msgpack);
        decodedRows = d && d->table ? d->table->rowCount() : -1;
    });
    const double pyPayload = pythonSeconds(QStringLiteral("def run():\n    msgpack.loads(zlib.decompress(blob), raw=False)\n"), compressed);
    std::printf("sqllab payload: %.1f MB Arrow, %.1f MB compressed, %lld rows: cachescope zlib+msgpack+Arrow %.3f s, "
                "python zlib+msgpack %.3f s, ratio %.2f\n",
                arrow.size() / 1e6, compressed.size() / 1e6, static_cast<long long>(decodedRows), oursPayload, pyPayload,
                oursPayload / pyPayload);
    std::printf("targets: pickle <= 1.0, payload <= 0.5\n");
    std::printf("ratio_max=%.2f\n", std::max(oursChart / pyChart, oursPayload / pyPayload));
    return 0;
}
