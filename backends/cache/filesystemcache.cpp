#include "filesystemcache.h"

#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "globmatch.h"
#include "pythonincrement.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMutexLocker>
#include <QTemporaryFile>
#include <QtEndian>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace cachescope {

namespace {

std::filesystem::path nativePath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

QString reason(const std::error_code &ec)
{
    return QString::fromLocal8Bit(ec.message().c_str());
}

bool aliveAt(qint64 expiry, qint64 nowMs)
{
    return expiry == 0 || expiresAtOrAfter(expiry, nowMs); // cachelib: `t == 0 or t >= time()`
}

// Removes a file; false + no error when it did not exist (Python's FileNotFoundError).
Expected<bool> removeFile(const QString &path)
{
    // os.remove never removes a directory (std::filesystem::remove would, when it is empty).
    const QFileInfo info(path);
    if (info.isDir() && !info.isSymLink())
        return makeError(QStringLiteral("FileSystemCache: cannot remove %1: it is a directory").arg(path));
    std::error_code ec;
    const bool removed = std::filesystem::remove(nativePath(path), ec);
    if (ec)
        return makeError(QStringLiteral("FileSystemCache: cannot remove %1: %2").arg(path, reason(ec)));
    return removed;
}

} // namespace

std::unique_ptr<FileSystemCache> FileSystemCache::openReadOnly(QString directory, int threshold, qint64 defaultTimeout)
{
    std::unique_ptr<FileSystemCache> cache(
        new FileSystemCache(std::move(directory), threshold, defaultTimeout, 0600, HashMethod::Md5, systemClockMs, false));
    cache->setWritable(false);
    return cache;
}

FileSystemCache::FileSystemCache(QString directory, int threshold, qint64 defaultTimeout, int mode,
                                 HashMethod hashMethod, CacheClock clock)
    : FileSystemCache(std::move(directory), threshold, defaultTimeout, mode, hashMethod, std::move(clock), true)
{
}

FileSystemCache::FileSystemCache(QString directory, int threshold, qint64 defaultTimeout, int mode,
                                 HashMethod hashMethod, CacheClock clock, bool prepareDirectory)
    : Cache(defaultTimeout),
      m_directory(QDir::cleanPath(directory)),
      m_threshold(threshold),
      m_mode(mode),
      m_hashMethod(hashMethod),
      m_countFileName(fileNameForKey(QByteArray(kCountKey), hashMethod)),
      m_clock(clock ? std::move(clock) : CacheClock(systemClockMs))
{
    if (!prepareDirectory) {
        if (!QFileInfo(m_directory).isDir())
            m_initError = QStringLiteral("FileSystemCache: %1 is not a directory").arg(m_directory);
        return;
    }
    std::error_code ec;
    std::filesystem::create_directories(nativePath(m_directory), ec); // os.makedirs, EEXIST is fine
    if (ec) {
        m_initError = QStringLiteral("FileSystemCache: cannot create directory %1: %2").arg(m_directory, reason(ec));
        return;
    }
    // A zero threshold means no counting at all (cachelib skips the listing for speed).
    if (m_threshold != 0) {
        QMutexLocker lock(&m_mutex);
        auto names = listLocked();
        if (!names) {
            m_initError = names.error();
            return;
        }
        updateCountLocked(std::nullopt, names->size());
    }
}

void FileSystemCache::setClock(CacheClock clock)
{
    QMutexLocker lock(&m_mutex);
    m_clock = clock ? std::move(clock) : CacheClock(systemClockMs);
}

QString FileSystemCache::fileNameForKey(const QByteArray &key, HashMethod method)
{
    const auto algorithm = method == HashMethod::Md5 ? QCryptographicHash::Md5 : QCryptographicHash::Sha256;
    return QString::fromLatin1(QCryptographicHash::hash(key, algorithm).toHex());
}

