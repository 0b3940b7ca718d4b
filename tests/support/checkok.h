#pragma once

#include <QTest>

// QVERIFY that an Expected holds a value, with its error as the failure message. QVERIFY2
// evaluates its message even on success, so error() is only read when there is one; the
// expression is evaluated once (it may be a call with side effects).
#define CHECK_OK(e)                                                                                \
    do {                                                                                           \
        const auto &checked_ = (e);                                                                \
        QVERIFY2(checked_.hasValue(), checked_.hasValue() ? "" : qPrintable(checked_.error()));    \
    } while (0)
