// Safe by default: caches opened from a user's config (or for a CLI read) change nothing.
#include "cache/cachemanager.h"
#include "cache/filesystemcache.h"
#include "cache/simplecache.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cachescope;

class TestReadOnlyCaches : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldNotTouchADirectoryOpenedReadOnly()
    {
        QTemporaryDir root;
        const QString dir = root.filePath(QStringLiteral("sqllab"));
        {
            FileSystemCache writer(dir, 500, 300);
            QVERIFY(writer.set("k", PyValue::str(QByteArray("v")), 0).value());
        }
        const QString countFile = QDir(dir).filePath(FileSystemCache::fileNameForKey(FileSystemCache::kCountKey));
        QVERIFY(QFile::remove(countFile)); // as if another writer never kept one
        const QStringList before = QDir(dir).entryList(QDir::Files);

        auto reader = FileSystemCache::openReadOnly(dir, 500, 300);
        QVERIFY(reader->initError().isEmpty());
        QVERIFY(!reader->isWritable());
        auto value = reader->get("k");
        QVERIFY(value.hasValue());
        QCOMPARE(value->value(), PyValue::str(QByteArray("v")));

        auto refused = reader->set("k2", PyValue::integer(1));
        QVERIFY(!refused.hasValue());
        QVERIFY2(refused.error().contains(u"read-only") && refused.error().contains(dir), qPrintable(refused.error()));
        QVERIFY(!reader->remove("k").hasValue());
        QVERIFY(!reader->clear().hasValue());
        QVERIFY(!reader->inc("n").hasValue());
        QCOMPARE(QDir(dir).entryList(QDir::Files), before); // no count file written, nothing removed
    }

    void shouldNotCreateAMissingDirectory()
    {
        QTemporaryDir root;
        const QString dir = root.filePath(QStringLiteral("absent"));
        auto reader = FileSystemCache::openReadOnly(dir);
        QVERIFY(reader->initError().contains(dir));
        QVERIFY(!QFileInfo::exists(dir));
    }

    void shouldBuildAReadOnlyManagerFromAConfig()
    {
        QTemporaryDir root;
        CacheSpec data;
        data.purpose = CachePurpose::Data;
        data.backend = BackendType::Simple;
        CacheSpec results;
        results.purpose = CachePurpose::Results;
        results.backend = BackendType::FileSystem;
        results.directory = root.filePath(QStringLiteral("results"));
        QVERIFY(QDir().mkpath(results.directory));
        auto manager = CacheManager::create({data, results}, CacheManager::Access::ReadOnly);
        QVERIFY2(manager.hasValue(), qPrintable(manager.error()));
        QCOMPARE((*manager)->access(), CacheManager::Access::ReadOnly);
        for (CachePurpose p : {CachePurpose::Data, CachePurpose::Results}) {
            auto cache = (*manager)->cache(p);
            QVERIFY(cache);
            QVERIFY(!cache->isWritable());
            QVERIFY(!cache->set("x", PyValue::none()).hasValue());
        }
        QVERIFY(QDir(results.directory).entryList(QDir::Files).isEmpty());

        // The embedded demo owns its caches: writable.
        auto demo = CacheManager::create({data});
        QVERIFY((*demo)->cache(CachePurpose::Data)->isWritable());
        QVERIFY((*demo)->cache(CachePurpose::Data)->set("x", PyValue::none()).value());
    }
};

QTEST_GUILESS_MAIN(TestReadOnlyCaches)
#include "tst_readonlycaches.moc"
