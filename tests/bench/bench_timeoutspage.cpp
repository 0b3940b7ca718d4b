// bench_timeoutspage: the Timeouts page (offscreen) on 100,000 charts, 10,000 datasets, 100
// databases and 500 dashboards in a SQLite file written by superset_schema.py's generated fixture
// (Debian's SQLAlchemy, Superset's table definitions). What a user waits for on the GUI thread:
//  - load: openMetadata → rows resolved and shown; the longest time the GUI thread was busy in
//    one go (a 1 ms heartbeat timer: the longest gap between its ticks, minus its interval);
//  - expand: every database and dataset opened (QTreeView lays out all 110,000 rows);
//  - scroll: page-down steps from top to bottom, each step = scrollbar move + synchronous repaint;
//  - sort by each column, a filter, a search (QSortFilterProxyModel over every row);
// and whether the model is lazy: index-only (data() of the rows shown) or fetchMore.
// The competitor, in the same run: the same rows in Qt's stock QStandardItemModel behind a
// QSortFilterProxyModel in the same kind of QTreeView, scrolled the same way. Steps are timed in
// this thread's CPU time (wall time beside it): on a shared machine wall time also counts other
// processes' turns. A frame is 16 ms.
// Last line: scroll_p99_ms=<page's p99 step> scroll_ratio=<page p99 / stock p99> load_stall_ms=<n>
// sort_filter_worst_ms=<n>.
#include "benchprobes.h"
#include "supersetschema.h"
#include "timeoutfilterproxy.h"
#include "timeoutmodel.h"
#include "timeoutspage.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace cachescope;

namespace {

// The longest time the event loop did not come round while something ran (1 ms heartbeat).
class StallProbe
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_worst = std::max(m_worst, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_worst = 0;
        m_timer.start();
    }
    double stopMs()
    {
        m_timer.stop();
        return std::max<double>(0, m_worst / 1e6 - 1.0);
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0, m_worst = 0;
};

double timeMs(const std::function<void()> &f)
{
    QElapsedTimer t;
    t.start();
    f();
    return t.nsecsElapsed() / 1e6;
}

// This thread's CPU time for f, in ms.
double cpuMs(const std::function<void()> &f)
{
    const qint64 start = test::threadCpuNs();
    f();
    return (test::threadCpuNs() - start) / 1e6;
}

struct StepFigures
{
    double median = 0, p99 = 0, worst = 0, wallMedian = 0;
    size_t steps = 0;
};

// Page-down steps from top to bottom, each painted before the next.
StepFigures scrollThrough(QTreeView *tree)
{
    QScrollBar *bar = tree->verticalScrollBar();
    bar->setValue(0);
    QCoreApplication::processEvents();
    std::vector<double> cpu, wall;
    const int step = std::max(1, bar->pageStep());
    for (int v = 0; v <= bar->maximum(); v += step) {
        wall.push_back(timeMs([&] {
            cpu.push_back(cpuMs([&] {
                bar->setValue(v);
                tree->viewport()->repaint();
            }));
        }));
    }
    std::sort(cpu.begin(), cpu.end());
    std::sort(wall.begin(), wall.end());
    StepFigures f;
    f.steps = cpu.size();
    f.median = cpu[cpu.size() / 2];
    f.p99 = cpu[std::min(cpu.size() - 1, cpu.size() * 99 / 100)];
    f.worst = cpu.back();
    f.wallMedian = wall[wall.size() / 2];
    return f;
}

// The competitor: the same tree of rows (database → datasets → charts, six text columns) in a
// QStandardItemModel, sorted and filtered through a stock QSortFilterProxyModel.
StepFigures stockScroll(int databases, int datasets, int charts)
{
    QStandardItemModel model;
    model.setColumnCount(TimeoutModel::NUM_COLUMNS);
    const int dsPerDb = datasets / databases, chPerDs = charts / datasets;
    auto row = [](const QString &name, int own) {
        QList<QStandardItem *> items;
        items << new QStandardItem(name) << new QStandardItem(QString::number(own)) << new QStandardItem(QString::number(own * 2))
              << new QStandardItem(QStringLiteral("chart")) << new QStandardItem(QString()) << new QStandardItem(QStringLiteral("chain"));
        return items;
    };
    for (int d = 0; d < databases; ++d) {
        QList<QStandardItem *> db = row(QStringLiteral("database %1").arg(d), d);
        for (int t = 0; t < dsPerDb; ++t) {
            QList<QStandardItem *> ds = row(QStringLiteral("dataset %1").arg(d * dsPerDb + t), t);
            for (int c = 0; c < chPerDs; ++c)
                ds.first()->appendRow(row(QStringLiteral("chart %1").arg((d * dsPerDb + t) * chPerDs + c), c));
            db.first()->appendRow(ds);
        }
        model.appendRow(db);
    }
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&proxy);
    view.resize(1400, 900);
    view.show();
    view.expandAll();
    QCoreApplication::processEvents();
    return scrollThrough(&view);
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

// Counts data() calls on the way from the view to the TimeoutModel: a lazy model answers only
// for the rows on screen.
int g_dataCalls = 0;

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int charts = 100000, datasets = 10000, databases = 100, dashboards = 500;
    QTemporaryDir dir;
    const QString uri = QStringLiteral("sqlite:///") + dir.filePath(QStringLiteral("superset.db"));
    QElapsedTimer fill;
    fill.start();
    if (auto made = test::createSupersetSchema(uri, QStringLiteral("4.1"), QStringLiteral("generated"),
                                               {QStringLiteral("--charts"), QString::number(charts), QStringLiteral("--datasets"),
                                                QString::number(datasets), QStringLiteral("--databases"), QString::number(databases),
                                                QStringLiteral("--dashboards"), QString::number(dashboards)});
        !made) {
        std::fprintf(stderr, "schema: %s\n", qPrintable(made.error()));
        return 1;
    }
    std::printf("SQLite by superset_schema.py: %d charts, %d datasets, %d databases, %d dashboards in %.1f s\n", charts, datasets,
                databases, dashboards, fill.elapsed() / 1000.0);

