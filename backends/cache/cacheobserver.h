#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace cachescope {

class PyValue;

// Sees every application call on a cache as it completes, on the caller's thread and while the
// caller may hold the cache's use lock: an observer must be quick and must never call back into
// the cache. The capacity planner's trace capture is one (backends/capacity/tracecapture.h).
class CacheObserver
{
public:
    enum class Call : quint8 {
        GetHit,  // get/get_many found a live entry; value = what was read
        GetMiss, // get/get_many found nothing (or an expired entry)
        Set,     // set/add/set_many stored the value; timeoutSeconds as stored (0 = never)
        Update,  // inc/dec changed a value in place
        Delete,  // delete/delete_many removed the key
    };
    virtual ~CacheObserver() = default;
    // tag: what the observer was registered with (Cache::setObserver), e.g. a cache index.
    // value: the value read or written, null for Update and Delete.
    virtual void observe(int tag, Call call, const QByteArray &key, const PyValue *value, qint64 timeoutSeconds) = 0;
};

} // namespace cachescope
