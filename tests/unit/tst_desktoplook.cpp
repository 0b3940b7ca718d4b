// How the window looks on a desktop: its icon, the toolbar's icons on a light and a dark palette,
// the About box. Asserts the icons keep their contrast on both palettes. With
// CACHESCOPE_SCREENSHOT_DIR set (scripts/screenshots runs this under Xvfb) it also saves
// window.png, dark.png, about.png, about-dark.png and icons.png there, to be looked at.
#include "aboutdialog.h"
#include "buildinfo.h"
#include "capacitypage.h"
#include "capacityplanner.h"
#include "cacheoverviewmodel.h"
#include "commandline.h"
#include "configpage.h"
#include "configsession.h"
#include "hitratedelegate.h"
#include "icons.h"
#include "mainwindow.h"
#include "window.h"
#include "windowtesting.h"

#include <QApplication>
#include <QDir>
#include <QPainter>
#include <QSettings>
#include <QStyle>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace cachescope;

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe4, 0xe6, 0xea);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window.lighter(115));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8f, 0xdc));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::PlaceholderText, text.darker(160));
    p.setColor(QPalette::Disabled, QPalette::Text, text.darker(180));
    p.setColor(QPalette::Disabled, QPalette::WindowText, text.darker(180));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, text.darker(180));
    return p;
}

double luminance(QColor c)
{
    return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
}

// How far the icon's drawn pixels are, on average, from the background's luminance (0..1).
double contrast(const QIcon &icon, QColor background, int size)
{
    const QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
    double sum = 0;
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb px = image.pixel(x, y);
            if (qAlpha(px) < 160)
                continue;
            sum += std::abs(luminance(QColor(px)) - luminance(background));
            ++n;
        }
    }
    return n ? sum / n : 0;
}

// Xvfb has no window manager, so no title bar: the shot gets a strip drawn from the window's
// own icon and title, which is what a dock or title bar shows.
QImage withTitleStrip(QWidget *window)
{
    const QImage body = window->grab().toImage();
    const int strip = 34;
    QImage out(body.width(), body.height() + strip, QImage::Format_ARGB32);
    out.fill(window->palette().color(QPalette::Window).darker(125));
    QPainter p(&out);
    p.setRenderHint(QPainter::Antialiasing);
    window->windowIcon().paint(&p, QRect(8, 5, 24, 24));
    p.setPen(window->palette().color(QPalette::WindowText));
    QFont f = window->font();
    f.setBold(true);
    p.setFont(f);
    p.drawText(QRect(40, 0, body.width() - 48, strip), Qt::AlignVCenter, window->windowTitle());
    p.drawImage(0, strip, body);
    return out;
}

std::unique_ptr<WindowSession> demoWindow()
{
    return test::openDemoWindow(QSize(1400, 860));
}

} // namespace

class TestDesktopLook : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;
    QString m_shots;

