#pragma once

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <QVariant>

namespace cachescope {

// How models draw a value kept from before its server went away (Keys tree, Overview server
// columns): the disabled text colour, and italics where a cell is read closely. Models also run
// without a GUI application (headless tests), where a plain grey stands in and no font is made.
// qGuiApp is a plain cast of QCoreApplication::instance(): a QCoreApplication passes it.
inline bool haveGuiApplication()
{
    return qobject_cast<QGuiApplication *>(QCoreApplication::instance()) != nullptr;
}

inline QVariant staleForeground()
{
    if (!haveGuiApplication())
        return QBrush(Qt::gray);
    return QBrush(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
}

inline QVariant staleFont()
{
    if (!haveGuiApplication())
        return {};
    QFont italic;
    italic.setItalic(true);
    return italic;
}

} // namespace cachescope
