#pragma once

#include <QDialog>
#include <QList>
#include <QPair>
#include <QString>

namespace cachescope {

// Help → About CacheScope: the icon, the version, what the application is for, and the versions
// of what it was built with (Qt, hiredis, msgpack-c, compiler, build type), with a button that
// copies them for a bug report.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    AboutDialog(const QString &version, const QList<QPair<QString, QString>> &components, QWidget *parent = nullptr);

    // "CacheScope 0.1.0\nQt 6.4.2\n...": what the copy button puts on the clipboard.
    QString versionsText() const;

private:
    QString m_version;
    QList<QPair<QString, QString>> m_components;
};

} // namespace cachescope
