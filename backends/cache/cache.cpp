#include "cache.h"

#include <QElapsedTimer>

namespace cachescope {

namespace {

// Counts one public call, times a sample of them and counts an error when it failed. Reading
// a clock costs ~80 ns under KVM (measured: vDSO clock_gettime), as much as a whole in-process
// SimpleCache call, so only one call in kLatencySampleEvery per thread is timed; calls to a
// remote backend take microseconds or more, where the sample is as good as timing all.
constexpr unsigned kLatencySampleEvery = 16;
thread_local unsigned t_callsSinceSample = 0;

class CallMeter
{
public:
    explicit CallMeter(CacheCounters &counters)
        : m_counters(counters), m_timed(++t_callsSinceSample >= kLatencySampleEvery)
    {
        if (m_timed) {
            t_callsSinceSample = 0;
            m_timer.start();
        }
    }
    ~CallMeter()
    {
        if (m_timed)
            m_counters.addLatency(quint64(m_timer.nsecsElapsed()));
        if (!m_counted)
            m_counters.addOperation();
    }

    // A get that answered is counted with its hit or miss in one atomic add (CacheCounters::addGet).
    void countGet(bool hit)
    {
        m_counters.addGet(hit);
        m_counted = true;
    }

    // Counts a failure; the caller returns `result` itself so it is constructed in place (NRVO)
    // instead of moved through here twice.
    template<typename T>
    void check(const Expected<T> &result)
    {
        if (!result)
            m_counters.addError();
    }

private:
    CacheCounters &m_counters;
    bool m_timed;
    bool m_counted = false;
    QElapsedTimer m_timer;
};

} // namespace

Expected<std::optional<PyValue>> Cache::get(const QByteArray &key)
{
    CallMeter meter(m_counters);
    auto result = doGet(key);
    if (result) {
        meter.countGet(result->has_value());
        notify(result->has_value() ? CacheObserver::Call::GetHit : CacheObserver::Call::GetMiss, key,
               result->has_value() ? &**result : nullptr);
    }
    meter.check(result);
    return result;
}

Expected<bool> Cache::set(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    if (!isWritable())
        return readOnlyError("set");
    CallMeter meter(m_counters);
    auto result = doSet(key, value, timeout);
    if (result && *result) {
        m_counters.addSets();
        notify(CacheObserver::Call::Set, key, &value, normalizeTimeout(timeout));
    }
    meter.check(result);
    return result;
}

Expected<bool> Cache::add(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    if (!isWritable())
        return readOnlyError("add");
    CallMeter meter(m_counters);
    auto result = doAdd(key, value, timeout);
    if (result && *result) {
        m_counters.addSets();
        notify(CacheObserver::Call::Set, key, &value, normalizeTimeout(timeout));
    }
    meter.check(result);
    return result;
}

Expected<bool> Cache::remove(const QByteArray &key)
{
    if (!isWritable())
        return readOnlyError("delete");
    CallMeter meter(m_counters);
    auto result = doRemove(key);
    if (result && *result) {
        m_counters.addDeletes();
        notify(CacheObserver::Call::Delete, key, nullptr);
    }
    meter.check(result);
    return result;
}

Expected<QList<QByteArray>> Cache::removeMany(const QList<QByteArray> &keys)
{
    if (!isWritable())
        return readOnlyError("delete_many");
    CallMeter meter(m_counters);
    auto result = doRemoveMany(keys);
    if (result) {
        m_counters.addDeletes(quint64(result->size()));
        for (const QByteArray &key : std::as_const(*result))
            notify(CacheObserver::Call::Delete, key, nullptr);
    }
    meter.check(result);
    return result;
}

Expected<bool> Cache::has(const QByteArray &key)
{
    CallMeter meter(m_counters);
    auto result = doHas(key);
    meter.check(result);
    return result;
}

Expected<bool> Cache::clear()
{
    if (!isWritable())
        return readOnlyError("clear");
    CallMeter meter(m_counters);
    auto result = doClear();
    meter.check(result);
    return result;
}

Expected<QList<std::optional<PyValue>>> Cache::getMany(const QList<QByteArray> &keys)
{
    CallMeter meter(m_counters);
    auto result = doGetMany(keys);
    if (result) {
        for (const auto &v : *result)
            v.has_value() ? m_counters.addHits() : m_counters.addMisses();
        for (qsizetype i = 0; i < result->size() && i < keys.size(); ++i)
            notify((*result)[i].has_value() ? CacheObserver::Call::GetHit : CacheObserver::Call::GetMiss, keys[i],
                   (*result)[i].has_value() ? &*(*result)[i] : nullptr);
    }
    meter.check(result);
    return result;
}

Expected<QList<QByteArray>> Cache::setMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout)
{
    if (!isWritable())
        return readOnlyError("set_many");
    CallMeter meter(m_counters);
    auto result = doSetMany(items, timeout);
    if (result) {
        m_counters.addSets(quint64(result->size()));
        if (observer()) {
            // The written keys come back in item order: walk both once.
            qsizetype w = 0;
            for (const auto &[key, value] : items)
                if (w < result->size() && (*result)[w] == key) {
                    notify(CacheObserver::Call::Set, key, &value, normalizeTimeout(timeout));
                    ++w;
                }
        }
    }
    meter.check(result);
    return result;
}

