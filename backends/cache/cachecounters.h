#pragma once

#include <QtGlobal>

#include <atomic>

namespace cachescope {

// A plain copy of the counters at one moment, safe to pass between threads.
struct CacheCountersSnapshot
{
    quint64 hits = 0;
    quint64 misses = 0;
    quint64 sets = 0;
    quint64 deletes = 0;
    quint64 bytesIn = 0;  // bytes read from the backend
    quint64 bytesOut = 0; // bytes written to the backend
    quint64 errors = 0;
    quint64 operations = 0;
    quint64 timedOperations = 0; // the calls whose latency was measured (a sample of operations)
    quint64 totalLatencyNs = 0;
    quint64 maxLatencyNs = 0;

    double hitRate() const { return hits + misses ? double(hits) / double(hits + misses) : 0.0; }
    double meanLatencyUs() const
    {
        return timedOperations ? double(totalLatencyNs) / double(timedOperations) / 1000.0 : 0.0;
    }
};

// Lock-free counters every cache keeps; written by whichever thread uses the cache, read by monitors.
class CacheCounters
{
public:
    void addHits(quint64 n = 1) { m_hits.fetch_add(n, std::memory_order_relaxed); }
    void addMisses(quint64 n = 1) { m_misses.fetch_add(n, std::memory_order_relaxed); }
    void addSets(quint64 n = 1) { m_sets.fetch_add(n, std::memory_order_relaxed); }
    void addDeletes(quint64 n = 1) { m_deletes.fetch_add(n, std::memory_order_relaxed); }
    void addBytesIn(quint64 n) { m_bytesIn.fetch_add(n, std::memory_order_relaxed); }
    void addBytesOut(quint64 n) { m_bytesOut.fetch_add(n, std::memory_order_relaxed); }
    void addError() { m_errors.fetch_add(1, std::memory_order_relaxed); }
    // One application call: any call except a single-key get that succeeded (addGet counts those).
    void addOperation() { m_operations.fetch_add(1, std::memory_order_relaxed); }
    // One single-key get and its hit or miss in ONE atomic add: snapshot() counts it in both
    // `operations` and `hits`/`misses`. Every add is a locked instruction (~6 ns, and it waits
    // for pending stores); an in-process get costs ~50 ns, so a second add per get showed.
    void addGet(bool hit) { (hit ? m_getHits : m_getMisses).fetch_add(1, std::memory_order_relaxed); }
    // The latency of one timed call, which is counted by addOperation() or addGet() as well.
    void addLatency(quint64 ns)
    {
        m_timedOperations.fetch_add(1, std::memory_order_relaxed);
        m_totalLatencyNs.fetch_add(ns, std::memory_order_relaxed);
        quint64 seen = m_maxLatencyNs.load(std::memory_order_relaxed);
        while (ns > seen && !m_maxLatencyNs.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
        }
    }

    CacheCountersSnapshot snapshot() const
    {
        CacheCountersSnapshot s;
        const quint64 getHits = m_getHits.load(std::memory_order_relaxed);
        const quint64 getMisses = m_getMisses.load(std::memory_order_relaxed);
        s.hits = m_hits.load(std::memory_order_relaxed) + getHits;
        s.misses = m_misses.load(std::memory_order_relaxed) + getMisses;
        s.sets = m_sets.load(std::memory_order_relaxed);
        s.deletes = m_deletes.load(std::memory_order_relaxed);
        s.bytesIn = m_bytesIn.load(std::memory_order_relaxed);
        s.bytesOut = m_bytesOut.load(std::memory_order_relaxed);
        s.errors = m_errors.load(std::memory_order_relaxed);
        s.operations = m_operations.load(std::memory_order_relaxed) + getHits + getMisses;
        s.timedOperations = m_timedOperations.load(std::memory_order_relaxed);
        s.totalLatencyNs = m_totalLatencyNs.load(std::memory_order_relaxed);
        s.maxLatencyNs = m_maxLatencyNs.load(std::memory_order_relaxed);
        return s;
    }

private:
    std::atomic<quint64> m_hits{0}, m_misses{0}; // addHits/addMisses (get_many); single gets: addGet
    std::atomic<quint64> m_getHits{0}, m_getMisses{0}, m_sets{0}, m_deletes{0};
    std::atomic<quint64> m_bytesIn{0}, m_bytesOut{0}, m_errors{0};
    std::atomic<quint64> m_operations{0}, m_timedOperations{0}, m_totalLatencyNs{0}, m_maxLatencyNs{0};
};

} // namespace cachescope
