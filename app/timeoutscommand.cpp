#include "timeoutscommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "timeoutscontext.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace cachescope {

namespace {

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
    CommandLine cl(QStringLiteral("timeouts"),
                   QStringLiteral("Every cache purpose's default timeout, and every database, dataset and chart with its own\n"
                                  "cache_timeout, the effective timeout Superset hands to cache.set() for its chart data (0 =\n"
                                  "never expires, shown as null; -1 kept) and the link of the chain that supplied it."));
    cl.setSynopsis(QStringLiteral("--config FILE [--metadata-db URI] [--superset-version X.Y] [--json]\n"
                                  "set (--cache PURPOSE | --chart ID | --dataset ID | --database ID) (SECONDS|null) --config FILE\n"
                                  "    [--metadata-db URI] [--write] [--json]"));
    TimeoutsContext::addOptions(cl);
    cl.addJsonOption(QStringLiteral("One JSON object per line."));
    cl.addHelpSection(QStringLiteral("Commands"),
                      {{QStringLiteral("set"), QStringLiteral("change one timeout: a cache purpose's default in the config, or a "
                                                              "chart's, dataset's or database's cache_timeout (`timeouts set --help`)")}});
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    const auto ctxArgs = TimeoutsContext::args(cl, &status);
    if (!ctxArgs)
        return status;
    auto ctx = TimeoutsContext::open(*ctxArgs, cl, &status);
    if (!ctx)
        return status;
    const bool asJson = cl.isSet(QStringLiteral("json"));
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
        cl.note(ctx->familyReason);
    for (const QString &problem : ctx->config.problems)
        cl.note(problem);
    if (snapshot)
        for (const QString &w : snapshot->warnings)
            cl.note(w);

    for (const CacheTimeoutRow &row : cacheTimeoutRows(ctx->report))
        print(timeoutRowJson(row));
    if (!metadataError.isEmpty())
        return cl.fail(metadataError);
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
