// The memcached client layer: server addresses, reply-line parsers, the flags codec, and
// MemcachedLink/MemcachedClient against a real memcached (text protocol) and a real SASL one
// (memcached -S with a Cyrus sasldb, binary protocol, PLAIN and CRAM-MD5).
#include "checkok.h"
#include "memcached/memcachedclient.h"
#include "memcached/memcachedkeylister.h"
#include "memcached/memcachedreplies.h"
#include "memcached/memcachedvalue.h"
#include "codec/inflater.h"
#include "memcachedserver.h"
#include "redisserver.h"

#include <QProcess>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace cachescope;

namespace {

MemcachedLink::Store setOf(const QByteArray &key, const QByteArray &data, quint32 flags = 0, qint64 exptime = 0)
{
    return MemcachedLink::Store{MemcachedLink::StoreCommand::Set, key, MemcachedItem{flags, data}, exptime};
}

} // namespace

class TestMemcachedClient : public QObject
{
    Q_OBJECT

    test::MemcachedServer m_server;
    test::MemcachedServer m_sasl;
    const QString m_user = QStringLiteral("superset");
    const QString m_password = QStringLiteral("s3cr3t pass");

    MemcachedLink::Credentials credentials(const QString &password) const
    {
        return MemcachedLink::Credentials{m_user, password};
    }

private slots:
    void initTestCase()
    {
        QString error = m_server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = m_sasl.startWithSasl({m_user, m_password});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void endpointParsing_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("weight");
        QTest::addRow("host only") << "10.0.0.5" << "10.0.0.5:11211" << 1;
        QTest::addRow("host:port") << "mc.internal:22122" << "mc.internal:22122" << 1;
        QTest::addRow("pylibmc weight") << "127.0.0.1:1234:2" << "127.0.0.1:1234" << 2;
        QTest::addRow("ipv6 port") << "[::1]:22122" << "[::1]:22122" << 1;
        QTest::addRow("ipv6 default port") << "[::1]" << "[::1]:11211" << 1;
        QTest::addRow("ipv6 weight") << "[::1]:22122:3" << "[::1]:22122" << 3;
        QTest::addRow("pylibmc unix") << "/var/run/memcached.sock" << "unix:/var/run/memcached.sock" << 1;
        QTest::addRow("python-memcache unix") << "unix:/tmp/mc.sock" << "unix:/tmp/mc.sock" << 1;
        QTest::addRow("python-memcache inet") << "inet:mc:5" << "mc:5" << 1;
        QTest::addRow("python-memcache inet6") << "inet6:[fe80::1]:7" << "[fe80::1]:7" << 1;
    }
    void endpointParsing()
    {
        QFETCH(QString, spec);
        QFETCH(QString, name);
        QFETCH(int, weight);
        auto e = MemcachedEndpoint::parse(spec);
        CHECK_OK(e);
        QCOMPARE(e->name(), name);
        QCOMPARE(e->weight, weight);
    }

