#include "traceoracle.h"

#include "bytesource.h"
#include "keytable.h"
#include "tracereader.h"
#include "tracewriter.h"

#include <QFile>
#include <QSaveFile>
#include <QTemporaryFile>
#include <QtEndian>

#include <limits>

namespace cachescope {

namespace {

class OracleReader : public TraceReader
{
public:
    OracleReader(std::unique_ptr<ByteSource> source, const QString &name, const QString &cacheName)
        : TraceReader(TraceFormat::Oracle, name), m_source(std::move(source))
    {
        m_header.source = QStringLiteral("oracleGeneral");
        m_header.exactOutcomes = false;
        m_header.caches.append(TraceCacheInfo{cacheName, {}, -1, 0, 0, {}});
    }

protected:
    Expected<qsizetype> readRecords(TraceRecords &out, qsizetype max) override
    {
        qsizetype n = 0;
        while (n < max) {
            auto got = m_source->fill(OracleTrace::kRecordSize);
            if (!got)
                return makeError(QStringLiteral("%1: %2").arg(name(), got.error()));
            if (*got == 0)
                break;
            if (*got < OracleTrace::kRecordSize) {
                addWarning(QStringLiteral("%1 ends inside record %2 (%3 trailing bytes after byte %4): the %5 complete "
                                          "record(s) before it were read")
                               .arg(name())
                               .arg(m_index + 1)
                               .arg(*got)
                               .arg(m_source->offset())
                               .arg(m_index));
                m_source->consume(*got);
                break;
            }
            const char *p = m_source->available().data();
            ++m_index; // 1-based, as next_access_vtime counts
            const qint64 next = qFromLittleEndian<qint64>(p + 16);
            if (next != -1 && next != std::numeric_limits<qint64>::max() && next <= qint64(m_index))
                return makeError(QStringLiteral("%1: record %2 at byte %3: next_access_vtime %4 does not point to a later "
                                                "request: damaged, or not an oracleGeneral trace")
                                     .arg(name())
                                     .arg(m_index)
                                     .arg(m_source->offset())
                                     .arg(next));
            TraceRecord r;
            r.timeMs = qint64(qFromLittleEndian<quint32>(p)) * 1000;
            r.key = qFromLittleEndian<quint64>(p + 4);
            r.valueSize = qFromLittleEndian<quint32>(p + 12);
            r.op = TraceOp::Get;
            m_source->consume(OracleTrace::kRecordSize);
            out.push_back(r);
            ++n;
        }
        return n;
    }

    Expected<bool> restart() override
    {
        auto ok = m_source->rewind();
        if (!ok)
            return makeError(QStringLiteral("%1: %2").arg(name(), ok.error()));
        m_index = 0;
        return true;
    }

private:
    std::unique_ptr<ByteSource> m_source;
    quint64 m_index = 0;
};

// Forward pass: records without vtimes into a temporary file. finish(): read that file from the
// end in blocks, giving each record the index of the next request to its key (a key table of
// the distinct keys), into a second temporary file in reverse order; then reverse it into the
// target. All I/O is sequential; memory is the key table and two blocks.
class OracleWriter : public TraceWriter
{
public:
    explicit OracleWriter(const QString &path) : m_target(path) {}

    Expected<bool> open()
    {
        if (!m_forward.open())
            return makeError(QStringLiteral("cannot create a temporary file for %1: %2").arg(m_target, m_forward.errorString()));
        return true;
    }

    Expected<bool> write(const TraceRecord *records, qsizetype count) override
    {
        for (qsizetype i = 0; i < count; ++i) {
            const TraceRecord &r = records[i];
            if (!isRead(r.op)) {
                ++m_leftOut;
                continue;
            }
            quint32 size = r.valueSize;
            if (size == 0) { // unknown on this read: the key's last known size
                if (const quint32 *known = m_sizes.find(r.key))
                    size = *known;
            } else {
                m_sizes.insertOrAssign(r.key, size);
            }
            const quint64 total = quint64(size) + r.keySize;
            char rec[OracleTrace::kRecordSize];
            qToLittleEndian<quint32>(quint32(qBound(qint64(0), r.timeMs / 1000, qint64(std::numeric_limits<quint32>::max()))), rec);
            qToLittleEndian<quint64>(r.key, rec + 4);
            qToLittleEndian<quint32>(quint32(qMin<quint64>(total, std::numeric_limits<quint32>::max())), rec + 12);
            qToLittleEndian<qint64>(-1, rec + 16);
            m_buffer.append(rec, OracleTrace::kRecordSize);
            ++m_count;
            if (m_buffer.size() >= (1 << 20)) {
                if (m_forward.write(m_buffer) != m_buffer.size())
                    return ioError(m_forward);
                m_buffer.clear();
            }
        }
        m_written += quint64(count);
        return true;
    }

