#pragma once

#include "redisserver.h"

#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// A real Sentinel set for one test (Debian's redis-server and redis-sentinel): one master, one
// replica and three sentinels on free loopback ports with short timeouts (down after 1 s), so
// that killing the master fails over in a few seconds. Stopped by stop() or the destructor.
class RedisSentinelSet
{
public:
    struct Options
    {
        QString masterName = QStringLiteral("mymaster");
        QString password;         // requirepass/masterauth of the data nodes (empty: none)
        QString sentinelPassword; // requirepass of the sentinels (empty: none)
    };

    RedisSentinelSet();
    ~RedisSentinelSet();

    // Starts everything and waits until every sentinel knows the replica and the other
    // sentinels. Empty on success, otherwise why it failed.
    QString start(const Options &options);
    QString start() { return start(Options{}); }
    void stop();

    RedisServer &master() { return *m_master; }
    RedisServer &replica() { return *m_replica; }
    QList<QPair<QString, int>> sentinels() const;
    // "127.0.0.1:p1,..." as a list of (host, port) for Python: [("127.0.0.1", p1), ...]
    QString pythonSentinels() const;
    const Options &options() const { return m_options; }

    // The master address one sentinel reports, "127.0.0.1:port" (empty when none answers).
    QString reportedMaster() const;
    // Kills the master (SIGKILL) and waits until the sentinels name the replica as master and
    // it answers ROLE master. Empty on success.
    QString killMasterAndWaitForFailover(int timeoutMs = 60000);
    // Sends one command to a sentinel (its password first when set); the raw RESP reply.
    QByteArray sentinelCommand(int index, const QList<QByteArray> &args) const;

private:
    QString startSentinel(int index, quint16 port);
    QString waitUntilSettled(int timeoutMs);
    Options m_options;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RedisServer> m_master;
    std::unique_ptr<RedisServer> m_replica;
    QList<quint16> m_sentinelPorts;
    std::vector<std::unique_ptr<QProcess>> m_sentinels;
};

} // namespace cachescope::test
