#include "userguide.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace cachescope {

QString userGuideFile()
{
    // CACHESCOPE_GUIDE_INSTALL_DIR is relative to the install prefix (ui/CMakeLists.txt); the
    // binary sits in PREFIX/bin, so the prefix is one level up whatever prefix was chosen.
    const QDir prefix(QCoreApplication::applicationDirPath() + QStringLiteral("/.."));
    const QStringList candidates = {
        prefix.absoluteFilePath(QStringLiteral(CACHESCOPE_GUIDE_INSTALL_DIR "/README.md")),
        QStringLiteral(CACHESCOPE_GUIDE_SOURCE_DIR "/README.md"),
    };
    for (const QString &file : candidates)
        if (QFileInfo(file).isFile())
            return QFileInfo(file).canonicalFilePath();
    return {};
}

} // namespace cachescope
