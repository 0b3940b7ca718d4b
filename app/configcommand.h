#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope config show FILE ...`: loads a superset_config.py without running it.
int runConfigCommand(const QStringList &args);

} // namespace cachescope
