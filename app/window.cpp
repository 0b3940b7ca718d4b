#include "window.h"

#include "mainwindow.h"

#include "cache/cachemanager.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"

#include <QApplication>
#include <QFile>

#include <memory>

namespace cachescope {

int runWindow(QApplication &app)
{
    // Declared before the window so the window (and the model reading the caches) goes first.
    std::unique_ptr<DemoEnvironment> demo;
    MainWindow window;
    window.resize(1280, 760);

    const QStringList args = QCoreApplication::arguments().mid(1);
    if (!args.isEmpty())
        window.showWarning(QObject::tr("Opening %1 needs the superset_config.py loader, which is not in this "
                                       "version yet; showing the embedded demo instead.")
                               .arg(args.first()));

    QFile config(QStringLiteral(":/demo/demo-config.json"));
    if (!config.open(QIODevice::ReadOnly)) {
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

    window.show();
    const int rc = app.exec();
    if (demo)
        demo->workload().stop();
    return rc;
}

} // namespace cachescope
