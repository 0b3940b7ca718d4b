#include "interopvalues.h"

#include <limits>

namespace cachescope::test {

const char *const kInteropPythonValues = R"PY(
import math
VALUES = {
    "none": None, "true": True, "false": False,
    "i0": 0, "i255": 255, "i256": 256, "i65535": 65535, "i65536": 65536, "ineg1": -1,
    "i31": 2**31 - 1, "ineg31": -2**31, "i32": 2**31, "i63": 2**63 - 1, "ineg63": -2**63,
    "big": 2**100, "negbig": -2**100,
    "f": 1.5, "fneg0": -0.0, "fnan": float("nan"), "finf": float("inf"), "fninf": float("-inf"), "fmax": 1e308,
    "sempty": "", "suni": "h\u00e9llo \u2603 \U0001d11e", "slong": "\u00e9" * 40000,
    "bempty": b"", "bbin": b"\x00\xff\r\n", "b300": b"y" * 300, "bbig": b"x" * 70000,
    "list": [1, "a", None], "tuple1": (1,), "tuple4": (1, 2, 3, 4), "tuple0": (),
    "dict": {"a": [1, {"b": (2.5,)}], "c": b"d"}, "set": {1, 2, 3}, "fset": frozenset({"x"}),
    "bigdict": {"k": b"z" * 70000, "n": 1},
}
SHARED = {"rows": [{"id": i, "name": "n%d" % i} for i in range(2000)]}
def same(a, b):
    return type(a) is type(b) and repr(a) == repr(b)
)PY";

QList<std::pair<QByteArray, PyValue>> interopValues()
{
    auto s = [](const char *t) { return PyValue::str(QByteArray(t)); };
    QByteArray slong;
    for (int i = 0; i < 40000; ++i)
        slong += "\xc3\xa9";
    return {
        {"none", PyValue::none()},
        {"true", PyValue::boolean(true)},
        {"false", PyValue::boolean(false)},
        {"i0", PyValue::integer(0)},
        {"i255", PyValue::integer(255)},
        {"i256", PyValue::integer(256)},
        {"i65535", PyValue::integer(65535)},
        {"i65536", PyValue::integer(65536)},
        {"ineg1", PyValue::integer(-1)},
        {"i31", PyValue::integer(2147483647)},
        {"ineg31", PyValue::integer(-2147483648LL)},
        {"i32", PyValue::integer(2147483648LL)},
        {"i63", PyValue::integer(std::numeric_limits<qint64>::max())},
        {"ineg63", PyValue::integer(std::numeric_limits<qint64>::min())},
        {"big", PyValue::bigIntegerFromDecimal("1267650600228229401496703205376")},
        {"negbig", PyValue::bigIntegerFromDecimal("-1267650600228229401496703205376")},
        {"f", PyValue::floating(1.5)},
        {"fneg0", PyValue::floating(-0.0)},
        {"fnan", PyValue::floating(std::numeric_limits<double>::quiet_NaN())},
        {"finf", PyValue::floating(std::numeric_limits<double>::infinity())},
        {"fninf", PyValue::floating(-std::numeric_limits<double>::infinity())},
        {"fmax", PyValue::floating(1e308)},
        {"sempty", s("")},
        {"suni", PyValue::str(QByteArray("h\xc3\xa9llo \xe2\x98\x83 \xf0\x9d\x84\x9e"))},
        {"slong", PyValue::str(slong)},
        {"bempty", PyValue::bytes(QByteArray(""))},
        {"bbin", PyValue::bytes(QByteArray("\x00\xff\r\n", 4))},
        {"b300", PyValue::bytes(QByteArray(300, 'y'))},
        {"bbig", PyValue::bytes(QByteArray(70000, 'x'))},
        {"list", PyValue::list({PyValue::integer(1), s("a"), PyValue::none()})},
        {"tuple1", PyValue::tuple({PyValue::integer(1)})},
        {"tuple4", PyValue::tuple({PyValue::integer(1), PyValue::integer(2), PyValue::integer(3), PyValue::integer(4)})},
        {"tuple0", PyValue::tuple()},
        {"dict", PyValue::dict({{s("a"), PyValue::list({PyValue::integer(1),
                                                         PyValue::dict({{s("b"), PyValue::tuple({PyValue::floating(2.5)})}})})},
                                {s("c"), PyValue::bytes("d")}})},
        {"set", PyValue::set({PyValue::integer(1), PyValue::integer(2), PyValue::integer(3)})},
        {"fset", PyValue::frozenSet({s("x")})},
        {"bigdict", PyValue::dict({{s("k"), PyValue::bytes(QByteArray(70000, 'z'))}, {s("n"), PyValue::integer(1)}})},
    };
}

PyValue interopSharedValue()
{
    PyValue::Items rows;
    for (int i = 0; i < 2000; ++i)
        rows.push_back(PyValue::dict({{PyValue::str(QByteArray("id")), PyValue::integer(i)},
                                      {PyValue::str(QByteArray("name")), PyValue::str("n" + QByteArray::number(i))}}));
    return PyValue::dict({{PyValue::str(QByteArray("rows")), PyValue::list(std::move(rows))}});
}

} // namespace cachescope::test
