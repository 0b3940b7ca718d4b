#include "rediscluster.h"

#include "redisconnector.h"

#include <QSet>
#include <QThread>

#include <algorithm>

namespace cachescope {

namespace {

// CRC16-CCITT (XMODEM), polynomial 0x1021: redis/src/crc16.c, computed once at compile time.
constexpr std::array<quint16, 256> makeCrcTable()
{
    std::array<quint16, 256> t{};
    for (int i = 0; i < 256; ++i) {
        quint16 c = quint16(i << 8);
        for (int b = 0; b < 8; ++b)
            c = (c & 0x8000) ? quint16((c << 1) ^ 0x1021) : quint16(c << 1);
        t[size_t(i)] = c;
    }
    return t;
}
constexpr std::array<quint16, 256> kCrcTable = makeCrcTable();

quint16 crc16(QByteArrayView bytes)
{
    quint16 crc = 0;
    for (const char ch : bytes)
        crc = quint16((crc << 8) ^ kCrcTable[size_t(((crc >> 8) ^ quint8(ch)) & 0xff)]);
    return crc;
}

QString hostPort(const QString &host, int port)
{
    return (host.contains(u':') ? QStringLiteral("[%1]").arg(host) : host) + u':' + QString::number(port);
}

// "127.0.0.1:7001" -> host, port (the last colon: an IPv6 host is bracketed or bare).
QPair<QString, int> splitNode(const QString &node)
{
    const qsizetype colon = node.lastIndexOf(u':');
    QString host = node.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return {host, node.mid(colon + 1).toInt()};
}

// Commands whose keys may fall in several slots: sent once per slot, replies joined.
bool isSplittable(const QByteArray &name)
{
    return name == "MGET" || name == "DEL" || name == "UNLINK" || name == "EXISTS" || name == "TOUCH";
}

struct Redirect
{
    enum class Kind { None, Moved, Ask, TryAgain } kind = Kind::None;
    int slot = -1;
    QString node;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" / "TRYAGAIN ...". An empty host
// (a node without a known endpoint) means the node that answered.
Redirect redirectOf(const RedisReply &r, const QString &answeredBy)
{
    Redirect out;
    if (!r.isError())
        return out;
    if (r.string.startsWith("TRYAGAIN")) {
        out.kind = Redirect::Kind::TryAgain;
        return out;
    }
    const bool moved = r.string.startsWith("MOVED ");
    if (!moved && !r.string.startsWith("ASK "))
        return out;
    const QList<QByteArray> parts = r.string.split(' ');
    if (parts.size() != 3)
        return out;
    bool ok = false;
    out.slot = parts[1].toInt(&ok);
    if (!ok || out.slot < 0 || out.slot >= RedisClusterRouter::kSlots)
        return out;
    QString node = QString::fromUtf8(parts[2]);
    if (node.startsWith(u':'))
        node = splitNode(answeredBy).first + node;
    out.node = node;
    out.kind = moved ? Redirect::Kind::Moved : Redirect::Kind::Ask;
    return out;
}

} // namespace

// One command (or one slot's share of a split one) on its way to a master.
struct RedisClusterRouter::Part
{
    qsizetype command = 0;      // index in run()'s commands
    QList<QByteArray> args;
    QList<qsizetype> positions; // a split MGET: where each key's value goes in the joined reply
    int slot = -1;
    QString node;
    bool scan = false;
    std::optional<RedisReply> reply;
};

RedisClusterRouter::RedisClusterRouter(RedisUrl url, QList<QPair<QString, int>> seeds)
    : m_url(std::move(url)), m_seeds(std::move(seeds))
{
    m_url.sentinel.reset();
    m_url.clusterNodes.clear();
    m_slotOwner.fill(-1);
}

RedisClusterRouter::~RedisClusterRouter() = default;

int RedisClusterRouter::keySlot(QByteArrayView key)
{
    // A {tag} with at least one byte between the braces: only the tag is hashed.
    const qsizetype open = key.indexOf('{');
    if (open >= 0) {
        const qsizetype close = key.indexOf('}', open + 1);
        if (close > open + 1)
            key = key.sliced(open + 1, close - open - 1);
    }
    return crc16(key) & (kSlots - 1);
}

int RedisClusterRouter::commandSlot(const QList<QByteArray> &args)
{
    if (args.size() < 2)
        return -1;
    const QByteArray name = args.first().toUpper();
    if (name == "MEMORY" || name == "OBJECT") // MEMORY USAGE key, OBJECT ENCODING key
        return args.size() > 2 && (name == "OBJECT" || args[1].toUpper() == "USAGE") ? keySlot(args[2]) : -1;
    static const QSet<QByteArray> keyless{"PING",   "INFO",    "SCAN",    "CLIENT", "DBSIZE", "CONFIG",  "CLUSTER",
                                          "ROLE",   "COMMAND", "TIME",    "ECHO",   "AUTH",   "HELLO",   "SELECT",
                                          "MONITOR", "PSUBSCRIBE", "SUBSCRIBE", "SLOWLOG", "LATENCY", "READONLY",
                                          "ASKING", "RANDOMKEY", "KEYS"};
    return keyless.contains(name) ? -1 : keySlot(args[1]);
}

bool RedisClusterRouter::isClusterReply(const RedisReply &reply)
{
    return reply.isError()
        && (reply.string.startsWith("MOVED ") || reply.string.startsWith("ASK ") || reply.string.startsWith("CROSSSLOT"));
}

QString RedisClusterRouter::name() const
{
    QStringList nodes = m_masters;
    if (nodes.isEmpty())
        for (const auto &[host, port] : m_seeds)
            nodes << hostPort(host, port);
    return QStringLiteral("cluster ") + nodes.join(u',');
}

Expected<RedisConnection *> RedisClusterRouter::connection(const QString &node)
{
    if (auto it = m_connections.find(node); it != m_connections.end() && !(*it)->isBroken())
        return it->get();
    RedisUrl url = m_url;
    std::tie(url.host, url.port) = splitNode(node);
    url.unixSocket.clear();
    url.db = 0; // a cluster has database 0 only (Flask-Caching's cluster cache ignores CACHE_REDIS_DB)
    RedisConnectOptions options;
    options.selectDb = false;
    auto c = RedisConnector::open(url, options);
    if (!c)
        return Error{c.error()};
    RedisConnection *raw = c->get();
    m_connections.insert(node, std::shared_ptr<RedisConnection>(std::move(*c)));
    return raw;
}

void RedisClusterRouter::dropConnection(const QString &node)
{
    m_connections.remove(node);
}

Expected<bool> RedisClusterRouter::refresh()
{
    // Known masters first (the seeds may be gone), then the seeds.
    QStringList candidates = m_masters;
    for (const auto &[host, port] : m_seeds)
        if (!candidates.contains(hostPort(host, port)))
            candidates << hostPort(host, port);
    QStringList failures;
    for (const QString &node : candidates) {
        auto c = connection(node);
        if (!c) {
            failures << c.error();
            continue;
        }
        auto reply = (*c)->command({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS")});
        if (!reply) {
            dropConnection(node);
            failures << reply.error();
            continue;
        }
        if (reply->isError()) {
            failures << QStringLiteral("%1: CLUSTER SLOTS: %2").arg(node, QString::fromUtf8(reply->string));
            continue;
        }
        std::array<qint16, kSlots> owner;
        owner.fill(-1);
        QList<QPair<qint64, QString>> firstSlot; // to order the masters
        QStringList masters;
        bool malformed = reply->type != RedisReply::Type::Array;
        for (const RedisReply &range : reply->elements) {
            if (range.type != RedisReply::Type::Array || range.elements.size() < 3
                || range.elements[2].type != RedisReply::Type::Array || range.elements[2].elements.size() < 2) {
                malformed = true;
                break;
            }
            const qint64 from = range.elements[0].integer, to = range.elements[1].integer;
            QString host = QString::fromUtf8(range.elements[2].elements[0].string);
            if (host.isEmpty() || host == u'?')
                host = splitNode(node).first; // no announced endpoint: the address we reached
            const QString master = hostPort(host, int(range.elements[2].elements[1].integer));
            if (from < 0 || to >= kSlots || from > to) {
                malformed = true;
                break;
            }
            qsizetype index = masters.indexOf(master);
            if (index < 0) {
                index = masters.size();
                masters << master;
                firstSlot.append({from, master});
            }
            for (qint64 s = from; s <= to; ++s)
                owner[size_t(s)] = qint16(index);
            for (auto &f : firstSlot)
                if (f.second == master)
                    f.first = std::min(f.first, from);
        }
        if (malformed || masters.isEmpty()) {
            failures << QStringLiteral("%1: CLUSTER SLOTS: %2").arg(node, malformed ? QStringLiteral("unexpected reply shape")
                                                                                      : QStringLiteral("no slots assigned"));
            continue;
        }
        std::sort(firstSlot.begin(), firstSlot.end());
        m_masters.clear();
        for (const auto &f : firstSlot)
            m_masters << f.second;
        for (int s = 0; s < kSlots; ++s)
            m_slotOwner[size_t(s)] = owner[size_t(s)] < 0 ? qint16(-1) : qint16(m_masters.indexOf(masters[owner[size_t(s)]]));
        // Connections to nodes that are no longer masters (a failover) are closed.
        for (const QString &known : m_connections.keys())
            if (!m_masters.contains(known))
                m_connections.remove(known);
        return true;
    }
    return makeError(QStringLiteral("no node of %1 gave its slot map: %2").arg(name(), failures.join(QStringLiteral("; "))));
}

QString RedisClusterRouter::masterOf(int slot) const
{
    if (m_masters.isEmpty())
        return {};
    if (slot < 0)
        return m_masters.first();
    const int owner = m_slotOwner[size_t(slot)];
    return owner < 0 ? QString() : m_masters.value(owner);
}

Expected<RedisReply> RedisClusterRouter::runOne(const QList<QByteArray> &args, QString node, bool resendable)
{
    const int slot = commandSlot(args);
    bool asking = false;
    bool refreshed = false;
    QString lastError;
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (node.isEmpty())
            return makeError(QStringLiteral("%1: no master serves slot %2").arg(name()).arg(slot));
        auto c = connection(node);
        Expected<std::vector<RedisReply>> replies = c ? Expected<std::vector<RedisReply>>(std::vector<RedisReply>{})
                                                      : Expected<std::vector<RedisReply>>(Error{c.error()});
        if (c) {
            QByteArray request;
            if (asking)
                RedisConnection::appendCommand(request, {QByteArrayLiteral("ASKING")});
            RedisConnection::appendCommand(request, args);
            replies = (*c)->roundTrip(request, asking ? 2 : 1, args.first().constData());
        }
        if (!replies) {
            // The node is gone (a failover, a restart): ask for the slot map again, once.
            dropConnection(node);
            lastError = replies.error();
            if (refreshed || (c && !resendable))
                return Error{lastError};
            refreshed = true;
            if (auto r = refresh(); !r)
                return makeError(lastError + QStringLiteral("; ") + r.error());
            node = masterOf(slot);
            asking = false;
            continue;
        }
        RedisReply reply = std::move(replies->back());
        const Redirect redirect = redirectOf(reply, node);
        switch (redirect.kind) {
        case Redirect::Kind::None:
            return reply;
        case Redirect::Kind::TryAgain: // a multi-key command during a slot migration
            QThread::msleep(20 * (attempt + 1));
            continue;
        case Redirect::Kind::Ask: // this one command goes to the importing node, the map stays
            node = redirect.node;
            asking = true;
            continue;
        case Redirect::Kind::Moved: {
            qsizetype index = m_masters.indexOf(redirect.node);
            if (index < 0) {
                index = m_masters.size();
                m_masters << redirect.node;
            }
            m_slotOwner[size_t(redirect.slot)] = qint16(index);
            node = redirect.node;
            asking = false;
            continue;
        }
        }
    }
    return makeError(QStringLiteral("%1: %2 was redirected too often (slots moving?)").arg(name(), QString::fromUtf8(args.first())));
}

Expected<std::vector<RedisReply>> RedisClusterRouter::run(const QList<QList<QByteArray>> &commands, bool resendable)
{
    if (!hasSlotMap())
        if (auto r = refresh(); !r)
            return Error{r.error()};
    // Split multi-key commands by slot; every part knows its master.
    std::vector<Part> parts;
    parts.reserve(size_t(commands.size()));
    for (qsizetype i = 0; i < commands.size(); ++i) {
        const QList<QByteArray> &args = commands[i];
        if (args.isEmpty())
            return makeError(QStringLiteral("%1: empty command").arg(name()));
        const QByteArray verb = args.first().toUpper();
        if (verb == "SCAN") { // every master at once, below
            Part p;
            p.command = i;
            p.args = args;
            p.scan = true;
            parts.push_back(std::move(p));
            continue;
        }
        if (isSplittable(verb) && args.size() > 2) {
            QHash<int, size_t> partOfSlot;
            for (qsizetype k = 1; k < args.size(); ++k) {
                const int slot = keySlot(args[k]);
                auto it = partOfSlot.find(slot);
                if (it == partOfSlot.end()) {
                    it = partOfSlot.insert(slot, parts.size());
                    Part p;
                    p.command = i;
                    p.args = {args.first()};
                    p.slot = slot;
                    p.node = masterOf(slot);
                    parts.push_back(std::move(p));
                }
                parts[*it].args.append(args[k]);
                parts[*it].positions.append(k - 1);
            }
            continue;
        }
        Part p;
        p.command = i;
        p.args = args;
        p.slot = commandSlot(args);
        p.node = masterOf(p.slot);
        parts.push_back(std::move(p));
    }

    // Every master's share written before any reply is read: the masters work in parallel.
    QStringList nodes;
    QHash<QString, QList<size_t>> partsOf;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].node.isEmpty() || parts[i].scan)
            continue; // uncovered slot: runOne reports it; SCAN: scanMasters
        if (!partsOf.contains(parts[i].node))
            nodes << parts[i].node;
        partsOf[parts[i].node].append(i);
    }
    QHash<QString, RedisConnection *> sent;
    for (const QString &node : nodes) {
        auto c = connection(node);
        if (!c)
            continue;
        QByteArray request;
        for (size_t i : partsOf[node])
            RedisConnection::appendCommand(request, parts[i].args);
        if ((*c)->write(request, "pipeline"))
            sent.insert(node, *c);
        else
            dropConnection(node);
    }
    for (const QString &node : nodes) {
        RedisConnection *c = sent.value(node);
        if (!c)
            continue;
        for (size_t i : partsOf[node]) {
            auto reply = c->read("pipeline");
            if (!reply) {
                dropConnection(node);
                break;
            }
            parts[i].reply = std::move(*reply);
        }
    }

