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
    // Work still queued sees itself cancelled and returns early; then the QSqlDatabase
    // connection is closed and removed on the thread that opened it. Waited for, because a
    // stopping thread drops the events still queued to it.
    m_io.cancel(0);
    std::promise<void> closed;
    m_io.post([this, &closed] {
        m_database->close();
        closed.set_value();
    });
    closed.get_future().wait();
    m_io.stop();
    m_database.reset();
}

} // namespace cachescope
