#include "rediscluster.h"

#include "redisconnector.h"
#include "cache/globmatch.h"

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

// Commands whose keys may fall in several slots: sent once per slot, replies joined.
bool isSplittable(const QByteArray &name)
{
    return name == "MGET" || name == "DEL" || name == "UNLINK" || name == "EXISTS" || name == "TOUCH";
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
            nodes << clusterHostPort(host, port);
    return QStringLiteral("cluster ") + nodes.join(u',');
}

Expected<std::unique_ptr<RedisConnection>> RedisClusterRouter::openNode(const QString &node) const
{
    RedisConnectOptions options;
    options.selectDb = false;
    return RedisConnector::open(m_url.clusterNode(node), options);
}

Expected<RedisConnection *> RedisClusterRouter::connection(const QString &node)
{
    if (auto it = m_connections.find(node); it != m_connections.end() && !(*it)->isBroken())
        return it->get();
    auto c = openNode(node);
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
        if (!candidates.contains(clusterHostPort(host, port)))
            candidates << clusterHostPort(host, port);
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
        auto map = ClusterSlotMap::parse(*reply, node);
        if (!map) {
            failures << QStringLiteral("%1: %2").arg(node, map.error());
            continue;
        }
        m_masters = map->masters;
        m_slotOwner = map->owner;
        // Connections to nodes that are no longer masters (a failover) are closed.
        for (const QString &known : m_connections.keys())
            if (!m_masters.contains(known))
                dropConnection(known);
        std::erase_if(m_readers, [&](const auto &r) { return !m_masters.contains(r.first); });
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
        const ClusterRedirect redirect = ClusterRedirect::parse(reply, node);
        switch (redirect.kind) {
        case ClusterRedirect::Kind::None:
            return reply;
        case ClusterRedirect::Kind::TryAgain: // a multi-key command during a slot migration
            QThread::msleep(20 * (attempt + 1));
            continue;
        case ClusterRedirect::Kind::Ask: // this one command goes to the importing node, the map stays
            node = redirect.node;
            asking = true;
            continue;
        case ClusterRedirect::Kind::Moved: {
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
        if (p.reply && ClusterRedirect::parse(*p.reply, p.node).kind == ClusterRedirect::Kind::None)
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
    QList<QPair<QString, QList<QList<QByteArray>>>> pipelines;
    pipelines.reserve(commands.size());
    for (const auto &[node, args] : commands)
        pipelines.append({node, {args}});
    auto replies = pipelinesOnMasters(pipelines);
    if (!replies)
        return Error{replies.error()};
    std::vector<RedisReply> out;
    out.reserve(replies->size());
    for (auto &r : *replies)
        out.push_back(std::move(r.front()));
    return out;
}

Expected<std::vector<std::vector<RedisReply>>> RedisClusterRouter::pipelinesOnMasters(
    const QList<QPair<QString, QList<QList<QByteArray>>>> &pipelines)
{
    // A failure leaves replies unread on the other connections: none of them is reused.
    auto fail = [&](const QString &error) -> Expected<std::vector<std::vector<RedisReply>>> {
        for (const auto &p : pipelines)
            dropConnection(p.first);
        return makeError(error);
    };
    std::vector<RedisConnection *> conns;
    for (const auto &[node, commands] : pipelines) {
        auto c = connection(node);
        if (!c)
            return fail(c.error());
        QByteArray request;
        for (const auto &args : commands)
            RedisConnection::appendCommand(request, args);
        if (auto w = (*c)->write(request, commands.first().first().constData()); !w)
            return fail(w.error());
        conns.push_back(*c);
    }
    std::vector<std::vector<RedisReply>> out(conns.size());
    for (size_t i = 0; i < conns.size(); ++i) {
        const auto &commands = pipelines[qsizetype(i)].second;
        for (const auto &args : commands) {
            auto r = conns[i]->read(args.first().constData());
            if (!r)
                return fail(r.error());
            out[i].push_back(std::move(*r));
        }
    }
    return out;
}

namespace {

constexpr int kMaxScanRestarts = 20;
// A slot still migrating when a walk ends is read whole with GETKEYSINSLOT, up to this many keys.
constexpr int kMaxSweptSlotKeys = 100000;

// FNV-1a: a fingerprint that is the same in every process (a cursor may outlive its client).
quint64 fingerprint(const QList<QByteArray> &lines)
{
    quint64 h = 1469598103934665603ULL;
    for (const QByteArray &line : lines) {
        for (const char c : line)
            h = (h ^ quint8(c)) * 1099511628211ULL;
        h = (h ^ '\n') * 1099511628211ULL;
    }
    return h ? h : 1;
}

} // namespace

Expected<RedisReply> RedisClusterRouter::scanMasters(const QList<QByteArray> &args)
{
    if (args.size() < 2)
        return makeError(QStringLiteral("%1: SCAN without a cursor").arg(name()));
    std::optional<ClusterCursor> cursor = ClusterCursor::parse(args[1], m_masters.size());
    if (!cursor) // the masters changed under the walk (a failover, a new node): begin again
        cursor = ClusterCursor::parse(QByteArrayLiteral("0"), m_masters.size());
    QByteArray match;
    for (qsizetype i = 2; i + 1 < args.size(); i += 2)
        if (args[i].toUpper() == "MATCH")
            match = args[i + 1];

    // Every master's step: its SCAN (while its walk lasts), then CLUSTER NODES; the walk's first
    // step opens with a CLUSTER NODES too. On a master's connection the steps follow one another,
    // so each SCAN sits between the CLUSTER NODES before it (the last step's) and its own: a slot
    // that moves while it runs changes one of them. A master still walking has a reader of its
    // own that reads its steps ahead (the masters scan in parallel, and go on while the caller
    // hands keys over); one done only answers CLUSTER NODES, on the router's connection.
    const bool first = cursor->topology == 0;
    const QList<QByteArray> nodesCmd{QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("NODES")};
    std::vector<ClusterScanReader::Step> steps;
    QList<QPair<QString, QList<QList<QByteArray>>>> doneSteps;
    for (qsizetype m = 0; m < m_masters.size(); ++m) {
        ClusterScanReader::Step step;
        if (first)
            step.append(nodesCmd);
        if (cursor->cursors[m] != "-") {
            QList<QByteArray> scan = args;
            scan[1] = cursor->cursors[m];
            step.append(scan);
        }
        step.append(nodesCmd);
        if (cursor->cursors[m] == "-") {
            doneSteps.append({m_masters[m], step});
        } else {
            auto &reader = m_readers[m_masters[m]];
            if (!reader)
                reader = std::make_unique<ClusterScanReader>([this, node = m_masters[m]] { return openNode(node); });
            reader->expect(step); // every reader on its way before any is waited for
        }
        steps.push_back(std::move(step));
    }
    std::vector<std::vector<RedisReply>> replies(steps.size());
    if (!doneSteps.isEmpty()) {
        auto done = pipelinesOnMasters(doneSteps);
        if (!done) {
            refresh(); // a master may be gone: the next call works on the new map
            return Error{done.error()};
        }
        for (qsizetype m = 0, d = 0; m < m_masters.size(); ++m)
            if (cursor->cursors[m] == "-")
                replies[size_t(m)] = std::move((*done)[size_t(d++)]);
    }
    for (qsizetype m = 0; m < m_masters.size(); ++m) {
        if (cursor->cursors[m] == "-")
            continue;
        auto page = m_readers[m_masters[m]]->take(steps[size_t(m)]);
        if (!page) {
            refresh();
            return makeError(QStringLiteral("%1: %2").arg(name(), page.error()));
        }
        if (page->size() != size_t(steps[size_t(m)].size()))
            return makeError(QStringLiteral("%1: SCAN on %2: unexpected reply count").arg(name(), m_masters[m]));
        replies[size_t(m)] = std::move(*page);
    }

    QList<QByteArray> before, after;
    QList<ClusterNodeView> views;
    RedisReply out;
    out.type = RedisReply::Type::Array;
    out.elements.resize(2);
    out.elements[1].type = RedisReply::Type::Array;
    const size_t scanAt = first ? 1 : 0;
    size_t keyCount = 0;
    for (const std::vector<RedisReply> &r : replies)
        if (r.size() > scanAt + 1 && r[scanAt].elements.size() == 2)
            keyCount += r[scanAt].elements[1].elements.size();
    out.elements[1].elements.reserve(keyCount); // a step merges up to a page per master
    for (qsizetype m = 0; m < m_masters.size(); ++m) {
        const QString &node = m_masters[m];
        std::vector<RedisReply> &r = replies[size_t(m)];
        for (const bool closing : {false, true}) {
            if (!closing && !first)
                continue; // the last step's closing CLUSTER NODES opened this one
            const RedisReply &nodes = closing ? r.back() : r.front();
            const auto view = ClusterNodeView::parse(nodes, node);
            if (!view)
                return makeError(QStringLiteral("%1: CLUSTER NODES on %2: %3")
                                     .arg(name(), node, nodes.isError() ? QString::fromUtf8(nodes.string) : QStringLiteral("no line of its own")));
            (closing ? after : before) << view->line;
            if (closing)
                views << *view;
        }
        if (r.size() <= scanAt + 1)
            continue;
        RedisReply &scan = r[scanAt];
        if (scan.isError())
            return scan;
        if (scan.type != RedisReply::Type::Array || scan.elements.size() != 2 || scan.elements[1].type != RedisReply::Type::Array)
            return makeError(QStringLiteral("%1: SCAN on %2: unexpected reply shape").arg(name(), node));
        const QByteArray next = scan.elements[0].string;
        cursor->cursors[m] = next == "0" ? QByteArrayLiteral("-") : next;
        for (RedisReply &key : scan.elements[1].elements)
            out.elements[1].elements.push_back(std::move(key));
    }
    // The topology each SCAN ran under: unchanged from the CLUSTER NODES before it (this step's
    // opening one on the first step, the last step's closing one after) to its own.
    const quint64 was = first ? fingerprint(before) : cursor->topology, now = fingerprint(after);
    if (was != now) {
        // Slots moved, began or ended moving, or a master changed under a SCAN: what this step
        // read are real keys, but any master's walk may have missed keys that moved behind its
        // cursor. Begin the walk again on the new slot map.
        if (++cursor->restarts > kMaxScanRestarts)
            return makeError(QStringLiteral("%1: the cluster's slots moved %2 times during the scan (resharding?); "
                                            "stopped, the keys listed so far may be incomplete: list again when it is done")
                                 .arg(name())
                                 .arg(kMaxScanRestarts));
        if (auto r = refresh(); !r)
            return Error{r.error()};
        const int restarts = cursor->restarts;
        cursor = ClusterCursor::parse(QByteArrayLiteral("0"), m_masters.size());
        cursor->restarts = restarts;
        cursor->topology = 0;
        out.elements[0].type = RedisReply::Type::String;
        out.elements[0].string = cursor->text();
        return out;
    }
    cursor->topology = now;
    if (cursor->done()) {
        // A slot migrating all along: its keys may have moved from its source's part of the walk
        // to its target's behind both cursors. Source first, then target: a key that moves in
        // between is read twice, never missed.
        for (const ClusterNodeView &source : views) {
            for (const auto &[slot, targetId] : source.migrating) {
                const QString sourceNode = source.addresses.value(source.id());
                const QString target = source.addresses.value(targetId);
                for (const QString &node : {sourceNode, target}) {
                    if (node.isEmpty())
                        return makeError(QStringLiteral("%1: slot %2 is migrating to a node it does not know (%3)")
                                             .arg(name())
                                             .arg(slot)
                                             .arg(QString::fromUtf8(targetId)));
                    auto keys = onMasters({{node,
                                            {QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("GETKEYSINSLOT"),
                                             QByteArray::number(slot), QByteArray::number(kMaxSweptSlotKeys)}}});
                    if (!keys)
                        return Error{keys.error()};
                    const RedisReply &k = keys->front();
                    if (k.isError() || k.type != RedisReply::Type::Array)
                        return makeError(QStringLiteral("%1: CLUSTER GETKEYSINSLOT %2 on %3: %4")
                                             .arg(name())
                                             .arg(slot)
                                             .arg(node, k.isError() ? QString::fromUtf8(k.string) : QStringLiteral("unexpected reply shape")));
                    if (k.elements.size() >= size_t(kMaxSweptSlotKeys))
                        return makeError(QStringLiteral("%1: slot %2 is migrating and holds more than %3 keys on %4; "
                                                        "list again when the migration is done")
                                             .arg(name())
                                             .arg(slot)
                                             .arg(kMaxSweptSlotKeys)
                                             .arg(node));
                    for (const RedisReply &key : k.elements)
                        if (match.isEmpty() || globMatch(match, key.string))
                            out.elements[1].elements.push_back(key);
                }
            }
        }
    }
    if (cursor->done())
        m_readers.clear(); // the walk is over: their threads and connections go
    out.elements[0].type = RedisReply::Type::String;
    out.elements[0].string = cursor->text();
    return out;
}

} // namespace cachescope
