#pragma once

#include "cachesim.h"

#include <memory>
#include <vector>

namespace cachescope {

// A Redis Cluster replayed: every master holds the keys of its slots and evicts on its own once
// its own maxmemory is reached (redis › src/evict.c runs inside each server), so N masters of
// C / N each are not one server of C. One master can be full and evict while another has room,
// and each master's dict tables grow with its own keys (N half-empty power-of-two tables cost
// more than one). Keys go to masters by a hash of the trace's key: a trace keeps a 64-bit hash,
// not the key, so CRC16 slots cannot be computed, but Flask-Caching's RedisClusterCache uses no
// hash tag and slots spread keys as uniformly as this hash does. maxmemory is split evenly, as
// `redis-cli --cluster create` splits slots. Only the Redis policies run per master.
class ClusterSim : public CacheSim
{
public:
    ClusterSim(CachePolicy policy, SizeUnit unit, quint64 capacity, int masters, quint64 seed);

    bool apply(const SimOp &op) override;
    quint64 used() const override;
    qsizetype entries() const override;

    int masters() const { return int(m_masters.size()); }
    const CacheSim &master(int i) const { return *m_masters[size_t(i)]; }
    // The master a key lives on. Bits 40 and up of the sampling hash: SHARDS sampling keeps keys
    // by the low 24 bits and splits its sub-samples by the bits above them, and a master's share
    // must not depend on either.
    static int masterOf(quint64 key, int masters);

private:
    std::vector<std::unique_ptr<CacheSim>> m_masters;
};

} // namespace cachescope
