#include "cache/flatkeymap.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <map>

using namespace cachescope;

// FlatKeyMap against std::map under random inserts, overwrites, erases and eraseIf, with few
// distinct keys so probe chains collide, wrap around the slot array and get shifted on erase.
class TestFlatKeyMap : public QObject
{
    Q_OBJECT
private slots:
    void matchesStdMap_data()
    {
        QTest::addColumn<int>("keySpace");
        QTest::newRow("tiny") << 7;
        QTest::newRow("small") << 100;
        QTest::newRow("large") << 5000;
    }
    void matchesStdMap()
    {
        QFETCH(int, keySpace);
        QRandomGenerator rng(quint32(keySpace) * 7919u);
        FlatKeyMap<int> flat;
        std::map<QByteArray, int> ref;
        for (int step = 0; step < 60000; ++step) {
            const QByteArray key = "key" + QByteArray::number(rng.bounded(keySpace)) + QByteArray(int(rng.bounded(12)) % 3 * 5, 'x');
            const int op = int(rng.bounded(10));
            if (op < 5) {
                if (int *v = flat.find(key)) {
                    QVERIFY(ref.count(key));
                    *v = step;
                } else {
                    QVERIFY(!ref.count(key));
                    flat.insert(key, step);
                }
                ref[key] = step;
            } else if (op < 8) {
                QCOMPARE(flat.erase(key), ref.erase(key) == 1);
            } else if (op == 8) {
                int *v = flat.find(key);
                const auto it = ref.find(key);
                QCOMPARE(v != nullptr, it != ref.end());
                if (v)
                    QCOMPARE(*v, it->second);
            } else if (step % 97 == 0) {
                const int cut = int(rng.bounded(step + 1));
                flat.eraseIf([cut](const QByteArray &, const int &v) { return v < cut; });
                std::erase_if(ref, [cut](const auto &kv) { return kv.second < cut; });
            }
            QCOMPARE(flat.size(), ref.size());
        }
        for (const auto &[key, value] : ref) {
            const int *v = flat.find(key);
            QVERIFY2(v, key.constData());
            QCOMPARE(*v, value);
        }
        flat.clear();
        QCOMPARE(flat.size(), size_t(0));
        QVERIFY(!flat.find(ref.empty() ? QByteArray("key1") : ref.begin()->first));
    }
    // A slot word holds the item index in its low log2(slot count) bits and a hash tag above
    // them, so every growth moves that boundary: grow through many sizes, then erase from the
    // front (each erase moves the last item into the hole and rewrites its slot's index bits).
    void indexAndTagShareASlotAcrossGrowth()
    {
        constexpr int kKeys = 70000; // grows 16 -> 131072 slots: index fields of 4 to 17 bits
        FlatKeyMap<int> flat;
        auto keyOf = [](int i) -> QByteArray { return "g:" + QByteArray::number(i); };
        for (int i = 0; i < kKeys; ++i) {
            flat.insert(keyOf(i), i);
            if ((i & (i + 1)) == 0) { // just before each growth: everything so far is found
                for (int j = 0; j <= i; ++j)
                    QCOMPARE(*flat.find(keyOf(j)), j);
                QVERIFY(!flat.find(keyOf(i + 1)));
            }
        }
        for (int i = 0; i < kKeys; i += 2)
            QVERIFY(flat.erase(keyOf(i)));
        QCOMPARE(flat.size(), size_t(kKeys / 2));
        for (int i = 0; i < kKeys; ++i) {
            const int *v = flat.find(keyOf(i));
            if (i % 2)
                QVERIFY2(v && *v == i, keyOf(i).constData());
            else
                QVERIFY2(!v, keyOf(i).constData());
        }
        flat.eraseIf([](const QByteArray &, const int &v) { return v % 3 == 0; });
        for (int i = 1; i < kKeys; i += 2)
            QCOMPARE(flat.find(keyOf(i)) != nullptr, i % 3 != 0);
    }

    // Keys of every length around the 8-byte word that differ in one byte get different hashes:
    // short tails are read as overlapping pieces, and a piece that skipped a byte would make
    // such keys collide (correct, as keys are compared, but every lookup would probe further).
    void everyKeyByteReachesTheHash()
    {
        QSet<quint64> hashes;
        int keys = 0;
        for (int length = 1; length <= 20; ++length) {
            for (int pos = 0; pos < length; ++pos) {
                for (char c : {'a', 'b', '\0', '\xff'}) {
                    QByteArray key(length, 'x');
                    key[pos] = c;
                    hashes.insert(FlatKeyMap<int>::hashOf(key));
                    ++keys;
                }
            }
        }
        QCOMPARE(hashes.size(), keys);
    }
    void emptyKeyAndBinaryKeys()
    {
        FlatKeyMap<int> flat;
        QVERIFY(!flat.find(QByteArray()));
        QVERIFY(!flat.erase(QByteArray()));
        flat.insert(QByteArray(), 1);
        flat.insert(QByteArray("\0a", 2), 2);
        flat.insert(QByteArray("\0b", 2), 3);
        QCOMPARE(*flat.find(QByteArray("")), 1);
        QCOMPARE(*flat.find(QByteArray("\0a", 2)), 2);
        QCOMPARE(*flat.find(QByteArray("\0b", 2)), 3);
        QVERIFY(flat.erase(QByteArray("\0a", 2)));
        QVERIFY(!flat.find(QByteArray("\0a", 2)));
        QCOMPARE(*flat.find(QByteArray("\0b", 2)), 3);
    }
};

QTEST_GUILESS_MAIN(TestFlatKeyMap)
#include "tst_flatkeymap.moc"
