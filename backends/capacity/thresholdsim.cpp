#include "thresholdsim.h"

#include "cache/cacheclock.h"

#include <limits>

namespace cachescope {

ThresholdSim::ThresholdSim(bool fileSystem, quint64 threshold)
    // SimpleCache: "threshold or 500"; FileSystemCache: 0 means no limit.
    : CacheSim(SizeUnit::Keys, threshold == 0 ? (fileSystem ? std::numeric_limits<quint64>::max() : 500) : threshold)
    , m_fileSystem(fileSystem)
{
}

bool ThresholdSim::alive(const Entry &e, qint64 nowMs) const
{
    if (e.expires == 0)
        return true;
    return m_fileSystem ? expiresAtOrAfter(e.expires, nowMs) : expiresAfter(e.expires, nowMs);
}

void ThresholdSim::erase(quint64 key)
{
    if (const Entry *e = m_index.find(key)) {
        m_order.erase({{e->expires, e->seq}, key});
        m_index.erase(key);
    }
}

void ThresholdSim::prune(qint64 nowMs)
{
    if (quint64(m_index.size()) <= m_capacity)
        return;
    // _remove_expired: expires < time(); SimpleCache includes expires 0, FileSystemCache not.
    const qint64 cutoff = (nowMs + 999) / 1000; // expires < now  <=>  expires < ceil(now)
    auto it = m_fileSystem ? m_order.lower_bound({{1, 0}, 0}) : m_order.begin();
    while (it != m_order.end() && it->first.first < cutoff) {
        if (m_fileSystem && it->first.first == 0) {
            ++it;
            continue;
        }
        m_index.erase(it->second);
        it = m_order.erase(it);
        ++m_stats.expirations;
    }
    // _remove_older: ascending expiry until not over the threshold.
    while (quint64(m_index.size()) > m_capacity && !m_order.empty()) {
        auto first = m_order.begin();
        m_index.erase(first->second);
        m_order.erase(first);
        ++m_stats.evictions;
    }
}

void ThresholdSim::store(const SimOp &op)
{
    prune(op.timeMs);
    // _normalize_timeout: int(time()) + timeout for a positive timeout (FileSystemCache: any
    // non-zero one), the timeout itself otherwise (0 = never; negative = already expired).
    qint64 expires = op.ttl;
    if (op.ttl > 0 || (m_fileSystem && op.ttl != 0))
        expires = wholeSeconds(op.timeMs) + op.ttl;
    bool inserted = false;
    Entry &e = m_index.findOrInsert(op.key, &inserted);
    if (inserted) {
        e.seq = m_nextSeq++;
        ++m_stats.insertions;
    } else {
        m_order.erase({{e.expires, e.seq}, op.key});
    }
    e.expires = expires;
    m_order.insert({{e.expires, e.seq}, op.key});
}

bool ThresholdSim::apply(const SimOp &op)
{
    begin(op);
    bool hit = false;
    switch (op.kind) {
    case SimKind::Read: {
        const Entry *e = m_index.find(op.key);
        if (e && alive(*e, op.timeMs)) {
            hit = true;
            ++m_stats.hits;
        } else if (!op.storable) {
            ++m_stats.refused;
        } else {
            store(op);
        }
        break;
    }
    case SimKind::Set:
        if (op.storable) {
            store(op);
        } else {
            ++m_stats.refused;
            erase(op.key);
        }
        break;
    case SimKind::Update: {
        // cachelib's inc is get + set with the default timeout; here the value changes in place.
        break;
    }
    case SimKind::Delete:
        erase(op.key);
        break;
    }
    end();
    return hit;
}

} // namespace cachescope
