#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cachescope::test {

// Certificates a TLS test needs, made with the real `openssl` command in a temp dir: a CA, a
// server certificate for 127.0.0.1/localhost signed by it, a client certificate signed by it,
// and the ones that must be refused: a server certificate from another CA, one for another host
// name, an expired one, and a client certificate from the other CA. EC P-256 keys (quick).
class TestCertificates
{
public:
    // Empty on success, otherwise what failed (openssl missing, a command's output).
    QString create();

    QString dir() const { return m_dir ? m_dir->path() : QString(); }
    QString path(const QString &name) const { return dir() + QLatin1Char('/') + name; }

    QString caCert() const { return path(QStringLiteral("ca.pem")); }
    QString otherCaCert() const { return path(QStringLiteral("other-ca.pem")); }
    QString serverCert() const { return path(QStringLiteral("server.pem")); }
    QString serverKey() const { return path(QStringLiteral("server.key")); }
    QString wrongNameCert() const { return path(QStringLiteral("wrongname.pem")); } // for wrong.example only
    QString wrongNameKey() const { return path(QStringLiteral("wrongname.key")); }
    QString expiredCert() const { return path(QStringLiteral("expired.pem")); }
    QString expiredKey() const { return path(QStringLiteral("expired.key")); }
    QString otherCaServerCert() const { return path(QStringLiteral("otherca-server.pem")); }
    QString otherCaServerKey() const { return path(QStringLiteral("otherca-server.key")); }
    QString clientCert() const { return path(QStringLiteral("client.pem")); }
    QString clientKey() const { return path(QStringLiteral("client.key")); }
    QString otherCaClientCert() const { return path(QStringLiteral("otherca-client.pem")); }
    QString otherCaClientKey() const { return path(QStringLiteral("otherca-client.key")); }

private:
    QString openssl(const QStringList &args);
    QString makeCa(const QString &name, const QString &subject);
    QString makeSigned(const QString &name, const QString &ca, const QString &subject, const QString &altNames, int days);
    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace cachescope::test
