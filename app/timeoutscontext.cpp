#include "timeoutscontext.h"

#include <QDir>
#include <QJsonArray>

namespace cachescope {

void TimeoutsContext::addOptions(CommandLine &cl)
{
    cl.addOption(QStringLiteral("config"), QStringLiteral("FILE"), QStringLiteral("The superset_config.py (read, never run)."));
    cl.addOption(QStringLiteral("metadata-db"), QStringLiteral("URI"),
                 QStringLiteral("SQLAlchemy URI of the metadata database (sqlite, postgresql, mysql); wins over the config's "
                                "SQLALCHEMY_DATABASE_URI."));
    cl.addOption(QStringLiteral("superset-version"), QStringLiteral("X.Y"),
                 QStringLiteral("The Superset release whose rules apply: %1 (newer: the newest family). Default: guessed "
                                "from the metadata database's alembic_version.")
                     .arg(familyIds().join(QStringLiteral(", "))));
    cl.addEnvironmentOptions();
}

std::optional<TimeoutsContext::Args> TimeoutsContext::args(const CommandLine &cl, int *status)
{
    if (!cl.isSet(QStringLiteral("config"))) {
        *status = cl.usageError(QStringLiteral("missing --config FILE"));
        return std::nullopt;
    }
    Args a;
    a.configFile = cl.value(QStringLiteral("config"));
    a.metadataUri = cl.value(QStringLiteral("metadata-db"));
    a.supersetVersion = cl.value(QStringLiteral("superset-version"));
    a.environment = cl.environment();
    return a;
}

std::unique_ptr<TimeoutsContext> TimeoutsContext::open(const Args &args, const CommandLine &cl, int *status)
{
    auto usage = [&](const QString &message) {
        *status = cl.usageError(message);
        return nullptr;
    };
    auto failure = [&](const QString &message) {
        *status = cl.fail(message);
        return nullptr;
    };
    auto ctx = std::make_unique<TimeoutsContext>();
    if (!args.supersetVersion.isEmpty()) {
        const FamilyChoice choice = familyFromVersion(args.supersetVersion);
        if (!choice.error.isEmpty())
            return usage(QStringLiteral("--superset-version: %1").arg(choice.error));
        ctx->family = choice.family;
        ctx->familyChosen = true;
        ctx->familyReason = choice.note;
    }
    const auto options = args.environment.loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return usage(options.error());
    auto report = ConfigCommandLine::loadForCommand(args.configFile, *options);
    if (!report)
        return failure(report.error());
    ctx->report = std::move(*report);
    ctx->config = TimeoutConfig::fromReport(ctx->report);

    QString uriText = args.metadataUri;
    if (!uriText.isEmpty()) {
        ctx->metadataSource = QStringLiteral("--metadata-db");
    } else if (const py::ValuePtr v = ctx->report.setting(QStringLiteral("SQLALCHEMY_DATABASE_URI"))) {
        const SourceSpan span = ctx->report.settingSpan(QStringLiteral("SQLALCHEMY_DATABASE_URI"));
        if (v->kind == py::Value::Kind::Str) {
            uriText = v->s;
            ctx->metadataSource = QStringLiteral("SQLALCHEMY_DATABASE_URI (%1:%2)").arg(ctx->report.fileName).arg(span.line);
        } else {
            ctx->familyReason += QStringLiteral("%1SQLALCHEMY_DATABASE_URI (%2:%3) is not a string here (%4): no metadata "
                                                "database; pass --metadata-db URI")
                                     .arg(ctx->familyReason.isEmpty() ? QString() : QStringLiteral("; "), ctx->report.fileName)
                                     .arg(span.line)
                                     .arg(v->kind == py::Value::Kind::Unknown ? v->s : py::typeName(*v));
        }
    }
    if (!uriText.isEmpty()) {
        // A relative SQLite path: Superset resolves it against its working directory; ours is the best guess.
        auto uri = MetadataUri::parse(uriText, QDir::currentPath());
        if (!uri) {
            const QString message = QStringLiteral("%1: %2").arg(ctx->metadataSource, uri.error());
            return args.metadataUri.isEmpty() ? failure(message) : usage(message);
        }
        ctx->metadata = std::make_unique<MetadataConnection>(*uri);
    }
    return ctx;
}

Expected<MetadataSnapshot> TimeoutsContext::snapshot()
{
    if (!metadata)
        return makeError(QStringLiteral("no metadata database: give --metadata-db URI or set SQLALCHEMY_DATABASE_URI"));
    auto snap = metadata->call([](MetadataDatabase &db) -> Expected<MetadataSnapshot> {
        auto opened = db.open();
        if (!opened)
            return Error{opened.error()};
        return db.snapshot();
    });
    if (!snap)
        return snap;
    if (!familyChosen) {
        const FamilyGuess guess = familyFromAlembicRevision(snap->schema.alembicRevision);
        family = guess.family;
        familyReason = QStringLiteral("guessed Superset family %1: %2").arg(familyId(family), guess.reason);
    }
    return snap;
}

void TimeoutsContext::settleFamilyWithoutMetadata()
{
    if (familyChosen)
        return;
    family = newestFamily();
    const QString why = QStringLiteral("no metadata database to read the release from: assuming the newest family known (%1); "
                                       "pass --superset-version X.Y")
                            .arg(familyId(family));
    familyReason = familyReason.isEmpty() ? why : familyReason + QStringLiteral("; ") + why;
}

QJsonValue effectiveJson(qint64 effective)
{
    return effective == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(effective);
}

namespace {

QJsonValue optionalJson(const std::optional<qint64> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QString storedText(const TimeoutResolution &r)
{
    switch (r.stored.kind) {
    case StoredExpiry::Seconds: return QStringLiteral("expires after %1 s").arg(r.stored.seconds);
    case StoredExpiry::Never: return QStringLiteral("never expires");
    case StoredExpiry::ExpiredAtOnce: return QStringLiteral("stored already expired");
    case StoredExpiry::Rejected: return QStringLiteral("rejected by the backend");
    case StoredExpiry::NotStored: return QStringLiteral("not stored");
    case StoredExpiry::Unknown: break;
    }
    return QStringLiteral("unknown backend");
}

void explain(QJsonObject &o, const TimeoutResolution &r)
{
    o.insert(QStringLiteral("effective"), effectiveJson(r.effective));
    o.insert(QStringLiteral("source"), timeoutLinkName(r.source));
    o.insert(QStringLiteral("bypass"), r.bypass);
    if (r.at.isValid())
        o.insert(QStringLiteral("at"), r.at.toString());
    o.insert(QStringLiteral("stored"), storedText(r));
    if (!r.pitfalls.isEmpty()) {
        QJsonArray pitfalls;
        for (const auto &p : r.pitfalls)
            pitfalls.append(QJsonObject{{QStringLiteral("code"), p.code},
                                        {QStringLiteral("message"), p.message},
                                        {QStringLiteral("source"), p.citation}});
        o.insert(QStringLiteral("pitfalls"), pitfalls);
    }
}

} // namespace

QJsonObject timeoutRowJson(const CacheTimeoutRow &row)
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), QStringLiteral("cache"));
    o.insert(QStringLiteral("id"), purposeConfigName(row.purpose));
    o.insert(QStringLiteral("name"), backendTypeName(row.backend));
    o.insert(QStringLiteral("own"), optionalJson(row.own));
    o.insert(QStringLiteral("effective"), effectiveJson(row.effective));
    o.insert(QStringLiteral("source"), row.source);
    o.insert(QStringLiteral("bypass"), false);
    if (row.at.isValid())
        o.insert(QStringLiteral("at"), row.at.toString());
    o.insert(QStringLiteral("meaning"), row.meaning);
    return o;
}