    TimeoutsPage page;
    page.resize(1400, 900);
    page.show();
    QTreeView *tree = page.tree();
    TimeoutModel *model = page.model();

    // Load: open, read (worker thread), resolve (pool), install and show.
    StallProbe probe;
    probe.start();
    QElapsedTimer wall;
    wall.start();
    page.openMetadata(uri);
    if (!waitFor([&] { return model->chartCount() == charts && !model->isResolving(); }, 600000)) {
        std::fprintf(stderr, "the page did not load: %s\n", qPrintable(page.statusText()));
        return 1;
    }
    QCoreApplication::processEvents();
    const double loadWall = wall.nsecsElapsed() / 1e9;
    const double loadStall = probe.stopMs();
    std::printf("load: %.2f s wall (read + resolve off the GUI thread), GUI thread's longest stall %.1f ms\n", loadWall, loadStall);
    std::printf("model: canFetchMore(root)=%s, rows under the database group: %d\n",
                model->canFetchMore({}) ? "true" : "false",
                model->rowCount(model->indexOfGroup(TimeoutModel::Group::Databases)));

    // Every database and dataset open: 100 + 10,000 + 100,000 rows in the view.
    const double expandMs = timeMs([&] {
        tree->expandAll();
        tree->viewport()->repaint();
    });
    std::printf("expand all (%d rows laid out) and paint: %.1f ms\n", int(databases + datasets + charts), expandMs);

    // How many data() calls does one screen cost? Count them on the proxy → model path.
    struct Counting : QIdentityProxyModel
    {
        QVariant data(const QModelIndex &i, int role) const override
        {
            ++g_dataCalls;
            return QIdentityProxyModel::data(i, role);
        }
    };

