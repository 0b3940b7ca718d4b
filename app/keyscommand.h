#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope keys (--redis URL [--prefix P] | --dir DIR | --config FILE --cache PURPOSE [--env K=V]...)
// [--match GLOB] [--limit N] [--meta] [--json]`: streams the keys of one cache as stored (SCAN,
// deduplicated), one per line, or one JSON object per line with --json (with type, ttl_ms and size
// when --meta is given).
int runKeysCommand(const QStringList &args);

} // namespace cachescope
