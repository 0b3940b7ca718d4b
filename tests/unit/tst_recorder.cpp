#include "hitrateseries.h"
#include "monitor/recorder.h"
#include "monitor/replayer.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cachescope;

namespace {

struct Session
{
    QList<HitRateSample> hits;
    QList<ServerSample> servers;
};

Session syntheticSession(int seconds)
{
    Session s;
    QRandomGenerator rng(7);
    const QStringList caches = {QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("CACHE_CONFIG"),
                                QStringLiteral("superset_ü")};
    const qint64 start = 1'700'000'000'000;
    for (int t = 0; t < seconds; ++t) {
        for (int c = 0; c < caches.size(); ++c) {
            HitRateSample h;
            h.timestampMs = start + t * 1000 + c;
            h.cache = caches[c];
            h.source = SampleSource(c % 4);
            h.exactness = Exactness((c + 1) % 4);
            h.intervalSeconds = 1.0 + rng.generateDouble() / 100;
            h.hitsPerSecond = rng.generateDouble() * 1000;
            h.missesPerSecond = rng.generateDouble() * 100;
            h.setsPerSecond = t % 5 ? rng.generateDouble() : 0.1 + 0.2; // not exactly representable
            s.hits.append(h);
        }
        ServerSample v;
        v.timestampMs = start + t * 1000 + 500;
        v.server = QStringLiteral("redis://127.0.0.1:6379/0");
        v.intervalSeconds = 1;
        v.usedMemory = quint64(1) << 40;
        v.maxMemory = 0;
        v.evictionsPerSecond = rng.generateDouble();
        v.expirationsPerSecond = rng.generateDouble();
        v.opsPerSecond = 1e6 * rng.generateDouble();
        v.keys = quint64(t) * 1000;
        v.expires = quint64(t);
        v.counterReset = t == 3;
        s.servers.append(v);
    }
    return s;
}

void feed(HitRateSeries &model, const Session &s)
{
    // In arrival (time) order, as the live sources deliver them.
    qsizetype i = 0, j = 0;
    while (i < s.hits.size() || j < s.servers.size()) {
        if (j >= s.servers.size() || (i < s.hits.size() && s.hits[i].timestampMs <= s.servers[j].timestampMs))
            model.addHitSample(s.hits[i++]);
        else
            model.addServerSample(s.servers[j++]);
    }
}

bool sameSeries(const HitRateSeries &a, const HitRateSeries &b, QString *why)
{
    if (a.rowCount() != b.rowCount()) {
        *why = QStringLiteral("row count");
        return false;
    }
    for (int r = 0; r < a.rowCount(); ++r) {
        for (qint64 window : {60, 600, 3600, 86400}) {
            const auto pa = a.points(r, window);
            const auto pb = b.points(b.rowOf(a.cacheAt(r), a.sourceAt(r)), window);
            if (pa.size() != pb.size()) {
                *why = QStringLiteral("size of %1").arg(a.cacheAt(r));
                return false;
            }
            for (qsizetype i = 0; i < pa.size(); ++i) {
                if (pa[i].t != pb[i].t)
                    return false;
                for (int k = 0; k < 4; ++k) {
                    const bool bothNan = std::isnan(pa[i].v[k]) && std::isnan(pb[i].v[k]);
                    if (!bothNan && pa[i].v[k] != pb[i].v[k]) {
                        *why = QStringLiteral("value %1 of %2").arg(i).arg(a.cacheAt(r));
                        return false;
                    }
                }
            }
        }
    }
    return a.servers() == b.servers();
}

} // namespace

class TestRecorder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void recordThenLoadGivesIdenticalSamples();
    void replayGivesIdenticalSeries();
    void pacedReplayKeepsOrder();
    void rejectsOtherFiles();
};

void TestRecorder::recordThenLoadGivesIdenticalSamples()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.cachescope"));
    const Session session = syntheticSession(120);
    {
        Recorder recorder;
        QVERIFY(recorder.open(path));
        for (const auto &h : session.hits)
            recorder.recordHit(h);
        QVERIFY(recorder.flush()); // a flush in the middle, as the timer does
        for (const auto &v : session.servers)
            recorder.recordServer(v);
        recorder.close();
        QCOMPARE(recorder.recordedCount(), quint64(session.hits.size() + session.servers.size()));
    }
    auto loaded = Replayer::load(path);
    QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error()));
    QList<HitRateSample> hits;
    QList<ServerSample> servers;
    qint64 lastTs = 0;
    for (const auto &r : *loaded) {
        const qint64 ts = std::visit([](const auto &s) { return s.timestampMs; }, r);
        QVERIFY(ts >= lastTs);
        lastTs = ts;
        if (const auto *h = std::get_if<HitRateSample>(&r))
            hits.append(*h);
        else
            servers.append(std::get<ServerSample>(r));
    }
    QCOMPARE(hits, session.hits);
    QCOMPARE(servers, session.servers);
}

void TestRecorder::replayGivesIdenticalSeries()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.cachescope"));
    const Session session = syntheticSession(900);
    HitRateSeries live;
    feed(live, session);
    {
        Recorder recorder;
        QVERIFY(recorder.open(path));
        for (const auto &h : session.hits)
            recorder.recordHit(h);
        for (const auto &v : session.servers)
            recorder.recordServer(v);
    }
    HitRateSeries replayed;
    Replayer replayer;
    connect(&replayer, &Replayer::hitSample, &replayed, &HitRateSeries::addHitSample);
    connect(&replayer, &Replayer::serverSample, &replayed, &HitRateSeries::addServerSample);
    QSignalSpy finished(&replayer, &Replayer::finished);
    QVERIFY(replayer.open(path));
    QCOMPARE(replayer.sampleCount(), session.hits.size() + session.servers.size());
    replayer.start(0); // as fast as possible
    QVERIFY(finished.wait(30000));
    QString why;
    QVERIFY2(sameSeries(live, replayed, &why), qPrintable(why));
}

void TestRecorder::pacedReplayKeepsOrder()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.cachescope"));
    const Session session = syntheticSession(3);
    {
        Recorder recorder;
        QVERIFY(recorder.open(path));
        for (const auto &h : session.hits)
            recorder.recordHit(h);
    }
    Replayer replayer;
    QSignalSpy hits(&replayer, &Replayer::hitSample);
    QSignalSpy finished(&replayer, &Replayer::finished);
    QVERIFY(replayer.open(path));
    replayer.start(20.0); // 3 s of samples in ~0.1 s
    QVERIFY(finished.wait(10000));
    QCOMPARE(hits.size(), session.hits.size());
    for (int i = 0; i < hits.size(); ++i)
        QCOMPARE(hits.at(i).at(0).value<HitRateSample>(), session.hits.at(i));
}

void TestRecorder::rejectsOtherFiles()
{
    QTemporaryDir dir;
    QVERIFY(!Replayer::load(dir.filePath(QStringLiteral("missing"))));
    QFile junk(dir.filePath(QStringLiteral("junk")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not sqlite");
    junk.close();
    auto r = Replayer::load(junk.fileName());
    QVERIFY(!r);
    QVERIFY(r.error().contains(junk.fileName()));
}

QTEST_GUILESS_MAIN(TestRecorder)
#include "tst_recorder.moc"
