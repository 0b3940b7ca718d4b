#include "rediskeysource.h"

#include "redis/redisclient.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

namespace cachescope {

namespace {

// Batches waiting for the GUI thread before a continuous scan pauses: keeps memory bounded
// (48 x 1,000 keys) and keeps each GUI event-loop pass short (STYLE.md §5.7). A cluster step is
// a dozen batches; room for four keeps the masters' readers from pausing at every step
// (bench_cluster: 16 → 48 with 8 pages of read-ahead took 1M keys from 0.50 s to 0.45 s).
constexpr int kMaxBatchesInFlight = 48;
// A parked scan resumes once the GUI has taken half of them, not at every batch it takes: each
// resume is a hand-over between threads, and a step of a cluster walk (a page from every master)
// is a dozen batches, so resuming per batch cost more hand-overs than the step itself.
constexpr int kResumeBatchesInFlight = kMaxBatchesInFlight / 2;
constexpr qsizetype kSliceKeys = 1000;
// A continuous scan grows COUNT while round trips stay short: fewer round trips and thread
// hand-offs per key, each batch still small enough for one short GUI event-loop pass.
constexpr int kMaxContinuousCount = 4000;
constexpr qint64 kFastRoundTripNs = 10000000;
constexpr qint64 kSlowRoundTripNs = 40000000;
constexpr int kDeleteBatch = 500;
// A dead or restarted server is noticed within about this long even when nothing is asked.
constexpr int kHeartbeatMs = 1000;

QString replyError(const RedisReply &r)
{
    return QString::fromUtf8(r.string);
}

} // namespace

struct RedisKeySource::Worker
{
    explicit Worker(RedisUrl url) : client(std::move(url)) {}
    RedisClient client;
    qint64 clientId = -1;
    QByteArray runId;
    bool down = false;
    // Told on the worker thread: the link went down (with the reason) or came back; the server
    // behind a new connection is a different instance than before (a restart: new run_id).
    std::function<void(bool up, const QString &why)> onLink;
    std::function<void()> onReplaced;

    // One attempt: the pipeline plus CLIENT ID, which tells a new connection (a reconnect inside
    // the client) from the old one; a new one, or one after a failure, is asked for its server's
    // run_id. serverChanged is set when the server answering now is a different instance.
    Expected<std::vector<RedisReply>> once(const QList<QList<QByteArray>> &cmds, bool *serverChanged = nullptr)
    {
        QList<QList<QByteArray>> withId = cmds;
        withId.append(QList<QByteArray>{"CLIENT", "ID"});
        auto replies = client.pipeline(withId);
        if (!replies) {
            linkDown(replies.error());
            return replies;
        }
        const qint64 id = replies->back().integer;
        replies->pop_back();
        if (id != clientId || down) {
            auto info = client.command({"INFO", "server"});
            if (!info) {
                linkDown(info.error());
                return makeError(info.error());
            }
            if (!info->isError())
                noteRunId(info->string, serverChanged);
            clientId = id;
        }
        if (down) {
            down = false;
            if (onLink)
                onLink(true, {});
        }
        return replies;
    }

    // The heartbeat: asks for run_id every time, as a new server's CLIENT ID can equal the old one's.
    void probe()
    {
        auto replies = once({{"INFO", "server"}});
        if (replies && !replies->front().isError())
            noteRunId(replies->front().string, nullptr);
    }

