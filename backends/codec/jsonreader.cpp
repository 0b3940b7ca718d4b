#include "jsonreader.h"

#include "common/hexdigit.h"

#include "utf8.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace cachescope {

namespace {

// Recursive descent over the bytes; the first failure wins and is reported where it happened.
class Parser
{
public:
    Parser(QByteArrayView text, const JsonReader::Options &options)
        : m_p(text.data()), m_end(text.data() + text.size()), m_begin(text.data()), m_o(options)
    {
    }

    Expected<PyValue> run()
    {
        PyValue v;
        if (!value(&v, 0))
            return error();
        skipSpace();
        if (m_p != m_end) {
            fail(QStringLiteral("unexpected data after the value"));
            return error();
        }
        return v;
    }

private:
    Error error() const
    {
        if (!m_o.lineColumn)
            return makeError(QStringLiteral("JSON: %1 at offset %2").arg(m_why).arg(m_failAt));
        int line = 1, column = 1; // columns count bytes
        for (const char *q = m_begin; q < m_begin + m_failAt; ++q) {
            if (*q == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return makeError(QStringLiteral("JSON: %1 at line %2, column %3").arg(m_why).arg(line).arg(column));
    }
    bool fail(const QString &why)
    {
        if (m_why.isEmpty()) {
            m_why = why;
            m_failAt = m_p - m_begin;
        }
        return false;
    }
    bool failAt(const char *at, const QString &why)
    {
        m_p = at;
        return fail(why);
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
    bool digits()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }

    bool value(PyValue *out, int depth)
    {
        if (depth > m_o.maxDepth)
            return fail(QStringLiteral("too deep: nesting deeper than %1 levels").arg(m_o.maxDepth));
        skipSpace();
        if (m_p >= m_end)
            return fail(QStringLiteral("unexpected end of input"));
        switch (*m_p) {
        case '{':
            return object(out, depth);
        case '[':
            return array(out, depth);
        case '"': {
            QByteArray s;
            if (!string(&s))
                return false;
            *out = PyValue::str(std::move(s));
            return true;
        }
        case 't':
            return word("true", PyValue::boolean(true), out);
        case 'f':
            return word("false", PyValue::boolean(false), out);
        case 'n':
            return word("null", PyValue::none(), out);
        case 'N':
            if (m_o.allowNonFinite)
                return word("NaN", PyValue::floating(std::numeric_limits<double>::quiet_NaN()), out);
            break;
        case 'I':
            if (m_o.allowNonFinite)
                return word("Infinity", PyValue::floating(HUGE_VAL), out);
            break;
        case '-':
            return number(out);
        default:
            if (*m_p >= '0' && *m_p <= '9')
                return number(out);
        }
        return fail(QStringLiteral("unexpected character '%1'").arg(QLatin1Char(*m_p)));
    }

    bool word(const char *text, PyValue v, PyValue *out)
    {
        if (!literal(text))
            return fail(QStringLiteral("invalid literal"));
        *out = std::move(v);
        return true;
    }

    bool object(PyValue *out, int depth)
    {
        const char *start = m_p;
        ++m_p;
        PyValue::Pairs pairs;
        skipSpace();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
        } else {
            while (true) {
                skipSpace();
                if (m_p >= m_end || *m_p != '"')
                    return fail(QStringLiteral("expected a string key"));
                QByteArray key;
                if (!string(&key))
                    return false;
                skipSpace();
                if (m_p >= m_end || *m_p != ':')
                    return fail(QStringLiteral("expected ':'"));
                ++m_p;
                PyValue v;
                if (!value(&v, depth + 1))
                    return false;
                pairs.emplace_back(PyValue::str(std::move(key)), std::move(v));
                skipSpace();
                if (m_p >= m_end)
                    return fail(QStringLiteral("unterminated object"));
                if (*m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (*m_p == '}') {
                    ++m_p;
                    break;
                }
                return fail(QStringLiteral("expected ',' or '}'"));
            }
        }
        if (!m_o.objectHook) {
            *out = PyValue::dict(std::move(pairs));
            return true;
        }
        auto hooked = m_o.objectHook(std::move(pairs));
        if (!hooked)
            return failAt(start, hooked.error());
        *out = std::move(hooked).value();
        return true;
    }

    bool array(PyValue *out, int depth)
    {
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
            if (m_p >= m_end)
                return fail(QStringLiteral("unterminated array"));
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p == ']') {
                ++m_p;
                break;
            }
            return fail(QStringLiteral("expected ',' or ']'"));
        }
        *out = PyValue::list(std::move(items));
        return true;
    }

    // Sign, significant digits and the power of ten of the first of them, of a decimal literal;
    // "0.0012300" and "1.23e-3" give the same. Zero is ("", 0).
    static void normalise(QByteArrayView text, bool *negative, QByteArray *digits, qint64 *exponent)
    {
        *negative = text.startsWith('-');
        QByteArray all;
        qsizetype intLen = -1, i = *negative ? 1 : 0;
        for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
            if (text[i] == '.')
                intLen = all.size();
            else
                all.append(text[i]);
        }
        if (intLen < 0)
            intLen = all.size();
        qint64 exp = 0;
        if (i + 1 < text.size()) {
            const qsizetype from = i + 1 + (text[i + 1] == '+' ? 1 : 0);
            std::from_chars(text.data() + from, text.data() + text.size(), exp);
        }
        qsizetype first = 0;
        while (first < all.size() && all[first] == '0')
            ++first;
        *digits = all.mid(first);
        while (digits->endsWith('0'))
            digits->chop(1);
        *exponent = digits->isEmpty() ? 0 : qint64(intLen - first - 1) + exp;
    }

