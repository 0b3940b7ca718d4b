#pragma once

#include "cachesim.h"
#include "keytable.h"

#include <set>
#include <utility>

namespace cachescope {

// cachelib 0.9.0's threshold pruning (cachelib › simple.py and file.py, as Debian ships it;
// backends/cache/simplecache.h keeps the same rules for the embedded layer):
//  - a set (and so a fill after a miss) prunes BEFORE it stores, and only when the cache holds
//    more than `threshold` entries (SimpleCache: len(_cache); FileSystemCache: its file count):
//    first every expired entry goes, then, if still over, entries in ascending expiry order
//    until it is not (so up to threshold + 1 entries are held);
//  - SimpleCache counts "never expires" (expires 0) as expired when pruning (0 < now), and ranks
//    an entry alive while expires == 0 or expires > now; FileSystemCache skips expires 0 when it
//    removes expired files but ranks them first (0 sorts lowest) when removing older ones, and
//    ranks an entry alive while expires == 0 or expires >= now;
//  - expired entries stay until a prune or an overwrite; a read of one misses;
//  - expiry times are whole seconds: int(time()) + timeout.
// Ties in expiry are broken by first insertion (Python's stable sort over dict order; for
// FileSystemCache the order of os.listdir, which this cannot know). The size is the threshold:
// it counts entries whatever the unit.
class ThresholdSim : public CacheSim
{
public:
    ThresholdSim(bool fileSystem, quint64 threshold);

    bool apply(const SimOp &op) override;
    quint64 used() const override { return quint64(m_index.size()); }
    qsizetype entries() const override { return m_index.size(); }

private:
    struct Entry
    {
        qint64 expires = 0; // absolute seconds; 0 = never
        quint64 seq = 0;    // first insertion (dict order survives overwrites)
    };
    bool alive(const Entry &e, qint64 nowMs) const;
    void prune(qint64 nowMs);
    void store(const SimOp &op);
    void erase(quint64 key);

    bool m_fileSystem;
    KeyTable<Entry> m_index;
    std::set<std::pair<std::pair<qint64, quint64>, quint64>> m_order; // ((expires, seq), key)
    quint64 m_nextSeq = 1;
};

} // namespace cachescope
