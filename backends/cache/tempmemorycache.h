#pragma once
// TEMP: stand-in until the real caches land; dropped at merge.

#include "cache.h"

#include <QDateTime>
#include <QMap>
#include <QMutex>

namespace cachescope {

class TempMemoryCache : public Cache
{
public:
    TempMemoryCache(QString name, QString location, int threshold, qint64 defaultTimeout)
        : Cache(defaultTimeout), m_name(std::move(name)), m_location(std::move(location)), m_threshold(threshold) {}
    QString backendName() const override { return m_name; }
    QString location() const override { return m_location; }

protected:
    struct Entry { PyValue value; qint64 expires = 0; };
    static qint64 now() { return QDateTime::currentSecsSinceEpoch(); }
    bool alive(const Entry &e) const { return e.expires == 0 || e.expires > now(); }
    qint64 expiry(Timeout t) const { const qint64 s = normalizeTimeout(t); return s == 0 ? 0 : now() + s; }

    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override
    {
        QMutexLocker l(&m_mutex);
        auto it = m_map.constFind(key);
        if (it == m_map.cend() || !alive(*it))
            return std::optional<PyValue>{};
        return std::optional<PyValue>(it->value);
    }
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override
    {
        QMutexLocker l(&m_mutex);
        if (m_threshold > 0 && m_map.size() >= m_threshold && !m_map.contains(key)) {
            for (auto it = m_map.begin(); it != m_map.end();)
                it = alive(*it) ? std::next(it) : m_map.erase(it);
            while (m_map.size() >= m_threshold)
                m_map.erase(m_map.begin());
        }
        m_map.insert(key, Entry{value, expiry(timeout)});
        return true;
    }
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override
    {
        {
            QMutexLocker l(&m_mutex);
            auto it = m_map.constFind(key);
            if (it != m_map.cend() && alive(*it))
                return false;
        }
        return doSet(key, value, timeout);
    }
    Expected<bool> doRemove(const QByteArray &key) override { QMutexLocker l(&m_mutex); return m_map.remove(key) > 0; }
    Expected<bool> doHas(const QByteArray &key) override
    {
        QMutexLocker l(&m_mutex);
        auto it = m_map.constFind(key);
        return it != m_map.cend() && alive(*it);
    }
    Expected<bool> doClear() override { QMutexLocker l(&m_mutex); m_map.clear(); return true; }
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &) override { return std::optional<QByteArray>{}; }
    Expected<EntryTtl> doTtl(const QByteArray &key) override
    {
        QMutexLocker l(&m_mutex);
        auto it = m_map.constFind(key);
        if (it == m_map.cend() || !alive(*it))
            return EntryTtl{};
        if (it->expires == 0)
            return EntryTtl{EntryTtl::State::Never, 0};
        return EntryTtl{EntryTtl::State::Expires, it->expires - now()};
    }
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &) override { return std::optional<qint64>{}; }
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &, int count) override
    {
        QMutexLocker l(&m_mutex);
        const qsizetype start = cursor.isEmpty() ? 0 : cursor.toLongLong();
        ScanPage page;
        qsizetype i = 0;
        for (auto it = m_map.cbegin(); it != m_map.cend(); ++it, ++i) {
            if (i < start)
                continue;
            if (page.keys.size() >= count) {
                page.nextCursor = QByteArray::number(i);
                return page;
            }
            if (alive(*it))
                page.keys.append(it.key());
        }
        page.nextCursor = "0";
        return page;
    }

private:
    QString m_name, m_location;
    int m_threshold;
    QMutex m_mutex;
    QMap<QByteArray, Entry> m_map;
};

} // namespace cachescope
