#pragma once

#include "common/atomicfile.h"
#include "common/expected.h"
#include "configloader.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace cachescope {

// One planned change of a superset_config.py: the whole file before and after (every byte outside
// the edited span identical), the diff to show first, and what the change does to each cache.
struct ConfigEdit
{
    QString path;                     // the file as named by the caller
    QString setting;                  // CACHE_DEFAULT_TIMEOUT or DATA_CACHE_CONFIG["CACHE_DEFAULT_TIMEOUT"]
    std::optional<qint64> oldValue;   // nullopt: not set in the file
    std::optional<qint64> newValue;   // nullopt: removed (the next link — CACHE_DEFAULT_TIMEOUT or Superset's default — applies)
    QString action;                   // "replace", "insert", "remove" or "none" (already so)
    int line = 0;                     // first line the change touches (1-based)
    QByteArray before;                // the file as read
    QByteArray after;                 // the file to write
    QString diff;                     // unified diff (--- a/NAME, +++ b/NAME)
    QStringList effects;              // "DATA_CACHE_CONFIG: 86400 → 600", one per cache whose default changes

    bool isNoop() const { return before == after; }
};

// Surgical, atomic write-back of a cache purpose's default timeout. Only a literal is rewritten: a
// number, arithmetic of literals, int()/float() of those, timedelta(...) of literals and its
// .total_seconds(). A value read from the environment or computed by a helper or another variable
// is refused with the name of what to change instead.
//
// Where the dict has no CACHE_DEFAULT_TIMEOUT (or only inherits one through `**BASE`, shared with
// other settings), the key is inserted into the purpose's own dict display, after its last entry, in
// the file's indentation and quote style; a top-level CACHE_DEFAULT_TIMEOUT missing from the file is
// appended at its end. `null` removes the purpose's own key (or the top-level assignment), so the
// next link of the chain applies again; it never writes `None`, which Flask-Caching would hand to
// cachelib as the backend's default timeout.
class ConfigEditor
{
public:
    // `setting`: "CACHE_DEFAULT_TIMEOUT" or a purpose as the config names it (DATA_CACHE_CONFIG,
    // FILTER_STATE_CACHE_CONFIG, RESULTS_BACKEND (its default_timeout keyword), any case).
    static Expected<ConfigEdit> planDefaultTimeout(const QString &path, const QString &setting,
                                                   std::optional<qint64> seconds, const ConfigLoader::Options &options);
    // The same on text already read (the path names the file in messages and the diff).
    static Expected<ConfigEdit> planDefaultTimeout(const QByteArray &source, const QString &path, const QString &setting,
                                                   std::optional<qint64> seconds, const ConfigLoader::Options &options);

    // Writes edit.after atomically, after checking the file still holds edit.before (refused
    // otherwise: someone changed it since the preview).
    static Expected<bool> apply(const ConfigEdit &edit, const AtomicWriteOptions &writeOptions = {});
    // The edit that restores the file as it was before `edit` (apply it to undo).
    static ConfigEdit undo(const ConfigEdit &edit);

    // A unified diff of two versions of a file (3 lines of context).
    static QString unifiedDiff(const QByteArray &before, const QByteArray &after, const QString &name);
};

} // namespace cachescope
