#include "cachesim.h"

#include "clustersim.h"
#include "listsim.h"
#include "redismemory.h"
#include "redissim.h"
#include "thresholdsim.h"

namespace cachescope {

namespace {

struct PolicyName
{
    CachePolicy policy;
    const char *name;
};
constexpr PolicyName kPolicies[] = {
    {CachePolicy::Lru, "lru"},
    {CachePolicy::Fifo, "fifo"},
    {CachePolicy::RedisAllKeysLru, "redis-lru"},
    {CachePolicy::RedisAllKeysLfu, "redis-lfu"},
    {CachePolicy::RedisVolatileLru, "redis-volatile-lru"},
    {CachePolicy::RedisVolatileLfu, "redis-volatile-lfu"},
    {CachePolicy::SimpleThreshold, "simple-threshold"},
    {CachePolicy::FileSystemThreshold, "filesystem-threshold"},
};

} // namespace

QString policyName(CachePolicy policy)
{
    for (const PolicyName &p : kPolicies)
        if (p.policy == policy)
            return QLatin1String(p.name);
    return {};
}

std::optional<CachePolicy> policyFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (const PolicyName &p : kPolicies)
        if (n == QLatin1String(p.name))
            return p.policy;
    // Redis's own spellings.
    if (n == u"allkeys-lru")
        return CachePolicy::RedisAllKeysLru;
    if (n == u"allkeys-lfu")
        return CachePolicy::RedisAllKeysLfu;
    if (n == u"volatile-lru")
        return CachePolicy::RedisVolatileLru;
    if (n == u"volatile-lfu")
        return CachePolicy::RedisVolatileLfu;
    return std::nullopt;
}

QStringList policyNames()
{
    QStringList names;
    for (const PolicyName &p : kPolicies)
        names << QLatin1String(p.name);
    return names;
}

bool isRedisPolicy(CachePolicy policy)
{
    return policy == CachePolicy::RedisAllKeysLru || policy == CachePolicy::RedisAllKeysLfu
        || policy == CachePolicy::RedisVolatileLru || policy == CachePolicy::RedisVolatileLfu;
}

bool isThresholdPolicy(CachePolicy policy)
{
    return policy == CachePolicy::SimpleThreshold || policy == CachePolicy::FileSystemThreshold;
}

QString sizeUnitName(SizeUnit unit)
{
    switch (unit) {
    case SizeUnit::Keys:
        return QStringLiteral("keys");
    case SizeUnit::Bytes:
        return QStringLiteral("bytes");
    case SizeUnit::RedisBytes:
        return QStringLiteral("redis-bytes");
    }
    return {};
}

std::optional<SizeUnit> sizeUnitFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"keys")
        return SizeUnit::Keys;
    if (n == u"bytes")
        return SizeUnit::Bytes;
    if (n == u"redis-bytes")
        return SizeUnit::RedisBytes;
    return std::nullopt;
}

quint64 CacheSim::charge(quint32 keySize, quint32 valueSize, bool hasTtl) const
{
    switch (m_unit) {
    case SizeUnit::Keys:
        return 1;
    case SizeUnit::Bytes:
        return quint64(keySize) + valueSize;
    case SizeUnit::RedisBytes:
        return redismemory::entryBytes(keySize, valueSize, hasTtl);
    }
    return 1;
}

std::unique_ptr<CacheSim> CacheSim::create(CachePolicy policy, SizeUnit unit, quint64 capacity, quint64 seed, int masters)
{
    if (masters > 1 && isRedisPolicy(policy))
        return std::make_unique<ClusterSim>(policy, unit, capacity, masters, seed);
    switch (policy) {
    case CachePolicy::Lru:
        return std::make_unique<ListSim>(true, unit, capacity);
    case CachePolicy::Fifo:
        return std::make_unique<ListSim>(false, unit, capacity);
    case CachePolicy::RedisAllKeysLru:
        return std::make_unique<RedisSim>(false, false, unit, capacity, seed);
    case CachePolicy::RedisAllKeysLfu:
        return std::make_unique<RedisSim>(true, false, unit, capacity, seed);
    case CachePolicy::RedisVolatileLru:
        return std::make_unique<RedisSim>(false, true, unit, capacity, seed);
    case CachePolicy::RedisVolatileLfu:
        return std::make_unique<RedisSim>(true, true, unit, capacity, seed);
    case CachePolicy::SimpleThreshold:
        return std::make_unique<ThresholdSim>(false, capacity);
    case CachePolicy::FileSystemThreshold:
        return std::make_unique<ThresholdSim>(true, capacity);
    }
    return nullptr;
}

} // namespace cachescope
