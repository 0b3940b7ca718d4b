#pragma once

#include <QString>

namespace cachescope {

// What an alembic_version.version_num says about the Superset release that wrote a metadata
// database (METADATA.md "Which release wrote this database").
struct SupersetRelease
{
    bool known = false; // the revision is one of Superset's migrations up to the table's end
    bool head = false;  // it is the last migration of a release
    QString release;    // "4.1.0 - 4.1.2", "4.0 + migrations (a build before 4.1.0)", "unknown, newer or fork"
    QString family;     // "4.1": the release line whose behaviour to assume; empty when unknown
};

SupersetRelease supersetReleaseForRevision(const QString &revision);

} // namespace cachescope
