// What each backend makes of the timeout Superset hands to cache.set() (None, 0, -1, other
// negatives, a positive number), as CacheScope states it on the Timeouts page and in pitfalls,
// checked against Debian's real cachelib writing to a real redis-server, a real cache directory and
// an in-process SimpleCache.
#include "timeouts/backendexpiry.h"

#include "python.h"
#include "redisserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QTest>

using namespace cachescope;
using namespace cachescope::test;

namespace {

// For each backend and timeout: what cachelib stored and whether get() reads it back.
const char *kScript = R"PY(
import json, struct, sys, tempfile, time
import redis
from cachelib import FileSystemCache, RedisCache, SimpleCache
port = int(sys.argv[1])
timeouts = [("5", 5), ("0", 0), ("-1", -1), ("-5", -5), ("None", None)]
out = {}
rc = RedisCache(host="127.0.0.1", port=port, key_prefix="x_", default_timeout=300)
raw = redis.Redis(host="127.0.0.1", port=port)
for name, t in timeouts:
    try:
        rc.set("k" + name, {"a": 1}, timeout=t)
        ttl = raw.ttl("x_k" + name)
        kind = "never" if ttl == -1 else ("missing" if ttl == -2 else "seconds")
        out["redis " + name] = [kind, ttl, rc.get("k" + name) is not None]
    except Exception as ex:
        out["redis " + name] = ["rejected", 0, False, str(ex)]
fc = FileSystemCache(tempfile.mkdtemp(), default_timeout=300, threshold=0)
for name, t in timeouts:
    fc.set("k" + name, {"a": 1}, timeout=t)
    with open(fc._get_filename("k" + name), "rb") as f:
        expiry = struct.unpack("I", f.read(4))[0]
    now = int(time.time())
    kind = "never" if expiry == 0 else ("seconds" if expiry >= now else "expired")
    out["filesystem " + name] = [kind, expiry - now if expiry else 0, fc.get("k" + name) is not None]
sc = SimpleCache(default_timeout=300)
for name, t in timeouts:
    sc.set("k" + name, {"a": 1}, timeout=t)
    expires = sc._cache["k" + name][0]
    now = int(time.time())
    kind = "never" if expires == 0 else ("seconds" if expires > now else "expired")
    out["simple " + name] = [kind, expires - now if expires > 0 else 0, sc.get("k" + name) is not None]
print(json.dumps(out))
)PY";

QString kindName(StoredExpiry kind)
{
    switch (kind) {
    case StoredExpiry::Seconds: return QStringLiteral("seconds");
    case StoredExpiry::Never: return QStringLiteral("never");
    case StoredExpiry::ExpiredAtOnce: return QStringLiteral("expired");
    case StoredExpiry::Rejected: return QStringLiteral("rejected");
    case StoredExpiry::NotStored: return QStringLiteral("not stored");
    case StoredExpiry::Unknown: return QStringLiteral("unknown");
    }
    return {};
}

} // namespace

class TestBackendExpiry : public QObject
{
    Q_OBJECT

    RedisServer m_redis;
    QJsonObject m_observed;

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = m_redis.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto out = runPython(QString::fromUtf8(kScript), {QString::number(m_redis.port())});
        QVERIFY2(out, qPrintable(out.error()));
        m_observed = QJsonDocument::fromJson(*out).object();
        QVERIFY2(m_observed.size() == 15, out->constData());
    }

    void shouldMatchWhatCachelibDoes_data()
    {
        QTest::addColumn<int>("backend");
        QTest::addColumn<QString>("name");
        for (const auto &[backend, prefix] : {std::pair{BackendType::Redis, "redis"}, std::pair{BackendType::FileSystem, "filesystem"},
                                              std::pair{BackendType::Simple, "simple"}})
            for (const char *t : {"5", "0", "-1", "-5", "None"})
                QTest::addRow("%s %s", prefix, t) << int(backend) << QStringLiteral("%1 %2").arg(QLatin1String(prefix), QLatin1String(t));
    }

    void shouldMatchWhatCachelibDoes()
    {
        QFETCH(int, backend);
        QFETCH(QString, name);
        const QString t = name.section(u' ', 1);
        const std::optional<qint64> timeout = t == u"None" ? std::nullopt : std::optional<qint64>(t.toLongLong());
        const BackendExpiry stated = expiryOnBackend(BackendType(backend), timeout, 300);
        const QJsonArray seen = m_observed.value(name).toArray();
        QVERIFY2(!seen.isEmpty(), qPrintable(name));
        QCOMPARE(kindName(stated.kind), seen.at(0).toString());
        // Readable back exactly when CacheScope says it is stored with a future (or no) expiry.
        const bool readable = stated.kind == StoredExpiry::Seconds || stated.kind == StoredExpiry::Never;
        QCOMPARE(seen.at(2).toBool(), readable);
        if (stated.kind == StoredExpiry::Seconds) {
            QCOMPARE(stated.seconds, timeout.value_or(300));
            QVERIFY2(std::abs(seen.at(1).toInteger() - stated.seconds) <= 2, qPrintable(name));
        }
        if (stated.kind == StoredExpiry::Rejected)
            QVERIFY2(seen.at(3).toString().contains(u"expire"), qPrintable(seen.at(3).toString()));
    }

    void shouldNameNoneZeroAndMinusOneForEveryBackend()
    {
        for (BackendType b : {BackendType::Null, BackendType::Simple, BackendType::FileSystem, BackendType::Redis,
                              BackendType::RedisSentinel, BackendType::RedisCluster, BackendType::Memcached,
                              BackendType::SupersetMetastore}) {
            const QString text = noneZeroMinusOneMeaning(b, 86400);
            QVERIFY2(!text.isEmpty() && !text.contains(u"unknown"), qPrintable(backendTypeName(b)));
            if (b != BackendType::Null)
                QVERIFY2(text.contains(u"86400") && text.contains(u"-1"), qPrintable(text));
        }
    }
};

QTEST_GUILESS_MAIN(TestBackendExpiry)
#include "tst_backendexpiry.moc"
