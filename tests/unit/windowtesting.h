#pragma once
// Helpers of the widget tests that open the whole window (header-only, beside the tests that use
// it): settings in a temporary directory, and the window on the embedded demo as `cachescope`
// without arguments opens it.
#include "commandline.h"
#include "mainwindow.h"
#include "window.h"

#include <QCoreApplication>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// QSettings of this test only: never the user's file, never another test's.
inline bool useTemporarySettings(const QTemporaryDir &home, const QString &application)
{
    if (!home.isValid())
        return false;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, home.path());
    QCoreApplication::setOrganizationName(QStringLiteral("CacheScopeTest"));
    QCoreApplication::setApplicationName(application);
    return QSettings().fileName().startsWith(home.path());
}

// The window as `cachescope ARGS` opens it (not shown); null if the options do not parse.
inline std::unique_ptr<WindowSession> openWindowWith(const QStringList &args)
{
    CommandLine cl(QString(), QStringLiteral("test"));
    addWindowOptions(cl);
    if (cl.parse(args))
        return nullptr;
    return openWindow(cl);
}

// The window on the embedded demo, shown at `size`; null if the options do not parse.
inline std::unique_ptr<WindowSession> openDemoWindow(QSize size)
{
    auto s = openWindowWith({});
    if (!s)
        return nullptr;
    s->window->resize(size);
    s->window->show();
    return s;
}

} // namespace cachescope::test
