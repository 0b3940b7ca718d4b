#pragma once

#include <QByteArray>
#include <QString>

namespace cachescope::utf8 {

// Appends the UTF-8 form of a code point. Surrogates (U+D800..U+DFFF) get their 3-byte form
// instead of being refused ("surrogatepass", WTF-8): a Python str may hold lone surrogates,
// CPython's pickle writes them that way and json.loads keeps them, so the readers must too.
void appendUtf8(QByteArray &out, quint32 codepoint);

// UTF-8 bytes as a QString with a leading U+FEFF kept: a BOM in a cache key or a str value is
// data (Python keeps it). Qt 6.4's QString::fromUtf8, fromLocal8Bit, a default QStringDecoder,
// QTextStream and QJsonDocument::fromJson (for every string it reads) drop it, so data paths
// convert with this. Invalid sequences and encoded surrogates become U+FFFD, as with fromUtf8.
QString toString(QByteArrayView utf8);

} // namespace cachescope::utf8