    void endpointErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("reason");
        QTest::addRow("udp") << "udp:127.0.0.1:11211" << "UDP servers are not supported";
        QTest::addRow("port 0") << "h:0" << "port '0'";
        QTest::addRow("port too big") << "h:99999" << "port '99999'";
        QTest::addRow("bad bracket") << "[::1:5" << "'[' without ']'";
        QTest::addRow("empty") << "" << "empty address";
        QTest::addRow("weight 0") << "h:12:0" << "weight '0'";
        QTest::addRow("no host") << ":11211" << "no host";
    }
    void endpointErrors()
    {
        QFETCH(QString, spec);
        QFETCH(QString, reason);
        auto e = MemcachedEndpoint::parse(spec);
        QVERIFY(!e);
        QVERIFY2(e.error().contains(reason), qPrintable(e.error()));
        auto list = MemcachedEndpoint::parseList(QStringLiteral("127.0.0.1:1,") + spec);
        QVERIFY(!list);
    }

    void replyLines()
    {
        auto v = memcachedreplies::parseValueLine("VALUE k\xc3\xbc 16 6 99");
        CHECK_OK(v);
        QCOMPARE(v->key, QByteArray("k\xc3\xbc"));
        QCOMPARE(v->flags, 16u);
        QCOMPARE(v->bytes, 6);
        QCOMPARE(v->cas.value_or(0), 99u);
        QVERIFY(!memcachedreplies::parseValueLine("VALUE k 16"));
        QVERIFY(!memcachedreplies::parseValueLine("VALUE k -1 6"));
        QVERIFY(!memcachedreplies::parseValueLine("VALUE k 4294967296 6")); // flags are 32 bits

        auto hd = memcachedreplies::parseMetaLine("HD t-1 s12 f4");
        CHECK_OK(hd);
        QVERIFY(hd->found);
        QCOMPARE(hd->ttl, -1);
        QCOMPARE(hd->size, 12);
        QCOMPARE(hd->flags, 4u);
        auto en = memcachedreplies::parseMetaLine("EN");
        CHECK_OK(en);
        QVERIFY(!en->found);
        auto va = memcachedreplies::parseMetaLine("VA 3 t77");
        CHECK_OK(va);
        QCOMPARE(va->valueBytes, 3);
        QCOMPARE(va->ttl, 77);
        QVERIFY(!memcachedreplies::parseMetaLine("HD tx"));
        QVERIFY(!memcachedreplies::parseMetaLine("NF"));

        auto stat = memcachedreplies::parseStatLine("STAT binding_protocol auto negotiate");
        CHECK_OK(stat);
        QCOMPARE(stat->first, QByteArray("binding_protocol"));
        QCOMPARE(stat->second, QByteArray("auto negotiate"));
        QVERIFY(!memcachedreplies::parseStatLine("STATS x"));

        auto p = memcachedreplies::parsePrefixLine("PREFIX superset get 10 hit 7 set 3 del 1");
        CHECK_OK(p);
        QCOMPARE(p->prefix, QByteArray("superset"));
        QCOMPARE(p->gets, 10u);
        QCOMPARE(p->hits, 7u);
        QCOMPARE(p->sets, 3u);
        QCOMPARE(p->deletes, 1u);
        QVERIFY(!memcachedreplies::parsePrefixLine("PREFIX superset get 10 hit 7"));

        QCOMPARE(memcachedreplies::errorReply("CLIENT_ERROR bad data chunk").value_or(QString()),
                 QStringLiteral("CLIENT_ERROR bad data chunk"));
        QVERIFY(!memcachedreplies::errorReply("STORED"));
    }

    // The key encodings seen from memcached 1.6.18 (FORMATS: %3A, %C3%BC, %252F).
    void metadumpLines()
    {
        auto m = memcachedreplies::parseMetadumpLine(
            "key=ns%3Ak%C3%BC%252F exp=1796535291 la=1796535190 cas=29 fetch=no cls=1 size=73");
        CHECK_OK(m);
        QCOMPARE(m->key, QByteArray("ns:k\xc3\xbc%2F"));
        QCOMPARE(m->exp, 1796535291);
        QCOMPARE(m->lastAccess, 1796535190);
        QCOMPARE(m->cas, 29u);
        QVERIFY(!m->fetched);
        QCOMPARE(m->slabClass, 1);
        QCOMPARE(m->size, 73);
        auto never = memcachedreplies::parseMetadumpLine("key=a exp=-1 la=1 cas=1 fetch=yes cls=2 size=9 flags=0");
        CHECK_OK(never);
        QCOMPARE(never->exp, -1);
        QVERIFY(never->fetched);
        for (const char *bad : {"key=%zz exp=1", "exp=1 key=a", "key=a exp=x", "key=a cls", "key= exp=1", "key=a fetch=maybe"}) {
            auto r = memcachedreplies::parseMetadumpLine(bad);
            QVERIFY2(!r, bad);
            QVERIFY2(r.error().contains(QStringLiteral("metadump")), qPrintable(r.error()));
        }
    }

    void flagsCodec()
    {
        // pylibmc's reading refuses type bits it does not know; python-memcache takes the first it knows.
        auto odd = memcachedvalue::decode(MemcachedItem{3, "1"}, MemcachedClientKind::Pylibmc);
        QVERIFY(!odd);
        QVERIFY2(odd.error().contains(QStringLiteral("unknown memcached key flags 3")), qPrintable(odd.error()));
        auto lenient = memcachedvalue::decode(MemcachedItem{3, "12"}, MemcachedClientKind::PythonMemcache);
        CHECK_OK(lenient);
        QCOMPARE(*lenient, PyValue::integer(12));
        // Bits outside the type mask are ignored by pylibmc (flags & PYLIBMC_FLAG_TYPES).
        auto extra = memcachedvalue::decode(MemcachedItem{32, "raw"}, MemcachedClientKind::Pylibmc);
        CHECK_OK(extra);
        QCOMPARE(*extra, PyValue::bytes("raw"));
        // zlib (flag 8) is undone first, then the type.
        auto zipped = memcachedvalue::decode(MemcachedItem{8 | 16, Inflater::compressZlib("h\xc3\xa9llo")},
                                             MemcachedClientKind::Pylibmc);
        CHECK_OK(zipped);
        QCOMPARE(*zipped, PyValue::str(QByteArray("h\xc3\xa9llo")));
        auto notText = memcachedvalue::decode(MemcachedItem{16, "\xff"}, MemcachedClientKind::Pylibmc);
        QVERIFY(!notText);
        QVERIFY2(notText.error().contains(QStringLiteral("not valid UTF-8")), qPrintable(notText.error()));
        auto notInt = memcachedvalue::decode(MemcachedItem{4, "12a"}, MemcachedClientKind::Pylibmc);
        QVERIFY(!notInt);
        auto notPickle = memcachedvalue::decode(MemcachedItem{1, "\x80\x05"}, MemcachedClientKind::PythonMemcache);
        QVERIFY(!notPickle);
        QVERIFY2(notPickle.error().contains(QStringLiteral("does not load")), qPrintable(notPickle.error()));
        // A lone surrogate cannot be UTF-8 encoded by either client.
        auto surrogate = memcachedvalue::encode(PyValue::str(QByteArray("\xed\xa0\x80")), MemcachedClientKind::Pylibmc);
        QVERIFY(!surrogate);
        QCOMPARE(memcachedvalue::flagsName(9), QStringLiteral("zlib+pickle"));
        QCOMPARE(memcachedvalue::flagsName(4), QStringLiteral("int"));
        QCOMPARE(memcachedvalue::flagsName(5), QStringLiteral("flags 5"));
    }

    void envelope()
    {
        const MemcachedItem item{1, QByteArray("\x80\x05N.\r\n", 6)};
        const QByteArray env = memcachedvalue::envelope("superset_k", item);
        QCOMPARE(env, QByteArray("VALUE superset_k 1 6\r\n\x80\x05N.\r\n\r\n"));
        QVERIFY(memcachedvalue::looksLikeEnvelope(env));
        auto parsed = memcachedvalue::parseEnvelope(env);
        CHECK_OK(parsed);
        QCOMPARE(parsed->key, QByteArray("superset_k"));
        QCOMPARE(parsed->item, item);
        QCOMPARE(parsed->dataOffset, 22);
        // What a person pastes from a `gets` session: a CAS field and runs of spaces still read as
        // the item, and the envelope CacheScope writes for it is the canonical one.
        auto pasted = memcachedvalue::parseEnvelope(QByteArray("VALUE  superset_k 1  6 4711\r\n\x80\x05N.\r\n\r\n"));
        CHECK_OK(pasted);
        QCOMPARE(pasted->key, QByteArray("superset_k"));
        QCOMPARE(pasted->item, item);
        QCOMPARE(memcachedvalue::envelope(pasted->key, pasted->item), env);
        const struct
        {
            QByteArray bytes;
            const char *why;
        } bad[] = {{"VALUE k 1 6\r\nabc\r\n", "announces 6 bytes"},
                   {"VALUE k 1 2\r\nabc\r\n", "not followed by exactly"},
                   {"VALUE k x 2\r\nab\r\n", "malformed VALUE line"},
                   {"VALUE k 1 2 x\r\nab\r\n", "malformed VALUE line"},
                   {"VALUE k 1 2 ab", "no \"\\r\\n\""},
                   {"VAL k 1 2\r\nab\r\n", "does not start with"}};
        for (const auto &b : bad) {
            auto r = memcachedvalue::parseEnvelope(b.bytes);
            QVERIFY(!r);
            QVERIFY2(r.error().contains(QLatin1String(b.why)), qPrintable(r.error()));
        }
    }

    void textProtocolOperations()
    {
        MemcachedLink link(m_server.endpoint(), std::chrono::milliseconds(4000));
        QCOMPARE(link.protocol(), MemcachedLink::Protocol::Text);
        auto version = link.version();
        CHECK_OK(version);
        QVERIFY2(version->startsWith("1.6"), version->constData());

        auto stored = link.store({setOf("t:a", "alpha", 16), setOf("t:b", QByteArray("\0\r\n", 3), 0, 100)});
        CHECK_OK(stored);
        QCOMPARE(*stored, (QList{MemcachedLink::StoreResult::Stored, MemcachedLink::StoreResult::Stored}));
        auto added = link.store({MemcachedLink::Store{MemcachedLink::StoreCommand::Add, "t:a", MemcachedItem{0, "x"}, 0}});
        CHECK_OK(added);
        QCOMPARE(added->front(), MemcachedLink::StoreResult::NotStored);

        auto got = link.get({"t:b", "t:missing", "t:a"});
        CHECK_OK(got);
        QCOMPARE(got->size(), 2);
        QCOMPARE(got->at(0).key, QByteArray("t:b"));
        QCOMPARE(got->at(0).item.data, QByteArray("\0\r\n", 3));
        QCOMPARE(got->at(1).item, (MemcachedItem{16, "alpha"}));

        auto meta = link.meta({"t:a", "t:b", "t:missing"});
        CHECK_OK(meta);
        QCOMPARE(meta->at(0)->ttl, -1);
        QCOMPARE(meta->at(0)->size, 5);
        QCOMPARE(meta->at(0)->flags, 16u);
        QVERIFY(meta->at(1)->ttl > 90 && meta->at(1)->ttl <= 100);
        QVERIFY(!meta->at(2));

        CHECK_OK(link.store({setOf("t:n", "41", 4)}));
        auto inc = link.incrDecr("t:n", 1, true);
        CHECK_OK(inc);
        QCOMPARE(inc->value_or(0), 42u);
        auto dec = link.incrDecr("t:n", 100, false);
        CHECK_OK(dec);
        QCOMPARE(dec->value_or(99), 0u); // memcached's decr stops at 0
        auto missing = link.incrDecr("t:none", 1, true);
        CHECK_OK(missing);
        QVERIFY(!missing->has_value());
        auto nonNumeric = link.incrDecr("t:a", 1, true);
        QVERIFY(!nonNumeric);
        QVERIFY2(nonNumeric.error().contains(QStringLiteral("CLIENT_ERROR")), qPrintable(nonNumeric.error()));
        QVERIFY2(nonNumeric.error().contains(m_server.address()), qPrintable(nonNumeric.error()));
        // The link is usable again after an error reply.
        auto touched = link.touch({"t:a", "t:none"}, 500);
        CHECK_OK(touched);
        QCOMPARE(*touched, (QList<bool>{true, false}));
        auto deleted = link.remove({"t:a", "t:a"});
        CHECK_OK(deleted);
        QCOMPARE(*deleted, (QList<bool>{true, false}));

        auto stats = link.stats();
        CHECK_OK(stats);
        bool sawVersion = false;
        for (const auto &[name, value] : *stats)
            sawVersion = sawVersion || (name == "version" && value == *version);
        QVERIFY(sawVersion);
        auto items = link.stats("items");
        CHECK_OK(items);
        QVERIFY(!items->isEmpty());
    }

    void manyKeysOneRoundTripEach()
    {
        MemcachedLink link(m_server.endpoint(), std::chrono::milliseconds(4000));
        QList<MemcachedLink::Store> stores;
        QList<QByteArray> keys;
        for (int i = 0; i < 450; ++i) {
            keys.append("many:" + QByteArray::number(i));
            stores.append(setOf(keys.last(), QByteArray(i % 50, 'v'), quint32(i)));
        }
        auto stored = link.store(stores);
        CHECK_OK(stored);
        QCOMPARE(stored->count(MemcachedLink::StoreResult::Stored), 450);
        auto got = link.get(keys);
        CHECK_OK(got);
        QCOMPARE(got->size(), 450);
        for (int i = 0; i < 450; ++i)
            QCOMPARE(got->at(i).item, (MemcachedItem{quint32(i), QByteArray(i % 50, 'v')}));
    }

    // Keys come back percent-decoded from lru_crawler metadump, over every slab class.
    void keyListing()
    {
        MemcachedClient client({{m_server.endpoint()}, MemcachedClientKind::Pylibmc, {}, std::chrono::milliseconds(4000)});
        QList<MemcachedLink::Store> stores{setOf("list:k\xc3\xbc%2F", "v"), setOf("list:colon:x", "v"),
                                           setOf("list:big", QByteArray(20000, 'b'))};
        CHECK_OK(client.store(stores));
        MemcachedKeyLister lister(client);
        QSet<QByteArray> seen;
        QByteArray cursor = "0";
        int pages = 0;
        bool otherServer = false;
        do {
            auto next = lister.page(cursor, [&](int server, memcachedreplies::MetadumpLine &&item) {
                otherServer = otherServer || server != 0;
                seen.insert(item.key);
                return true;
            });
            CHECK_OK(next);
            QVERIFY(*next != cursor);
            cursor = *next;
            ++pages;
        } while (!MemcachedKeyLister::isDone(cursor) && pages < 100);
        QVERIFY2(pages >= 2, "a 20000-byte value lives in another slab class than the small ones");
        QVERIFY(!otherServer);
        for (const auto &s : stores)
            QVERIFY2(seen.contains(s.key), s.key.constData());
        auto bad = lister.page("7:x", [](int, memcachedreplies::MetadumpLine &&) { return true; });
        QVERIFY(!bad);
        QVERIFY2(bad.error().contains(QStringLiteral("cursor")), qPrintable(bad.error()));
    }

    // Servers that will not list their keys say why, and the link stays usable for values.
    void keyListingRefusals_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("reason");
        QTest::newRow("-X") << QStringList{QStringLiteral("-X")} << QStringLiteral("started with -X (--disable-dumping)");
        QTest::newRow("no_lru_crawler") << QStringList{QStringLiteral("-o"), QStringLiteral("no_lru_crawler")}
                                        << QStringLiteral("LRU crawler is off (-o no_lru_crawler)");
    }
    void keyListingRefusals()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, reason);
        test::MemcachedServer server;
        const QString error = server.start(args);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        MemcachedClient client({{server.endpoint()}, MemcachedClientKind::Pylibmc, {}, std::chrono::milliseconds(4000)});
        CHECK_OK(client.store({setOf("refused:k", "v")}));
        MemcachedKeyLister lister(client);
        int called = 0;
        auto page = lister.page("0", [&](int, memcachedreplies::MetadumpLine &&) { return ++called, true; });
        QVERIFY(!page);
        QCOMPARE(called, 0);
        QVERIFY2(page.error().contains(QStringLiteral("keys cannot be listed")) && page.error().contains(reason)
                     && page.error().contains(server.address()),
                 qPrintable(page.error()));
        auto got = client.link(0).get({"refused:k"});
        CHECK_OK(got);
        QCOMPARE(got->size(), 1);
    }

    void saslBinaryProtocol()
    {
        MemcachedLink link(m_sasl.endpoint(), std::chrono::milliseconds(4000), credentials(m_password));
        QCOMPARE(link.protocol(), MemcachedLink::Protocol::Binary);
        auto stored = link.store({setOf("s:a", "alpha", 16, 300), setOf("s:b", "beta")});
        CHECK_OK(stored);
        QCOMPARE(stored->count(MemcachedLink::StoreResult::Stored), 2);
        auto added = link.store({MemcachedLink::Store{MemcachedLink::StoreCommand::Add, "s:a", MemcachedItem{0, "x"}, 0}});
        CHECK_OK(added);
        QCOMPARE(added->front(), MemcachedLink::StoreResult::NotStored);
        auto got = link.get({"s:a", "s:none", "s:b"});
        CHECK_OK(got);
        QCOMPARE(got->size(), 2);
        QCOMPARE(got->at(0).item, (MemcachedItem{16, "alpha"}));
        QCOMPARE(got->at(1).key, QByteArray("s:b"));
        CHECK_OK(link.store({setOf("s:n", "7", 4)}));
        auto inc = link.incrDecr("s:n", 5, true);
        CHECK_OK(inc);
        QCOMPARE(inc->value_or(0), 12u);
        auto missing = link.incrDecr("s:none", 1, true);
        CHECK_OK(missing);
        QVERIFY(!missing->has_value());
        auto touched = link.touch({"s:a", "s:none"}, 100);
        CHECK_OK(touched);
        QCOMPARE(*touched, (QList<bool>{true, false}));
        auto deleted = link.remove({"s:b", "s:b"});
        CHECK_OK(deleted);
        QCOMPARE(*deleted, (QList<bool>{true, false}));
        auto stats = link.stats();
        CHECK_OK(stats);
        QVERIFY(std::any_of(stats->begin(), stats->end(), [](const auto &s) { return s.first == "curr_items"; }));
        // What the binary protocol cannot do is refused with the reason.
        auto meta = link.meta({"s:a"});
        QVERIFY(!meta);
        QVERIFY2(meta.error().contains(QStringLiteral("binary protocol")), qPrintable(meta.error()));
        auto dump = link.metadump("all", [](QByteArrayView) { return true; });
        QVERIFY(!dump);
        QVERIFY2(dump.error().contains(QStringLiteral("keys cannot be listed")), qPrintable(dump.error()));
    }

    void saslMechanisms()
    {
        // PLAIN only, when CRAM-MD5 is not offered.
        test::MemcachedServer plain;
        const QString error = plain.startWithSasl({m_user, m_password, QStringLiteral("plain")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        MemcachedLink link(plain.endpoint(), std::chrono::milliseconds(4000), credentials(m_password));
        CHECK_OK(link.store({setOf("p", "v")}));
        // A mechanism CacheScope does not speak is named.
        test::MemcachedServer scram;
        const QString scramError = scram.startWithSasl({m_user, m_password, QStringLiteral("scram-sha-1")});
        QVERIFY2(scramError.isEmpty(), qPrintable(scramError));
        MemcachedLink other(scram.endpoint(), std::chrono::milliseconds(4000), credentials(m_password));
        auto refused = other.version();
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("SCRAM-SHA-1")), qPrintable(refused.error()));
        QVERIFY2(refused.error().contains(QStringLiteral("PLAIN and CRAM-MD5")), qPrintable(refused.error()));
    }

    void saslFailures()
    {
        MemcachedLink wrong(m_sasl.endpoint(), std::chrono::milliseconds(4000), credentials(QStringLiteral("nope")));
        auto denied = wrong.get({"s:a"});
        QVERIFY(!denied);
        QVERIFY2(denied.error().contains(QStringLiteral("authentication failed for user 'superset'")),
                 qPrintable(denied.error()));
        QVERIFY2(!denied.error().contains(QStringLiteral("nope")), "the password must never appear in a message");
        // Without credentials the text protocol meets a binary-only server: it does not answer.
        MemcachedLink anonymous(m_sasl.endpoint(), std::chrono::milliseconds(300));
        auto silent = anonymous.version();
        QVERIFY(!silent);
        QVERIFY2(silent.error().contains(QStringLiteral("no answer within 300 ms")), qPrintable(silent.error()));
        // Credentials for a server without -S: the SASL exchange is refused by name.
        MemcachedLink needless(m_server.endpoint(), std::chrono::milliseconds(4000), credentials(m_password));
        auto needlessResult = needless.version();
        QVERIFY(!needlessResult);
        QVERIFY2(needlessResult.error().contains(QStringLiteral("SASL")), qPrintable(needlessResult.error()));
    }

    void connectionErrors()
    {
        MemcachedEndpoint closed;
        closed.port = test::freeLoopbackPort();
        MemcachedLink link(closed, std::chrono::milliseconds(2000));
        auto r = link.get({"k"});
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("cannot connect")), qPrintable(r.error()));
        QVERIFY2(r.error().contains(closed.name()), qPrintable(r.error()));
        MemcachedEndpoint unix;
        unix.transport = MemcachedEndpoint::Transport::Unix;
        unix.path = QStringLiteral("/nonexistent/memcached.sock");
        MemcachedLink viaSocket(unix, std::chrono::milliseconds(2000));
        auto s = viaSocket.version();
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("unix:/nonexistent/memcached.sock")), qPrintable(s.error()));
    }

    // A link survives a server restart (same port): the next call reconnects once by itself.
    void reconnectsAfterRestart()
    {
        test::MemcachedServer server;
        QString error = server.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        MemcachedEndpoint e = server.endpoint();
        MemcachedLink link(e, std::chrono::milliseconds(4000));
        CHECK_OK(link.store({setOf("r", "1")}));
        server.stop();
        // Start another memcached on the same port (free again once the old one is gone).
        QProcess again;
        QStringList args{QStringLiteral("-l"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(e.port),
                         QStringLiteral("-U"), QStringLiteral("0")};
        if (::geteuid() == 0)
            args << QStringLiteral("-u") << QStringLiteral("nobody");
        again.start(QStringLiteral("memcached"), args);
        QVERIFY(again.waitForStarted(5000));
        Expected<QList<MemcachedLink::Value>> got = makeError(QStringLiteral("not tried"));
        for (int i = 0; i < 50 && !got; ++i) {
            got = link.get({"r"});
            if (!got)
                QThread::msleep(50);
        }
        CHECK_OK(got);
        QVERIFY(got->isEmpty()); // a new, empty server
        again.terminate();
        again.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestMemcachedClient)
#include "tst_memcachedclient.moc"