QString FileSystemCache::pathFor(const QByteArray &key) const
{
    return m_directory + QLatin1Char('/') + fileNameForKey(key, m_hashMethod);
}

bool FileSystemCache::isManagement(const QString &name) const
{
    return name == m_countFileName || name.endsWith(QLatin1String(kTempSuffix));
}

Expected<FileSystemEntry> FileSystemCache::readEntryFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot open cache file %1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return makeError(QStringLiteral("cannot read cache file %1: %2").arg(path, file.errorString()));
    auto entry = parseFileSystemEntry(data);
    if (!entry)
        return makeError(QStringLiteral("cache file %1: %2").arg(path, entry.error()));
    return entry;
}

Expected<QByteArray> FileSystemCache::readHead(const QString &path, qint64 bytes, bool *missing) const
{
    *missing = false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (!QFileInfo::exists(path)) {
            *missing = true;
            return QByteArray();
        }
        return makeError(QStringLiteral("FileSystemCache: cannot open %1: %2").arg(path, file.errorString()));
    }
    QByteArray data = bytes < 0 ? file.readAll() : file.read(bytes);
    if (file.error() != QFileDevice::NoError)
        return makeError(QStringLiteral("FileSystemCache: cannot read %1: %2").arg(path, file.errorString()));
    return data;
}

Expected<QStringList> FileSystemCache::listLocked() const
{
    const QFileInfo dirInfo(m_directory);
    if (!dirInfo.isDir())
        return makeError(QStringLiteral("FileSystemCache: %1 is not a directory").arg(m_directory));
    if (!dirInfo.isReadable() || !dirInfo.isExecutable())
        return makeError(QStringLiteral("FileSystemCache: cannot list %1: permission denied").arg(m_directory));
    // Unsorted: directory order, as os.listdir returns it (pruning ties depend on it).
    QStringList names;
    QDirIterator it(m_directory, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        it.next();
        const QString name = it.fileName();
        if (!isManagement(name))
            names.append(name);
    }
    return names;
}

Expected<QStringList> FileSystemCache::entryFileNames() const
{
    QMutexLocker lock(&m_mutex);
    return listLocked();
}

Expected<std::optional<PyValue>> FileSystemCache::getLocked(const QString &path, qint64 *bytesRead) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (!QFileInfo::exists(path))
            return std::optional<PyValue>{};
        return makeError(QStringLiteral("FileSystemCache: cannot open %1: %2").arg(path, file.errorString()));
    }
    auto readFailed = [&] {
        return makeError(QStringLiteral("FileSystemCache: cannot read %1: %2").arg(path, file.errorString()));
    };
    QByteArray data = file.read(kFileSystemHeadBytes);
    if (file.error() != QFileDevice::NoError)
        return readFailed();
    auto header = parseFileSystemHeader(data);
    if (!header) // short header: cachelib's struct.error, logged, None
        return std::optional<PyValue>{};
    // Like cachelib, decide on the header before reading the payload, unless the header is
    // (or might be) a legacy pickled one, which needs the whole file to be told apart.
    const bool ambiguous = header->layout == FileSystemEntry::Layout::Legacy || quint8(data.at(0)) == 0x80;
    if (!ambiguous && !aliveAt(header->expiry, nowMs()))
        return std::optional<PyValue>{};
    data += file.readAll();
    if (file.error() != QFileDevice::NoError)
        return readFailed();
    if (bytesRead)
        *bytesRead = data.size();
    QByteArray pickle;
    if (ambiguous) {
        auto entry = parseFileSystemEntry(data);
        if (!entry || !aliveAt(entry->expiry, nowMs()))
            return std::optional<PyValue>{};
        pickle = entry->pickle;
    } else {
        pickle = data.mid(4);
    }
    auto value = PickleReader().loads(pickle);
    if (!value) // cachelib: PickleError / EOFError are logged and read as None
        return std::optional<PyValue>{};
    return std::optional<PyValue>(std::move(*value));
}

