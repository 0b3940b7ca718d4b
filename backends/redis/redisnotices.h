#pragma once

#include <QMutex>
#include <QObject>
#include <QStringList>

namespace cachescope {

// What a user must see about Redis connections that is not an error: TLS verification switched
// off by the config, a Sentinel failover followed to a new master. Connections post from any
// thread; the window shows each notice in its message bar, the command line on stderr. Each
// distinct text is posted once per process (a reconnect loop does not repeat it).
class RedisNotices : public QObject
{
    Q_OBJECT
public:
    static RedisNotices &instance();
    // Thread-safe.
    static void post(const QString &text);
    QStringList all() const;

Q_SIGNALS:
    // Emitted on the posting thread: connect with a queued (or auto) connection from the GUI.
    void posted(const QString &text);

private:
    RedisNotices() = default;
    mutable QMutex m_mutex;
    QStringList m_all;
};

} // namespace cachescope
