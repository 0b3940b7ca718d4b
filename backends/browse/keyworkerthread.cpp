#include "keyworkerthread.h"

#include <QThread>

namespace cachescope {

KeyWorkerThread::KeyWorkerThread(const QString &name) : m_thread(new QThread), m_context(new QObject)
{
    m_thread->setObjectName(name);
    m_context->moveToThread(m_thread);
    m_thread->start();
}

KeyWorkerThread::~KeyWorkerThread()
{
    stop();
}

void KeyWorkerThread::cancel(quint64 id)
{
    QMutexLocker lock(&m_mutex);
    m_cancelled.insert(id);
}

bool KeyWorkerThread::isCancelled(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    return m_cancelled.contains(id) || m_cancelled.contains(0);
}

void KeyWorkerThread::stop()
{
    if (!m_thread)
        return;
    cancel(0);
    QMetaObject::invokeMethod(m_context, [ctx = m_context] { delete ctx; }, Qt::QueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_context = nullptr;
}

} // namespace cachescope