qint64 FileSystemCache::fileCountLocked() const
{
    // cachelib: `self.get(self._fs_count_file) or 0`
    auto value = getLocked(m_directory + QLatin1Char('/') + m_countFileName);
    if (!value || !value->has_value())
        return 0;
    const PyValue &v = **value;
    if (v.kind() == PyValue::Kind::Int)
        return v.toInt();
    if (v.kind() == PyValue::Kind::Bool)
        return v.toBool() ? 1 : 0;
    return 0;
}

qint64 FileSystemCache::countFileValue() const
{
    QMutexLocker lock(&m_mutex);
    return fileCountLocked();
}

void FileSystemCache::updateCountLocked(std::optional<qint64> delta, std::optional<qint64> value)
{
    if (m_threshold == 0)
        return;
    // `if delta:` — a zero delta falls through to `value or 0`, as in cachelib.
    const qint64 next = (delta && *delta != 0) ? fileCountLocked() + *delta : value.value_or(0);
    // cachelib ignores a failed count update (set() logs and returns False); so do we: the
    // count is advisory and re-synced at the next construction.
    (void)setLocked(QByteArray(kCountKey), PyValue::integer(next), Timeout{0}, true);
}

bool FileSystemCache::overThresholdLocked() const
{
    return m_threshold != 0 && fileCountLocked() > m_threshold;
}

void FileSystemCache::pruneLocked()
{
    if (overThresholdLocked()) {
        // _remove_expired: raw 4-byte header, `expires != 0 and expires < now`.
        const qint64 now = nowMs();
        auto names = listLocked();
        if (names) {
            for (const QString &name : *names) {
                const QString path = m_directory + QLatin1Char('/') + name;
                bool missing = false;
                auto head = readHead(path, 4, &missing);
                if (!head || missing)
                    continue; // unreadable files are skipped (cachelib logs them)
                const auto expiry = rawStructExpiry(*head);
                if (!expiry || *expiry == 0 || !expiredBefore(qint64(*expiry), now))
                    continue;
                auto removed = removeFile(path);
                if (removed && *removed)
                    updateCountLocked(-1, std::nullopt);
            }
        }
    }
    if (!overThresholdLocked())
        return;
    // _remove_older: sort every readable file by its raw expiry, ascending (0 = never comes
    // first); Python's sort is stable, so ties keep directory order.
    auto names = listLocked();
    if (!names)
        return;
    std::vector<std::pair<quint32, QString>> byExpiry;
    for (const QString &name : *names) {
        const QString path = m_directory + QLatin1Char('/') + name;
        bool missing = false;
        auto head = readHead(path, 4, &missing);
        if (!head || missing)
            continue;
        if (const auto expiry = rawStructExpiry(*head))
            byExpiry.emplace_back(*expiry, path);
    }
    std::stable_sort(byExpiry.begin(), byExpiry.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &[expiry, path] : byExpiry) {
        auto removed = removeFile(path);
        if (!removed)
            return; // cachelib stops at the first OSError other than FileNotFoundError
        if (*removed)
            updateCountLocked(-1, std::nullopt);
        if (!overThresholdLocked())
            break;
    }
}

