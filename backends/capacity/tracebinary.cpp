#include "tracebinary.h"

#include "bytesource.h"
#include "tracereader.h"
#include "tracewriter.h"

#include <QSaveFile>
#include <QtEndian>

#include <limits>

namespace cachescope {

namespace {

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

class BinaryReader : public TraceReader
{
public:
    BinaryReader(std::unique_ptr<ByteSource> source, const QString &name)
        : TraceReader(TraceFormat::CacheScope, name), m_source(std::move(source))
    {
    }

    Expected<bool> readHeader()
    {
        auto got = m_source->fill(16);
        if (!got)
            return fail(got.error());
        const QByteArrayView head = m_source->available();
        if (*got < 16 || head.first(8) != QByteArrayView(traceformat::kBinaryMagic, 8))
            return makeError(QStringLiteral("%1: not a CacheScope trace (no CSTRACE header)").arg(name()));
        const quint32 version = qFromLittleEndian<quint32>(head.data() + 8);
        const quint32 length = qFromLittleEndian<quint32>(head.data() + 12);
        if (version != BinaryTrace::kVersion)
            return makeError(QStringLiteral("%1: CacheScope trace version %2 is not supported (this build reads %3)")
                                 .arg(name())
                                 .arg(version)
                                 .arg(BinaryTrace::kVersion));
        if (length > BinaryTrace::kMaxHeader)
            return makeError(QStringLiteral("%1: header length %2 exceeds %3 bytes: damaged file")
                                 .arg(name())
                                 .arg(length)
                                 .arg(BinaryTrace::kMaxHeader));
        m_source->consume(16);
        got = m_source->fill(length);
        if (!got)
            return fail(got.error());
        if (*got < qsizetype(length))
            return makeError(QStringLiteral("%1: the file ends inside its %2-byte header").arg(name()).arg(length));
        auto header = traceHeaderFromJson(m_source->available().first(length).toByteArray(), name());
        if (!header)
            return Error{header.error()};
        if (header->caches.size() > BinaryTrace::kMaxCaches)
            return makeError(QStringLiteral("%1: %2 caches in the header, at most %3")
                                 .arg(name())
                                 .arg(header->caches.size())
                                 .arg(BinaryTrace::kMaxCaches));
        m_source->consume(length);
        m_header = *header;
        m_dataOffset = m_source->offset();
        m_previousTime = m_header.startMs;
        return true;
    }

protected:
    Expected<qsizetype> readRecords(TraceRecords &out, qsizetype max) override
    {
        qsizetype n = 0;
        // One record is at most 1 + 10 + 8 + 3 * 10 bytes.
        constexpr qsizetype kMaxRecord = 49;
        while (n < max) {
            auto got = m_source->fill(kMaxRecord);
            if (!got)
                return fail(got.error());
            if (*got == 0)
                break;
            const QByteArrayView bytes = m_source->available().first(*got);
            qsizetype pos = 0;
            bool truncated = false;
            QString why;
            auto varint = [&](quint64 *v) {
                *v = 0;
                for (int shift = 0; shift < 70; shift += 7) {
                    if (pos >= bytes.size()) {
                        truncated = true;
                        return false;
                    }
                    const auto b = quint8(bytes[pos++]);
                    if (shift == 63 && b > 1) {
                        why = QStringLiteral("a number overflows 64 bits");
                        return false;
                    }
                    *v |= quint64(b & 0x7F) << shift;
                    if (!(b & 0x80))
                        return true;
                }
                why = QStringLiteral("a number is longer than 10 bytes");
                return false;
            };
            TraceRecord r;
            const auto tag = quint8(bytes[pos++]);
            const int op = tag & 7;
            r.cache = quint8(tag >> 3);
            if (op >= kTraceOpCount)
                return recordError(QStringLiteral("operation code %1 is not one of 0-%2").arg(op).arg(kTraceOpCount - 1));
            if (r.cache >= m_header.caches.size())
                return recordError(QStringLiteral("cache index %1, the header names %2 cache(s)")
                                       .arg(r.cache)
                                       .arg(m_header.caches.size()));
            r.op = TraceOp(op);
            quint64 delta = 0, keySize = 0, valueSize = 0, ttl = 0;
            if (varint(&delta)) {
                if (pos + 8 > bytes.size()) {
                    truncated = true;
                } else {
                    r.key = qFromLittleEndian<quint64>(bytes.data() + pos);
                    pos += 8;
                    if (varint(&keySize) && varint(&valueSize))
                        varint(&ttl);
                }
            }
            if (truncated) {
                addWarning(QStringLiteral("%1 ends inside record %2 (byte %3): the %4 complete record(s) before it "
                                          "were read")
                               .arg(name())
                               .arg(m_record + 1)
                               .arg(m_source->offset())
                               .arg(m_record));
                m_source->consume(bytes.size());
                break;
            }
            if (!why.isEmpty())
                return recordError(why);
            // Wrapping arithmetic, as the writer's: any time round-trips.
            r.timeMs = qint64(quint64(m_previousTime) + quint64(unzigzag(delta)));
            if (keySize > std::numeric_limits<quint32>::max() || valueSize > std::numeric_limits<quint32>::max())
                return recordError(QStringLiteral("a size of %1 bytes exceeds 4 GiB").arg(qMax(keySize, valueSize)));
            const qint64 ttlValue = unzigzag(ttl);
            if (ttlValue > std::numeric_limits<qint32>::max() || ttlValue < std::numeric_limits<qint32>::min())
                return recordError(QStringLiteral("TTL %1 s is out of range").arg(ttlValue));
            r.keySize = quint32(keySize);
            r.valueSize = quint32(valueSize);
            r.ttl = qint32(ttlValue);
            m_previousTime = r.timeMs;
            m_source->consume(pos);
            out.push_back(r);
            ++m_record;
            ++n;
        }
        return n;
    }

