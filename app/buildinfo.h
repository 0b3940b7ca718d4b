#pragma once

#include <QList>
#include <QPair>
#include <QString>

namespace cachescope {

// What this build is: `cachescope --version` prints it, Help → About shows it. One place, so the
// two never disagree.
QString applicationVersion(); // the project's VERSION (CMakeLists.txt), e.g. "0.1.0"
// (component, version) rows: Qt at run time and at build time, hiredis, msgpack-c, the compiler
// and the build type.
QList<QPair<QString, QString>> componentVersions();
// "cachescope 0.1.0\nQt 6.4.2 (built with 6.4.2)\n...": the text of --version.
QString versionText();

} // namespace cachescope
