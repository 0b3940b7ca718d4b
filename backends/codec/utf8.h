#pragma once

#include <QByteArray>

namespace cachescope::utf8 {

// Appends the UTF-8 form of a code point. Surrogates (U+D800..U+DFFF) get their 3-byte form
// instead of being refused ("surrogatepass", WTF-8): a Python str may hold lone surrogates,
// CPython's pickle writes them that way and json.loads keeps them, so the readers must too.
void appendUtf8(QByteArray &out, quint32 codepoint);

} // namespace cachescope::utf8
