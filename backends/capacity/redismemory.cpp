#include "redismemory.h"

namespace cachescope::redismemory {

quint64 jemallocSize(quint64 n)
{
    if (n <= 8)
        return 8;
    if (n <= 128)
        return (n + 15) & ~quint64(15);
    // Four size classes per doubling: 160, 192, 224, 256, 320, ... (small, large and huge alike).
    quint64 power = 128;
    while (power * 2 < n)
        power *= 2;
    const quint64 step = power / 4;
    return (n + step - 1) / step * step;
}

quint64 sdsAllocation(quint64 length, bool keyCopy)
{
    // sdsReqType (sds.c): TYPE_5 below 32 bytes, which sdsnewlen keeps for a key copy; a string
    // value object is created with TYPE_8 at least (createRawStringObject -> sdsnewlen of >= 45 bytes).
    quint64 header = 9;
    if (length < 32 && keyCopy)
        header = 1;
    else if (length < 256)
        header = 3;
    else if (length < 65536)
        header = 5;
    return jemallocSize(header + length + 1);
}

quint64 entryBytes(quint64 keySize, quint64 valueSize, bool hasTtl)
{
    constexpr quint64 kDictEntry = 32; // sizeof(dictEntry) 24 in jemalloc's 32 class
    constexpr quint64 kRobj = 16;
    const quint64 key = sdsAllocation(keySize, true);
    const quint64 value = valueSize <= 44 ? jemallocSize(kRobj + 3 + valueSize + 1) : kRobj + sdsAllocation(valueSize, false);
    return kDictEntry + key + value + (hasTtl ? kDictEntry : 0);
}

quint64 memoryUsageReport(quint64 keySize, quint64 valueSize)
{
    return entryBytes(keySize, valueSize, false) - 8;
}

quint64 tableBytes(quint64 keys)
{
    if (keys == 0)
        return 0;
    quint64 buckets = 4; // DICT_HT_INITIAL_SIZE
    while (buckets < keys)
        buckets *= 2;
    return buckets * 8;
}

} // namespace cachescope::redismemory
