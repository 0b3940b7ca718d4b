#pragma once
// TEMP: stand-in until the real FileSystemCache lands; dropped at merge.
#include "tempmemorycache.h"
#include <QDir>
namespace cachescope {
class FileSystemCache : public TempMemoryCache
{
public:
    explicit FileSystemCache(QString directory, int threshold = 500, qint64 defaultTimeout = 300)
        : TempMemoryCache(QStringLiteral("FileSystemCache"), directory, threshold, defaultTimeout)
    {
        QDir().mkpath(directory);
    }
};
} // namespace cachescope
