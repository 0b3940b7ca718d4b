#include "metastorecache.h"

#include "codec/jsonreader.h"
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "codec/pythonjson.h"
#include "globmatch.h"
#include "metadata/metadataconnection.h"

#include <QCryptographicHash>

namespace cachescope {

namespace {

// Python truthiness of a decoded value (SupersetMetastoreCache.has: `if entry: return True`).
bool truthy(const PyValue &v)
{
    switch (v.kind()) {
    case PyValue::Kind::None:
        return false;
    case PyValue::Kind::Bool:
    case PyValue::Kind::Int:
        return v.toInt() != 0;
    case PyValue::Kind::BigInt:
        return true; // normalised: a BigInt never fits in int64, so it is not 0
    case PyValue::Kind::Float:
        return v.toFloat() != 0.0;
    case PyValue::Kind::Str:
    case PyValue::Kind::Bytes:
    case PyValue::Kind::ByteArray:
        return !v.bytesData().isEmpty();
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple:
    case PyValue::Kind::Set:
    case PyValue::Kind::FrozenSet:
        return !v.items().empty();
    case PyValue::Kind::Dict:
        return !v.pairs().empty();
    case PyValue::Kind::Object:
        return true;
    }
    return true;
}

// Runs work(db) on the connection's thread with the database open. A write first unlocks the
// connection and locks it again afterwards, so it stays read-only between writes.
template<typename F>
auto onDatabase(MetadataConnection &connection, bool write, F &&work) -> std::invoke_result_t<F, MetadataDatabase &>
{
    using R = std::invoke_result_t<F, MetadataDatabase &>;
    return connection.call([&](MetadataDatabase &) -> R {
        auto open = connection.ensureOpen();
        if (!open)
            return R(Error{open.error()});
        MetadataDatabase &db = **open;
        if (!write)
            return work(db);
        auto unlocked = db.unlockWrites();
        if (!unlocked)
            return R(Error{unlocked.error()});
        R result = work(db);
        db.lockWrites(); // best effort: a failure here leaves the connection writable, not the data changed
        return result;
    });
}

} // namespace

SupersetMetastoreCache::SupersetMetastoreCache(std::shared_ptr<MetadataConnection> connection, Options options)
    : Cache(options.defaultTimeout)
    , m_connection(std::move(connection))
    , m_options(std::move(options))
    , m_namespace(namespaceFor(m_options.keyPrefix, m_options.namespaceHash))
{
}

SupersetMetastoreCache::~SupersetMetastoreCache() = default;

QString SupersetMetastoreCache::location() const
{
    return m_connection->redactedUri() + QStringLiteral(" · key_value");
}

QUuid SupersetMetastoreCache::namespaceFor(const QByteArray &prefix, NamespaceHash hash)
{
    // MD5: UUID(md5(seed).hexdigest()), the 16 digest bytes verbatim (no version bits set).
    // SHA-256: UUID(bytes=sha256(seed).digest()[:16]) (FORMATS.md §5.2).
    if (hash == NamespaceHash::Sha256)
        return QUuid::fromRfc4122(QCryptographicHash::hash(prefix, QCryptographicHash::Sha256).left(16));
    return QUuid::fromRfc4122(QCryptographicHash::hash(prefix, QCryptographicHash::Md5));
}

QUuid SupersetMetastoreCache::uuid3(const QUuid &nameSpace, const QByteArray &name)
{
    // Python uuid.uuid3: md5(namespace.bytes + name.encode()), then the version (3) and the
    // RFC 4122 variant bits.
    QByteArray h = QCryptographicHash::hash(QByteArray(nameSpace.toRfc4122() + name), QCryptographicHash::Md5);
    h[6] = char((quint8(h[6]) & 0x0F) | 0x30);
    h[8] = char((quint8(h[8]) & 0x3F) | 0x80);
    return QUuid::fromRfc4122(h);
}

QDateTime SupersetMetastoreCache::naiveNow() const
{
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_clock(), m_options.clock == Clock::Utc ? Qt::UTC : Qt::LocalTime);
    return QDateTime(now.date(), now.time(), Qt::UTC);
}

QDateTime SupersetMetastoreCache::expiryFor(Timeout timeout) const
{
    // _get_expiry: a positive timeout expires then; 0 and negative ones never do.
    const qint64 seconds = normalizeTimeout(timeout);
    return seconds > 0 ? naiveNow().addSecs(seconds) : QDateTime();
}

