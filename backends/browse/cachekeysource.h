#pragma once

#include "keysource.h"

namespace cachescope {

class Cache;

// Keys of any cachescope::Cache through its inspection API (scan/ttl/entrySize/rawGet): meant
// for the embedded in-process caches (SimpleCache), whose calls are memory-only and fast. The
// calls run on the caller's thread (the Cache is not shared with another thread here); every
// answer is still delivered by a queued signal, like the other sources. Keys are the
// application's keys: in-process caches have no key prefix.
class CacheKeySource : public KeySource
{
    Q_OBJECT
public:
    explicit CacheKeySource(Cache *cache, QObject *parent = nullptr);

    QString description() const override;
    quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous) override;
    quint64 requestMetadata(const QList<QByteArray> &keys) override;
    quint64 requestValue(const QByteArray &key) override;
    void cancel(quint64 id) override;

protected:
    void doDeleteKeys(quint64 id, const QList<QByteArray> &keys) override;
    void doDeleteNamespace(quint64 id, const QByteArray &namespacePath) override;
    void doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs) override;

private:
    void scanStep(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous);
    Cache *m_cache;
    QList<quint64> m_cancelled;
};

} // namespace cachescope
