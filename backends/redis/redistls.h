#pragma once

// Private to backends/redis: OpenSSL under RedisConnection (hiredis 0.14 has no TLS). The
// handshake and the wording of every TLS failure live here; the reads and writes themselves
// share RedisConnection's one code path with plain text.

#include "redisconnection_p.h"

#include <chrono>

namespace cachescope::tls {

// Runs the TLS handshake over d.fd (already connected) as redis-py's SSLConnection would:
// system CA store plus ssl_ca_certs/ssl_ca_path, the client certificate when given, SNI for a
// host name, the host name checked only with ssl_check_hostname. On success d.ssl is set. A
// failed check is an error saying which one (unknown CA, expired, host name); nothing falls
// back to plain text.
Expected<bool> handshake(RedisConnection::Private &d, const RedisTls &tls, const QString &host,
                         std::chrono::milliseconds timeout);

// Words for a failed SSL_read/SSL_write (its return value), reading and clearing OpenSSL's
// error queue. A refusal of our client certificate (an alert, or under TLS 1.3 often a bare EOF
// at the first read) is named as such, with the certificate.
QString ioFailure(const RedisConnection::Private &d, int result);

} // namespace cachescope::tls
