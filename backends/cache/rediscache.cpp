#include "rediscache.h"

#include "codec/picklereader.h"
#include "codec/pythonint.h"
#include "codec/picklewriter.h"

#include <QMutexLocker>

namespace cachescope {

namespace {

quint64 argBytes(const QList<QByteArray> &args)
{
    quint64 n = 0;
    for (const auto &a : args)
        n += quint64(a.size());
    return n;
}

quint64 replyBytes(const RedisReply &r)
{
    quint64 n = quint64(r.string.size());
    for (const auto &e : r.elements)
        n += replyBytes(e);
    return n;
}

} // namespace

namespace {

RedisUrl withRole(RedisUrl url, RedisSentinel::Role role)
{
    if (url.sentinel)
        url.sentinel->role = role;
    return url;
}

} // namespace

RedisCache::RedisCache(RedisUrl url, QByteArray keyPrefix, qint64 defaultTimeout)
    : Cache(defaultTimeout)
    , m_url(withRole(url, RedisSentinel::Role::Master))
    , m_prefix(std::move(keyPrefix))
    , m_client(m_url) // master_for: writes and inspection
{
    if (m_url.sentinel) // slave_for: get, get_many, has
        m_readClient = std::make_unique<RedisClient>(withRole(std::move(url), RedisSentinel::Role::Replica));
}

RedisCache::~RedisCache() = default;

Expected<QByteArray> RedisCache::dumps(const PyValue &value)
{
    return PickleWriter(5).dumps(value, "!");
}

Expected<PyValue> RedisCache::loads(const QByteArray &stored)
{
    if (stored.startsWith('!')) {
        // The commonest small value, an ASCII str as PickleWriter/CPython frame it at protocol
        // 4/5: "!" PROTO FRAME(n+4) SHORT_BINUNICODE n <n bytes> MEMOIZE STOP. Anything else,
        // or any byte >= 0x80 (UTF-8 rules), goes through the full reader.
        const qsizetype n = stored.size() - 16;
        const auto *u = reinterpret_cast<const uchar *>(stored.constData());
        if (n >= 0 && n <= 0xff && u[1] == 0x80 && (u[2] == 4 || u[2] == 5) && u[3] == 0x95 && u[12] == 0x8c
            && u[13] == uchar(n) && u[14 + n] == 0x94 && u[15 + n] == '.') {
            quint64 frame = 0;
            for (int k = 0; k < 8; ++k)
                frame |= quint64(u[4 + k]) << (8 * k);
            bool ascii = frame == quint64(n) + 4;
            for (qsizetype k = 0; ascii && k < n; ++k)
                ascii = u[14 + k] < 0x80;
            if (ascii)
                return PyValue::str(stored.mid(14, n));
        }
        auto v = PickleReader().loads(QByteArrayView(stored).sliced(1));
        if (!v)
            return Error{v.error()};
        return std::move(*v);
    }
    if (auto i = parsePythonInt(stored))
        return std::move(*i);
    return PyValue::bytes(stored); // written before cachelib 0.8 or by another client
}

QByteArray RedisCache::escapeGlob(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

QString RedisCache::Op::toString() const
{
    const QString op = QLatin1String(name);
    if (count >= 0)
        return QStringLiteral("%1(%2 keys)").arg(op).arg(count);
    if (key.data() == nullptr)
        return op + QStringLiteral("()");
    return QStringLiteral("%1(\"%2\")").arg(op, QString::fromUtf8(key.first(std::min<qsizetype>(key.size(), 200))));
}

Expected<RedisReply> RedisCache::run(const QList<QByteArray> &args, const Op &op)
{
    QMutexLocker lock(&m_mutex);
    mutableCounters().addBytesOut(argBytes(args));
    RedisClient &client = clientFor(op);
    auto r = client.command(args);
    if (!r)
        return makeError(QStringLiteral("RedisCache %1: %2").arg(op.toString(), r.error()));
    mutableCounters().addBytesIn(replyBytes(*r));
    if (r->isError())
        return makeError(QStringLiteral("RedisCache %1: Redis %2 replied: %3")
                             .arg(op.toString(), client.serverName(), QString::fromUtf8(r->string)));
    return r;
}

Expected<std::vector<RedisReply>> RedisCache::runPipeline(const QList<QList<QByteArray>> &commands, const Op &op)
{
    QMutexLocker lock(&m_mutex);
    for (const auto &c : commands)
        mutableCounters().addBytesOut(argBytes(c));
    auto r = m_client.pipeline(commands);
    if (!r)
        return makeError(QStringLiteral("RedisCache %1: %2").arg(op.toString(), r.error()));
    for (const auto &reply : *r) {
        mutableCounters().addBytesIn(replyBytes(reply));
        if (reply.isError())
            return makeError(QStringLiteral("RedisCache %1: Redis %2 replied: %3")
                                 .arg(op.toString(), m_client.serverName(), QString::fromUtf8(reply.string)));
    }
    return r;
}

Expected<std::vector<RedisReply>> RedisCache::runEncoded(const QByteArray &request, qsizetype count, quint64 argBytes,
                                                         const Op &op)
{
    QMutexLocker lock(&m_mutex);
    mutableCounters().addBytesOut(argBytes);
    RedisClient &client = clientFor(op);
    auto r = client.pipelineEncoded(request, count, true);
    if (!r)
        return makeError(QStringLiteral("RedisCache %1: %2").arg(op.toString(), r.error()));
    for (const auto &reply : *r) {
        mutableCounters().addBytesIn(replyBytes(reply));
        if (reply.isError())
            return makeError(QStringLiteral("RedisCache %1: Redis %2 replied: %3")
                                 .arg(op.toString(), client.serverName(), QString::fromUtf8(reply.string)));
    }
    return r;
}

Expected<std::optional<PyValue>> RedisCache::decode(const RedisReply &reply, const QByteArray &key) const
{
    if (reply.isNil())
        return std::optional<PyValue>{};
    if (reply.type != RedisReply::Type::String)
        return makeError(QStringLiteral("RedisCache %1: unexpected reply type").arg(Op{"get", key}.toString()));
    auto v = loads(reply.string);
    if (!v)
        return makeError(QStringLiteral("RedisCache %1: stored value cannot be decoded: %2")
                             .arg(Op{"get", key}.toString(), v.error()));
    return std::optional<PyValue>(std::move(*v));
}

Expected<std::optional<PyValue>> RedisCache::doGet(const QByteArray &key)
{
    auto r = run({QByteArrayLiteral("GET"), m_prefix + key}, Op{"get", key, -1, true});
    if (!r)
        return Error{r.error()};
    return decode(*r, key);
}

Expected<bool> RedisCache::doSet(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    const Op what{"set", key};
    auto dump = dumps(value);
    if (!dump)
        return makeError(QStringLiteral("RedisCache %1: %2").arg(what.toString(), dump.error()));
    const qint64 t = normalizeTimeout(timeout);
    auto r = t == 0 ? run({QByteArrayLiteral("SET"), m_prefix + key, *dump}, what)
                    : run({QByteArrayLiteral("SETEX"), m_prefix + key, QByteArray::number(t), *dump}, what);
    if (!r)
        return Error{r.error()};
    return r->type == RedisReply::Type::Status;
}

Expected<bool> RedisCache::doAdd(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    const Op what{"add", key};
    auto dump = dumps(value);
    if (!dump)
        return makeError(QStringLiteral("RedisCache %1: %2").arg(what.toString(), dump.error()));
    const qint64 t = normalizeTimeout(timeout);
    auto created = run({QByteArrayLiteral("SETNX"), m_prefix + key, *dump}, what);
    if (!created)
        return Error{created.error()};
    if (created->integer != 1)
        return false;
    if (t != 0) { // cachelib: "handle case where timeout is explicitly set to zero"
        auto e = run({QByteArrayLiteral("EXPIRE"), m_prefix + key, QByteArray::number(t)}, what);
        if (!e)
            return Error{e.error()};
    }
    return true;
}

Expected<bool> RedisCache::doRemove(const QByteArray &key)
{
    auto r = run({QByteArrayLiteral("DEL"), m_prefix + key}, Op{"delete", key});
    if (!r)
        return Error{r.error()};
    return r->integer > 0;
}

Expected<QList<QByteArray>> RedisCache::doRemoveMany(const QList<QByteArray> &keys)
{
    if (keys.isEmpty())
        return QList<QByteArray>{};
    // One round trip: EXISTS per key (which ones are there), then the single DEL cachelib sends.
    QList<QList<QByteArray>> commands;
    QList<QByteArray> del{QByteArrayLiteral("DEL")};
    for (const auto &key : keys) {
        commands.append(QList<QByteArray>{QByteArrayLiteral("EXISTS"), m_prefix + key});
        del.append(m_prefix + key);
    }
    commands.append(del);
    auto r = runPipeline(commands, Op{"delete_many", {}, keys.size()});
    if (!r)
        return Error{r.error()};
    QList<QByteArray> deleted;
    for (qsizetype i = 0; i < keys.size(); ++i)
        if ((*r)[size_t(i)].integer > 0)
            deleted.append(keys.at(i));
    return deleted;
}

Expected<bool> RedisCache::doHas(const QByteArray &key)
{
    auto r = run({QByteArrayLiteral("EXISTS"), m_prefix + key}, Op{"has", key, -1, true});
    if (!r)
        return Error{r.error()};
    return r->integer > 0;
}

Expected<bool> RedisCache::doClear()
{
    if (m_prefix.isEmpty())
        return makeError(QStringLiteral("RedisCache clear() on %1 refused: the cache has no key prefix, so clearing "
                                        "would delete every key of the database (cachelib would FLUSHDB)")
                             .arg(location()));
    const QByteArray match = escapeGlob(m_prefix) + '*';
    QByteArray cursor = "0";
    qint64 deleted = 0;
    // SCAN tolerates deletions between pages; every key present for the whole walk is seen.
    do {
        auto page = run({QByteArrayLiteral("SCAN"), cursor, QByteArrayLiteral("MATCH"), match, QByteArrayLiteral("COUNT"),
                         QByteArrayLiteral("1000")},
                        Op{"clear"});
        if (!page)
            return Error{page.error()};
        if (page->type != RedisReply::Type::Array || page->elements.size() != 2)
            return makeError(QStringLiteral("RedisCache clear(): malformed SCAN reply from %1").arg(location()));
        cursor = page->elements[0].string;
        QList<QByteArray> del{QByteArrayLiteral("DEL")};
        for (const auto &k : page->elements[1].elements)
            del.append(k.string);
        if (del.size() > 1) {
            auto d = run(del, Op{"clear"});
            if (!d)
                return Error{d.error()};
            deleted += d->integer;
        }
    } while (!cursor.isEmpty() && cursor != "0");
    return deleted > 0;
}

Expected<QList<std::optional<PyValue>>> RedisCache::doGetMany(const QList<QByteArray> &keys)
{
    QList<std::optional<PyValue>> values;
    if (keys.isEmpty())
        return values;
    // One MGET encoded straight into the request (no prefixed copy of every key).
    QByteArray request;
    request.reserve(16 + keys.size() * (m_prefix.size() + 24));
    RedisClient::appendArrayHeader(request, keys.size() + 1);
    RedisClient::appendBulk(request, {QByteArrayView("MGET")});
    quint64 argBytes = 4;
    for (const auto &k : keys) {
        RedisClient::appendBulk(request, {m_prefix, k});
        argBytes += quint64(m_prefix.size() + k.size());
    }
    auto replies = runEncoded(request, 1, argBytes, Op{"get_many", {}, keys.size(), true});
    if (!replies)
        return Error{replies.error()};
    const RedisReply *r = &replies->front();
    if (r->elements.size() != size_t(keys.size()))
        return makeError(QStringLiteral("RedisCache get_many: %1 replied with %2 values for %3 keys")
                             .arg(location()).arg(r->elements.size()).arg(keys.size()));
    values.reserve(keys.size());
    for (qsizetype i = 0; i < keys.size(); ++i) {
        auto v = decode(r->elements[size_t(i)], keys.at(i));
        if (!v)
            return Error{v.error()};
        values.append(std::move(*v));
    }
    return values;
}

Expected<QList<QByteArray>> RedisCache::doSetMany(const QList<std::pair<QByteArray, PyValue>> &items, Timeout timeout)
{
    if (items.isEmpty())
        return QList<QByteArray>{};
    const qint64 t = normalizeTimeout(timeout);
    const QByteArray seconds = t == 0 ? QByteArray() : QByteArray::number(t);
    // SET/SETEX are idempotent; encoded straight into one request (no argument list per item).
    QByteArray request;
    quint64 argBytes = 0;
    for (const auto &[key, value] : items) {
        auto dump = dumps(value);
        if (!dump)
            return makeError(QStringLiteral("RedisCache %1: %2").arg(Op{"set_many", key}.toString(), dump.error()));
        if (request.isEmpty())
            request.reserve(items.size() * (m_prefix.size() + key.size() + dump->size() + seconds.size() + 48));
        const QByteArrayView verb = t == 0 ? QByteArrayView("SET") : QByteArrayView("SETEX");
        RedisClient::appendArrayHeader(request, t == 0 ? 3 : 4);
        RedisClient::appendBulk(request, {verb});
        RedisClient::appendBulk(request, {m_prefix, key});
        if (t != 0)
            RedisClient::appendBulk(request, {seconds});
        RedisClient::appendBulk(request, {*dump});
        argBytes += quint64(verb.size() + m_prefix.size() + key.size() + seconds.size() + dump->size());
    }
    auto r = runEncoded(request, items.size(), argBytes, Op{"set_many", {}, items.size()});
    if (!r)
        return Error{r.error()};
    QList<QByteArray> written;
    for (qsizetype i = 0; i < items.size(); ++i)
        if ((*r)[size_t(i)].type == RedisReply::Type::Status)
            written.append(items.at(i).first);
    return written;
}

Expected<std::optional<qint64>> RedisCache::doInc(const QByteArray &key, qint64 delta)
{
    auto r = run({QByteArrayLiteral("INCRBY"), m_prefix + key, QByteArray::number(delta)},
                 Op{delta < 0 ? "dec" : "inc", key});
    if (!r)
        return Error{r.error()};
    return std::optional<qint64>(r->integer);
}

Expected<std::optional<QByteArray>> RedisCache::doRawGet(const QByteArray &key)
{
    auto r = run({QByteArrayLiteral("GET"), m_prefix + key}, Op{"rawGet", key});
    if (!r)
        return Error{r.error()};
    if (r->isNil())
        return std::optional<QByteArray>{};
    return std::optional<QByteArray>(r->string);
}

Expected<EntryTtl> RedisCache::doTtl(const QByteArray &key)
{
    auto r = run({QByteArrayLiteral("PTTL"), m_prefix + key}, Op{"ttl", key});
    if (!r)
        return Error{r.error()};
    EntryTtl ttl;
    if (r->integer == -2)
        ttl.state = EntryTtl::State::Missing;
    else if (r->integer == -1)
        ttl.state = EntryTtl::State::Never;
    else {
        ttl.state = EntryTtl::State::Expires;
        ttl.seconds = (r->integer + 999) / 1000; // what TTL would say, rounded up like a countdown
    }
    return ttl;
}

Expected<std::optional<qint64>> RedisCache::doEntrySize(const QByteArray &key)
{
    const Op what{"entrySize", key};
    {
        QMutexLocker lock(&m_mutex);
        auto r = m_client.command({QByteArrayLiteral("MEMORY"), QByteArrayLiteral("USAGE"), m_prefix + key});
        if (!r)
            return makeError(QStringLiteral("RedisCache %1: %2").arg(what.toString(), r.error()));
        if (r->isNil())
            return std::optional<qint64>{};
        if (r->type == RedisReply::Type::Integer)
            return std::optional<qint64>(r->integer);
        // MEMORY disabled (renamed, ACL, old server): fall back to the value length below.
    }
    auto exists = run({QByteArrayLiteral("EXISTS"), m_prefix + key}, what);
    if (!exists)
        return Error{exists.error()};
    if (exists->integer == 0)
        return std::optional<qint64>{};
    auto len = run({QByteArrayLiteral("STRLEN"), m_prefix + key}, what);
    if (!len)
        return Error{len.error()};
    return std::optional<qint64>(len->integer);
}

Expected<ScanPage> RedisCache::doScan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    const QByteArray start = cursor.isEmpty() ? QByteArrayLiteral("0") : cursor;
    auto r = run({QByteArrayLiteral("SCAN"), start, QByteArrayLiteral("MATCH"), escapeGlob(m_prefix) + (glob.isEmpty() ? QByteArrayLiteral("*") : glob),
                  QByteArrayLiteral("COUNT"), QByteArray::number(qBound(1, count, 100000))},
                 Op{"scan"});
    if (!r)
        return Error{r.error()};
    if (r->type != RedisReply::Type::Array || r->elements.size() != 2)
        return makeError(QStringLiteral("RedisCache scan: malformed SCAN reply from %1").arg(location()));
    ScanPage page;
    page.nextCursor = r->elements[0].string; // opaque unsigned 64-bit: kept as the bytes returned
    page.keys.reserve(qsizetype(r->elements[1].elements.size()));
    for (const auto &k : r->elements[1].elements)
        if (k.string.startsWith(m_prefix))
            page.keys.append(k.string.sliced(m_prefix.size()));
    return page;
}

} // namespace cachescope
