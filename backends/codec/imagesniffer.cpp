#include "imagesniffer.h"

namespace cachescope {

namespace {

uint be16(const uchar *p) { return (uint(p[0]) << 8) | p[1]; }
uint be32(const uchar *p) { return (uint(p[0]) << 24) | (uint(p[1]) << 16) | (uint(p[2]) << 8) | p[3]; }
uint le16(const uchar *p) { return uint(p[0]) | (uint(p[1]) << 8); }
uint le24(const uchar *p) { return uint(p[0]) | (uint(p[1]) << 8) | (uint(p[2]) << 16); }

} // namespace

std::optional<ImageInfo> ImageSniffer::sniff(QByteArrayView data)
{
    const uchar *p = reinterpret_cast<const uchar *>(data.data());
    const qsizetype n = data.size();
    if (n >= 24 && data.startsWith(QByteArrayView("\x89PNG\r\n\x1a\n", 8)) && QByteArrayView(p + 12, 4) == QByteArrayView("IHDR"))
        return ImageInfo{QStringLiteral("png"), int(be32(p + 16) & 0x7fffffff), int(be32(p + 20) & 0x7fffffff)};
    if (n >= 10 && (data.startsWith("GIF87a") || data.startsWith("GIF89a")))
        return ImageInfo{QStringLiteral("gif"), int(le16(p + 6)), int(le16(p + 8))};
    if (n >= 30 && data.startsWith("RIFF") && QByteArrayView(p + 8, 4) == QByteArrayView("WEBP")) {
        const QByteArrayView chunk(p + 12, 4);
        if (chunk == QByteArrayView("VP8 "))
            return ImageInfo{QStringLiteral("webp"), int(le16(p + 26) & 0x3fff), int(le16(p + 28) & 0x3fff)};
        if (chunk == QByteArrayView("VP8L") && p[20] == 0x2f)
            return ImageInfo{QStringLiteral("webp"), int(1 + (p[21] | ((p[22] & 0x3f) << 8))),
                             int(1 + ((p[22] >> 6) | (p[23] << 2) | ((p[24] & 0x0f) << 10)))};
        if (chunk == QByteArrayView("VP8X"))
            return ImageInfo{QStringLiteral("webp"), int(1 + le24(p + 24)), int(1 + le24(p + 27))};
        return ImageInfo{QStringLiteral("webp"), 0, 0};
    }
    if (n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
        // Walk the marker segments until a start-of-frame carries the size.
        qsizetype at = 2;
        while (at + 4 <= n) {
            if (p[at] != 0xff) {
                ++at; // tolerate fill bytes / garbage between segments
                continue;
            }
            const uchar marker = p[at + 1];
            if (marker == 0xff) {
                ++at;
                continue;
            }
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                at += 2;
                continue;
            }
            if (marker == 0xd9 || marker == 0xda)
                break;
            const uint length = be16(p + at + 2);
            const bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof && at + 9 <= n)
                return ImageInfo{QStringLiteral("jpeg"), int(be16(p + at + 7)), int(be16(p + at + 5))};
            if (length < 2)
                break;
            at += 2 + length;
        }
        return ImageInfo{QStringLiteral("jpeg"), 0, 0};
    }
    return std::nullopt;
}

} // namespace cachescope
