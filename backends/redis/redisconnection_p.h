#pragma once

// Private to backends/redis: the state of a RedisConnection, shared by redisconnection.cpp (I/O,
// reader) and redisconnector.cpp / redistls.cpp (which build it).

#include "redisconnector.h"
#include "respreader.h"

#include <chrono>
#include <memory>

struct ssl_st;

namespace cachescope {

struct RedisConnection::Private
{
    Private();
    ~Private();
    Private(const Private &) = delete;
    Private &operator=(const Private &) = delete;

    int fd = -1;
    ssl_st *ssl = nullptr;       // TLS session over fd, or null for plain text
    RespReader reader;
    QString name;                // as errors name the server
    QString address;             // host:port or socket path actually connected
    std::chrono::milliseconds socketTimeout{10000};
    bool broken = false;
    bool answered = false;       // a reply was read: TLS 1.3 has accepted our client certificate
    QString clientCertFile;      // ssl_certfile, for messages about a refused client certificate

    // SO_RCVTIMEO/SO_SNDTIMEO: every blocking read and write is bounded (hiredis does the same).
    void setSocketTimeout(std::chrono::milliseconds timeout);
};

} // namespace cachescope
