#include "recordsource.h"

#include "tracereader.h"

namespace cachescope {

Expected<bool> MemoryRecordSource::scan(const Sink &sink, const std::atomic_bool *cancel)
{
    constexpr size_t kBatch = 65536;
    const TraceRecords &all = *m_records;
    for (size_t at = 0; at < all.size(); at += kBatch) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        if (!sink(all.data() + at, qMin(kBatch, all.size() - at)))
            return false;
    }
    return true;
}

FileRecordSource::FileRecordSource(std::unique_ptr<TraceReader> reader) : m_reader(std::move(reader)) {}

FileRecordSource::~FileRecordSource() = default;

Expected<std::unique_ptr<FileRecordSource>> FileRecordSource::open(const QString &path, TraceFormat format)
{
    auto reader = TraceReader::open(path, format);
    if (!reader)
        return Error{reader.error()};
    return std::unique_ptr<FileRecordSource>(new FileRecordSource(std::move(*reader)));
}

const TraceHeader &FileRecordSource::header() const
{
    return m_reader->header();
}

TraceFormat FileRecordSource::format() const
{
    return m_reader->format();
}

QStringList FileRecordSource::warnings() const
{
    return m_reader->warnings();
}

Expected<bool> FileRecordSource::scan(const Sink &sink, const std::atomic_bool *cancel)
{
    if (!m_fresh) {
        if (auto ok = m_reader->rewind(); !ok)
            return ok;
    }
    m_fresh = false;
    TraceRecords batch;
    batch.reserve(65536);
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        batch.clear();
        auto got = m_reader->read(batch, 65536);
        if (!got)
            return Error{got.error()};
        if (*got == 0)
            return true;
        if (!sink(batch.data(), batch.size()))
            return false;
    }
}

} // namespace cachescope