    Expected<bool> restart() override
    {
        auto ok = m_source->rewind();
        if (!ok)
            return fail(ok.error());
        m_record = 0;
        return readHeader();
    }

private:
    Error fail(const QString &why) const { return makeError(QStringLiteral("%1: %2").arg(name(), why)); }
    Error recordError(const QString &why) const
    {
        return makeError(QStringLiteral("%1: record %2 at byte %3: %4: damaged or not a CacheScope trace")
                             .arg(name())
                             .arg(m_record + 1)
                             .arg(m_source->offset())
                             .arg(why));
    }

    std::unique_ptr<ByteSource> m_source;
    qint64 m_dataOffset = 0;
    qint64 m_previousTime = 0;
    quint64 m_record = 0;
};

class BinaryWriter : public TraceWriter
{
public:
    BinaryWriter(const QString &path, const TraceHeader &header) : m_file(path), m_header(header)
    {
        m_previousTime = header.startMs;
    }

    Expected<bool> open()
    {
        if (m_header.caches.size() > BinaryTrace::kMaxCaches)
            return makeError(QStringLiteral("%1: at most %2 caches in one trace").arg(m_file.fileName()).arg(BinaryTrace::kMaxCaches));
        if (!m_file.open(QIODevice::WriteOnly))
            return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        const QByteArray json = traceHeaderToJson(m_header);
        QByteArray head(traceformat::kBinaryMagic, 8);
        char word[4];
        qToLittleEndian<quint32>(BinaryTrace::kVersion, word);
        head.append(word, 4);
        qToLittleEndian<quint32>(quint32(json.size()), word);
        head.append(word, 4);
        head.append(json);
        return put(head);
    }

    Expected<bool> write(const TraceRecord *records, qsizetype count) override
    {
        for (qsizetype i = 0; i < count; ++i) {
            const TraceRecord &r = records[i];
            if (r.cache >= m_header.caches.size())
                return makeError(QStringLiteral("%1: record for cache %2, the trace has %3")
                                     .arg(m_file.fileName())
                                     .arg(r.cache)
                                     .arg(m_header.caches.size()));
            m_buffer.append(char(quint8(r.op) | quint8(r.cache << 3)));
            putVarint(m_buffer, zigzag(qint64(quint64(r.timeMs) - quint64(m_previousTime))));
            m_previousTime = r.timeMs;
            char key[8];
            qToLittleEndian<quint64>(r.key, key);
            m_buffer.append(key, 8);
            putVarint(m_buffer, r.keySize);
            putVarint(m_buffer, r.valueSize);
            putVarint(m_buffer, zigzag(r.ttl));
            if (m_buffer.size() >= (1 << 20)) {
                if (auto ok = put(m_buffer); !ok)
                    return ok;
                m_buffer.clear();
            }
        }
        m_written += quint64(count);
        return true;
    }

    Expected<bool> finish() override
    {
        if (auto ok = put(m_buffer); !ok)
            return ok;
        m_buffer.clear();
        if (!m_file.commit())
            return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }

private:
    Expected<bool> put(const QByteArray &bytes)
    {
        if (m_file.write(bytes) != bytes.size())
            return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }

    QSaveFile m_file;
    TraceHeader m_header;
    QByteArray m_buffer;
    qint64 m_previousTime = 0;
};

} // namespace

Expected<std::unique_ptr<TraceReader>> BinaryTrace::openReader(std::unique_ptr<ByteSource> source, const QString &name)
{
    auto reader = std::make_unique<BinaryReader>(std::move(source), name);
    if (auto ok = reader->readHeader(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceReader>(std::move(reader));
}

Expected<std::unique_ptr<TraceWriter>> BinaryTrace::createWriter(const QString &path, const TraceHeader &header)
{
    auto writer = std::make_unique<BinaryWriter>(path, header);
    if (auto ok = writer->open(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceWriter>(std::move(writer));
}

} // namespace cachescope
