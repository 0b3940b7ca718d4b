#pragma once

#include "keytable.h"
#include "tracerecord.h"

#include "monitor/monitorline.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <deque>

namespace cachescope {

// Turns a MONITOR stream into trace records, one cache per key prefix (longest prefix wins;
// keys matching none are left out). MONITOR shows commands, not replies, so a read's outcome is
// estimated the way MonitorEstimator does it: a read that a write of the same key follows within
// the window (cachelib's get, miss, compute, set) is a miss, any other read a hit; records wait
// the window for their verdict, so they come out `window` seconds late and in time order. Reads
// carry no value size (MONITOR does not show replies): the key's size is learnt from its sets.
// Keys are hashed after their prefix is removed, as the embedded capture hashes the
// application's key, and sized with it, as Redis stores them. The header says all this.
class MonitorTraceBuilder
{
public:
    explicit MonitorTraceBuilder(double windowSeconds = 5.0, qsizetype maxPending = 1'000'000);

    void addCache(const QByteArray &prefix, const TraceCacheInfo &info); // index = call order, at most 32
    void setSampleRate(double rate); // keys kept by hash
    TraceHeader header() const;

    void feed(const MonitorLine &line);
    // Appends the records whose verdict is final at server time `now` (seconds).
    void takeReady(double now, TraceRecords &out);
    void finish(TraceRecords &out); // every remaining record (pending reads count as hits)

    quint64 commands() const { return m_commands; }
    quint64 ignored() const { return m_ignored; }     // commands that are not cache requests
    quint64 unmatched() const { return m_unmatched; } // keys no prefix claims
    quint64 dropped() const { return m_dropped; }     // over maxPending

private:
    struct Pending
    {
        TraceRecord record;
    };
    int cacheFor(const QByteArray &key, qsizetype *prefixLength) const;
    void push(TraceRecord r);
    void request(TraceOp op, const QByteArray &key, qint64 timeMs, quint32 valueSize = 0, qint32 ttl = 0);

    double m_window;
    qsizetype m_maxPending;
    quint64 m_sampleThreshold;
    QList<QPair<QByteArray, int>> m_prefixes; // longest first
    TraceHeader m_header;
    std::deque<TraceRecord> m_pending;
    quint64 m_popped = 0;               // records that left m_pending so far
    KeyTable<quint64> m_lastRead;       // key -> absolute index of its newest pending read
    quint64 m_commands = 0, m_ignored = 0, m_unmatched = 0, m_dropped = 0;
};

} // namespace cachescope
