#include "pythonint.h"

namespace cachescope {

namespace {

bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::optional<PyValue> parsePythonInt(QByteArrayView raw)
{
    qsizetype b = 0, e = raw.size();
    while (b < e && isAsciiSpace(raw[b]))
        ++b;
    while (e > b && isAsciiSpace(raw[e - 1]))
        --e;
    if (b == e || e - b > 5000) // CPython's default int max str digits is 4300
        return std::nullopt;
    QByteArray digits;
    qsizetype i = b;
    if (raw[i] == '+' || raw[i] == '-') {
        if (raw[i] == '-')
            digits += '-';
        ++i;
    }
    bool lastDigit = false;
    bool any = false;
    for (; i < e; ++i) {
        const char c = raw[i];
        if (c >= '0' && c <= '9') {
            digits += c;
            lastDigit = true;
            any = true;
        } else if (c == '_' && lastDigit) {
            lastDigit = false;
        } else {
            return std::nullopt;
        }
    }
    if (!any || !lastDigit)
        return std::nullopt;
    return PyValue::bigIntegerFromDecimal(digits);
}

} // namespace cachescope
