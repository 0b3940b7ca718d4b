#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace cachescope {

class MainWindow;

// What CacheScope remembers per user between runs, in QSettings (on Linux
// ~/.config/CacheScope/cachescope.conf): the window's geometry and state, every splitter's sizes
// and every item view's columns (widths, order, sort), the last page, the recent configs and the
// saved Redis connections (URL and prefix, never a password).
namespace settings {

// Checks the settings file before anything reads it. A file QSettings cannot parse, or one whose
// "format" is not ours (another program's, a newer CacheScope's), is renamed NAME.corrupt-<time>
// (nothing is lost) and CacheScope starts from defaults. Returns the message to show the user,
// empty when the file was fine or absent.
QString checkFile();

// Splitters and header views are keyed by their place in the widget tree (class names and
// indexes among same-class siblings, e.g. "KeysBrowser/QSplitter.0"), so pages need no object
// names and a page that another engineer adds is remembered too.
void saveWindow(const MainWindow &window);
// Restores what saveWindow wrote, the last page only when `restorePage` (the command line's
// --page and a config's Config page win). Returns one line per stored value that could not be
// applied (a foreign or damaged value); such values are skipped, never crash.
QStringList restoreWindow(MainWindow &window, bool restorePage);

// What the Sources menu's dialogs offer next time: the last statsd listen and forward addresses
// and the last MONITOR time box the user entered.
struct SourcePreferences
{
    QString statsdListen = QStringLiteral("127.0.0.1:8125");
    QString statsdForward;     // empty: do not forward
    int monitorSeconds = 30;   // 1..3600
};
// Defaults for values missing or out of range.
SourcePreferences sourcePreferences();
void saveSourcePreferences(const SourcePreferences &preferences);

inline constexpr int kMaxRecentConfigs = 10;
// Most recent first; files that no longer exist are left out.
QStringList recentConfigs();
void addRecentConfig(const QString &path);

struct SavedConnection
{
    QString url;       // the Redis URL with its password removed
    QByteArray prefix; // the key prefix it was opened with
    bool needsPassword = false; // it had one: ask for it when reconnecting
};
inline constexpr int kMaxSavedConnections = 10;
// Most recent first.
QList<SavedConnection> savedConnections();
// Remembers a connection; a password in `url` (user:PASSWORD@ or ?password=) is dropped first.
void saveConnection(const QString &url, const QByteArray &prefix);
// `url` without its password, and whether it had one.
QString withoutPassword(const QString &url, bool *hadPassword = nullptr);

} // namespace settings
} // namespace cachescope
