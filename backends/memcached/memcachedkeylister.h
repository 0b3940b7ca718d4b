#pragma once

#include "memcachedclient.h"
#include "memcachedreplies.h"

#include <QByteArray>

#include <atomic>
#include <functional>

namespace cachescope {

// Lists the keys of every server of a MemcachedClient with `lru_crawler metadump <class>`, one
// page per slab class per server (memcached has no SCAN; a class is the natural resumable unit,
// and `stats items` says which classes hold items). The cursor is "0" to start and when done,
// otherwise "<server>:<class>" — opaque to callers. Items past their expiry are not listed
// (the crawler skips them). Keys come percent-decoded, with the key prefix, as stored.
// Needs the text protocol: a SASL (binary-protocol) client gets an Error saying keys cannot be
// listed. While another crawl holds the crawler (BUSY) it retries for up to about 2 s.
class MemcachedKeyLister
{
public:
    explicit MemcachedKeyLister(MemcachedClient &client) : m_client(client) {}

    // `server` is where the item lives (deletes go there, whatever the key hashes to).
    using ItemCallback = std::function<bool(int server, memcachedreplies::MetadumpLine &&item)>;
    // One page: onItem gets each item (return false to stop; the next cursor then repeats this
    // page). Returns the next cursor. `stop`, when set, ends a BUSY wait early with an error.
    Expected<QByteArray> page(const QByteArray &cursor, const ItemCallback &onItem,
                              const std::atomic_bool *stop = nullptr);

    static bool isDone(const QByteArray &cursor) { return cursor.isEmpty() || cursor == "0"; }

private:
    // Slab classes that hold items on `server`, ascending.
    Expected<QList<int>> classesOf(int server);
    MemcachedClient &m_client;
};

} // namespace cachescope