    // What did not arrive, or was redirected, goes again one by one (redirects followed).
    bool refreshed = false;
    for (Part &p : parts) {
        if (p.scan) {
            auto reply = scanMasters(p.args);
            if (!reply)
                return Error{reply.error()};
            p.reply = std::move(*reply);
            continue;
        }
        if (p.reply && redirectOf(*p.reply, p.node).kind == Redirect::Kind::None)
            continue;
        const bool unanswered = !p.reply;
        if (unanswered && !resendable && sent.contains(p.node))
            return makeError(QStringLiteral("%1: %2 lost its connection while the command was sent; not sent again "
                                            "(it must not run twice)")
                                 .arg(name(), p.node));
        if (unanswered && !refreshed) { // a node failed: the slot map may have changed
            refreshed = true;
            if (auto r = refresh(); !r)
                return Error{r.error()};
            p.node = masterOf(p.slot);
        }
        auto reply = runOne(p.args, unanswered ? masterOf(p.slot) : p.node, resendable || !unanswered);
        if (!reply)
            return Error{reply.error()};
        p.reply = std::move(*reply);
    }

    // Put split commands back together: MGET's values in key order, counts summed.
    std::vector<RedisReply> out(size_t(commands.size()));
    std::vector<bool> started(size_t(commands.size()), false);
    for (Part &p : parts) {
        RedisReply &target = out[size_t(p.command)];
        RedisReply &reply = *p.reply;
        if (p.positions.isEmpty()) {
            target = std::move(reply);
            continue;
        }
        if (target.isError())
            continue;
        if (reply.isError()) {
            target = std::move(reply);
            continue;
        }
        if (!started[size_t(p.command)]) {
            started[size_t(p.command)] = true;
            target.type = reply.type;
            if (reply.type == RedisReply::Type::Array)
                target.elements.resize(size_t(commands[p.command].size() - 1));
        }
        if (reply.type == RedisReply::Type::Array) {
            for (qsizetype k = 0; k < p.positions.size() && size_t(k) < reply.elements.size(); ++k)
                target.elements[size_t(p.positions[k])] = std::move(reply.elements[size_t(k)]);
        } else {
            target.integer += reply.integer;
        }
    }
    return out;
}

