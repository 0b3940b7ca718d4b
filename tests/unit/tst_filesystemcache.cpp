#include "cache/filesystemcache.h"
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "checkok.h"
#include "fakeclock.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtEndian>
#include <QThread>
#include <QtTest>

#include <atomic>

#include <memory>

using namespace cachescope;

namespace {

using test::errorOf;

// The start time these tests were written against (ms since the epoch).
struct FakeClock : test::FakeClock
{
    FakeClock() : test::FakeClock(1'700'000'000'400) {}
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void writeRaw(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
}

QByteArray structFile(quint32 expiry, const PyValue &value)
{
    QByteArray header(4, '\0');
    qToLittleEndian<quint32>(expiry, header.data());
    return header + *PickleWriter().dumps(value);
}

QStringList sortedEntries(const QString &dir)
{
    QStringList names = QDir(dir).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    return names;
}

const QString kCountName = QStringLiteral("2029240f6d1128be89ddc32729463129"); // md5("__wz_cache_count")

} // namespace

class TestFileSystemCache : public QObject
{
    Q_OBJECT

private slots:
    void fileNames()
    {
        // Well-known digests: md5("") and sha256("").
        QCOMPARE(FileSystemCache::fileNameForKey(""), QStringLiteral("d41d8cd98f00b204e9800998ecf8427e"));
        QCOMPARE(FileSystemCache::fileNameForKey("", FileSystemCache::HashMethod::Sha256),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(FileSystemCache::fileNameForKey("__wz_cache_count"), kCountName);
    }

    void createsDirectoryAndWritesCachelibLayout()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("a/b/cache"));
        FakeClock clock;
        FileSystemCache cache(dir, 500, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        QVERIFY(cache.initError().isEmpty());
        QVERIFY(QFileInfo(dir).isDir());
        QCOMPARE(cache.backendName(), QStringLiteral("FileSystemCache"));
        QCOMPARE(cache.location(), dir);

        const PyValue value = PyValue::list({PyValue::integer(1), PyValue::str(QByteArray("two"))});
        QCOMPARE(*cache.set("key", value, 86400), true);
        const QString path = dir + u'/' + FileSystemCache::fileNameForKey("key");
        const QByteArray data = readAll(path);
        QCOMPARE(qFromLittleEndian<quint32>(data.constData()), quint32(clock.seconds() + 86400));
        QCOMPARE(*PickleReader().loads(QByteArrayView(data).sliced(4)), value);
        QCOMPARE(QFileInfo(path).permissions() & 0x7777,
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
        QCOMPARE(cache.get("key")->value(), value);
        QCOMPARE(cache.rawGet("key")->value(), data);
        QCOMPARE(cache.entrySize("key")->value(), qint64(data.size()));
        // No temp files are left behind.
        for (const QString &name : sortedEntries(dir))
            QVERIFY(!name.endsWith(QLatin1String(".__wz_cache")));
    }

    void modeAndSha256()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path(), 500, 300, 0640, FileSystemCache::HashMethod::Sha256);
        QCOMPARE(*cache.set("k", PyValue::integer(1)), true);
        const QString name = FileSystemCache::fileNameForKey("k", FileSystemCache::HashMethod::Sha256);
        QCOMPARE(name.size(), 64);
        const QFileInfo info(tmp.filePath(name));
        QVERIFY(info.exists());
        QVERIFY(info.permissions().testFlag(QFileDevice::ReadGroup));
        QVERIFY(!info.permissions().testFlag(QFileDevice::WriteGroup));
        // The count file is hashed with the same method, and skipped by scans.
        QVERIFY(QFileInfo::exists(tmp.filePath(FileSystemCache::fileNameForKey("__wz_cache_count", FileSystemCache::HashMethod::Sha256))));
        QCOMPARE(cache.scan("0")->keys, (QList<QByteArray>{name.toLatin1()}));
    }

