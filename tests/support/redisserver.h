#pragma once

#include "redis/redisurl.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// A real redis-server for one test: free loopback port, its own temp dir, no persistence.
// Started by start(), stopped by stop() or the destructor.
class RedisServer
{
public:
    RedisServer();
    ~RedisServer();

    // Starts redis-server; returns an empty string on success, otherwise why it failed.
    QString start(const QStringList &extraArgs = {});
    void stop();
    // Stops and starts again on the same port (the data is gone: nothing is persisted).
    QString restart();

    quint16 port() const { return m_port; }
    QString url(int db = 0) const;
    RedisUrl redisUrl(int db = 0) const; // url() parsed, for the clients under test
    QString dir() const { return m_dir ? m_dir->path() : QString(); }

    // Sends one command over a fresh socket and returns the raw RESP reply (for test set-up only).
    QByteArray command(const QList<QByteArray> &args) const;

private:
    QString launch();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QStringList m_extraArgs;
    quint16 m_port = 0;
};

// A free TCP port on 127.0.0.1 below 32768 at the time of the call.
quint16 freeLoopbackPort();

} // namespace cachescope::test
