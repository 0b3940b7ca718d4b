#include "memcachedlink.h"

#include "memcachedbinary.h"
#include "memcachedreplies.h"

namespace cachescope {

using memcachedbinary::Opcode;
using memcachedbinary::Status;

namespace {

// Keys per text `get` line and per pipelined batch: memcached reads long lines fine, but a
// bounded request keeps each read and write small.
constexpr qsizetype kKeysPerRequest = 100;
constexpr qsizetype kMaxValueBytes = 1ll << 30; // memcached's -I cannot exceed 1 GiB

QByteArray exptimeText(qint64 exptime)
{
    return QByteArray::number(exptime);
}

} // namespace

MemcachedLink::MemcachedLink(MemcachedEndpoint endpoint, std::chrono::milliseconds timeout, Credentials credentials)
    : m_socket(std::move(endpoint), timeout), m_credentials(std::move(credentials))
{
}

MemcachedLink::~MemcachedLink() = default;

void MemcachedLink::close()
{
    m_socket.close();
}

Expected<bool> MemcachedLink::open()
{
    if (m_socket.isOpen())
        return true;
    if (auto ok = m_socket.open(); !ok)
        return ok;
    if (protocol() == Protocol::Binary)
        return authenticate();
    return true;
}

Error MemcachedLink::serverError(const char *operation, const QString &reply)
{
    // After an error reply the stream position is unknown: start the next call on a new connection.
    m_socket.close();
    m_serverReplied = true;
    return makeError(QStringLiteral("memcached %1: %2 failed: the server replied \"%3\"")
                         .arg(serverName(), QLatin1String(operation), reply));
}

template<typename Repeatable, typename F>
auto MemcachedLink::run(Repeatable &&repeatable, F &&f) -> decltype(f())
{
    const bool wasOpen = m_socket.isOpen();
    m_serverReplied = false;
    if (auto ok = open(); !ok)
        return Error{ok.error()};
    auto result = f();
    if (!result && wasOpen && !m_socket.isOpen() && !m_serverReplied && repeatable()) {
        // The connection broke under a reused link (server restart, idle timeout): once more.
        if (auto ok = open(); !ok)
            return Error{ok.error()};
        result = f();
    }
    if (!result || m_socket.buffered() > 0)
        m_socket.close(); // never leave half a reply for the next call to misread
    return result;
}

Expected<QByteArray> MemcachedLink::textLine(const char *operation)
{
    auto line = m_socket.readLine();
    if (!line)
        return Error{line.error()};
    if (auto error = memcachedreplies::errorReply(*line))
        return serverError(operation, *error);
    return line;
}

Expected<QList<MemcachedLink::Value>> MemcachedLink::get(const QList<QByteArray> &keys)
{
    return run([] { return true; }, [&]() -> Expected<QList<Value>> {
        QList<Value> found;
        if (keys.isEmpty())
            return found;
        if (protocol() == Protocol::Binary) {
            QList<QByteArray> packets;
            for (const auto &key : keys)
                packets.append(memcachedbinary::request(Opcode::GetK, key));
            if (auto ok = sendPackets(packets); !ok)
                return Error{ok.error()};
            for (qsizetype i = 0; i < keys.size(); ++i) {
                auto p = readPacket("get");
                if (!p)
                    return Error{p.error()};
                if (p->status == Status::KeyNotFound)
                    continue;
                if (p->status != Status::Ok || p->extras.size() != 4)
                    return serverError("get", memcachedbinary::statusText(p->status, p->value));
                found.append(Value{p->key, MemcachedItem{memcachedbinary::readUInt32(p->extras, 0), p->value}});
            }
            return found;
        }
        QByteArray request;
        for (qsizetype at = 0; at < keys.size(); at += kKeysPerRequest) {
            request += "get";
            for (const auto &key : keys.mid(at, kKeysPerRequest))
                request += ' ' + key;
            request += "\r\n";
        }
        if (auto ok = m_socket.write(request); !ok)
            return Error{ok.error()};
        for (qsizetype at = 0; at < keys.size(); at += kKeysPerRequest) {
            for (;;) {
                auto line = textLine("get");
                if (!line)
                    return Error{line.error()};
                if (*line == "END")
                    break;
                auto header = memcachedreplies::parseValueLine(*line);
                if (!header)
                    return serverError("get", header.error());
                if (header->bytes > kMaxValueBytes)
                    return serverError("get", QStringLiteral("a %1-byte value").arg(header->bytes));
                auto data = m_socket.read(header->bytes + 2);
                if (!data)
                    return Error{data.error()};
                if (!data->endsWith("\r\n"))
                    return serverError("get", QStringLiteral("value block not ended by \\r\\n"));
                data->chop(2);
                found.append(Value{header->key, MemcachedItem{header->flags, std::move(*data)}});
            }
        }
        return found;
    });
}

Expected<QList<MemcachedLink::StoreResult>> MemcachedLink::store(const QList<Store> &stores)
{
    bool repeatable = true;
    for (const auto &s : stores)
        repeatable = repeatable && s.command == StoreCommand::Set;
    return run([repeatable] { return repeatable; }, [&]() -> Expected<QList<StoreResult>> {
        QList<StoreResult> results;
        if (protocol() == Protocol::Binary) {
            QList<QByteArray> packets;
            for (const auto &s : stores) {
                QByteArray extras;
                memcachedbinary::appendUInt32(extras, s.item.flags);
                memcachedbinary::appendUInt32(extras, quint32(s.exptime));
                packets.append(memcachedbinary::request(s.command == StoreCommand::Add ? Opcode::Add : Opcode::Set, s.key,
                                                        s.item.data, extras));
            }
            if (auto ok = sendPackets(packets); !ok)
                return Error{ok.error()};
            for (qsizetype i = 0; i < stores.size(); ++i) {
                auto p = readPacket("store");
                if (!p)
                    return Error{p.error()};
                if (p->status == Status::Ok)
                    results.append(StoreResult::Stored);
                else if (p->status == Status::KeyExists || p->status == Status::NotStored)
                    results.append(StoreResult::NotStored);
                else
                    return serverError(stores[i].command == StoreCommand::Add ? "add" : "set",
                                       memcachedbinary::statusText(p->status, p->value));
            }
            return results;
        }
        QByteArray request;
        for (const auto &s : stores) {
            request += (s.command == StoreCommand::Add ? "add " : "set ") + s.key + ' ' + QByteArray::number(s.item.flags)
                     + ' ' + exptimeText(s.exptime) + ' ' + QByteArray::number(s.item.data.size()) + "\r\n";
            request += s.item.data;
            request += "\r\n";
        }
        if (auto ok = m_socket.write(request); !ok)
            return Error{ok.error()};
        for (const auto &s : stores) {
            auto line = textLine(s.command == StoreCommand::Add ? "add" : "set");
            if (!line)
                return Error{line.error()};
            if (*line == "STORED")
                results.append(StoreResult::Stored);
            else if (*line == "NOT_STORED" || *line == "EXISTS" || *line == "NOT_FOUND")
                results.append(StoreResult::NotStored);
            else
                return serverError("store", QString::fromUtf8(*line));
        }
        return results;
    });
}

Expected<QList<bool>> MemcachedLink::remove(const QList<QByteArray> &keys)
{
    return run([] { return true; }, [&]() -> Expected<QList<bool>> {
        QList<bool> deleted;
        if (protocol() == Protocol::Binary) {
            QList<QByteArray> packets;
            for (const auto &key : keys)
                packets.append(memcachedbinary::request(Opcode::Delete, key));
            if (auto ok = sendPackets(packets); !ok)
                return Error{ok.error()};
            for (qsizetype i = 0; i < keys.size(); ++i) {
                auto p = readPacket("delete");
                if (!p)
                    return Error{p.error()};
                if (p->status != Status::Ok && p->status != Status::KeyNotFound)
                    return serverError("delete", memcachedbinary::statusText(p->status, p->value));
                deleted.append(p->status == Status::Ok);
            }
            return deleted;
        }
        QByteArray request;
        for (const auto &key : keys)
            request += "delete " + key + "\r\n";
        if (auto ok = m_socket.write(request); !ok)
            return Error{ok.error()};
        for (qsizetype i = 0; i < keys.size(); ++i) {
            auto line = textLine("delete");
            if (!line)
                return Error{line.error()};
            if (*line != "DELETED" && *line != "NOT_FOUND")
                return serverError("delete", QString::fromUtf8(*line));
            deleted.append(*line == "DELETED");
        }
        return deleted;
    });
}

Expected<std::optional<quint64>> MemcachedLink::incrDecr(const QByteArray &key, quint64 delta, bool increment)
{
    const char *operation = increment ? "incr" : "decr";
    return run([] { return false; }, [&]() -> Expected<std::optional<quint64>> {
        if (protocol() == Protocol::Binary) {
            QByteArray extras;
            memcachedbinary::appendUInt64(extras, delta);
            memcachedbinary::appendUInt64(extras, 0);
            memcachedbinary::appendUInt32(extras, 0xffffffffu); // do not create a missing key
            if (auto ok = sendPackets({memcachedbinary::request(increment ? Opcode::Increment : Opcode::Decrement, key, {},
                                                                extras)});
                !ok)
                return Error{ok.error()};
            auto p = readPacket(operation);
            if (!p)
                return Error{p.error()};
            if (p->status == Status::KeyNotFound)
                return std::optional<quint64>{};
            if (p->status != Status::Ok || p->value.size() != 8)
                return serverError(operation, memcachedbinary::statusText(p->status, p->value));
            return std::optional<quint64>(memcachedbinary::readUInt64(p->value, 0));
        }
        if (auto ok = m_socket.write(QByteArray(QByteArray(operation) + ' ' + key + ' ' + QByteArray::number(delta) + "\r\n")); !ok)
            return Error{ok.error()};
        auto line = textLine(operation);
        if (!line)
            return Error{line.error()};
        if (*line == "NOT_FOUND")
            return std::optional<quint64>{};
        bool ok = false;
        const quint64 value = line->toULongLong(&ok);
        if (!ok)
            return serverError(operation, QString::fromUtf8(*line));
        return std::optional<quint64>(value);
    });
}

Expected<QList<bool>> MemcachedLink::touch(const QList<QByteArray> &keys, qint64 exptime)
{
    return run([] { return true; }, [&]() -> Expected<QList<bool>> {
        QList<bool> touched;
        if (protocol() == Protocol::Binary) {
            QList<QByteArray> packets;
            for (const auto &key : keys) {
                QByteArray extras;
                memcachedbinary::appendUInt32(extras, quint32(exptime));
                packets.append(memcachedbinary::request(Opcode::Touch, key, {}, extras));
            }
            if (auto ok = sendPackets(packets); !ok)
                return Error{ok.error()};
            for (qsizetype i = 0; i < keys.size(); ++i) {
                auto p = readPacket("touch");
                if (!p)
                    return Error{p.error()};
                if (p->status != Status::Ok && p->status != Status::KeyNotFound)
                    return serverError("touch", memcachedbinary::statusText(p->status, p->value));
                touched.append(p->status == Status::Ok);
            }
            return touched;
        }
        QByteArray request;
        for (const auto &key : keys)
            request += "touch " + key + ' ' + exptimeText(exptime) + "\r\n";
        if (auto ok = m_socket.write(request); !ok)
            return Error{ok.error()};
        for (qsizetype i = 0; i < keys.size(); ++i) {
            auto line = textLine("touch");
            if (!line)
                return Error{line.error()};
            if (*line != "TOUCHED" && *line != "NOT_FOUND")
                return serverError("touch", QString::fromUtf8(*line));
            touched.append(*line == "TOUCHED");
        }
        return touched;
    });
}

Expected<QList<std::optional<MemcachedLink::Meta>>> MemcachedLink::meta(const QList<QByteArray> &keys)
{
    if (protocol() == Protocol::Binary)
        return makeError(QStringLiteral("memcached %1: TTLs cannot be read over the binary protocol that SASL "
                                        "authentication requires (it has no meta commands)")
                             .arg(serverName()));
    return run([] { return true; }, [&]() -> Expected<QList<std::optional<Meta>>> {
        QList<std::optional<Meta>> out;
        QByteArray request;
        for (const auto &key : keys)
            request += "mg " + key + " t s f\r\n";
        if (auto ok = m_socket.write(request); !ok)
            return Error{ok.error()};
        for (qsizetype i = 0; i < keys.size(); ++i) {
            auto line = m_socket.readLine();
            if (!line)
                return Error{line.error()};
            if (*line == "ERROR")
                return serverError("mg", QStringLiteral("ERROR (meta commands need memcached 1.6 or later)"));
            if (auto error = memcachedreplies::errorReply(*line))
                return serverError("mg", *error);
            auto m = memcachedreplies::parseMetaLine(*line);
            if (!m)
                return serverError("mg", m.error());
            if (m->valueBytes >= 0) // not asked for ("v"), but skip a value block if one comes
                if (auto skipped = m_socket.read(m->valueBytes + 2); !skipped)
                    return Error{skipped.error()};
            out.append(m->found ? std::optional<Meta>(Meta{m->ttl, m->size, m->flags}) : std::nullopt);
        }
        return out;
    });
}

Expected<QList<std::pair<QByteArray, QByteArray>>> MemcachedLink::stats(const QByteArray &group)
{
    return run([] { return true; }, [&]() -> Expected<QList<std::pair<QByteArray, QByteArray>>> {
        QList<std::pair<QByteArray, QByteArray>> out;
        if (protocol() == Protocol::Binary) {
            if (auto ok = sendPackets({memcachedbinary::request(Opcode::Stat, group)}); !ok)
                return Error{ok.error()};
            for (int n = 0; n < 100000; ++n) {
                auto p = readPacket("stats");
                if (!p)
                    return Error{p.error()};
                if (p->status != Status::Ok)
                    return serverError("stats", memcachedbinary::statusText(p->status, p->value));
                if (p->key.isEmpty())
                    return out;
                out.append({p->key, p->value});
            }
            return serverError("stats", QStringLiteral("more than 100000 statistics"));
        }
        if (auto ok = m_socket.write(group.isEmpty() ? QByteArray("stats\r\n") : QByteArray("stats " + group + "\r\n")); !ok)
            return Error{ok.error()};
        for (int n = 0; n < 100000; ++n) {
            auto line = textLine("stats");
            if (!line)
                return Error{line.error()};
            if (*line == "END")
                return out;
            auto stat = memcachedreplies::parseStatLine(*line);
            if (!stat)
                return serverError("stats", stat.error());
            out.append(std::move(*stat));
        }
        return serverError("stats", QStringLiteral("more than 100000 statistics"));
    });
}

Expected<QList<QByteArray>> MemcachedLink::statsDetailDump()
{
    if (protocol() == Protocol::Binary)
        return makeError(QStringLiteral("memcached %1: per-prefix statistics (stats detail dump) are not read over "
                                        "the binary protocol that SASL authentication requires")
                             .arg(serverName()));
    return run([] { return true; }, [&]() -> Expected<QList<QByteArray>> {
        QList<QByteArray> lines;
        if (auto ok = m_socket.write("stats detail dump\r\n"); !ok)
            return Error{ok.error()};
        for (int n = 0; n < 1000000; ++n) {
            auto line = textLine("stats detail dump");
            if (!line)
                return Error{line.error()};
            if (*line == "END")
                return lines;
            lines.append(std::move(*line));
        }
        return serverError("stats detail dump", QStringLiteral("more than a million prefixes"));
    });
}

// The three ways a server refuses to list its keys (memcached 1.6.18, proto_text.c), each with what
// the user can do about it. CacheScope never changes a server setting to get around them.
Error MemcachedLink::metadumpRefused(QByteArrayView line, const QString &reply)
{
    QString reason;
    if (line == QByteArrayView("ERROR metadump not allowed"))
        reason = QStringLiteral("the server was started with -X (--disable-dumping), which forbids lru_crawler metadump");
    else if (line == QByteArrayView("CLIENT_ERROR lru crawler disabled"))
        reason = QStringLiteral("the server's LRU crawler is off (-o no_lru_crawler); `lru_crawler enable` on the server "
                                "turns it on");
    else if (line == QByteArrayView("ERROR"))
        reason = QStringLiteral("the server does not know lru_crawler metadump, which memcached 1.4.31 added");
    else
        reason = QStringLiteral("lru_crawler metadump failed (it needs memcached 1.4.31 or later, started without -X)");
    m_socket.close(); // as serverError: the stream position after an error reply is unknown
    m_serverReplied = true;
    return makeError(QStringLiteral("memcached %1: keys cannot be listed: %2; the server replied \"%3\"")
                         .arg(serverName(), reason, reply));
}

Expected<MemcachedLink::MetadumpOutcome> MemcachedLink::metadump(const QByteArray &what,
                                                                  const std::function<bool(QByteArrayView line)> &onLine)
{
    if (protocol() == Protocol::Binary)
        return makeError(QStringLiteral("memcached %1: keys cannot be listed: lru_crawler metadump exists only in the "
                                        "text protocol, and this server is reached over the binary protocol that SASL "
                                        "authentication requires")
                             .arg(serverName()));
    // Repeated only when no line reached onLine yet, so no key is reported twice.
    bool delivered = false;
    return run([&delivered] { return !delivered; }, [&]() -> Expected<MetadumpOutcome> {
        if (auto ok = m_socket.write(QByteArray("lru_crawler metadump " + what + "\r\n")); !ok)
            return Error{ok.error()};
        bool first = true;
        for (;;) {
            // Key lines end in "\n", the final END in "\r\n"; readLine takes both.
            auto line = m_socket.readLine(4096);
            if (!line)
                return Error{line.error()};
            if (*line == "END")
                return MetadumpOutcome::Complete;
            if (first) {
                first = false;
                if (line->startsWith("BUSY"))
                    return MetadumpOutcome::Busy; // a one-line answer: the link stays usable
                if (auto error = memcachedreplies::errorReply(*line))
                    return metadumpRefused(*line, *error);
            }
            delivered = true;
            if (!onLine(*line)) {
                m_socket.close();
                return MetadumpOutcome::Stopped;
            }
        }
    });
}

Expected<QByteArray> MemcachedLink::version()
{
    return run([] { return true; }, [&]() -> Expected<QByteArray> {
        if (protocol() == Protocol::Binary) {
            if (auto ok = sendPackets({memcachedbinary::request(Opcode::Version, {})}); !ok)
                return Error{ok.error()};
            auto p = readPacket("version");
            if (!p)
                return Error{p.error()};
            if (p->status != Status::Ok)
                return serverError("version", memcachedbinary::statusText(p->status, p->value));
            return p->value;
        }
        if (auto ok = m_socket.write("version\r\n"); !ok)
            return Error{ok.error()};
        auto line = textLine("version");
        if (!line)
            return Error{line.error()};
        if (!line->startsWith("VERSION "))
            return serverError("version", QString::fromUtf8(*line));
        return line->mid(8);
    });
}

} // namespace cachescope
