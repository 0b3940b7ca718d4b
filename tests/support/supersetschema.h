#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace cachescope::test {

// Runs one of the test scripts of tests/support with Debian's python3 (python.h):
// script is the file name, e.g. "superset_schema.py".
Expected<QByteArray> runSupportScript(const QString &script, const QStringList &args, const QByteArray &stdinData = {},
                                      int timeoutMs = 600000);

// superset_schema.py: Superset's tables of one release family ("1.4", "2.1", "4.1", "5.0") in
// the database at uri (a SQLAlchemy URI), filled with the "basic" fixture or generated rows.
Expected<QByteArray> createSupersetSchema(const QString &uri, const QString &family,
                                          const QString &fixture = QStringLiteral("basic"),
                                          const QStringList &extraArgs = {});
// What a reader of that database must see, read back through SQLAlchemy.
Expected<QJsonObject> dumpSupersetSchema(const QString &uri);
// The same for many databases in one python3 start (its imports are most of the cost):
// (uri, family) pairs with the "basic" fixture; dumps in the order of the URIs.
Expected<bool> createSupersetSchemas(const QList<QPair<QString, QString>> &databases);
Expected<QList<QJsonObject>> dumpSupersetSchemas(const QStringList &uris);
// One SQL statement through SQLAlchemy (test set-up); rows as a JSON array, or the row count.
Expected<QByteArray> runSupersetSql(const QString &uri, const QString &statement);

// superset_metastore.py, the Python port of Superset's SupersetMetastoreCache: runs ops (a JSON
// array, see the script) against the key_value table at uri and returns one result per op.
Expected<QJsonArray> runMetastorePort(const QString &uri, const QByteArray &prefix, const QString &codec,
                                      const QJsonArray &ops, const QString &hash = QStringLiteral("md5"),
                                      qint64 defaultTimeout = 300);

// The family names superset_schema.py declares.
QStringList supersetFamilies();

} // namespace cachescope::test
