#pragma once

#include <QByteArrayView>

namespace cachescope {

// fnmatch/Redis-style glob on bytes: * (any run), ? (one byte), [abc] [a-z] [!x] [^x] sets and
// backslash escapes. Iterative with backtracking on the last *, so hostile patterns stay linear-ish.
bool globMatch(QByteArrayView pattern, QByteArrayView text);

} // namespace cachescope
