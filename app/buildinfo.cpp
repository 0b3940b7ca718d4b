#include "buildinfo.h"

#include <hiredis/hiredis.h>
#include <msgpack/version.hpp>

#include <QtGlobal>

#ifndef CACHESCOPE_VERSION
#error "CACHESCOPE_VERSION comes from the project's VERSION (app/CMakeLists.txt)"
#endif

namespace cachescope {

namespace {

QString compiler()
{
#if defined(__clang__)
    return QStringLiteral("Clang %1.%2.%3").arg(__clang_major__).arg(__clang_minor__).arg(__clang_patchlevel__);
#elif defined(__GNUC__)
    return QStringLiteral("GCC %1.%2.%3").arg(__GNUC__).arg(__GNUC_MINOR__).arg(__GNUC_PATCHLEVEL__);
#else
    return QStringLiteral("unknown compiler");
#endif
}

} // namespace

QString applicationVersion()
{
    return QStringLiteral(CACHESCOPE_VERSION);
}

QList<QPair<QString, QString>> componentVersions()
{
    // hiredis and msgpack-c have no run-time version call: these are the headers built against
    // (Debian's packages pin the run-time hiredis to the same soname).
    const QString qtRuntime = QString::fromLatin1(qVersion());
    const QString qtBuilt = QStringLiteral(QT_VERSION_STR);
    return {
        {QStringLiteral("Qt"), qtRuntime == qtBuilt ? qtRuntime : QStringLiteral("%1 (built with %2)").arg(qtRuntime, qtBuilt)},
        {QStringLiteral("hiredis"), QStringLiteral("%1.%2.%3").arg(HIREDIS_MAJOR).arg(HIREDIS_MINOR).arg(HIREDIS_PATCH)},
        {QStringLiteral("msgpack-c"), QStringLiteral(MSGPACK_VERSION)},
        {QStringLiteral("Compiler"), compiler()},
        {QStringLiteral("Build"), QStringLiteral("%1, C++%2").arg(QStringLiteral(CACHESCOPE_BUILD_TYPE)).arg(__cplusplus / 100 % 100)},
    };
}

QString versionText()
{
    QString text = QStringLiteral("cachescope %1\n").arg(applicationVersion());
    for (const auto &[name, version] : componentVersions())
        text += name + QStringLiteral(" ") + version + u'\n';
    return text;
}

} // namespace cachescope
