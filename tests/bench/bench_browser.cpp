// bench_browser: how fast and how lightly the key browser holds a large keyspace.
// 1M keys superset_data_<32 hex> with 300-byte values in a redis-server started here; the time
// for KeyTreeModel (Load all, through RedisKeySource) to hold every name vs `redis-cli --scan |
// wc -l` and vs a raw hiredis SCAN loop (COUNT 1000); the GUI thread's longest stall (a 1 ms
// timer measuring its lateness) and resident memory per key. Last line:
//   scan_ratio=<model/raw> max_stall_ms=<n> bytes_per_key=<n>
// Usage: bench_browser [keys=1000000]; BENCH_EXPAND=tree|flat opens the big namespace during the
// load; BENCH_SKIP_CLI=1 skips redis-cli; BENCH_TRACE=1 prints when the longest stretch ended.
#include "browse/rediskeysource.h"
#include "keytreemodel.h"
#include "redisserver.h"
#include "benchprobes.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QProcess>
#include <QTimer>
#include <QTableView>
#include <QTreeView>

#include <hiredis/hiredis.h>
#include <malloc.h>

#include <cstdio>
#include <ctime>
#include <sys/resource.h>

using namespace cachescope;

namespace {

QByteArray hex32(quint64 i)
{
    // Deterministic, well spread 32-hex digests.
    quint64 a = i * 0x9E3779B97F4A7C15ull, b = (i + 7) * 0xC2B2AE3D27D4EB4Full;
    return QByteArray::number(a | (1ull << 63), 16) + QByteArray::number(b | (1ull << 63), 16);
}

bool fill(redisContext *c, int n)
{
    const QByteArray value(300, 'v');
    for (int at = 0; at < n; at += 10000) {
        const int end = qMin(n, at + 10000);
        for (int i = at; i < end; ++i) {
            const QByteArray key = "superset_data_" + hex32(quint64(i));
            const char *argv[] = {"SET", key.constData(), value.constData()};
            const size_t lens[] = {3, size_t(key.size()), size_t(value.size())};
            redisAppendCommandArgv(c, 3, argv, lens);
        }
        for (int i = at; i < end; ++i) {
            void *r = nullptr;
            if (redisGetReply(c, &r) != REDIS_OK)
                return false;
            freeReplyObject(r);
        }
    }
    return true;
}

// The baseline: a plain hiredis SCAN loop, counting keys, nothing kept.
qint64 rawScan(redisContext *c, quint64 *count)
{
    QElapsedTimer t;
    t.start();
    QByteArray cursor = "0";
    *count = 0;
    do {
        auto *r = static_cast<redisReply *>(redisCommand(c, "SCAN %b COUNT 1000", cursor.constData(), size_t(cursor.size())));
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return -1;
        }
        cursor = QByteArray(r->element[0]->str, qsizetype(r->element[0]->len));
        *count += r->element[1]->elements;
        freeReplyObject(r);
    } while (cursor != "0");
    return t.nsecsElapsed();
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const int n = argc > 1 ? QByteArray(argv[1]).toInt() : 1000000;

