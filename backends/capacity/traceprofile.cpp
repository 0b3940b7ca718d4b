#include "traceprofile.h"

#include "redismemory.h"

#include <queue>

namespace cachescope {

Expected<Sampling> Sampling::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    Sampling s;
    if (t.isEmpty() || t == u"exact")
        return s;
    if (t.startsWith(u"fixed:")) {
        bool ok = false;
        const qint64 n = t.mid(6).toLongLong(&ok);
        if (!ok || n < 16 || n > 100'000'000)
            return makeError(QStringLiteral("--sample fixed:N needs N from 16 to 100000000 keys, not '%1'").arg(text));
        s.mode = Mode::FixedSize;
        s.keys = quint64(n);
        return s;
    }
    bool ok = false;
    double rate = t.endsWith(u'%') ? t.chopped(1).toDouble(&ok) / 100.0 : t.toDouble(&ok);
    if (!ok || !(rate > 0) || rate > 1 || rate < 1.0 / double(shards::kModulus))
        return makeError(QStringLiteral("--sample takes exact, a rate in (0, 1] (at least 1/%1) or fixed:N, not '%2'")
                             .arg(shards::kModulus)
                             .arg(text));
    if (rate == 1.0)
        return s;
    s.mode = Mode::Rate;
    s.rate = rate;
    return s;
}

QString Sampling::text() const
{
    switch (mode) {
    case Mode::Exact:
        return QStringLiteral("exact");
    case Mode::Rate:
        return QString::number(rate, 'g', 6);
    case Mode::FixedSize:
        return QStringLiteral("fixed:%1").arg(keys);
    }
    return {};
}

namespace {

struct KeyFacts
{
    quint32 keySize = 0;
    quint32 valueSize = 0;
    bool sized = false;
    bool volatileKey = false;
};

} // namespace

void TraceProfile::count(const TraceRecord &r)
{
    if (records++ == 0)
        firstMs = r.timeMs;
    lastMs = qMax(lastMs, r.timeMs);
    switch (r.op) {
    case TraceOp::GetHit:
        ++outcomeHits;
        ++reads;
        break;
    case TraceOp::GetMiss:
        ++outcomeMisses;
        ++reads;
        break;
    case TraceOp::Get:
        ++reads;
        break;
    case TraceOp::Set:
        ++sets;
        hasTtl = hasTtl || r.ttl != 0;
        break;
    case TraceOp::Update:
        ++updates;
        hasUpdate = true;
        break;
    case TraceOp::Delete:
        ++deletes;
        hasDelete = true;
        break;
    }
}

