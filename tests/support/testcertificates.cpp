#include "testcertificates.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

namespace cachescope::test {

QString TestCertificates::openssl(const QStringList &args)
{
    const QString binary = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (binary.isEmpty())
        return QStringLiteral("openssl is not installed (apt-get install openssl)");
    QProcess p;
    p.setWorkingDirectory(dir());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(binary, args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("openssl %1 failed: %2").arg(args.join(u' '), QString::fromUtf8(p.readAll()));
    return {};
}

QString TestCertificates::makeCa(const QString &name, const QString &subject)
{
    return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                    name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-subj"),
                    subject, QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                    QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")});
}

// A key and a certificate signed by `ca`; `days` < 0 makes one that has already expired.
QString TestCertificates::makeSigned(const QString &name, const QString &ca, const QString &subject,
                                     const QString &altNames, int days)
{
    if (QString e = openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                             QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                             name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".csr"),
                             QStringLiteral("-subj"), subject});
        !e.isEmpty())
        return e;
    QFile ext(path(name + QStringLiteral(".ext")));
    if (!ext.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1").arg(ext.fileName());
    QByteArray lines = "basicConstraints=CA:FALSE\n";
    if (!altNames.isEmpty())
        lines += "subjectAltName=" + altNames.toUtf8() + '\n';
    ext.write(lines);
    ext.close();
    return openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), name + QStringLiteral(".csr"),
                    QStringLiteral("-CA"), ca + QStringLiteral(".pem"), QStringLiteral("-CAkey"), ca + QStringLiteral(".key"),
                    QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), name + QStringLiteral(".pem"),
                    QStringLiteral("-days"), QString::number(days), QStringLiteral("-extfile"), ext.fileName()});
}

QString TestCertificates::create()
{
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return QStringLiteral("cannot create a temp dir: %1").arg(m_dir->errorString());
    const QString loopback = QStringLiteral("IP:127.0.0.1,DNS:localhost");
    for (const QString &e : {
             makeCa(QStringLiteral("ca"), QStringLiteral("/CN=CacheScope Test CA")),
             makeCa(QStringLiteral("other-ca"), QStringLiteral("/CN=Some Other CA")),
             makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("/CN=localhost"), loopback, 30),
             makeSigned(QStringLiteral("wrongname"), QStringLiteral("ca"), QStringLiteral("/CN=wrong.example"),
                        QStringLiteral("DNS:wrong.example"), 30),
             makeSigned(QStringLiteral("expired"), QStringLiteral("ca"), QStringLiteral("/CN=localhost"), loopback, -1),
             makeSigned(QStringLiteral("otherca-server"), QStringLiteral("other-ca"), QStringLiteral("/CN=localhost"), loopback, 30),
             makeSigned(QStringLiteral("client"), QStringLiteral("ca"), QStringLiteral("/CN=cachescope-client"), {}, 30),
             makeSigned(QStringLiteral("otherca-client"), QStringLiteral("other-ca"), QStringLiteral("/CN=stranger"), {}, 30),
         }) {
        if (!e.isEmpty())
            return e;
    }
    return {};
}

} // namespace cachescope::test
