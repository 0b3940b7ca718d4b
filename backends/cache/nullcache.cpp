#include "nullcache.h"

namespace cachescope {

Expected<std::optional<PyValue>> NullCache::doGet(const QByteArray &)
{
    return std::optional<PyValue>{};
}

Expected<bool> NullCache::doSet(const QByteArray &, const PyValue &, Timeout)
{
    return true; // BaseCache.set returns True
}

Expected<bool> NullCache::doAdd(const QByteArray &, const PyValue &, Timeout)
{
    return true; // BaseCache.add returns True: the key never "already exists"
}

Expected<bool> NullCache::doRemove(const QByteArray &)
{
    return true; // BaseCache.delete returns True
}

Expected<bool> NullCache::doHas(const QByteArray &)
{
    return false; // NullCache.has overrides BaseCache's NotImplementedError
}

Expected<bool> NullCache::doClear()
{
    return true;
}

Expected<std::optional<QByteArray>> NullCache::doRawGet(const QByteArray &)
{
    return std::optional<QByteArray>{};
}

Expected<EntryTtl> NullCache::doTtl(const QByteArray &)
{
    return EntryTtl{};
}

Expected<std::optional<qint64>> NullCache::doEntrySize(const QByteArray &)
{
    return std::optional<qint64>{};
}

Expected<ScanPage> NullCache::doScan(const QByteArray &, const QByteArray &, int)
{
    return ScanPage{QByteArrayLiteral("0"), {}};
}

} // namespace cachescope
