#include "tracereader.h"

#include "bytesource.h"
#include "tracebinary.h"
#include "traceoracle.h"
#include "tracerecording.h"
#include "tracetwitter.h"
#include "zstddevice.h"

#include <QFile>
#include <QFileInfo>

namespace cachescope {

TraceReader::~TraceReader() = default;

namespace {

// The name a trace without its own cache names gives its one cache: the file name without the
// compression and format suffixes ("cluster52.0" for cluster52.0.csv.zst).
QString baseCacheName(const QString &name)
{
    QString base = QFileInfo(name).fileName();
    for (const char *suffix : {".zst", ".csv", ".txt", ".oracleGeneral", ".bin", ".cstrace"})
        if (base.endsWith(QLatin1String(suffix), Qt::CaseInsensitive))
            base.chop(int(qstrlen(suffix)));
    return base.isEmpty() ? QStringLiteral("trace") : base;
}

Expected<std::unique_ptr<TraceReader>> openStream(std::unique_ptr<QIODevice> device, const QString &name,
                                                  TraceFormat format, qint64 size, int depth)
{
    // Peek without consuming: detection looks at the first bytes, then the reader starts at 0.
    const QByteArray head = device->peek(4096);
    if (traceformat::isZstd(head)) {
        if (depth > 0)
            return makeError(QStringLiteral("%1: zstd inside zstd is not a trace").arg(name));
        auto inner = std::make_unique<ZstdDevice>(std::move(device));
        return openStream(std::move(inner), name, format, -1, depth + 1);
    }
    if (format == TraceFormat::Auto) {
        auto detected = traceformat::detect(head, size, name);
        if (!detected)
            return Error{detected.error()};
        format = *detected;
    }
    auto source = std::make_unique<ByteSource>(std::move(device));
    const QString cacheName = baseCacheName(name);
    switch (format) {
    case TraceFormat::CacheScope:
        return BinaryTrace::openReader(std::move(source), name);
    case TraceFormat::Twitter:
        return TwitterTrace::openReader(std::move(source), name, cacheName);
    case TraceFormat::Oracle:
        return OracleTrace::openReader(std::move(source), name, cacheName);
    case TraceFormat::Recording:
        return makeError(QStringLiteral("%1 is a recording (SQLite): open it as a file, not a stream").arg(name));
    case TraceFormat::Auto:
        break;
    }
    return makeError(QStringLiteral("%1: unknown trace format").arg(name));
}

} // namespace

Expected<std::unique_ptr<TraceReader>> TraceReader::open(const QString &path, TraceFormat format)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot open trace %1: %2").arg(path, file->errorString()));
    const QByteArray head = file->peek(16);
    const bool sqlite = head.size() >= 16 && std::memcmp(head.constData(), traceformat::kSqliteMagic, 16) == 0;
    if (format == TraceFormat::Recording || (format == TraceFormat::Auto && sqlite)) {
        file.reset();
        return RecordingTrace::openReader(path);
    }
    const qint64 size = file->size();
    return openStream(std::move(file), path, format, size, 0);
}

Expected<std::unique_ptr<TraceReader>> TraceReader::open(std::unique_ptr<QIODevice> device, const QString &name,
                                                         TraceFormat format)
{
    if (!device || !device->isReadable())
        return makeError(QStringLiteral("%1 is not readable").arg(name));
    const qint64 size = device->isSequential() ? -1 : device->size();
    return openStream(std::move(device), name, format, size, 0);
}

Expected<qsizetype> TraceReader::read(TraceRecords &out, qsizetype max)
{
    const size_t first = out.size();
    auto got = readRecords(out, qMax<qsizetype>(1, max));
    if (!got)
        return got;
    // Time never runs backwards in a simulation: a record older than the one before it (clock
    // steps, several capturing threads) is taken as simultaneous with it, and counted.
    for (size_t i = first; i < out.size(); ++i) {
        TraceRecord &r = out[i];
        ++m_records;
        if (r.timeMs < m_lastTime) {
            if (m_backwards++ == 0)
                m_backwardsAt = m_records;
            m_maxBackwardsMs = qMax(m_maxBackwardsMs, m_lastTime - r.timeMs);
            r.timeMs = m_lastTime;
        } else {
            m_lastTime = r.timeMs;
        }
    }
    return got;
}

Expected<bool> TraceReader::rewind()
{
    auto ok = restart();
    if (!ok)
        return ok;
    m_records = 0;
    m_lastTime = std::numeric_limits<qint64>::min();
    m_backwards = 0;
    m_maxBackwardsMs = 0;
    m_backwardsAt = 0;
    m_warnings.clear();
    return true;
}

QStringList TraceReader::warnings() const
{
    QStringList all = m_warnings;
    if (m_backwards > 0)
        all << QStringLiteral("%1: time went backwards %2 time(s) (first at record %3, by up to %4 ms); those "
                              "requests were taken as simultaneous with the one before")
                   .arg(m_name)
                   .arg(m_backwards)
                   .arg(m_backwardsAt)
                   .arg(m_maxBackwardsMs);
    return all;
}

void TraceReader::addWarning(const QString &warning)
{
    if (!m_warnings.contains(warning) && m_warnings.size() < 20)
        m_warnings << warning;
}

} // namespace cachescope
