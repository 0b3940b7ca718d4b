#include "window.h"

#include "configsession.h"
#include "keysbrowser.h"
#include "mainwindow.h"

#include "cache/cachemanager.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>

#include <memory>

namespace cachescope {

int runWindow(QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QObject::tr("CacheScope: Superset caches, keys and hit rates"));
    parser.addHelpOption();
    const QCommandLineOption page(QStringLiteral("page"), QObject::tr("Page to open: overview, keys, hitrates, config."),
                                  QStringLiteral("PAGE"), QStringLiteral("overview"));
    const QCommandLineOption redis(QStringLiteral("redis"), QObject::tr("Also connect to this Redis URL (Keys page)."),
                                   QStringLiteral("URL"));
    const QCommandLineOption prefix(QStringLiteral("prefix"), QObject::tr("Key prefix for --redis."), QStringLiteral("P"));
    const QCommandLineOption dir(QStringLiteral("dir"), QObject::tr("Also open this cache directory (Keys page)."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption payload(QStringLiteral("payload"), QObject::tr("Open a dumped entry or cache file."),
                                     QStringLiteral("FILE"));
    parser.addOptions({page, redis, prefix, dir, payload});
    parser.addPositionalArgument(QStringLiteral("superset_config.py"),
                                 QObject::tr("A Superset config to open (read without running it); without one, the "
                                             "embedded demo runs."));
    parser.process(app);

    // Declared before the window so the window (and the models reading the caches) goes first.
    std::unique_ptr<DemoEnvironment> demo;
    MainWindow window;
    window.resize(1400, 860);

    // A config opened later (File → Open config…) retires the demo: its caches are not the user's.
    ConfigSession session(&window, [&window, &demo] {
        if (!demo)
            return;
        window.setDemoWorkload(nullptr);
        demo->workload().stop();
    });

    const QString configPath = parser.positionalArguments().value(0);
    QFile config(QStringLiteral(":/demo/demo-config.json"));
    if (!configPath.isEmpty()) {
        session.open(configPath);
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

    if (parser.isSet(redis)) {
        if (auto row = window.keysBrowser()->connectRedis(parser.value(redis), parser.value(prefix).toUtf8()); !row)
            window.showError(QObject::tr("Cannot connect to %1: %2").arg(parser.value(redis), row.error()));
    }
    if (parser.isSet(dir)) {
        if (auto row = window.keysBrowser()->openDirectory(parser.value(dir)); !row)
            window.showError(row.error());
    }
    const QString pageName = parser.value(page).toLower();
    if (pageName == u"keys")
        window.showPage(MainWindow::Page::Keys);
    else if (pageName == u"hitrates" || pageName == u"hit-rates")
        window.showPage(MainWindow::Page::HitRates);
    else if (pageName == u"config")
        window.showPage(MainWindow::Page::Config);
    else if (pageName == u"overview" && !configPath.isEmpty())
        window.showPage(MainWindow::Page::Config);
    else if (pageName != u"overview")
        window.showWarning(QObject::tr("Unknown page %1 (overview, keys, hitrates, config)").arg(pageName));

    window.show();
    if (parser.isSet(payload))
        window.openPayloadFile(parser.value(payload));
    const int rc = app.exec();
    if (demo)
        demo->workload().stop();
    return rc;
}

} // namespace cachescope
