#pragma once

// One master's part of a cluster walk, read ahead on a thread of its own. A walk's step on a
// master is SCAN <its cursor>, CLUSTER NODES (the first opens with CLUSTER NODES too:
// RedisClusterRouter::scanMasters); the cursor of the next step is in the SCAN reply, so a
// master's steps form a chain that only its own replies drive. The reader sends each next step the moment a page is read, as a raw
// SCAN loop per master does, while the router's caller hands keys over: the masters work in
// parallel and never wait for one another or for the GUI. At most kDepth pages wait to be
// taken (bounded memory). It talks on a connection of its own, opened as the router opens
// every node's (the `open` function), so the router's connection stays free for other commands.

#include "common/expected.h"
#include "redisconnector.h"
#include "redisreply.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace cachescope {

class ClusterScanReader
{
public:
    using Step = QList<QList<QByteArray>>;
    using Opener = std::function<Expected<std::unique_ptr<RedisConnection>>()>;
    // Each walk step waits for a page from every master, so the depth is how far a fast master
    // may run ahead of the slowest: 2 left the masters in lockstep (cluster_scan_ratio 1.37),
    // 8 lets them run (1.24); 8 x 4,000 keys a master stays a few MB.
    static constexpr size_t kDepth = 8;
    // A reader nobody asked anything of for this long (a walk abandoned half-way, or over and
    // not taken) drops its pages and closes its connection; the next step opens it again.
    static constexpr std::chrono::milliseconds kIdle{30000};

    explicit ClusterScanReader(Opener open, std::chrono::milliseconds idle = kIdle);
    ~ClusterScanReader(); // stops after the step on the wire, if any, is read
    ClusterScanReader(const ClusterScanReader &) = delete;
    ClusterScanReader &operator=(const ClusterScanReader &) = delete;

    // Makes sure the chain is on its way to `step` (begins it there otherwise), without waiting.
    void expect(const Step &step);
    // The replies of `step`, waiting for them. The chain goes on with the step that follows
    // (the SCAN reply's cursor, MATCH and COUNT as in `step`) unless its cursor was the last.
    Expected<std::vector<RedisReply>> take(const Step &step);

    // Where the step's SCAN is, -1 without one.
    static qsizetype scanIndex(const Step &step);
    // Steps equal but for COUNT's value: any COUNT is a valid step of the same walk.
    static bool sameStep(const Step &a, const Step &b);

private:
    struct Page
    {
        Step step;
        std::vector<RedisReply> replies;
        QString error;
    };
    bool onItsWay(const Step &step) const; // under m_mutex
    void run();

    Opener m_open;
    std::chrono::milliseconds m_idle;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Page> m_pages;       // read, not taken yet
    std::optional<Step> m_next;     // to send next
    std::optional<Step> m_onWire;   // sent, being read
    quint64 m_generation = 0;       // a chain begun again drops what the old one still reads
    quint64 m_onWireGeneration = 0;
    Step m_shape;                   // the last step asked for: MATCH and COUNT of the next ones
    bool m_stop = false;
    std::thread m_thread;           // last: starts once the rest is set up
};

} // namespace cachescope
