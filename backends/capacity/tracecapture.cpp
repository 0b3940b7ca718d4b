#include "tracecapture.h"

#include "traceprofile.h"
#include "tracekey.h"
#include "tracewriter.h"

#include "cache/cacheclock.h"
#include "cache/cachemanager.h"
#include "codec/picklewriter.h"
#include "codec/pyvalue.h"

#include <chrono>
#include <limits>

namespace cachescope {

struct TraceCapture::Pending
{
    TraceRecord record;
    std::optional<PyValue> value; // measured on the writer thread
};

TraceCapture::TraceCapture(Options options, QObject *parent)
    : QObject(parent), m_options(options), m_sampleThreshold(shards::thresholdFor(qBound(1e-6, options.sampleRate, 1.0)))
{
    qRegisterMetaType<QStringList>();
    m_ring.reserve(size_t(qMax<qsizetype>(1, m_options.ringCapacity)));
    m_thread = std::thread([this] { writerLoop(); });
}

TraceCapture::~TraceCapture()
{
    detach();
    {
        std::lock_guard lock(m_queueMutex);
        m_stop = true;
        m_pendingStop = true; // an open file is finished, not thrown away
    }
    m_wake.notify_all();
    m_thread.join();
}

void TraceCapture::attach(CacheManager &manager)
{
    detach();
    TraceHeader header;
    header.source = QStringLiteral("embedded");
    header.exactOutcomes = true;
    header.sampleRate = double(m_sampleThreshold) / double(shards::kModulus);
    header.startMs = coarseClockMs();
    std::vector<QByteArray> prefixes;
    std::vector<int> envelopes;
    const QList<CachePurpose> purposes = manager.purposes();
    for (int i = 0; i < purposes.size() && i < 32; ++i) {
        const auto spec = manager.spec(purposes[i]);
        const auto cache = manager.cache(purposes[i]);
        TraceCacheInfo info;
        info.name = purposeConfigName(purposes[i]);
        info.backend = cache ? cache->backendName() : backendTypeName(spec ? spec->backend : BackendType::Unknown);
        if (spec) {
            info.defaultTimeout = spec->defaultTimeout;
            if (spec->backend == BackendType::Simple || spec->backend == BackendType::FileSystem)
                info.threshold = spec->threshold;
        }
        header.caches.append(info);
        // What each backend stores around the pickle (rediscache.cpp "!" + pickle; the
        // FileSystemCache 4-byte expiry header; SimpleCache keeps the pickle).
        const bool redis = spec && spec->backend == BackendType::Redis;
        prefixes.push_back(redis ? spec->keyPrefix : QByteArray());
        envelopes.push_back(redis ? 1 : (spec && spec->backend == BackendType::FileSystem) ? 4 : 0);
    }
    {
        std::lock_guard lock(m_headerMutex);
        m_header = header;
        m_prefixes = prefixes;
        m_envelopes = envelopes;
        m_manager = &manager;
    }
    for (int i = 0; i < purposes.size() && i < 32; ++i)
        if (const auto cache = manager.cache(purposes[i]))
            cache->setObserver(this, i);
}

void TraceCapture::detach()
{
    CacheManager *manager;
    {
        std::lock_guard lock(m_headerMutex);
        manager = m_manager;
        m_manager = nullptr;
    }
    if (!manager)
        return;
    for (CachePurpose purpose : manager->purposes())
        if (const auto cache = manager->cache(purpose); cache && cache->observer() == this)
            cache->setObserver(nullptr);
}

TraceHeader TraceCapture::header() const
{
    std::lock_guard lock(m_headerMutex);
    return m_header;
}

void TraceCapture::observe(int tag, Call call, const QByteArray &key, const PyValue *value, qint64 timeoutSeconds)
{
    const quint64 hash = traceKeyHash(key);
    if (m_sampleThreshold < shards::kModulus && shards::bucket(hash) >= m_sampleThreshold)
        return;
    Pending p;
    TraceRecord &r = p.record;
    r.timeMs = coarseClockMs();
    r.key = hash;
    r.cache = quint8(tag);
    switch (call) {
    case Call::GetHit:
        r.op = TraceOp::GetHit;
        break;
    case Call::GetMiss:
        r.op = TraceOp::GetMiss;
        break;
    case Call::Set:
        r.op = TraceOp::Set;
        r.ttl = qint32(qBound(qint64(-1), timeoutSeconds, qint64(std::numeric_limits<qint32>::max())));
        break;
    case Call::Update:
        r.op = TraceOp::Update;
        break;
    case Call::Delete:
        r.op = TraceOp::Delete;
        break;
    }
    r.keySize = quint32(key.size()); // the prefix is added on the writer thread
    if (value)
        p.value = *value; // shares the value's containers: no deep copy here
    {
        std::lock_guard lock(m_queueMutex);
        if (qsizetype(m_queue.size()) >= m_options.queueCapacity) {
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        m_queue.push_back(std::move(p));
        ++m_enqueued;
        if (qsizetype(m_queue.size()) < m_options.queueCapacity / 2)
            return;
    }
    m_wake.notify_one();
}

void TraceCapture::startFile(const QString &path, TraceFormat format)
{
    {
        std::lock_guard lock(m_queueMutex);
        m_pendingFile = path;
        m_pendingFormat = format;
    }
    m_wake.notify_one();
}

void TraceCapture::stopFile()
{
    {
        std::lock_guard lock(m_queueMutex);
        m_pendingStop = true;
    }
    m_wake.notify_one();
}

bool TraceCapture::isWritingFile() const
{
    return m_writing.load();
}

void TraceCapture::flush()
{
    std::unique_lock lock(m_queueMutex);
    const quint64 target = m_enqueued;
    m_wake.notify_one();
    m_drained.wait(lock, [&] { return m_handled >= target || m_stop; });
}

std::shared_ptr<const TraceRecords> TraceCapture::snapshot() const
{
    auto out = std::make_shared<TraceRecords>();
    std::lock_guard lock(m_ringMutex);
    out->reserve(m_ring.size());
    if (m_ringFull) {
        out->insert(out->end(), m_ring.begin() + qsizetype(m_ringNext), m_ring.end());
        out->insert(out->end(), m_ring.begin(), m_ring.begin() + qsizetype(m_ringNext));
    } else {
        out->insert(out->end(), m_ring.begin(), m_ring.end());
    }
    return out;
}

void TraceCapture::handle(std::vector<Pending> &batch)
{
    std::vector<QByteArray> prefixes;
    std::vector<int> envelopes;
    {
        std::lock_guard lock(m_headerMutex);
        prefixes = m_prefixes;
        envelopes = m_envelopes;
    }
    const PickleWriter pickler(5);
    TraceRecords records;
    records.reserve(batch.size());
    for (Pending &p : batch) {
        TraceRecord r = p.record;
        if (r.cache < prefixes.size()) {
            r.keySize += quint32(prefixes[r.cache].size());
            if (p.value) {
                // cachelib pickles with the highest protocol (5); the size is what the backend stores.
                if (auto bytes = pickler.dumps(*p.value))
                    r.valueSize = quint32(qMin<qint64>(bytes->size() + envelopes[r.cache], std::numeric_limits<quint32>::max()));
            }
        }
        records.push_back(r);
    }
    {
        std::lock_guard lock(m_ringMutex);
        const size_t capacity = size_t(qMax<qsizetype>(1, m_options.ringCapacity));
        for (const TraceRecord &r : records) {
            if (m_ring.size() < capacity) {
                m_ring.push_back(r);
            } else {
                m_ring[m_ringNext] = r;
                m_ringFull = true;
            }
            m_ringNext = (m_ringNext + 1) % capacity;
        }
    }
    m_captured.fetch_add(records.size(), std::memory_order_relaxed);
    if (m_writer && !records.empty()) {
        if (auto ok = m_writer->write(records); !ok) {
            Q_EMIT fileFailed(ok.error());
            m_writer.reset();
            m_writing = false;
        }
    }
}

void TraceCapture::writerLoop()
{
    for (;;) {
        std::vector<Pending> batch;
        QString openPath;
        TraceFormat openFormat = TraceFormat::Auto;
        bool closeFile = false, stopping = false;
        {
            std::unique_lock lock(m_queueMutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(100), [this] {
                return m_stop || !m_pendingFile.isEmpty() || m_pendingStop
                    || qsizetype(m_queue.size()) >= m_options.queueCapacity / 2;
            });
            batch.swap(m_queue);
            openPath = std::exchange(m_pendingFile, QString());
            openFormat = m_pendingFormat;
            closeFile = std::exchange(m_pendingStop, false);
            stopping = m_stop;
        }
        handle(batch);
        if (closeFile && m_writer) {
            auto ok = m_writer->finish();
            if (!ok)
                Q_EMIT fileFailed(ok.error());
            else
                Q_EMIT fileFinished(m_writerPath, m_writer->written(), m_writer->warnings());
            m_writer.reset();
            m_writing = false;
        }
        if (!openPath.isEmpty()) {
            if (m_writer) { // a new file replaces the open one, which is finished first
                if (auto ok = m_writer->finish(); ok)
                    Q_EMIT fileFinished(m_writerPath, m_writer->written(), m_writer->warnings());
                m_writer.reset();
            }
            auto created = TraceWriter::create(openPath, openFormat, header());
            if (!created) {
                Q_EMIT fileFailed(created.error());
            } else {
                m_writer = std::move(*created);
                m_writerPath = openPath;
                m_writing = true;
            }
        }
        {
            std::lock_guard lock(m_queueMutex);
            m_handled += batch.size();
        }
        m_drained.notify_all();
        if (stopping) {
            m_writer.reset();
            m_writing = false;
            return;
        }
    }
}

} // namespace cachescope
