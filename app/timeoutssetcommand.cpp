#include "timeoutscommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "config/configeditor.h"
#include "timeoutscontext.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace cachescope {

namespace {

QString valueText(const std::optional<qint64> &v)
{
    return v ? QString::number(*v) : QStringLiteral("null");
}

QJsonValue optionalJson(const std::optional<qint64> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonObject resolutionJson(const TimeoutResolution &r)
{
    return QJsonObject{{QStringLiteral("effective"), effectiveJson(r.effective)},
                       {QStringLiteral("source"), timeoutLinkName(r.source)},
                       {QStringLiteral("bypass"), r.bypass}};
}

// The command that puts the old value back.
QString undoCommand(const QString &target, const std::optional<qint64> &old, const QString &configFile, const QString &metadataUri)
{
    QString cmd = QStringLiteral("cachescope timeouts set %1 %2 --config %3").arg(target, valueText(old), configFile);
    if (!metadataUri.isEmpty())
        cmd += QStringLiteral(" --metadata-db '<the same URI>'");
    return cmd + QStringLiteral(" --write");
}

int setCacheDefault(const CommandLine &cl, const QString &purpose, const std::optional<qint64> &value, const TimeoutsContext::Args &ctxArgs,
                    bool write, bool asJson)
{
    const auto options = ctxArgs.environment.loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return cl.usageError(options.error());
    const auto edit = ConfigEditor::planDefaultTimeout(ctxArgs.configFile, purpose, value, *options);
    if (!edit)
        return cl.fail(edit.error());
    QJsonObject o{{QStringLiteral("file"), ctxArgs.configFile},
                  {QStringLiteral("setting"), edit->setting},
                  {QStringLiteral("before"), optionalJson(edit->oldValue)},
                  {QStringLiteral("after"), optionalJson(edit->newValue)},
                  {QStringLiteral("action"), edit->action},
                  {QStringLiteral("effects"), QJsonArray::fromStringList(edit->effects)},
                  {QStringLiteral("diff"), edit->diff},
                  {QStringLiteral("written"), false}};
    if (edit->isNoop()) {
        cl.note(QStringLiteral("%1 is already %2: nothing to change").arg(edit->setting, valueText(value)));
        if (asJson)
            cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
        return 0;
    }
    if (write) {
        const auto written = ConfigEditor::apply(*edit);
        if (!written)
            return cl.fail(written.error());
        o.insert(QStringLiteral("written"), true);
        o.insert(QStringLiteral("undo"), undoCommand(QStringLiteral("--cache ") + purpose, edit->oldValue, ctxArgs.configFile, {}));
    }
    if (asJson) {
        cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
    } else {
        cli::writeOut(edit->diff.toUtf8());
        for (const QString &e : edit->effects)
            cl.note(e);
    }
    if (!write)
        cl.note(QStringLiteral("preview only: nothing written (add --write to change %1)").arg(ctxArgs.configFile));
    return 0;
}

int setObjectTimeout(const CommandLine &cl, MetadataKind kind, qint64 id, const std::optional<qint64> &value, const TimeoutsContext::Args &ctxArgs,
                     bool write, bool asJson)
{
    int status = 0;
    auto ctx = TimeoutsContext::open(ctxArgs, cl, &status);
    if (!ctx)
        return status;
    if (!ctx->metadata)
        return cl.usageError(QStringLiteral("a %1's cache_timeout lives in the metadata database: give --metadata-db URI "
                                                  "or set SQLALCHEMY_DATABASE_URI in the config")
                                       .arg(metadataKindName(kind)));
    auto snapshot = ctx->snapshot();
    if (!snapshot)
        return cl.fail(QStringLiteral("%1: %2").arg(ctx->metadataSource, snapshot.error()));
    if (!ctx->familyReason.isEmpty())
        cl.note(ctx->familyReason);
    if (value && (*value < -1 || *value > std::numeric_limits<qint32>::max()))
        return cl.usageError(QStringLiteral("%1 s is not a timeout Superset accepts (-1, 0 or a positive number of seconds that "
                                                  "fits its INTEGER column)")
                                       .arg(*value));

    // Before and after as Superset would resolve them: the object itself and every chart it reaches.
    MetadataSnapshot after = *snapshot;
    QString name;
    std::optional<qint64> old;
    int row = -1;
    auto find = [&](auto &list) {
        for (int i = 0; i < list.size(); ++i)
            if (list[i].id == id)
                return i;
        return -1;
    };
    switch (kind) {
    case MetadataKind::Chart:
        row = find(after.charts);
        if (row >= 0) {
            name = after.charts[row].name;
            old = after.charts[row].cacheTimeout;
            after.charts[row].cacheTimeout = value;
        }
        break;
    case MetadataKind::Dataset:
        row = find(after.datasets);
        if (row >= 0) {
            name = after.datasets[row].tableName;
            old = after.datasets[row].cacheTimeout;
            after.datasets[row].cacheTimeout = value;
        }
        break;
    case MetadataKind::Database:
        row = find(after.databases);
        if (row >= 0) {
            name = after.databases[row].name;
            old = after.databases[row].cacheTimeout;
            after.databases[row].cacheTimeout = value;
        }
        break;
    }
    if (row < 0)
        return cl.fail(QStringLiteral("no %1 with id %2 in %3").arg(metadataKindName(kind)).arg(id).arg(ctx->metadataSource));
    const TimeoutIndex was(*snapshot, ctx->config, ctx->family);
    const TimeoutIndex will(after, ctx->config, ctx->family);
    auto resolveRow = [&](const TimeoutIndex &index) {
        switch (kind) {
        case MetadataKind::Chart: return index.resolveChart(row);
        case MetadataKind::Dataset: return index.resolveDataset(row);
        case MetadataKind::Database: return index.resolveDatabase(row);
        }
        return index.resolveDatabase(row);
    };
    int changedCharts = 0;
    for (int i = 0; i < after.charts.size(); ++i) {
        const auto a = was.resolveChart(i), b = will.resolveChart(i);
        if (a.effective != b.effective || a.bypass != b.bypass)
            ++changedCharts;
    }
    const TimeoutResolution before = resolveRow(was), afterResolution = resolveRow(will);
    const auto sql = ctx->metadata->call([&](MetadataDatabase &db) -> Expected<QString> { return db.cacheTimeoutSql(kind, id, value); });
    QJsonObject o{{QStringLiteral("kind"), metadataKindName(kind)},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("family"), familyId(ctx->family)},
                  {QStringLiteral("own_before"), optionalJson(old)},
                  {QStringLiteral("own_after"), optionalJson(value)},
                  {QStringLiteral("before"), resolutionJson(before)},
                  {QStringLiteral("after"), resolutionJson(afterResolution)},
                  {QStringLiteral("charts_changed"), changedCharts},
                  {QStringLiteral("sql"), sql ? *sql : QString()},
                  {QStringLiteral("written"), false}};
    if (write) {
        const auto change = ctx->metadata->call([&](MetadataDatabase &db) -> Expected<TimeoutChange> {
            auto unlocked = db.unlockWrites();
            if (!unlocked)
                return Error{unlocked.error()};
            auto changed = db.setCacheTimeout(kind, id, value);
            db.lockWrites();
            return changed;
        });
        if (!change)
            return cl.fail(change.error());
        o.insert(QStringLiteral("own_before"), optionalJson(change->before));
        o.insert(QStringLiteral("own_after"), optionalJson(change->after));
        o.insert(QStringLiteral("sql"), change->sql);
        o.insert(QStringLiteral("written"), change->written);
        o.insert(QStringLiteral("undo"), undoCommand(QStringLiteral("--%1 %2").arg(metadataKindName(kind)).arg(id), change->before,
                                                     ctxArgs.configFile, ctxArgs.metadataUri));
    }
    if (asJson) {
        cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
    } else {
        cli::writeLine(o.value(QStringLiteral("sql")).toString().toUtf8());
        auto show = [](const TimeoutResolution &r) {
            return r.effective == 0 ? QStringLiteral("never expires (%1)").arg(timeoutLinkName(r.source))
                                    : QStringLiteral("%1 (%2)%3").arg(r.effective).arg(timeoutLinkName(r.source),
                                                                                      r.bypass ? QStringLiteral(", bypass") : QString());
        };
        cl.note(QStringLiteral("%1 %2 \"%3\": own %4 → %5; effective %6 → %7; %8 chart(s) change")
                                .arg(metadataKindName(kind)).arg(id).arg(name, valueText(old), valueText(value), show(before),
                                                                            show(afterResolution)).arg(changedCharts));
    }
    if (!write)
        cl.note(QStringLiteral("preview only: nothing written (add --write to run the statement in one transaction)"));
    return 0;
}

} // namespace

int runTimeoutsSetCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("timeouts set"),
                   QStringLiteral("Changes one timeout: a cache purpose's default in superset_config.py (only where it is a\n"
                                  "literal), or a chart's, dataset's or database's cache_timeout in the metadata database (one\n"
                                  "transaction). Without --write the change is printed (a diff of the file, the SQL for the\n"
                                  "database) with the effective timeouts before and after, and nothing is written."));
    cl.setSynopsis(QStringLiteral("(--cache PURPOSE | --chart ID | --dataset ID | --database ID) (SECONDS|null) --config FILE\n"
                                  "[--metadata-db URI] [--superset-version X.Y] [--write] [--json]"));
    cl.setGroup(QStringLiteral("What to change (one of)"));
    cl.addOption(QStringLiteral("cache"), QStringLiteral("PURPOSE"),
                 QStringLiteral("A cache purpose's CACHE_DEFAULT_TIMEOUT (DATA_CACHE_CONFIG, ...), or the top-level "
                                "CACHE_DEFAULT_TIMEOUT: edits superset_config.py."));
    cl.addInteger(QStringLiteral("chart"), QStringLiteral("ID"), QStringLiteral("A chart's slices.cache_timeout."), 1);
    cl.addInteger(QStringLiteral("dataset"), QStringLiteral("ID"), QStringLiteral("A dataset's tables.cache_timeout."), 1);
    cl.addInteger(QStringLiteral("database"), QStringLiteral("ID"), QStringLiteral("A database's dbs.cache_timeout."), 1);
    cl.setGroup(QStringLiteral("Options"));
    TimeoutsContext::addOptions(cl);
    cl.addFlag(QStringLiteral("write"), QStringLiteral("Make the change (without it: print it, write nothing)."));
    cl.addJsonOption(QStringLiteral("Print one JSON object."));
    cl.addPositional(QStringLiteral("SECONDS|null"),
                     QStringLiteral("-1 (bypass the cache, Superset 3.0+), 0 (never expires), a positive number of seconds, "
                                    "or null: remove the own value so the next link of the chain applies."));
    if (const auto exit = cl.parse(args))
        return *exit;
    const QStringList kinds{QStringLiteral("cache"), QStringLiteral("chart"), QStringLiteral("dataset"), QStringLiteral("database")};
    QStringList given;
    for (const QString &k : kinds)
        if (cl.isSet(k))
            given << k;
    if (given.size() != 1)
        return cl.usageError(QStringLiteral("give exactly one of --cache PURPOSE, --chart ID, --dataset ID or --database ID"));
    std::optional<qint64> value;
    const QString valueArg = cl.positionals().first();
    if (!parseTimeoutValue(valueArg, &value))
        return cl.usageError(QStringLiteral("'%1' is not a number of seconds or null").arg(valueArg));
    int status = 0;
    const auto ctxArgs = TimeoutsContext::args(cl, &status);
    if (!ctxArgs)
        return status;
    const bool write = cl.isSet(QStringLiteral("write")), asJson = cl.isSet(QStringLiteral("json"));
    if (given.first() == u"cache")
        return setCacheDefault(cl, cl.value(QStringLiteral("cache")), value, *ctxArgs, write, asJson);
    const MetadataKind kind = given.first() == u"chart"     ? MetadataKind::Chart
                              : given.first() == u"dataset" ? MetadataKind::Dataset
                                                            : MetadataKind::Database;
    return setObjectTimeout(cl, kind, cl.integer(given.first(), 0), value, *ctxArgs, write, asJson);
}

} // namespace cachescope