    // Whether the double read from `text` prints (shortest round trip, as Python's repr) with
    // the literal's own digits: then nothing was lost by making it a float.
    static bool sameDigits(QByteArrayView text, double d)
    {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
        bool n1, n2;
        QByteArray d1, d2;
        qint64 e1, e2;
        normalise(text, &n1, &d1, &e1);
        normalise(QByteArrayView(buf, r.ptr - buf), &n2, &d2, &e2);
        return d1 == d2 && (d1.isEmpty() || (n1 == n2 && e1 == e2));
    }

    // The grammar of Python's json: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?, leading zeros aside.
    bool number(PyValue *out)
    {
        const char *start = m_p;
        if (*m_p == '-') {
            ++m_p;
            if (m_o.allowNonFinite && literal("Infinity")) {
                *out = PyValue::floating(-HUGE_VAL);
                return true;
            }
        }
        if (!digits())
            return fail(QStringLiteral("invalid number"));
        bool isFloat = false;
        if (m_p < m_end && *m_p == '.') {
            isFloat = true;
            ++m_p;
            if (!digits())
                return fail(QStringLiteral("invalid number"));
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            isFloat = true;
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return fail(QStringLiteral("invalid number"));
        }
        if (isFloat) {
            double d = 0;
            const auto r = std::from_chars(start, m_p, d);
            if (r.ec == std::errc::result_out_of_range)
                d = (*start == '-') ? -HUGE_VAL : HUGE_VAL;
            else if (r.ec != std::errc() || r.ptr != m_p)
                return failAt(start, QStringLiteral("invalid number"));
            if (m_o.exactDecimals && (r.ec == std::errc::result_out_of_range || !sameDigits(QByteArrayView(start, m_p - start), d))) {
                PyValue::Object dec;
                dec.module = "decimal";
                dec.name = "Decimal";
                dec.construction = PyValue::Object::Construction::Reduce;
                dec.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::str(QByteArray(start, m_p - start))});
                *out = PyValue::object(std::move(dec));
                return true;
            }
            *out = PyValue::floating(d);
            return true;
        }
        qint64 i = 0;
        const auto r = std::from_chars(start, m_p, i);
        if (r.ec == std::errc() && r.ptr == m_p) {
            *out = PyValue::integer(i);
            return true;
        }
        if (m_p - start > m_o.maxIntegerDigits)
            return failAt(start, QStringLiteral("integer with more than %1 digits").arg(m_o.maxIntegerDigits));
        *out = PyValue::bigIntegerFromDecimal(QByteArray(start, m_p - start));
        return true;
    }

    bool hex4(quint32 *out)
    {
        if (m_end - m_p < 4)
            return fail(QStringLiteral("truncated \\u escape"));
        quint32 v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_p[k];
            const int d = hexDigitValue(c);
            if (d < 0)
                return failAt(m_p + k, QStringLiteral("invalid \\u escape"));
            v = (v << 4) | quint32(d);
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
                return fail(QStringLiteral("unterminated string"));
            const char c = *m_p;
            if (c == '"') {
                out->append(run, m_p - run);
                ++m_p;
                return true;
            }
            if (uchar(c) < 0x20)
                return fail(QStringLiteral("control character in string"));
            if (c != '\\') {
                ++m_p;
                continue;
            }
            out->append(run, m_p - run);
            ++m_p;
            if (m_p >= m_end)
                return fail(QStringLiteral("unterminated string"));
            switch (*m_p++) {
            case '"': out->append('"'); break;
            case '\\': out->append('\\'); break;
            case '/': out->append('/'); break;
            case 'b': out->append('\b'); break;
            case 'f': out->append('\f'); break;
            case 'n': out->append('\n'); break;
            case 'r': out->append('\r'); break;
            case 't': out->append('\t'); break;
            case 'u': {
                quint32 cp = 0;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xd800 && cp < 0xdc00 && m_end - m_p >= 6 && m_p[0] == '\\' && m_p[1] == 'u') {
                    const char *save = m_p;
                    m_p += 2;
                    quint32 low = 0;
                    if (!hex4(&low))
                        return false;
                    if (low >= 0xdc00 && low < 0xe000)
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    else
                        m_p = save;
                }
                utf8::appendUtf8(*out, cp); // lone surrogates kept as WTF-8, like Python's str
                break;
            }
            default:
                return failAt(m_p - 1, QStringLiteral("invalid escape"));
            }
            run = m_p;
        }
    }

    const char *m_p;
    const char *m_end;
    const char *m_begin;
    const JsonReader::Options &m_o;
    QString m_why;
    qint64 m_failAt = 0;
};

} // namespace

JsonReader::JsonReader() = default;

JsonReader::JsonReader(int maxDepth)
{
    m_options.maxDepth = maxDepth;
}

JsonReader::JsonReader(Options options) : m_options(std::move(options)) {}

Expected<PyValue> JsonReader::parse(QByteArrayView text) const
{
    return Parser(text, m_options).run();
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
