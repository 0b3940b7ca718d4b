#include "window.h"

#include "commandline.h"
#include "configsession.h"
#include "keysbrowser.h"
#include "mainwindow.h"

#include "cache/cachemanager.h"
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
    return std::nullopt;
}

} // namespace

void addWindowOptions(CommandLine &cl)
{
    cl.addOption(QStringLiteral("page"), QStringLiteral("PAGE"),
                 QStringLiteral("Page to open: overview, keys, hitrates, config (default: config with a "
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

    // A config opened later (File → Open config…) retires the demo: its caches are not the user's.
    s->session = std::make_unique<ConfigSession>(&window, [&window, &demo] {
        if (!demo)
            return;
        window.setDemoWorkload(nullptr);
        demo->workload().stop();
    });

    const QString configPath = cl.positionals().value(0);
    QFile config(QStringLiteral(":/demo/demo-config.json"));
    if (!configPath.isEmpty()) {
        s->session->open(configPath);
    } else if (!config.open(QIODevice::ReadOnly)) {
        window.showError(QObject::tr("The embedded demo config cannot be read: %1").arg(config.errorString()));
    } else if (auto created = DemoEnvironment::create(config.readAll()); !created) {
        window.showError(QObject::tr("The embedded demo cannot start: %1").arg(created.error()));
    } else {
        demo = std::move(*created);
        // The user count is a live knob of the demo controls, so the status bar does not repeat it.
        window.setCacheManager(&demo->manager(),
                               QObject::tr("Embedded demo · results backend in %1").arg(demo->directory()));
        window.setDemoWorkload(&demo->workload());
        QObject::connect(&demo->workload(), &DemoWorkload::workloadFailed, &window, &MainWindow::showError);
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
        return cl.usageError(QStringLiteral("unknown page '%1' (overview, keys, hitrates, config)").arg(cl.value(QStringLiteral("page"))));
    const std::unique_ptr<WindowSession> s = openWindow(cl);
    s->window->show();
    if (cl.isSet(QStringLiteral("payload")))
        s->window->openPayloadFile(cl.value(QStringLiteral("payload")));
    return app.exec();
}

} // namespace cachescope
