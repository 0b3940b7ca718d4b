#include "atomicfile.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cachescope {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

Expected<bool> writeFileAtomically(const QString &path, const QByteArray &content, const AtomicWriteOptions &options)
{
    const QFileInfo info(path);
    // The target of a symlink is what gets replaced; renaming over the link would turn it into a file.
    const QString target = info.isSymLink() ? info.canonicalFilePath() : info.absoluteFilePath();
    if (target.isEmpty())
        return makeError(QStringLiteral("%1: a dangling symlink").arg(path));
    const QByteArray targetName = QFile::encodeName(target);
    struct stat original;
    const bool exists = ::stat(targetName.constData(), &original) == 0;
    const QString dir = QFileInfo(target).absolutePath();
    QByteArray tmpl = QFile::encodeName(dir + QStringLiteral("/.") + QFileInfo(target).fileName()
                                        + QStringLiteral(".cachescope-XXXXXX"));
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        return makeError(QStringLiteral("cannot write %1: cannot create a temporary file in %2: %3")
                             .arg(path, dir, errnoText(errno)));
    auto fail = [&](const QString &what, int error) -> Error {
        ::close(fd);
        ::unlink(tmpl.constData());
        return makeError(QStringLiteral("cannot write %1: %2: %3; the file is unchanged").arg(path, what, errnoText(error)));
    };
    if (exists) {
        if (::fchmod(fd, original.st_mode & 07777) != 0)
            return fail(QStringLiteral("cannot keep its mode"), errno);
        // Keep the owner when allowed (root editing a service's file); otherwise the file is ours anyway.
        if ((original.st_uid != ::geteuid() || original.st_gid != ::getegid())
            && ::fchown(fd, original.st_uid, original.st_gid) != 0 && errno != EPERM)
            return fail(QStringLiteral("cannot keep its owner"), errno);
    }
    const auto writeSome = options.write ? options.write
                                         : [](int f, const char *data, qint64 size) -> qint64 { return ::write(f, data, size_t(size)); };
    qint64 done = 0;
    int zeroWrites = 0;
    while (done < content.size()) {
        const qint64 n = writeSome(fd, content.constData() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(QStringLiteral("writing %1 bytes failed after %2").arg(content.size()).arg(done), errno);
        }
        if (n == 0 && ++zeroWrites > 3)
            return fail(QStringLiteral("the disk accepts no more bytes after %1 of %2").arg(done).arg(content.size()), ENOSPC);
        done += n;
    }
    if (::fsync(fd) != 0)
        return fail(QStringLiteral("fsync"), errno);
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(tmpl.constData());
        return makeError(QStringLiteral("cannot write %1: close: %2; the file is unchanged").arg(path, errnoText(error)));
    }
    if (::rename(tmpl.constData(), targetName.constData()) != 0) {
        const int error = errno;
        ::unlink(tmpl.constData());
        return makeError(QStringLiteral("cannot write %1: rename: %2; the file is unchanged").arg(path, errnoText(error)));
    }
    // The rename is durable once the directory entry is on disk.
    const int dirFd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return true;
}

} // namespace cachescope
