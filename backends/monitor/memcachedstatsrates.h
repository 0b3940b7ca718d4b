#pragma once

#include "hitratesample.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <optional>

namespace cachescope {

// Turns successive `stats` (and `stats detail dump`) answers of one memcached server into rates.
// Pure (no I/O): the poller thread, the CLI and tests share it.
// - Server-wide: get_hits / get_misses / cmd_set per second (Exactness::ServerWide), memory
//   (bytes, limit_maxbytes), evictions, expirations (reclaimed + crawler_reclaimed), operations,
//   curr_items.
// - Per key prefix from `stats detail dump` ("PREFIX <p> get <n> hit <n> set <n> del <n>"): each
//   prefix's gets, hits and sets per second, counted by the server for every client's requests
//   (Exactness::Exact for that prefix). memcached collects these only after `stats detail on`,
//   and cuts a key's prefix at the FIRST occurrence of its delimiter (-D, default ':'); keys
//   without the delimiter are not counted at all (memcached › stats_prefix.c).
// A new pid, a smaller uptime or a counter going backwards means a restart or `stats reset`:
// that interval yields no hit samples and zero rates, never a negative spike.
class MemcachedStatsRates
{
public:
    explicit MemcachedStatsRates(QString server);

    struct Result
    {
        std::optional<HitRateSample> hits;  // absent on the first answer and after a reset
        ServerSample server;
        QList<HitRateSample> prefixes;      // cache = the memcached prefix (before the delimiter)
        bool detailEnabled = false;         // the server collects per-prefix statistics
    };
    Result feed(const QList<std::pair<QByteArray, QByteArray>> &stats, const QList<QByteArray> &detailLines, qint64 nowMs);
    // "detail_enabled" from `stats settings` and the prefix delimiter ("stat_key_prefix").
    void setSettings(bool detailEnabled, char delimiter);
    char delimiter() const { return m_delimiter; }

    // The memcached prefix (what `stats detail` groups by) of a cache key prefix: the text before
    // its first delimiter; empty when the key prefix holds no delimiter (such keys are not
    // counted per prefix, or are counted under whatever comes before the key body's delimiter).
    static QByteArray detailPrefixOf(const QByteArray &keyPrefix, char delimiter);

private:
    struct Prefix
    {
        quint64 gets = 0, hits = 0, sets = 0;
    };
    struct Counters
    {
        QByteArray pid;
        qint64 uptime = 0;
        quint64 hits = 0, misses = 0, sets = 0, evicted = 0, expired = 0, commands = 0;
        QHash<QByteArray, Prefix> prefixes;
    };
    QString m_server;
    std::optional<Counters> m_previous;
    qint64 m_previousMs = 0;
    bool m_detailEnabled = false;
    char m_delimiter = ':';
};

} // namespace cachescope
