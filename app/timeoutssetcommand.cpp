#include "timeoutscommand.h"

#include "clioutput.h"
#include "config/configeditor.h"
#include "timeoutscontext.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace cachescope {

namespace {

const QString kCommand = QStringLiteral("timeouts set");

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

int setCacheDefault(const QString &purpose, const std::optional<qint64> &value, const TimeoutsContext::Args &ctxArgs,
                    bool write, bool asJson)
{
    const auto options = ctxArgs.environment.loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return cli::fail(kCommand, options.error(), 2);
    const auto edit = ConfigEditor::planDefaultTimeout(ctxArgs.configFile, purpose, value, *options);
    if (!edit)
        return cli::fail(kCommand, edit.error(), 1);
    QJsonObject o{{QStringLiteral("file"), ctxArgs.configFile},
                  {QStringLiteral("setting"), edit->setting},
                  {QStringLiteral("before"), optionalJson(edit->oldValue)},
                  {QStringLiteral("after"), optionalJson(edit->newValue)},
                  {QStringLiteral("action"), edit->action},
                  {QStringLiteral("effects"), QJsonArray::fromStringList(edit->effects)},
                  {QStringLiteral("diff"), edit->diff},
                  {QStringLiteral("written"), false}};
    if (edit->isNoop()) {
        cli::fail(kCommand, QStringLiteral("%1 is already %2: nothing to change").arg(edit->setting, valueText(value)), 0);
        if (asJson)
            cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
        return 0;
    }
    if (write) {
        const auto written = ConfigEditor::apply(*edit);
        if (!written)
            return cli::fail(kCommand, written.error(), 1);
        o.insert(QStringLiteral("written"), true);
        o.insert(QStringLiteral("undo"), undoCommand(QStringLiteral("--cache ") + purpose, edit->oldValue, ctxArgs.configFile, {}));
    }
    if (asJson) {
        cli::writeLine(QJsonDocument(o).toJson(QJsonDocument::Compact));
    } else {
        cli::writeOut(edit->diff.toUtf8());
        for (const QString &e : edit->effects)
            cli::fail(kCommand, e, 0);
    }
    if (!write)
        cli::fail(kCommand, QStringLiteral("preview only: nothing written (add --write to change %1)").arg(ctxArgs.configFile), 0);
    return 0;
}

int setObjectTimeout(MetadataKind kind, qint64 id, const std::optional<qint64> &value, const TimeoutsContext::Args &ctxArgs,
                     bool write, bool asJson)
{
    int status = 0;
    QString error;
    auto ctx = TimeoutsContext::open(ctxArgs, &status, &error);
    if (!ctx)
        return cli::fail(kCommand, error, status);
    if (!ctx->metadata)
        return cli::fail(kCommand, QStringLiteral("a %1's cache_timeout lives in the metadata database: give --metadata-db URI "
                                                  "or set SQLALCHEMY_DATABASE_URI in the config")
                                       .arg(metadataKindName(kind)),
                         2);
    auto snapshot = ctx->snapshot();
    if (!snapshot)
        return cli::fail(kCommand, QStringLiteral("%1: %2").arg(ctx->metadataSource, snapshot.error()), 1);
    if (!ctx->familyReason.isEmpty())
        cli::fail(kCommand, ctx->familyReason, 0);
    if (value && (*value < -1 || *value > std::numeric_limits<qint32>::max()))
        return cli::fail(kCommand, QStringLiteral("%1 s is not a timeout Superset accepts (-1, 0 or a positive number of seconds that "
                                                  "fits its INTEGER column)")
                                       .arg(*value),
                         2);

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
        return cli::fail(kCommand, QStringLiteral("no %1 with id %2 in %3").arg(metadataKindName(kind)).arg(id).arg(ctx->metadataSource), 1);
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
            return cli::fail(kCommand, change.error(), 1);
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
        cli::fail(kCommand, QStringLiteral("%1 %2 \"%3\": own %4 → %5; effective %6 → %7; %8 chart(s) change")
                                .arg(metadataKindName(kind)).arg(id).arg(name, valueText(old), valueText(value), show(before),
                                                                            show(afterResolution)).arg(changedCharts),
                  0);
    }
    if (!write)
        cli::fail(kCommand, QStringLiteral("preview only: nothing written (add --write to run the statement in one transaction)"), 0);
    return 0;
}

} // namespace

