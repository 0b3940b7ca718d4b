#pragma once

#include "hitratesample.h"

#include <QByteArray>
#include <QHash>

#include <optional>

namespace cachescope {

// Turns successive INFO replies of one server into rates. Pure (no I/O), so the CLI, the poller
// thread and tests share it. Counters that go backwards, or a new run_id, mean the server restarted
// or ran CONFIG RESETSTAT: that interval yields no hit sample and zero rates, never a negative spike.
class RedisInfoRates
{
public:
    explicit RedisInfoRates(QString server);

    struct Result
    {
        std::optional<HitRateSample> hits; // absent on the first reply and after a reset
        ServerSample server;
    };
    Result feed(const QByteArray &info, qint64 nowMs);

    // "key:value" lines of an INFO reply; sections and blank lines skipped; CRLF or LF.
    static QHash<QByteArray, QByteArray> parseInfo(const QByteArray &info);

private:
    struct Counters
    {
        QByteArray runId;
        quint64 hits = 0, misses = 0, sets = 0, evicted = 0, expired = 0, commands = 0, connections = 0;
    };
    QString m_server;
    std::optional<Counters> m_previous;
    qint64 m_previousMs = 0;
};

} // namespace cachescope
