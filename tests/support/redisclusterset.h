#pragma once

#include "redisserver.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace cachescope::test {

// A real Redis Cluster for one test (Debian's redis-server and redis-cli): `masters` nodes
// started with --cluster-enabled yes on free loopback ports (their bus ports too, all below
// 32768), joined with `redis-cli --cluster create` and no replicas, each in its own temp dir.
// Stopped by stop() or the destructor.
class RedisClusterSet
{
public:
    struct Options
    {
        int masters = 3;
        QString password; // requirepass/masterauth of every node (empty: none)
    };

    RedisClusterSet();
    ~RedisClusterSet();

    // Starts the nodes, creates the cluster and waits until every node reports cluster_state:ok
    // and agrees on the slot map. Empty on success, otherwise why it failed.
    QString start(const Options &options);
    QString start() { return start(Options{}); }
    void stop();

    int size() const { return int(m_nodes.size()); }
    RedisServer &node(int index) { return *m_nodes[size_t(index)]; }
    // A plain url of node `index` alone (with the password): what `--redis redis://ONE-NODE` gives.
    RedisUrl nodeUrl(int index) const;
    // "127.0.0.1:p1,127.0.0.1:p2,...": CACHE_REDIS_CLUSTER.
    QString startupNodes() const;
    // A url for RedisClient/RedisCache: the startup nodes, and the password when set.
    RedisUrl url() const;
    // One command to node `index` (its password first); the raw RESP reply.
    QByteArray command(int index, const QList<QByteArray> &args) const;
    QByteArray nodeId(int index) const;
    // The index of the node serving `slot` (asked of node 0), -1 when unknown.
    int ownerOf(int slot) const { return slotOwners().value(slot, -1); }
    // The same for every slot at once (one CLUSTER NODES): 16384 entries.
    QList<int> slotOwners() const;
    // Moves `slot` and its keys to node `to` as redis-cli --cluster reshard does: IMPORTING /
    // MIGRATING, MIGRATE of every key. With finish = false the slot stays half-migrated (the
    // source answers ASK for keys it no longer has); with finish = true both ends are told
    // the new owner (MOVED from then on). Empty on success.
    QString migrateSlot(int slot, int to, bool finish);

private:
    QString waitUntilOk(int timeoutMs);
    Options m_options;
    std::vector<std::unique_ptr<RedisServer>> m_nodes;
};

} // namespace cachescope::test
