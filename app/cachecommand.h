#pragma once
// TEMP: stand-in until the real CLI lands; dropped at merge.
#include <QStringList>
namespace cachescope {
int runCacheCommand(const QStringList &args);
} // namespace cachescope
