#include "filesystemkeysource.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QThread>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cachescope {

namespace {

bool isHex(QByteArrayView v)
{
    for (char c : v) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

FileSystemKeySource::FileSystemKeySource(QString directory, QObject *parent)
    : KeySource({}, parent), m_dir(QDir(directory).absolutePath()), m_io(QStringLiteral("fs-keys"))
{
    m_known.insert(countFileName(), QByteArrayLiteral("__wz_cache_count"));
}

FileSystemKeySource::~FileSystemKeySource()
{
    m_io.stop();
}

QByteArray FileSystemKeySource::countFileName()
{
    return QCryptographicHash::hash("__wz_cache_count", QCryptographicHash::Md5).toHex();
}

void FileSystemKeySource::cancel(quint64 id)
{
    m_io.cancel(id);
}

bool FileSystemKeySource::isEntryName(const QByteArray &name) const
{
    // cachelib names are md5 (32) or sha256 (64) hex; temp files end in .__wz_cache.
    return (name.size() == 32 || name.size() == 64) && isHex(name);
}

QString FileSystemKeySource::pathOf(const QByteArray &name) const
{
    return m_dir % u'/' % QString::fromLatin1(name);
}

QList<QByteArray> FileSystemKeySource::storedKeysFor(const QByteArray &typedKey) const
{
    const QByteArray md5 = QCryptographicHash::hash(typedKey, QCryptographicHash::Md5).toHex();
    const QByteArray sha = QCryptographicHash::hash(typedKey, QCryptographicHash::Sha256).toHex();
    {
        QMutexLocker lock(&m_mutex);
        m_known.insert(md5, typedKey);
        m_known.insert(sha, typedKey);
    }
    QList<QByteArray> out{md5, sha};
    if (isEntryName(typedKey))
        out.prepend(typedKey); // the user pasted a file name
    return out;
}

QByteArray FileSystemKeySource::knownKeyFor(const QByteArray &storedKey) const
{
    QMutexLocker lock(&m_mutex);
    return m_known.value(storedKey);
}

std::optional<quint32> FileSystemKeySource::readExpiry(const QByteArray &h)
{
    if (h.size() < 4)
        return std::nullopt;
    const auto b = [&](int i) { return quint32(quint8(h[i])); };
    if (quint8(h[0]) == 0x80 && h.size() >= 3) {
        // Legacy (cachelib <= 0.6): the header is a pickled int: PROTO n, then K/M/J, then STOP.
        const char op = h[2];
        if (op == 'K' && h.size() >= 4)
            return b(3);
        if (op == 'M' && h.size() >= 5)
            return b(3) | (b(4) << 8);
        if (op == 'J' && h.size() >= 7)
            return b(3) | (b(4) << 8) | (b(5) << 16) | (b(6) << 24);
    }
    return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24); // struct.pack("I"): little-endian
}

quint64 FileSystemKeySource::requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous)
{
    const quint64 id = nextId();
    m_io.post([=, this] { scanOnWorker(id, cursor.isEmpty() ? QByteArray("0") : cursor, match, count, continuous); });
    return id;
}

void FileSystemKeySource::scanOnWorker(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous)
{
    if (m_io.isCancelled(id))
        return;
    // Cursor "<generation>:<offset>"; "0" takes a new listing. A cursor from an older listing
    // continues at its offset in the newest one (entries may repeat; the model dedupes).
    qsizetype offset = 0;
    if (cursor == "0" || m_listing.isEmpty()) {
        if (cursor == "0") {
            const QDir dir(m_dir);
            if (!dir.exists()) {
                const QString error = QStringLiteral("cache directory %1 does not exist").arg(m_dir);
                post([this, id, error] { Q_EMIT scanFailed(id, error); });
                return;
            }
            m_listing.clear();
            const QStringList names = dir.entryList(QDir::Files | QDir::Hidden, QDir::Unsorted);
            for (const QString &n : names) {
                const QByteArray name = n.toLatin1();
                if (isEntryName(name))
                    m_listing.append(name);
            }
            ++m_listingGeneration;
        }
    }
    if (cursor != "0") {
        const qsizetype colon = cursor.indexOf(':');
        offset = colon < 0 ? 0 : cursor.mid(colon + 1).toLongLong();
    }
    QRegularExpression re;
    const bool filtered = !match.isEmpty() && match != "*";
    if (filtered)
        re = QRegularExpression(QRegularExpression::wildcardToRegularExpression(
            QString::fromLatin1(match), QRegularExpression::UnanchoredWildcardConversion));
    const qsizetype step = qBound(1, count, 100000);
    for (;;) {
        ScanBatch batch;
        batch.cursor = cursor;
        const qsizetype end = qMin(m_listing.size(), offset + step);
        for (qsizetype i = offset; i < end; ++i) {
            const QByteArray &name = m_listing[i];
            if (!filtered || re.match(QString::fromLatin1(name)).hasMatch()
                || (filtered && re.match(QString::fromUtf8(knownKeyFor(name))).hasMatch()))
                batch.keys.append(name);
        }
        offset = end;
        batch.nextCursor = offset >= m_listing.size()
            ? QByteArray("0")
            : QByteArray::number(m_listingGeneration) + ':' + QByteArray::number(offset);
        cursor = batch.nextCursor;
        const bool more = continuous && !batch.done() && !m_io.isCancelled(id);
        post([this, id, batch] { Q_EMIT scanReady(id, batch); });
        if (!more)
            return;
    }
}

