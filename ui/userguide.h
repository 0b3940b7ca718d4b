#pragma once

#include <QString>

namespace cachescope {

// Help → User guide: the guide's start page (docs/guide/README.md). An installed CacheScope finds
// it beside its binary (PREFIX/share/cachescope/guide, installed by resources/desktop), a build
// tree in the source tree it was built from. Empty when neither exists (a moved build tree).
QString userGuideFile();

} // namespace cachescope
