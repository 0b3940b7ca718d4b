#include "redistls.h"

#include <QHostAddress>
#include <QtEndian>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace cachescope::tls {

namespace {

struct CtxDeleter
{
    void operator()(SSL_CTX *c) const { SSL_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

// The first certificate the verification refused, captured by the verify callback: OpenSSL's
// own message ("certificate verify failed") does not say which certificate or why.
struct VerifyFailure
{
    int error = X509_V_OK;
    int depth = -1;
    QString subject;
    QString notBefore;
    QString notAfter;
    QStringList names; // subjectAltName DNS/IP entries of the failing certificate
};

QString asn1Time(const ASN1_TIME *t)
{
    if (!t)
        return {};
    BIO *bio = BIO_new(BIO_s_mem());
    ASN1_TIME_print(bio, t);
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    QString out = QString::fromLatin1(data, int(n));
    BIO_free(bio);
    return out;
}

QString subjectOf(X509 *cert)
{
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return QString::fromUtf8(buf);
}

QStringList altNames(X509 *cert)
{
    QStringList out;
    auto *names = static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names)
        return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            const auto *s = n->d.dNSName;
            out << QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
        } else if (n->type == GEN_IPADD) {
            const auto *s = n->d.iPAddress;
            if (ASN1_STRING_length(s) == 4 || ASN1_STRING_length(s) == 16) {
                const QHostAddress a = ASN1_STRING_length(s) == 4
                                           ? QHostAddress(qFromBigEndian<quint32>(ASN1_STRING_get0_data(s)))
                                           : QHostAddress(ASN1_STRING_get0_data(s));
                out << a.toString();
            }
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

int verifyCallback(int ok, X509_STORE_CTX *store)
{
    if (ok)
        return ok;
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *failure = ssl ? static_cast<VerifyFailure *>(SSL_get_app_data(ssl)) : nullptr;
    if (failure && failure->error == X509_V_OK) {
        failure->error = X509_STORE_CTX_get_error(store);
        failure->depth = X509_STORE_CTX_get_error_depth(store);
        if (X509 *cert = X509_STORE_CTX_get_current_cert(store)) {
            failure->subject = subjectOf(cert);
            failure->notBefore = asn1Time(X509_get0_notBefore(cert));
            failure->notAfter = asn1Time(X509_get0_notAfter(cert));
            failure->names = altNames(cert);
        }
    }
    return ok;
}

// OpenSSL's error queue as text (and cleared), newest reason first.
QString takeErrors(unsigned long *firstReason = nullptr)
{
    QStringList parts;
    unsigned long e;
    bool first = true;
    while ((e = ERR_get_error()) != 0) {
        if (first && firstReason)
            *firstReason = ERR_GET_REASON(e);
        first = false;
        const char *r = ERR_reason_error_string(e);
        const QString text = r ? QString::fromLatin1(r) : QStringLiteral("error %1").arg(e);
        if (!parts.contains(text))
            parts << text;
    }
    return parts.join(QStringLiteral("; "));
}

QString caSources(const RedisTls &tls)
{
    QStringList where;
    if (!tls.caCerts.isEmpty())
        where << QStringLiteral("ssl_ca_certs=%1").arg(tls.caCerts);
    if (!tls.caPath.isEmpty())
        where << QStringLiteral("ssl_ca_path=%1").arg(tls.caPath);
    where << QStringLiteral("the system CA store");
    return where.join(QStringLiteral(", "));
}

QString describeVerifyFailure(const VerifyFailure &f, const RedisTls &tls, const QString &host)
{
    const QString which = f.depth <= 0 ? QStringLiteral("the server's certificate")
                                       : QStringLiteral("a CA certificate in the server's chain");
    const QString subject = f.subject.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(f.subject);
    switch (f.error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return QStringLiteral("certificate verify failed: unknown CA: %1%2 is not signed by a CA trusted here (%3)")
            .arg(which, subject, caSources(tls));
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QStringLiteral("certificate verify failed: expired: %1%2 expired on %3").arg(which, subject, f.notAfter);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QStringLiteral("certificate verify failed: not yet valid: %1%2 is valid from %3")
            .arg(which, subject, f.notBefore);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QStringLiteral("certificate verify failed: host name mismatch: %1%2 is for %3, not %4 (ssl_check_hostname)")
            .arg(which, subject,
                 f.names.isEmpty() ? QStringLiteral("no subjectAltName") : f.names.join(QStringLiteral(", ")), host);
    default:
        return QStringLiteral("certificate verify failed: %1%2: %3")
            .arg(which, subject, QString::fromLatin1(X509_verify_cert_error_string(f.error)));
    }
}

// Our client certificate, as messages name it.
QString clientCertificate(const QString &certFile)
{
    return certFile.isEmpty() ? QStringLiteral("no client certificate was sent (ssl_certfile is not set)")
                              : QStringLiteral("client certificate ssl_certfile=%1").arg(certFile);
}

QString refusedClientCertificate(const QString &certFile, const QString &detail)
{
    if (certFile.isEmpty())
        return QStringLiteral("the server requires a client certificate and %1 (%2)").arg(clientCertificate(certFile), detail);
    return QStringLiteral("the server refused the %1 (%2)").arg(clientCertificate(certFile), detail);
}

bool isClientCertificateAlert(unsigned long reason)
{
    switch (reason) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
        return true;
    default:
        return false;
    }
}

int passwordCallback(char *buf, int size, int, void *userdata)
{
    const QByteArray pw = static_cast<const QString *>(userdata)->toUtf8();
    const int n = std::min<int>(size, int(pw.size()));
    std::memcpy(buf, pw.constData(), size_t(n));
    return n;
}

Expected<CtxPtr> makeContext(const RedisTls &tls)
{
    CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx)
        return makeError(QStringLiteral("TLS: cannot create a context: %1").arg(takeErrors()));
    // Python's default client context: TLS 1.2 or newer.
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // Without read-ahead OpenSSL reads each record's 5-byte header and its body in two system
    // calls; with it, a reply costs one read as in plain text (measured by bench_cluster).
    SSL_CTX_set_read_ahead(ctx.get(), 1);
    if (tls.certReqs != RedisTls::CertReqs::None) {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, verifyCallback);
        SSL_CTX_set_default_verify_paths(ctx.get());
        ERR_clear_error(); // a missing system bundle is not an error by itself
    } else {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    }
    if (!tls.caCerts.isEmpty() || !tls.caPath.isEmpty()) {
        const QByteArray file = tls.caCerts.toLocal8Bit();
        const QByteArray dir = tls.caPath.toLocal8Bit();
        if (SSL_CTX_load_verify_locations(ctx.get(), file.isEmpty() ? nullptr : file.constData(),
                                          dir.isEmpty() ? nullptr : dir.constData())
            != 1)
            return makeError(QStringLiteral("TLS: cannot load the CA certificates (%1): %2")
                                 .arg(tls.caCerts.isEmpty() ? QStringLiteral("ssl_ca_path=%1").arg(tls.caPath)
                                                            : QStringLiteral("ssl_ca_certs=%1").arg(tls.caCerts),
                                      takeErrors()));
    }
    if (!tls.keyFile.isEmpty() && tls.certFile.isEmpty())
        return makeError(QStringLiteral("TLS: ssl_keyfile=%1 is given without ssl_certfile").arg(tls.keyFile));
    if (!tls.certFile.isEmpty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.certFile.toLocal8Bit().constData()) != 1)
            return makeError(QStringLiteral("TLS: cannot load the client certificate ssl_certfile=%1: %2")
                                 .arg(tls.certFile, takeErrors()));
        if (!tls.keyPassword.isEmpty()) {
            SSL_CTX_set_default_passwd_cb(ctx.get(), passwordCallback);
            SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), const_cast<QString *>(&tls.keyPassword));
        }
        const QString keyFile = tls.keyFile.isEmpty() ? tls.certFile : tls.keyFile;
        const int loaded = SSL_CTX_use_PrivateKey_file(ctx.get(), keyFile.toLocal8Bit().constData(), SSL_FILETYPE_PEM);
        SSL_CTX_set_default_passwd_cb(ctx.get(), nullptr);
        SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), nullptr);
        if (loaded != 1) // OpenSSL also checks here that the key belongs to the certificate
            return makeError(QStringLiteral("TLS: cannot use the private key %1=%2 with ssl_certfile=%3: %4")
                                 .arg(tls.keyFile.isEmpty() ? QStringLiteral("ssl_certfile") : QStringLiteral("ssl_keyfile"),
                                      keyFile, tls.certFile, takeErrors()));
        if (SSL_CTX_check_private_key(ctx.get()) != 1)
            return makeError(QStringLiteral("TLS: the private key %1 does not belong to ssl_certfile=%2: %3")
                                 .arg(keyFile, tls.certFile, takeErrors()));
    }
    return ctx;
}

} // namespace

