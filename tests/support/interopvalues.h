#pragma once

#include "codec/pyvalue.h"

#include <QByteArray>
#include <QList>

#include <utility>

namespace cachescope::test {

// The values every interoperability test round-trips through the real Python libraries
// (RedisCache, MemcachedCache, ...): Python literals in VALUES (plus SHARED, and same(a, b) for an
// exact type-and-repr comparison) and the same values as PyValue trees, by name.
extern const char *const kInteropPythonValues;
QList<std::pair<QByteArray, PyValue>> interopValues();
// SHARED: 2000 rows of dicts whose repeated keys CPython memoizes (BINGET).
PyValue interopSharedValue();

} // namespace cachescope::test
