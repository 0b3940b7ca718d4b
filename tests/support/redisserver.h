#pragma once

#include "redis/redisurl.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// TLS for a test server (Debian's redis-server is built with TLS): its certificate and key, the
// CA it checks client certificates against, and whether it asks for one (mutual TLS).
struct RedisTlsServerOptions
{
    QString certFile;
    QString keyFile;
    QString caFile;
    bool authClients = false; // tls-auth-clients yes: a client certificate is required
};

// A real redis-server for one test: free loopback port, its own temp dir, no persistence.
// Started by start(), stopped by stop() or the destructor. With startTls() it listens on a TLS
// port as well as on its plain one (the plain port is what set-up and readiness checks use).
class RedisServer
{
public:
    RedisServer();
    ~RedisServer();

    // Starts redis-server; returns an empty string on success, otherwise why it failed.
    QString start(const QStringList &extraArgs = {});
    QString startTls(const RedisTlsServerOptions &tls, const QStringList &extraArgs = {});
    void stop();
    // SIGKILL, as a crash: no shutdown, connections reset (Sentinel failover tests).
    void kill();
    bool isRunning() const;
    // Stops and starts again on the same port (the data is gone: nothing is persisted).
    QString restart();

    quint16 port() const { return m_port; }
    quint16 tlsPort() const { return m_tlsPort; }
    QString url(int db = 0) const;
    RedisUrl redisUrl(int db = 0) const; // url() parsed, for the clients under test
    // rediss://127.0.0.1:<tlsPort>/db, verified against `caFile` when given.
    RedisUrl tlsUrl(int db = 0, const QString &caFile = {}) const;
    QString dir() const { return m_dir ? m_dir->path() : QString(); }

    // Sends one command over a fresh socket and returns the raw RESP reply (for test set-up only);
    // with a password, AUTH goes first and its +OK is not part of the reply.
    QByteArray command(const QList<QByteArray> &args, const QByteArray &password = {}) const;

private:
    QString launch();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QStringList m_extraArgs;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
};

// One command to 127.0.0.1:port over a fresh plain socket (AUTH first when a password is given);
// the raw RESP reply, empty when nothing answered. For test set-up only.
QByteArray respCommand(quint16 port, const QList<QByteArray> &args, const QByteArray &password = {});

// A free TCP port on 127.0.0.1 at the time of the call, below the ephemeral range (32768 and
// up), so an outgoing connection cannot take it between the probe and the server's bind.
quint16 freeLoopbackPort();

} // namespace cachescope::test
