#include "timeoutscommand.h"

#include "clioutput.h"
#include "timeoutscontext.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>

namespace cachescope {

namespace {

const QString kCommand = QStringLiteral("timeouts");

QByteArray textLine(const QJsonObject &o)
{
    auto show = [](const QJsonValue &v) {
        if (v.isNull() || v.isUndefined())
            return QStringLiteral("null");
        if (v.isDouble())
            return QString::number(v.toInteger());
        if (v.isBool())
            return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        return v.toString();
    };
    QString line = QStringLiteral("%1 %2 %3: own %4, effective %5 (%6%7)")
                       .arg(o.value(QStringLiteral("kind")).toString(), show(o.value(QStringLiteral("id"))),
                            show(o.value(QStringLiteral("name"))), show(o.value(QStringLiteral("own"))),
                            o.value(QStringLiteral("effective")).isNull() ? QStringLiteral("never expires")
                                                                          : show(o.value(QStringLiteral("effective"))),
                            show(o.value(QStringLiteral("source"))),
                            o.contains(QStringLiteral("at")) ? QStringLiteral(" at ") + show(o.value(QStringLiteral("at"))) : QString());
    if (o.value(QStringLiteral("bypass")).toBool())
        line += QStringLiteral(", bypasses the cache");
    for (const auto &p : o.value(QStringLiteral("pitfalls")).toArray())
        line += QStringLiteral("\n    ! ") + p.toObject().value(QStringLiteral("message")).toString();
    return line.toUtf8();
}

} // namespace

int runTimeoutsCommand(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == u"set")
        return runTimeoutsSetCommand(args.mid(1));
    TimeoutsContext::Args ctxArgs;
    QStringList rest;
    for (int i = 0; i < args.size(); ++i) {
        QString error;
        switch (ctxArgs.environment.take(args, &i, &error)) {
        case ConfigCommandLine::EnvironmentArgs::Take::Taken: break;
        case ConfigCommandLine::EnvironmentArgs::Take::Error: return cli::fail(kCommand, error, 2);
        case ConfigCommandLine::EnvironmentArgs::Take::NotMine: rest << args[i]; break;
        }
    }
    QCommandLineParser parser;
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("The superset_config.py to read."), QStringLiteral("FILE"));
    const QCommandLineOption metadataDb(QStringLiteral("metadata-db"),
                                        QStringLiteral("SQLAlchemy URI of the metadata database (wins over the config's "
                                                       "SQLALCHEMY_DATABASE_URI)."),
                                        QStringLiteral("URI"));
    const QCommandLineOption version(QStringLiteral("superset-version"),
                                     QStringLiteral("The Superset release whose rules apply: %1 (newer: the newest). "
                                                    "Default: guessed from alembic_version.")
                                         .arg(familyIds().join(QStringLiteral(", "))),
                                     QStringLiteral("X.Y"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object per line."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({config, metadataDb, version, json, help});
    if (!parser.parse(QStringList{QStringLiteral("cachescope timeouts")} + rest))
        return cli::fail(kCommand, parser.errorText(), 2);
    if (parser.isSet(help)) {
        cli::writeOut("Usage: cachescope timeouts --config FILE [--metadata-db URI] [--superset-version X.Y] [--json]\n"
                      "       cachescope timeouts set (--cache PURPOSE | --chart ID | --dataset ID | --database ID) "
                      "(SECONDS|null) --config FILE [--metadata-db URI] [--write]\n\n"
                      "Every cache purpose's default timeout, and every database, dataset and chart with its own\n"
                      "cache_timeout, the effective timeout Superset hands to cache.set() for its chart data (0 = never\n"
                      "expires, shown as null; -1 kept) and the link of the chain that supplied it.\n");
        cli::writeOut(parser.helpText().toUtf8());
        cli::writeOut("With --config:\n" + ConfigCommandLine::EnvironmentArgs::usage());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return cli::fail(kCommand, QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()), 2);
    if (!parser.isSet(config))
        return cli::fail(kCommand, QStringLiteral("--config FILE is required"), 2);
    ctxArgs.configFile = parser.value(config);
    ctxArgs.metadataUri = parser.value(metadataDb);
    ctxArgs.supersetVersion = parser.value(version);
    int status = 0;
    QString error;
    auto ctx = TimeoutsContext::open(ctxArgs, &status, &error);
    if (!ctx)
        return cli::fail(kCommand, error, status);
    const bool asJson = parser.isSet(json);
    auto print = [&](const QJsonObject &o) {
        cli::writeLine(asJson ? QJsonDocument(o).toJson(QJsonDocument::Compact) : textLine(o));
    };

    std::optional<MetadataSnapshot> snapshot;
    QString metadataError;
    if (ctx->metadata) {
        auto snap = ctx->snapshot();
        if (snap)
            snapshot = std::move(*snap);
        else
            metadataError = QStringLiteral("%1: %2").arg(ctx->metadataSource, snap.error());
    }
    if (!snapshot)
        ctx->settleFamilyWithoutMetadata();
    if (!ctx->familyReason.isEmpty())
        cli::fail(kCommand, ctx->familyReason, 0);
    for (const QString &problem : ctx->config.problems)
        cli::fail(kCommand, problem, 0);
    if (snapshot)
        for (const QString &w : snapshot->warnings)
            cli::fail(kCommand, w, 0);

    for (const CacheTimeoutRow &row : cacheTimeoutRows(ctx->report))
        print(timeoutRowJson(row));
    if (!metadataError.isEmpty())
        return cli::fail(kCommand, metadataError, 1);
    if (!snapshot)
        return 0;
    const TimeoutIndex index(std::move(*snapshot), ctx->config, ctx->family);
    for (int i = 0; i < index.snapshot().databases.size(); ++i)
        print(timeoutRowJson(index, MetadataKind::Database, i));
    for (int i = 0; i < index.snapshot().datasets.size(); ++i)
        print(timeoutRowJson(index, MetadataKind::Dataset, i));
    for (int i = 0; i < index.snapshot().charts.size(); ++i)
        print(timeoutRowJson(index, MetadataKind::Chart, i));
    return 0;
}

} // namespace cachescope
