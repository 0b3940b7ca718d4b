#pragma once

#include "cache.h"
#include "cacheclock.h"
#include "filesystementry.h"

#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>

namespace cachescope {

// cachelib 0.9.0's FileSystemCache (file.py), byte-compatible on disk and sharing the
// directory with Python processes:
//  - one file per key, named hash(key UTF-8).hexdigest() (md5 by default; sha256 is what
//    Flask-Caching main uses); 4-byte LE uint32 expiry (int(time()) + timeout, 0 = never) then
//    a pickle of the value;
//  - writes go to `<dir>/tmpXXXXXX.__wz_cache`, then rename over the final name, then chmod;
//  - the count file (key "__wz_cache_count": expiry 0 + pickled int) is kept only when
//    threshold != 0: recomputed from the directory listing at construction, +1 for a newly
//    created file, -1 per deleted/pruned file, 0 after clear(); it is re-read from disk each time
//    so Python processes and CacheScope can share one directory;
//  - set() prunes first when count > threshold: files with `expiry != 0 and expiry < now`, then,
//    if still over, all files by ascending expiry (never-expiring ones first; ties in directory
//    order, as os.listdir) until count <= threshold;
//  - get/has: alive when `expiry == 0 or expiry >= time()`; expired files read as missing but
//    stay on disk; add() returns false whenever the file exists, expired or not; delete()
//    returns true for a missing file too; corrupt files (short header, bad pickle) read as
//    missing, as cachelib's get/has do.
// Differences from cachelib 0.9.0 (deliberate):
//  - I/O failures (cannot create/write/rename/chmod/remove/open) come back as errors naming the
//    file and the OS reason instead of False/None plus a log line; a failed temp file is
//    removed (cachelib leaves it behind) and the existing entry is left untouched;
//  - a timeout whose expiry does not fit a uint32 is an error before anything is written
//    (cachelib raises struct.error and leaks the temp file); an unpicklable value is an error
//    before pruning (cachelib would write a bare 4-byte header);
//  - get/has/ttl also understand the legacy layout (pickled int header, werkzeug/cachelib
//    <= 0.6), which cachelib 0.9.0 misreads as expired; pruning still uses the raw first four
//    bytes, so it removes exactly the files cachelib would;
//  - every call is serialised by a mutex (cachelib has no in-process locking).
// Inspection: rawGet = the whole file, entrySize = the file size (expired files included),
// ttl from the header. Key names cannot be recovered from hashed file names, so scan() returns
// the file names (hex digests) of the entries, skipping the count file and temp files; the glob
// applies to those names and the cursor is ">" + the last name returned.
class FileSystemCache : public Cache
{
public:
    enum class HashMethod { Md5, Sha256 };

    explicit FileSystemCache(QString directory, int threshold = 500, qint64 defaultTimeout = 300,
                             int mode = 0600, HashMethod hashMethod = HashMethod::Md5,
                             CacheClock clock = systemClockMs);
    // Opens a directory someone else owns for reading: unlike cachelib's constructor it creates
    // no directory and rewrites no count file, and the cache starts read-only.
    static std::unique_ptr<FileSystemCache> openReadOnly(QString directory, int threshold = 500,
                                                         qint64 defaultTimeout = 300);

    QString backendName() const override { return QStringLiteral("FileSystemCache"); }
    QString location() const override { return m_directory; }

    QString directory() const { return m_directory; }
    int threshold() const { return m_threshold; }
    HashMethod hashMethod() const { return m_hashMethod; }
    // Empty, or why the directory could not be created / counted at construction.
    QString initError() const { return m_initError; }
    void setClock(CacheClock clock);

    // The count file's value as cachelib reads it (`get(count) or 0`).
    qint64 countFileValue() const;
    // The entry file names (no count file, no temp files), in directory order.
    Expected<QStringList> entryFileNames() const;

    static QString fileNameForKey(const QByteArray &key, HashMethod method = HashMethod::Md5);
    static constexpr const char *kCountKey = "__wz_cache_count";
    static constexpr const char *kTempSuffix = ".__wz_cache";
    // Reads one cache file directly (e.g. "Open payload" on a file picked in a file dialog).
    static Expected<FileSystemEntry> readEntryFile(const QString &path);

private:
    FileSystemCache(QString directory, int threshold, qint64 defaultTimeout, int mode, HashMethod hashMethod,
                    CacheClock clock, bool prepareDirectory);

protected:
    Expected<std::optional<PyValue>> doGet(const QByteArray &key) override;
    Expected<bool> doSet(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doAdd(const QByteArray &key, const PyValue &value, Timeout timeout) override;
    Expected<bool> doRemove(const QByteArray &key) override;
    Expected<bool> doHas(const QByteArray &key) override;
    Expected<bool> doClear() override;
    Expected<std::optional<qint64>> doInc(const QByteArray &key, qint64 delta) override;
    Expected<std::optional<QByteArray>> doRawGet(const QByteArray &key) override;
    Expected<EntryTtl> doTtl(const QByteArray &key) override;
    Expected<std::optional<qint64>> doEntrySize(const QByteArray &key) override;
    Expected<ScanPage> doScan(const QByteArray &cursor, const QByteArray &glob, int count) override;

private:
    QString pathFor(const QByteArray &key) const;
    bool isManagement(const QString &name) const;
    qint64 nowMs() const { return m_clock(); }
    // The unlocked implementations (m_mutex held by the caller).
    // Reads and unpickles one file; corrupt or expired files are nullopt, I/O failures errors.
    Expected<std::optional<PyValue>> getLocked(const QString &path, qint64 *bytesRead = nullptr) const;
    Expected<bool> setLocked(const QByteArray &key, const PyValue &value, Timeout timeout, bool management);
    Expected<bool> writeFile(const QString &path, qint64 expiry, const QByteArray &pickle);
    Expected<QStringList> listLocked() const;
    qint64 fileCountLocked() const;
    void updateCountLocked(std::optional<qint64> delta, std::optional<qint64> value);
    bool overThresholdLocked() const;
    void pruneLocked();
    // First bytes of a file; Missing when it does not exist, error when it cannot be read.
    Expected<QByteArray> readHead(const QString &path, qint64 bytes, bool *missing) const;

    QString m_directory;
    int m_threshold;
    int m_mode;
    HashMethod m_hashMethod;
    QString m_countFileName;
    QString m_initError;
    CacheClock m_clock;
    mutable QMutex m_mutex;
};

} // namespace cachescope
