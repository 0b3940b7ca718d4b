#pragma once

#include "cache.h"

namespace cachescope {

// cachelib's NullCache (= BaseCache defaults, cachelib 0.9.0 base.py): nothing is stored, yet
// every write reports success. get -> None, set/add/delete/clear -> True, has -> False,
// set_many/delete_many -> every key, inc(key, d) -> d (None or 0, plus d, "set" succeeds).
// Superset's default for every cache purpose, so the monitor shows it with 100 % misses.
class NullCache : public Cache
{
public:
    explicit NullCache(qint64 defaultTimeout = 300) : Cache(defaultTimeout) {}

    QString backendName() const override { return QStringLiteral("NullCache"); }
    QString location() const override { return QStringLiteral("nowhere (NullCache)"); }

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override;
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doRemove(const QByteArray &key) override;
    Expected<bool> doHas(const QByteArray &key) override;
    Expected<bool> doClear() override;
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) override;
    Expected<EntryTtl> doTtl(const QByteArray &key) override;
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) override;
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) override;
};

} // namespace cachescope
