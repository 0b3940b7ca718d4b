#pragma once

#include "browse/keyworkerthread.h"
#include "metadatadatabase.h"

#include <QThread>

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <type_traits>

namespace cachescope {

// The one place a metadata database connection lives: a thread of its own that owns one
// MetadataDatabase, created, used and destroyed there (QtSql connections are thread-bound).
// post() queues work and returns at once (MetadataWorker's requests); call() runs work there and
// waits for its result, for code that is itself off the GUI thread (the metastore cache, CLI
// commands). Work runs in the order it was queued. The database is opened lazily by the first
// work item that asks for it (ensureOpen) and closed on the thread by stop()/the destructor.
class MetadataConnection
{
public:
    explicit MetadataConnection(MetadataUri uri);
    ~MetadataConnection();
    MetadataConnection(const MetadataConnection &) = delete;
    MetadataConnection &operator=(const MetadataConnection &) = delete;

    QString redactedUri() const { return m_redacted; }

    // On the connection's thread only: the database, opened (read-only) on first use.
    Expected<MetadataDatabase *> ensureOpen();

    void post(std::function<void(MetadataDatabase &)> work);
    // Runs work on the connection's thread and returns its result (an Expected). Never call it
    // from the GUI thread; from the connection's own thread it runs directly.
    template<typename F>
    auto call(F &&work) -> std::invoke_result_t<F, MetadataDatabase &>
    {
        using R = std::invoke_result_t<F, MetadataDatabase &>;
        static_assert(std::is_constructible_v<R, Error>, "call() returns an Expected");
        if (m_stopped.load())
            return R(makeError(QStringLiteral("metadata database %1: the connection is closed").arg(m_redacted)));
        if (QThread::currentThread() == m_thread.load())
            return work(*m_database);
        auto promise = std::make_shared<std::promise<R>>();
        std::future<R> result = promise->get_future();
        m_io.post([this, promise, work = std::forward<F>(work)]() mutable { promise->set_value(work(*m_database)); });
        return result.get();
    }

    void cancel(quint64 id) { m_io.cancel(id); }
    bool isCancelled(quint64 id) const { return m_io.isCancelled(id); }
    void stop();

private:
    MetadataUri m_uri;
    QString m_redacted;
    std::unique_ptr<MetadataDatabase> m_database; // used on m_io's thread only
    std::atomic<QThread *> m_thread{nullptr};
    std::atomic<bool> m_stopped{false};
    KeyWorkerThread m_io; // last: stopped before the database it touches is destroyed
};

} // namespace cachescope
