#pragma once

#include "keysource.h"
#include "keyworkerthread.h"

#include <QHash>
#include <QMutex>
#include <QStringList>

namespace cachescope {

// Entries of a cachelib FileSystemCache directory (FORMATS.md §1.6). Stored keys are the file
// names (md5 or sha256 hex of the application key); expiry comes from the 4-byte header (or the
// legacy pickled header), size is the file size. A key typed by the user is hashed with md5 and
// sha256 to find its file, and remembered so the tree can show it. Directory work runs on a
// worker thread; a scan pages through a listing taken when the cursor was "0".
class FileSystemKeySource : public KeySource
{
    Q_OBJECT
public:
    explicit FileSystemKeySource(QString directory, QObject *parent = nullptr);
    ~FileSystemKeySource() override;

    static QByteArray countFileName(); // md5("__wz_cache_count")

    QString description() const override { return m_dir; }
    quint64 requestScan(const QByteArray &cursor, const QByteArray &match, int count, bool continuous) override;
    quint64 requestMetadata(const QList<QByteArray> &keys) override;
    quint64 requestValue(const QByteArray &key) override;
    void cancel(quint64 id) override;
    QList<QByteArray> storedKeysFor(const QByteArray &typedKey) const override;
    QByteArray knownKeyFor(const QByteArray &storedKey) const override;
    bool storesHashedNames() const override { return true; }

    // Reads the header of one file: expiry in Unix seconds (0 = never), or nullopt if unreadable.
    static std::optional<quint32> readExpiry(const QByteArray &header);

protected:
    void doDeleteKeys(quint64 id, const QList<QByteArray> &keys) override;
    void doDeleteNamespace(quint64 id, const QByteArray &namespacePath) override;
    void doSetTtl(quint64 id, const QList<QByteArray> &keys, qint64 ttlMs) override;

private:
    bool isEntryName(const QByteArray &name) const;
    QString pathOf(const QByteArray &name) const;
    void scanOnWorker(quint64 id, QByteArray cursor, QByteArray match, int count, bool continuous);

    QString m_dir;
    // Worker-thread state: the listing a scan pages through.
    QList<QByteArray> m_listing;
    quint64 m_listingGeneration = 0;
    mutable QMutex m_mutex; // guards m_known
    mutable QHash<QByteArray, QByteArray> m_known;
    KeyWorkerThread m_io; // last: stopped before the state its work touches is destroyed
};

} // namespace cachescope
