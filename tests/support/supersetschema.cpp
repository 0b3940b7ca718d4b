#include "supersetschema.h"

#include "python.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cachescope::test {

Expected<QByteArray> runSupportScript(const QString &script, const QStringList &args, const QByteArray &stdinData,
                                      int timeoutMs)
{
    // runpy keeps the script a plain file (readable, runnable by hand) while runPython stays the
    // one way tests start python3.
    const QString path = sourcePath(QStringLiteral("tests/support/") + script);
    const QString runner = QStringLiteral("import runpy, sys\nsys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n");
    return runPython(runner, QStringList{path} + args, stdinData, timeoutMs);
}

Expected<QByteArray> createSupersetSchema(const QString &uri, const QString &family, const QString &fixture,
                                          const QStringList &extraArgs)
{
    return runSupportScript(QStringLiteral("superset_schema.py"),
                            QStringList{QStringLiteral("create"), uri, QStringLiteral("--family"), family,
                                        QStringLiteral("--fixture"), fixture}
                                + extraArgs);
}

Expected<QJsonObject> dumpSupersetSchema(const QString &uri)
{
    auto out = runSupportScript(QStringLiteral("superset_schema.py"), {QStringLiteral("dump"), uri});
    if (!out)
        return Error{out.error()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(*out, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(QStringLiteral("superset_schema.py dump: not JSON: %1").arg(pe.errorString()));
    return doc.object();
}

Expected<bool> createSupersetSchemas(const QList<QPair<QString, QString>> &databases)
{
    QJsonArray items;
    for (const auto &[uri, family] : databases)
        items.append(QJsonObject{{QStringLiteral("uri"), uri}, {QStringLiteral("family"), family}});
    auto out = runSupportScript(QStringLiteral("superset_schema.py"), {QStringLiteral("create-many")},
                                QJsonDocument(items).toJson(QJsonDocument::Compact));
    if (!out)
        return Error{out.error()};
    return true;
}

Expected<QList<QJsonObject>> dumpSupersetSchemas(const QStringList &uris)
{
    auto out = runSupportScript(QStringLiteral("superset_schema.py"), {QStringLiteral("dump-many")},
                                QJsonDocument(QJsonArray::fromStringList(uris)).toJson(QJsonDocument::Compact));
    if (!out)
        return Error{out.error()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(*out, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != uris.size())
        return makeError(QStringLiteral("superset_schema.py dump-many: unexpected output: %1").arg(pe.errorString()));
    QList<QJsonObject> dumps;
    for (const QJsonValue &v : doc.array())
        dumps.append(v.toObject());
    return dumps;
}

Expected<QByteArray> runSupersetSql(const QString &uri, const QString &statement)
{
    return runSupportScript(QStringLiteral("superset_schema.py"), {QStringLiteral("sql"), uri, statement});
}

Expected<QJsonArray> runMetastorePort(const QString &uri, const QByteArray &prefix, const QString &codec,
                                      const QJsonArray &ops, const QString &hash, qint64 defaultTimeout)
{
    auto out = runSupportScript(QStringLiteral("superset_metastore.py"),
                                {uri, QStringLiteral("--prefix"), QString::fromUtf8(prefix), QStringLiteral("--codec"), codec,
                                 QStringLiteral("--hash"), hash, QStringLiteral("--default-timeout"),
                                 QString::number(defaultTimeout)},
                                QJsonDocument(ops).toJson(QJsonDocument::Compact));
    if (!out)
        return Error{out.error()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(*out, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isArray())
        return makeError(QStringLiteral("superset_metastore.py: not a JSON array: %1").arg(pe.errorString()));
    return doc.array();
}

QStringList supersetFamilies()
{
    return {QStringLiteral("1.4"), QStringLiteral("2.1"), QStringLiteral("4.1"), QStringLiteral("5.0")};
}

} // namespace cachescope::test