    void timeoutsAndExpiry()
    {
        QTemporaryDir tmp;
        FakeClock clock;
        clock.set(1'000'000'900);
        FileSystemCache cache(tmp.path(), 500, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        cache.set("default", PyValue::integer(1));
        cache.set("ten", PyValue::integer(2), 10);
        cache.set("never", PyValue::integer(3), 0);
        cache.set("past", PyValue::integer(4), -5);
        auto header = [&](const char *key) {
            return qFromLittleEndian<quint32>(readAll(tmp.filePath(FileSystemCache::fileNameForKey(key))).constData());
        };
        QCOMPARE(header("default"), 1'000'300u);
        QCOMPARE(header("ten"), 1'000'010u);
        QCOMPARE(header("never"), 0u);
        QCOMPARE(header("past"), 999'995u);

        QCOMPARE(*cache.has("past"), false);
        QVERIFY(!cache.get("past")->has_value());
        QVERIFY(cache.ttl("never")->state == EntryTtl::State::Never);
        QCOMPARE(cache.ttl("ten")->seconds, 10);

        clock.set(1'000'010'000); // expiry >= time(): still alive at the exact second
        QCOMPARE(*cache.has("ten"), true);
        QCOMPARE(cache.get("ten")->value(), PyValue::integer(2));
        clock.set(1'000'010'001);
        QCOMPARE(*cache.has("ten"), false);
        const quint64 bytesIn = cache.counters().snapshot().bytesIn;
        QVERIFY(!cache.get("ten")->has_value());
        QCOMPARE(cache.counters().snapshot().bytesIn, bytesIn); // decided on the header alone
        QVERIFY(cache.ttl("ten")->state == EntryTtl::State::Missing);
        // Expired files stay on disk and still block add().
        QVERIFY(QFileInfo::exists(tmp.filePath(FileSystemCache::fileNameForKey("ten"))));
        QVERIFY(cache.rawGet("ten")->has_value());
        QCOMPARE(*cache.add("ten", PyValue::integer(9)), false);
        QCOMPARE(*cache.add("fresh", PyValue::integer(9)), true);
        QCOMPARE(*cache.add("fresh", PyValue::integer(10)), false);
        QCOMPARE(cache.get("fresh")->value(), PyValue::integer(9));
    }

    void expiryOutsideTheHeaderIsAnError()
    {
        QTemporaryDir tmp;
        FakeClock clock;
        FileSystemCache cache(tmp.path(), 500, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        cache.set("k", PyValue::integer(1), 0);
        const QByteArray before = readAll(tmp.filePath(FileSystemCache::fileNameForKey("k")));
        auto tooLate = cache.set("k", PyValue::integer(2), 5'000'000'000LL);
        QVERIFY(!tooLate);
        QVERIFY(tooLate.error().contains(QLatin1String("4-byte header")));
        QVERIFY(!cache.set("k", PyValue::integer(2), -2'000'000'000LL)); // negative absolute time
        QVERIFY(!cache.set("k", PyValue::integer(2), std::numeric_limits<qint64>::max()));
        QVERIFY(!cache.set("k", PyValue::integer(2), std::numeric_limits<qint64>::min()));
        QCOMPARE(readAll(tmp.filePath(FileSystemCache::fileNameForKey("k"))), before);
        for (const QString &name : sortedEntries(tmp.path()))
            QVERIFY(!name.endsWith(QLatin1String(".__wz_cache")));
        QCOMPARE(cache.counters().snapshot().errors, 4u);
    }

    void countFileMaintenance()
    {
        QTemporaryDir tmp;
        // Files already present are counted at construction (temp files are not).
        writeRaw(tmp.filePath(QStringLiteral("0123456789abcdef0123456789abcdef")), structFile(0, PyValue::integer(1)));
        writeRaw(tmp.filePath(QStringLiteral("tmpjunk.__wz_cache")), QByteArray("x"));
        FileSystemCache cache(tmp.path());
        const QString countPath = tmp.filePath(kCountName);
        QCOMPARE(readAll(countPath), structFile(0, PyValue::integer(1)));
        QCOMPARE(cache.countFileValue(), 1);
        cache.set("a", PyValue::integer(1));
        QCOMPARE(cache.countFileValue(), 2);
        cache.set("a", PyValue::integer(2)); // overwrite: unchanged
        QCOMPARE(cache.countFileValue(), 2);
        QCOMPARE(*cache.add("a", PyValue::integer(3)), false);
        QCOMPARE(cache.countFileValue(), 2);
        QCOMPARE(*cache.remove("a"), true);
        QCOMPARE(cache.countFileValue(), 1);
        QCOMPARE(*cache.remove("a"), true); // missing file counts as deleted, count unchanged
        QCOMPARE(cache.countFileValue(), 1);
        QCOMPARE(*cache.removeMany({"zz", "yy"}), (QList<QByteArray>{"zz", "yy"}));
        cache.set("b", PyValue::integer(1));
        cache.set("c", PyValue::integer(1));
        QCOMPARE(cache.countFileValue(), 3);
        QCOMPARE(*cache.clear(), true);
        QCOMPARE(cache.countFileValue(), 0);
        // clear() keeps the count file and temp files (cachelib's _list_dir skips them).
        QCOMPARE(sortedEntries(tmp.path()), (QStringList{kCountName, QStringLiteral("tmpjunk.__wz_cache")}));
        // A second instance recomputes the count from the listing.
        cache.set("d", PyValue::integer(1));
        writeRaw(tmp.filePath(QStringLiteral("foreign")), QByteArray("junk"));
        FileSystemCache again(tmp.path());
        QCOMPARE(again.countFileValue(), 2);
    }

    void thresholdZeroKeepsNoCountFile()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path(), 0);
        for (int i = 0; i < 20; ++i)
            cache.set("k" + QByteArray::number(i), PyValue::integer(i));
        QVERIFY(!QFileInfo::exists(tmp.filePath(kCountName)));
        QCOMPARE(sortedEntries(tmp.path()).size(), 20); // never pruned
        QCOMPARE(*cache.clear(), true);
        QVERIFY(sortedEntries(tmp.path()).isEmpty());
    }

    void pruningExpiredFirstThenNeverExpiringFirst()
    {
        QTemporaryDir tmp;
        FakeClock clock;
        FileSystemCache cache(tmp.path(), 3, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        auto exists = [&](const char *key) { return QFileInfo::exists(tmp.filePath(FileSystemCache::fileNameForKey(key))); };
        cache.set("never", PyValue::integer(0), 0);
        cache.set("late", PyValue::integer(1), 1000);
        cache.set("early", PyValue::integer(2), 100);
        cache.set("gone", PyValue::integer(3), -10); // count 4 after this
        QCOMPARE(cache.countFileValue(), 4);
        // 4 > 3: the expired file goes, leaving 3, then the new one makes 4.
        cache.set("next", PyValue::integer(4), 500);
        QVERIFY(!exists("gone"));
        QVERIFY(exists("never"));
        QCOMPARE(cache.countFileValue(), 4);
        // Nothing expired now: ascending raw expiry, so the never-expiring (0) file goes first.
        cache.set("more", PyValue::integer(5), 700);
        QVERIFY(!exists("never"));
        QVERIFY(exists("early") && exists("late") && exists("next") && exists("more"));
        QCOMPARE(cache.countFileValue(), 4);
        cache.set("again", PyValue::integer(6), 800);
        QVERIFY(!exists("early"));
        QCOMPARE(cache.countFileValue(), 4);
    }

    void corruptFilesReadAsMissing()
    {
        QTemporaryDir tmp;
        FakeClock clock;
        FileSystemCache cache(tmp.path(), 500, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        const QString shortPath = tmp.filePath(FileSystemCache::fileNameForKey("short"));
        writeRaw(shortPath, QByteArray("\x01\x02", 2));
        QVERIFY(!cache.get("short")->has_value());
        QCOMPARE(*cache.has("short"), false);
        QVERIFY(cache.ttl("short")->state == EntryTtl::State::Missing);
        QVERIFY(!FileSystemCache::readEntryFile(shortPath));

        const QString badPath = tmp.filePath(FileSystemCache::fileNameForKey("bad"));
        writeRaw(badPath, QByteArray(4, '\0') + QByteArray("\x80\x05\xff\xff garbage"));
        QVERIFY(cache.get("bad"));                // not an error ...
        QVERIFY(!cache.get("bad")->has_value());  // ... but a miss, as cachelib's get
        QCOMPARE(*cache.has("bad"), true);        // has() only reads the header
        // A bare header (cachelib writes one when pickling failed) is a miss too.
        writeRaw(tmp.filePath(FileSystemCache::fileNameForKey("bare")), QByteArray(4, '\0'));
        QVERIFY(!cache.get("bare")->has_value());
        QCOMPARE(*cache.has("bare"), true);
        // Files shorter than the header are skipped by pruning, not fatal.
        FileSystemCache small(tmp.path(), 1, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        QVERIFY(small.set("x", PyValue::integer(1)));
    }

    void legacyLayout()
    {
        QTemporaryDir tmp;
        FakeClock clock;
        FileSystemCache cache(tmp.path(), 500, 300, 0600, FileSystemCache::HashMethod::Md5, clock.clock());
        const PyValue value = PyValue::dict({{PyValue::str(QByteArray("x")), PyValue::integer(5)}});
        auto legacy = [&](const char *key, qint64 expiry) {
            const QString path = tmp.filePath(FileSystemCache::fileNameForKey(key));
            writeRaw(path, *PickleWriter().dumps(PyValue::integer(expiry)) + *PickleWriter().dumps(value));
            return path;
        };
        const QString live = legacy("live", clock.seconds() + 60);
        legacy("forever", 0);
        legacy("old", clock.seconds() - 60);
        QVERIFY(cache.get("live")->has_value());
        QCOMPARE(cache.get("live")->value(), value);
        QVERIFY(cache.get("forever")->has_value());
        QCOMPARE(cache.get("forever")->value(), value);
        QVERIFY(!cache.get("old")->has_value());
        QCOMPARE(*cache.has("live"), true);
        QCOMPARE(*cache.has("old"), false);
        QVERIFY(cache.ttl("forever")->state == EntryTtl::State::Never);
        QCOMPARE(cache.ttl("live")->seconds, 60);
        auto entry = FileSystemCache::readEntryFile(live);
        QVERIFY2(entry, qPrintable(errorOf(entry)));
        QVERIFY(entry->layout == FileSystemEntry::Layout::Legacy);
        QCOMPARE(entry->expiry, clock.seconds() + 60);
        QCOMPARE(*PickleReader().loads(entry->pickle), value);
        // Protocol-0 header as very old werkzeug wrote it: "I<digits>\n." then the value.
        const QString p0 = tmp.filePath(FileSystemCache::fileNameForKey("p0"));
        writeRaw(p0, "I" + QByteArray::number(clock.seconds() + 5) + "\n." + *PickleWriter().dumps(value));
        QVERIFY(cache.get("p0")->has_value());
        QCOMPARE(cache.get("p0")->value(), value);

        const QString modern = tmp.filePath(FileSystemCache::fileNameForKey("modern"));
        cache.set("modern", value, 0);
        auto m = FileSystemCache::readEntryFile(modern);
        QVERIFY(m->layout == FileSystemEntry::Layout::Struct);
        QCOMPARE(m->expiry, 0);
        QCOMPARE(m->headerSize, 4);
        QCOMPARE(m->fileSize, QFileInfo(modern).size());
        QVERIFY(!FileSystemCache::readEntryFile(tmp.filePath(QStringLiteral("does-not-exist"))));
    }

    void ioErrorsNameTheFileAndLeaveNoTempFiles()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path());
        cache.set("k", PyValue::integer(1));
        // The final name is a non-empty directory: rename fails.
        const QString blocked = tmp.filePath(FileSystemCache::fileNameForKey("blocked"));
        QVERIFY(QDir().mkpath(blocked + QStringLiteral("/inner")));
        auto r = cache.set("blocked", PyValue::integer(1));
        QVERIFY(!r);
        QVERIFY2(r.error().contains(FileSystemCache::fileNameForKey("blocked")), qPrintable(r.error()));
        for (const QString &name : QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot))
            QVERIFY2(!name.endsWith(QLatin1String(".__wz_cache")), qPrintable(name));
        QVERIFY(QFileInfo(blocked).isDir()); // untouched
        // Reading a directory is an error, not a silent miss.
        auto g = cache.get("blocked");
        QVERIFY(!g);
        QVERIFY(g.error().contains(FileSystemCache::fileNameForKey("blocked")));
        QVERIFY(!cache.has("blocked"));
        QVERIFY(!cache.remove("blocked")); // a directory: os.remove fails on it
        const QString emptyDir = tmp.filePath(FileSystemCache::fileNameForKey("emptydir"));
        QVERIFY(QDir().mkpath(emptyDir));
        QVERIFY(!cache.remove("emptydir"));
        QVERIFY(QFileInfo(emptyDir).isDir());
        QCOMPARE(cache.get("k")->value(), PyValue::integer(1));

        // The cache directory cannot exist: its parent is a regular file.
        const QString file = tmp.filePath(QStringLiteral("plainfile"));
        writeRaw(file, QByteArray("x"));
        FileSystemCache broken(file + QStringLiteral("/cache"));
        QVERIFY(!broken.initError().isEmpty());
        QVERIFY(broken.initError().contains(file));
        auto s = broken.set("k", PyValue::integer(1));
        QVERIFY(!s);
        QVERIFY(s.error().contains(file));
        QVERIFY(!broken.scan("0"));
        QVERIFY(!broken.clear());
        QVERIFY(broken.counters().snapshot().errors >= 2);
    }

    void incAndMany()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path());
        QCOMPARE(cache.inc("n")->value(), 1);
        QCOMPARE(cache.inc("n", 4)->value(), 5);
        QCOMPARE(cache.dec("n", 10)->value(), -5);
        QCOMPARE(cache.get("n")->value(), PyValue::integer(-5));
        cache.set("s", PyValue::str(QByteArray("x")));
        QVERIFY(!cache.inc("s"));
        QCOMPARE(*cache.setMany({{"a", PyValue::integer(1)}, {"b", PyValue::integer(2)}}), (QList<QByteArray>{"a", "b"}));
        auto values = *cache.getMany({"a", "zz", "b"});
        QCOMPARE(*values[0], PyValue::integer(1));
        QVERIFY(!values[1].has_value());
        QCOMPARE(*values[2], PyValue::integer(2));
        const auto s = cache.counters().snapshot();
        QCOMPARE(s.hits, 3u);
        QCOMPARE(s.misses, 1u);
        QVERIFY(s.bytesIn > 0 && s.bytesOut > 0);
    }

    void scanListsHashedFileNames()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path(), 0);
        QSet<QByteArray> expected;
        for (int i = 0; i < 37; ++i) {
            const QByteArray key = "key" + QByteArray::number(i);
            cache.set(key, PyValue::integer(i));
            expected.insert(FileSystemCache::fileNameForKey(key).toLatin1());
        }
        writeRaw(tmp.filePath(QStringLiteral("tmpabc.__wz_cache")), QByteArray("x"));
        QSet<QByteArray> seen;
        QByteArray cursor = "0";
        int pages = 0;
        do {
            auto page = cache.scan(cursor, "*", 5);
            QVERIFY2(page, qPrintable(errorOf(page)));
            for (const auto &k : page->keys)
                QVERIFY(!seen.contains(k));
            seen.unite(QSet<QByteArray>(page->keys.begin(), page->keys.end()));
            cursor = page->nextCursor;
            ++pages;
        } while (cursor != "0" && pages < 100);
        QCOMPARE(seen, expected);
        QVERIFY(pages >= 8);
        // The glob applies to file names.
        const QByteArray one = FileSystemCache::fileNameForKey("key7").toLatin1();
        auto page = cache.scan("0", one.left(6) + "*", 100);
        QVERIFY(page->keys.contains(one));
        for (const auto &k : page->keys)
            QVERIFY(k.startsWith(one.left(6)));
        QVERIFY(!cache.scan("garbage"));
    }

    void readersNeverSeeHalfWrittenFiles()
    {
        // Two instances (as two processes would) on one directory: the writer replaces a big
        // entry over and over; rename() makes every read either the old or the new value.
        QTemporaryDir tmp;
        FileSystemCache writer(tmp.path(), 0);
        FileSystemCache reader(tmp.path(), 0);
        const PyValue a = PyValue::bytes(QByteArray(300'000, 'a'));
        const PyValue b = PyValue::bytes(QByteArray(200'000, 'b'));
        writer.set("big", a, 0);
        std::atomic<bool> stop{false};
        std::atomic<int> bad{0}, reads{0};
        QThread *thread = QThread::create([&] {
            while (!stop.load()) {
                auto got = reader.get("big");
                if (!got || !got->has_value() || (**got != a && **got != b))
                    ++bad;
                ++reads;
            }
        });
        thread->start();
        for (int i = 0; i < 200; ++i)
            QVERIFY(*writer.set("big", i % 2 ? a : b, 0));
        while (reads.load() < 50)
            QThread::msleep(1);
        stop = true;
        thread->wait();
        delete thread;
        QCOMPARE(bad.load(), 0);
        for (const QString &name : QDir(tmp.path()).entryList(QDir::Files))
            QVERIFY(!name.endsWith(QLatin1String(".__wz_cache")));
    }

    void realClockExpiry()
    {
        QTemporaryDir tmp;
        FileSystemCache cache(tmp.path());
        cache.set("short", PyValue::integer(1), 1);
        QCOMPARE(*cache.has("short"), true);
        // Alive through the second int(time()) + 1, gone after it.
        QTRY_VERIFY_WITH_TIMEOUT(!*cache.has("short"), 5000);
        QVERIFY(QFileInfo::exists(tmp.filePath(FileSystemCache::fileNameForKey("short"))));
    }
};

QTEST_GUILESS_MAIN(TestFileSystemCache)
#include "tst_filesystemcache.moc"