Expected<bool> FileSystemCache::writeFile(const QString &path, qint64 expiry, const QByteArray &pickle)
{
    // tempfile.mkstemp(suffix=".__wz_cache", dir=cache_dir); QTemporaryFile creates it 0600
    // and removes it again on every early return below.
    QTemporaryFile tmp(m_directory + QStringLiteral("/tmpXXXXXXXX") + QLatin1String(kTempSuffix));
    if (!tmp.open())
        return makeError(QStringLiteral("FileSystemCache: cannot create a temporary file in %1 for %2: %3")
                             .arg(m_directory, path, tmp.errorString()));
    char header[4];
    qToLittleEndian<quint32>(quint32(expiry), header);
    if (tmp.write(header, 4) != 4 || tmp.write(pickle) != pickle.size() || !tmp.flush())
        return makeError(QStringLiteral("FileSystemCache: cannot write %1 (for %2): %3")
                             .arg(tmp.fileName(), path, tmp.errorString()));
    tmp.close();
    if (tmp.error() != QFileDevice::NoError)
        return makeError(QStringLiteral("FileSystemCache: cannot write %1 (for %2): %3")
                             .arg(tmp.fileName(), path, tmp.errorString()));
    std::error_code ec;
    std::filesystem::rename(nativePath(tmp.fileName()), nativePath(path), ec); // os.replace
    if (ec)
        return makeError(QStringLiteral("FileSystemCache: cannot rename %1 to %2: %3")
                             .arg(tmp.fileName(), path, reason(ec)));
    tmp.setAutoRemove(false);
    std::filesystem::permissions(nativePath(path), std::filesystem::perms(m_mode & 07777),
                                 std::filesystem::perm_options::replace, ec);
    if (ec)
        return makeError(QStringLiteral("FileSystemCache: cannot chmod %1 to %2: %3")
                             .arg(path, QString::number(m_mode, 8), reason(ec)));
    const qint64 size = QFileInfo(path).size();
    return size > 0; // "function should fail if file is empty"
}

Expected<bool> FileSystemCache::setLocked(const QByteArray &key, const PyValue &value, Timeout timeout, bool management)
{
    auto pickle = PickleWriter().dumps(value);
    if (!pickle)
        return makeError(QStringLiteral("FileSystemCache: cannot pickle the value of %1: %2")
                             .arg(QString::fromUtf8(key), pickle.error()));
    if (!management)
        pruneLocked(); // never while updating the count file, which would loop
    const qint64 seconds = management ? 0 : normalizeTimeout(timeout);
    qint64 expiry = 0;
    const bool overflow = seconds != 0 && __builtin_add_overflow(wholeSeconds(nowMs()), seconds, &expiry);
    if (overflow || expiry < 0 || expiry > 0xffffffffLL)
        return makeError(QStringLiteral("FileSystemCache: the expiry %1 of %2 does not fit the 4-byte header "
                                        "(timeout %3 s)")
                             .arg(expiry).arg(QString::fromUtf8(key)).arg(seconds));
    const QString path = pathFor(key);
    const bool overwrite = QFileInfo(path).isFile();
    auto written = writeFile(path, expiry, *pickle);
    if (!written)
        return written;
    if (!management) {
        mutableCounters().addBytesOut(quint64(pickle->size() + 4));
        if (!overwrite)
            updateCountLocked(1, std::nullopt);
    }
    return written;
}

Expected<std::optional<PyValue>> FileSystemCache::doGet(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    qint64 bytesRead = 0;
    auto value = getLocked(pathFor(key), &bytesRead);
    mutableCounters().addBytesIn(quint64(bytesRead));
    return value;
}

Expected<bool> FileSystemCache::doSet(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    QMutexLocker lock(&m_mutex);
    return setLocked(key, value, timeout, false);
}

Expected<bool> FileSystemCache::doAdd(const QByteArray &key, const PyValue &value, Timeout timeout)
{
    QMutexLocker lock(&m_mutex);
    // os.path.exists: any existing file, expired or not, blocks the add.
    if (QFileInfo::exists(pathFor(key)))
        return false;
    return setLocked(key, value, timeout, false);
}

Expected<bool> FileSystemCache::doRemove(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    auto removed = removeFile(pathFor(key));
    if (!removed)
        return removed;
    if (*removed)
        updateCountLocked(-1, std::nullopt);
    return true; // a missing file counts as deleted
}

Expected<bool> FileSystemCache::doHas(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    bool missing = false;
    auto head = readHead(pathFor(key), kFileSystemHeadBytes, &missing);
    if (!head)
        return Error{head.error()};
    if (missing)
        return false;
    auto header = parseFileSystemHeader(*head);
    return header && aliveAt(header->expiry, nowMs());
}

