#pragma once

#include "pyvalue.h"

#include <QByteArrayView>

#include <optional>

namespace cachescope {

// Python's int(bytes) in base 10: optional surrounding ASCII whitespace, a sign, digits with
// single '_' between them. Ints stored as ASCII text are read this way by cachelib's Redis
// serializer (int(value)), pylibmc (PyLong_FromString) and python-memcache (int(buf)).
// nullopt when Python would raise ValueError (or past CPython's 4300-digit limit).
std::optional<PyValue> parsePythonInt(QByteArrayView text);

} // namespace cachescope
