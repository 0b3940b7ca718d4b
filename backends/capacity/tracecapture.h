#pragma once

#include "cache/cacheobserver.h"
#include "common/expected.h"
#include "traceformat.h"
#include "tracerecord.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cachescope {

class CacheManager;
class PyValue;
class TraceWriter;

// Captures the embedded layer's requests exactly, per cache purpose: it observes every cache of
// a CacheManager (Cache::setObserver) and records each get (hit or miss, counted at the call),
// set, update and delete. The calling thread only hashes the key and queues a record and a
// shared reference to the value into a bounded queue (full: the record is dropped and counted,
// never waited for); a writer thread measures the value (its pickle, as the backend stores it),
// keeps the newest records in a bounded ring for live curves, and appends to a trace file when
// one is open. The GUI thread never waits on disk here.
class TraceCapture : public QObject, public CacheObserver
{
    Q_OBJECT
public:
    struct Options
    {
        qsizetype queueCapacity = 1 << 16; // records waiting for the writer
        qsizetype ringCapacity = 1 << 20;  // newest records kept in memory (32 bytes each)
        double sampleRate = 1.0;           // keys kept by hash (1 = every request)
    };
    explicit TraceCapture(QObject *parent = nullptr) : TraceCapture(Options{}, parent) {}
    explicit TraceCapture(Options options, QObject *parent = nullptr);
    ~TraceCapture() override; // detaches and stops the writer

    // Observes every cache the manager has now (and, through CacheManager, their replacements);
    // the trace's caches are the manager's purposes in its order. Detaches from a previous one.
    void attach(CacheManager &manager);
    void detach();
    TraceHeader header() const;

    // Everything captured from now on also goes to this file (format by suffix when Auto; a
    // .sqlite recording gets the trace tables beside its samples). Opened on the writer thread:
    // failures arrive as fileFailed().
    void startFile(const QString &path, TraceFormat format = TraceFormat::Auto);
    void stopFile(); // finishes the file (fileFinished) after what is queued is written
    bool isWritingFile() const;

    // The newest records (every cache), oldest first, for the Capacity page.
    std::shared_ptr<const TraceRecords> snapshot() const;
    quint64 captured() const { return m_captured.load(std::memory_order_relaxed); }
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    // Makes the writer handle what is queued now; returns when it has (tests, shutdown).
    void flush();

    void observe(int tag, Call call, const QByteArray &key, const PyValue *value, qint64 timeoutSeconds) override;

Q_SIGNALS:
    void fileFailed(const QString &message);
    void fileFinished(const QString &path, quint64 records, const QStringList &warnings);

private:
    struct Pending;
    void writerLoop();
    void handle(std::vector<Pending> &batch);

    Options m_options;
    quint64 m_sampleThreshold;
    mutable std::mutex m_headerMutex;
    TraceHeader m_header;
    std::vector<QByteArray> m_prefixes; // per cache: what a Redis backend puts before each key
    std::vector<int> m_envelopes;       // per cache: bytes the backend adds to the pickle
    CacheManager *m_manager = nullptr;

    std::mutex m_queueMutex;
    std::condition_variable m_wake, m_drained;
    std::vector<Pending> m_queue;
    bool m_stop = false;
    quint64 m_enqueued = 0, m_handled = 0;
    std::atomic<quint64> m_captured{0}, m_dropped{0};

    // Writer-thread state, and the file commands it picks up.
    QString m_pendingFile;
    TraceFormat m_pendingFormat = TraceFormat::Auto;
    bool m_pendingStop = false;
    std::unique_ptr<TraceWriter> m_writer;
    QString m_writerPath;
    std::atomic<bool> m_writing{false};

    mutable std::mutex m_ringMutex;
    TraceRecords m_ring;
    size_t m_ringNext = 0;
    bool m_ringFull = false;

    std::thread m_thread;
};

} // namespace cachescope
