#include "clusterparse.h"

#include <algorithm>
#include <numeric>

namespace cachescope {

namespace {

// A host as nodes announce it (IPv4, IPv6 with an optional %zone, a hostname). Anything else
// (spaces, brackets, commas) would not survive being named "host:port" and read back.
bool validHost(const QString &host)
{
    if (host.isEmpty() || host.size() > 255)
        return false;
    return std::all_of(host.begin(), host.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'-'
            || c == u'_' || c == u':' || c == u'%';
    });
}

bool validPort(qint64 port)
{
    return port > 0 && port < 65536;
}

} // namespace

QString clusterHostPort(const QString &host, int port)
{
    return (host.contains(u':') ? QStringLiteral("[%1]").arg(host) : host) + u':' + QString::number(port);
}

QPair<QString, int> clusterSplitNode(const QString &node)
{
    // The last colon: an IPv6 host is bracketed, or bare when a node wrote it so.
    const qsizetype colon = node.lastIndexOf(u':');
    if (colon < 0)
        return {node, 0};
    QString host = node.left(colon);
    if (host.size() >= 2 && host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const int port = node.mid(colon + 1).toInt(&ok);
    return {host, ok && validPort(port) ? port : 0};
}

Expected<ClusterSlotMap> ClusterSlotMap::parse(const RedisReply &reply, const QString &answeredBy)
{
    auto bad = [](const QString &why) { return makeError(QStringLiteral("CLUSTER SLOTS: ") + why); };
    if (reply.isError())
        return bad(QString::fromUtf8(reply.string));
    if (reply.type != RedisReply::Type::Array)
        return bad(QStringLiteral("unexpected reply shape"));
    ClusterSlotMap map;
    map.owner.fill(-1);
    QStringList found;     // masters in order of appearance
    QList<qint64> firstOf; // their first slot
    for (size_t r = 0; r < reply.elements.size(); ++r) {
        // [from, to, [host, port, id?, ...], replicas...]
        const RedisReply &range = reply.elements[r];
        if (range.type != RedisReply::Type::Array || range.elements.size() < 3
            || range.elements[0].type != RedisReply::Type::Integer || range.elements[1].type != RedisReply::Type::Integer)
            return bad(QStringLiteral("range %1: unexpected shape").arg(r));
        const RedisReply &master = range.elements[2];
        if (master.type != RedisReply::Type::Array || master.elements.size() < 2
            || master.elements[0].type != RedisReply::Type::String || master.elements[1].type != RedisReply::Type::Integer)
            return bad(QStringLiteral("master of range %1: unexpected shape").arg(r));
        const qint64 from = range.elements[0].integer, to = range.elements[1].integer;
        if (from < 0 || to >= kClusterSlots || from > to)
            return bad(QStringLiteral("range %1: slots %2..%3 outside 0..16383").arg(r).arg(from).arg(to));
        const qint64 port = master.elements[1].integer;
        if (!validPort(port))
            return bad(QStringLiteral("range %1: port %2 outside 1..65535").arg(r).arg(port));
        QString host = QString::fromUtf8(master.elements[0].string);
        if (host.isEmpty() || host == u'?')
            host = clusterSplitNode(answeredBy).first; // no announced endpoint: the address we reached
        if (!validHost(host))
            return bad(QStringLiteral("range %1: host '%2' is not a host name or address").arg(r).arg(host.left(64)));
        const QString node = clusterHostPort(host, int(port));
        qsizetype index = found.indexOf(node);
        if (index < 0) {
            index = found.size();
            found << node;
            firstOf << from;
        }
        firstOf[index] = std::min(firstOf[index], from);
        for (qint64 s = from; s <= to; ++s) {
            if (map.owner[size_t(s)] >= 0)
                return bad(QStringLiteral("slot %1 is claimed twice").arg(s));
            map.owner[size_t(s)] = qint16(index);
        }
    }
    if (found.isEmpty())
        return bad(QStringLiteral("no slots assigned"));
    // Ordered by first slot: the same order from every node and every call.
    QList<qsizetype> order(found.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return firstOf[a] < firstOf[b]; });
    QList<qint16> renumber(found.size());
    for (qsizetype i = 0; i < order.size(); ++i) {
        map.masters << found[order[i]];
        renumber[order[i]] = qint16(i);
    }
    for (qint16 &o : map.owner)
        if (o >= 0)
            o = renumber[o];
    return map;
}

