#pragma once

#include "cache/cacheclock.h"

#include <memory>

namespace cachescope::test {

// A settable clock (ms since the epoch) shared between a test and the cache it drives.
struct FakeClock
{
    explicit FakeClock(qint64 startMs) : ms(std::make_shared<qint64>(startMs)) {}

    std::shared_ptr<qint64> ms;
    CacheClock clock() const
    {
        auto p = ms;
        return [p] { return *p; };
    }
    void set(qint64 v) { *ms = v; }
    void advance(qint64 delta) { *ms += delta; }
    qint64 seconds() const { return *ms / 1000; }
};

} // namespace cachescope::test
