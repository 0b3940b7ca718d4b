// CacheScope's MemcachedCache against the real Python stack on real memcached servers (Debian 12:
// memcached 1.6.18, cachelib 0.9.0, Flask-Caching 2.0.2, pylibmc 1.6.3 on libmemcached 1.0.18,
// python-memcache 1.58): each side reads what the other wrote, the stored items (flags and bytes)
// are identical, keys land on the server the client picks, and TTLs, add, inc/dec, clear, the
// SASL and Spread variants and a superset_config.py behave as they do in Python.
#include "cache/cachemanager.h"
#include "cache/memcachedcache.h"
#include "checkok.h"
#include "config/configloader.h"
#include "interopvalues.h"
#include "memcachedserver.h"
#include "python.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cachescope;

namespace {

// Python side: `pl` / `pm` are cachelib MemcachedCache objects over pylibmc / python-memcache.
const char *kPrelude = R"PY(
import sys, json, time, pylibmc, memcache
from cachelib import MemcachedCache
ARGS = json.loads(sys.argv[1])
SERVERS = ARGS["servers"]
def pl(prefix="interop_", servers=None):
    c = MemcachedCache(servers or SERVERS, key_prefix=prefix)
    assert type(c._client).__module__.startswith("pylibmc"), type(c._client)
    return c
def pm(prefix="interop_", servers=None):
    return MemcachedCache(memcache.Client(servers or SERVERS), key_prefix=prefix)
def pylibmc_view(v):
    # pylibmc stores a bool as flags 2 "1"/"0" and reads flags 2 back as an int.
    return int(v) if type(v) is bool else v
)PY";

MemcachedCache::Options optionsFor(const QList<MemcachedEndpoint> &servers,
                                   MemcachedClientKind client = MemcachedClientKind::Pylibmc,
                                   MemcachedCache::Variant variant = MemcachedCache::Variant::Cachelib)
{
    MemcachedCache::Options o;
    o.client.servers = servers;
    o.client.client = client;
    o.variant = variant;
    return o;
}

PyValue pylibmcView(const PyValue &v)
{
    return v.kind() == PyValue::Kind::Bool ? PyValue::integer(v.toBool() ? 1 : 0) : v;
}

} // namespace

class TestMemcachedInterop : public QObject
{
    Q_OBJECT

    test::MemcachedServer m_server;
    test::MemcachedServer m_ring[3];
    test::MemcachedServer m_sasl;
    const QString m_user = QStringLiteral("superset");
    const QString m_password = QStringLiteral("pa55 word");

    Expected<QByteArray> python(const QString &body, const QStringList &servers, const QJsonObject &extra = {})
    {
        QJsonObject args = extra;
        args.insert(QStringLiteral("servers"), QJsonArray::fromStringList(servers));
        return test::runPython(QLatin1String(test::kInteropPythonValues) + QLatin1String(kPrelude) + body,
                               {QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact))});
    }
    Expected<QByteArray> python(const QString &body) { return python(body, QStringList{m_server.address()}); }

    QStringList ringAddresses() const
    {
        return {m_ring[0].address(), m_ring[1].address(), m_ring[2].address()};
    }
    QList<MemcachedEndpoint> ringEndpoints() const
    {
        return {m_ring[0].endpoint(), m_ring[1].endpoint(), m_ring[2].endpoint()};
    }

    // The item as stored (flags and bytes), read straight from the server.
    std::optional<MemcachedItem> stored(const MemcachedEndpoint &server, const QByteArray &key)
    {
        MemcachedLink link(server, std::chrono::milliseconds(4000));
        auto got = link.get({key});
        if (!got || got->isEmpty())
            return std::nullopt;
        return got->front().item;
    }