    // Runs a pipeline, reconnecting with back-off when the link is down (about 6 s in all; 35 s
    // behind Sentinel, long enough for a failover to promote a replica). Sets serverChanged when
    // the connection was re-established to a restarted server or a new master.
    Expected<std::vector<RedisReply>> run(const QList<QList<QByteArray>> &cmds, bool *serverChanged = nullptr)
    {
        int delayMs = 50;
        QString lastError;
        const int attempts = client.url().sentinel ? 40 : 8;
        for (int attempt = 0; attempt < attempts; ++attempt) {
            auto replies = once(cmds, serverChanged);
            if (replies)
                return replies;
            lastError = replies.error();
            QThread::msleep(delayMs);
            delayMs = qMin(delayMs * 2, 1000);
        }
        return makeError(lastError);
    }

private:
    void noteRunId(const QByteArray &info, bool *serverChanged)
    {
        const qsizetype at = info.indexOf("run_id:");
        if (at < 0)
            return; // INFO without run_id (a proxy): restarts cannot be told
        const QByteArray rid = info.mid(at + 7, 40);
        if (!runId.isEmpty() && rid != runId) {
            if (serverChanged)
                *serverChanged = true;
            if (onReplaced)
                onReplaced();
        }
        runId = rid;
    }
    void linkDown(const QString &why)
    {
        down = true;
        if (onLink)
            onLink(false, why);
    }
};

RedisKeySource::RedisKeySource(RedisUrl url, QByteArray keyPrefix, QObject *parent)
    : KeySource(std::move(keyPrefix), parent)
    , m_url(url)
    , m_worker(std::make_unique<Worker>(std::move(url)))
    , m_io(QStringLiteral("redis-keys"))
{
    // The worker's link events reach this object's thread in the order they happened, and
    // before the answer of the request that noticed them.
    m_worker->onLink = [this](bool up, const QString &why) { post([this, up, why] { setReachable(up, why); }); };
    m_worker->onReplaced = [this] { post([this] { Q_EMIT serverReplaced(); }); };
    m_heartbeat.setInterval(kHeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        // One probe at a time: a probe queued behind a long request is not queued twice.
        if (m_probeQueued.exchange(true))
            return;
        m_io.post([this] {
            m_probeQueued.store(false);
            m_worker->probe();
        });
    });
}

void RedisKeySource::watchServer()
{
    // A source that was asked for something keeps an eye on its server from then on, so the
    // page that shows its keys learns when the server goes away or comes back restarted.
    if (!m_heartbeat.isActive())
        m_heartbeat.start();
}

RedisKeySource::~RedisKeySource()
{
    m_io.stop();
}

QString RedisKeySource::description() const
{
    return m_url.redacted();
}

void RedisKeySource::cancel(quint64 id)
{
    m_io.cancel(id);
}

quint64 RedisKeySource::requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous)
{
    watchServer();
    const quint64 id = nextId();
    const QByteArray start = cursor.isEmpty() ? QByteArray("0") : cursor;
    m_io.post([this, id, start, match, count, continuous] { scanStep(id, start, match, count, continuous); });
    return id;
}

