#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope timeouts --config F [--metadata-db URI] [--superset-version X.Y] [--json]`: every
// cache purpose, database, dataset and chart with its own and effective timeout (timeoutscommand.cpp).
int runTimeoutsCommand(const QStringList &args);
// `cachescope timeouts set (--cache P | --chart ID | --dataset ID | --database ID) (SECONDS|null)
// --config F [--metadata-db URI] [--write]` (timeoutssetcommand.cpp).
int runTimeoutsSetCommand(const QStringList &args);
// `cachescope audit --config F [--metadata-db URI] [--json]` (auditcommand.cpp).
int runAuditCommand(const QStringList &args);

} // namespace cachescope
