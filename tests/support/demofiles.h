#pragma once

#include "python.h"

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace cachescope::test {

// The shipped demo files (resources/demo/): its knobs, with some "demo" members replaced, and the
// superset_config.py its caches are built from. Empty when a file cannot be read.
inline QByteArray demoConfigJson(const QJsonObject &demoOverrides = {})
{
    QFile file(sourcePath(QStringLiteral("resources/demo/demo-config.json")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    QJsonObject demo = root.value(QStringLiteral("demo")).toObject();
    for (auto it = demoOverrides.begin(); it != demoOverrides.end(); ++it)
        demo.insert(it.key(), it.value());
    root.insert(QStringLiteral("demo"), demo);
    return QJsonDocument(root).toJson();
}

inline QByteArray demoSupersetConfig()
{
    QFile file(sourcePath(QStringLiteral("resources/demo/superset_config.py")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace cachescope::test