int runTimeoutsSetCommand(const QStringList &args)
{
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
    // The value may be negative (-1): QCommandLineParser would read it as an option, so the one
    // argument that is a number or null and follows no value-taking option is taken out first.
    static const QStringList withValue = {QStringLiteral("--cache"), QStringLiteral("--chart"), QStringLiteral("--dataset"),
                                          QStringLiteral("--database"), QStringLiteral("--config"), QStringLiteral("--metadata-db"),
                                          QStringLiteral("--superset-version")};
    static const QRegularExpression number(QStringLiteral(R"(^-?\d+$)"));
    QStringList values;
    QStringList options;
    for (int i = 0; i < rest.size(); ++i) {
        if (withValue.contains(rest[i]) && i + 1 < rest.size()) {
            options << rest[i] << rest[i + 1];
            ++i;
        } else if (number.match(rest[i]).hasMatch() || (!rest[i].startsWith(u'-'))) {
            values << rest[i];
        } else {
            options << rest[i];
        }
    }
    QCommandLineParser parser;
    const QCommandLineOption cache(QStringLiteral("cache"), QStringLiteral("A cache purpose (DATA_CACHE_CONFIG, ...) or "
                                                                           "CACHE_DEFAULT_TIMEOUT: edits superset_config.py."),
                                   QStringLiteral("PURPOSE"));
    const QCommandLineOption chart(QStringLiteral("chart"), QStringLiteral("A chart's slices.cache_timeout."), QStringLiteral("ID"));
    const QCommandLineOption dataset(QStringLiteral("dataset"), QStringLiteral("A dataset's tables.cache_timeout."), QStringLiteral("ID"));
    const QCommandLineOption database(QStringLiteral("database"), QStringLiteral("A database's dbs.cache_timeout."), QStringLiteral("ID"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("The superset_config.py."), QStringLiteral("FILE"));
    const QCommandLineOption metadataDb(QStringLiteral("metadata-db"), QStringLiteral("SQLAlchemy URI of the metadata database."),
                                        QStringLiteral("URI"));
    const QCommandLineOption version(QStringLiteral("superset-version"), QStringLiteral("The Superset release whose rules apply."),
                                     QStringLiteral("X.Y"));
    const QCommandLineOption write(QStringLiteral("write"), QStringLiteral("Make the change (without it: print it, write nothing)."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({cache, chart, dataset, database, config, metadataDb, version, write, json, help});
    if (!parser.parse(QStringList{QStringLiteral("cachescope timeouts set")} + options))
        return cli::fail(kCommand, parser.errorText(), 2);
    if (parser.isSet(help)) {
        cli::writeOut("Usage: cachescope timeouts set (--cache PURPOSE | --chart ID | --dataset ID | --database ID) (SECONDS|null)\n"
                      "                               --config FILE [--metadata-db URI] [--write] [--json]\n\n"
                      "SECONDS: -1 (bypass the cache, Superset 3.0+), 0 (never expires) or a positive number; null removes\n"
                      "the own value so the next link of the chain applies. Without --write the change is printed (a diff\n"
                      "of the file, the SQL for the metadata database) and nothing is written.\n");
        cli::writeOut(parser.helpText().toUtf8());
        cli::writeOut("With --config:\n" + ConfigCommandLine::EnvironmentArgs::usage());
        return 0;
    }
    const int targets = int(parser.isSet(cache)) + int(parser.isSet(chart)) + int(parser.isSet(dataset)) + int(parser.isSet(database));
    if (targets != 1)
        return cli::fail(kCommand, QStringLiteral("give exactly one of --cache PURPOSE, --chart ID, --dataset ID or --database ID"), 2);
    if (values.size() != 1)
        return cli::fail(kCommand, QStringLiteral("give one value: SECONDS (-1, 0, 600, ...) or null"), 2);
    std::optional<qint64> value;
    if (!parseTimeoutValue(values.first(), &value))
        return cli::fail(kCommand, QStringLiteral("'%1' is not a number of seconds or null").arg(values.first()), 2);
    if (!parser.isSet(config))
        return cli::fail(kCommand, QStringLiteral("--config FILE is required"), 2);
    ctxArgs.configFile = parser.value(config);
    ctxArgs.metadataUri = parser.value(metadataDb);
    ctxArgs.supersetVersion = parser.value(version);
    if (parser.isSet(cache))
        return setCacheDefault(parser.value(cache), value, ctxArgs, parser.isSet(write), parser.isSet(json));
    const MetadataKind kind = parser.isSet(chart) ? MetadataKind::Chart : parser.isSet(dataset) ? MetadataKind::Dataset : MetadataKind::Database;
    const QString idText = parser.value(parser.isSet(chart) ? chart : parser.isSet(dataset) ? dataset : database);
    bool ok = false;
    const qint64 id = idText.toLongLong(&ok);
    if (!ok || id <= 0)
        return cli::fail(kCommand, QStringLiteral("'%1' is not a %2 id").arg(idText, metadataKindName(kind)), 2);
    return setObjectTimeout(kind, id, value, ctxArgs, parser.isSet(write), parser.isSet(json));
}

} // namespace cachescope
