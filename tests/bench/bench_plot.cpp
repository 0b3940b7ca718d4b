// bench_plot: the Hit rates chart under its worst realistic load — 10 caches x 4 series x 1 hour at
// 1 s (144,000 points) in one HitRatePlot — measuring time per sample append (plot and model), time
// per replot (full frame, offscreen raster), and memory per point (RSS growth while filling).
// Last line: replot_ms=<n> bytes_per_point=<n>. Target: replot <= 8 ms (half a 60 Hz frame).
#include "hitrateplot.h"
#include "hitrateseries.h"
#include "benchprobes.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <unistd.h>
#include <vector>

using namespace cachescope;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    constexpr int kCaches = 10, kSeconds = 3600, kFrames = 60;
    constexpr qint64 kStart = 1'764'547'200;

    HitRatePlot plot;
    plot.setSeries({{QStringLiteral("Hit rate %"), 0, false, {}, true},
                    {QStringLiteral("Hits/s"), 1, true},
                    {QStringLiteral("Misses/s"), 2, true},
                    {QStringLiteral("Sets/s"), 3, true}},
                   QStringLiteral("Hit rate (%)"), QStringLiteral("Operations per second"), kCaches);
    plot.setLeftAxisFixed(0, 105);
    plot.setWindowSeconds(kSeconds);
    plot.resize(1200, 600);
    plot.show();
    QCoreApplication::processEvents();

    // Samples generated up front so generation is not timed.
    QRandomGenerator rng(3);
    std::vector<HitRateSample> samples;
    samples.reserve(size_t(kCaches) * (kSeconds + kFrames));
    for (int t = 0; t < kSeconds + kFrames; ++t)
        for (int c = 0; c < kCaches; ++c) {
            HitRateSample s;
            s.timestampMs = (kStart + t) * 1000;
            s.cache = QStringLiteral("cache%1").arg(c);
            s.intervalSeconds = 1;
            const double reads = 50 + 100 * rng.generateDouble();
            const double rate = 0.5 + 0.45 * rng.generateDouble();
            s.hitsPerSecond = reads * rate;
            s.missesPerSecond = reads - s.hitsPerSecond;
            s.setsPerSecond = s.missesPerSecond;
            samples.push_back(s);
        }

    // Model appends (ring buffers, table rows, signals).
    HitRateSeries model;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < kCaches * kSeconds; ++i)
        model.addHitSample(samples[size_t(i)]);
    const double modelAppendUs = double(timer.nsecsElapsed()) / 1000.0 / double(kCaches * kSeconds);

    // Plot appends: one sample = its 4 series values.
    const qint64 rssBefore = test::residentBytes();
    std::vector<SeriesPoint> points;
    points.reserve(samples.size());
    for (const HitRateSample &s : samples) {
        SeriesPoint p;
        p.t = s.timestampMs / 1000;
        p.v[0] = float(s.hitRate() * 100);
        p.v[1] = float(s.hitsPerSecond);
        p.v[2] = float(s.missesPerSecond);
        p.v[3] = float(s.setsPerSecond);
        points.push_back(p);
    }
    timer.restart();
    for (int i = 0; i < kCaches * kSeconds; ++i)
        plot.appendPoint(points[size_t(i)], i % kCaches);
    const double plotAppendUs = double(timer.nsecsElapsed()) / 1000.0 / double(kCaches * kSeconds);
    const qint64 rssAfter = test::residentBytes();
    const qint64 plotted = qint64(kCaches) * 4 * kSeconds;
    const double bytesPerPoint = double(std::max<qint64>(0, rssAfter - rssBefore)) / double(plotted);

    // Warm-up frame (first paint allocates the backing store), then steady state: each frame one new
    // second for every cache arrives, old data is dropped, one replot.
    plot.replotNow();
    std::vector<double> replotMs, replotCpuMs, frameAppendUs;
    for (int f = 0; f < kFrames; ++f) {
        timer.restart();
        for (int c = 0; c < kCaches; ++c)
            plot.appendPoint(points[size_t((kSeconds + f) * kCaches + c)], c);
        frameAppendUs.push_back(double(timer.nsecsElapsed()) / 1000.0 / kCaches);
        timer.restart();
        const double cpu0 = test::threadCpuNs() / 1e6;
        plot.replotNow();
        replotCpuMs.push_back(test::threadCpuNs() / 1e6 - cpu0);
        replotMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    int pointsShown = 0;
    for (int c = 0; c < kCaches; ++c)
        for (int s = 0; s < 4; ++s)
            pointsShown += plot.pointCount(s, c);

    std::printf("caches=%d series=%d seconds=%d points_in_plot=%d\n", kCaches, 4, kSeconds, pointsShown);
    std::printf("model_append_us_per_sample=%.2f model_bytes=%lld (%.1f per point)\n", modelAppendUs,
                static_cast<long long>(model.memoryBytes()),
                double(model.memoryBytes()) / double(plotted));
    std::printf("plot_append_us_per_sample=%.2f (fill) %.2f (steady state, incl. removeBefore)\n", plotAppendUs,
                median(frameAppendUs));
    std::printf("replot_ms median=%.2f min=%.2f max=%.2f over %d frames (1200x600, offscreen raster)\n",
                median(replotMs), *std::min_element(replotMs.begin(), replotMs.end()),
                *std::max_element(replotMs.begin(), replotMs.end()), kFrames);
    std::printf("replot_cpu_ms median=%.2f min=%.2f max=%.2f (thread CPU time)\n", median(replotCpuMs),
                *std::min_element(replotCpuMs.begin(), replotCpuMs.end()),
                *std::max_element(replotCpuMs.begin(), replotCpuMs.end()));
    std::printf("replot_ms=%.2f bytes_per_point=%.1f\n", median(replotMs), bytesPerPoint);
    return 0;
}
