#include "capacityreport.h"

#include "capacityplanner.h"
#include "capacityplot.h"

#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

#include <cmath>

namespace cachescope {

namespace {

QString escape(const QString &s)
{
    return s.toHtmlEscaped();
}

QString ratio(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

// A block of HTML drawn at `top` across the page width; returns the height it took.
int drawHtml(QPainter &painter, const QString &html, int left, int top, int width)
{
    QTextDocument doc;
    doc.setDefaultFont(QFont(QStringLiteral("DejaVu Sans"), 9));
    doc.setHtml(html);
    doc.setTextWidth(width);
    painter.save();
    painter.translate(left, top);
    doc.drawContents(&painter);
    painter.restore();
    return int(std::ceil(doc.size().height()));
}

QString safeName(QString name)
{
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != u'_' && c != u'-')
            c = u'_';
    return name;
}

} // namespace

CapacityReportDocument buildCapacityReport(const CapacityPlanner &planner)
{
    CapacityReportDocument doc;
    const QList<CapacityCacheState> &caches = planner.caches();

    // CSV: every cache's curve.
    doc.csv = "cache,policy,unit,size,hit_ratio,band,ideal_lru_hit_ratio\n";
    for (const CapacityCacheState &s : caches)
        for (const CurvePoint &p : s.curve.points)
            doc.csv += s.info.name.toUtf8() + ',' + policyName(s.curve.policy).toUtf8() + ','
                     + sizeUnitName(s.curve.unit).toUtf8() + ',' + QByteArray::number(p.size) + ','
                     + QByteArray::number(p.hitRatio, 'g', 10) + ',' + QByteArray::number(p.band, 'g', 6) + ','
                     + (s.lru ? QByteArray::number(s.lru->hitRatioAt(p.size), 'g', 10) : QByteArray()) + '\n';

    // Charts, drawn by an offscreen plot in the light palette of a printed page.
    CapacityPlot plot;
    QPalette paper;
    paper.setColor(QPalette::Window, Qt::white);
    paper.setColor(QPalette::Base, Qt::white);
    paper.setColor(QPalette::WindowText, Qt::black);
    paper.setColor(QPalette::Mid, QColor(160, 160, 160));
    plot.setPalette(paper);
    plot.resize(1200, 700);

    QBuffer pdfBuffer(&doc.pdf);
    pdfBuffer.open(QIODevice::WriteOnly);
    QPdfWriter pdf(&pdfBuffer);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setResolution(150);
    pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    pdf.setTitle(QStringLiteral("CacheScope capacity report"));
    pdf.setCreator(QStringLiteral("CacheScope"));
    QPainter painter(&pdf);
    const int width = pdf.width();

    // Summary page.
    QString summary = QStringLiteral("<h2>CacheScope capacity report</h2><p>%1 · %2</p>")
                          .arg(escape(planner.sourceDescription()),
                               QDateTime::currentDateTime().toString(Qt::ISODate));
    summary += QStringLiteral("<table cellspacing='0' cellpadding='4' border='1' width='100%'><tr><th align='left'>Cache</th>"
                              "<th align='left'>Now</th><th>Hit ratio seen</th><th>Predicted now</th>"
                              "<th>Recommended</th><th>Hit ratio there</th></tr>");
    for (const CapacityCacheState &s : caches) {
        const bool curve = s.failure.isEmpty() && !s.curve.points.isEmpty();
        const double now = curve && s.current.known && s.current.size > 0 && s.current.unit == s.curve.unit
                             ? s.curve.hitRatioAt(s.current.size)
                             : std::nan("");
        summary += QStringLiteral("<tr><td>%1</td><td>%2</td><td align='right'>%3</td><td align='right'>%4</td>"
                                  "<td align='right'>%5</td><td align='right'>%6</td></tr>")
                       .arg(escape(s.info.name),
                            escape(s.current.known ? s.current.description : QStringLiteral("not in the trace")),
                            ratio(s.analysis.profile.observedHitRatio()), ratio(now),
                            curve ? formatSize(double(s.recommendation.size), s.curve.unit) : escape(s.failure),
                            curve ? ratio(s.recommendation.hitRatio) : QStringLiteral("–"));
    }
    summary += QStringLiteral("</table><p>One page per cache follows: its miss-ratio curve (hit ratio against size) "
                              "with the current configuration and the recommendation marked, what the current "
                              "configuration costs, and the assumptions behind the numbers.</p>");
    drawHtml(painter, summary, 0, 0, width);

    for (int i = 0; i < caches.size(); ++i) {
        const CapacityCacheState &s = caches[i];
        pdf.newPage();
        int y = drawHtml(painter,
                         QStringLiteral("<h3>%1</h3><p>%2</p>")
                             .arg(escape(s.info.name),
                                  escape(s.current.known ? s.current.description
                                                         : QStringLiteral("configuration not in the trace"))),
                         0, 0, width);
        if (!s.failure.isEmpty() || s.curve.points.isEmpty()) {
            drawHtml(painter, QStringLiteral("<p>No curve: %1</p>").arg(escape(s.failure)), 0, y, width);
            continue;
        }
        plot.setContent(capacityPlotContent(s));
        const int chartHeight = width * 7 / 12;
        // Laid out as on a screen (96 dpi) at the page's width, drawn at twice the page's resolution.
        const double f = pdf.logicalDpiX() / 96.0;
        painter.drawImage(QRect(0, y, width, chartHeight), plot.toImage(qRound(width / f), qRound(chartHeight / f), 2 * f));
        y += chartHeight + 20;
        QString body;
        const double now = s.current.known && s.current.size > 0 && s.current.unit == s.curve.unit
                             ? s.curve.hitRatioAt(s.current.size)
                             : std::nan("");
        body += QStringLiteral("<p><b>Now:</b> predicted hit ratio %1%2.</p>")
                    .arg(ratio(now), std::isfinite(s.analysis.profile.observedHitRatio())
                                         ? QStringLiteral(" (the trace recorded %1)").arg(ratio(s.analysis.profile.observedHitRatio()))
                                         : QString());
        if (s.atCurrent)
            body += QStringLiteral("<p>At the current configuration: %1 misses/s reach the database, %2 evictions/s "
                                   "and %3 expirations/s, memory %4 on average (peak %5), %6 gets/s.</p>")
                        .arg(s.atCurrent->missesPerSecond, 0, 'f', 2)
                        .arg(s.atCurrent->evictionsPerSecond, 0, 'f', 2)
                        .arg(s.atCurrent->expirationsPerSecond, 0, 'f', 2)
                        .arg(formatSize(s.atCurrent->meanUsed, s.curve.unit), formatSize(s.atCurrent->peakUsed, s.curve.unit))
                        .arg(s.atCurrent->readsPerSecond, 0, 'f', 1);
        body += QStringLiteral("<p><b>Recommendation:</b> %1</p>").arg(escape(s.recommendation.text));
        body += QStringLiteral("<p><b>Growth:</b> %1</p>").arg(escape(planner.growthText(i)));
        body += QStringLiteral("<p><b>Assumptions</b></p><ul>");
        for (const QString &a : planner.assumptions(i))
            body += QStringLiteral("<li>%1</li>").arg(escape(a));
        body += QStringLiteral("</ul>");
        drawHtml(painter, body, 0, y, width);
        QByteArray png;
        QBuffer pngBuffer(&png);
        pngBuffer.open(QIODevice::WriteOnly);
        plot.toImage(1200, 700).save(&pngBuffer, "PNG");
        doc.pngs.append({QStringLiteral("-%1.png").arg(safeName(s.info.name)), png});
    }
    painter.end();
    return doc;
}

Expected<CapacityReportFiles> writeCapacityReport(const CapacityReportDocument &document, const QString &basePath)
{
    QString base = basePath;
    for (const char *suffix : {".pdf", ".csv", ".png"})
        if (base.endsWith(QLatin1String(suffix), Qt::CaseInsensitive))
            base.chop(4);
    auto write = [](const QString &path, const QByteArray &bytes) -> Expected<bool> {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return makeError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        return true;
    };
    CapacityReportFiles files;
    files.pdf = base + QStringLiteral(".pdf");
    files.csv = base + QStringLiteral(".csv");
    if (auto ok = write(files.pdf, document.pdf); !ok)
        return Error{ok.error()};
    if (auto ok = write(files.csv, document.csv); !ok)
        return Error{ok.error()};
    for (const auto &[suffix, bytes] : document.pngs) {
        const QString path = base + suffix;
        if (auto ok = write(path, bytes); !ok)
            return Error{ok.error()};
        files.pngs << path;
    }
    return files;
}

} // namespace cachescope
