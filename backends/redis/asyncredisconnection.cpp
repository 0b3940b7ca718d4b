#include "asyncredisconnection.h"

#include "asyncredisworker.h"

#include <QMutexLocker>
#include <QThread>

namespace cachescope {

AsyncRedisConnection::AsyncRedisConnection(RedisUrl url, QObject *parent)
    : QObject(parent), m_url(url), m_thread(new QThread(this)), m_worker(new AsyncRedisWorker(std::move(url)))
{
    qRegisterMetaType<cachescope::RedisReply>();
    qRegisterMetaType<std::vector<cachescope::RedisReply>>();
    qRegisterMetaType<cachescope::AsyncRedisConnection::State>();
    m_thread->setObjectName(QStringLiteral("redis-io"));
    m_worker->moveToThread(m_thread);

    // Worker signals cross to this object's thread (queued); cancelled ids are dropped here so a
    // cancel() that races with the reply still wins.
    connect(m_worker, &AsyncRedisWorker::stateChanged, this, [this](int state, const QString &reason) {
        m_state = State(state);
        if (!reason.isEmpty())
            m_lastError = reason;
        emit stateChanged(m_state);
    });
    connect(m_worker, &AsyncRedisWorker::replyReady, this, [this](quint64 id, const RedisReply &reply) {
        if (!takeCancelled(id))
            emit replyReady(id, reply);
    });
    connect(m_worker, &AsyncRedisWorker::pipelineReady, this,
            [this](quint64 id, const std::vector<RedisReply> &replies) {
                if (!takeCancelled(id))
                    emit pipelineReady(id, replies);
            });
    connect(m_worker, &AsyncRedisWorker::requestFailed, this, [this](quint64 id, const QString &message) {
        if (!takeCancelled(id))
            emit requestFailed(id, message);
    });
    m_thread->start();
}

AsyncRedisConnection::~AsyncRedisConnection()
{
    // Queued requests are dropped; timers belong to the worker thread, so they are stopped there
    // before it ends (this waits for at most the request or connect attempt in progress).
    m_worker->abandon();
    QMetaObject::invokeMethod(m_worker, &AsyncRedisWorker::close, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_worker; // its thread has stopped: no event can reach it any more
}

void AsyncRedisConnection::open()
{
    QMetaObject::invokeMethod(m_worker, &AsyncRedisWorker::open, Qt::QueuedConnection);
}

void AsyncRedisConnection::close()
{
    QMetaObject::invokeMethod(m_worker, &AsyncRedisWorker::close, Qt::QueuedConnection);
}

quint64 AsyncRedisConnection::send(QList<QByteArray> args)
{
    const quint64 id = ++m_nextId;
    AsyncRedisWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, args = std::move(args)] { worker->runCommand(id, args); }, Qt::QueuedConnection);
    return id;
}

quint64 AsyncRedisConnection::sendPipeline(QList<QList<QByteArray>> commands)
{
    const quint64 id = ++m_nextId;
    AsyncRedisWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, commands = std::move(commands)] { worker->runPipeline(id, commands); },
        Qt::QueuedConnection);
    return id;
}

void AsyncRedisConnection::cancel(quint64 id)
{
    QMutexLocker lock(&m_cancelMutex);
    m_cancelled.insert(id);
}

bool AsyncRedisConnection::takeCancelled(quint64 id)
{
    QMutexLocker lock(&m_cancelMutex);
    if (m_cancelled.isEmpty())
        return false;
    const bool cancelled = m_cancelled.contains(id);
    // Results come back in id order (one worker, FIFO): ids up to this one will never be seen
    // again, so cancels that arrived too late are forgotten instead of piling up.
    m_cancelled.removeIf([id](quint64 other) { return other <= id; });
    return cancelled;
}

} // namespace cachescope
