#pragma once

#include "common/expected.h"
#include "codec/pyvalue.h"

#include <QByteArray>

#include <optional>

namespace cachescope {

// cachelib BaseCache.inc computes `(self.get(key) or 0) + delta`: any falsy value (None, False,
// 0, 0.0, "", b"", empty containers) counts as 0, True as 1, an int as itself. Python would
// produce a float for a truthy float and raise TypeError for anything else; both become errors
// here (the result must be an int), as does int64 overflow.
Expected<qint64> pythonIncrement(const QByteArray &key, const std::optional<PyValue> &current, qint64 delta);

} // namespace cachescope
