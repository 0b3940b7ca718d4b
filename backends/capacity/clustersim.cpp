#include "clustersim.h"

#include "tracekey.h"

namespace cachescope {

ClusterSim::ClusterSim(CachePolicy policy, SizeUnit unit, quint64 capacity, int masters, quint64 seed)
    : CacheSim(unit, capacity)
{
    masters = qMax(1, masters);
    const quint64 each = capacity == 0 ? 0 : qMax<quint64>(1, capacity / quint64(masters));
    for (int i = 0; i < masters; ++i)
        m_masters.push_back(CacheSim::create(policy, unit, each, seed + quint64(i)));
}

int ClusterSim::masterOf(quint64 key, int masters)
{
    return int((samplingHash(key) >> 40) % quint64(qMax(1, masters)));
}

bool ClusterSim::apply(const SimOp &op)
{
    begin(op);
    CacheSim &m = *m_masters[size_t(masterOf(op.key, masters()))];
    const SimStats was = m.stats();
    const bool hit = m.apply(op);
    const SimStats &now = m.stats();
    m_stats.hits += now.hits - was.hits;
    m_stats.insertions += now.insertions - was.insertions;
    m_stats.evictions += now.evictions - was.evictions;
    m_stats.expirations += now.expirations - was.expirations;
    m_stats.refused += now.refused - was.refused;
    end();
    return hit;
}

quint64 ClusterSim::used() const
{
    quint64 sum = 0;
    for (const auto &m : m_masters)
        sum += m->used();
    return sum;
}

qsizetype ClusterSim::entries() const
{
    qsizetype sum = 0;
    for (const auto &m : m_masters)
        sum += m->entries();
    return sum;
}

} // namespace cachescope
