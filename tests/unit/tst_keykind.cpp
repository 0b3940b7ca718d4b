// What the Kind column says about a key: from its shape when the name is the key, from the
// cache purpose only when the name is a hash of the key (FileSystemCache files).
#include "browse/keykind.h"

#include <QTest>

using namespace cachescope;

class TestKeyKind : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldRecogniseSupersetKeyShapes_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("purpose");
        QTest::addColumn<QString>("kind");
        QTest::addRow("chart data digest") << QByteArray("0123456789abcdef0123456789abcdef") << QStringLiteral("DATA_CACHE_CONFIG") << QStringLiteral("chart data");
        QTest::addRow("query context") << QByteArray("qc-0123456789abcdef0123456789abcdef") << QStringLiteral("CACHE_CONFIG") << QStringLiteral("query context");
        QTest::addRow("results uuid") << QByteArray("6f1f2c1e-8a8e-4e0b-9c55-0d4b3c2a1f00") << QString() << QStringLiteral("SQL Lab result");
        QTest::addRow("filter state") << QByteArray("12;AbCdEf") << QString() << QStringLiteral("filter state");
        QTest::addRow("memoize version") << QByteArray("superset.models.core.Database.tables_memver") << QString() << QStringLiteral("memoize version");
        QTest::addRow("thumbnail by purpose") << QByteArray("0123456789abcdef0123456789abcdef") << QStringLiteral("THUMBNAIL_CACHE_CONFIG") << QStringLiteral("thumbnail");
    }

    void shouldRecogniseSupersetKeyShapes()
    {
        QFETCH(QByteArray, key);
        QFETCH(QString, purpose);
        QFETCH(QString, kind);
        QCOMPARE(keykind::guess(key, purpose), kind);
    }

    void shouldNotCallAHashedFileNameChartData()
    {
        // An ad-hoc cache directory: every file name is an md5 digest of an unknown key.
        QCOMPARE(keykind::guessForHashedName(), QStringLiteral("cached value"));
        QCOMPARE(keykind::guessForHashedName(u"RESULTS_BACKEND"), QStringLiteral("SQL Lab result"));
        QCOMPARE(keykind::guessForHashedName(u"DATA_CACHE_CONFIG"), QStringLiteral("chart data"));
    }
};

QTEST_GUILESS_MAIN(TestKeyKind)
#include "tst_keykind.moc"
