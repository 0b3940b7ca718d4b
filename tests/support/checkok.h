#pragma once

#include "common/expected.h"

#include <QTest>

// QVERIFY that an Expected holds a value, with its error as the failure message. QVERIFY2
// evaluates its message even on success, so error() is only read when there is one; the
// expression is evaluated once (it may be a call with side effects).
#define CHECK_OK(e)                                                                                \
    do {                                                                                           \
        const auto &checked_ = (e);                                                                \
        QVERIFY2(checked_.hasValue(), checked_.hasValue() ? "" : qPrintable(checked_.error()));    \
    } while (0)

namespace cachescope::test {

// The error of an Expected, or an empty string: for QVERIFY2 messages, which are evaluated
// even on success, so error() must not be called on a value.
template<typename T>
QString errorOf(const Expected<T> &e)
{
    return e ? QString() : e.error();
}

} // namespace cachescope::test
