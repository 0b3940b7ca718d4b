#pragma once

#include <QIcon>
#include <QKeySequence>
#include <QString>

class QAction;

namespace cachescope {

// The freedesktop application ID: the names of the installed .desktop, metainfo and icon files
// (resources/desktop/) and what Wayland/X11 match the window to its menu entry with.
inline constexpr char16_t kApplicationId[] = u"io.github.cachescope.CacheScope";

// CacheScope's own icon (resources/icons/cachescope.svg, bundled; scalable, so crisp at 200 %).
QIcon applicationIcon();

// An action icon: the desktop theme's icon named `themeName` (freedesktop icon naming spec)
// where the theme has one, else the bundled SVG resources/icons/actions/<themeName>.svg, so every
// action has an icon on any desktop (and offscreen). The fallbacks use mid-tone colours that read
// on light and dark palettes alike.
QIcon themedIcon(const QString &themeName);
// True when the bundled fallback for `themeName` exists (tests check every action has one).
bool hasBundledIcon(const QString &themeName);

// Gives `action` the platform's bindings for `key`, or the fallback where the platform has none
// (Qt's Windows scheme, used offscreen too, binds nothing to Quit): every standard action keeps a key.
void setStandardShortcut(QAction *action, QKeySequence::StandardKey key);
QKeySequence standardShortcutFallback(QKeySequence::StandardKey key);

} // namespace cachescope
