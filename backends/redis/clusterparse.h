#pragma once

// What Redis Cluster nodes say about the cluster, parsed: CLUSTER SLOTS (the slot map), a node's
// own line of CLUSTER NODES (the topology fingerprint of a walk and the slots it is migrating),
// MOVED / ASK / TRYAGAIN redirects, and the composite SCAN cursor CacheScope hands out
// (ClusterCursor). All of it is outside input (a node, or a caller's cursor text), so these are
// pure functions apart from RedisClusterRouter's talking, fuzzed by tests/fuzz/fuzz_cluster.cpp.
// Reply shapes as Debian 12's redis 7.0 sends them (redis/redis › src/cluster.c, 7.0 branch:
// clusterReplyMultiBulkSlots, clusterGenNodeDescription, clusterRedirectClient).

#include "common/expected.h"
#include "redisreply.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace cachescope {

constexpr int kClusterSlots = 16384;

// "host:port", an IPv6 host bracketed: how the router names a node.
QString clusterHostPort(const QString &host, int port);
// "127.0.0.1:7001" / "[::1]:7001" -> host, port; port 0 when the text has none.
QPair<QString, int> clusterSplitNode(const QString &node);

// CLUSTER SLOTS: which master serves each slot.
struct ClusterSlotMap
{
    QStringList masters;                     // "host:port", ordered by their first slot
    std::array<qint16, kClusterSlots> owner; // index into masters, -1 uncovered

    // `answeredBy` ("host:port") stands in for a master announcing no endpoint ("" or "?").
    // An error says what is wrong with the reply (shape, a slot out of 0..16383 or claimed
    // twice, a port out of 1..65535, no slot assigned).
    static Expected<ClusterSlotMap> parse(const RedisReply &reply, const QString &answeredBy);
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" / "TRYAGAIN ...".
struct ClusterRedirect
{
    enum class Kind { None, Moved, Ask, TryAgain } kind = Kind::None;
    int slot = -1;
    QString node; // "host:port" with a port in 1..65535 for Moved and Ask

    // An empty host (":6381", a node without a known endpoint) means `answeredBy`'s. A reply
    // that is not a well-formed redirect is None: the caller sees it as the error it is.
    static ClusterRedirect parse(const RedisReply &reply, const QString &answeredBy);
};

// One node's own line of CLUSTER NODES ("<id> <ip:port@bus> myself,master ... <epoch> <link>
// <slots...>"): what a walk's topology fingerprint is made of, and the migrations it is the
// source of.
struct ClusterNodeView
{
    QByteArray line;                         // id, config epoch, slot ranges and migration markers
    QList<QPair<int, QByteArray>> migrating; // slot ([slot->-id]), target node id
    QHash<QByteArray, QString> addresses;    // node id -> host:port, as this node knows them

    QByteArray id() const { return line.left(line.indexOf(' ')); }
    // std::nullopt when the reply is not CLUSTER NODES text with exactly one "myself" line.
    static std::optional<ClusterNodeView> parse(const RedisReply &reply, const QString &answeredBy);
};

// A cursor walking every master at once: each master's own SCAN cursor ("-" once its walk is
// complete), the fingerprint of the cluster's topology the walk runs under, and how often the
// walk began again. "0" starts and ends the walk as with SCAN. Opaque to callers.
struct ClusterCursor
{
    QList<QByteArray> cursors;
    quint64 topology = 0; // 0: not known yet (the walk's first step)
    int restarts = 0;

    // The cursor for `masters` masters; std::nullopt when `text` is not such a cursor (text()
    // never makes one whose walks are all complete: that is "0") or was made for another number
    // of masters (the walk must begin again). Numbers are kept as text() writes them, so the
    // text of a parsed cursor parses to the same cursor.
    static std::optional<ClusterCursor> parse(const QByteArray &text, qsizetype masters);
    // "0" when every master's walk is complete.
    QByteArray text() const;
    bool done() const;
    bool operator==(const ClusterCursor &) const = default;
};

} // namespace cachescope
