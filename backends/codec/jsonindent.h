#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace cachescope {

// JSON text indented for reading, `width` spaces a level. Strings, numbers and the order of
// object members are copied byte for byte (QJsonDocument would sort keys and drop a string's
// leading U+FEFF); whitespace outside strings is replaced by the layout. {} and [] stay on one
// line. The input is not validated: callers pass JSON they produced or parsed. With maxBytes
// >= 0, input past that many bytes is left out and the text ends with a line saying so.
QByteArray indentJson(QByteArrayView json, int width, qsizetype maxBytes = -1);

} // namespace cachescope
