#pragma once

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace cachescope {

struct ImageInfo
{
    QString format; // "png", "jpeg", "webp", "gif"
    int width = 0;
    int height = 0;
};

// Reads an image's format and pixel size from its header only (no Qt Gui in backends, no
// decoding of pixel data): PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X, GIF logical screen.
class ImageSniffer
{
public:
    static std::optional<ImageInfo> sniff(QByteArrayView data);
};

} // namespace cachescope
