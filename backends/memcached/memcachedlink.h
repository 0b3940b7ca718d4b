#pragma once

#include "common/expected.h"
#include "memcachedbinary.h"
#include "memcachedsocket.h"
#include "memcachedvalue.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace cachescope {

// One memcached server spoken to in one protocol, over one MemcachedSocket:
// - the text ("ASCII") protocol when no credentials are given: every command, plus what only it
//   has — `mg` (TTL and size without the value), `stats detail dump`, `lru_crawler metadump`;
// - the binary protocol with SASL authentication (PLAIN, or CRAM-MD5 when offered, which never
//   sends the password) when a username is given: memcached started with -S speaks nothing
//   else (it does not even answer a text command), and pylibmc's SASL clients use it too
//   (Flask-Caching's SASLMemcachedCache passes binary=True). Over it there is no TTL query and no
//   key listing; those calls fail saying so.
// Operations batch their keys into one round trip. A broken connection is reopened once for
// operations that may be repeated (get, set, delete, touch, stats, mg); add and incr/decr are
// never sent twice. Protocol errors (CLIENT_ERROR, SERVER_ERROR, binary status codes) come back
// as Errors naming the server, the operation and the server's words.
// Sources: memcached/memcached › doc/protocol.txt, doc/protocol-binary.xml (@1.6.18),
// proto_bin.c (SASL opcodes); RFC 4616 (PLAIN), RFC 2195 (CRAM-MD5).
class MemcachedLink
{
public:
    struct Credentials
    {
        QString username;
        QString password; // secret: never in messages or logs
        bool isSet() const { return !username.isEmpty(); }
    };
    enum class Protocol { Text, Binary };

    MemcachedLink(MemcachedEndpoint endpoint, std::chrono::milliseconds timeout, Credentials credentials = {});
    ~MemcachedLink();
    MemcachedLink(const MemcachedLink &) = delete;
    MemcachedLink &operator=(const MemcachedLink &) = delete;

    Protocol protocol() const { return m_credentials.isSet() ? Protocol::Binary : Protocol::Text; }
    QString serverName() const { return m_socket.endpoint().name(); }
    const MemcachedEndpoint &endpoint() const { return m_socket.endpoint(); }
    Expected<bool> open(); // connects (and authenticates) unless already open
    void close();

    struct Value
    {
        QByteArray key;
        MemcachedItem item;
    };
    // The keys that exist, in request order.
    Expected<QList<Value>> get(const QList<QByteArray> &keys);

    enum class StoreCommand { Set, Add };
    enum class StoreResult { Stored, NotStored };
    struct Store
    {
        StoreCommand command = StoreCommand::Set;
        QByteArray key;
        MemcachedItem item;
        qint64 exptime = 0; // memcached's: 0 never, <= 30 days relative, else absolute Unix time
    };
    Expected<QList<StoreResult>> store(const QList<Store> &stores);
    // True for each key that existed and was deleted.
    Expected<QList<bool>> remove(const QList<QByteArray> &keys);
    // The new value, nullopt when the key does not exist. decr stops at 0 (memcached).
    Expected<std::optional<quint64>> incrDecr(const QByteArray &key, quint64 delta, bool increment);
    // True for each key that existed.
    Expected<QList<bool>> touch(const QList<QByteArray> &keys, qint64 exptime);

    struct Meta
    {
        qint64 ttl = -1;  // seconds left, -1 never expires
        qint64 size = 0;  // value bytes
        quint32 flags = 0;
    };
    // Text protocol only (`mg <key> t s f`, memcached >= 1.6): nullopt for a missing key.
    Expected<QList<std::optional<Meta>>> meta(const QList<QByteArray> &keys);

    // "stats" (group empty), "stats items", "stats slabs", "stats settings": name/value pairs.
    Expected<QList<std::pair<QByteArray, QByteArray>>> stats(const QByteArray &group = {});
    // `stats detail dump`: the PREFIX lines (text protocol only).
    Expected<QList<QByteArray>> statsDetailDump();
    // Streams `lru_crawler metadump <what>` ("all" or a slab class): onLine gets every key line;
    // returning false stops early (the link then closes, since the rest of the reply is unread).
    // Busy: another crawl (memcached's own background one, or another client's) holds the
    // crawler; nothing was listed and the caller may try again shortly.
    enum class MetadumpOutcome { Complete, Stopped, Busy };
    Expected<MetadumpOutcome> metadump(const QByteArray &what, const std::function<bool(QByteArrayView line)> &onLine);
    Expected<QByteArray> version();

private:
    Expected<bool> authenticate();
    // Runs f once, and once more on a fresh connection when it failed on a reused one (a
    // server restart or idle timeout in between) and repeatable() says a second run cannot
    // change the result.
    template<typename Repeatable, typename F>
    auto run(Repeatable &&repeatable, F &&f) -> decltype(f());
    Error serverError(const char *operation, const QString &reply);
    Error metadumpRefused(QByteArrayView line, const QString &reply);
    Expected<QByteArray> textLine(const char *operation);

    // Binary protocol (memcachedbinary.cpp).
    Expected<bool> sendPackets(const QList<QByteArray> &packets);
    Expected<memcachedbinary::Response> readPacket(const char *operation);

    MemcachedSocket m_socket;
    Credentials m_credentials;
    bool m_serverReplied = false; // the last failure was the server's answer, not a broken link
};

} // namespace cachescope
