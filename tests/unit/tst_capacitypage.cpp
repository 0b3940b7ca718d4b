// The Capacity page as a presenter uses it: the window's embedded demo (`cachescope --page
// capacity`) with its requests captured live, the curves forming on the page, the current
// configuration marked, a size slider moved with the keyboard whose prediction is read off the
// curve at once and then replayed off the GUI thread (checked against the back end on the same
// requests), a timeout scale, a trace file opened instead, and the one-click report (its CSV
// rows equal the curves; the PDF rendered to PNG with poppler's pdftoppm and checked for ink).
// The models are checked by QAbstractItemModelTester. Screenshots (the page and the report's
// pages) go to CACHESCOPE_SCREENSHOT_DIR when set.

#include "capacitymodels.h"
#include "capacitypage.h"
#include "capacityplanner.h"
#include "capacityplot.h"
#include "commandline.h"
#include "mainwindow.h"
#include "window.h"

#include "cache/cachemanager.h"
#include "capacity/recordsource.h"
#include "capacity/tracecapture.h"
#include "capacity/tracewriter.h"
#include "capacity/whatif.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"

#include "python.h"
#include "windowtesting.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cachescope;

namespace {

void screenshot(QWidget &w, const QString &name)
{
    const QString dir = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(w.grab().save(QDir(dir).filePath(name)));
}

double leadingRatio(const QString &text)
{
    // "<b>Predicted hit ratio 0.612</b> ..." or "<b>Predicted hit ratio ≈ 0.612</b> ..." -> 0.612
    qsizetype at = text.indexOf(QStringLiteral("hit ratio "));
    if (at < 0)
        return -1;
    at += 10;
    if (text.mid(at).startsWith(QStringLiteral("≈ ")))
        at += 2;
    return text.mid(at, 5).toDouble();
}

// What the back end answers for this what-if on exactly these requests (the page's replay must agree).
double backendWhatIf(const TraceHeader &header, const std::shared_ptr<const TraceRecords> &records, int cache,
                     const CapacityCacheState &state, const CapacityWhatIf &knobs)
{
    MemoryRecordSource source(header, records);
    WhatIfRequest w;
    w.cache = cache;
    w.policy = knobs.policy;
    w.unit = knobs.unit;
    w.size = knobs.size;
    w.replay.ttlScale = knobs.ttlScale;
    w.sampleRate = state.curve.sampleRate;
    auto r = whatIf(source, w, state.analysis.profile);
    return r ? r->hitRatio : -1;
}

} // namespace

class TestCapacityPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void liveDemoFormsTheCurve()
    {
        auto s = test::openWindowWith({QStringLiteral("--page"), QStringLiteral("capacity")});
        QVERIFY(s && s->demo && s->capture);
        MainWindow &window = *s->window;
        auto *page = qobject_cast<CapacityPage *>(window.page(MainWindow::Page::Capacity));
        QVERIFY(page);
        QCOMPARE(window.currentPage(), MainWindow::Page::Capacity);
        CapacityPlanner *planner = page->planner();
        QAbstractItemModelTester cacheTester(planner->cacheModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester curveTester(planner->curveModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(planner->isLive());
        s->demo->workload().setUsers(32); // the curve forms sooner
        // Chart data expires within the trace, so the timeout knob below has something to change.
        s->demo->workload().setChartTimeout(4);
        window.resize(1500, 950);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(planner->isActive());

        // The curve forms: the Data cache is selected first, its requests grow between updates.
        QTRY_VERIFY_WITH_TIMEOUT(planner->selectedCache() >= 0 && !planner->caches()[planner->selectedCache()].curve.points.isEmpty()
                                     && planner->caches()[planner->selectedCache()].analysis.profile.reads > 300,
                                 120000);
        const int data = planner->selectedCache();
        QCOMPARE(planner->caches()[data].info.name, QStringLiteral("DATA_CACHE_CONFIG"));
        const quint64 early = planner->caches()[data].analysis.profile.records;
        QTRY_VERIFY_WITH_TIMEOUT(planner->caches()[data].analysis.profile.records > early * 2, 120000);
        QCOMPARE(planner->cacheModel()->rowCount(), int(s->demo->manager().purposes().size()));
        QVERIFY(page->sourceText().startsWith(QStringLiteral("Live: ")));

        // A hidden page computes nothing; shown again it catches up.
        window.showPage(MainWindow::Page::Overview);
        QVERIFY(!planner->isActive());
        window.showPage(MainWindow::Page::Capacity);
        QVERIFY(planner->isActive());

        // The demo stops so the page and the back end look at the same requests from here on.
        s->demo->workload().stop();
        s->capture->detach(); // as when a config of the user's retires the demo: nothing else is captured
        s->capture->flush();
        const auto records = s->capture->snapshot();
        const TraceHeader header = s->capture->header();
        planner->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!planner->isBusy() && planner->recordCount() == records->size(), 60000);

        const CapacityCacheState state = planner->caches()[data];
        QVERIFY(state.current.known);
        QCOMPARE(qint64(state.current.size), state.info.threshold); // CACHE_THRESHOLD of the demo's config
        QVERIFY(state.lru.has_value());
        QVERIFY(state.atCurrent.has_value());
        QCOMPARE(page->plot()->curvePointCount(), int(state.curve.points.size()) + 1); // and the origin: size 0 hits nothing
        QVERIFY(page->plot()->curvePointCount() > 30);
        const QString now = QStringLiteral("now: %1").arg(formatSize(double(state.current.size), state.curve.unit));
        QVERIFY2(page->plot()->markerText().contains(now), qPrintable(page->plot()->markerText()));
        QVERIFY(page->recommendationText().contains(QStringLiteral("Recommendation")));
        QCOMPARE(planner->curveModel()->rowCount(), int(state.curve.points.size()));
        // The embedded layer counted every outcome: the prediction at the current threshold is
        // close to what the cache really did (the same requests, replayed).
        const double seen = state.analysis.profile.observedHitRatio();
        const double predicted = state.curve.hitRatioAt(state.current.size);
        QVERIFY2(std::abs(seen - predicted) < 0.08, qPrintable(QStringLiteral("seen %1, predicted %2").arg(seen).arg(predicted)));

        // The size slider, moved with the keyboard as a user would: the prediction is read off the
        // curve at once, then the replay off the GUI thread answers what the back end answers.
        QSlider *slider = page->sizeSlider();
        slider->setFocus();
        auto moveTo = [&](Qt::Key key) -> double {
            QSignalSpy answered(planner, &CapacityPlanner::whatIfUpdated);
            QTest::keyClick(slider, key);
            const quint64 size = planner->whatIf().size;
            const double readOff = leadingRatio(page->whatIfText());
            if (!page->whatIfText().contains(QStringLiteral("≈")) || std::abs(readOff - state.curve.hitRatioAt(size)) > 0.0006) {
                qWarning() << "read off" << page->whatIfText() << "curve" << state.curve.hitRatioAt(size) << "at" << size;
                return -1;
            }
            if (!QTest::qWaitFor([&] { return !answered.isEmpty() && !page->whatIfText().contains(QStringLiteral("≈")); }, 60000))
                return -1;
            const double replayed = planner->whatIfAnswer()->result.hitRatio;
            const double expected = backendWhatIf(header, records, data, state, planner->whatIf());
            if (std::abs(replayed - expected) > 1e-12 || std::abs(leadingRatio(page->whatIfText()) - replayed) > 0.0006
                || !page->plot()->markerText().contains(QStringLiteral("what-if: %1").arg(replayed, 0, 'f', 2))) {
                qWarning() << "replayed" << replayed << "back end" << expected << page->whatIfText() << page->plot()->markerText();
                return -1;
            }
            return replayed;
        };
        const double smallest = moveTo(Qt::Key_Home);
        QVERIFY(smallest >= 0);
        QVERIFY(planner->whatIf().size < state.current.size);
        const double largest = moveTo(Qt::Key_End);
        QVERIFY(largest >= 0);
        QVERIFY(planner->whatIf().size > state.current.size);
        QVERIFY2(largest > smallest, qPrintable(QStringLiteral("%1 vs %2").arg(largest).arg(smallest)));
        QVERIFY2(smallest < state.atCurrent->hitRatio && largest >= state.atCurrent->hitRatio,
                 qPrintable(QStringLiteral("%1 .. %2, now %3").arg(smallest).arg(largest).arg(state.atCurrent->hitRatio)));
        // Quick moves coalesce: ten steps in a row give one answer for the last position.
        {
            QSignalSpy answered(planner, &CapacityPlanner::whatIfUpdated);
            for (int i = 0; i < 10; ++i)
                QTest::keyClick(slider, Qt::Key_PageDown);
            QTRY_VERIFY_WITH_TIMEOUT(!answered.isEmpty() && !planner->isBusy(), 60000);
            QCOMPARE(answered.size(), 1);
            QCOMPARE(planner->whatIfAnswer()->result.hitRatio, backendWhatIf(header, records, data, state, planner->whatIf()));
        }

        // Longer chart timeouts keep entries longer: more hits at the same size.
        page->setWhatIfSize(state.current.size);
        QTRY_VERIFY_WITH_TIMEOUT(planner->whatIf().size == state.current.size && !planner->isBusy()
                                     && !page->whatIfText().contains(QStringLiteral("≈")),
                                 60000);
        const double atCurrent = planner->whatIfAnswer()->result.hitRatio;
        page->setTimeoutScale(8);
        QTRY_VERIFY_WITH_TIMEOUT(planner->whatIf().ttlScale > 7 && planner->whatIfAnswer() && planner->whatIfAnswer()->curve
                                     && !planner->isBusy(),
                                 60000);
        QVERIFY2(planner->whatIfAnswer()->result.hitRatio > atCurrent,
                 qPrintable(QStringLiteral("%1 vs %2").arg(planner->whatIfAnswer()->result.hitRatio).arg(atCurrent)));
        QCOMPARE(planner->whatIfAnswer()->result.hitRatio, backendWhatIf(header, records, data, state, planner->whatIf()));
        page->policyBox()->setCurrentIndex(page->policyBox()->findText(QStringLiteral("lru")));
        QTRY_COMPARE_WITH_TIMEOUT(planner->whatIf().policy, CachePolicy::Lru, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!planner->isBusy() && page->whatIfText().contains(QStringLiteral("Predicted hit ratio"))
                                     && page->whatIfText().contains(QStringLiteral(" with lru ")),
                                 60000);
        QCOMPARE(planner->whatIfAnswer()->result.hitRatio, backendWhatIf(header, records, data, state, planner->whatIf()));
        QApplication::processEvents();
        screenshot(window, QStringLiteral("capacity-page.png"));
        {
            // A dark desktop: the chart follows the palette (dark background, light text).
            const QPalette light = window.palette();
            QPalette dark = light;
            dark.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
            dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
            for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
                dark.setColor(role, QColor(0xe4, 0xe6, 0xea));
            dark.setColor(QPalette::Button, QColor(0x32, 0x34, 0x38));
            window.setPalette(dark);
            QApplication::processEvents();
            const QImage chart = page->plot()->grab().toImage();
            double sum = 0;
            for (int y = 0; y < chart.height(); y += 3)
                for (int x = 0; x < chart.width(); x += 3)
                    sum += qGray(chart.pixel(x, y));
            QVERIFY2(sum / ((chart.height() / 3 + 1) * (chart.width() / 3 + 1)) < 100, "the chart stays light on a dark palette");
            screenshot(window, QStringLiteral("capacity-page-dark.png"));
            window.setPalette(light);
        }

        // One click: the report.
        QTemporaryDir dir;
        QSignalSpy written(page, &CapacityPage::reportWritten);
        page->writeReport(dir.filePath(QStringLiteral("report.pdf")));
        QTRY_COMPARE_WITH_TIMEOUT(written.size(), 1, 60000);
        const auto files = written[0][0].value<CapacityReportFiles>();
        QCOMPARE(files.pdf, dir.filePath(QStringLiteral("report.pdf")));
        QVERIFY(QFileInfo(files.pdf).size() > 10000);
        QCOMPARE(files.pngs.size(), planner->caches().size());
        // The CSV holds every cache's curve, row for row.
        QFile csv(files.csv);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("cache,policy,unit,size,hit_ratio,band,ideal_lru_hit_ratio"));
        int line = 1;
        for (const CapacityCacheState &c : planner->caches()) {
            for (const CurvePoint &p : c.curve.points) {
                const QList<QByteArray> f = lines.value(line++).split(',');
                QCOMPARE(f.size(), 7);
                QCOMPARE(QString::fromUtf8(f[0]), c.info.name);
                QCOMPARE(QString::fromUtf8(f[1]), policyName(c.curve.policy));
                QCOMPARE(QString::fromUtf8(f[2]), sizeUnitName(c.curve.unit));
                QCOMPARE(f[3].toULongLong(), p.size);
                QVERIFY(std::abs(f[4].toDouble() - p.hitRatio) < 1e-9);
                if (c.lru)
                    QVERIFY(std::abs(f[6].toDouble() - c.lru->hitRatioAt(p.size)) < 1e-9);
            }
        }
        QCOMPARE(lines.value(line), QByteArray()); // nothing after the last curve
        QCOMPARE(line, lines.size() - 1);
        const QByteArray dataRow = QStringLiteral("DATA_CACHE_CONFIG,%1,keys,%2,").arg(policyName(state.curve.policy)).arg(state.current.size).toUtf8();
        bool currentRow = false; // the current size is a point of the curve
        for (const QByteArray &l : lines)
            currentRow = currentRow || l.startsWith(dataRow);
        QVERIFY(currentRow);
        QImage chart(files.pngs.value(data));
        QVERIFY(!chart.isNull() && chart.width() == 1200);
        // The PDF as a reader sees it: poppler renders every page.
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        QVERIFY2(!pdftoppm.isEmpty(), "pdftoppm (poppler-utils) is installed by scripts/common.sh");
        QProcess render;
        render.start(pdftoppm, {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("70"), files.pdf, dir.filePath(QStringLiteral("page"))});
        QVERIFY(render.waitForFinished(60000));
        QCOMPARE(render.exitCode(), 0);
        const QStringList pages = QDir(dir.path()).entryList({QStringLiteral("page-*.png")}, QDir::Files, QDir::Name);
        QCOMPARE(pages.size(), planner->caches().size() + 1); // the summary and one page per cache
        const QString shots = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            for (const auto &[from, to] : {std::pair{pages.first(), QStringLiteral("capacity-report-summary.png")},
                                           std::pair{pages[1 + data], QStringLiteral("capacity-report-data.png")},
                                           std::pair{QFileInfo(files.pdf).fileName(), QStringLiteral("capacity-report.pdf")}}) {
                QFile::remove(QDir(shots).filePath(to));
                QVERIFY(QFile::copy(dir.filePath(from), QDir(shots).filePath(to)));
            }
        }
        for (const QString &p : pages) {
            QImage img(dir.filePath(p));
            QVERIFY(!img.isNull());
            int ink = 0; // on the page: text, table rules and chart lines
            for (int y = 0; y < img.height(); y += 2)
                for (int x = 0; x < img.width(); x += 2)
                    ink += qGray(img.pixel(x, y)) < 200;
            QVERIFY2(ink > 500, qPrintable(QStringLiteral("%1: %2").arg(p).arg(ink)));
        }
    }

    void traceFileInstead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cluster.csv"));
        auto py = test::runPython(QStringLiteral("import random, sys\n"
                                                 "random.seed(9)\n"
                                                 "with open(sys.argv[1], 'w') as f:\n"
                                                 "    for i in range(40000):\n"
                                                 "        k = 'k%d' % int(random.paretovariate(0.7) * 5)\n"
                                                 "        op = 'set' if random.random() < 0.1 else 'get'\n"
                                                 "        f.write('%d,%s,%d,%d,1,%s,%d\\n' % (1700000000 + i // 20, k, len(k), 200 + len(k) * 50, op, 600 if op == 'set' else 0))\n"),
                                  {path});
        QVERIFY2(py, qPrintable(py.error()));
        CapacityPlanner planner;
        CapacityPage page(&planner);
        page.resize(1300, 850);
        page.show();
        bool live = false;
        page.setLiveSource(QStringLiteral("demo"), [&] { live = true; });
        planner.openTrace(path);
        QTRY_VERIFY_WITH_TIMEOUT(planner.selectedCache() == 0 && !planner.caches()[0].curve.points.isEmpty(), 60000);
        const CapacityCacheState &s = planner.caches()[0];
        QVERIFY(!s.current.known); // a Twitter trace does not say how the cache was configured
        QCOMPARE(s.curve.policy, CachePolicy::Lru);
        QCOMPARE(s.analysis.profile.records, quint64(40000));
        QVERIFY(page.sourceText().contains(QStringLiteral("Trace: ") + path));
        QCOMPARE(planner.curveModel()->rowCount(), s.curve.points.size());
        // Sorting the table by a number sorts numerically.
        QCOMPARE(planner.cacheModel()->data(planner.cacheModel()->index(0, CapacityCacheModel::Requests), CapacityCacheModel::SortRole).toDouble(), 40000.0);
        screenshot(page, QStringLiteral("capacity-trace.png"));
        // Saving the shown trace writes it off the GUI thread, in the format of its suffix.
        QSignalSpy saved(&planner, &CapacityPlanner::traceSaved);
        planner.saveTrace(dir.filePath(QStringLiteral("copy.cstrace")));
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 30000);
        QCOMPARE(saved[0][1].toULongLong(), quint64(40000));
        // A bad file: an error, and the page keeps going.
        QSignalSpy failed(&planner, &CapacityPlanner::errorOccurred);
        planner.openTrace(dir.filePath(QStringLiteral("missing.csv")));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        QVERIFY(failed[0][0].toString().contains(QStringLiteral("cannot open trace")));
        QVERIFY(!live);
    }
};

QTEST_MAIN(TestCapacityPage)
#include "tst_capacitypage.moc"
