#pragma once
// TEMP: stand-in until the real SimpleCache lands; dropped at merge.
#include "tempmemorycache.h"
namespace cachescope {
class SimpleCache : public TempMemoryCache
{
public:
    explicit SimpleCache(int threshold = 500, qint64 defaultTimeout = 300)
        : TempMemoryCache(QStringLiteral("SimpleCache"), QStringLiteral("in-process"), threshold, defaultTimeout) {}
};
} // namespace cachescope
