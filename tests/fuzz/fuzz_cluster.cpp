// libFuzzer: what cluster nodes say (outside input) and the composite SCAN cursor a caller hands
// back (outside input too: a saved or typed cursor). The first byte picks the parser, the second
// is a parameter (the number of masters a cursor is for); the rest is the input:
//   0  CLUSTER SLOTS, as RESP bytes read by RespReader (every reply the bytes hold)
//   1  a MOVED / ASK / TRYAGAIN error reply's text
//   2  CLUSTER NODES text
//   3  ClusterCursor text
// Beyond "no crash, no hang", each checks what the router relies on; a breach traps.
#include "redis/clusterparse.h"
#include "redis/respreader.h"

#include <QSet>

#include <cstddef>
#include <cstdint>

namespace {

using namespace cachescope;

const QString kAnsweredBy = QStringLiteral("10.0.0.7:7001");

RedisReply textReply(RedisReply::Type type, QByteArray text)
{
    RedisReply reply;
    reply.type = type;
    reply.string = std::move(text);
    return reply;
}

// A node name the router made must come apart into a usable host and port and back unchanged:
// it is both a connection target and a key of the router's tables.
void checkNodeName(const QString &node)
{
    const auto [host, port] = clusterSplitNode(node);
    if (host.isEmpty() || port <= 0 || port > 65535 || clusterHostPort(host, port) != node)
        __builtin_trap();
}

void slotMap(QByteArrayView bytes)
{
    RespReader reader;
    if (!reader.feed(bytes))
        return;
    for (int replies = 0; replies < 64; ++replies) {
        auto next = reader.next();
        if (!next || !next->has_value())
            return;
        auto map = ClusterSlotMap::parse(**next, kAnsweredBy);
        if (!map) {
            if (map.error().isEmpty())
                __builtin_trap(); // a refusal says why
            continue;
        }
        const auto &masters = map->masters;
        if (masters.isEmpty() || masters.size() > kClusterSlots)
            __builtin_trap();
        QList<int> firstSlot(masters.size(), -1);
        for (int s = 0; s < kClusterSlots; ++s) {
            const qint16 o = map->owner[size_t(s)];
            if (o < -1 || o >= masters.size())
                __builtin_trap();
            if (o >= 0 && firstSlot[o] < 0)
                firstSlot[o] = s;
        }
        // Every master serves a slot, and they are ordered by their first one.
        for (qsizetype m = 0; m < masters.size(); ++m) {
            checkNodeName(masters[m]);
            if (firstSlot[m] < 0 || (m > 0 && firstSlot[m] <= firstSlot[m - 1]))
                __builtin_trap();
        }
        if (QSet<QString>(masters.begin(), masters.end()).size() != masters.size())
            __builtin_trap();
    }
}

void redirect(QByteArrayView bytes)
{
    const ClusterRedirect r = ClusterRedirect::parse(textReply(RedisReply::Type::Error, bytes.toByteArray()), kAnsweredBy);
    if (r.kind != ClusterRedirect::Kind::Moved && r.kind != ClusterRedirect::Kind::Ask)
        return;
    if (r.slot < 0 || r.slot >= kClusterSlots)
        __builtin_trap();
    checkNodeName(r.node);
    // The redirect as the router names it reads back as the same redirect.
    const QByteArray again = (r.kind == ClusterRedirect::Kind::Moved ? "MOVED " : "ASK ") + QByteArray::number(r.slot)
        + ' ' + r.node.toUtf8();
    const ClusterRedirect r2 = ClusterRedirect::parse(textReply(RedisReply::Type::Error, again), QStringLiteral("192.0.2.1:1"));
    if (r2.kind != r.kind || r2.slot != r.slot || r2.node != r.node)
        __builtin_trap();
}

void nodes(QByteArrayView bytes)
{
    const RedisReply reply = textReply(RedisReply::Type::String, bytes.toByteArray());
    const auto view = ClusterNodeView::parse(reply, kAnsweredBy);
    if (!view)
        return;
    if (view->line.isEmpty() || view->id().isEmpty())
        __builtin_trap();
    for (const auto &[slot, target] : view->migrating)
        if (slot < 0 || slot >= kClusterSlots || target.isEmpty())
            __builtin_trap();
    for (const QString &address : view->addresses)
        checkNodeName(address);
    // The fingerprinted line is all a walk compares: parsing is deterministic.
    const auto again = ClusterNodeView::parse(reply, kAnsweredBy);
    if (!again || again->line != view->line || again->migrating != view->migrating)
        __builtin_trap();
}

void cursor(QByteArrayView bytes, qsizetype masters)
{
    const auto c = ClusterCursor::parse(bytes.toByteArray(), masters);
    if (!c)
        return;
    if (c->cursors.size() != masters || c->restarts < 0)
        __builtin_trap();
    for (const QByteArray &one : c->cursors) {
        bool ok = false;
        if (one != "-" && (QByteArray::number(one.toULongLong(&ok)) != one || !ok))
            __builtin_trap(); // sent to a node as is: must be a plain decimal cursor
    }
    // The cursor a caller gets back (text()) is the walk it came from.
    const QByteArray text = c->text();
    const auto again = ClusterCursor::parse(text, masters);
    if (!again || !(*again == *c))
        __builtin_trap();
    if (text == "0" && masters > 0 && c->cursors != QList<QByteArray>(masters, QByteArrayLiteral("0")))
        __builtin_trap(); // "0" would end (or restart) a walk that is under way
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));
    switch (data[0] % 4) {
    case 0:
        slotMap(input);
        break;
    case 1:
        redirect(input);
        break;
    case 2:
        nodes(input);
        break;
    default:
        cursor(input, data[1] % 8);
        break;
    }
    return 0;
}
