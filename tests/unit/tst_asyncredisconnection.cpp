#include "redis/asyncredisconnection.h"
#include "redisserver.h"

#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>

using namespace cachescope;
using namespace std::chrono_literals;
using State = AsyncRedisConnection::State;

namespace {

// Waits until the spy saw a signal with the given id (first argument) and returns its arguments.
QList<QVariant> waitFor(QSignalSpy &spy, quint64 id, int timeoutMs = 15000)
{
    QList<QVariant> found;
    QTRY_LOOP_IMPL(
        [&] {
            for (const auto &args : spy)
                if (args.value(0).toULongLong() == id) {
                    found = args;
                    return true;
                }
            return false;
        }(),
        timeoutMs, 20);
    return found;
}

} // namespace

class TestAsyncRedisConnection : public QObject
{
    Q_OBJECT

private slots:
    void commandsAndPipelineOnTheOwnerThread()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        AsyncRedisConnection conn(server.redisUrl());
        QSignalSpy states(&conn, &AsyncRedisConnection::stateChanged);
        QSignalSpy replies(&conn, &AsyncRedisConnection::replyReady);
        QSignalSpy pipelines(&conn, &AsyncRedisConnection::pipelineReady);
        QSignalSpy failures(&conn, &AsyncRedisConnection::requestFailed);
        QThread *deliveredOn = nullptr;
        connect(&conn, &AsyncRedisConnection::replyReady, this, [&] { deliveredOn = QThread::currentThread(); });

