#include "monitortrace.h"

#include "traceprofile.h"
#include "tracekey.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cachescope {

MonitorTraceBuilder::MonitorTraceBuilder(double windowSeconds, qsizetype maxPending)
    : m_window(qMax(0.0, windowSeconds)), m_maxPending(qMax<qsizetype>(1, maxPending)), m_sampleThreshold(shards::kModulus)
{
    m_header.source = QStringLiteral("monitor");
    m_header.exactOutcomes = false;
    m_header.note = QStringLiteral("MONITOR capture: read outcomes estimated (a write of the key within %1 s after a read "
                                   "= a miss), reads without value sizes")
                        .arg(m_window);
}

void MonitorTraceBuilder::addCache(const QByteArray &prefix, const TraceCacheInfo &info)
{
    if (m_header.caches.size() >= 32)
        return;
    m_prefixes.append({prefix, int(m_header.caches.size())});
    std::stable_sort(m_prefixes.begin(), m_prefixes.end(),
                     [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
    m_header.caches.append(info);
}

void MonitorTraceBuilder::setSampleRate(double rate)
{
    m_sampleThreshold = shards::thresholdFor(qBound(1e-6, rate, 1.0));
    m_header.sampleRate = double(m_sampleThreshold) / double(shards::kModulus);
}

TraceHeader MonitorTraceBuilder::header() const
{
    return m_header;
}

int MonitorTraceBuilder::cacheFor(const QByteArray &key, qsizetype *prefixLength) const
{
    for (const auto &[prefix, cache] : m_prefixes)
        if (key.startsWith(prefix)) {
            *prefixLength = prefix.size();
            return cache;
        }
    return -1;
}

void MonitorTraceBuilder::push(TraceRecord r)
{
    if (m_header.startMs == 0)
        m_header.startMs = r.timeMs;
    if (qsizetype(m_pending.size()) >= m_maxPending) {
        ++m_dropped;
        return;
    }
    if (isRead(r.op))
        m_lastRead.insertOrAssign(r.key ^ (quint64(r.cache) << 56), m_popped + m_pending.size());
    m_pending.push_back(r);
}

void MonitorTraceBuilder::request(TraceOp op, const QByteArray &fullKey, qint64 timeMs, quint32 valueSize, qint32 ttl)
{
    qsizetype prefixLength = 0;
    const int cache = cacheFor(fullKey, &prefixLength);
    if (cache < 0) {
        ++m_unmatched;
        return;
    }
    TraceRecord r;
    r.timeMs = timeMs;
    r.key = traceKeyHash(QByteArrayView(fullKey).sliced(prefixLength));
    if (m_sampleThreshold < shards::kModulus && shards::bucket(r.key) >= m_sampleThreshold)
        return;
    r.keySize = quint32(fullKey.size());
    r.valueSize = valueSize;
    r.ttl = ttl;
    r.op = op;
    r.cache = quint8(cache);
    if (op == TraceOp::Set || op == TraceOp::Update) {
        // A write soon after a read of the same key: that read missed (get, compute, set).
        const quint64 id = r.key ^ (quint64(r.cache) << 56);
        if (const quint64 *at = m_lastRead.find(id)) {
            if (*at >= m_popped) {
                TraceRecord &read = m_pending[size_t(*at - m_popped)];
                if (read.op == TraceOp::Get && double(timeMs - read.timeMs) <= m_window * 1000)
                    read.op = TraceOp::GetMiss;
            }
            m_lastRead.erase(id);
        }
    }
    push(r);
}

namespace {

bool is(const QByteArray &a, const char *b)
{
    return a.compare(QByteArrayView(b), Qt::CaseInsensitive) == 0;
}

quint32 size32(qsizetype n)
{
    return quint32(qMin<qint64>(n, std::numeric_limits<quint32>::max()));
}

qint32 seconds32(double s)
{
    return qint32(qBound(-1.0, std::ceil(s), double(std::numeric_limits<qint32>::max())));
}

} // namespace

void MonitorTraceBuilder::feed(const MonitorLine &line)
{
    if (line.args.isEmpty())
        return;
    ++m_commands;
    const qint64 t = qint64(std::llround(line.timestamp * 1000));
    const QByteArray &cmd = line.args[0];
    const auto &a = line.args;
    const qsizetype n = a.size();
    if (is(cmd, "GET") && n >= 2) {
        request(TraceOp::Get, a[1], t);
    } else if (is(cmd, "MGET")) {
        for (qsizetype i = 1; i < n; ++i)
            request(TraceOp::Get, a[i], t);
    } else if (is(cmd, "SET") && n >= 3) {
        qint32 ttl = 0;
        bool keep = false;
        for (qsizetype i = 3; i < n; ++i) {
            const bool hasValue = i + 1 < n;
            if (is(a[i], "EX") && hasValue)
                ttl = seconds32(a[++i].toDouble());
            else if (is(a[i], "PX") && hasValue)
                ttl = seconds32(a[++i].toDouble() / 1000.0);
            else if (is(a[i], "EXAT") && hasValue)
                ttl = seconds32(a[++i].toDouble() - line.timestamp);
            else if (is(a[i], "PXAT") && hasValue)
                ttl = seconds32(a[++i].toDouble() / 1000.0 - line.timestamp);
            else if (is(a[i], "KEEPTTL"))
                keep = true;
        }
        request(keep ? TraceOp::Update : TraceOp::Set, a[1], t, size32(a[2].size()), ttl);
    } else if ((is(cmd, "SETEX") || is(cmd, "PSETEX")) && n >= 4) {
        const double v = a[2].toDouble();
        request(TraceOp::Set, a[1], t, size32(a[3].size()), seconds32(is(cmd, "SETEX") ? v : v / 1000.0));
    } else if (is(cmd, "SETNX") && n >= 3) {
        request(TraceOp::Set, a[1], t, size32(a[2].size()), 0);
    } else if (is(cmd, "MSET") || is(cmd, "MSETNX")) {
        for (qsizetype i = 1; i + 1 < n; i += 2)
            request(TraceOp::Set, a[i], t, size32(a[i + 1].size()), 0);
    } else if (is(cmd, "DEL") || is(cmd, "UNLINK")) {
        for (qsizetype i = 1; i < n; ++i)
            request(TraceOp::Delete, a[i], t);
    } else if (is(cmd, "GETDEL") && n >= 2) {
        request(TraceOp::Get, a[1], t);
        request(TraceOp::Delete, a[1], t);
    } else if ((is(cmd, "INCR") || is(cmd, "DECR") || is(cmd, "INCRBY") || is(cmd, "DECRBY")
                || is(cmd, "INCRBYFLOAT") || is(cmd, "APPEND"))
               && n >= 2) {
        request(TraceOp::Update, a[1], t);
    } else {
        ++m_ignored;
    }
}

void MonitorTraceBuilder::takeReady(double now, TraceRecords &out)
{
    const qint64 cutoff = qint64(std::llround((now - m_window) * 1000));
    while (!m_pending.empty() && m_pending.front().timeMs < cutoff) {
        TraceRecord r = m_pending.front();
        m_pending.pop_front();
        ++m_popped;
        if (r.op == TraceOp::Get)
            r.op = TraceOp::GetHit; // no write followed within the window
        out.push_back(r);
    }
}

void MonitorTraceBuilder::finish(TraceRecords &out)
{
    for (TraceRecord r : m_pending) {
        if (r.op == TraceOp::Get)
            r.op = TraceOp::GetHit;
        out.push_back(r);
    }
    m_popped += m_pending.size();
    m_pending.clear();
    m_lastRead.clear();
}

} // namespace cachescope