    test::RedisServer server;
    if (const QString e = server.start(); !e.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(e));
        return 1;
    }
    redisContext *c = redisConnect("127.0.0.1", server.port());
    if (!c || c->err) {
        std::fprintf(stderr, "cannot connect\n");
        return 1;
    }
    QElapsedTimer fillTimer;
    fillTimer.start();
    if (!fill(c, n)) {
        std::fprintf(stderr, "fill failed\n");
        return 1;
    }
    std::printf("filled %d keys (300-byte values) in %.2f s\n", n, fillTimer.elapsed() / 1000.0);

    // Raw hiredis SCAN: best of 3.
    qint64 raw = std::numeric_limits<qint64>::max();
    quint64 rawCount = 0;
    for (int i = 0; i < 3; ++i) {
        const qint64 t = rawScan(c, &rawCount);
        if (t > 0)
            raw = qMin(raw, t);
    }
    std::printf("raw hiredis SCAN COUNT 1000: %llu keys in %.3f s (best of 3)\n", rawCount, raw / 1e9);

    // redis-cli --scan | wc -l (BENCH_SKIP_CLI=1 skips it: at 10M keys it takes minutes)
    if (qEnvironmentVariableIsEmpty("BENCH_SKIP_CLI")) {
        QElapsedTimer t;
        t.start();
        QProcess p;
        p.start(QStringLiteral("bash"), {QStringLiteral("-c"),
                                         QStringLiteral("redis-cli -p %1 --scan | wc -l").arg(server.port())});
        p.waitForFinished(600000);
        std::printf("redis-cli --scan | wc -l: %s keys in %.3f s\n", p.readAllStandardOutput().trimmed().constData(),
                    t.nsecsElapsed() / 1e9);
    }

    // The model: Load all through RedisKeySource with a view attached (namespace collapsed).
    malloc_trim(0);
    const qint64 rssBefore = test::residentBytes();
    auto *source = new RedisKeySource(*RedisUrl::parse(server.url()), "superset_");
    auto *model = new KeyTreeModel;
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(model);
    view.resize(1000, 700);
    if (qEnvironmentVariableIsEmpty("BENCH_NO_VIEW")) {
        // A user starts a load on a window that is already on screen: its first paint (backing
        // store, fonts, glyphs: ~15-25 ms on this machine) happens before, not during the load.
        QElapsedTimer firstPaint;
        firstPaint.start();
        view.show();
        view.repaint();
        app.processEvents();
        std::printf("first paint of the empty view: %.1f ms (before the load, not counted)\n", firstPaint.nsecsElapsed() / 1e6);
    }
    model->setSource(source);

    qint64 maxLateNs = 0;
    qint64 maxBusyNs = 0; // GUI-thread CPU between two ticks: the stall our code causes, without preemption
    qint64 cpuLast = 0;
    quint64 busyAtKeys = 0;
    qint64 busyEndMono = 0; // CLOCK_MONOTONIC ns at the end of the longest stretch (perf record -k CLOCK_MONOTONIC)
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        maxLateNs = qMax(maxLateNs, now - last - 1000000);
        last = now;
        const qint64 cpu = test::threadCpuNs();
        if (cpu - cpuLast > maxBusyNs) {
            maxBusyNs = cpu - cpuLast;
            busyAtKeys = model->loadedKeyCount();
            busyEndMono = test::monotonicNs();
        }
        cpuLast = cpu;
    });
    QElapsedTimer load;
    // The user opens the big namespace while it loads: BENCH_EXPAND=tree expands it in the tree,
    // BENCH_EXPAND=flat shows it as the Keys page does for a namespace that large (a table whose
    // root is the namespace: no per-row layout).
    const QByteArray expand = qgetenv("BENCH_EXPAND");
    QTableView flat;
    flat.verticalHeader()->hide();
    flat.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    flat.setModel(model);
    flat.resize(1000, 700);
    if (expand == "flat")
        QObject::connect(model, &QAbstractItemModel::rowsInserted, &flat, [&](const QModelIndex &parent) {
            if (!parent.isValid() && !flat.rootIndex().isValid()) {
                view.hide();
                flat.setRootIndex(model->index(0, 0));
                flat.show();
            }
        });
    else if (!expand.isEmpty())
        QObject::connect(model, &QAbstractItemModel::rowsInserted, &view, [&](const QModelIndex &parent) {
            if (!parent.isValid() && !view.isExpanded(model->index(0, 0)))
                view.expand(model->index(0, 0));
        });
    qint64 guiCpuStart = 0, procCpuStart = 0;
    QObject::connect(model, &KeyTreeModel::loadingChanged, &app, [&](bool loading) {
        if (!loading && model->isScanComplete())
            app.quit();
    });
    QTimer::singleShot(0, [&] {
        if (qEnvironmentVariableIsEmpty("BENCH_NO_TICK"))
            tick.start(1);
        last = clock.nsecsElapsed();
        cpuLast = test::threadCpuNs();
        load.start();
        guiCpuStart = test::threadCpuNs();
        procCpuStart = test::processCpuNs();
        model->loadAll();
    });
    app.exec();
    const qint64 modelNs = load.nsecsElapsed();
    const qint64 guiCpu = test::threadCpuNs() - guiCpuStart;
    const qint64 procCpu = test::processCpuNs() - procCpuStart;
    tick.stop();
    const qint64 rssAfter = test::residentBytes();
    const quint64 held = model->loadedKeyCount();
    std::printf("model Load all: %llu keys in %.3f s (CPU: GUI thread %.3f s, whole process %.3f s; loadavg %s)\n",
                held, modelNs / 1e9, guiCpu / 1e9, procCpu / 1e9, test::loadAverage().constData());
    const double keyLen = 14 + 32;
    const double perKey = double(rssAfter - rssBefore) / double(qMax<quint64>(1, held));
    std::printf("resident memory: %.1f MiB for %llu keys (key length %.0f, target <= %.0f bytes/key)\n",
                (rssAfter - rssBefore) / 1048576.0, held, keyLen, 2 * keyLen + 32);
    std::printf("GUI thread: longest busy stretch between two 1 ms ticks %.1f ms of CPU at %llu keys loaded (lateness "
                "includes time the thread was not scheduled: %.1f ms)\n", maxBusyNs / 1e6, busyAtKeys, maxLateNs / 1e6);
    if (!qEnvironmentVariableIsEmpty("BENCH_TRACE")) // to find the stretch in `perf record -k CLOCK_MONOTONIC`
        std::printf("trace: longest stretch ended at monotonic %.6f s\n", busyEndMono / 1e9);
    if (held != rawCount)
        std::printf("WARNING: model holds %llu keys, raw SCAN counted %llu\n", held, rawCount);
    std::printf("scan_ratio=%.2f max_stall_ms=%.1f bytes_per_key=%.0f\n", double(modelNs) / double(raw),
                maxLateNs / 1e6, perKey);
    view.setModel(nullptr);
    flat.setModel(nullptr);
    delete model;
    delete source;
    redisFree(c);
    return 0;
}
