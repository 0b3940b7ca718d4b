#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArrayView>

namespace cachescope {

// Plain JSON (as Python's json/simplejson write it) to a PyValue: object key order kept, integers
// of any size, NaN/Infinity accepted like Python's json.loads. Nesting is bounded. Errors name the
// byte offset. (ValueJson::fromJson reads CacheScope's own tagged encoding; this reads foreign JSON.)
class JsonReader
{
public:
    explicit JsonReader(int maxDepth = 512) : m_maxDepth(maxDepth) {}
    Expected<PyValue> parse(QByteArrayView text) const;

    // Cheap sniff: after whitespace, '{' or '[' and the last non-space byte closes it.
    static bool looksLikeJson(QByteArrayView data);

private:
    int m_maxDepth;
};

} // namespace cachescope
