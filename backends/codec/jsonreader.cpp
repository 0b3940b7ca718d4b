#include "jsonreader.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace cachescope {

namespace {

class Parser
{
public:
    Parser(QByteArrayView text, int maxDepth) : m_p(text.data()), m_end(text.data() + text.size()), m_begin(text.data()), m_maxDepth(maxDepth) {}

    Expected<PyValue> run()
    {
        PyValue v;
        if (!value(&v, 0))
            return error();
        skipSpace();
        if (m_p != m_end) {
            fail("trailing data");
            return error();
        }
        return v;
    }

private:
    Error error() const
    {
        return makeError(QStringLiteral("JSON: %1 at offset %2").arg(QLatin1String(m_why)).arg(m_failAt));
    }
    bool fail(const char *why)
    {
        if (!m_why) {
            m_why = why;
            m_failAt = m_p - m_begin;
        }
        return false;
    }
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool literal(const char *word)
    {
        const char *q = m_p;
        for (const char *w = word; *w; ++w, ++q) {
            if (q >= m_end || *q != *w)
                return false;
        }
        m_p = q;
        return true;
    }

    bool value(PyValue *out, int depth)
    {
        if (depth > m_maxDepth)
            return fail("nesting too deep");
        skipSpace();
        if (m_p >= m_end)
            return fail("unexpected end of input");
        switch (*m_p) {
        case '{': {
            ++m_p;
            PyValue::Pairs pairs;
            skipSpace();
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                *out = PyValue::dict();
                return true;
            }
            while (true) {
                skipSpace();
                if (m_p >= m_end || *m_p != '"')
                    return fail("expected a string key");
                QByteArray key;
                if (!string(&key))
                    return false;
                skipSpace();
                if (m_p >= m_end || *m_p != ':')
                    return fail("expected ':'");
                ++m_p;
                PyValue v;
                if (!value(&v, depth + 1))
                    return false;
                pairs.emplace_back(PyValue::str(std::move(key)), std::move(v));
                skipSpace();
                if (m_p < m_end && *m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_end && *m_p == '}') {
                    ++m_p;
                    break;
                }
                return fail("expected ',' or '}'");
            }
            *out = PyValue::dict(std::move(pairs));
            return true;
        }
        case '[': {
            ++m_p;
            PyValue::Items items;
            skipSpace();
            if (m_p < m_end && *m_p == ']') {
                ++m_p;
                *out = PyValue::list();
                return true;
            }
            while (true) {
                PyValue v;
                if (!value(&v, depth + 1))
                    return false;
                items.push_back(std::move(v));
                skipSpace();
                if (m_p < m_end && *m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_end && *m_p == ']') {
                    ++m_p;
                    break;
                }
                return fail("expected ',' or ']'");
            }
            *out = PyValue::list(std::move(items));
            return true;
        }
        case '"': {
            QByteArray s;
            if (!string(&s))
                return false;
            *out = PyValue::str(std::move(s));
            return true;
        }
        case 't':
            if (literal("true")) { *out = PyValue::boolean(true); return true; }
            return fail("bad literal");
        case 'f':
            if (literal("false")) { *out = PyValue::boolean(false); return true; }
            return fail("bad literal");
        case 'n':
            if (literal("null")) { *out = PyValue::none(); return true; }
            return fail("bad literal");
        case 'N':
            if (literal("NaN")) { *out = PyValue::floating(std::numeric_limits<double>::quiet_NaN()); return true; }
            return fail("bad literal");
        case 'I':
            if (literal("Infinity")) { *out = PyValue::floating(HUGE_VAL); return true; }
            return fail("bad literal");
        default:
            return number(out);
        }
    }