// Runs on the worker thread.
void RedisKeySource::scanStep(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous)
{
    if (m_io.isCancelled(id))
        return;
    if (continuous && m_batchesInFlight.load() >= kMaxBatchesInFlight) {
        // The GUI thread has not caught up: park the scan; the GUI side resumes it when it has
        // taken half of the batches waiting. Other requests keep running meanwhile.
        QMutexLocker lock(&m_parkedMutex);
        m_parked = [=, this] { scanStep(id, cursor, match, count, continuous); };
        // Above the resume mark, a batch still waiting will resume it (it looks after this
        // lock); at or below, the GUI may already have passed the mark: go on now.
        if (m_batchesInFlight.load() > kResumeBatchesInFlight)
            return;
        auto resume = std::move(m_parked);
        m_parked = nullptr;
        lock.unlock();
        resume();
        return;
    }
    QElapsedTimer roundTrip;
    roundTrip.start();
    QList<QByteArray> cmd{"SCAN", cursor};
    if (!match.isEmpty() && match != "*")
        cmd << "MATCH" << match;
    cmd << "COUNT" << QByteArray::number(qBound(1, count, 100000));
    bool serverChanged = false;
    auto replies = m_worker->run({cmd}, &serverChanged);
    bool restarted = false;
    if (replies && serverChanged && cursor != "0") {
        // The cursor belongs to a server that is gone: begin again, the receiver dedupes.
        restarted = true;
        cursor = "0";
        cmd[1] = "0";
        replies = m_worker->run({cmd});
    }
    QString error;
    if (!replies) {
        error = QStringLiteral("SCAN on %1 failed: %2").arg(description(), replies.error());
    } else if (const RedisReply &r = replies->front(); r.isError()) {
        error = QStringLiteral("SCAN on %1 failed: %2").arg(description(), replyError(r));
    } else if (r.type != RedisReply::Type::Array || r.elements.size() != 2 || r.elements[1].type != RedisReply::Type::Array) {
        error = QStringLiteral("SCAN on %1 failed: unexpected reply shape").arg(description());
    }
    if (!error.isEmpty()) {
        post([this, id, error] { Q_EMIT scanFailed(id, error); });
        return;
    }
    const QByteArray next = replies->front().elements[0].string;
    // Deliver a large page in slices: each queued slice is a short GUI event-loop pass. The
    // keys move out of the reply into their slice (a cluster step brings a page per master, so
    // copies here were a measurable part of listing a cluster).
    std::vector<RedisReply> &keys = replies->front().elements[1].elements;
    const qsizetype total = qsizetype(keys.size());
    QList<ScanBatch> slices;
    for (qsizetype at = 0; at == 0 || at < total; at += kSliceKeys) {
        const qsizetype end = qMin(total, at + kSliceKeys);
        ScanBatch slice;
        slice.cursor = cursor;
        slice.restarted = restarted && at == 0;
        slice.keys.reserve(end - at);
        for (qsizetype i = at; i < end; ++i)
            slice.keys.append(std::move(keys[size_t(i)].string));
        slice.more = end < total;
        slice.nextCursor = slice.more ? cursor : next;
        slices.append(std::move(slice));
    }
    const bool more = continuous && !slices.constLast().done();
    for (ScanBatch &slice : slices) {
        m_batchesInFlight.fetch_add(1);
        post([this, id, slice = std::move(slice)] {
            std::function<void()> parked;
            if (m_batchesInFlight.fetch_sub(1) - 1 <= kResumeBatchesInFlight) {
                QMutexLocker lock(&m_parkedMutex);
                parked = std::move(m_parked);
                m_parked = nullptr;
            }
            if (parked)
                m_io.post(std::move(parked));
            Q_EMIT scanReady(id, slice);
        });
    }
    if (more) {
        int nextCount = count;
        const qint64 ns = roundTrip.nsecsElapsed();
        if (ns < kFastRoundTripNs)
            nextCount = qMin(count * 2, qMax(count, kMaxContinuousCount));
        else if (ns > kSlowRoundTripNs)
            nextCount = qMax(100, count / 2);
        // Re-post instead of looping, so queued metadata requests get their turn.
        m_io.post([=, this] { scanStep(id, next, match, nextCount, continuous); });
    }
}

quint64 RedisKeySource::requestMetadata(const QList<QByteArray> &keys)
{
    watchServer();
    const quint64 id = nextId();
    m_io.post([this, id, keys] {
        QList<QList<QByteArray>> cmds;
        cmds.reserve(keys.size() * 3);
        for (const auto &k : keys) {
            cmds.append(QList<QByteArray>{"TYPE", k});
            cmds.append(QList<QByteArray>{"PTTL", k});
            cmds.append(QList<QByteArray>{"MEMORY", "USAGE", k});
        }
        auto replies = m_worker->run(cmds);
        if (!replies) {
            const QString error = QStringLiteral("metadata from %1 failed: %2").arg(description(), replies.error());
            post([this, id, error] { Q_EMIT metadataFailed(id, error); });
            return;
        }
        QList<KeyMetadata> out;
        out.reserve(keys.size());
        for (qsizetype i = 0; i < keys.size(); ++i) {
            KeyMetadata m;
            m.key = keys[i];
            const RedisReply &type = (*replies)[size_t(i * 3)];
            const RedisReply &pttl = (*replies)[size_t(i * 3 + 1)];
            const RedisReply &usage = (*replies)[size_t(i * 3 + 2)];
            m.type = type.isError() ? QByteArray("?") : type.string;
            m.ttlMs = pttl.type == RedisReply::Type::Integer ? pttl.integer : -2;
            m.size = usage.type == RedisReply::Type::Integer ? usage.integer : -1;
            out.append(m);
        }
        post([this, id, out] { Q_EMIT metadataReady(id, out); });
    });
    return id;
}