private slots:
    void initTestCase()
    {
        QVERIFY(test::useTemporarySettings(m_home, QStringLiteral("tst_desktoplook")));
        QApplication::setWindowIcon(applicationIcon());
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        m_shots = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_DIR");
        if (!m_shots.isEmpty())
            QVERIFY(QDir().mkpath(m_shots));
    }

    void iconsReadOnLightAndDarkPalettes_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void iconsReadOnLightAndDarkPalettes()
    {
        QFETCH(bool, dark);
        QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
        MainWindow w;
        const QColor background = w.palette().color(QPalette::Window);
        QCOMPARE(luminance(background) < 0.3, dark);
        QStringList faint;
        for (QAction *a : w.mainToolBar()->actions()) {
            if (a->isSeparator())
                continue;
            // 22 px is a toolbar's size; 44 px the same at 200 % scaling.
            for (int size : {22, 44})
                if (const double c = contrast(a->icon(), background, size); c < 0.2)
                    faint << QStringLiteral("%1 at %2 px: %3").arg(a->text()).arg(size).arg(c, 0, 'f', 2);
        }
        QVERIFY2(faint.isEmpty(), qPrintable(faint.join(u'\n')));
        QVERIFY(contrast(applicationIcon(), background, 16) > 0.2);
    }

    // The Overview's hit-rate bar: its empty part (the track) must be a faint groove on the
    // cell's background, not a white bar on a dark palette (it once was: QPalette::Mid, which a
    // dark palette that leaves Mid at its default keeps light).
    void hitRateTrackFollowsThePalette_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void hitRateTrackFollowsThePalette()
    {
        QFETCH(bool, dark);
        const QPalette palette = dark ? darkPalette() : QApplication::style()->standardPalette();
        QStandardItemModel model(1, 1);
        constexpr int kRatioRole = Qt::UserRole + 7;
        model.setData(model.index(0, 0), 0.1, kRatioRole); // a tenth filled: the rest is track
        HitRateDelegate delegate(0, kRatioRole);
        QStyleOptionViewItem option;
        option.rect = QRect(0, 0, 200, 30);
        option.palette = palette;
        option.fontMetrics = QFontMetrics(QApplication::font());
        option.state = QStyle::State_Enabled;
        QImage image(option.rect.size(), QImage::Format_ARGB32);
        const QColor base = palette.color(QPalette::Base);
        image.fill(base);
        QPainter painter(&image);
        delegate.paint(&painter, option, model.index(0, 0));
        painter.end();
        // Near the right end of the bar, vertically centred: track, not fill.
        const QColor track = image.pixelColor(6 + HitRateDelegate::kBarWidth - 4, option.rect.center().y() + 1);
        const double distance = std::abs(luminance(track) - luminance(base));
        QVERIFY2(track != base, "no track drawn");
        QVERIFY2(distance < 0.25, qPrintable(QStringLiteral("track %1 on base %2: %3").arg(track.name(), base.name()).arg(distance)));
        QCOMPARE(luminance(track) < 0.5, dark);
    }

    void windowAboutAndDarkScreenshots()
    {
        QApplication::setPalette(QApplication::style()->standardPalette());
        auto s = demoWindow();
        QVERIFY(s && s->demo);
        QVERIFY(QTest::qWaitForWindowExposed(s->window.get()));
        QVERIFY(!s->window->windowIcon().isNull());
        QCOMPARE(s->window->windowIcon().pixmap(32, 32).toImage(), applicationIcon().pixmap(32, 32).toImage());
        QTRY_VERIFY_WITH_TIMEOUT(s->window->overviewModel()->rowCount() > 0, 10000);

        AboutDialog about(applicationVersion(), componentVersions()); // no parent: it outlives the window below
        about.show();
        QVERIFY(QTest::qWaitForWindowExposed(&about));
        if (m_shots.isEmpty())
            return;
        QTest::qWait(4000); // the demo's workload moves the counters
        QVERIFY(withTitleStrip(s->window.get()).save(m_shots + QStringLiteral("/window.png")));
        QVERIFY(withTitleStrip(&about).save(m_shots + QStringLiteral("/about.png")));
        about.close();
        s.reset();

        QApplication::setPalette(darkPalette());
        auto dark = demoWindow();
        QVERIFY(QTest::qWaitForWindowExposed(dark->window.get()));
        QTest::qWait(4000);
        QVERIFY(withTitleStrip(dark->window.get()).save(m_shots + QStringLiteral("/dark.png")));
        {
            AboutDialog aboutDark(applicationVersion(), componentVersions());
            aboutDark.show();
            QVERIFY(QTest::qWaitForWindowExposed(&aboutDark));
            QVERIFY(withTitleStrip(&aboutDark).save(m_shots + QStringLiteral("/about-dark.png")));
        }
        dark.reset();

        // The application icon at the sizes desktops use, on light and dark, 16 px also magnified.
        QImage sheet(760, 300, QImage::Format_ARGB32);
        sheet.fill(Qt::white);
        QPainter p(&sheet);
        p.fillRect(QRect(0, 150, 760, 150), darkPalette().color(QPalette::Window));
        for (int row = 0; row < 2; ++row) {
            int x = 10;
            const int y = row * 150 + 10;
            for (int size : {16, 24, 32, 48, 128}) {
                p.drawPixmap(x, y, applicationIcon().pixmap(size, size));
                x += size + 12;
            }
            const QPixmap tiny = applicationIcon().pixmap(16, 16);
            p.drawPixmap(QRect(x, y, 128, 128), tiny); // 16 px, 8× magnified
        }
        p.end();
        QVERIFY(sheet.save(m_shots + QStringLiteral("/icons.png")));
    }

    // The user guide's pictures (docs/guide/images, scripts/docs): each page of the demo as a
    // user first sees it. Without CACHESCOPE_GUIDE_IMAGES the pages are still opened and grabbed.
    void guideScreenshots()
    {
        QApplication::setPalette(QApplication::style()->standardPalette());
        const QString dir = qEnvironmentVariable("CACHESCOPE_GUIDE_IMAGES");
        if (!dir.isEmpty())
            QVERIFY(QDir().mkpath(dir));
        auto s = demoWindow();
        QVERIFY(s && s->demo);
        s->window->resize(1280, 800);
        QVERIFY(QTest::qWaitForWindowExposed(s->window.get()));
        if (!dir.isEmpty())
            QTest::qWait(6000); // counters and plots fill
        const QList<QPair<MainWindow::Page, QString>> pages = {{MainWindow::Page::Overview, QStringLiteral("overview")},
                                                               {MainWindow::Page::Keys, QStringLiteral("keys")},
                                                               {MainWindow::Page::HitRates, QStringLiteral("hitrates")}};
        int shot = 0;
        for (const auto &[page, name] : pages) {
            if (!s->window->page(page))
                continue;
            s->window->showPage(page);
            QCOMPARE(s->window->currentPage(), page);
            QTest::qWait(dir.isEmpty() ? 50 : 1500);
            const QImage image = s->window->grab().toImage();
            QCOMPARE(image.size(), s->window->size() * s->window->devicePixelRatio());
            if (!dir.isEmpty())
                QVERIFY(image.save(dir + u'/' + name + QStringLiteral(".png")));
            ++shot;
        }
        QCOMPARE(shot, 3);

        // The Capacity page once the demo's curves formed (it computes only while shown).
        if (auto *capacity = qobject_cast<CapacityPage *>(s->window->page(MainWindow::Page::Capacity))) {
            s->window->showPage(MainWindow::Page::Capacity);
            CapacityPlanner *planner = capacity->planner();
            QTRY_VERIFY_WITH_TIMEOUT(planner->selectedCache() >= 0 && !planner->caches()[planner->selectedCache()].curve.points.isEmpty(),
                                     60000);
            QTRY_VERIFY_WITH_TIMEOUT(!planner->isBusy(), 60000);
            QTest::qWait(dir.isEmpty() ? 50 : 500);
            if (!dir.isEmpty())
                QVERIFY(s->window->grab().save(dir + QStringLiteral("/capacity.png")));
        }

        // The Config page with a config of the test fixtures opened (it retires the demo).
        const QString config = QFINDTESTDATA("fixtures/configs/18_if_elif_env.py");
        QVERIFY(!config.isEmpty());
        QVERIFY(s->session->open(config));
        QTRY_VERIFY_WITH_TIMEOUT(s->session->page()->report().loaded, 30000);
        QCOMPARE(s->window->currentPage(), MainWindow::Page::Config);
        QTest::qWait(dir.isEmpty() ? 50 : 1500);
        if (!dir.isEmpty())
            QVERIFY(s->window->grab().save(dir + QStringLiteral("/config.png")));
    }
};

QTEST_MAIN(TestDesktopLook)
#include "tst_desktoplook.moc"
