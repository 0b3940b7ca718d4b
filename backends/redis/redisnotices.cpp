#include "redisnotices.h"

#include <QMutexLocker>

namespace cachescope {

RedisNotices &RedisNotices::instance()
{
    static RedisNotices notices;
    return notices;
}

void RedisNotices::post(const QString &text)
{
    RedisNotices &self = instance();
    {
        QMutexLocker lock(&self.m_mutex);
        if (self.m_all.contains(text))
            return;
        self.m_all.append(text);
    }
    Q_EMIT self.posted(text);
}

QStringList RedisNotices::all() const
{
    QMutexLocker lock(&m_mutex);
    return m_all;
}

} // namespace cachescope