bool SupersetMetastoreCache::isExpired(const KeyValueRow &row) const
{
    // KeyValueEntry.is_expired: expires_on is not None and expires_on <= datetime.now().
    return row.expiresOn.isValid() && row.expiresOn <= naiveNow();
}

Expected<QByteArray> SupersetMetastoreCache::encode(const PyValue &value) const
{
    if (m_options.codec == Codec::Json) {
        // JsonKeyValueCodec.encode: bytes(json.dumps(value), encoding="utf-8").
        auto text = PythonJson::dumps(value, PythonJson::NonFinite::Literal);
        if (!text)
            return makeError(QStringLiteral("JsonKeyValueCodec cannot encode the value: %1").arg(text.error()));
        return text;
    }
    // PickleKeyValueCodec.encode: pickle.dumps(value) at the default protocol (4 on 3.8-3.13).
    return PickleWriter(4).dumps(value);
}

Expected<PyValue> SupersetMetastoreCache::decode(const QByteArray &stored) const
{
    const bool looksPickled = !stored.isEmpty() && quint8(stored[0]) == 0x80;
    if (m_options.codec == Codec::Json) {
        auto v = JsonReader().parse(stored);
        if (!v)
            return makeError(QStringLiteral("the row is not JSON (%1)%2")
                                 .arg(v.error(), looksPickled ? QStringLiteral(": it is a pickle, is CODEC set differently in Superset?")
                                                              : QString()));
        return v;
    }
    auto v = PickleReader().loads(stored);
    if (!v)
        return makeError(QStringLiteral("the row is not a pickle (%1)%2")
                             .arg(v.error(), !looksPickled && JsonReader::looksLikeJson(stored)
                                                 ? QStringLiteral(": it is JSON, is CODEC set to JsonKeyValueCodec in Superset?")
                                                 : QString()));
    return v;
}

Expected<std::optional<KeyValueRow>> SupersetMetastoreCache::row(const QUuid &uuid)
{
    return onDatabase(*m_connection, false, [&](MetadataDatabase &db) { return db.keyValueEntry(resource(), uuid); });
}

Expected<std::optional<QByteArray>> SupersetMetastoreCache::storedBytes(const QByteArray &keyOrUuid)
{
    const QUuid asUuid = keyOrUuid.size() == 36 ? QUuid::fromString(QLatin1String(keyOrUuid)) : QUuid();
    auto r = row(asUuid.isNull() ? rowUuid(keyOrUuid) : asUuid);
    if (!r)
        return Error{r.error()};
    if (!r->has_value())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>((*r)->value);
}

Expected<std::optional<KeyValueRow>> SupersetMetastoreCache::liveRow(const QUuid &uuid)
{
    auto r = row(uuid);
    if (!r || !r->has_value() || !isExpired(**r))
        return r;
    return std::optional<KeyValueRow>();
}

Expected<QList<KeyValueRow>> SupersetMetastoreCache::rows(qint64 afterId, int limit)
{
    return onDatabase(*m_connection, false,
                      [&](MetadataDatabase &db) { return db.keyValueEntries(resource(), afterId, limit); });
}

Expected<qint64> SupersetMetastoreCache::rowCount()
{
    return onDatabase(*m_connection, false, [&](MetadataDatabase &db) { return db.keyValueCount(resource()); });
}

Expected<bool> SupersetMetastoreCache::setRowExpiry(const QUuid &uuid, std::optional<qint64> ttlSeconds)
{
    if (!isWritable())
        return makeError(QStringLiteral("changing the expiry of metastore row %1 refused: %2 is read-only")
                             .arg(uuid.toString(QUuid::WithoutBraces), location()));
    const QDateTime now = naiveNow();
    const QDateTime expires = ttlSeconds ? now.addSecs(std::max<qint64>(1, *ttlSeconds)) : QDateTime();
    return onDatabase(*m_connection, true,
                      [&](MetadataDatabase &db) { return db.keyValueSetExpiry(resource(), uuid, expires, now); });
}

Expected<bool> SupersetMetastoreCache::removeRow(const QUuid &uuid)
{
    if (!isWritable())
        return makeError(QStringLiteral("deleting metastore row %1 refused: %2 is read-only")
                             .arg(uuid.toString(QUuid::WithoutBraces), location()));
    return onDatabase(*m_connection, true, [&](MetadataDatabase &db) { return db.keyValueDelete(resource(), uuid); });
}

