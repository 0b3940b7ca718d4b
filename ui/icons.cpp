#include "icons.h"

#include <QAction>
#include <QFile>

namespace cachescope {

namespace {
QString bundledPath(const QString &themeName)
{
    return QStringLiteral(":/icons/actions/%1.svg").arg(themeName);
}
} // namespace

QIcon applicationIcon()
{
    return QIcon(QStringLiteral(":/icons/cachescope.svg"));
}

bool hasBundledIcon(const QString &themeName)
{
    return QFile::exists(bundledPath(themeName));
}

QIcon themedIcon(const QString &themeName)
{
    return QIcon::fromTheme(themeName, QIcon(bundledPath(themeName)));
}

QKeySequence standardShortcutFallback(QKeySequence::StandardKey key)
{
    switch (key) {
    case QKeySequence::Open: return QKeySequence(Qt::CTRL | Qt::Key_O);
    case QKeySequence::Copy: return QKeySequence(Qt::CTRL | Qt::Key_C);
    case QKeySequence::Find: return QKeySequence(Qt::CTRL | Qt::Key_F);
    case QKeySequence::Refresh: return QKeySequence(Qt::Key_F5);
    case QKeySequence::Quit: return QKeySequence(Qt::CTRL | Qt::Key_Q);
    case QKeySequence::HelpContents: return QKeySequence(Qt::Key_F1);
    default: return {};
    }
}

void setStandardShortcut(QAction *action, QKeySequence::StandardKey key)
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(key);
    if (keys.isEmpty())
        keys << standardShortcutFallback(key);
    action->setShortcuts(keys);
}

} // namespace cachescope
