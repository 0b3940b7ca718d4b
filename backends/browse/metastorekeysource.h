#pragma once

#include "cache/metastorecache.h"
#include "keysource.h"
#include "keyworkerthread.h"

#include <QHash>
#include <QMutex>

#include <memory>

namespace cachescope {

struct CacheSpec;

// Rows of a SupersetMetastoreCache (key_value, resource "superset_metastore_cache") for the key
// browser. Superset stores uuid3(namespace, key), not the key, so stored keys are the row uuids
// (as text) and storesHashedNames() is true, as for a FileSystemCache directory: a key typed by
// the user is turned into its uuid under both namespace hashes, and remembered so the list can
// show it. Rows of every metastore-backed cache share the resource (their prefix only changes
// the uuid), so the list holds them all; writes never leave the resource.
// Sizes and expiries come from the rows; a value is the row's bytes (the codec's output).
// The cache's blocking calls run on this source's worker thread; it opens read-only, and
// enabling writes makes its own cache writable (the database is unlocked per write).
class MetastoreKeySource : public KeySource
{
    Q_OBJECT
public:
    explicit MetastoreKeySource(std::unique_ptr<SupersetMetastoreCache> cache, QObject *parent = nullptr);
    ~MetastoreKeySource() override;

    // A read-only source for a SupersetMetastore spec of a config (its own connection).
    static Expected<std::unique_ptr<MetastoreKeySource>> fromSpec(const CacheSpec &spec);

    QString description() const override;
    quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous) override;
    quint64 requestMetadata(const QList<QByteArray> &keys) override;
    quint64 requestValue(const QByteArray &key) override;
    void cancel(quint64 id) override;
    QList<QByteArray> storedKeysFor(const QByteArray &typedKey) const override;
    QByteArray knownKeyFor(const QByteArray &storedKey) const override;
    bool storesHashedNames() const override { return true; }

protected:
    void doDeleteKeys(quint64 id, const QList<QByteArray> &keys) override;
    void doDeleteNamespace(quint64 id, const QByteArray &namespacePath) override;
    void doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs) override;

private:
    void scanOnWorker(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous);

    std::unique_ptr<SupersetMetastoreCache> m_cache; // used on m_io's thread
    QString m_description;
    mutable QMutex m_mutex; // guards m_known
    mutable QHash<QByteArray, QByteArray> m_known;
    KeyWorkerThread m_io; // last: stopped before the cache its work touches is destroyed
};

} // namespace cachescope
