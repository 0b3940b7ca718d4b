#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArrayView>

#include <functional>

namespace cachescope {

// The one JSON grammar parser. By default it reads plain JSON (as Python's json/simplejson write
// it) to a PyValue: object key order kept, integers of any size, NaN/Infinity accepted like
// Python's json.loads. Nesting and integer length are bounded. Errors name the byte offset.
// ValueJson::fromJson reads CacheScope's own tagged encoding through it with an object hook.
class JsonReader
{
public:
    struct Options
    {
        int maxDepth = 512;
        bool allowNonFinite = true; // NaN, Infinity, -Infinity (Python writes them; strict JSON has none)
        qsizetype maxIntegerDigits = 5000; // decimal to big integer is quadratic
        bool lineColumn = false; // errors say "at line L, column C" rather than "at offset N"
        // A fraction a double cannot hold (more digits than it keeps, or out of its range) becomes
        // decimal.Decimal of the literal, as simplejson(use_decimal=True) would read it: Superset
        // writes Decimal results with every digit. Others stay floats, as json.loads makes them.
        bool exactDecimals = false;
        // Called as each object closes, with its members in order (Python's object_pairs_hook).
        // Its result replaces the dict; its error is reported at the object's opening brace.
        std::function<Expected<PyValue>(PyValue::Pairs &&)> objectHook;
    };

    JsonReader();
    explicit JsonReader(int maxDepth);
    explicit JsonReader(Options options);

    Expected<PyValue> parse(QByteArrayView text) const;

    // Cheap sniff: after whitespace, '{' or '[' and the last non-space byte closes it.
    static bool looksLikeJson(QByteArrayView data);

private:
    Options m_options;
};

} // namespace cachescope
