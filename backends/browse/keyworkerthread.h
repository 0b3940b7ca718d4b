#pragma once

#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QSet>

#include <utility>

class QThread;

namespace cachescope {

// The I/O thread of a key source that blocks (Redis, a cache directory): work is queued to a
// context object that lives on it, and long-running work checks the set of cancelled request
// ids. stop() (also run by the destructor) cancels everything and joins; an owner calls it
// first in its own destructor so that the state its queued work touches outlives the thread.
class KeyWorkerThread
{
public:
    explicit KeyWorkerThread(const QString &name);
    ~KeyWorkerThread();
    KeyWorkerThread(const KeyWorkerThread &) = delete;
    KeyWorkerThread &operator=(const KeyWorkerThread &) = delete;

    // Queues f to run on the thread, after everything queued before it.
    template<typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::QueuedConnection);
    }

    void cancel(quint64 id);
    bool isCancelled(quint64 id) const; // also true for every id once stopping
    void stop();

private:
    QThread *m_thread;
    QObject *m_context;
    mutable QMutex m_mutex;
    QSet<quint64> m_cancelled; // 0 marks "everything"
};

} // namespace cachescope
