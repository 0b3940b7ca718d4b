#include "clusterscanreader.h"

#include <pthread.h>

namespace cachescope {

ClusterScanReader::ClusterScanReader(Opener open, std::chrono::milliseconds idle)
    : m_open(std::move(open)), m_idle(idle), m_thread([this] { run(); })
{
}

ClusterScanReader::~ClusterScanReader()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

bool ClusterScanReader::sameStep(const Step &a, const Step &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size())
            return false;
        for (qsizetype k = 0; k < a[i].size(); ++k)
            if (a[i][k] != b[i][k] && !(k > 0 && a[i][k - 1].toUpper() == "COUNT"))
                return false;
    }
    return true;
}

qsizetype ClusterScanReader::scanIndex(const Step &step)
{
    for (qsizetype i = 0; i < step.size(); ++i)
        if (step[i].size() > 1 && step[i].first().toUpper() == "SCAN")
            return i;
    return -1;
}

bool ClusterScanReader::onItsWay(const Step &step) const
{
    if (!m_pages.empty())
        return sameStep(m_pages.front().step, step);
    if (m_onWire && m_onWireGeneration == m_generation)
        return sameStep(*m_onWire, step);
    return m_next && sameStep(*m_next, step);
}

void ClusterScanReader::expect(const Step &step)
{
    {
        std::lock_guard lock(m_mutex);
        m_shape = step;
        if (onItsWay(step))
            return;
        // Another cursor (the walk began again, a caller went back): the old chain's pages go,
        // and a step of it still on the wire is read and dropped.
        ++m_generation;
        m_pages.clear();
        m_next = step;
    }
    m_changed.notify_all();
}

Expected<std::vector<RedisReply>> ClusterScanReader::take(const Step &step)
{
    expect(step);
    std::unique_lock lock(m_mutex);
    // expect() put the chain on its way to `step`, and only this thread takes pages: the next
    // page is the one (or the error that stopped it).
    m_changed.wait(lock, [&] { return !m_pages.empty(); });
    Page page = std::move(m_pages.front());
    m_pages.pop_front();
    lock.unlock();
    m_changed.notify_all(); // room for a page more
    if (!page.error.isEmpty())
        return makeError(page.error);
    return std::move(page.replies);
}

void ClusterScanReader::run()
{
    pthread_setname_np(pthread_self(), "cluster-scan"); // how debuggers and profilers list it
    std::unique_ptr<RedisConnection> connection;
    std::unique_lock lock(m_mutex);
    for (;;) {
        const auto busy = [&] { return m_stop || (m_next && m_pages.size() < kDepth); };
        if (!connection && m_pages.empty()) {
            m_changed.wait(lock, busy); // holds nothing: sleep until asked
        } else if (!m_changed.wait_for(lock, m_idle, busy)) {
            // Asked nothing for m_idle: the walk was left (or ended and was not taken). Its pages
            // go, and a caller coming back begins its chain again (onItsWay finds nothing).
            ++m_generation;
            m_pages.clear();
            m_next.reset(); // and the chain stops where it is
            lock.unlock();
            connection.reset();
            lock.lock();
            continue;
        }
        if (m_stop)
            return;
        Page page{std::move(*m_next), {}, {}};
        m_next.reset();
        m_onWire = page.step;
        m_onWireGeneration = m_generation;
        lock.unlock();

        if (!connection || connection->isBroken()) {
            auto c = m_open();
            if (c)
                connection = std::move(*c);
            else
                page.error = c.error();
        }
        if (page.error.isEmpty()) {
            QByteArray request;
            for (const auto &command : page.step)
                RedisConnection::appendCommand(request, command);
            if (auto replies = connection->roundTrip(request, page.step.size(), "SCAN"))
                page.replies = std::move(*replies);
            else
                page.error = replies.error();
        }

        lock.lock();
        m_onWire.reset();
        if (m_onWireGeneration != m_generation)
            continue; // a step of a chain begun again meanwhile
        // The step that follows: this page's SCAN again with the cursor it answered, MATCH and
        // COUNT as last asked, and what follows the SCAN in the last step asked for (what comes
        // before it, such as a walk's opening CLUSTER NODES, is a chain's once).
        const qsizetype pageScan = scanIndex(page.step), shapeScan = scanIndex(m_shape);
        if (page.error.isEmpty() && page.replies.size() == size_t(page.step.size()) && pageScan >= 0 && shapeScan >= 0) {
            const RedisReply &scan = page.replies[size_t(pageScan)];
            if (scan.type == RedisReply::Type::Array && scan.elements.size() == 2 && scan.elements[0].string != "0"
                && !scan.elements[0].string.isEmpty()) {
                Step next = m_shape.mid(shapeScan);
                next[0][1] = scan.elements[0].string;
                m_next = std::move(next);
            }
        }
        m_pages.push_back(std::move(page));
        m_changed.notify_all();
    }
}

} // namespace cachescope
