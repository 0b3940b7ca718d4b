#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace cachescope {

// Replaces a file's content so that a crash, a full disk, a read-only directory or a short write
// leaves the old content intact: a temporary file in the same directory (same mode and, when
// permitted, the same owner), every byte written and fsync'ed, then rename() over the original
// and fsync of the directory. A symlink is followed: its target is replaced, the link stays.
struct AtomicWriteOptions
{
    // Tests inject failures here (a short write, ENOSPC); default ::write(2). Returns bytes written
    // or -1 with errno set, like write(2).
    std::function<qint64(int fd, const char *data, qint64 size)> write;
};

Expected<bool> writeFileAtomically(const QString &path, const QByteArray &content, const AtomicWriteOptions &options = {});

} // namespace cachescope