quint64 RedisKeySource::requestValue(const QByteArray &key)
{
    watchServer();
    const quint64 id = nextId();
    m_io.post([this, id, key] {
        auto replies = m_worker->run({{"GET", key}});
        QString error;
        if (!replies)
            error = replies.error();
        else if (replies->front().isError())
            error = replyError(replies->front());
        if (!error.isEmpty()) {
            error = QStringLiteral("reading '%1' from %2 failed: %3").arg(QString::fromUtf8(key), description(), error);
            post([this, id, error] { Q_EMIT valueFailed(id, error); });
            return;
        }
        const bool found = !replies->front().isNil();
        const QByteArray value = replies->front().string;
        post([this, id, key, value, found] { Q_EMIT valueReady(id, key, value, found); });
    });
    return id;
}

void RedisKeySource::doDeleteKeys(quint64 id, const QList<QByteArray> &keys)
{
    m_io.post([this, id, keys] {
        qint64 deleted = 0;
        for (qsizetype at = 0; at < keys.size(); at += kDeleteBatch) {
            QList<QByteArray> cmd{"DEL"};
            cmd += keys.mid(at, kDeleteBatch);
            auto r = m_worker->run({cmd});
            if (!r || r->front().isError()) {
                const QString error = QStringLiteral("DEL on %1 failed: %2")
                                          .arg(description(), r ? replyError(r->front()) : r.error());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            deleted += r->front().integer;
            post([this, id, deleted] { Q_EMIT writeProgress(id, deleted); });
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void RedisKeySource::doDeleteNamespace(quint64 id, const QByteArray &namespacePath)
{
    const QByteArray match = globEscape(namespacePath) + '*';
    m_io.post([this, id, namespacePath, match] {
        // SCAN + DEL in batches, never KEYS or FLUSHDB; every key is checked against both the
        // namespace and the cache prefix before it is deleted.
        QByteArray cursor = "0";
        qint64 deleted = 0;
        do {
            if (m_io.isCancelled(id)) {
                post([this, id, deleted] {
                    Q_EMIT writeFailed(id, QStringLiteral("namespace delete cancelled after %1 keys").arg(deleted));
                });
                return;
            }
            auto r = m_worker->run({{"SCAN", cursor, "MATCH", match, "COUNT", "1000"}});
            if (!r || r->front().isError() || r->front().elements.size() != 2) {
                const QString error = QStringLiteral("SCAN on %1 failed: %2")
                                          .arg(description(), r ? replyError(r->front()) : r.error());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            cursor = r->front().elements[0].string;
            QList<QByteArray> del{"DEL"};
            for (const auto &k : r->front().elements[1].elements) {
                if (k.string.startsWith(namespacePath) && isInsidePrefix(k.string))
                    del.append(k.string);
            }
            if (del.size() > 1) {
                auto d = m_worker->run({del});
                if (!d || d->front().isError()) {
                    const QString error = QStringLiteral("DEL on %1 failed: %2")
                                              .arg(description(), d ? replyError(d->front()) : d.error());
                    post([this, id, error] { Q_EMIT writeFailed(id, error); });
                    return;
                }
                deleted += d->front().integer;
                post([this, id, deleted] { Q_EMIT writeProgress(id, deleted); });
            }
        } while (cursor != "0");
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void RedisKeySource::doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs)
{
    m_io.post([this, id, keys, ttlMs] {
        QList<QList<QByteArray>> cmds;
        for (const auto &k : keys) {
            if (ttlMs < 0)
                cmds.append(QList<QByteArray>{"PERSIST", k});
            else
                cmds.append(QList<QByteArray>{"PEXPIRE", k, QByteArray::number(ttlMs)});
        }
        auto r = m_worker->run(cmds);
        if (!r) {
            const QString error = QStringLiteral("TTL change on %1 failed: %2").arg(description(), r.error());
            post([this, id, error] { Q_EMIT writeFailed(id, error); });
            return;
        }
        qint64 changed = 0;
        for (const auto &reply : *r) {
            if (reply.isError()) {
                const QString error = QStringLiteral("TTL change on %1 failed: %2").arg(description(), replyError(reply));
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            changed += reply.integer;
        }
        post([this, id, changed] { Q_EMIT writeFinished(id, changed); });
    });
}

} // namespace cachescope
