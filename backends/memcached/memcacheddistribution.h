#pragma once

#include <QByteArrayView>
#include <QList>

namespace cachescope {

// Which Python client wrote (and reads) a cache: it decides how values are serialised
// (memcachedvalue.h) and how keys are spread over several servers (below). cachelib prefers
// pylibmc when both are installed (cachelib › memcached.py › import_preferred_memcache_lib).
enum class MemcachedClientKind { Pylibmc, PythonMemcache };

// The server a key lives on, exactly as the client picks it while every server is up:
// - pylibmc 1.6.3 leaves libmemcached 1.0.18 at its defaults ("hash": "default" = Jenkins
//   one-at-a-time over the key bytes as *signed* chars, "distribution": "modula"): server =
//   hash % count, weights ignored; one server takes every key.
//   (awesomized/libmemcached › libhashkit/one_at_a_time.cc, libmemcached/hash.cc › dispatch_host)
// - python-memcache 1.58: buckets = each server repeated `weight` times; server =
//   buckets[(((crc32(key) & 0xffffffff) >> 16) & 0x7fff or 1) % len(buckets)].
//   (memcache.py › cmemcache_hash, Client._init_buckets, Client._get_server)
// Both were checked against the real clients with three servers (tst_memcachedinterop). When a
// server is down the clients move its keys elsewhere (python-memcache rehashes, libmemcached may
// auto-eject); CacheScope does not follow them and reports the server as unreachable instead.
class MemcachedDistribution
{
public:
    MemcachedDistribution(MemcachedClientKind kind, const QList<int> &weights);
    int serverFor(QByteArrayView key) const;
    int serverCount() const { return m_servers; }

    static quint32 oneAtATime(QByteArrayView key);
    static quint32 pythonMemcacheHash(QByteArrayView key);

private:
    MemcachedClientKind m_kind;
    int m_servers;
    QList<int> m_buckets; // python-memcache: bucket -> server
};

} // namespace cachescope
