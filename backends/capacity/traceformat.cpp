#include "traceformat.h"

#include "traceoracle.h"

#include <cstring>

namespace cachescope {

QString traceFormatName(TraceFormat format)
{
    switch (format) {
    case TraceFormat::Auto:
        return QStringLiteral("auto");
    case TraceFormat::CacheScope:
        return QStringLiteral("cachescope");
    case TraceFormat::Twitter:
        return QStringLiteral("twitter");
    case TraceFormat::Oracle:
        return QStringLiteral("oracle");
    case TraceFormat::Recording:
        return QStringLiteral("recording");
    }
    return {};
}

std::optional<TraceFormat> traceFormatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"auto")
        return TraceFormat::Auto;
    if (n == u"cachescope" || n == u"cstrace")
        return TraceFormat::CacheScope;
    if (n == u"twitter" || n == u"csv")
        return TraceFormat::Twitter;
    if (n == u"oracle" || n == u"oraclegeneral")
        return TraceFormat::Oracle;
    if (n == u"recording" || n == u"sqlite")
        return TraceFormat::Recording;
    return std::nullopt;
}

namespace traceformat {

bool isZstd(QByteArrayView head)
{
    return head.size() >= 4 && std::memcmp(head.data(), kZstdMagic, 4) == 0;
}

namespace {

// A Twitter trace is text whose first complete line has at least 6 commas (the key may hold more).
bool looksLikeTwitter(QByteArrayView head, QString *why)
{
    if (head.isEmpty()) {
        *why = QStringLiteral("no text");
        return false;
    }
    for (char c : head) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') {
            *why = QStringLiteral("binary bytes, not CSV text");
            return false;
        }
    }
    qsizetype end = head.indexOf('\n');
    if (end < 0)
        end = head.size();
    const QByteArrayView line = head.first(end);
    if (line.count(',') < 6) {
        *why = QStringLiteral("its first line has %1 comma(s), a Twitter trace line has 7 fields").arg(line.count(','));
        return false;
    }
    return true;
}

} // namespace

Expected<TraceFormat> detect(QByteArrayView head, qint64 size, const QString &name)
{
    if (size == 0 || head.isEmpty())
        return makeError(QStringLiteral("%1 is empty: no requests to read").arg(name));
    if (head.size() >= 8 && std::memcmp(head.data(), kBinaryMagic, 8) == 0)
        return TraceFormat::CacheScope;
    if (head.size() >= 16 && std::memcmp(head.data(), kSqliteMagic, 16) == 0)
        return TraceFormat::Recording;
    QString twitterWhy;
    if (looksLikeTwitter(head, &twitterWhy))
        return TraceFormat::Twitter;
    if (size < 0 || size % OracleTrace::kRecordSize == 0)
        return TraceFormat::Oracle;
    return makeError(QStringLiteral("cannot tell the format of %1: no CacheScope trace or recording header, not a "
                                    "Twitter CSV trace (%2), and its %3 bytes are not a whole number of %4-byte "
                                    "oracleGeneral records; name the format with --trace-format")
                         .arg(name, twitterWhy)
                         .arg(size)
                         .arg(OracleTrace::kRecordSize));
}

} // namespace traceformat

} // namespace cachescope