    // Scroll: page by page, top to bottom, each step painted before the next.
    const StepFigures scroll = scrollThrough(tree);
    std::printf("scroll: %zu page steps over the expanded tree, CPU per step: median %.2f ms, p99 %.2f ms, worst %.2f ms "
                "(wall median %.2f ms)\n",
                scroll.steps, scroll.median, scroll.p99, scroll.worst, scroll.wallMedian);
    QScrollBar *bar = tree->verticalScrollBar();
    // Drag the thumb to random places (no order between them).
    std::vector<double> jumps;
    for (int i = 0; i < 200; ++i) {
        const int v = int((quint64(i) * 2654435761u) % quint64(std::max(1, bar->maximum())));
        jumps.push_back(cpuMs([&] {
            bar->setValue(v);
            tree->viewport()->repaint();
        }));
    }
    std::sort(jumps.begin(), jumps.end());
    std::printf("jump: 200 thumb drags, CPU: median %.2f ms, worst %.2f ms\n", jumps[jumps.size() / 2], jumps.back());

    // Laziness: the rows a screen shows are the rows asked for.
    {
        Counting counting;
        counting.setSourceModel(page.proxy());
        QTreeView probeView;
        probeView.setUniformRowHeights(true);
        probeView.setModel(&counting);
        probeView.resize(1400, 900);
        probeView.show();
        probeView.expandAll();
        probeView.verticalScrollBar()->setValue(probeView.verticalScrollBar()->maximum() / 2);
        QCoreApplication::processEvents();
        g_dataCalls = 0;
        probeView.viewport()->repaint();
        std::printf("lazy: one repaint of a %d-row screen asked data() %d times (of %d rows)\n",
                    probeView.viewport()->height() / std::max(1, probeView.sizeHintForRow(0)), g_dataCalls,
                    int(databases + datasets + charts));
    }

    // Sort, filter, search: QSortFilterProxyModel over every row, on the GUI thread.
    double slowest = 0;
    auto measure = [&](const char *what, const std::function<void()> &f) {
        const double ms = timeMs([&] {
            f();
            tree->viewport()->repaint();
        });
        slowest = std::max(slowest, ms);
        std::printf("  %-44s %8.1f ms\n", what, ms);
    };
    std::printf("sort / filter / search (%d rows):\n", int(databases + datasets + charts));
    measure("sort by name, ascending", [&] { tree->sortByColumn(TimeoutModel::NameColumn, Qt::AscendingOrder); });
    measure("sort by effective timeout, descending", [&] { tree->sortByColumn(TimeoutModel::EffectiveColumn, Qt::DescendingOrder); });
    measure("sort by own timeout, ascending", [&] { tree->sortByColumn(TimeoutModel::OwnColumn, Qt::AscendingOrder); });
    measure("sort by source", [&] { tree->sortByColumn(TimeoutModel::SourceColumn, Qt::AscendingOrder); });
    measure("filter: with pitfalls", [&] { page.proxy()->setFilter(TimeoutFilterProxy::Filter::Pitfalls); });
    measure("filter: all rows again", [&] { page.proxy()->setFilter(TimeoutFilterProxy::Filter::All); });
    measure("search \"chart 4242\"", [&] { page.proxy()->setSearchText(QStringLiteral("chart 4242")); });
    measure("search cleared", [&] { page.proxy()->setSearchText(QString()); });
    measure("sort unsorted again (scan order)", [&] { tree->sortByColumn(-1, Qt::AscendingOrder); });

    page.hide();
    const StepFigures stock = stockScroll(databases, datasets, charts);
    std::printf("stock QStandardItemModel + QSortFilterProxyModel, same rows: %zu steps, CPU per step: median %.2f ms, "
                "p99 %.2f ms, worst %.2f ms\n",
                stock.steps, stock.median, stock.p99, stock.worst);
    std::printf("load average %s\n", test::loadAverage().constData());
    std::printf("scroll_p99_ms=%.2f scroll_ratio=%.2f load_stall_ms=%.1f sort_filter_worst_ms=%.1f\n", scroll.p99,
                scroll.p99 / std::max(0.01, stock.p99), loadStall, slowest);
    return 0;
}