ClusterRedirect ClusterRedirect::parse(const RedisReply &reply, const QString &answeredBy)
{
    ClusterRedirect out;
    if (!reply.isError())
        return out;
    if (reply.string.startsWith("TRYAGAIN")) {
        out.kind = Kind::TryAgain;
        return out;
    }
    const bool moved = reply.string.startsWith("MOVED ");
    if (!moved && !reply.string.startsWith("ASK "))
        return out;
    const QList<QByteArray> parts = reply.string.split(' ');
    if (parts.size() != 3)
        return out;
    bool ok = false;
    const int slot = parts[1].toInt(&ok);
    if (!ok || slot < 0 || slot >= kClusterSlots)
        return out;
    QString node = QString::fromUtf8(parts[2]);
    if (node.startsWith(u':') && node.count(u':') == 1) // ":7002"; "::1:7002" is a bare IPv6 host
        node = clusterSplitNode(answeredBy).first + node;
    // Named as the slot map names masters ("[::1]:7000", not "::1:7000"), so a MOVED target
    // that is a known master is found among them.
    const auto [host, port] = clusterSplitNode(node);
    if (!validHost(host) || port == 0)
        return out;
    out.slot = slot;
    out.node = clusterHostPort(host, port);
    out.kind = moved ? Kind::Moved : Kind::Ask;
    return out;
}

std::optional<ClusterNodeView> ClusterNodeView::parse(const RedisReply &reply, const QString &answeredBy)
{
    if (reply.type != RedisReply::Type::String && reply.type != RedisReply::Type::Status)
        return std::nullopt;
    ClusterNodeView view;
    bool mine = false;
    for (const QByteArray &raw : reply.string.split('\n')) {
        const QList<QByteArray> f = raw.trimmed().split(' ');
        if (f.size() < 8 || f[0].isEmpty())
            continue;
        const qsizetype at = f[1].indexOf('@');
        QString address = QString::fromUtf8(at < 0 ? f[1] : f[1].left(at));
        if (address.startsWith(u':') && address.count(u':') == 1) // a node that does not know its address
            address = clusterSplitNode(answeredBy).first + address;
        if (const auto [host, port] = clusterSplitNode(address); validHost(host) && port > 0)
            view.addresses.insert(f[0], clusterHostPort(host, port));
        if (!f[2].split(',').contains("myself"))
            continue;
        if (mine)
            return std::nullopt; // two nodes claim to be the one answering
        mine = true;
        view.line = f[0] + ' ' + f[6];
        for (qsizetype k = 8; k < f.size(); ++k) {
            const QByteArray &slot = f[k];
            view.line += ' ' + slot;
            // "[slot->-target id]": this node is handing the slot over. Anything else of that
            // form but malformed names no migration (it still counts in the fingerprint).
            const qsizetype arrow = slot.indexOf("->-");
            if (!slot.startsWith('[') || !slot.endsWith(']') || arrow < 2 || arrow + 4 >= slot.size())
                continue;
            bool ok = false;
            const int n = slot.mid(1, arrow - 1).toInt(&ok);
            if (ok && n >= 0 && n < kClusterSlots)
                view.migrating.append({n, slot.mid(arrow + 3, slot.size() - arrow - 4)});
        }
    }
    if (!mine)
        return std::nullopt;
    return view;
}

std::optional<ClusterCursor> ClusterCursor::parse(const QByteArray &text, qsizetype masters)
{
    ClusterCursor out;
    if (text.isEmpty() || text == "0") {
        out.cursors = QList<QByteArray>(masters, QByteArrayLiteral("0"));
        return out;
    }
    // "c1,c2,...;topology;restarts"
    const QList<QByteArray> parts = text.split(';');
    if (parts.size() != 3)
        return std::nullopt;
    bool ok = false;
    out.topology = parts[1].toULongLong(&ok, 16);
    if (!ok)
        return std::nullopt;
    out.restarts = parts[2].toInt(&ok);
    if (!ok || out.restarts < 0)
        return std::nullopt;
    out.cursors = parts[0].split(',');
    if (out.cursors.size() != masters)
        return std::nullopt;
    for (QByteArray &c : out.cursors) {
        if (c == "-")
            continue;
        // Written back as SCAN wants it: " 12" or "+12" would be refused by the node.
        c = QByteArray::number(c.toULongLong(&ok));
        if (!ok)
            return std::nullopt;
    }
    if (out.done())
        return std::nullopt; // text() writes "0" for a finished walk: no walk hands this out
    return out;
}

bool ClusterCursor::done() const
{
    return std::all_of(cursors.begin(), cursors.end(), [](const QByteArray &c) { return c == "-"; });
}

QByteArray ClusterCursor::text() const
{
    if (done())
        return QByteArrayLiteral("0");
    return cursors.join(',') + ';' + QByteArray::number(topology, 16) + ';' + QByteArray::number(restarts);
}

} // namespace cachescope
