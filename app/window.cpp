#include "window.h"

#include "buildinfo.h"
#include "capacitypage.h"
#include "capacityplanner.h"
#include "commandline.h"
#include "configpage.h"
#include "configsession.h"
#include "formatting.h"
#include "icons.h"
#include "keysbrowser.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "timeoutspage.h"
#include "timeoutauditmodel.h"
#include "timeoutmodel.h"
#include "windowsettings.h"

#include "cache/cachemanager.h"
#include "capacity/tracecapture.h"
#include "config/configreport.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"

#include <QApplication>
#include <QFile>

namespace cachescope {

namespace {

std::optional<MainWindow::Page> pageNamed(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"overview")
        return MainWindow::Page::Overview;
    if (n == u"keys")
        return MainWindow::Page::Keys;
    if (n == u"hitrates" || n == u"hit-rates")
        return MainWindow::Page::HitRates;
    if (n == u"config")
        return MainWindow::Page::Config;
    if (n == u"timeouts")
        return MainWindow::Page::Timeouts;
    if (n == u"capacity")
        return MainWindow::Page::Capacity;
    return std::nullopt;
}

} // namespace

void addWindowOptions(CommandLine &cl)
{
    cl.addOption(QStringLiteral("page"), QStringLiteral("PAGE"),
                 QStringLiteral("Page to open: overview, keys, hitrates, config, timeouts, capacity (default: config with a "
                                "superset_config.py, else overview)."));
    cl.addOption(QStringLiteral("redis"), QStringLiteral("URL"), QStringLiteral("Also connect to this Redis URL (Keys page)."));
    cl.addOption(QStringLiteral("prefix"), QStringLiteral("P"), QStringLiteral("Key prefix for --redis."));
    cl.addOption(QStringLiteral("dir"), QStringLiteral("DIR"), QStringLiteral("Also open this cache directory (Keys page)."));
    cl.addOption(QStringLiteral("payload"), QStringLiteral("FILE"), QStringLiteral("Open a dumped entry or cache file."));
    cl.addPositional(QStringLiteral("superset_config.py"),
                     QStringLiteral("A Superset config to open (read, never run); without one the embedded demo runs."),
                     CommandLine::Arity::Optional);
}

WindowSession::~WindowSession()
{
    if (demo)
        demo->workload().stop();
    if (capture)
        capture->detach();
    session.reset();
    window.reset();
}