Expected<bool> FileSystemCache::doClear()
{
    QMutexLocker lock(&m_mutex);
    auto names = listLocked();
    if (!names)
        return Error{names.error()};
    for (qsizetype i = 0; i < names->size(); ++i) {
        auto removed = removeFile(m_directory + QLatin1Char('/') + names->at(i));
        if (!removed) {
            updateCountLocked(-i, std::nullopt); // as cachelib: the files removed so far
            return Error{removed.error()};
        }
    }
    updateCountLocked(std::nullopt, 0);
    return true;
}

Expected<std::optional<qint64>> FileSystemCache::doInc(const QByteArray &key, qint64 delta)
{
    QMutexLocker lock(&m_mutex);
    auto current = getLocked(pathFor(key));
    if (!current)
        return Error{current.error()};
    auto next = pythonIncrement(key, *current, delta);
    if (!next)
        return Error{next.error()};
    auto written = setLocked(key, PyValue::integer(*next), Timeout{}, false);
    if (!written)
        return Error{written.error()};
    return *written ? std::optional<qint64>(*next) : std::nullopt;
}

Expected<std::optional<QByteArray>> FileSystemCache::doRawGet(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    bool missing = false;
    auto data = readHead(pathFor(key), -1, &missing);
    if (!data)
        return Error{data.error()};
    if (missing)
        return std::optional<QByteArray>{};
    return std::optional<QByteArray>(std::move(*data));
}

Expected<EntryTtl> FileSystemCache::doTtl(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    bool missing = false;
    auto head = readHead(pathFor(key), kFileSystemHeadBytes, &missing);
    if (!head)
        return Error{head.error()};
    if (missing)
        return EntryTtl{};
    auto header = parseFileSystemHeader(*head);
    const qint64 now = nowMs();
    if (!header || !aliveAt(header->expiry, now))
        return EntryTtl{};
    if (header->expiry == 0)
        return EntryTtl{EntryTtl::State::Never, 0};
    return EntryTtl{EntryTtl::State::Expires, std::max<qint64>(0, secondsLeft(header->expiry, now))};
}

Expected<std::optional<qint64>> FileSystemCache::doEntrySize(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    const QFileInfo info(pathFor(key));
    if (!info.exists())
        return std::optional<qint64>{};
    return std::optional<qint64>(info.size());
}

Expected<ScanPage> FileSystemCache::doScan(const QByteArray &cursor, const QByteArray &glob, int count)
{
    QString after;
    if (!cursor.isEmpty() && cursor != "0") {
        if (!cursor.startsWith('>'))
            return makeError(QStringLiteral("FileSystemCache scan: invalid cursor \"%1\" (expected \">name\")")
                                 .arg(QString::fromUtf8(cursor.left(80))));
        after = QString::fromUtf8(cursor.mid(1));
    }
    QStringList names;
    {
        QMutexLocker lock(&m_mutex);
        auto listed = listLocked();
        if (!listed)
            return Error{listed.error()};
        names = std::move(*listed);
    }
    std::sort(names.begin(), names.end());
    auto it = after.isEmpty() ? names.cbegin() : std::upper_bound(names.cbegin(), names.cend(), after);
    const qsizetype wanted = std::max(count, 1);
    const bool all = glob.isEmpty() || glob == "*";
    ScanPage page;
    QString last;
    for (; it != names.cend() && page.keys.size() < wanted; ++it) {
        const QByteArray name = QFile::encodeName(*it);
        last = *it;
        if (all || globMatch(glob, name))
            page.keys.append(name);
    }
    page.nextCursor = it == names.cend() ? QByteArrayLiteral("0") : QByteArray('>' + QFile::encodeName(last));
    return page;
}

} // namespace cachescope