quint64 FileSystemKeySource::requestMetadata(const QList<QByteArray> &keys)
{
    const quint64 id = nextId();
    m_io.post([this, id, keys] {
        QList<KeyMetadata> out;
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        for (const auto &k : keys) {
            KeyMetadata m;
            m.key = k;
            m.type = "none";
            if (isEntryName(k)) {
                QFile f(pathOf(k));
                if (f.open(QIODevice::ReadOnly)) {
                    m.type = "file";
                    m.size = f.size();
                    const auto expiry = readExpiry(f.read(8));
                    if (!expiry || *expiry == 0) {
                        m.ttlMs = -1;
                    } else {
                        m.ttlMs = qint64(*expiry) * 1000 - nowMs;
                        if (m.ttlMs <= 0) {
                            m.expired = true;
                            m.ttlMs = 0;
                        }
                    }
                }
            }
            out.append(m);
        }
        post([this, id, out] { Q_EMIT metadataReady(id, out); });
    });
    return id;
}

quint64 FileSystemKeySource::requestValue(const QByteArray &key)
{
    const quint64 id = nextId();
    m_io.post([this, id, key] {
        if (!isEntryName(key)) {
            post([this, id, key] { Q_EMIT valueReady(id, key, {}, false); });
            return;
        }
        QFile f(pathOf(key));
        if (!f.exists()) {
            post([this, id, key] { Q_EMIT valueReady(id, key, {}, false); });
            return;
        }
        if (!f.open(QIODevice::ReadOnly)) {
            const QString error = QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString());
            post([this, id, error] { Q_EMIT valueFailed(id, error); });
            return;
        }
        const QByteArray value = f.read(256LL * 1024 * 1024); // bounded: a payload view needs no more
        post([this, id, key, value] { Q_EMIT valueReady(id, key, value, true); });
    });
    return id;
}

void FileSystemKeySource::doDeleteKeys(quint64 id, const QList<QByteArray> &keys)
{
    m_io.post([this, id, keys] {
        qint64 deleted = 0;
        for (const auto &k : keys) {
            if (isEntryName(k) && QFile::remove(pathOf(k)))
                ++deleted;
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void FileSystemKeySource::doDeleteNamespace(quint64 id, const QByteArray &namespacePath)
{
    m_io.post([this, id, namespacePath] {
        qint64 deleted = 0;
        const QStringList names = QDir(m_dir).entryList(QDir::Files | QDir::Hidden, QDir::Unsorted);
        for (const QString &n : names) {
            const QByteArray name = n.toLatin1();
            if (m_io.isCancelled(id))
                break;
            if (isEntryName(name) && name != countFileName() && name.startsWith(namespacePath)
                && QFile::remove(pathOf(name)))
                ++deleted;
        }
        post([this, id, deleted] { Q_EMIT writeFinished(id, deleted); });
    });
}

void FileSystemKeySource::doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs)
{
    m_io.post([this, id, keys, ttlMs] {
        qint64 changed = 0;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const quint32 expiry = ttlMs < 0 ? 0u : quint32(qMin<qint64>(now + (ttlMs + 999) / 1000, 0xffffffffLL));
        for (const auto &k : keys) {
            if (!isEntryName(k))
                continue;
            QFile f(pathOf(k));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            QByteArray data = f.readAll();
            f.close();
            if (data.size() < 5 || quint8(data[0]) == 0x80) {
                const QString error = QStringLiteral("cannot change the TTL of %1: not a cachelib >= 0.7 entry")
                                          .arg(f.fileName());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            for (int i = 0; i < 4; ++i)
                data[i] = char((expiry >> (8 * i)) & 0xff);
            // Atomic like cachelib: a temp file in the same directory (the .__wz_cache suffix
            // cachelib itself skips), then rename over the entry.
            QTemporaryFile tmp(m_dir + QStringLiteral("/XXXXXX.__wz_cache"));
            if (!tmp.open() || tmp.write(data) != data.size() || !tmp.flush()) {
                const QString error = QStringLiteral("cannot write %1: %2").arg(tmp.fileName(), tmp.errorString());
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            tmp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            tmp.close();
            // POSIX rename replaces the entry atomically (QFile::rename refuses an existing target).
            if (std::rename(QFile::encodeName(tmp.fileName()).constData(), QFile::encodeName(f.fileName()).constData())
                != 0) {
                const QString error = QStringLiteral("cannot replace %1: %2")
                                          .arg(f.fileName(), QString::fromLocal8Bit(std::strerror(errno)));
                post([this, id, error] { Q_EMIT writeFailed(id, error); });
                return;
            }
            tmp.setAutoRemove(false);
            ++changed;
        }
        post([this, id, changed] { Q_EMIT writeFinished(id, changed); });
    });
}

} // namespace cachescope
