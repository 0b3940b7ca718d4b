#pragma once

#include "common/expected.h"
#include "pyast.h"

#include <QString>

#include <memory>

namespace cachescope::py {

// Recursive-descent parser for Python 3 source (statements and expressions, f-strings, all
// string prefixes). Errors are SyntaxError-like messages "line L, column C: reason".
class PyParser
{
public:
    static constexpr int kMaxDepth = 180; // nesting of expressions/blocks before "too deeply nested"
    static Expected<std::shared_ptr<Module>> parse(const QString &source, const QString &fileName = {});
    // Decodes backslash escapes of a non-raw literal body (str or bytes semantics).
    static QString decodeEscapes(const QString &body, bool bytes);
};

} // namespace cachescope::py