    bool number(PyValue *out)
    {
        const char *start = m_p;
        if (m_p < m_end && *m_p == '-') {
            ++m_p;
            if (literal("Infinity")) {
                *out = PyValue::floating(-HUGE_VAL);
                return true;
            }
        }
        const char *digits = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        if (m_p == digits)
            return fail("unexpected character");
        bool isFloat = false;
        if (m_p < m_end && *m_p == '.') {
            isFloat = true;
            ++m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            isFloat = true;
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (isFloat) {
            double d = 0;
            const auto r = std::from_chars(start, m_p, d);
            if (r.ec == std::errc::result_out_of_range)
                d = (*start == '-') ? -HUGE_VAL : HUGE_VAL;
            else if (r.ec != std::errc() || r.ptr != m_p)
                return fail("bad number");
            *out = PyValue::floating(d);
            return true;
        }
        qint64 i = 0;
        const auto r = std::from_chars(start, m_p, i);
        if (r.ec == std::errc() && r.ptr == m_p) {
            *out = PyValue::integer(i);
            return true;
        }
        if (m_p - start > 5000)
            return fail("integer with too many digits");
        *out = PyValue::bigIntegerFromDecimal(QByteArray(start, m_p - start));
        return true;
    }

    static void appendUtf8(QByteArray *out, uint cp)
    {
        if (cp < 0x80) {
            out->append(char(cp));
        } else if (cp < 0x800) {
            out->append(char(0xc0 | (cp >> 6)));
            out->append(char(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out->append(char(0xe0 | (cp >> 12)));
            out->append(char(0x80 | ((cp >> 6) & 0x3f)));
            out->append(char(0x80 | (cp & 0x3f)));
        } else {
            out->append(char(0xf0 | (cp >> 18)));
            out->append(char(0x80 | ((cp >> 12) & 0x3f)));
            out->append(char(0x80 | ((cp >> 6) & 0x3f)));
            out->append(char(0x80 | (cp & 0x3f)));
        }
    }

    bool hex4(uint *out)
    {
        if (m_end - m_p < 4)
            return fail("truncated \\u escape");
        uint v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_p[k];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= uint(c - '0');
            else if (c >= 'a' && c <= 'f') v |= uint(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= uint(c - 'A' + 10);
            else return fail("bad \\u escape");
        }
        m_p += 4;
        *out = v;
        return true;
    }

    bool string(QByteArray *out)
    {
        ++m_p; // opening quote
        const char *run = m_p;
        while (true) {
            if (m_p >= m_end)
                return fail("unterminated string");
            const char c = *m_p;
            if (c == '"') {
                out->append(run, m_p - run);
                ++m_p;
                return true;
            }
            if (uchar(c) < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                ++m_p;
                continue;
            }
            out->append(run, m_p - run);
            ++m_p;
            if (m_p >= m_end)
                return fail("unterminated escape");
            const char e = *m_p++;
            switch (e) {
            case '"': out->append('"'); break;
            case '\\': out->append('\\'); break;
            case '/': out->append('/'); break;
            case 'b': out->append('\b'); break;
            case 'f': out->append('\f'); break;
            case 'n': out->append('\n'); break;
            case 'r': out->append('\r'); break;
            case 't': out->append('\t'); break;
            case 'u': {
                uint cp;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xd800 && cp < 0xdc00 && m_end - m_p >= 6 && m_p[0] == '\\' && m_p[1] == 'u') {
                    const char *save = m_p;
                    m_p += 2;
                    uint low;
                    if (hex4(&low) && low >= 0xdc00 && low < 0xe000)
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    else
                        m_p = save;
                }
                appendUtf8(out, cp); // lone surrogates kept as WTF-8, like Python's str
                break;
            }
            default:
                return fail("bad escape");
            }
            run = m_p;
        }
    }

    const char *m_p;
    const char *m_end;
    const char *m_begin;
    int m_maxDepth;
    const char *m_why = nullptr;
    qint64 m_failAt = 0;
};

} // namespace

Expected<PyValue> JsonReader::parse(QByteArrayView text) const
{
    return Parser(text, m_maxDepth).run();
}

bool JsonReader::looksLikeJson(QByteArrayView data)
{
    qsizetype b = 0, e = data.size();
    auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (b < e && space(data[b]))
        ++b;
    while (e > b && space(data[e - 1]))
        --e;
    if (e - b < 2)
        return false;
    return (data[b] == '{' && data[e - 1] == '}') || (data[b] == '[' && data[e - 1] == ']');
}

} // namespace cachescope
