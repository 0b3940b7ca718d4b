#pragma once

#include "common/expected.h"
#include "keyeventsample.h"
#include "redis/redisurl.h"

#include <QMutex>
#include <QObject>
#include <QSemaphore>

#include <atomic>
#include <memory>

class QThread;

namespace cachescope {

// Counts expired and evicted keys per cache (longest key prefix wins) from Redis keyspace
// notifications (PSUBSCRIBE __keyevent@<db>__:expired / :evicted) on its own connection and thread,
// but only when the server already publishes them: it reads notify-keyspace-events with CONFIG GET
// and never changes it. Changing server configuration is the user's decision; the UI calls the
// separate enableNotifications() after the user confirmed. Re-subscribes after a lost connection
// (server restart).
class KeyspaceNotifier : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Idle,         // not started, or stopped
        Connecting,   // (re)connecting, or waiting to retry after a failure
        Unknown,      // CONFIG GET is renamed or forbidden: whether events are on is unknown; nothing subscribed
        Off,          // the server does not publish expired/evicted keyevent notifications; nothing subscribed
        Subscribed,   // receiving events
        Refused,      // the server refused the subscription (ACL channel rules); nothing subscribed
    };
    Q_ENUM(State)

    // Which keyevent notifications a notify-keyspace-events value makes Redis publish.
    struct Flags
    {
        bool expired = false; // 'E' and ('x' or 'A')
        bool evicted = false; // 'E' and ('e' or 'A')
    };
    static Flags parseFlags(const QByteArray &notifyKeyspaceEvents);
    // The value to CONFIG SET so that `events` ("x", "e" or "xe") are published on keyevent channels,
    // keeping every flag already set ("" -> "Ex", "Kg" -> "KgEx").
    static QByteArray flagsWith(const QByteArray &current, const QByteArray &events);

    explicit KeyspaceNotifier(RedisUrl url, QObject *parent = nullptr);
    ~KeyspaceNotifier() override;

    // prefix as stored in Redis ("superset_") -> cache purpose ("CACHE_CONFIG"); call before start().
    void addPrefix(const QByteArray &prefix, const QString &cache);
    // Keys matching no prefix are counted under this name (empty = ignored). Default "(other)".
    void setUnmatchedName(const QString &name) { m_unmatched = name; }
    void setIntervalMs(int ms) { m_intervalMs = qMax(10, ms); }
    void setRetryMs(int ms) { m_retryMs = qMax(10, ms); }
    QString cacheForKey(const QByteArray &key) const;

    void start();
    void stop(); // blocks until the connection is closed (at most ~100 ms of waiting)
    bool isRunning() const;
    State state() const;
    QString statusMessage() const;
    QString server() const { return m_server; }

    // Explicit user action only (never called by the notifier): CONFIG SET notify-keyspace-events to
    // the current value plus E and `events`. Returns the value the server reports afterwards.
    static Expected<QByteArray> enableNotifications(const RedisUrl &url, const QByteArray &events = QByteArrayLiteral("x"));

Q_SIGNALS:
    void stateChanged(cachescope::KeyspaceNotifier::State state, const QString &message);
    void keyEventSample(const cachescope::KeyEventSample &sample);

private:
    void run();
    void setState(State state, const QString &message);
    bool waitForStop(int ms); // true when stop() was called

    RedisUrl m_url;
    QString m_server;
    QList<QPair<QByteArray, QString>> m_prefixes; // longest first
    QString m_unmatched = QStringLiteral("(other)");
    int m_intervalMs = 1000;
    int m_retryMs = 1000;
    QSemaphore m_stop;
    std::unique_ptr<QThread> m_thread;
    mutable QMutex m_stateMutex;
    State m_state = State::Idle;
    QString m_message;
};

} // namespace cachescope

Q_DECLARE_METATYPE(cachescope::KeyspaceNotifier::State)
