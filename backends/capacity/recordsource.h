#pragma once

#include "common/expected.h"
#include "traceformat.h"
#include "tracerecord.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace cachescope {

// Requests that can be read more than once (a profile pass, then the curve pass): a trace file,
// re-read from its start each time, or records in memory (the live capture's snapshot).
class RecordSource
{
public:
    using Sink = std::function<bool(const TraceRecord *records, size_t count)>; // false: stop
    virtual ~RecordSource() = default;
    virtual const TraceHeader &header() const = 0;
    // Feeds every record in order, in batches. Stops early (returning false) when the sink says
    // so or `cancel` is set; an error names the file and place.
    virtual Expected<bool> scan(const Sink &sink, const std::atomic_bool *cancel = nullptr) = 0;
    // What the last scan found that did not stop it (time going backwards, a cut-off tail).
    virtual QStringList warnings() const { return {}; }
};

class MemoryRecordSource : public RecordSource
{
public:
    MemoryRecordSource(TraceHeader header, std::shared_ptr<const TraceRecords> records)
        : m_header(std::move(header)), m_records(std::move(records))
    {
    }
    const TraceHeader &header() const override { return m_header; }
    Expected<bool> scan(const Sink &sink, const std::atomic_bool *cancel = nullptr) override;

private:
    TraceHeader m_header;
    std::shared_ptr<const TraceRecords> m_records;
};

class TraceReader;

class FileRecordSource : public RecordSource
{
public:
    // Opens (and detects) the file now, so a bad file fails here with its reason.
    static Expected<std::unique_ptr<FileRecordSource>> open(const QString &path, TraceFormat format = TraceFormat::Auto);
    ~FileRecordSource() override;
    const TraceHeader &header() const override;
    Expected<bool> scan(const Sink &sink, const std::atomic_bool *cancel = nullptr) override;
    QStringList warnings() const override;
    TraceFormat format() const;

private:
    explicit FileRecordSource(std::unique_ptr<TraceReader> reader);
    std::unique_ptr<TraceReader> m_reader;
    bool m_fresh = true; // the reader is at its start
};

} // namespace cachescope