private slots:
    void initTestCase()
    {
        QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (auto &s : m_ring) {
            error = s.start();
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        error = m_sasl.startWithSasl({m_user, m_password});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        auto probe = test::runPython(QStringLiteral(
            "import cachelib, flask_caching, pylibmc, memcache\n"
            "print(cachelib.__version__, flask_caching.__version__, pylibmc.__version__, memcache.__version__, "
            "pylibmc.libmemcached_version)"));
        CHECK_OK(probe);
        QCOMPARE(probe->trimmed(), QByteArray("0.9.0 2.0.2 1.6.3 1.58 1.0.18"));
    }

    void pylibmcWritesCacheScopeReads()
    {
        CHECK_OK(python(QStringLiteral("c = pl()\nfor k, v in VALUES.items(): assert c.set('pl_' + k, v, timeout=0), k\n"
                                       "c.set('pl_shared', SHARED, timeout=0)\n")));
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "interop_");
        for (const auto &[name, value] : test::interopValues()) {
            auto got = cache.get("pl_" + name);
            CHECK_OK(got);
            QVERIFY2(got->has_value(), name.constData());
            QVERIFY2(**got == pylibmcView(value), qPrintable(QString::fromUtf8(name) + QStringLiteral(": got ") + (*got)->repr()));
        }
        auto shared = cache.get("pl_shared");
        CHECK_OK(shared);
        QVERIFY(**shared == test::interopSharedValue());
    }

    // python-memcache's protocol-0 pickles (I01, Fnan, V..., _codecs.encode, __builtin__ sets)
    // read as the values they are, with the default (pylibmc) reader and the python-memcache one.
    void pythonMemcacheWritesCacheScopeReads()
    {
        CHECK_OK(python(QStringLiteral("c = pm()\nfor k, v in VALUES.items(): assert c.set('pm_' + k, v, timeout=0), k\n"
                                       "c.set('pm_shared', SHARED, timeout=0)\n")));
        for (auto kind : {MemcachedClientKind::Pylibmc, MemcachedClientKind::PythonMemcache}) {
            MemcachedCache cache(optionsFor({m_server.endpoint()}, kind), "interop_");
            for (const auto &[name, value] : test::interopValues()) {
                auto got = cache.get("pm_" + name);
                CHECK_OK(got);
                QVERIFY2(got->has_value(), name.constData());
                QVERIFY2(**got == value, qPrintable(QString::fromUtf8(name) + QStringLiteral(": got ") + (*got)->repr()));
            }
            auto shared = cache.get("pm_shared");
            CHECK_OK(shared);
            QVERIFY(**shared == test::interopSharedValue());
        }
        // The protocol-0 shapes the reader has to understand are really there.
        QCOMPARE(stored(m_server.endpoint(), "interop_pm_true")->data, QByteArray("I01\n."));
        QCOMPARE(stored(m_server.endpoint(), "interop_pm_fnan")->data, QByteArray("Fnan\n."));
        QVERIFY(stored(m_server.endpoint(), "interop_pm_dict")->data.contains("c_codecs\nencode\n"));
        QVERIFY(stored(m_server.endpoint(), "interop_pm_set")->data.startsWith("c__builtin__\nset\n"));
    }

    // CacheScope writes with pylibmc's flags; both Python clients read every value back.
    void cacheScopeWritesPythonReads()
    {
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "interop_");
        for (const auto &[name, value] : test::interopValues())
            CHECK_OK(cache.set("cs_" + name, value, 0));
        CHECK_OK(cache.set("cs_shared", test::interopSharedValue(), 0));
        auto out = python(QStringLiteral(
            "bad = []\n"
            "for label, c in (('pylibmc', pl()), ('python-memcache', pm())):\n"
            "    bad += [label + ':' + k for k, v in VALUES.items() if not same(c.get('cs_' + k), pylibmc_view(v))]\n"
            "    if not same(c.get('cs_shared'), SHARED): bad.append(label + ':shared')\n"
            "print('mismatch:' + ','.join(bad) if bad else 'all-equal')\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("all-equal"));
    }

    // Writing as python-memcache does keeps bools (pickled); python-memcache reads them as bools.
    void cacheScopeWritesAsPythonMemcache()
    {
        MemcachedCache cache(optionsFor({m_server.endpoint()}, MemcachedClientKind::PythonMemcache), "interop_");
        for (const auto &[name, value] : test::interopValues())
            CHECK_OK(cache.set("csm_" + name, value, 0));
        auto out = python(QStringLiteral(
            "c = pm()\nbad = [k for k, v in VALUES.items() if not same(c.get('csm_' + k), v)]\n"
            "print('mismatch:' + ','.join(bad) if bad else 'all-equal')\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("all-equal"));
    }

    // The very bytes and flags each client stores.
    void storedItemsMatchTheClients()
    {
        CHECK_OK(python(QStringLiteral("p, m = pl(), pm()\nfor k, v in VALUES.items():\n"
                                       "    p.set('rawpl_' + k, v, timeout=0); m.set('rawpm_' + k, v, timeout=0)\n")));
        QStringList different;
        for (auto kind : {MemcachedClientKind::Pylibmc, MemcachedClientKind::PythonMemcache}) {
            const QByteArray tag = kind == MemcachedClientKind::Pylibmc ? "pl_" : "pm_";
            MemcachedCache cache(optionsFor({m_server.endpoint()}, kind), "interop_");
            for (const auto &[name, value] : test::interopValues()) {
                CHECK_OK(cache.set("rawcs" + tag + name, value, 0));
                const auto mine = stored(m_server.endpoint(), "interop_rawcs" + tag + name);
                const auto theirs = stored(m_server.endpoint(), "interop_raw" + tag + name);
                QVERIFY(mine && theirs);
                if (*mine != *theirs)
                    different << QString::fromUtf8(tag + name + ": ours " + QByteArray::number(mine->flags) + ' '
                                                   + mine->data.left(40).toHex(' ') + " | theirs "
                                                   + QByteArray::number(theirs->flags) + ' ' + theirs->data.left(40).toHex(' '));
            }
        }
        QVERIFY2(different.isEmpty(), qPrintable(different.join(QLatin1Char('\n'))));
    }

    // cachelib sends int(time()) + timeout; memcached answers the same TTL for both writers.
    void ttlSemantics()
    {
        auto out = python(QStringLiteral(
            "c = pl()\nc.set('ttl_none', 1)\nc.set('ttl_zero', 1, timeout=0)\nc.set('ttl_pos', 1, timeout=77)\n"
            "c.add('ttl_add', 1, timeout=55)\nc.set('ttl_long', 1, timeout=40 * 86400)\n"));
        CHECK_OK(out);
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "interop_cs", 300);
        CHECK_OK(cache.set("ttl_none", PyValue::integer(1)));
        CHECK_OK(cache.set("ttl_zero", PyValue::integer(1), 0));
        CHECK_OK(cache.set("ttl_pos", PyValue::integer(1), 77));
        CHECK_OK(cache.add("ttl_add", PyValue::integer(1), 55));
        CHECK_OK(cache.set("ttl_long", PyValue::integer(1), 40 * 86400));
        MemcachedCache theirs(optionsFor({m_server.endpoint()}), "interop_", 300);
        const QList<std::pair<QByteArray, qint64>> expected{
            {"ttl_none", 300}, {"ttl_zero", -1}, {"ttl_pos", 77}, {"ttl_add", 55}, {"ttl_long", 40 * 86400}};
        for (const auto &[key, seconds] : expected) {
            auto a = cache.ttl(key);
            auto b = theirs.ttl(key);
            CHECK_OK(a);
            CHECK_OK(b);
            if (seconds < 0) {
                QCOMPARE(a->state, EntryTtl::State::Never);
                QCOMPARE(b->state, EntryTtl::State::Never);
                continue;
            }
            QCOMPARE(a->state, EntryTtl::State::Expires);
            QCOMPARE(b->state, EntryTtl::State::Expires);
            QVERIFY2(std::abs(a->seconds - seconds) <= 5 && std::abs(b->seconds - seconds) <= 5,
                     qPrintable(QStringLiteral("%1: ours %2, cachelib %3").arg(QString::fromUtf8(key)).arg(a->seconds).arg(b->seconds)));
        }
        QCOMPARE(MemcachedCache::exptimeFor(77, 1000000000), 1000000077);
        QCOMPARE(MemcachedCache::exptimeFor(0, 1000000000), 0);
    }

    void keyRules()
    {
        auto out = python(QStringLiteral(
            "c = pl()\nprint(c.get('a b'), c.get('x!'), c.get('\\u00ff'), c.has('a b'), c.delete('a b'), c.get('k' * 249))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("None None None False False None"));
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "p_");
        for (const QByteArray &key : {QByteArray("a b"), QByteArray("x!"), QByteArray("\xc3\xbf"), QByteArray(249, 'k')}) {
            auto got = cache.get(key);
            CHECK_OK(got);
            QVERIFY(!got->has_value());
            auto has = cache.has(key);
            CHECK_OK(has);
            QVERIFY(!*has);
            auto set = cache.set(key, PyValue::integer(1));
            QVERIFY(!set);
            QVERIFY2(set.error().contains(QString::fromUtf8(key.left(10))), qPrintable(set.error()));
        }
        QVERIFY(cache.set("a b", PyValue::integer(1)).error().contains(QStringLiteral("contains a space")));
        // 200 'é' pass cachelib's 250-character regex but are 402 bytes: pylibmc raises, so do we.
        QByteArray wide;
        for (int i = 0; i < 200; ++i)
            wide += "\xc3\xa9";
        auto py = python(QStringLiteral("c = pl(prefix='p_')\ntry:\n    c.get('\\u00e9' * 200)\nexcept ValueError as e:\n    print('ValueError', e)\n"));
        CHECK_OK(py);
        QVERIFY2(py->startsWith("ValueError key length 402 too long"), py->constData());
        auto got = cache.get(wide);
        QVERIFY(!got);
        QVERIFY2(got.error().contains(QStringLiteral("402 bytes")), qPrintable(got.error()));
        auto many = cache.setMany({{"ok1", PyValue::integer(1)}, {"bad key", PyValue::integer(2)}});
        QVERIFY(!many);
        auto untouched = cache.get("ok1");
        CHECK_OK(untouched);
        QVERIFY2(!untouched->has_value(), "set_many with one bad key stores nothing");
    }

    // Keys over three servers land where pylibmc / python-memcache put them, both directions.
    void distributionMatchesTheClients_data()
    {
        QTest::addColumn<bool>("pylibmc");
        QTest::addRow("pylibmc") << true;
        QTest::addRow("python-memcache, weights 1/2/1") << false;
    }
    void distributionMatchesTheClients()
    {
        QFETCH(bool, pylibmc);
        const QString tag = pylibmc ? QStringLiteral("dl") : QStringLiteral("dm");
        QList<MemcachedEndpoint> servers = ringEndpoints();
        QString pyServers = QStringLiteral("SERVERS");
        if (!pylibmc) {
            servers[1].weight = 2;
            pyServers = QStringLiteral("[SERVERS[0], (SERVERS[1], 2), SERVERS[2]]");
        }
        auto out = python(QStringLiteral("c = %1(prefix='%2_', servers=%3)\n"
                                         "for i in range(300):\n"
                                         "    assert c.set('k%d' % i, i, timeout=0)\n"
                                         "    assert c.set('\\u00fc%d\\u2603' % i, str(i), timeout=0)\n")
                              .arg(pylibmc ? QStringLiteral("pl") : QStringLiteral("pm"), tag, pyServers),
                          ringAddresses());
        CHECK_OK(out);
        const auto kind = pylibmc ? MemcachedClientKind::Pylibmc : MemcachedClientKind::PythonMemcache;
        MemcachedCache cache(optionsFor(servers, kind), tag.toUtf8() + '_');
        MemcachedDistribution distribution(kind, {servers[0].weight, servers[1].weight, servers[2].weight});
        QList<int> perServer{0, 0, 0};
        for (int i = 0; i < 300; ++i) {
            const QByteArray a = "k" + QByteArray::number(i);
            const QByteArray b = "\xc3\xbc" + QByteArray::number(i) + "\xe2\x98\x83";
            auto got = cache.getMany({a, b});
            CHECK_OK(got);
            QVERIFY2((*got)[0] && (*got)[1], a.constData());
            QCOMPARE(*(*got)[0], PyValue::integer(i));
            QCOMPARE(*(*got)[1], PyValue::str(QByteArray::number(i)));
            // Exactly one server holds each key: the one the distribution names.
            for (const QByteArray &key : {a, b}) {
                const QByteArray storedKey = tag.toUtf8() + '_' + key;
                const int expected = distribution.serverFor(storedKey);
                ++perServer[expected];
                for (int s = 0; s < 3; ++s)
                    QCOMPARE(stored(servers[s], storedKey).has_value(), s == expected);
            }
        }
        QVERIFY2(perServer[0] > 0 && perServer[1] > 0 && perServer[2] > 0, "keys spread over all three servers");
        // And the other way: CacheScope spreads, the Python client finds every key.
        QList<std::pair<QByteArray, PyValue>> items;
        for (int i = 0; i < 300; ++i)
            items.append({"cs" + QByteArray::number(i) + "\xc3\xa9", PyValue::integer(i * 7)});
        auto written = cache.setMany(items, 0);
        CHECK_OK(written);
        QCOMPARE(written->size(), 300);
        out = python(QStringLiteral("c = %1(prefix='%2_', servers=%3)\n"
                                    "print(sum(1 for i in range(300) if c.get('cs%d\\u00e9' % i) == i * 7))\n")
                         .arg(pylibmc ? QStringLiteral("pl") : QStringLiteral("pm"), tag, pyServers),
                     ringAddresses());
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("300"));
    }

    void addAndDelete()
    {
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "interop_");
        CHECK_OK(python(QStringLiteral("pl().set('add_k', 'one')\n")));
        auto added = cache.add("add_k", PyValue::str(QByteArray("two")));
        CHECK_OK(added);
        QVERIFY(!*added);
        CHECK_OK(cache.set("add_cs", PyValue::str(QByteArray("mine"))));
        auto out = python(QStringLiteral("c = pl()\nprint(c.get('add_k'), c.add('add_cs', 'theirs'), c.get('add_cs'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("one False mine"));
        auto gone = cache.removeMany({"add_k", "never_there", "a b"});
        CHECK_OK(gone);
        QCOMPARE(*gone, QList<QByteArray>{"add_k"});
        out = python(QStringLiteral("c = pl()\nprint(c.get('add_k'), c.has('add_cs'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("None True"));
        auto has = cache.has("add_cs");
        CHECK_OK(has);
        QVERIFY(*has);
    }

    // Flask-Caching's inc/dec are memcached incr/decr on pylibmc's ASCII ints.
    void flaskCachingIncDec()
    {
        const QString flask = QStringLiteral(
            "from flask_caching.backends.memcache import MemcachedCache as F\nf = F(SERVERS, key_prefix='fc_')\n");
        CHECK_OK(python(flask + QStringLiteral("f.set('n', 5)\n")));
        MemcachedCache cache(optionsFor({m_server.endpoint()}, MemcachedClientKind::Pylibmc, MemcachedCache::Variant::FlaskCaching),
                             "fc_");
        auto inc = cache.inc("n", 3);
        CHECK_OK(inc);
        QCOMPARE(inc->value_or(0), 8);
        auto dec = cache.dec("n", 100);
        CHECK_OK(dec);
        QCOMPARE(dec->value_or(-1), 0); // decr stops at 0, as Flask-Caching's does
        auto missing = cache.inc("absent");
        CHECK_OK(missing);
        QVERIFY(!missing->has_value());
        auto out = python(flask + QStringLiteral("print(f.inc('n', 4), f.get('n'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("4 4"));
        CHECK_OK(cache.set("s", PyValue::str(QByteArray("text"))));
        auto nonNumeric = cache.inc("s");
        QVERIFY(!nonNumeric);
        QVERIFY2(nonNumeric.error().contains(QStringLiteral("non-numeric")), qPrintable(nonNumeric.error()));
    }

    // cachelib's inc/dec: (get or 0) + delta, then set; the result reads back as an int in Python.
    void cachelibIncDec()
    {
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "ci_");
        auto first = cache.inc("c", 2);
        CHECK_OK(first);
        QCOMPARE(first->value_or(0), 2);
        auto second = cache.dec("c", 5);
        CHECK_OK(second);
        QCOMPARE(second->value_or(0), -3);
        auto out = python(QStringLiteral("print(repr(pl(prefix='ci_').get('c')))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("-3"));
    }

    void clearConfinedToPrefix()
    {
        CHECK_OK(python(QStringLiteral("c = pl(prefix='clr_')\nfor i in range(50): c.set('k%d' % i, i)\n"
                                       "c.set('big', b'x' * 30000)\n"
                                       "o = pl(prefix='')\no.set('clrx', b'keep'); o.set('other_k', b'keep'); o.set('bare', b'keep')\n")));
        MemcachedCache cache(optionsFor({m_server.endpoint()}), "clr_");
        auto cleared = cache.clear();
        CHECK_OK(cleared);
        QVERIFY(*cleared);
        auto out = python(QStringLiteral("c = pl(prefix='clr_'); o = pl(prefix='')\n"
                                         "print(sum(1 for i in range(50) if c.get('k%d' % i) is not None), c.get('big'), "
                                         "o.get('clrx'), o.get('other_k'), o.get('bare'))\n"));
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("0 None b'keep' b'keep' b'keep'"));
        MemcachedCache unprefixed(optionsFor({m_server.endpoint()}), "");
        auto refused = unprefixed.clear();
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("no key prefix")), qPrintable(refused.error()));
    }

    // Flask-Caching's SASLMemcachedCache (pylibmc, binary protocol, SASL) on memcached -S.
    void saslBothDirections()
    {
        const QString flask = QStringLiteral(
            "from flask_caching.backends.memcache import SASLMemcachedCache\n"
            "c = SASLMemcachedCache(SERVERS, key_prefix='sasl_', username=ARGS['user'], password=ARGS['password'])\n");
        const QJsonObject auth{{QStringLiteral("user"), m_user}, {QStringLiteral("password"), m_password}};
        auto out = python(flask + QStringLiteral("for k, v in VALUES.items(): assert c.set('py_' + k, v, timeout=0), k\n"),
                          {m_sasl.address()}, auth);
        CHECK_OK(out);
        MemcachedCache::Options o = optionsFor({m_sasl.endpoint()}, MemcachedClientKind::Pylibmc,
                                               MemcachedCache::Variant::FlaskCachingSasl);
        o.client.credentials = {m_user, m_password};
        MemcachedCache cache(o, "sasl_");
        QCOMPARE(cache.backendName(), QStringLiteral("SASLMemcachedCache"));
        QVERIFY(!cache.location().contains(m_password));
        for (const auto &[name, value] : test::interopValues()) {
            auto got = cache.get("py_" + name);
            CHECK_OK(got);
            QVERIFY2(got->has_value() && **got == pylibmcView(value), name.constData());
            CHECK_OK(cache.set("cs_" + name, value, 0));
        }
        out = python(flask + QStringLiteral(
                         "bad = [k for k, v in VALUES.items() if not same(c.get('cs_' + k), pylibmc_view(v))]\n"
                         "print('mismatch:' + ','.join(bad) if bad else 'all-equal')\n"),
                     {m_sasl.address()}, auth);
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("all-equal"));
        // What the binary protocol lacks is refused by name, not guessed.
        auto ttl = cache.ttl("cs_i0");
        QVERIFY(!ttl);
        QVERIFY2(ttl.error().contains(QStringLiteral("binary protocol")), qPrintable(ttl.error()));
        auto keys = cache.scan("0");
        QVERIFY(!keys);
        QVERIFY2(keys.error().contains(QStringLiteral("keys cannot be listed")), qPrintable(keys.error()));
        auto has = cache.has("cs_i0");
        CHECK_OK(has);
        QVERIFY(*has);
    }

    // SpreadSASLMemcachedCache: protocol-2 pickles split into 1048448-byte chunks "<key>.N".
    void spreadBothDirections()
    {
        const QString flask = QStringLiteral(
            "from flask_caching.backends.memcache import SpreadSASLMemcachedCache\n"
            "c = SpreadSASLMemcachedCache(SERVERS, key_prefix='spread_', username=ARGS['user'], password=ARGS['password'])\n"
            "BIG = {'rows': b'r' * 2500000, 'n': 3}\n");
        const QJsonObject auth{{QStringLiteral("user"), m_user}, {QStringLiteral("password"), m_password}};
        CHECK_OK(python(flask + QStringLiteral("c.set('big', BIG)\nc.set('small', [1, 'two'])\nprint(c.get('big') == BIG)\n"),
                        {m_sasl.address()}, auth));
        MemcachedCache::Options o = optionsFor({m_sasl.endpoint()}, MemcachedClientKind::Pylibmc,
                                               MemcachedCache::Variant::FlaskCachingSpread);
        o.client.credentials = {m_user, m_password};
        MemcachedCache cache(o, "spread_");
        const PyValue big = PyValue::dict({{PyValue::str(QByteArray("rows")), PyValue::bytes(QByteArray(2500000, 'r'))},
                                           {PyValue::str(QByteArray("n")), PyValue::integer(3)}});
        auto got = cache.get("big");
        CHECK_OK(got);
        QVERIFY(got->has_value() && **got == big);
        auto small = cache.get("small");
        CHECK_OK(small);
        QVERIFY(small->has_value() && **small == PyValue::list({PyValue::integer(1), PyValue::str(QByteArray("two"))}));
        auto setBig = cache.set("mine", big, 0);
        CHECK_OK(setBig);
        QVERIFY(*setBig);
        // Three chunks (2.5 MB / 1048448), exactly as Flask-Caching splits: compare the chunks.
        MemcachedLink link(m_sasl.endpoint(), std::chrono::milliseconds(4000), {m_user, m_password});
        auto chunks = link.get({"spread_mine.0", "spread_mine.1", "spread_mine.2", "spread_mine.3", "spread_big.0",
                                "spread_big.1", "spread_big.2"});
        CHECK_OK(chunks);
        QCOMPARE(chunks->size(), 6);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(chunks->at(i).item, chunks->at(i + 3).item);
        auto out = python(flask + QStringLiteral("print(c.get('mine') == BIG)\n"), {m_sasl.address()}, auth);
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("True"));
        auto deleted = cache.remove("mine");
        CHECK_OK(deleted);
        QVERIFY(*deleted);
        out = python(flask + QStringLiteral("print(c.get('mine'), c.get('mine', chunk=False))\n"), {m_sasl.address()}, auth);
        CHECK_OK(out);
        QCOMPARE(out->trimmed(), QByteArray("None None"));
    }

    // A superset_config.py's memcached caches open read-only through CacheManager and read what
    // Flask-Caching / cachelib wrote.
    void configCachesOpenReadOnly()
    {
        const QString source = QStringLiteral(
            "from cachelib.memcached import MemcachedCache\n"
            "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'MemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['%1', '%2', '%3'],\n"
            "                     'CACHE_KEY_PREFIX': 'superset_data_', 'CACHE_DEFAULT_TIMEOUT': 600}\n"
            "CACHE_CONFIG = {'CACHE_TYPE': 'flask_caching.backends.SASLMemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['%4'],\n"
            "                'CACHE_MEMCACHED_USERNAME': '%5', 'CACHE_MEMCACHED_PASSWORD': '%6'}\n"
            "RESULTS_BACKEND = MemcachedCache(['%7'], key_prefix='superset_results')\n")
                                   .arg(m_ring[0].address(), m_ring[1].address(), m_ring[2].address(), m_sasl.address(),
                                        m_user, m_password, m_server.address());
        const ConfigReport report = ConfigLoader::loadSource(source, QStringLiteral("superset_config.py"), {});
        QVERIFY2(report.loaded, qPrintable(report.error));
        QList<CacheSpec> memcached; // the config's other caches (the metastore defaults) are not under test
        for (const CacheSpec &spec : report.caches)
            if (spec.backend == BackendType::Memcached)
                memcached << spec;
        QCOMPARE(memcached.size(), 3);
        auto manager = CacheManager::create(memcached, CacheManager::Access::ReadOnly);
        CHECK_OK(manager);
        auto data = (*manager)->cache(CachePurpose::Data);
        auto sasl = (*manager)->cache(CachePurpose::Cache);
        auto results = (*manager)->cache(CachePurpose::Results);
        QVERIFY(data && sasl && results);
        QCOMPARE(data->backendName(), QStringLiteral("MemcachedCache"));
        QCOMPARE(sasl->backendName(), QStringLiteral("SASLMemcachedCache"));
        QCOMPARE(sasl->keyPrefix(), QByteArray("flask_cache_"));
        QCOMPARE(results->keyPrefix(), QByteArray("superset_results"));
        QCOMPARE(data->location(), QStringLiteral("memcached://%1").arg(ringAddresses().join(QLatin1Char(','))));
        QCOMPARE((*manager)->spec(CachePurpose::Cache)->displayLocation(),
                 QStringLiteral("memcached://%1:***@%2").arg(m_user, m_sasl.address()));
        QCOMPARE(static_cast<MemcachedCache *>(results.get())->options().variant, MemcachedCache::Variant::Cachelib);
        QCOMPARE(static_cast<MemcachedCache *>(data.get())->options().variant, MemcachedCache::Variant::FlaskCaching);

        const QJsonObject auth{{QStringLiteral("user"), m_user}, {QStringLiteral("password"), m_password}};
        CHECK_OK(python(QStringLiteral("pl(prefix='superset_data_').set('chart', {'rows': [1, 2]})\n"), ringAddresses()));
        CHECK_OK(python(QStringLiteral("from flask_caching.backends.memcache import SASLMemcachedCache\n"
                                       "SASLMemcachedCache(SERVERS, key_prefix='flask_cache_', username=ARGS['user'], "
                                       "password=ARGS['password']).set('dash', 'x')\n"),
                        {m_sasl.address()}, auth));
        CHECK_OK(python(QStringLiteral("pl(prefix='superset_results').set('q1', b'payload')\n")));
        auto chart = data->get("chart");
        CHECK_OK(chart);
        QVERIFY(chart->has_value());
        QCOMPARE((*chart)->get("rows")->items().size(), size_t(2));
        auto dash = sasl->get("dash");
        CHECK_OK(dash);
        QCOMPARE(dash->value_or(PyValue()), PyValue::str(QByteArray("x")));
        auto q1 = results->get("q1");
        CHECK_OK(q1);
        QCOMPARE(q1->value_or(PyValue()), PyValue::bytes("payload"));
        // Read-only: nothing is written.
        auto refused = data->set("chart", PyValue::integer(1));
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("read-only")), qPrintable(refused.error()));
        QVERIFY(!results->clear());
        auto still = data->get("chart");
        CHECK_OK(still);
        QVERIFY(still->has_value());
    }

    void configErrorsAreNamed()
    {
        const QString source = QStringLiteral(
            "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'MemcachedCache', 'CACHE_MEMCACHED_SERVERS': '127.0.0.1:11211'}\n"
            "CACHE_CONFIG = {'CACHE_TYPE': 'SASLMemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['a:1', 'b:2'],\n"
            "                'CACHE_OPTIONS': {'behaviors': {'ketama': True}}}\n"
            "THUMBNAIL_CACHE_CONFIG = {'CACHE_TYPE': 'MemcachedCache', 'CACHE_MEMCACHED_SERVERS': ['udp:h:1']}\n");
        const ConfigReport report = ConfigLoader::loadSource(source, QStringLiteral("superset_config.py"), {});
        QVERIFY2(report.loaded, qPrintable(report.error));
        for (const CacheSpec &spec : report.caches) {
            if (spec.backend != BackendType::Memcached)
                continue;
            auto built = CacheManager::buildCache(spec, CacheManager::Access::ReadOnly);
            QVERIFY(!built);
            QVERIFY2(built.error().contains(purposeConfigName(spec.purpose)), qPrintable(built.error()));
            if (spec.purpose == CachePurpose::Data)
                QVERIFY2(built.error().contains(QStringLiteral("not a list")), qPrintable(built.error()));
            if (spec.purpose == CachePurpose::Cache)
                QVERIFY2(built.error().contains(QStringLiteral("ketama")), qPrintable(built.error()));
            if (spec.purpose == CachePurpose::Thumbnail)
                QVERIFY2(built.error().contains(QStringLiteral("UDP")), qPrintable(built.error()));
        }
    }
};

QTEST_GUILESS_MAIN(TestMemcachedInterop)
#include "tst_memcachedinterop.moc"
