#pragma once

#include "memcacheddistribution.h"
#include "memcachedlink.h"

#include <memory>
#include <vector>

namespace cachescope {

// A blocking memcached client over one or more servers, for worker threads and the CLI: keys go
// to the server the Python client would pick (MemcachedDistribution), each server's keys travel
// in one round trip, answers come back in request order. Connections open lazily (building a
// client touches no server). Not thread-safe: its owner serialises calls.
class MemcachedClient
{
public:
    struct Options
    {
        QList<MemcachedEndpoint> servers;
        MemcachedClientKind client = MemcachedClientKind::Pylibmc;
        MemcachedLink::Credentials credentials; // set: binary protocol + SASL on every server
        std::chrono::milliseconds timeout{4000}; // pylibmc's "connect_timeout" default
    };
    explicit MemcachedClient(Options options);
    ~MemcachedClient();

    const Options &options() const { return m_options; }
    int serverCount() const { return int(m_links.size()); }
    MemcachedLink &link(int server) { return *m_links[size_t(server)]; }
    int serverFor(QByteArrayView key) const { return m_distribution.serverFor(key); }
    // "127.0.0.1:11211,127.0.0.1:11212", with "user:***@" in front when SASL is used.
    QString description() const;

    Expected<QList<std::optional<MemcachedItem>>> get(const QList<QByteArray> &keys);
    Expected<QList<MemcachedLink::StoreResult>> store(const QList<MemcachedLink::Store> &stores);
    Expected<QList<bool>> remove(const QList<QByteArray> &keys);
    Expected<QList<bool>> touch(const QList<QByteArray> &keys, qint64 exptime);
    Expected<QList<std::optional<MemcachedLink::Meta>>> meta(const QList<QByteArray> &keys);
    Expected<std::optional<quint64>> incrDecr(const QByteArray &key, quint64 delta, bool increment);
    void close();

private:
    // Splits `count` request positions by server, runs `perServer(server, positions)` for each
    // server that has some, and returns its answers scattered back to request order.
    template<typename T, typename PerServer>
    Expected<QList<T>> scatter(qsizetype count, const std::function<QByteArrayView(qsizetype)> &keyAt,
                               PerServer &&perServer);

    Options m_options;
    MemcachedDistribution m_distribution;
    std::vector<std::unique_ptr<MemcachedLink>> m_links;
};

} // namespace cachescope