Expected<std::optional<qint64>> Cache::inc(const QByteArray &key, qint64 delta)
{
    if (!isWritable())
        return readOnlyError("inc");
    CallMeter meter(m_counters);
    auto result = doInc(key, delta);
    if (result && result->has_value()) {
        m_counters.addSets();
        notify(CacheObserver::Call::Update, key, nullptr);
    }
    meter.check(result);
    return result;
}

Expected<std::optional<QByteArray>> Cache::rawGet(const QByteArray &key)
{
    return doRawGet(key); // inspection is not application traffic: not counted
}

Expected<EntryTtl> Cache::ttl(const QByteArray &key)
{
    return doTtl(key);
}

Expected<std::optional<qint64>> Cache::entrySize(const QByteArray &key)
{
    return doEntrySize(key);
}

Expected<ScanPage> Cache::scan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    return doScan(cursor, glob, count);
}

Error Cache::readOnlyError(const char *operation) const
{
    return makeError(QStringLiteral("%1 refused: %2 at %3 is open read-only (enable writes for this connection first)")
                         .arg(QLatin1String(operation), backendName(), location()));
}

// Defaults follow cachelib's BaseCache: many-key calls loop over the single-key ones.

Expected<QList<QByteArray>> Cache::doRemoveMany(const QList<QByteArray> &keys)
{
    QList<QByteArray> deleted;
    for (const auto &key : keys) {
        auto r = doRemove(key);
        if (!r)
            return Error{r.error()};
        if (*r)
            deleted.append(key);
    }
    return deleted;
}

Expected<QList<std::optional<PyValue>>> Cache::doGetMany(const QList<QByteArray> &keys)
{
    QList<std::optional<PyValue>> values;
    values.reserve(keys.size());
    for (const auto &key : keys) {
        auto r = doGet(key);
        if (!r)
            return Error{r.error()};
        values.append(std::move(*r));
    }
    return values;
}

Expected<QList<QByteArray>> Cache::doSetMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout)
{
    QList<QByteArray> written;
    for (const auto &[key, value] : items) {
        auto r = doSet(key, value, timeout);
        if (!r)
            return Error{r.error()};
        if (*r)
            written.append(key);
    }
    return written;
}

Expected<std::optional<qint64>> Cache::doInc(const QByteArray &key, qint64 delta)
{
    // cachelib BaseCache.inc: value = (get(key) or 0) + delta; set(key, value) with the default timeout.
    auto current = doGet(key);
    if (!current)
        return Error{current.error()};
    qint64 base = 0;
    if (current->has_value()) {
        const PyValue &v = **current;
        if (v.kind() == PyValue::Kind::Int)
            base = v.toInt();
        else if (v.kind() == PyValue::Kind::Bool)
            base = v.toBool() ? 1 : 0;
        else if (!(v.kind() == PyValue::Kind::None))
            return makeError(QStringLiteral("inc(%1): the stored value is a %2, not an int")
                                 .arg(QString::fromUtf8(key), QLatin1String(PyValue::kindName(v.kind()))));
    }
    const qint64 next = base + delta;
    auto written = doSet(key, PyValue::integer(next), Timeout{});
    if (!written)
        return Error{written.error()};
    return *written ? std::optional<qint64>(next) : std::nullopt;
}

} // namespace cachescope
