#pragma once

#include "cache.h"
#include "cacheclock.h"
#include "metadata/metadatatypes.h"

#include <QUuid>

#include <memory>

namespace cachescope {

class MetadataConnection;

// Superset's SupersetMetastoreCache over the key_value table of its metadata database
// (superset/extensions/metastore_cache.py, superset/daos/key_value.py, superset/key_value/*.py
// @ 3.0.0 ... 5.0.0rc2; FORMATS.md §5), byte-compatible with it:
//  - a key's row is (resource "superset_metastore_cache", uuid3(namespace, key)) where the
//    namespace is UUID(md5(CACHE_KEY_PREFIX).hexdigest()) (or the first 16 bytes of its sha256
//    where HASH_ALGORITHM="sha256");
//  - value = JsonKeyValueCodec (json.dumps text, UTF-8) or PickleKeyValueCodec (pickle.dumps,
//    protocol 4 = CPython 3.8-3.13's default);
//  - expires_on = datetime.now() + timeout for a positive timeout, else NULL (never); a row is
//    a miss once expires_on <= now (KeyValueEntry.is_expired), and is not deleted by reading;
//  - set = upsert (value, expires_on, changed_on), add = delete the resource's expired rows and
//    insert unless the uuid exists, delete = delete the row, has = the value is truthy, clear =
//    nothing (the class inherits BaseCache.clear, which returns True).
// The keys themselves are not stored, so a scan lists rows by uuid (ScanPage keys are uuid
// texts, cursor = the last row id) and covers every metastore-backed cache in the database.
// The naive datetimes Superset writes are server-local (Clock::Local) up to 5.x; Clock::Utc
// reads and writes UTC for releases that do.
// Every call blocks on the connection's own thread: use it off the GUI thread, like every Cache.
class SupersetMetastoreCache final : public Cache
{
public:
    enum class Codec { Json, Pickle };
    enum class NamespaceHash { Md5, Sha256 };
    enum class Clock { Local, Utc };
    struct Options
    {
        QByteArray keyPrefix; // CACHE_KEY_PREFIX (the config key's name by default)
        Codec codec = Codec::Pickle;
        NamespaceHash namespaceHash = NamespaceHash::Md5;
        Clock clock = Clock::Local;
        qint64 defaultTimeout = 300;
    };

    static QString resource() { return QStringLiteral("superset_metastore_cache"); }

    // The connection may be shared; writes unlock it for the call when this cache is writable.
    SupersetMetastoreCache(std::shared_ptr<MetadataConnection> connection, Options options);
    ~SupersetMetastoreCache() override;

    QString backendName() const override { return QStringLiteral("SupersetMetastoreCache"); }
    QString location() const override;
    QByteArray keyPrefix() const override { return m_options.keyPrefix; }
    const Options &options() const { return m_options; }

    // superset/key_value/utils.py › get_uuid_namespace, and Python's uuid.uuid3 (RFC 4122 v3).
    static QUuid namespaceFor(const QByteArray &prefix, NamespaceHash hash);
    static QUuid uuid3(const QUuid &nameSpace, const QByteArray &name);
    QUuid rowUuid(const QByteArray &key) const { return uuid3(m_namespace, key); }
    // datetime.now() as Superset writes it (naive; see MetadataDatabase).
    QDateTime naiveNow() const;
    void setClock(CacheClock clock) { m_clock = std::move(clock); } // tests

    // Access by row, for browsers that only know uuids (keys are not stored). Writes are
    // refused like every write of a read-only cache.
    Expected<std::optional<KeyValueRow>> row(const QUuid &uuid);
    Expected<QList<KeyValueRow>> rows(qint64 afterId, int limit);
    Expected<qint64> rowCount();
    // ttlSeconds > 0: expires that many seconds from now; nullopt: never expires.
    Expected<bool> setRowExpiry(const QUuid &uuid, std::optional<qint64> ttlSeconds);
    Expected<bool> removeRow(const QUuid &uuid);

    // The stored bytes of a key, or of a row named by its uuid text (what a key listing shows):
    // keys are not stored, so a uuid is what a user copies from a listing. Expired rows included.
    Expected<std::optional<QByteArray>> storedBytes(const QByteArray &keyOrUuid);

    Expected<QByteArray> encode(const PyValue &value) const;
    Expected<PyValue> decode(const QByteArray &stored) const;

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

private:
    QDateTime expiryFor(Timeout timeout) const;
    bool isExpired(const KeyValueRow &row) const;
    Expected<std::optional<KeyValueRow>> liveRow(const QUuid &uuid);

    std::shared_ptr<MetadataConnection> m_connection;
    Options m_options;
    QUuid m_namespace;
    CacheClock m_clock = systemClockMs;
};

} // namespace cachescope
