#include "cache/rediscache.h"
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "redisserver.h"
#include "checkok.h"

#include <QSet>
#include <QTest>
#include <QThread>

#include <atomic>
#include <cmath>

using namespace cachescope;

namespace {

QByteArray bulk(const QByteArray &resp)
{
    // "$5\r\nhello\r\n" -> "hello" (test helper for RedisServer::command's raw replies)
    const qsizetype nl = resp.indexOf("\r\n");
    if (!resp.startsWith('$') || nl < 0)
        return {};
    const int n = resp.mid(1, nl - 1).toInt();
    return resp.mid(nl + 2, n);
}

qint64 integer(const QByteArray &resp)
{
    return resp.startsWith(':') ? resp.mid(1, resp.indexOf("\r\n") - 1).toLongLong() : -999;
}

} // namespace

class TestRedisCache : public QObject
{
    Q_OBJECT

    test::RedisServer m_server;

private slots:
    void initTestCase()
    {
        const QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void init() { m_server.command({"FLUSHALL"}); }

    void roundTripValues()
    {
        RedisCache cache(m_server.redisUrl(), "app_");
        const QList<PyValue> values{
            PyValue::none(), PyValue::boolean(true), PyValue::integer(-5), PyValue::integer(1ll << 40),
            PyValue::bigIntegerFromDecimal("123456789012345678901234567890"), PyValue::floating(-2.5),
            PyValue::floating(std::nan("")), PyValue::str(QStringLiteral("h\u00e9llo \u2603")),
            PyValue::bytes(QByteArray(100000, 'x')),
            PyValue::list({PyValue::integer(1), PyValue::tuple({PyValue::str(QByteArray("a"))}),
                           PyValue::dict({{PyValue::str(QByteArray("k")), PyValue::set({PyValue::integer(3)})}})}),
        };
        for (qsizetype i = 0; i < values.size(); ++i) {
            const QByteArray key = "v" + QByteArray::number(i);
            auto s = cache.set(key, values.at(i));
            CHECK_OK(s);
            QVERIFY(*s);
            auto g = cache.get(key);
            CHECK_OK(g);
            QVERIFY(g->has_value());
            QVERIFY2(**g == values.at(i), qPrintable(values.at(i).repr()));
        }
        // Stored as cachelib does: prefix + key, "!" + pickle protocol 5.
        const QByteArray raw = bulk(m_server.command({"GET", "app_v2"}));
        QCOMPARE(raw.left(3), QByteArray("!\x80\x05", 3));
        auto miss = cache.get("nope");
        CHECK_OK(miss);
        QVERIFY(!miss->has_value());
        const auto c = cache.counters().snapshot();
        QCOMPARE(c.hits, quint64(values.size()));
        QCOMPARE(c.misses, quint64(1));
        QVERIFY(c.bytesOut > 100000);
        QVERIFY(c.bytesIn > 100000);
    }

    // loads() reads short ASCII strs directly: same values as the full reader, and anything
    // off that exact shape (non-ASCII, wrong frame length, protocol 3) still goes through it.
    void loadsShortStrFastPath()
    {
        for (const QByteArray &text : {QByteArray(), QByteArray("x"), QByteArray("xxx"), QByteArray(255, 'a'),
                                       QByteArray(256, 'b'), QByteArray("h\xc3\xa9llo")}) {
            const PyValue v = PyValue::str(text);
            auto stored = RedisCache::dumps(v);
            CHECK_OK(stored);
            auto back = RedisCache::loads(*stored);
            CHECK_OK(back);
            QCOMPARE(*back, v);
            auto viaReader = PickleReader().loads(QByteArrayView(*stored).sliced(1));
            CHECK_OK(viaReader);
            QCOMPARE(*back, *viaReader);
        }
        QByteArray stored = *RedisCache::dumps(PyValue::str(QByteArray("abc")));
        QByteArray badFrame = stored;
        badFrame[4] = char(9); // frame length no longer n + 4
        auto bad = RedisCache::loads(badFrame);
        auto badReader = PickleReader().loads(QByteArrayView(badFrame).sliced(1));
        QCOMPARE(bad.hasValue(), badReader.hasValue());
        if (bad)
            QCOMPARE(*bad, *badReader);
        auto p3 = PickleWriter(3).dumps(PyValue::str(QByteArray("abc")), "!");
        CHECK_OK(p3);
        auto v3 = RedisCache::loads(*p3);
        CHECK_OK(v3);
        QCOMPARE(*v3, PyValue::str(QByteArray("abc")));
    }

    void loadsFallbacks()
    {
        RedisCache cache(m_server.redisUrl(), "p:");
        m_server.command({"SET", "p:int", "123"});
        m_server.command({"SET", "p:spaced", " -1_000\n"});
        m_server.command({"SET", "p:big", "99999999999999999999999"});
        m_server.command({"SET", "p:raw", "abc"});
        m_server.command({"SET", "p:bad", "!notapickle"});
        auto i = cache.get("int");
        CHECK_OK(i);
        QCOMPARE(**i, PyValue::integer(123));
        auto s = cache.get("spaced");
        CHECK_OK(s);
        QCOMPARE(**s, PyValue::integer(-1000));
        auto b = cache.get("big");
        CHECK_OK(b);
        QCOMPARE((*b)->bigIntDecimal(), QByteArray("99999999999999999999999"));
        auto r = cache.get("raw");
        CHECK_OK(r);
        QCOMPARE(**r, PyValue::bytes("abc"));
        auto bad = cache.get("bad");
        QVERIFY(!bad);
        QVERIFY2(bad.error().contains(QStringLiteral("\"bad\"")), qPrintable(bad.error()));
        QCOMPARE(cache.counters().snapshot().errors, quint64(1));
    }

    void timeouts()
    {
        RedisCache cache(m_server.redisUrl(), "t_", 120);
        CHECK_OK(cache.set("default", PyValue::integer(1)));
        CHECK_OK(cache.set("forever", PyValue::integer(1), 0));
        CHECK_OK(cache.set("short", PyValue::integer(1), 7));
        const qint64 d = integer(m_server.command({"TTL", "t_default"}));
        QVERIFY(d > 100 && d <= 120);
        QCOMPARE(integer(m_server.command({"TTL", "t_forever"})), -1);
        const qint64 s = integer(m_server.command({"TTL", "t_short"}));
        QVERIFY(s > 0 && s <= 7);
        // Overwriting with 0 is a plain SET: the old TTL is gone.
        CHECK_OK(cache.set("short", PyValue::integer(2), 0));
        QCOMPARE(integer(m_server.command({"TTL", "t_short"})), -1);

        auto t = cache.ttl("default");
        CHECK_OK(t);
        QCOMPARE(t->state, EntryTtl::State::Expires);
        QVERIFY(t->seconds > 100 && t->seconds <= 120);
        auto never = cache.ttl("forever");
        CHECK_OK(never);
        QCOMPARE(never->state, EntryTtl::State::Never);
        auto missing = cache.ttl("gone");
        CHECK_OK(missing);
        QCOMPARE(missing->state, EntryTtl::State::Missing);

        auto negative = cache.set("neg", PyValue::integer(1), -5); // Redis rejects, as with cachelib
        QVERIFY(!negative);
        QVERIFY2(negative.error().contains(QStringLiteral("127.0.0.1:%1").arg(m_server.port())), qPrintable(negative.error()));
    }

    void add()
    {
        RedisCache cache(m_server.redisUrl(), "a_", 60);
        auto first = cache.add("k", PyValue::str(QByteArray("one")));
        CHECK_OK(first);
        QVERIFY(*first);
        QVERIFY(integer(m_server.command({"TTL", "a_k"})) > 0);
        auto second = cache.add("k", PyValue::str(QByteArray("two")));
        CHECK_OK(second);
        QVERIFY(!*second);
        auto g = cache.get("k");
        CHECK_OK(g);
        QCOMPARE(**g, PyValue::str(QByteArray("one")));
        auto noExpiry = cache.add("f", PyValue::none(), 0);
        CHECK_OK(noExpiry);
        QCOMPARE(integer(m_server.command({"TTL", "a_f"})), -1);
    }

    void manyAndDelete()
    {
        RedisCache cache(m_server.redisUrl(), "m_");
        QList<std::pair<QByteArray, PyValue>> items;
        for (int i = 0; i < 250; ++i)
            items.append({"k" + QByteArray::number(i), PyValue::integer(i)});
        auto written = cache.setMany(items, 0);
        CHECK_OK(written);
        QCOMPARE(written->size(), 250);
        QCOMPARE(integer(m_server.command({"TTL", "m_k3"})), -1);
        auto values = cache.getMany({"k0", "missing", "k249"});
        CHECK_OK(values);
        QCOMPARE(values->size(), 3);
        QCOMPARE(*values->at(0), PyValue::integer(0));
        QVERIFY(!values->at(1).has_value());
        QCOMPARE(*values->at(2), PyValue::integer(249));

        auto has = cache.has("k1");
        CHECK_OK(has);
        QVERIFY(*has);
        auto removed = cache.remove("k1");
        CHECK_OK(removed);
        QVERIFY(*removed);
        auto again = cache.remove("k1");
        CHECK_OK(again);
        QVERIFY(!*again);
        auto gone = cache.removeMany({"k2", "never", "k3", "k1"});
        CHECK_OK(gone);
        QCOMPARE(*gone, (QList<QByteArray>{"k2", "k3"}));
        QCOMPARE(integer(m_server.command({"EXISTS", "m_k2"})), 0);
        QCOMPARE(integer(m_server.command({"EXISTS", "m_k4"})), 1);
    }

    void incDec()
    {
        RedisCache cache(m_server.redisUrl(), "n_");
        auto a = cache.inc("c", 5);
        CHECK_OK(a);
        QCOMPARE(**a, 5);
        auto b = cache.dec("c", 2);
        CHECK_OK(b);
        QCOMPARE(**b, 3);
        auto g = cache.get("c"); // Redis stores "3": read back via the int() fallback
        CHECK_OK(g);
        QCOMPARE(**g, PyValue::integer(3));
        CHECK_OK(cache.set("pickled", PyValue::integer(3)));
        auto fail = cache.inc("pickled");
        QVERIFY(!fail);
        QVERIFY2(fail.error().contains(QStringLiteral("not an integer")), qPrintable(fail.error()));
    }

    void clearOnlyThePrefix()
    {
        // Glob metacharacters in the prefix must match literally: "a*[b]" must not match "ax[b]k".
        RedisCache cache(m_server.redisUrl(), "a*[b]");
        QList<QList<QByteArray>> fill;
        for (int i = 0; i < 2500; ++i)
            fill.append(QList<QByteArray>{"SET", "a*[b]" + QByteArray::number(i), "1"});
        RedisClient setup(m_server.redisUrl());
        CHECK_OK(setup.pipeline(fill)); // RedisServer::command is one socket per call: too slow for 2500
        m_server.command({"SET", "ax[b]k", "keep"});
        m_server.command({"SET", "ab", "keep"});
        m_server.command({"SET", "other", "keep"});
        auto c = cache.clear();
        CHECK_OK(c);
        QVERIFY(*c);
        QCOMPARE(integer(m_server.command({"DBSIZE"})), 3);
        auto empty = cache.clear();
        CHECK_OK(empty);
        QVERIFY(!*empty);

        RedisCache unprefixed(m_server.redisUrl());
        auto refused = unprefixed.clear();
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("prefix")), qPrintable(refused.error()));
        QCOMPARE(integer(m_server.command({"DBSIZE"})), 3);
    }

    void monitorApi()
    {
        RedisCache cache(m_server.redisUrl(), "s?_");
        for (int i = 0; i < 300; ++i)
            CHECK_OK(cache.set("key" + QByteArray::number(i), PyValue::str(QByteArray(50, 'v')), 0));
        m_server.command({"SET", "sx_key1", "foreign"}); // matches "s?_*" unescaped
        QSet<QByteArray> seen;
        QByteArray cursor = "0";
        int pages = 0;
        do {
            auto page = cache.scan(cursor, "key1*", 50);
            CHECK_OK(page);
            for (const auto &k : page->keys) {
                QVERIFY2(k.startsWith("key1"), k.constData());
                seen.insert(k);
            }
            cursor = page->nextCursor;
            QVERIFY(++pages < 10000);
        } while (cursor != "0");
        QCOMPARE(seen.size(), 111); // key1, key10-19, key100-199

        auto raw = cache.rawGet("key7");
        CHECK_OK(raw);
        QVERIFY(raw->has_value());
        QVERIFY((*raw)->startsWith('!'));
        auto noRaw = cache.rawGet("nope");
        CHECK_OK(noRaw);
        QVERIFY(!noRaw->has_value());
        auto size = cache.entrySize("key7");
        CHECK_OK(size);
        QVERIFY(size->has_value());
        QVERIFY(**size >= (*raw)->size());
        auto noSize = cache.entrySize("nope");
        CHECK_OK(noSize);
        QVERIFY(!noSize->has_value());
    }

    void entrySizeFallsBackToStrlen()
    {
        test::RedisServer server;
        QVERIFY(server.start({QStringLiteral("--rename-command"), QStringLiteral("MEMORY"), QString()}).isEmpty());
        RedisCache cache(server.redisUrl(), "x");
        server.command({"SET", "xk", "12345"});
        auto size = cache.entrySize("k");
        CHECK_OK(size);
        QCOMPARE(**size, 5);
    }

    void connectionErrorsNameTheServer()
    {
        RedisUrl url;
        url.host = QStringLiteral("127.0.0.1");
        url.port = test::freeLoopbackPort();
        url.password = QStringLiteral("topsecret");
        RedisCache cache(url, "p");
        auto g = cache.get("k");
        QVERIFY(!g);
        QVERIFY2(g.error().contains(QStringLiteral("127.0.0.1:%1").arg(url.port)), qPrintable(g.error()));
        QVERIFY(!g.error().contains(QStringLiteral("topsecret")));
        QVERIFY(!cache.location().contains(QStringLiteral("topsecret")));
        QCOMPARE(cache.counters().snapshot().errors, quint64(1));
    }

    void threadSafe()
    {
        RedisCache cache(m_server.redisUrl(), "ts_");
        std::atomic<int> failures{0};
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&cache, &failures, t] {
                for (int i = 0; i < 300; ++i) {
                    const QByteArray key = QByteArray::number(t) + '_' + QByteArray::number(i);
                    auto s = cache.set(key, PyValue::integer(i));
                    auto g = cache.get(key);
                    if (!s || !g || !g->has_value() || **g != PyValue::integer(i))
                        ++failures;
                }
            }));
            threads.last()->start();
        }
        for (auto *t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        QCOMPARE(failures.load(), 0);
        QCOMPARE(cache.counters().snapshot().sets, quint64(1200));
    }
};

QTEST_GUILESS_MAIN(TestRedisCache)
#include "tst_rediscache.moc"