Expected<std::optional<PyValue>> SupersetMetastoreCache::doGet(const QByteArray &key)
{
    auto r = liveRow(rowUuid(key));
    if (!r)
        return Error{r.error()};
    if (!r->has_value())
        return std::optional<PyValue>();
    mutableCounters().addBytesIn(quint64((*r)->value.size()));
    auto v = decode((*r)->value);
    if (!v)
        return makeError(QStringLiteral("metastore key '%1': %2").arg(QString::fromUtf8(key), v.error()));
    return std::optional<PyValue>(std::move(v).value());
}

Expected<bool> SupersetMetastoreCache::doSet(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    auto bytes = encode(value);
    if (!bytes)
        return makeError(QStringLiteral("metastore key '%1': %2").arg(QString::fromUtf8(key), bytes.error()));
    const QDateTime now = naiveNow();
    const QDateTime expires = expiryFor(timeout);
    auto written = onDatabase(*m_connection, true, [&](MetadataDatabase &db) {
        return db.keyValueUpsert(resource(), rowUuid(key), *bytes, expires, now);
    });
    if (written)
        mutableCounters().addBytesOut(quint64(bytes->size()));
    return written;
}

Expected<bool> SupersetMetastoreCache::doAdd(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    auto bytes = encode(value);
    if (!bytes)
        return makeError(QStringLiteral("metastore key '%1': %2").arg(QString::fromUtf8(key), bytes.error()));
    const QDateTime now = naiveNow();
    const QDateTime expires = expiryFor(timeout);
    auto added = onDatabase(*m_connection, true, [&](MetadataDatabase &db) {
        return db.keyValueAdd(resource(), rowUuid(key), *bytes, expires, now);
    });
    if (added && *added)
        mutableCounters().addBytesOut(quint64(bytes->size()));
    return added;
}

Expected<bool> SupersetMetastoreCache::doRemove(const QByteArray &key)
{
    const QUuid uuid = rowUuid(key);
    return onDatabase(*m_connection, true, [&](MetadataDatabase &db) { return db.keyValueDelete(resource(), uuid); });
}

Expected<bool> SupersetMetastoreCache::doHas(const QByteArray &key)
{
    auto v = doGet(key);
    if (!v)
        return Error{v.error()};
    return v->has_value() && truthy(**v);
}

Expected<bool> SupersetMetastoreCache::doClear()
{
    // SupersetMetastoreCache has no clear(): cachelib's BaseCache.clear returns True and deletes
    // nothing. Rows do not record their cache's prefix, so there is nothing safe to clear anyway.
    return true;
}

Expected<std::optional<QByteArray>> SupersetMetastoreCache::doRawGet(const QByteArray &key)
{
    auto r = row(rowUuid(key));
    if (!r)
        return Error{r.error()};
    if (!r->has_value())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>((*r)->value);
}

Expected<EntryTtl> SupersetMetastoreCache::doTtl(const QByteArray &key)
{
    auto r = liveRow(rowUuid(key));
    if (!r)
        return Error{r.error()};
    if (!r->has_value())
        return EntryTtl{};
    if (!(*r)->expiresOn.isValid())
        return EntryTtl{EntryTtl::State::Never, 0};
    const qint64 ms = naiveNow().msecsTo((*r)->expiresOn);
    return EntryTtl{EntryTtl::State::Expires, std::max<qint64>(0, (ms + 999) / 1000)};
}

Expected<std::optional<qint64>> SupersetMetastoreCache::doEntrySize(const QByteArray &key)
{
    auto r = row(rowUuid(key));
    if (!r)
        return Error{r.error()};
    if (!r->has_value())
        return std::optional<qint64>();
    return std::optional<qint64>((*r)->valueSize);
}

Expected<ScanPage> SupersetMetastoreCache::doScan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    bool ok = false;
    const qint64 afterId = cursor.isEmpty() ? 0 : cursor.toLongLong(&ok);
    if (!cursor.isEmpty() && !ok)
        return makeError(QStringLiteral("metastore scan: cursor '%1' is not a row id").arg(QString::fromLatin1(cursor.left(40))));
    const int limit = std::clamp(count, 1, 100000);
    auto page = rows(afterId, limit);
    if (!page)
        return Error{page.error()};
    ScanPage out;
    for (const KeyValueRow &r : *page) {
        if (isExpired(r))
            continue; // a scan lists live entries, as every other cache's does
        const QByteArray text = r.uuid.toByteArray(QUuid::WithoutBraces);
        if (glob.isEmpty() || glob == "*" || globMatch(glob, text))
            out.keys.append(text);
    }
    out.nextCursor = page->size() < limit ? QByteArray("0") : QByteArray::number(page->last().id);
    return out;
}

} // namespace cachescope
