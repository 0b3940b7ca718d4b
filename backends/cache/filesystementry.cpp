#include "filesystementry.h"

#include "codec/picklereader.h"

#include <QtEndian>

#include <optional>

namespace cachescope {

namespace {

bool looksLikeStruct(QByteArrayView d)
{
    return d.size() >= 6 && quint8(d[4]) == 0x80 && quint8(d[5]) >= 2 && quint8(d[5]) <= 5;
}

// A legacy header: one complete pickle of an int (or bool, as pickle protocol 0 writes
// `I01`) that ends before the data does.
std::optional<FileSystemEntry> legacyHeader(QByteArrayView d)
{
    PickleLimits limits;
    limits.maxDepth = 4;
    limits.maxTotalBytes = 64;
    limits.maxItems = 4;
    auto r = PickleReader(limits).read(d);
    if (!r || r->endOffset >= d.size())
        return std::nullopt;
    const auto kind = r->value.kind();
    if (kind != PyValue::Kind::Int && kind != PyValue::Kind::Bool)
        return std::nullopt;
    FileSystemEntry e;
    e.layout = FileSystemEntry::Layout::Legacy;
    e.expiry = kind == PyValue::Kind::Int ? r->value.toInt() : (r->value.toBool() ? 1 : 0);
    e.headerSize = r->endOffset;
    return e;
}

FileSystemEntry structHeader(QByteArrayView d)
{
    FileSystemEntry e;
    e.layout = FileSystemEntry::Layout::Struct;
    e.expiry = qFromLittleEndian<quint32>(d.data());
    e.headerSize = 4;
    return e;
}

} // namespace

std::optional<quint32> rawStructExpiry(QByteArrayView head)
{
    if (head.size() < 4)
        return std::nullopt;
    return qFromLittleEndian<quint32>(head.data());
}

Expected<FileSystemEntry> parseFileSystemHeader(QByteArrayView head)
{
    if (head.size() < 4)
        return makeError(QStringLiteral("only %1 bytes: shorter than the 4-byte expiry header").arg(head.size()));
    if (looksLikeStruct(head))
        return structHeader(head);
    if (auto legacy = legacyHeader(head))
        return *legacy;
    return structHeader(head);
}

Expected<FileSystemEntry> parseFileSystemEntry(const QByteArray &data)
{
    auto header = parseFileSystemHeader(QByteArrayView(data).first(std::min<qsizetype>(data.size(), kFileSystemHeadBytes)));
    if (!header)
        return header;
    FileSystemEntry e = *header;
    if (e.layout == FileSystemEntry::Layout::Struct && data.size() > 4 && quint8(data[0]) == 0x80) {
        // Both readings may be plausible: prefer the one whose value pickle ends at end of file.
        const auto structEnd = PickleReader().read(QByteArrayView(data).sliced(4));
        if (!structEnd || structEnd->endOffset + 4 != data.size()) {
            if (auto legacy = legacyHeader(QByteArrayView(data).first(std::min<qsizetype>(data.size(), kFileSystemHeadBytes)))) {
                const auto legacyEnd = PickleReader().read(QByteArrayView(data).sliced(legacy->headerSize));
                if (legacyEnd && legacy->headerSize + legacyEnd->endOffset == data.size())
                    e = *legacy;
            }
        }
    }
    e.fileSize = data.size();
    e.pickle = data.mid(e.headerSize);
    return e;
}

} // namespace cachescope
