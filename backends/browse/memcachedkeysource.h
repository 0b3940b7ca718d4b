#pragma once

#include "keysource.h"
#include "keyworkerthread.h"
#include "memcached/memcachedclient.h"

#include <atomic>
#include <memory>

namespace cachescope {

// Keys of memcached servers for the key browser. memcached has no SCAN: keys are listed with
// `lru_crawler metadump`, one slab class of one server per page (MemcachedKeyLister), filtered
// client-side by the glob; a large class is delivered in slices as its dump streams in, and the
// dump waits while too many slices wait for the GUI thread (bounded memory). Metadata comes from
// `mg <key> t s f` (TTL, value size, and the flags' meaning as the type: "pickle", "str", "int",
// "bytes"); a value is the item as memcached's text protocol returns it (memcachedvalue.h
// envelope), so the decoder sees the flags. A dedicated worker thread owns the blocking client.
// SASL servers speak only the binary protocol, which can neither list keys nor read TTLs: those
// requests fail saying so; values can still be read.
// Writes (after they were enabled): delete, delete every key of a namespace (listed, then
// deleted in batches, each key checked against the prefix), and TTL changes with `touch`.
class MemcachedKeySource : public KeySource
{
    Q_OBJECT
public:
    MemcachedKeySource(MemcachedClient::Options options, QByteArray keyPrefix, QObject *parent = nullptr);
    ~MemcachedKeySource() override;

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
    void scanStep(quint64 id, const QByteArray &cursor, const QByteArray &match, bool continuous);
    // Hands one slice to the GUI thread, first waiting while too many are queued there.
    void deliver(quint64 id, ScanBatch batch);

    QString m_description;
    std::unique_ptr<MemcachedClient> m_client; // touched only on m_io's thread
    std::atomic<int> m_batchesInFlight{0};
    KeyWorkerThread m_io; // last: stopped before m_client goes
};

} // namespace cachescope
