#include "simplecache.h"

#include "codec/picklewriter.h"
#include "globmatch.h"
#include "pythonincrement.h"

#include <QMutexLocker>


#include <algorithm>
#include <limits>
#include <vector>

namespace cachescope {

SimpleCache::SimpleCache(int threshold, qint64 defaultTimeout)
    : Cache(defaultTimeout), m_threshold(threshold ? threshold : 500) // cachelib: `threshold or 500`
{
}

qint64 SimpleCache::entryCount() const
{
    QMutexLocker lock(&m_mutex);
    return qint64(m_entries.size());
}

void SimpleCache::setClock(CacheClock clock)
{
    QMutexLocker lock(&m_mutex);
    m_clock = std::move(clock);
}

qint64 SimpleCache::expiresFor(Timeout timeout) const
{
    const qint64 t = normalizeTimeout(timeout);
    if (t <= 0)
        return t;
    // Python ints do not overflow; saturate instead of wrapping for absurd timeouts.
    qint64 expires = 0;
    return __builtin_add_overflow(wholeSeconds(nowMs()), t, &expires) ? std::numeric_limits<qint64>::max() : expires;
}

void SimpleCache::eraseLocked(const QByteArray &key, const Entry &entry)
{
    m_order.erase(entry.seq);
    m_entries.erase(key);
}

void SimpleCache::storeLocked(const QByteArray &key, qint64 expires, const PyValue &value)
{
    if (Entry *found = m_entries.find(key)) {
        Entry &e = *found;
        e.expires = expires;
        // Re-storing the very same shared value (same payload) is a no-op for the value:
        // skips two atomic reference-count updates.
        if (e.value.kind() != value.kind() || e.value.identity() == nullptr || e.value.identity() != value.identity())
            e.value = value;
        if (!e.pickled.isNull())
            e.pickled = QByteArray();
        return;
    }
    const quint64 seq = m_nextSeq++;
    m_entries.insert(key, Entry{expires, value, {}, seq});
    m_order.emplace(seq, key);
}

void SimpleCache::pruneLocked()
{
    auto over = [this] { return m_entries.size() > size_t(m_threshold); };
    if (!over())
        return;
    // _remove_expired: `expires < now`, so never-expiring (0) entries go too.
    const qint64 now = nowMs();
    m_entries.eraseIf([&](const QByteArray &, const Entry &e) {
        if (!expiredBefore(e.expires, now))
            return false;
        m_order.erase(e.seq);
        return true;
    });
    if (!over())
        return;
    // _remove_older: sorted() is stable over dict order, so ties fall back to insertion order.
    std::vector<std::pair<qint64, quint64>> byExpiry;
    byExpiry.reserve(size_t(m_entries.size()));
    for (const auto &[seq, key] : m_order)
        byExpiry.emplace_back(m_entries.find(key)->expires, seq);
    std::stable_sort(byExpiry.begin(), byExpiry.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &[expires, seq] : byExpiry) {
        auto orderIt = m_order.find(seq);
        m_entries.erase(orderIt->second);
        m_order.erase(orderIt);
        if (!over())
            break;
    }
}

Expected<QByteArray> SimpleCache::pickledLocked(const QByteArray &key, Entry &entry)
{
    if (entry.pickled.isEmpty()) { // a pickle is never empty: it ends with STOP
        auto bytes = PickleWriter().dumps(entry.value);
        if (!bytes)
            return makeError(QStringLiteral("SimpleCache: cannot pickle the value of %1: %2")
                                 .arg(QString::fromUtf8(key), bytes.error()));
        entry.pickled = std::move(*bytes);
    }
    return entry.pickled;
}

Expected<std::optional<PyValue>> SimpleCache::doGet(const QByteArray &key)
{
    // One result, returned in place, and the value copied straight into it: returning
    // optional(e->value) moved the copy into the Expected and destroyed the moved-from
    // temporary, two out-of-line PyValue calls that cost ~3 ns of a ~50 ns get.
    Expected<std::optional<PyValue>> result{std::nullopt};
    QMutexLocker lock(&m_mutex);
    if (const Entry *e = m_entries.find(key); e && alive(*e, *this))
        result->emplace(e->value);
    return result;
}

Expected<bool> SimpleCache::doSet(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    QMutexLocker lock(&m_mutex);
    const qint64 expires = expiresFor(timeout);
    pruneLocked();
    storeLocked(key, expires, value);
    return true;
}

Expected<bool> SimpleCache::doAdd(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    QMutexLocker lock(&m_mutex);
    const qint64 expires = expiresFor(timeout);
    pruneLocked(); // cachelib prunes even when the add then fails
    if (m_entries.contains(key)) // stored counts as existing, expired or not
        return false;
    storeLocked(key, expires, value);
    return true;
}

Expected<bool> SimpleCache::doRemove(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    const Entry *e = m_entries.find(key);
    if (!e)
        return false;
    eraseLocked(key, *e);
    return true;
}

Expected<bool> SimpleCache::doHas(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    const Entry *e = m_entries.find(key);
    return e && alive(*e, *this);
}

Expected<bool> SimpleCache::doClear()
{
    QMutexLocker lock(&m_mutex);
    m_entries.clear();
    m_order.clear();
    return true;
}

Expected<std::optional<qint64>> SimpleCache::doInc(const QByteArray &key, qint64 delta)
{
    // BaseCache.inc = get + set(default timeout), done under one lock so concurrent incs add up.
    QMutexLocker lock(&m_mutex);
    std::optional<PyValue> current;
    if (const Entry *e = m_entries.find(key); e && alive(*e, *this))
        current = e->value;
    auto next = pythonIncrement(key, current, delta);
    if (!next)
        return Error{next.error()};
    const qint64 expires = expiresFor(Timeout{});
    pruneLocked();
    storeLocked(key, expires, PyValue::integer(*next));
    return std::optional<qint64>(*next);
}

Expected<std::optional<QByteArray>> SimpleCache::doRawGet(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    Entry *e = m_entries.find(key);
    if (!e)
        return std::optional<QByteArray>{};
    auto bytes = pickledLocked(key, *e);
    if (!bytes)
        return Error{bytes.error()};
    return std::optional<QByteArray>(std::move(*bytes));
}

Expected<EntryTtl> SimpleCache::doTtl(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    const Entry *e = m_entries.find(key);
    if (!e)
        return EntryTtl{};
    if (e->expires == 0)
        return EntryTtl{EntryTtl::State::Never, 0};
    const qint64 now = nowMs();
    if (!expiresAfter(e->expires, now))
        return EntryTtl{};
    return EntryTtl{EntryTtl::State::Expires, secondsLeft(e->expires, now)};
}

Expected<std::optional<qint64>> SimpleCache::doEntrySize(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    Entry *e = m_entries.find(key);
    if (!e)
        return std::optional<qint64>{};
    auto bytes = pickledLocked(key, *e);
    if (!bytes)
        return Error{bytes.error()};
    return std::optional<qint64>(bytes->size());
}

Expected<ScanPage> SimpleCache::doScan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    quint64 start = 0;
    if (!cursor.isEmpty()) {
        bool ok = false;
        start = cursor.toULongLong(&ok);
        if (!ok)
            return makeError(QStringLiteral("SimpleCache scan: invalid cursor \"%1\" (expected an integer)")
                                 .arg(QString::fromLatin1(cursor.left(40))));
    }
    const qsizetype wanted = std::max(count, 1);
    // Bounds the time the lock is held when the glob matches little.
    qint64 budget = qint64(wanted) * 16;
    const bool all = glob.isEmpty() || glob == "*";
    ScanPage page;
    QMutexLocker lock(&m_mutex);
    auto it = m_order.lower_bound(start);
    for (; it != m_order.end() && page.keys.size() < wanted && budget > 0; ++it, --budget) {
        if (all || globMatch(glob, it->second))
            page.keys.append(it->second);
    }
    page.nextCursor = it == m_order.end() ? QByteArrayLiteral("0") : QByteArray::number(it->first);
    return page;
}

} // namespace cachescope
