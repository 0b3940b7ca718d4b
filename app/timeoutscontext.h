#pragma once

#include "commandline.h"
#include "config/configcommandline.h"
#include "metadata/metadataconnection.h"
#include "timeouts/timeouttable.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace cachescope {

// What `timeouts`, `timeouts set` and `audit` share: the config, the metadata database (the
// --metadata-db URI, else the config's SQLALCHEMY_DATABASE_URI), and the release family
// (--superset-version, else guessed from alembic_version). Notes go to stderr, so stdout stays
// JSON lines.
struct TimeoutsContext
{
    ConfigReport report;
    TimeoutConfig config;
    std::unique_ptr<MetadataConnection> metadata; // null: no metadata database named
    QString metadataSource;                       // "--metadata-db" or "SQLALCHEMY_DATABASE_URI (file:line)"
    SupersetFamily family = SupersetFamily::Master;
    bool familyChosen = false;                    // --superset-version given
    QString familyReason;                         // what was assumed, when guessed

    struct Args
    {
        QString configFile;
        QString metadataUri;     // --metadata-db, empty when not given
        QString supersetVersion; // --superset-version, empty when not given
        ConfigCommandLine::EnvironmentArgs environment;
    };
    // The options the three commands share: --config FILE, --metadata-db URI, --superset-version
    // X.Y and the config environment options (--env, --env-file, ...).
    static void addOptions(CommandLine &cl);
    // Their values after cl.parse(); nullopt after reporting the missing --config (*status 2).
    static std::optional<Args> args(const CommandLine &cl, int *status);
    // Loads the config and names the metadata database; on failure it is reported through `cl`
    // and *status is the exit code (2 usage: an unknown --superset-version or a malformed
    // --metadata-db; 1: the config does not load, or its SQLALCHEMY_DATABASE_URI is malformed).
    static std::unique_ptr<TimeoutsContext> open(const Args &args, const CommandLine &cl, int *status);

    // Reads the snapshot and, unless --superset-version was given, guesses the family from it.
    Expected<MetadataSnapshot> snapshot();
    // Without a metadata database the family is the newest known (said in familyReason).
    void settleFamilyWithoutMetadata();
};

// The JSON line of one row (`timeouts` contract): kind, id, name, own, effective (0 → null,
// -1 kept), source, bypass, and the explanation (at, stored, pitfalls, dataset/database ids,
// dashboards).
QJsonObject timeoutRowJson(const CacheTimeoutRow &row);
QJsonObject timeoutRowJson(const TimeoutIndex &index, MetadataKind kind, int row);
// effective → JSON: 0 is "never expires" = null, every other value as is.
QJsonValue effectiveJson(qint64 effective);

// "-1", "0", "600" or "null"; nullopt in *value for null. False when it is neither.
bool parseTimeoutValue(const QString &text, std::optional<qint64> *value);

} // namespace cachescope