std::unique_ptr<WindowSession> openWindow(const CommandLine &cl)
{
    auto s = std::make_unique<WindowSession>();
    s->window = std::make_unique<MainWindow>();
    MainWindow &window = *s->window;
    std::unique_ptr<DemoEnvironment> &demo = s->demo;
    window.resize(1400, 860);
    window.setAboutInfo(applicationVersion(), componentVersions());

    // A config opened later (File → Open config…) retires the demo: its caches are not the user's.
    std::unique_ptr<TraceCapture> &capture = s->capture;
    s->session = std::make_unique<ConfigSession>(&window, [&window, &demo, &capture] {
        if (!demo)
            return;
        window.setDemoWorkload(nullptr);
        demo->workload().stop();
        if (capture)
            capture->detach(); // the Capacity page keeps what was captured
    });

    // The Timeouts page follows the config the session evaluates (or the demo below).
    auto *timeouts = new TimeoutsPage;
    window.addPage(MainWindow::Page::Timeouts, QObject::tr("Timeouts"), timeouts);
    QObject::connect(timeouts, &TimeoutsPage::errorOccurred, &window, &MainWindow::showError);
    ConfigSession *session = s->session.get();
    QObject::connect(session->page(), &ConfigPage::evaluated, timeouts, [session, timeouts] {
        const ConfigReport &report = session->page()->report();
        if (!report.loaded || !session->manager())
            return; // the demo (or the last good config) stays
        timeouts->setCacheManager(session->manager());
        timeouts->setConfigReport(report, session->page()->loaderOptions());
    });
    // The Keys page labels chart-data keys with the charts the metadata database ties them to.
    QObject::connect(timeouts, &TimeoutsPage::snapshotLoaded, &window, [&window, timeouts] {
        if (timeouts->model()->snapshot() && timeouts->metadataUri())
            window.keysBrowser()->loadKeyLabels(*timeouts->model()->snapshot(), *timeouts->metadataUri());
    });
    QObject::connect(timeouts, &TimeoutsPage::auditFinished, &window,
                     [&window, timeouts] { window.keysBrowser()->addDecodedLabels(timeouts->auditModel()->report()); });
    // An edit of the config file: the Config page reads it again (and the caches follow).
    QObject::connect(timeouts, &TimeoutsPage::configFileWritten, session, [session](const QString &path) { session->page()->openFile(path); });

    // Capacity: curves of a request trace (the demo's, captured live below, or a trace file).
    auto *planner = new CapacityPlanner(&window);
    auto *capacity = new CapacityPage(planner);
    window.addPage(MainWindow::Page::Capacity, QObject::tr("Capacity"), capacity);
    QObject::connect(capacity, &CapacityPage::errorOccurred, &window, &MainWindow::showError);
    QObject::connect(capacity, &CapacityPage::reportWritten, &window, [&window](const CapacityReportFiles &files) {
        window.messageBar()->showMessage(QObject::tr("Report written: %1 (with %2 and %n chart(s))", nullptr, int(files.pngs.size()))
                                             .arg(files.pdf, files.csv),
                                         MessageBar::Level::Information);
    });

    const QString configPath = cl.positionals().value(0);
    QFile config(QStringLiteral(":/demo/demo-config.json"));
    QFile demoSupersetConfig(QStringLiteral(":/demo/superset_config.py"));
    if (!configPath.isEmpty()) {
        s->session->open(configPath);
    } else if (!config.open(QIODevice::ReadOnly) || !demoSupersetConfig.open(QIODevice::ReadOnly)) {
        window.showError(QObject::tr("The embedded demo config cannot be read: %1")
                             .arg(config.isOpen() ? demoSupersetConfig.errorString() : config.errorString()));
    } else if (auto created = DemoEnvironment::create(config.readAll(), demoSupersetConfig.readAll()); !created) {
        window.showError(QObject::tr("The embedded demo cannot start: %1").arg(created.error()));
    } else {
        demo = std::move(*created);
        // The Config page shows the file the demo's caches were built from, evaluated with the
        // demo's SUPERSET_HOME (a value of the page's own, so a config opened later starts clean).
        // It only shows it: the running demo caches stay until a config of the user's is opened.
        if (QFile shown(demo->configFile()); shown.open(QIODevice::ReadOnly)) {
            const QHash<QString, QString> environment = demo->configEnvironment();
            for (auto it = environment.begin(); it != environment.end(); ++it)
                s->session->page()->setEnvironmentValue(it.key(), it.value());
            s->session->page()->setSource(QString::fromUtf8(shown.readAll()), demo->configFile());
        }
        // The user count is a live knob of the demo controls, so the status bar does not repeat it.
        window.setCacheManager(&demo->manager(),
                               QObject::tr("Embedded demo · results backend in %1").arg(demo->directory()));
        window.setDemoWorkload(&demo->workload());
        QObject::connect(&demo->workload(), &DemoWorkload::workloadFailed, &window, &MainWindow::showError);
        timeouts->setCacheManager(&demo->manager());
        timeouts->setDemo(demo->timeoutConfig(), demo->cacheTimeoutRows(), demo->metadataFile());
        // Every request of the demo is captured exactly, so its curves form live on the Capacity page.
        capture = std::make_unique<TraceCapture>();
        capture->attach(demo->manager());
        TraceCapture *live = capture.get();
        const QString description = QObject::tr("the embedded demo (exact: every request captured)");
        auto startLive = [planner, live, description] {
            planner->setLiveSource(description, [live] { return std::make_pair(live->header(), live->snapshot()); });
        };
        startLive();
        capacity->setLiveSource(description, startLive);
        // File → Record samples: the recording also gets the request trace (tables beside its samples).
        QObject::connect(&window, &MainWindow::recordingStarted, live,
                         [live](const QString &path) { live->startFile(path, TraceFormat::Recording); });
        QObject::connect(&window, &MainWindow::recordingStopped, live, [live] { live->stopFile(); });
        QObject::connect(live, &TraceCapture::fileFailed, &window, &MainWindow::showError);
        demo->workload().start();
    }

    if (cl.isSet(QStringLiteral("redis"))) {
        const QString url = cl.value(QStringLiteral("redis"));
        if (auto row = window.keysBrowser()->connectRedis(url, cl.value(QStringLiteral("prefix")).toUtf8()); !row)
            window.showError(QObject::tr("Cannot connect to %1: %2").arg(url, row.error()));
    }
    if (cl.isSet(QStringLiteral("dir"))) {
        if (auto row = window.keysBrowser()->openDirectory(cl.value(QStringLiteral("dir"))); !row)
            window.showError(row.error());
    }
    // --page wins; without it a config opens on its Config page (session->open showed it) and
    // the demo on the Overview.
    if (const auto page = pageNamed(cl.value(QStringLiteral("page"))); page && cl.isSet(QStringLiteral("page")))
        window.showPage(*page);
    return s;
}

int runWindow(QApplication &app, const CommandLine &cl)
{
    if (cl.isSet(QStringLiteral("page")) && !pageNamed(cl.value(QStringLiteral("page"))))
        return cl.usageError(QStringLiteral("unknown page '%1' (overview, keys, hitrates, config, timeouts, capacity)").arg(cl.value(QStringLiteral("page"))));
    // The menu entry's ID lets Wayland and X11 docks show the installed icon and name.
    QGuiApplication::setDesktopFileName(QString::fromUtf16(kApplicationId));
    QApplication::setWindowIcon(applicationIcon());
    // Numbers and times in the window in the user's locale (LANG, LC_NUMERIC...); the command
    // line's text and JSON keep theirs, since only the window sets this (formatting.h).
    setDisplayLocale(QLocale());
    // Before anything reads it: a corrupt settings file is moved aside with a message.
    const QString settingsProblem = settings::checkFile();
    const std::unique_ptr<WindowSession> s = openWindow(cl);
    // The last page only when neither --page nor a config chose one.
    const QStringList restoreProblems =
        settings::restoreWindow(*s->window, !cl.isSet(QStringLiteral("page")) && cl.positionals().isEmpty());
    QStringList notes;
    if (!settingsProblem.isEmpty())
        notes << settingsProblem;
    if (!restoreProblems.isEmpty())
        notes << QObject::tr("Saved window settings skipped: %1.").arg(restoreProblems.join(QStringLiteral("; ")));
    if (!notes.isEmpty())
        s->window->showWarning(notes.join(u' '));
    s->window->show();
    if (cl.isSet(QStringLiteral("payload")))
        s->window->openPayloadFile(cl.value(QStringLiteral("payload")));
    const int status = app.exec();
    settings::saveWindow(*s->window);
    return status;
}

} // namespace cachescope
