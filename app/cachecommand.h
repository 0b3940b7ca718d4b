#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope cache --redis URL [--prefix P] | --dir DIR  get|set|add|delete|ttl|keys ...`
// Prints JSON on stdout; errors on stderr with exit 1 (2 for usage errors).
int runCacheCommand(const QStringList &args);

} // namespace cachescope
