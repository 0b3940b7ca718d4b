#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope decode (--input FILE | --redis URL [--prefix P] KEY | --dir DIR KEY) [--as KIND[,KIND...]]
//  [--json] [--rows N] [--max-bytes N]`: peels every layer of one cache entry and prints the layers
// and the final value. Exit 0 on success, 1 on malformed input (located message), 2 on usage errors.
int runDecodeCommand(const QStringList &args);

} // namespace cachescope