Expected<bool> handshake(RedisConnection::Private &d, const RedisTls &tls, const QString &host,
                         std::chrono::milliseconds timeout)
{
    ERR_clear_error();
    // As Python's ssl: check_hostname cannot go with CERT_NONE (redis-py raises ValueError).
    if (tls.checkHostname && tls.certReqs == RedisTls::CertReqs::None)
        return makeError(QStringLiteral("TLS: ssl_check_hostname=True needs certificate verification, but "
                                        "ssl_cert_reqs is none"));
    auto ctx = makeContext(tls);
    if (!ctx)
        return Error{ctx.error()};
    SSL *ssl = SSL_new(ctx->get());
    if (!ssl)
        return makeError(QStringLiteral("TLS: %1").arg(takeErrors()));
    d.ssl = ssl; // owned by d from here (freed with it)
    d.clientCertFile = tls.certFile;
    SSL_set_fd(ssl, d.fd);
    VerifyFailure failure;
    SSL_set_app_data(ssl, &failure);
    const bool isIp = !QHostAddress(host).isNull();
    const QByteArray hostBytes = host.toUtf8();
    if (!isIp && !host.isEmpty())
        SSL_set_tlsext_host_name(ssl, hostBytes.constData()); // SNI, as Python sends server_hostname
    if (tls.checkHostname) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (isIp)
            X509_VERIFY_PARAM_set1_ip_asc(param, hostBytes.constData());
        else
            X509_VERIFY_PARAM_set1_host(param, hostBytes.constData(), size_t(hostBytes.size()));
    }
    const auto previous = d.socketTimeout;
    d.setSocketTimeout(timeout);
    const int result = SSL_connect(ssl);
    d.setSocketTimeout(previous);
    SSL_set_app_data(ssl, nullptr);
    if (result == 1)
        return true;

    d.broken = true;
    const int sslError = SSL_get_error(ssl, result);
    const int savedErrno = errno;
    unsigned long reason = 0;
    const QString queued = takeErrors(&reason);
    if (failure.error != X509_V_OK)
        return makeError(QStringLiteral("TLS handshake failed: %1").arg(describeVerifyFailure(failure, tls, host)));
    // A plain-text server answers a ClientHello with an error line, or waits for the end of a
    // line that never comes.
    const QString notTls = QStringLiteral("is this its TLS port (tls-port)? CacheScope does not fall back to plain text");
    if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_HTTP_REQUEST)
        return makeError(QStringLiteral("TLS handshake failed: the server did not answer in TLS (%1); %2").arg(queued, notTls));
    if (isClientCertificateAlert(reason))
        return makeError(QStringLiteral("TLS handshake failed: %1").arg(refusedClientCertificate(tls.certFile, queued)));
    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE
        || (sslError == SSL_ERROR_SYSCALL && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK)))
        return makeError(QStringLiteral("TLS handshake failed: the server did not answer in TLS within %1 ms; %2")
                             .arg(timeout.count())
                             .arg(notTls));
    if (sslError == SSL_ERROR_SYSCALL && queued.isEmpty())
        return makeError(QStringLiteral("TLS handshake failed: %1")
                             .arg(savedErrno && result < 0 ? QString::fromLocal8Bit(std::strerror(savedErrno))
                                                           : QStringLiteral("the server closed the connection")));
    return makeError(QStringLiteral("TLS handshake failed: %1").arg(queued.isEmpty() ? QStringLiteral("unknown error") : queued));
}