        conn.open();
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Connected, 10000);
        QCOMPARE(states.first().first().value<State>(), State::Connecting);

        const quint64 set = conn.send({"SET", "k", QByteArray("v\0v", 3)});
        const quint64 get = conn.send({"GET", "k"});
        QVERIFY(get > set);
        const auto got = waitFor(replies, get);
        QVERIFY(!got.isEmpty());
        QCOMPARE(got.at(1).value<RedisReply>().string, QByteArray("v\0v", 3));
        QCOMPARE(deliveredOn, QThread::currentThread());
        // In order: the SET reply arrived before the GET reply.
        QCOMPARE(replies.first().first().toULongLong(), set);

        const quint64 pipe = conn.sendPipeline({{"INCR", "n"}, {"INCR", "n"}, {"GET", "nope"}});
        const auto p = waitFor(pipelines, pipe);
        QVERIFY(!p.isEmpty());
        const auto vec = p.at(1).value<std::vector<RedisReply>>();
        QCOMPARE(vec.size(), size_t(3));
        QCOMPARE(vec[1].integer, 2);
        QVERIFY(vec[2].isNil());

        const quint64 err = conn.send({"HGET", "k", "f"}); // WRONGTYPE is a reply, not a failure
        const auto e = waitFor(replies, err);
        QVERIFY(e.at(1).value<RedisReply>().isError());
        QVERIFY(failures.isEmpty());
    }

    void sendNeverBlocksAndCancelDrops()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        AsyncRedisConnection conn(server.redisUrl());
        QSignalSpy replies(&conn, &AsyncRedisConnection::replyReady);
        conn.open();
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Connected, 10000);
        // The worker is busy for a second; the GUI-side calls return ids right away.
        const quint64 slow = conn.send({"BLPOP", "nothing", "1"});
        const quint64 dropped = conn.send({"PING"});
        conn.cancel(dropped);
        const quint64 last = conn.send({"ECHO", "after"});
        QVERIFY(slow < dropped && dropped < last);
        const auto got = waitFor(replies, last);
        QCOMPARE(got.at(1).value<RedisReply>().string, QByteArray("after"));
        for (const auto &args : replies)
            QVERIFY(args.first().toULongLong() != dropped);
        QCOMPARE(replies.size(), 2);
    }

    void sendFromOtherThreadsAndDestroyWhileBusy()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        auto conn = std::make_unique<AsyncRedisConnection>(server.redisUrl());
        QSignalSpy replies(conn.get(), &AsyncRedisConnection::replyReady);
        conn->open();
        QTRY_COMPARE_WITH_TIMEOUT(conn->state(), State::Connected, 10000);
        // send() is thread-safe: four threads, distinct ids, every reply delivered here.
        QList<QThread *> threads;
        QMutex idsMutex;
        QSet<quint64> ids;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&, t] {
                for (int i = 0; i < 50; ++i) {
                    const quint64 id = conn->send({"INCR", "counter" + QByteArray::number(t)});
                    QMutexLocker lock(&idsMutex);
                    ids.insert(id);
                }
            }));
            threads.last()->start();
        }
        for (auto *t : threads) {
            QVERIFY(t->wait(30000));
            delete t;
        }
        QCOMPARE(ids.size(), 200);
        QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 200, 20000);
        for (const auto &args : replies)
            QVERIFY(ids.contains(args.first().toULongLong()));

        // Destroyed with a request in flight and more queued: returns once the worker is done.
        conn->send({"BLPOP", "nothing", "1"});
        for (int i = 0; i < 100; ++i)
            conn->send({"PING"});
        conn.reset();
        QVERIFY(server.command({"PING"}).startsWith("+PONG"));
    }

    void deadServerFailsRequestsClearly()
    {
        RedisUrl url;
        url.host = QStringLiteral("127.0.0.1");
        url.port = test::freeLoopbackPort();
        AsyncRedisConnection conn(url);
        QSignalSpy failures(&conn, &AsyncRedisConnection::requestFailed);
        QSignalSpy states(&conn, &AsyncRedisConnection::stateChanged);
        conn.open();
        auto sawDisconnected = [&] {
            return std::any_of(states.cbegin(), states.cend(),
                               [](const QList<QVariant> &a) { return a.first().value<State>() == State::Disconnected; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(sawDisconnected(), 10000);
        QVERIFY2(conn.lastError().contains(QStringLiteral("127.0.0.1:%1").arg(url.port)), qPrintable(conn.lastError()));
        const quint64 id = conn.send({"PING"});
        const auto f = waitFor(failures, id);
        QVERIFY(!f.isEmpty());
        const QString message = f.at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("not connected")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:%1").arg(url.port)), qPrintable(message));
        // It keeps retrying by itself (Connecting again after the back-off).
        QTRY_VERIFY_WITH_TIMEOUT(states.count() >= 4, 10000);
    }

    void reconnectsAfterServerRestart()
    {
        test::RedisServer server;
        QVERIFY(server.start().isEmpty());
        RedisUrl url = server.redisUrl();
        url.socketTimeout = 60s;
        AsyncRedisConnection conn(url);
        QSignalSpy replies(&conn, &AsyncRedisConnection::replyReady);
        QSignalSpy failures(&conn, &AsyncRedisConnection::requestFailed);
        conn.open();
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Connected, 10000);

        // A request in flight when the server goes away fails with a message naming the server.
        const quint64 blocked = conn.send({"BLPOP", "nothing", "0"});
        QTest::qWait(300); // let the worker send it (sequencing only, nothing is timed)
        server.stop();
        const auto f = waitFor(failures, blocked);
        QVERIFY(!f.isEmpty());
        QVERIFY2(f.at(1).toString().contains(QStringLiteral("127.0.0.1:%1").arg(server.port())),
                 qPrintable(f.at(1).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Disconnected, 10000);

        QVERIFY(server.restart().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Connected, 30000);
        const quint64 ping = conn.send({"PING"});
        const auto r = waitFor(replies, ping);
        QCOMPARE(r.at(1).value<RedisReply>().string, QByteArray("PONG"));

        // An idle link notices the server going away (keep-alive PING) and comes back again.
        QSignalSpy states(&conn, &AsyncRedisConnection::stateChanged);
        server.stop();
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Disconnected, 10000);
        const quint64 whileDown = conn.send({"ECHO", "x"});
        const auto down = waitFor(failures, whileDown);
        QVERIFY(!down.isEmpty());
        QVERIFY(server.restart().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Connected, 30000);
        QVERIFY(states.size() >= 2);
        const quint64 after = conn.send({"ECHO", "back"});
        QCOMPARE(waitFor(replies, after).value(1).value<RedisReply>().string, QByteArray("back"));

        conn.close();
        QTRY_COMPARE_WITH_TIMEOUT(conn.state(), State::Disconnected, 10000);
    }
};

QTEST_GUILESS_MAIN(TestAsyncRedisConnection)
#include "tst_asyncredisconnection.moc"