Expected<TraceProfile> profileTrace(RecordSource &source, int cache, SizeUnit unit, quint64 keyBudget,
                                    quint64 fixedSizeKeys, const std::atomic_bool *cancel, quint64 keyThreshold)
{
    TraceProfile p;
    p.cache = cache;
    p.cacheName = source.header().caches.value(cache).name;
    KeyTable<KeyFacts> keys;
    quint64 threshold = qBound(quint64(1), keyThreshold, shards::kModulus); // key figures: this sample, halved over budget
    keyBudget = qMax<quint64>(keyBudget, 1024);
    double sizeSum = 0;
    quint64 sized = 0;
    // The fixed-size SHARDS threshold: the fixedSizeKeys smallest buckets among distinct keys.
    std::priority_queue<std::pair<quint64, quint64>> smallest; // (bucket, key), largest on top
    KeyTable<char> inHeap;

    auto ok = source.scan(
        [&](const TraceRecord *records, size_t count) {
            for (size_t i = 0; i < count; ++i) {
                const TraceRecord &r = records[i];
                if (r.cache != cache)
                    continue;
                p.count(r);
                if (r.valueSize > 0 && r.op != TraceOp::Delete) {
                    sizeSum += r.valueSize;
                    ++sized;
                }
                if (fixedSizeKeys == 0 && threshold < shards::kModulus && shards::bucket(r.key) >= threshold)
                    continue; // outside the key sample: counted above, nothing more to learn
                if (threshold == shards::kModulus && i + 12 < count)
                    keys.prefetch(records[i + 12].key); // a lookup is a cache miss: start the next ones early
                const quint64 bucket = shards::bucket(r.key);
                if (fixedSizeKeys > 0 && r.op != TraceOp::Delete) {
                    const bool full = quint64(smallest.size()) >= fixedSizeKeys;
                    if ((!full || bucket < smallest.top().first) && !inHeap.contains(r.key)) {
                        smallest.push({bucket, r.key});
                        inHeap.insertOrAssign(r.key, 1);
                        if (quint64(smallest.size()) > fixedSizeKeys) {
                            inHeap.erase(smallest.top().second);
                            smallest.pop();
                        }
                    }
                }
                if (bucket >= threshold)
                    continue;
                bool inserted = false;
                KeyFacts &k = keys.findOrInsert(r.key, &inserted);
                k.keySize = r.keySize;
                if (r.op == TraceOp::Set) {
                    if (k.sized && r.valueSize < k.valueSize)
                        p.hasShrink = true;
                    k.valueSize = r.valueSize;
                    k.sized = true;
                    k.volatileKey = r.ttl != 0;
                } else if (r.valueSize > 0 && r.op != TraceOp::Delete) {
                    if (k.sized && r.valueSize < k.valueSize)
                        p.hasShrink = true;
                    k.valueSize = r.valueSize;
                    k.sized = true;
                }
                if (inserted && quint64(keys.size()) > keyBudget) {
                    // Over budget: keep half the buckets, and so about half the keys.
                    while (quint64(keys.size()) > keyBudget / 2 && threshold > 1) {
                        threshold /= 2;
                        std::vector<quint64> drop;
                        keys.forEach([&](quint64 key, const KeyFacts &) {
                            if (shards::bucket(key) >= threshold)
                                drop.push_back(key);
                        });
                        for (quint64 key : drop)
                            keys.erase(key);
                    }
                }
            }
            return true;
        },
        cancel);
    if (!ok)
        return Error{ok.error()};
    if (!*ok)
        return makeError(QStringLiteral("cancelled"));

    p.meanValueSize = sized ? sizeSum / double(sized) : 0.0;
    p.keySampleRate = double(threshold) / double(shards::kModulus);
    p.uniqueEstimated = threshold < shards::kModulus;
    const quint32 mean = quint32(std::llround(p.meanValueSize));
    double bytes = 0, redisBytes = 0;
    quint64 volatileKeys = 0;
    keys.forEach([&](quint64, const KeyFacts &k) {
        const quint32 value = k.sized ? k.valueSize : mean;
        bytes += double(k.keySize) + double(value);
        redisBytes += double(redismemory::entryBytes(k.keySize, value, k.volatileKey));
        volatileKeys += k.volatileKey ? 1 : 0;
    });
    const double scale = 1.0 / p.keySampleRate;
    p.uniqueKeys = quint64(std::llround(double(keys.size()) * scale));
    p.uniqueBytes = quint64(std::llround(bytes * scale));
    switch (unit) {
    case SizeUnit::Keys:
        p.workingSet = p.uniqueKeys;
        break;
    case SizeUnit::Bytes:
        p.workingSet = p.uniqueBytes;
        break;
    case SizeUnit::RedisBytes:
        p.workingSet = quint64(std::llround(redisBytes * scale)) + redismemory::tableBytes(p.uniqueKeys)
                     + redismemory::tableBytes(quint64(std::llround(double(volatileKeys) * scale)));
        break;
    }
    if (fixedSizeKeys > 0)
        p.fixedSizeThreshold = quint64(smallest.size()) < fixedSizeKeys ? shards::kModulus
                                                                         : qMax<quint64>(1, smallest.top().first);
    return p;
}

} // namespace cachescope