QString ioFailure(const RedisConnection::Private &d, int result)
{
    const int savedErrno = errno;
    const int sslError = SSL_get_error(d.ssl, result);
    unsigned long reason = 0;
    const QString queued = takeErrors(&reason);
    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE
        || (sslError == SSL_ERROR_SYSCALL && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK)))
        return QStringLiteral("timed out after %1 ms").arg(d.socketTimeout.count());
    if (isClientCertificateAlert(reason))
        return refusedClientCertificate(d.clientCertFile, queued);
    // A reset counts too: the server may close before our side has read its alert.
    const bool eof = sslError == SSL_ERROR_ZERO_RETURN || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING
                     || (sslError == SSL_ERROR_SYSCALL && queued.isEmpty()
                         && (result == 0 || savedErrno == ECONNRESET || savedErrno == EPIPE));
    if (eof) {
        // Under TLS 1.3 the server checks our certificate after the client's handshake is done:
        // a refusal shows as the connection closing before the first reply (our first write
        // can already find it closed).
        if (!d.answered)
            return QStringLiteral("the server closed the TLS connection before its first reply; it probably refused "
                                  "the handshake: %1")
                .arg(d.clientCertFile.isEmpty()
                         ? QStringLiteral("it may require a client certificate (ssl_certfile is not set)")
                         : QStringLiteral("it may not accept the client certificate ssl_certfile=%1").arg(d.clientCertFile));
        return QStringLiteral("server closed the connection");
    }
    if (sslError == SSL_ERROR_SYSCALL)
        return savedErrno ? QString::fromLocal8Bit(std::strerror(savedErrno)) : QStringLiteral("connection lost");
    return QStringLiteral("TLS error: %1").arg(queued.isEmpty() ? QStringLiteral("unknown") : queued);
}

} // namespace cachescope::tls
