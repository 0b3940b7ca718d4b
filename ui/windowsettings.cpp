#include "windowsettings.h"

#include "configpage.h"
#include "mainwindow.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QUrl>
#include <QUrlQuery>

namespace cachescope::settings {

namespace {

// The layout of our keys. A file with another "format" was not written by this CacheScope.
constexpr int kFormat = 1;
constexpr int kWindowStateVersion = 1; // QMainWindow::saveState's version tag
const char kFormatKey[] = "format";
const char kGeometryKey[] = "window/geometry";
const char kStateKey[] = "window/state";
const char kPageKey[] = "window/page";
const char kPlotWindowKey[] = "hitrates/window"; // seconds, one of HitRatePage::windowChoices()
const char kStatsdListenKey[] = "sources/statsdListen";
const char kStatsdForwardKey[] = "sources/statsdForward";
const char kMonitorSecondsKey[] = "sources/monitorSeconds";
const char kSplittersGroup[] = "splitters";
const char kHeadersGroup[] = "columns";
const char kRecentKey[] = "recent/configs";
const char kConnectionsArray[] = "connections";

QString key(const char *k)
{
    return QLatin1String(k);
}

// "KeysBrowser.0/QSplitter.0": class names (namespace dropped) and the index among siblings of
// the same class, from the window down. Stable across runs because widgets are built in code in
// a fixed order; a changed layout merely misplaces sizes, restoreState rejects what cannot apply.
QString treePath(const QObject *object, const QObject *root)
{
    QStringList parts;
    for (const QObject *o = object; o && o != root; o = o->parent()) {
        const char *cls = o->metaObject()->className();
        int index = 0;
        if (const QObject *p = o->parent()) {
            for (const QObject *sibling : p->children()) {
                if (sibling == o)
                    break;
                if (qstrcmp(sibling->metaObject()->className(), cls) == 0)
                    ++index;
            }
        }
        QString name = QLatin1String(cls);
        name = name.mid(name.lastIndexOf(u':') + 1);
        parts.prepend(name + u'.' + QString::number(index));
    }
    return parts.join(u'/');
}

// A stored value that must be bytes (what saveState/saveGeometry wrote); anything else is named
// in `problems` and skipped.
std::optional<QByteArray> storedBytes(const QSettings &s, const QString &k, QStringList *problems)
{
    const QVariant v = s.value(k);
    if (!v.isValid())
        return std::nullopt;
    if (v.typeId() != QMetaType::QByteArray) {
        problems->append(QObject::tr("%1: not a saved state (a %2); ignored").arg(k, QLatin1String(v.typeName())));
        return std::nullopt;
    }
    return v.toByteArray();
}

// Column headers only: a vertical header's state is one entry per row, which changes every run.
// A view whose model arrives later (a connection's key tree) has no columns yet and is skipped.
bool hasColumns(const QHeaderView *header)
{
    return header->orientation() == Qt::Horizontal && header->count() > 0;
}

void sortLikeHeader(QHeaderView *header)
{
    // The header got its sort indicator back; a sorting view must also sort by it.
    if (auto *tree = qobject_cast<QTreeView *>(header->parent()); tree && tree->isSortingEnabled())
        tree->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    else if (auto *table = qobject_cast<QTableView *>(header->parent()); table && table->isSortingEnabled())
        table->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
}

} // namespace

QString checkFile()
{
    QString problem;
    QString fileName;
    {
        const QSettings s;
        fileName = s.fileName();
        if (s.status() == QSettings::FormatError)
            problem = QObject::tr("it is not a settings file CacheScope can read");
        else if (s.contains(key(kFormatKey)) && s.value(key(kFormatKey)).toString() != QString::number(kFormat))
            problem = QObject::tr("its format is \"%1\", not CacheScope's %2").arg(s.value(key(kFormatKey)).toString()).arg(kFormat);
        else if (s.status() == QSettings::AccessError)
            return QObject::tr("The settings file %1 cannot be read; CacheScope starts with its defaults and may not "
                               "be able to save them.").arg(fileName);
        // A readable file of ours with some values damaged is kept: restoreWindow skips those.
    }
    if (problem.isEmpty())
        return {};
    // Moved aside, not deleted: it may be another program's or a newer CacheScope's file.
    const QString aside = fileName + QStringLiteral(".corrupt-")
        + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddThhmmss"));
    if (!QFile::rename(fileName, aside))
        return QObject::tr("The settings file %1 is ignored: %2. It could not be moved aside either, so settings are not "
                           "saved this time.").arg(fileName, problem);
    return QObject::tr("The settings file %1 is ignored: %2. It was kept as %3; CacheScope starts with its defaults.")
        .arg(fileName, problem, QFileInfo(aside).fileName());
}

void saveWindow(const MainWindow &window)
{
    QSettings s;
    s.setValue(key(kFormatKey), kFormat);
    s.setValue(key(kGeometryKey), window.saveGeometry());
    s.setValue(key(kStateKey), window.saveState(kWindowStateVersion));
    s.setValue(key(kPageKey), int(window.currentPage()));
    if (const HitRatePage *hitRates = window.hitRatePage())
        s.setValue(key(kPlotWindowKey), hitRates->windowSeconds());
    // Views of pages that do not exist this run keep their stored state: only present ones are written.
    s.beginGroup(key(kSplittersGroup));
    for (const QSplitter *splitter : window.findChildren<QSplitter *>())
        s.setValue(treePath(splitter, &window), splitter->saveState());
    s.endGroup();
    s.beginGroup(key(kHeadersGroup));
    for (const QHeaderView *header : window.findChildren<QHeaderView *>())
        if (hasColumns(header))
            s.setValue(treePath(header, &window), header->saveState());
    s.endGroup();
}

QStringList restoreWindow(MainWindow &window, bool restorePage)
{
    QStringList problems;
    const QSettings s;
    if (auto geometry = storedBytes(s, key(kGeometryKey), &problems); geometry && !window.restoreGeometry(*geometry))
        problems << QObject::tr("%1: not a window geometry; ignored").arg(key(kGeometryKey));
    if (auto state = storedBytes(s, key(kStateKey), &problems); state && !window.restoreState(*state, kWindowStateVersion))
        problems << QObject::tr("%1: not a window state of this version; ignored").arg(key(kStateKey));
    for (QSplitter *splitter : window.findChildren<QSplitter *>()) {
        const QString k = key(kSplittersGroup) + u'/' + treePath(splitter, &window);
        if (auto state = storedBytes(s, k, &problems); state && !splitter->restoreState(*state))
            problems << QObject::tr("%1: not a splitter state; ignored").arg(k);
    }
    for (QHeaderView *header : window.findChildren<QHeaderView *>()) {
        if (!hasColumns(header))
            continue;
        const QString k = key(kHeadersGroup) + u'/' + treePath(header, &window);
        auto state = storedBytes(s, k, &problems);
        if (!state)
            continue;
        if (!header->restoreState(*state))
            problems << QObject::tr("%1: not a column state for this view; ignored").arg(k);
        else
            sortLikeHeader(header);
    }
    if (HitRatePage *hitRates = window.hitRatePage(); hitRates && s.contains(key(kPlotWindowKey))) {
        bool ok = false;
        const qint64 seconds = s.value(key(kPlotWindowKey)).toLongLong(&ok);
        if (ok && HitRatePage::windowChoices().contains(seconds))
            hitRates->setWindowSeconds(seconds);
        else
            problems << QObject::tr("%1: not a time window of the Hit rates page (%2); ignored")
                            .arg(key(kPlotWindowKey), s.value(key(kPlotWindowKey)).toString());
    }
    if (restorePage && s.contains(key(kPageKey))) {
        bool ok = false;
        const int page = s.value(key(kPageKey)).toInt(&ok);
        const auto p = MainWindow::Page(page);
        if (ok && window.page(p))
            window.showPage(p);
        else
            problems << QObject::tr("%1: no such page (%2); ignored").arg(key(kPageKey), s.value(key(kPageKey)).toString());
    }
    return problems;
}

SourcePreferences sourcePreferences()
{
    const QSettings s;
    SourcePreferences p;
    p.statsdListen = s.value(key(kStatsdListenKey), p.statsdListen).toString().trimmed();
    if (p.statsdListen.isEmpty())
        p.statsdListen = SourcePreferences().statsdListen;
    p.statsdForward = s.value(key(kStatsdForwardKey)).toString().trimmed();
    bool ok = false;
    const int seconds = s.value(key(kMonitorSecondsKey)).toInt(&ok);
    if (ok && seconds >= 1 && seconds <= 3600)
        p.monitorSeconds = seconds;
    return p;
}

void saveSourcePreferences(const SourcePreferences &preferences)
{
    QSettings s;
    s.setValue(key(kStatsdListenKey), preferences.statsdListen);
    s.setValue(key(kStatsdForwardKey), preferences.statsdForward);
    s.setValue(key(kMonitorSecondsKey), preferences.monitorSeconds);
}

QStringList recentConfigs()
{
    QStringList stored = QSettings().value(key(kRecentKey)).toStringList();
    // Before this list existed the Config page remembered only the last file.
    if (stored.isEmpty() && !ConfigPage::lastFile().isEmpty())
        stored << ConfigPage::lastFile();
    QStringList recent;
    for (const QString &path : std::as_const(stored))
        if (QFileInfo::exists(path) && !recent.contains(path))
            recent << path;
    return recent.mid(0, kMaxRecentConfigs);
}

void addRecentConfig(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QSettings s;
    QStringList recent = s.value(key(kRecentKey)).toStringList();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    s.setValue(key(kRecentKey), recent.mid(0, kMaxRecentConfigs));
}

QString withoutPassword(const QString &url, bool *hadPassword)
{
    QUrl u(url.trimmed());
    bool had = !u.password().isEmpty();
    u.setPassword(QString());
    if (u.userName().isEmpty())
        u.setUserInfo(QString()); // "redis://:pw@host" leaves no "@" behind
    QUrlQuery query(u);
    if (query.hasQueryItem(QStringLiteral("password"))) {
        had = true;
        query.removeAllQueryItems(QStringLiteral("password"));
        u.setQuery(query);
    }
    if (hadPassword)
        *hadPassword = had;
    return u.toString();
}

QList<SavedConnection> savedConnections()
{
    QSettings s;
    QList<SavedConnection> result;
    const int n = s.beginReadArray(key(kConnectionsArray));
    for (int i = 0; i < n && result.size() < kMaxSavedConnections; ++i) {
        s.setArrayIndex(i);
        SavedConnection c;
        // Stored without a password; strip again in case the file was edited by hand.
        c.url = withoutPassword(s.value(QStringLiteral("url")).toString(), &c.needsPassword);
        c.needsPassword = c.needsPassword || s.value(QStringLiteral("needsPassword")).toBool();
        c.prefix = s.value(QStringLiteral("prefix")).toByteArray();
        if (!c.url.isEmpty())
            result << c;
    }
    s.endArray();
    return result;
}

void saveConnection(const QString &url, const QByteArray &prefix)
{
    SavedConnection added;
    added.url = withoutPassword(url, &added.needsPassword);
    added.prefix = prefix;
    QList<SavedConnection> all = savedConnections();
    all.removeIf([&](const SavedConnection &c) { return c.url == added.url && c.prefix == added.prefix; });
    all.prepend(added);
    QSettings s;
    s.remove(key(kConnectionsArray));
    s.beginWriteArray(key(kConnectionsArray));
    for (int i = 0; i < all.size() && i < kMaxSavedConnections; ++i) {
        s.setArrayIndex(i);
        s.setValue(QStringLiteral("url"), all[i].url);
        s.setValue(QStringLiteral("prefix"), all[i].prefix);
        s.setValue(QStringLiteral("needsPassword"), all[i].needsPassword);
    }
    s.endArray();
}

} // namespace cachescope::settings