    Expected<bool> finish() override
    {
        if (m_forward.write(m_buffer) != m_buffer.size() || !m_forward.flush())
            return ioError(m_forward);
        m_buffer.clear();
        if (m_leftOut > 0)
            m_warnings << QStringLiteral("%1: oracleGeneral holds requests only: %2 write(s) and delete(s) were left out")
                              .arg(m_target)
                              .arg(m_leftOut);
        QTemporaryFile reversed;
        if (!reversed.open())
            return ioError(reversed);
        // Backward pass: vtimes from the end, written in reverse order.
        KeyTable<qint64> nextIndex;
        constexpr qint64 kBlock = (1 << 20) / OracleTrace::kRecordSize * OracleTrace::kRecordSize;
        qint64 end = m_count * OracleTrace::kRecordSize;
        qint64 index = m_count; // 1-based index of the record being patched
        QByteArray block, out;
        while (end > 0) {
            const qint64 start = qMax<qint64>(0, end - kBlock);
            if (!m_forward.seek(start))
                return ioError(m_forward);
            block = m_forward.read(end - start);
            if (block.size() != end - start)
                return ioError(m_forward);
            out.resize(block.size());
            qsizetype w = 0;
            for (qsizetype at = block.size() - OracleTrace::kRecordSize; at >= 0; at -= OracleTrace::kRecordSize) {
                char *rec = block.data() + at;
                const quint64 key = qFromLittleEndian<quint64>(rec + 4);
                qint64 *next = nextIndex.find(key);
                qToLittleEndian<qint64>(next ? *next : -1, rec + 16);
                if (next)
                    *next = index;
                else
                    nextIndex.insertOrAssign(key, index);
                --index;
                std::memcpy(out.data() + w, rec, OracleTrace::kRecordSize);
                w += OracleTrace::kRecordSize;
            }
            if (reversed.write(out) != out.size())
                return ioError(reversed);
            end = start;
        }
        if (!reversed.flush())
            return ioError(reversed);
        // Reverse again into the target.
        QSaveFile target(m_target);
        if (!target.open(QIODevice::WriteOnly))
            return ioError(target);
        end = reversed.size();
        while (end > 0) {
            const qint64 start = qMax<qint64>(0, end - kBlock);
            if (!reversed.seek(start))
                return ioError(reversed);
            block = reversed.read(end - start);
            if (block.size() != end - start)
                return ioError(reversed);
            out.resize(block.size());
            qsizetype w = 0;
            for (qsizetype at = block.size() - OracleTrace::kRecordSize; at >= 0; at -= OracleTrace::kRecordSize) {
                std::memcpy(out.data() + w, block.constData() + at, OracleTrace::kRecordSize);
                w += OracleTrace::kRecordSize;
            }
            if (target.write(out) != out.size())
                return ioError(target);
            end = start;
        }
        if (!target.commit())
            return ioError(target);
        return true;
    }

private:
    Error ioError(const QFileDevice &file) const
    {
        return makeError(QStringLiteral("cannot write %1: %2").arg(m_target, file.errorString()));
    }

    QString m_target;
    QTemporaryFile m_forward;
    QByteArray m_buffer;
    KeyTable<quint32> m_sizes;
    qint64 m_count = 0;
    quint64 m_leftOut = 0;
};

} // namespace

Expected<std::unique_ptr<TraceReader>> OracleTrace::openReader(std::unique_ptr<ByteSource> source, const QString &name,
                                                               const QString &cacheName)
{
    return std::unique_ptr<TraceReader>(std::make_unique<OracleReader>(std::move(source), name, cacheName));
}

Expected<std::unique_ptr<TraceWriter>> OracleTrace::createWriter(const QString &path, const TraceHeader &header)
{
    Q_UNUSED(header);
    auto writer = std::make_unique<OracleWriter>(path);
    if (auto ok = writer->open(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceWriter>(std::move(writer));
}

} // namespace cachescope
