#pragma once

#include "memcached/memcachedendpoint.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// A real memcached (Debian's) for one test: 127.0.0.1 on a free port below the ephemeral range,
// UDP off, its own temp dir, stopped by stop() or the destructor. As root it runs as "nobody"
// (memcached refuses root without -u). With SASL it is started with -S, a Cyrus SASL config
// (mech_list plain cram-md5) and a sasldb made with saslpasswd2 (Debian's sasl2-bin) for one
// user, via SASL_CONF_PATH; it then speaks only the binary protocol.
class MemcachedServer
{
public:
    struct Sasl
    {
        QString username;
        QString password;
        QString mechanisms = QStringLiteral("plain cram-md5");
    };

    MemcachedServer();
    ~MemcachedServer();

    // Empty on success, otherwise why it failed. extraArgs go to memcached (e.g. {"-D", ":"}).
    QString start(const QStringList &extraArgs = {});
    QString startWithSasl(const Sasl &sasl, const QStringList &extraArgs = {});
    void stop();

    quint16 port() const { return m_port; }
    QString address() const; // "127.0.0.1:PORT"
    MemcachedEndpoint endpoint() const;

    // One text-protocol exchange over a fresh socket, read until `terminator` (test set-up only).
    QByteArray command(const QByteArray &request, const QByteArray &terminator = "\r\n") const;

private:
    QString launch(const QStringList &args, const QProcessEnvironment &environment);
    QString writeSaslConfig(const Sasl &sasl);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    bool m_sasl = false;
};

} // namespace cachescope::test