Expected<std::vector<RedisReply>> RedisClusterRouter::onMasters(const QList<QPair<QString, QList<QByteArray>>> &commands)
{
    // A failure leaves replies unread on the other connections: none of them is reused.
    auto fail = [&](const QString &error) -> Expected<std::vector<RedisReply>> {
        for (const auto &c : commands)
            dropConnection(c.first);
        return makeError(error);
    };
    std::vector<RedisConnection *> conns;
    for (const auto &[node, args] : commands) {
        auto c = connection(node);
        if (!c)
            return fail(c.error());
        QByteArray request;
        RedisConnection::appendCommand(request, args);
        if (auto w = (*c)->write(request, args.first().constData()); !w)
            return fail(w.error());
        conns.push_back(*c);
    }
    std::vector<RedisReply> out;
    out.reserve(conns.size());
    for (size_t i = 0; i < conns.size(); ++i) {
        auto r = conns[i]->read(commands[qsizetype(i)].second.first().constData());
        if (!r)
            return fail(r.error());
        out.push_back(std::move(*r));
    }
    return out;
}

Expected<RedisReply> RedisClusterRouter::scanMasters(const QList<QByteArray> &args)
{
    if (args.size() < 2)
        return makeError(QStringLiteral("%1: SCAN without a cursor").arg(name()));
    QList<QByteArray> cursors = ClusterCursor::split(args[1], m_masters.size());
    if (cursors.isEmpty()) // the masters changed under the walk (a failover, a new node): begin again
        cursors = ClusterCursor::split(QByteArrayLiteral("0"), m_masters.size());
    QList<QPair<QString, QList<QByteArray>>> commands;
    QList<qsizetype> walking;
    for (qsizetype m = 0; m < m_masters.size(); ++m) {
        if (cursors[m] == "-")
            continue;
        QList<QByteArray> scan = args;
        scan[1] = cursors[m];
        commands.append({m_masters[m], scan});
        walking << m;
    }
    RedisReply out;
    out.type = RedisReply::Type::Array;
    out.elements.resize(2);
    out.elements[1].type = RedisReply::Type::Array;
    if (commands.isEmpty()) {
        out.elements[0].type = RedisReply::Type::String;
        out.elements[0].string = QByteArrayLiteral("0");
        return out;
    }
    auto replies = onMasters(commands);
    if (!replies) {
        refresh(); // a master may be gone: the next call works on the new map
        return Error{replies.error()};
    }
    size_t total = 0;
    for (qsizetype k = 0; k < walking.size(); ++k) {
        const RedisReply &r = (*replies)[size_t(k)];
        if (r.isError())
            return r;
        if (r.type != RedisReply::Type::Array || r.elements.size() != 2 || r.elements[1].type != RedisReply::Type::Array)
            return makeError(QStringLiteral("%1: SCAN on %2: unexpected reply shape").arg(name(), commands[k].first));
        total += r.elements[1].elements.size();
    }
    out.elements[1].elements.reserve(total);
    for (qsizetype k = 0; k < walking.size(); ++k) {
        RedisReply &r = (*replies)[size_t(k)];
        const QByteArray next = r.elements[0].string;
        cursors[walking[k]] = next == "0" ? QByteArrayLiteral("-") : next;
        for (RedisReply &key : r.elements[1].elements)
            out.elements[1].elements.push_back(std::move(key));
    }
    out.elements[0].type = RedisReply::Type::String;
    out.elements[0].string = ClusterCursor::join(cursors);
    return out;
}

QList<QByteArray> ClusterCursor::split(const QByteArray &cursor, qsizetype masters)
{
    if (cursor.isEmpty() || cursor == "0")
        return QList<QByteArray>(masters, QByteArrayLiteral("0"));
    QList<QByteArray> parts = cursor.split(',');
    if (parts.size() != masters)
        return {};
    for (const QByteArray &p : parts) {
        if (p == "-")
            continue;
        bool ok = false;
        p.toULongLong(&ok);
        if (!ok)
            return {};
    }
    return parts;
}

QByteArray ClusterCursor::join(const QList<QByteArray> &cursors)
{
    if (std::all_of(cursors.begin(), cursors.end(), [](const QByteArray &c) { return c == "-"; }))
        return QByteArrayLiteral("0");
    QByteArray out;
    for (const QByteArray &c : cursors) {
        if (!out.isEmpty())
            out += ',';
        out += c;
    }
    return out;
}

} // namespace cachescope
