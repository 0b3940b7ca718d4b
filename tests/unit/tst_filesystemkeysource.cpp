#include "browse/filesystemkeysource.h"
#include "keytreemodel.h"
#include "python.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace cachescope;
using cachescope::test::runPython;

namespace {

// Writes a FileSystemCache directory with the real cachelib and reports every file.
const char *kWriter = R"PY(
import json, os, struct, sys, time
from cachelib import FileSystemCache
d = sys.argv[1]
c = FileSystemCache(d, threshold=1000, default_timeout=300)
c.set("6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00", {"status": "success", "data": b"x" * 1000}, timeout=86400)
c.set("never", "forever", timeout=0)
c.set("short", 1, timeout=1)
for i in range(200):
    c.set("chart_%d" % i, list(range(i)), timeout=600 + i)
time.sleep(2.1)  # "short" is now expired; cachelib leaves its file on disk
out = []
for name in os.listdir(d):
    p = os.path.join(d, name)
    with open(p, "rb") as f:
        expiry = struct.unpack("I", f.read(4))[0]
    out.append({"file": name, "expiry": expiry, "size": os.path.getsize(p)})
print(json.dumps(out))
)PY";

} // namespace

class TestFileSystemKeySource : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QJsonArray m_files;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto out = runPython(QString::fromUtf8(kWriter), {m_dir.path()});
        QVERIFY2(out.hasValue(), out.hasValue() ? "" : qPrintable(out.error()));
        m_files = QJsonDocument::fromJson(*out).array();
        QCOMPARE(m_files.size(), 204); // 203 entries + the count file
    }

    void shouldListTheSameEntriesAsCachelib()
    {
        FileSystemKeySource source(m_dir.path());
        KeyTreeModel model;
        model.setSource(&source);
        model.loadAll();
        QTRY_VERIFY(model.isScanComplete());
        std::set<QByteArray> expected;
        for (const auto &f : std::as_const(m_files))
            expected.insert(f.toObject().value(u"file").toString().toLatin1());
        std::set<QByteArray> loaded;
        for (int r = 0; r < model.rowCount(); ++r)
            loaded.insert(model.keyAt(model.index(r, 0)));
        QVERIFY(loaded == expected);
        // The count file is recognised by name
        const QModelIndex count = model.indexForKey(FileSystemKeySource::countFileName());
        QCOMPARE(count.data().toString(), QStringLiteral("__wz_cache_count"));
    }

    void shouldReadExpiriesAndSizesLikeCachelib()
    {
        FileSystemKeySource source(m_dir.path());
        QList<QByteArray> names;
        QHash<QByteArray, QJsonObject> byName;
        for (const auto &f : std::as_const(m_files)) {
            const QJsonObject o = f.toObject();
            names << o.value(u"file").toString().toLatin1();
            byName.insert(names.last(), o);
        }
        QSignalSpy ready(&source, &KeySource::metadataReady);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        source.requestMetadata(names);
        QTRY_COMPARE(ready.size(), 1);
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        const auto list = ready.at(0).at(1).value<QList<KeyMetadata>>();
        QCOMPARE(list.size(), names.size());
        int expired = 0, never = 0;
        for (const KeyMetadata &m : list) {
            const QJsonObject o = byName.value(m.key);
            QCOMPARE(m.type, QByteArray("file"));
            QCOMPARE(m.size, qint64(o.value(u"size").toInteger()));
            const qint64 expiry = o.value(u"expiry").toInteger();
            if (expiry == 0) {
                QCOMPARE(m.ttlMs, -1);
                ++never;
            } else if (m.expired) {
                QVERIFY(expiry * 1000 <= after);
                ++expired;
            } else {
                // ttl was computed between before and after from the header's absolute expiry
                QVERIFY(m.ttlMs <= expiry * 1000 - before);
                QVERIFY(m.ttlMs >= expiry * 1000 - after);
            }
        }
        QCOMPARE(never, 2); // "never" and the count file
        QCOMPARE(expired, 1); // "short"
    }

    void shouldFindATypedKeyByItsHash()
    {
        FileSystemKeySource source(m_dir.path());
        const QByteArray uuid = "6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00";
        const QList<QByteArray> candidates = source.storedKeysFor(uuid);
        QVERIFY(candidates.size() >= 2);
        QSignalSpy ready(&source, &KeySource::metadataReady);
        source.requestMetadata(candidates);
        QTRY_COMPARE(ready.size(), 1);
        const auto list = ready.at(0).at(1).value<QList<KeyMetadata>>();
        QCOMPARE(list[0].type, QByteArray("file")); // md5, as cachelib 0.9 names it
        QCOMPARE(list[1].type, QByteArray("none")); // no sha256 file
        QCOMPARE(source.knownKeyFor(candidates[0]), uuid);
        // and the tree shows it under its key
        KeyTreeModel model;
        model.setSource(&source);
        const QModelIndex i = model.insertKey(candidates[0]);
        QCOMPARE(i.data().toString(), QString::fromLatin1(uuid));
        QCOMPARE(i.siblingAtColumn(KeyTreeModel::KindColumn).data().toString(), QStringLiteral("SQL Lab result"));
    }

    void shouldRewriteTtlAndDeleteReadableByCachelib()
    {
        QTemporaryDir dir;
        auto out = runPython(QStringLiteral("import sys\nfrom cachelib import FileSystemCache\n"
                                            "c = FileSystemCache(sys.argv[1], default_timeout=300)\n"
                                            "c.set('a', 'va', timeout=100)\nc.set('b', 'vb', timeout=100)\n"),
                             {dir.path()});
        QVERIFY2(out.hasValue(), out.hasValue() ? "" : qPrintable(out.error()));
        FileSystemKeySource source(dir.path());
        QSignalSpy failed(&source, &KeySource::writeFailed);
        QSignalSpy finished(&source, &KeySource::writeFinished);
        const QByteArray a = source.storedKeysFor("a").first();
        const QByteArray b = source.storedKeysFor("b").first();
        source.deleteKeys({a}); // read-only: refused
        QTRY_COMPARE(failed.size(), 1);
        source.setWritesEnabled(true);
        source.setTtl({a}, -1);
        source.deleteKeys({b});
        QTRY_COMPARE(finished.size(), 2);
        QCOMPARE(failed.size(), 1);
        auto check = runPython(QStringLiteral("import sys, struct, os, hashlib\nfrom cachelib import FileSystemCache\n"
                                              "c = FileSystemCache(sys.argv[1])\n"
                                              "p = os.path.join(sys.argv[1], hashlib.md5(b'a').hexdigest())\n"
                                              "print(c.get('a'), c.has('b'), struct.unpack('I', open(p,'rb').read(4))[0],"
                                              " oct(os.stat(p).st_mode & 0o777))\n"),
                               {dir.path()});
        QVERIFY2(check.hasValue(), check.hasValue() ? "" : qPrintable(check.error()));
        QCOMPARE(check->trimmed(), QByteArray("va False 0 0o600"));
    }
};

QTEST_GUILESS_MAIN(TestFileSystemKeySource)
#include "tst_filesystemkeysource.moc"
