// CacheScope's RedisCache against Debian's python3 cachelib 0.9.0 RedisCache on one real
// redis-server: each side reads what the other wrote, the stored bytes match, and TTL / add /
// clear / inc behave the same.
#include "cache/rediscache.h"
#include "python.h"
#include "redisserver.h"
#include "checkok.h"
#include "interopvalues.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace cachescope;

namespace {

QString pyCache(quint16 port, const char *prefix, int defaultTimeout = 300)
{
    return QStringLiteral("from cachelib import RedisCache\nc = RedisCache(host='127.0.0.1', port=%1, db=0, "
                          "key_prefix='%2', default_timeout=%3)\n")
        .arg(port)
        .arg(QLatin1String(prefix))
        .arg(defaultTimeout);
}

} // namespace

class TestRedisInterop : public QObject
{
    Q_OBJECT

    test::RedisServer m_server;

    RedisUrl url() const
    {
        auto u = RedisUrl::parse(m_server.url());
        return u ? *u : RedisUrl{};
    }

    Expected<QByteArray> python(const QString &body)
    {
        return test::runPython(QLatin1String(test::kInteropPythonValues) + pyCache(m_server.port(), "interop_") + body);
    }

private slots:
    void initTestCase()
    {
        const QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        auto probe = test::runPython(QStringLiteral("import cachelib, redis; print(cachelib.__version__)"));
        QVERIFY2(probe.hasValue(), probe.hasValue() ? "" : qPrintable(probe.error()));
        QCOMPARE(probe->trimmed(), QByteArray("0.9.0"));
    }

    void pythonWritesCacheScopeReads()
    {
        auto out = python(QStringLiteral("for k, v in VALUES.items(): c.set('py_' + k, v, timeout=0)\n"
                                         "c.set('py_shared', SHARED, timeout=0)\nprint('ok')\n"));
        CHECK_OK(out);
        RedisCache cache(url(), "interop_");
        for (const auto &[name, expected] : test::interopValues()) {
            auto got = cache.get("py_" + name);
            CHECK_OK(got);
            QVERIFY2(got->has_value(), name.constData());
            QVERIFY2(**got == expected, qPrintable(QString::fromUtf8(name) + QStringLiteral(": got ") + (*got)->repr()));
            if (name == "fneg0")
                QVERIFY(std::signbit((*got)->toFloat()));
        }
        auto shared = cache.get("py_shared"); // memoized strings (BINGET) on the Python side
        CHECK_OK(shared);
        QVERIFY(**shared == test::interopSharedValue());
    }

