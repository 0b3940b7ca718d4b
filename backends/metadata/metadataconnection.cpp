#include "metadataconnection.h"

namespace cachescope {

MetadataConnection::MetadataConnection(MetadataUri uri)
    : m_uri(uri), m_redacted(uri.redacted()), m_database(std::make_unique<MetadataDatabase>(std::move(uri)))
    , m_io(QStringLiteral("metadata-db"))
{
    // call() must know the thread to run directly when it is already on it.
    m_io.post([this] { m_thread.store(QThread::currentThread()); });
}

MetadataConnection::~MetadataConnection()
{
    stop();
}

Expected<MetadataDatabase *> MetadataConnection::ensureOpen()
{
    if (!m_database->isOpen()) {
        auto opened = m_database->open();
        if (!opened)
            return Error{opened.error()};
    }
    return m_database.get();
}

void MetadataConnection::post(std::function<void(MetadataDatabase &)> work)
{
    m_io.post([this, work = std::move(work)] { work(*m_database); });
}

void MetadataConnection::stop()
{
    if (m_stopped.exchange(true))
        return;
    // The QSqlDatabase connection is closed and removed on the thread that opened it, and waited
    // for: KeyWorkerThread::stop() quits the thread's event loop, which drops work still queued, and
    // the database's destructor would then close it from this thread ("requested database does
    // not belong to the calling thread").
    if (QThread::currentThread() == m_thread.load()) {
        m_database->close();
    } else {
        std::promise<void> closed;
        std::future<void> done = closed.get_future();
        m_io.post([this, &closed] {
            m_database->close();
            closed.set_value();
        });
        done.wait();
    }
    m_io.stop();
    m_database.reset();
}

} // namespace cachescope
