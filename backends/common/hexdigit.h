#pragma once

namespace cachescope {

// The value of one hexadecimal digit (either case), or -1. Every reader of escapes — pickle
// strings, JSON \u, Python literals, MONITOR lines, memcached replies — reads digits this way.
constexpr int hexDigitValue(char16_t c)
{
    if (c >= u'0' && c <= u'9')
        return c - u'0';
    if (c >= u'a' && c <= u'f')
        return c - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c - u'A' + 10;
    return -1;
}

// A char from a byte buffer: its byte value, so 0x80..0xff never alias a digit.
constexpr int hexDigitValue(char c)
{
    return hexDigitValue(char16_t(static_cast<unsigned char>(c)));
}

} // namespace cachescope
