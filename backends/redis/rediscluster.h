#pragma once

// Redis Cluster routing under RedisClient (not used directly elsewhere): the slot map asked of
// the nodes (CLUSTER SLOTS), one connection per master opened through RedisConnector (TLS, AUTH
// and timeouts of the template url), each command sent to the master of its key's slot, MOVED
// and ASK followed, multi-key commands (MGET, DEL, EXISTS, UNLINK, TOUCH) split by slot and their
// replies put back together, pipelines split per master and sent to all masters before any reply
// is read (the masters work in parallel), and SCAN walks every master at once with a cursor
// holding each master's own (ClusterCursor). As redis-py 4.3.4's RedisCluster does it
// (redis/cluster.py > RedisCluster._execute_command, NodesManager.initialize), except that keys
// of different slots in one MGET are split instead of refused.

#include "clusterparse.h"
#include "clusterscanreader.h"
#include "common/expected.h"
#include "redisreply.h"
#include "redisurl.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cachescope {

class RedisConnection;

class RedisClusterRouter
{
public:
    static constexpr int kSlots = kClusterSlots;

    // `url` gives user, password, TLS and timeouts for every node; `seeds` are the nodes asked
    // for the slot map ("CACHE_REDIS_CLUSTER", or the one node a MOVED came from).
    RedisClusterRouter(RedisUrl url, QList<QPair<QString, int>> seeds);
    ~RedisClusterRouter();

    // Asks the first answering node for CLUSTER SLOTS. An error names every node tried.
    Expected<bool> refresh();
    bool hasSlotMap() const { return !m_masters.isEmpty(); }

    // Runs the commands (in order of their replies); each goes to the master of its key's slot,
    // keyless ones (PING, INFO, ...) to the first master. Redirects are followed; a node that
    // fails is dropped, the slot map asked again and its commands sent once more when that
    // cannot apply anything twice (`resendable`).
    Expected<std::vector<RedisReply>> run(const QList<QList<QByteArray>> &commands, bool resendable);
    // One command on each of the given masters ("host:port"), all sent before any reply is read.
    Expected<std::vector<RedisReply>> onMasters(const QList<QPair<QString, QList<QByteArray>>> &commands);
    // Several commands on each of the given masters, every pipeline written before any reply is
    // read; the replies per master, in order.
    Expected<std::vector<std::vector<RedisReply>>> pipelinesOnMasters(
        const QList<QPair<QString, QList<QList<QByteArray>>>> &pipelines);

    // The masters "host:port", ordered by their first slot (stable across calls).
    QStringList masters() const { return m_masters; }
    // "cluster 127.0.0.1:7000,127.0.0.1:7001,...": how messages name the cluster.
    QString name() const;

    // CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384: Redis's keyHashSlot.
    static int keySlot(QByteArrayView key);
    // The slot a command's key falls in, -1 for a keyless command.
    static int commandSlot(const QList<QByteArray> &args);
    // MOVED / ASK / CROSSSLOT: a reply that only a cluster node sends.
    static bool isClusterReply(const RedisReply &reply);

private:
    struct Part;
    // Every node is opened alike (TLS, AUTH and timeouts of the template url, no SELECT).
    Expected<std::unique_ptr<RedisConnection>> openNode(const QString &node) const;
    Expected<RedisConnection *> connection(const QString &node);
    void dropConnection(const QString &node);
    // SCAN cursor ...: the same SCAN on every master whose walk is not complete, one ClusterCursor.
    // The masters scan in parallel and never wait for this thread: each has a ClusterScanReader
    // (m_readers) that sends its next step as soon as a page is read, so it scans while this
    // thread takes the other masters' pages and the caller hands the keys over.
    // Each master's SCAN sits between two CLUSTER NODES: when a slot starts or ends moving, or a
    // master changes, during the walk (its topology fingerprint differs), keys may have moved
    // behind a master's cursor, so the walk begins again (callers dedupe). A slot still
    // migrating when the walk ends is read once more with CLUSTER GETKEYSINSLOT, on its source
    // and then on its target, so a key moving meanwhile is seen at least once.
    Expected<RedisReply> scanMasters(const QList<QByteArray> &args);
    Expected<RedisReply> runOne(const QList<QByteArray> &args, QString node, bool resendable);
    QString masterOf(int slot) const;

    RedisUrl m_url;
    QList<QPair<QString, int>> m_seeds;
    std::array<qint16, kSlots> m_slotOwner{}; // index into m_masters, -1 uncovered
    QStringList m_masters;
    QHash<QString, std::shared_ptr<RedisConnection>> m_connections;
    // Readers of the masters walking (a thread and a connection each): from a walk's first step
    // until it ends. A walk left half-way keeps their threads asleep until the next ends or the
    // router goes; their connections and pages go after ClusterScanReader::kIdle.
    std::unordered_map<QString, std::unique_ptr<ClusterScanReader>> m_readers;
};

} // namespace cachescope