    void cacheScopeWritesPythonReads()
    {
        RedisCache cache(url(), "interop_");
        for (const auto &[name, value] : test::interopValues())
            CHECK_OK(cache.set("cs_" + name, value, 0));
        CHECK_OK(cache.set("cs_shared", test::interopSharedValue(), 0));
        auto out = python(QStringLiteral(
            "bad = [k for k, v in VALUES.items() if not same(c.get('cs_' + k), v)]\n"
            "if not same(c.get('cs_shared'), SHARED): bad.append('shared')\n"
            "import math\nif math.copysign(1, c.get('cs_fneg0')) != -1: bad.append('fneg0 sign')\n"
            "print('mismatch:' + ','.join(bad) if bad else 'all-equal')\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("all-equal"));
    }

    // Byte identity of the stored values (GET of both keys). Holds once the real PickleWriter
    // (CPython-identical framing and memoization) is in; see the branch report for the
    // temporary writer.
    void storedBytesMatchCachelib()
    {
        auto out = python(QStringLiteral("for k, v in VALUES.items(): c.set('py_' + k, v, timeout=0)\nprint('ok')\n"));
        CHECK_OK(out);
        RedisCache cache(url(), "interop_");
        QStringList different;
        for (const auto &[name, value] : test::interopValues()) {
            CHECK_OK(cache.set("cs_" + name, value, 0));
            auto mine = cache.rawGet("cs_" + name);
            auto theirs = cache.rawGet("py_" + name);
            CHECK_OK(mine);
            CHECK_OK(theirs);
            QVERIFY(mine->has_value() && theirs->has_value());
            if (**mine != **theirs)
                different << QString::fromUtf8(name + ": ours " + (*mine)->left(40).toHex(' ') + " | cachelib "
                                               + (*theirs)->left(40).toHex(' '));
        }
        QVERIFY2(different.isEmpty(), qPrintable(different.join(QLatin1Char('\n'))));
    }

    void ttlSemantics()
    {
        auto out = python(QStringLiteral("c.set('ttl_none', 1)\nc.set('ttl_zero', 1, timeout=0)\n"
                                         "c.set('ttl_pos', 1, timeout=77)\nc.add('ttl_add', 1, timeout=55)\n"
                                         "c.add('ttl_addzero', 1, timeout=0)\n"
                                         "print(' '.join(str(c._read_client.ttl('interop_ttl_' + k)) for k in "
                                         "['none','zero','pos','add','addzero']))\n"));
        CHECK_OK(out);
        const QList<QByteArray> py = out->trimmed().split(' ');
        QCOMPARE(py.size(), 5);

        RedisCache cache(url(), "interop_cs", 300);
        CHECK_OK(cache.set("ttl_none", PyValue::integer(1)));
        CHECK_OK(cache.set("ttl_zero", PyValue::integer(1), 0));
        CHECK_OK(cache.set("ttl_pos", PyValue::integer(1), 77));
        CHECK_OK(cache.add("ttl_add", PyValue::integer(1), 55));
        CHECK_OK(cache.add("ttl_addzero", PyValue::integer(1), 0));
        const QList<QByteArray> names{"none", "zero", "pos", "add", "addzero"};
        for (int i = 0; i < names.size(); ++i) {
            auto t = cache.ttl("ttl_" + names.at(i));
            CHECK_OK(t);
            const qint64 theirs = py.at(i).toLongLong();
            if (theirs == -1) {
                QCOMPARE(t->state, EntryTtl::State::Never);
            } else {
                QCOMPARE(t->state, EntryTtl::State::Expires);
                // Same configured timeout: both within a few seconds of each other.
                QVERIFY2(std::abs(t->seconds - theirs) <= 5, qPrintable(QString::fromUtf8(names.at(i))));
            }
        }
    }

    void addKeepsExistingValue()
    {
        RedisCache cache(url(), "interop_");
        auto out = python(QStringLiteral("c.set('add_k', 'one')\nprint('ok')\n"));
        CHECK_OK(out);
        auto added = cache.add("add_k", PyValue::str(QByteArray("two")));
        CHECK_OK(added);
        QVERIFY(!*added);
        CHECK_OK(cache.set("add_cs", PyValue::str(QByteArray("mine"))));
        out = python(QStringLiteral("print(c.get('add_k'), c.add('add_cs', 'theirs'), c.get('add_cs'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("one False mine"));
    }

    void clearConfinedToPrefix()
    {
        auto out = test::runPython(
            pyCache(m_server.port(), "clr_") + QStringLiteral(
                "for i in range(50): c.set('k%d' % i, i)\n"
                "c._write_client.set('clrx', b'keep')\nc._write_client.set('other_k', b'keep')\n"
                "c._write_client.set('bare', b'keep')\nprint('ok')\n"));
        CHECK_OK(out);
        RedisCache cache(url(), "clr_");
        auto cleared = cache.clear();
        CHECK_OK(cleared);
        QVERIFY(*cleared);
        out = test::runPython(pyCache(m_server.port(), "clr_") + QStringLiteral(
            "r = c._read_client\nprint(len(r.keys('clr_*')), r.get('clrx'), r.get('other_k'), r.get('bare'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("0 b'keep' b'keep' b'keep'"));
    }

    void incOnPickledIntFailsLikeCachelib()
    {
        auto out = python(QStringLiteral(
            "c.set('inc_pickled', 5)\n"
            "try:\n    c.inc('inc_pickled')\n    print('no error')\nexcept Exception as e:\n    print(type(e).__name__, e)\n"));
        CHECK_OK(out);
        QVERIFY2(out->startsWith("ResponseError value is not an integer"), out->constData());
        RedisCache cache(url(), "interop_");
        auto inc = cache.inc("inc_pickled");
        QVERIFY(!inc);
        QVERIFY2(inc.error().contains(QStringLiteral("value is not an integer or out of range")), qPrintable(inc.error()));
        QVERIFY2(inc.error().contains(QStringLiteral("127.0.0.1:%1").arg(m_server.port())), qPrintable(inc.error()));

        // An INCRBY counter is an ASCII integer both sides read as int.
        auto counter = cache.inc("inc_counter", 41);
        CHECK_OK(counter);
        out = python(QStringLiteral("print(repr(c.inc('inc_counter')), repr(c.get('inc_counter')))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("42 42"));
        auto back = cache.get("inc_counter");
        CHECK_OK(back);
        QCOMPARE(**back, PyValue::integer(42));
    }

    void manyCallsInterop()
    {
        RedisCache cache(url(), "interop_");
        QList<std::pair<QByteArray, PyValue>> items;
        for (int i = 0; i < 20; ++i)
            items.append({"many" + QByteArray::number(i), PyValue::str("v" + QByteArray::number(i))});
        CHECK_OK(cache.setMany(items, 30));
        auto out = python(QStringLiteral(
            "print(c.get_many(*['many%d' % i for i in range(20)]) == ['v%d' % i for i in range(20)], "
            "sorted(c.delete_many('many0', 'many1')))\n"));
        CHECK_OK(out);
        QVERIFY2(out->startsWith("True"), out->constData());
        auto gone = cache.removeMany({"many0", "many2"});
        CHECK_OK(gone);
        QCOMPARE(*gone, QList<QByteArray>{"many2"});
    }
};

QTEST_GUILESS_MAIN(TestRedisInterop)
#include "tst_redisinterop.moc"
