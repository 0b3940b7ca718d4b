#include "keyspacenotifier.h"

#include "redis/redisclient.h"
#include "redis/redisstream.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QThread>

#include <algorithm>

namespace cachescope {

KeyspaceNotifier::Flags KeyspaceNotifier::parseFlags(const QByteArray &value)
{
    // Only keyevent channels (E) name the event in the channel and carry the key as payload.
    const bool keyevent = value.contains('E');
    const bool all = value.contains('A'); // A = "g$lshzxetd": includes x and e
    return Flags{keyevent && (all || value.contains('x')), keyevent && (all || value.contains('e'))};
}

QByteArray KeyspaceNotifier::flagsWith(const QByteArray &current, const QByteArray &events)
{
    QByteArray result = current;
    if (!result.contains('E'))
        result += 'E';
    for (char c : events)
        if ((c == 'x' || c == 'e') && !result.contains(c) && !result.contains('A'))
            result += c;
    return result;
}

namespace {

// Keys expire and are evicted on the master; a replica only replays the DELs it is sent and
// publishes no expired/evicted events, so behind Sentinel the master is watched.
RedisUrl onMaster(RedisUrl url)
{
    if (url.sentinel)
        url.sentinel->role = RedisSentinel::Role::Master;
    return url;
}

} // namespace

KeyspaceNotifier::KeyspaceNotifier(RedisUrl url, QObject *parent)
    : QObject(parent), m_url(onMaster(std::move(url))), m_server(m_url.redacted())
{
    qRegisterMetaType<KeyEventSample>();
    qRegisterMetaType<KeyspaceNotifier::State>();
}

KeyspaceNotifier::~KeyspaceNotifier()
{
    stop();
}

void KeyspaceNotifier::addPrefix(const QByteArray &prefix, const QString &cache)
{
    m_prefixes.append({prefix, cache});
    std::stable_sort(m_prefixes.begin(), m_prefixes.end(),
                     [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
}

QString KeyspaceNotifier::cacheForKey(const QByteArray &key) const
{
    for (const auto &[prefix, cache] : m_prefixes)
        if (key.startsWith(prefix))
            return cache;
    return m_unmatched;
}

bool KeyspaceNotifier::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

KeyspaceNotifier::State KeyspaceNotifier::state() const
{
    QMutexLocker lock(&m_stateMutex);
    return m_state;
}

QString KeyspaceNotifier::statusMessage() const
{
    QMutexLocker lock(&m_stateMutex);
    return m_message;
}

void KeyspaceNotifier::setState(State state, const QString &message)
{
    {
        QMutexLocker lock(&m_stateMutex);
        if (m_state == state && m_message == message)
            return; // a server that stays down is reported once, not once per retry
        m_state = state;
        m_message = message;
    }
    Q_EMIT stateChanged(state, message);
}

void KeyspaceNotifier::start()
{
    if (isRunning())
        return;
    m_stop.acquire(m_stop.available()); // forget an earlier stop()
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("KeyspaceNotifier"));
    m_thread->start();
}

void KeyspaceNotifier::stop()
{
    if (!m_thread)
        return;
    m_stop.release();
    m_thread->wait();
    m_thread.reset();
    setState(State::Idle, QString());
}

bool KeyspaceNotifier::waitForStop(int ms)
{
    if (!m_stop.tryAcquire(1, ms))
        return false;
    m_stop.release(); // keep it set for the loops that check it later
    return true;
}

void KeyspaceNotifier::run()
{
    const QByteArray db = QByteArray::number(m_url.db);
    const QByteArray channelPrefix = "__keyevent@" + db + "__:";
    const QByteArray expiredChannel = channelPrefix + "expired";
    const QByteArray evictedChannel = channelPrefix + "evicted";

    // Every configured cache gets a sample each interval, so a rate falls back to 0 when events stop.
    QStringList caches;
    for (const auto &entry : std::as_const(m_prefixes))
        if (!caches.contains(entry.second))
            caches.append(entry.second);
    QHash<QString, quint64> expired, evicted;
    QElapsedTimer interval;
    auto flush = [&] {
        const double secs = double(interval.restart()) / 1000.0;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QStringList names = caches;
        for (auto it = expired.cbegin(); it != expired.cend(); ++it)
            if (!names.contains(it.key()))
                names.append(it.key());
        for (auto it = evicted.cbegin(); it != evicted.cend(); ++it)
            if (!names.contains(it.key()))
                names.append(it.key());
        for (const QString &name : std::as_const(names)) {
            KeyEventSample s;
            s.timestampMs = now;
            s.server = m_server;
            s.cache = name;
            s.intervalSeconds = secs;
            s.expired = expired.value(name);
            s.evicted = evicted.value(name);
            Q_EMIT keyEventSample(s);
        }
        expired.clear();
        evicted.clear();
    };

    while (!waitForStop(0)) {
        RedisStream stream(m_url);
        const QString server = stream.serverName();
        if (auto opened = stream.open(); !opened) {
            setState(State::Connecting, QStringLiteral("%1; retrying every %2 ms").arg(opened.error()).arg(m_retryMs));
            if (waitForStop(m_retryMs))
                break;
            continue;
        }
        // Read only. Whatever the answer, the server's configuration is left as it is.
        auto config = stream.command({"CONFIG", "GET", "notify-keyspace-events"});
        if (!config) {
            setState(State::Connecting, QStringLiteral("%1; retrying every %2 ms").arg(config.error()).arg(m_retryMs));
            if (waitForStop(m_retryMs))
                break;
            continue;
        }
        if (config->isError() || config->type != RedisReply::Type::Array || config->elements.size() != 2
            || config->elements[1].type != RedisReply::Type::String) {
            const QString why = config->isError() ? QString::fromUtf8(config->string.left(200))
                                                  : QStringLiteral("unexpected reply");
            setState(State::Unknown,
                     QStringLiteral("keyspace notification status on %1 is unknown: CONFIG GET notify-keyspace-events "
                                    "failed (%2); CacheScope does not subscribe")
                         .arg(server, why));
            return;
        }
        const QByteArray value = config->elements[1].string;
        const Flags flags = parseFlags(value);
        if (!flags.expired && !flags.evicted) {
            const QString current = QString::fromUtf8(value.left(64));
            const QString suggested = QString::fromUtf8(flagsWith(value.left(64), "x"));
            setState(State::Off,
                     (value.isEmpty() ? QStringLiteral("keyspace notifications are off on %1 (notify-keyspace-events='%2')")
                                      : QStringLiteral("expired/evicted key events are not published on %1 "
                                                       "(notify-keyspace-events='%2')"))
                             .arg(server, current)
                         % QStringLiteral("; enable with CONFIG SET notify-keyspace-events %1 — CacheScope never changes it for you")
                               .arg(suggested));
            return;
        }
        QList<QByteArray> subscribe{"PSUBSCRIBE"};
        if (flags.expired)
            subscribe << expiredChannel;
        if (flags.evicted)
            subscribe << evictedChannel;
        if (auto sent = stream.send(subscribe); !sent) {
            setState(State::Connecting, QStringLiteral("%1; retrying every %2 ms").arg(sent.error()).arg(m_retryMs));
            if (waitForStop(m_retryMs))
                break;
            continue;
        }
        const QString what = flags.expired && flags.evicted ? QStringLiteral("expired and evicted")
                           : flags.expired                  ? QStringLiteral("expired")
                                                            : QStringLiteral("evicted");
        interval.start();
        QString lost;
        bool refused = false;
        while (!waitForStop(0)) {
            auto next = stream.next(qMin(100, m_intervalMs)); // the stop flag is checked at least 10 times a second
            if (!next) {
                lost = next.error();
                break;
            }
            if (next->has_value()) {
                const RedisReply &r = **next;
                if (r.isError()) { // e.g. NOPERM: the ACL user may not use these channels
                    setState(State::Refused, QStringLiteral("Redis %1 refused PSUBSCRIBE %2: %3")
                                                 .arg(server, QString::fromUtf8(subscribe.mid(1).join(' ')),
                                                      QString::fromUtf8(r.string.left(200))));
                    refused = true;
                    break;
                }
                if (r.type == RedisReply::Type::Array && r.elements.size() == 4 && r.elements[0].string == "pmessage") {
                    const QByteArray &channel = r.elements[2].string;
                    const QString cache = cacheForKey(r.elements[3].string);
                    if (!cache.isEmpty()) {
                        if (channel == expiredChannel)
                            ++expired[cache];
                        else if (channel == evictedChannel)
                            ++evicted[cache];
                    }
                } else if (r.type == RedisReply::Type::Array && r.elements.size() == 3 && r.elements[0].string == "psubscribe"
                           && r.elements[2].integer == subscribe.size() - 1) {
                    setState(State::Subscribed, QStringLiteral("subscribed to %1 key events of db %2 on %3")
                                                    .arg(what, QString::fromLatin1(db), server));
                }
            }
            if (interval.elapsed() >= m_intervalMs)
                flush();
        }
        flush(); // the partial interval: events already received are never dropped
        if (refused)
            return;
        if (!lost.isEmpty()) {
            setState(State::Connecting, QStringLiteral("%1; re-subscribing every %2 ms").arg(lost).arg(m_retryMs));
            if (waitForStop(m_retryMs))
                break;
        }
    }
}

Expected<QByteArray> KeyspaceNotifier::enableNotifications(const RedisUrl &url, const QByteArray &events)
{
    RedisClient client(url);
    if (auto ok = client.connect(); !ok)
        return Error{ok.error()};
    auto get = [&]() -> Expected<QByteArray> {
        auto r = client.command({"CONFIG", "GET", "notify-keyspace-events"});
        if (!r)
            return Error{r.error()};
        if (r->isError() || r->type != RedisReply::Type::Array || r->elements.size() != 2)
            return makeError(QStringLiteral("Redis %1: CONFIG GET notify-keyspace-events failed: %2")
                                 .arg(client.serverName(), r->isError() ? QString::fromUtf8(r->string.left(200))
                                                                        : QStringLiteral("unexpected reply")));
        return r->elements[1].string;
    };
    // Without the current value a SET could drop flags other tools rely on: refuse instead.
    auto current = get();
    if (!current)
        return current;
    const QByteArray wanted = flagsWith(*current, events);
    if (wanted == *current)
        return current;
    auto set = client.command({"CONFIG", "SET", "notify-keyspace-events", wanted});
    if (!set)
        return Error{set.error()};
    if (set->isError())
        return makeError(QStringLiteral("Redis %1: CONFIG SET notify-keyspace-events %2 failed: %3")
                             .arg(client.serverName(), QString::fromUtf8(wanted), QString::fromUtf8(set->string.left(200))));
    return get();
}

} // namespace cachescope
