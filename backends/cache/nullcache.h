#pragma once
// TEMP: stand-in until the real NullCache lands; dropped at merge.
#include "tempmemorycache.h"
namespace cachescope {
class NullCache : public TempMemoryCache
{
public:
    NullCache() : TempMemoryCache(QStringLiteral("NullCache"), QStringLiteral("—"), 0, 0) {}
protected:
    Expected<bool> doSet(const QByteArray &, const PyValue &, Timeout) override { return true; }
};
} // namespace cachescope