QJsonObject timeoutRowJson(const TimeoutIndex &index, MetadataKind kind, int row)
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), metadataKindName(kind));
    const MetadataSnapshot &s = index.snapshot();
    switch (kind) {
    case MetadataKind::Database: {
        const DatabaseRow &db = s.databases[row];
        o.insert(QStringLiteral("id"), db.id);
        o.insert(QStringLiteral("name"), db.name);
        o.insert(QStringLiteral("own"), optionalJson(db.cacheTimeout));
        explain(o, index.resolveDatabase(row));
        break;
    }
    case MetadataKind::Dataset: {
        const DatasetRow &ds = s.datasets[row];
        o.insert(QStringLiteral("id"), ds.id);
        o.insert(QStringLiteral("name"), ds.schema.isEmpty() ? ds.tableName : ds.schema + u'.' + ds.tableName);
        o.insert(QStringLiteral("own"), optionalJson(ds.cacheTimeout));
        o.insert(QStringLiteral("database"), ds.databaseId);
        explain(o, index.resolveDataset(row));
        break;
    }
    case MetadataKind::Chart: {
        const ChartRow &c = s.charts[row];
        o.insert(QStringLiteral("id"), c.id);
        o.insert(QStringLiteral("name"), c.name);
        o.insert(QStringLiteral("own"), optionalJson(c.cacheTimeout));
        if (const DatasetRow *ds = index.datasetOf(c)) {
            o.insert(QStringLiteral("dataset"), ds->id);
            o.insert(QStringLiteral("database"), ds->databaseId);
        }
        const QStringList dashboards = index.dashboardTitles(c);
        if (!dashboards.isEmpty())
            o.insert(QStringLiteral("dashboards"), QJsonArray::fromStringList(dashboards));
        explain(o, index.resolveChart(row));
        break;
    }
    }
    return o;
}

bool parseTimeoutValue(const QString &text, std::optional<qint64> *value)
{
    if (text.compare(QStringLiteral("null"), Qt::CaseInsensitive) == 0 || text.compare(QStringLiteral("none"), Qt::CaseInsensitive) == 0) {
        value->reset();
        return true;
    }
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    if (!ok)
        return false;
    *value = n;
    return true;
}

} // namespace cachescope
