#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArray>

namespace cachescope {

// Python's json.dumps(value) text, byte for byte, for the values JSON can hold: ", " and ": "
// separators, ensure_ascii (non-ASCII as \uXXXX, astral characters as surrogate pairs), floats
// as repr() writes them, tuples as arrays, dict keys that are int/float/bool/None turned into
// strings as json.dumps does. Used where Superset writes json.dumps output that CacheScope must
// reproduce (the metastore cache's JsonKeyValueCodec, SQL Lab's JSON results payload).
namespace PythonJson {

enum class NonFinite {
    Literal, // json.dumps(allow_nan=True): NaN, Infinity, -Infinity
    Null,    // simplejson's ignore_nan=True: null
};

// An error names the first value JSON cannot hold ("Object of type bytes is not JSON
// serializable", as Python's TypeError says).
Expected<QByteArray> dumps(const PyValue &value, NonFinite nonFinite = NonFinite::Literal);

// float.__repr__: the shortest text that reads back as d, fixed notation for exponents -4..15.
QByteArray floatRepr(double d);

} // namespace PythonJson

} // namespace cachescope
