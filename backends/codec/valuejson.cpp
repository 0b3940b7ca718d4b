#include "valuejson.h"

#include <QString>

#include <charconv>
#include <cmath>
#include <cstring>

namespace cachescope::ValueJson {

namespace {

constexpr int kMaxDepth = 2000; // deeper than any value the pickle reader lets through
constexpr qint64 kSafeInt = qint64(1) << 53;

const char *const kTags[] = {"__int__", "__float__", "__bytes__", "__bytearray__", "__tuple__",
                             "__set__", "__frozenset__", "__dict__", "__object__"};

bool isTag(const QByteArray &key)
{
    for (const char *t : kTags)
        if (key == t)
            return true;
    return false;
}

void appendString(QByteArray &out, const QByteArray &utf8)
{
    // QString::fromUtf8 turns invalid sequences and encoded lone surrogates into U+FFFD, so
    // the output is always valid UTF-8 JSON.
    const QByteArray clean = QString::fromUtf8(utf8).toUtf8();
    out.append('"');
    for (char c : clean) {
        const auto u = static_cast<quint8>(c);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
            if (u < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out.append(buf);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void appendFloat(QByteArray &out, double d)
{
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d);
    QByteArray text(buf, res.ptr - buf);
    if (!text.contains('.') && !text.contains('e'))
        text.append(".0"); // keeps floats distinguishable from ints when parsed back
    out.append(text);
}

class Emitter
{
public:
    Emitter(bool pretty, qint64 maxBytes) : m_pretty(pretty), m_maxBytes(maxBytes) {}
    QByteArray m_out;
    bool m_truncated = false;

    void newline(int depth)
    {
        if (m_pretty) {
            m_out.append('\n');
            m_out.append(QByteArray(2 * depth, ' '));
        }
    }
    void key(const char *k, int depth)
    {
        newline(depth);
        m_out.append('"');
        m_out.append(k);
        m_out.append(m_pretty ? "\": " : "\":");
    }
    void taggedArray(const char *tag, const PyValue::Items &items, int depth)
    {
        m_out.append('{');
        key(tag, depth + 1);
        array(items, depth + 1);
        newline(depth);
        m_out.append('}');
    }
    void array(const PyValue::Items &items, int depth)
    {
        m_out.append('[');
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                m_out.append(',');
            newline(depth + 1);
            value(items[i], depth + 1);
        }
        if (!items.empty())
            newline(depth);
        m_out.append(']');
    }
    void pairArray(const PyValue::Pairs &pairs, int depth)
    {
        m_out.append('[');
        for (size_t i = 0; i < pairs.size(); ++i) {
            if (i)
                m_out.append(',');
            newline(depth + 1);
            m_out.append('[');
            value(pairs[i].first, depth + 2);
            m_out.append(',');
            value(pairs[i].second, depth + 2);
            m_out.append(']');
        }
        if (!pairs.empty())
            newline(depth);
        m_out.append(']');
    }

    void value(const PyValue &v, int depth)
    {
        if (depth > kMaxDepth || m_out.size() > m_maxBytes) { // a hand-built cycle, or over budget
            m_truncated = true;
            m_out.append("null");
            return;
        }
        using K = PyValue::Kind;
        switch (v.kind()) {
        case K::None: m_out.append("null"); return;
        case K::Bool: m_out.append(v.toBool() ? "true" : "false"); return;
        case K::Int:
            if (v.toInt() > -kSafeInt && v.toInt() < kSafeInt) {
                m_out.append(QByteArray::number(v.toInt()));
                return;
            }
            [[fallthrough]];
        case K::BigInt:
            m_out.append('{');
            key("__int__", depth + 1);
            m_out.append('"' + v.bigIntDecimal() + '"');
            newline(depth);
            m_out.append('}');
            return;
        case K::Float:
            if (std::isfinite(v.toFloat())) {
                appendFloat(m_out, v.toFloat());
                return;
            }
            m_out.append('{');
            key("__float__", depth + 1);
            m_out.append(std::isnan(v.toFloat()) ? "\"nan\"" : v.toFloat() > 0 ? "\"inf\"" : "\"-inf\"");
            newline(depth);
            m_out.append('}');
            return;
        case K::Str: appendString(m_out, v.bytesData()); return;
        case K::Bytes:
        case K::ByteArray:
            m_out.append('{');
            key(v.kind() == K::Bytes ? "__bytes__" : "__bytearray__", depth + 1);
            m_out.append('"' + v.bytesData().toBase64() + '"');
            newline(depth);
            m_out.append('}');
            return;
        case K::List: array(v.items(), depth); return;
        case K::Tuple: taggedArray("__tuple__", v.items(), depth); return;
        case K::Set: taggedArray("__set__", v.items(), depth); return;
        case K::FrozenSet: taggedArray("__frozenset__", v.items(), depth); return;
        case K::Dict: {
            bool plain = true;
            for (const auto &[k, x] : v.pairs())
                if (k.kind() != K::Str || isTag(k.bytesData())) {
                    plain = false;
                    break;
                }
            if (!plain) {
                m_out.append('{');
                key("__dict__", depth + 1);
                pairArray(v.pairs(), depth + 1);
                newline(depth);
                m_out.append('}');
                return;
            }
            m_out.append('{');
            bool first = true;
            for (const auto &[k, x] : v.pairs()) {
                if (!first)
                    m_out.append(',');
                first = false;
                newline(depth + 1);
                appendString(m_out, k.bytesData());
                m_out.append(m_pretty ? ": " : ":");
                value(x, depth + 1);
            }
            if (!v.pairs().empty())
                newline(depth);
            m_out.append('}');
            return;
        }
        case K::Object: {
            const auto &o = v.object();
            m_out.append('{');
            key("__object__", depth + 1);
            appendString(m_out, o.qualifiedName());
            if (o.name.contains('.')) { // the split point is not the last dot
                m_out.append(',');
                key("module", depth + 1);
                appendString(m_out, o.module);
            }
            if (o.construction == PyValue::Object::Construction::NewObj) {
                m_out.append(',');
                key("new", depth + 1);
                m_out.append("true");
            }
            if (o.construction != PyValue::Object::Construction::Global) {
                m_out.append(',');
                key("args", depth + 1);
                array(o.args ? *o.args : PyValue::Items(), depth + 1);
            }
            if (o.kwargs) {
                m_out.append(',');
                key("kwargs", depth + 1);
                value(PyValue::dict(*o.kwargs), depth + 1);
            }
            if (o.state) {
                m_out.append(',');
                key("state", depth + 1);
                value(*o.state, depth + 1);
            }
            if (!o.listItems.empty()) {
                m_out.append(',');
                key("listitems", depth + 1);
                array(o.listItems, depth + 1);
            }
            if (!o.dictItems.empty()) {
                m_out.append(',');
                key("dictitems", depth + 1);
                pairArray(o.dictItems, depth + 1);
            }
            newline(depth);
            m_out.append('}');
            return;
        }
        }
    }

private:
    bool m_pretty;
    qint64 m_maxBytes;
};

// A small recursive-descent JSON parser that keeps object member order (QJsonObject sorts).
class Parser
{
public:
    explicit Parser(const QByteArray &text) : m_s(text) {}

    Expected<PyValue> parseDocument()
    {
        PyValue v;
        if (!parseValue(&v, 0))
            return error();
        skipWs();
        if (m_pos != m_s.size()) {
            fail(QStringLiteral("unexpected data after the value"));
            return error();
        }
        return v;
    }

private:
    using Members = std::vector<std::pair<QByteArray, PyValue>>;

    Error error() const
    {
        int line = 1, col = 1;
        for (qsizetype i = 0; i < m_errorPos && i < m_s.size(); ++i) {
            if (m_s[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return makeError(QStringLiteral("JSON: %1 at line %2, column %3").arg(m_error).arg(line).arg(col));
    }
    bool fail(const QString &msg)
    {
        if (m_error.isEmpty()) {
            m_error = msg;
            m_errorPos = m_pos;
        }
        return false;
    }
    void skipWs()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool literal(const char *word)
    {
        const qsizetype n = qsizetype(std::strlen(word));
        if (m_s.mid(m_pos, n) != word)
            return fail(QStringLiteral("invalid literal"));
        m_pos += n;
        return true;
    }

    bool parseValue(PyValue *out, int depth)
    {
        if (depth > kMaxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(kMaxDepth));
        skipWs();
        if (m_pos >= m_s.size())
            return fail(QStringLiteral("unexpected end of input"));
        const char c = m_s[m_pos];
        switch (c) {
        case 'n':
            if (!literal("null"))
                return false;
            *out = PyValue::none();
            return true;
        case 't':
            if (!literal("true"))
                return false;
            *out = PyValue::boolean(true);
            return true;
        case 'f':
            if (!literal("false"))
                return false;
            *out = PyValue::boolean(false);
            return true;
        case '"': {
            QByteArray s;
            if (!parseString(&s))
                return false;
            *out = PyValue::str(std::move(s));
            return true;
        }
        case '[': {
            PyValue::Items items;
            if (!parseArray(&items, depth))
                return false;
            *out = PyValue::list(std::move(items));
            return true;
        }
        case '{': {
            const qsizetype start = m_pos;
            Members members;
            if (!parseObject(&members, depth))
                return false;
            return interpret(std::move(members), start, out);
        }
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return parseNumber(out);
            return fail(QStringLiteral("unexpected character '%1'").arg(QLatin1Char(c)));
        }
    }

    bool parseNumber(PyValue *out)
    {
        const qsizetype start = m_pos;
        if (m_s[m_pos] == '-')
            ++m_pos;
        auto digits = [&] {
            const qsizetype s = m_pos;
            while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9')
                ++m_pos;
            return m_pos > s;
        };
        if (!digits())
            return fail(QStringLiteral("invalid number"));
        bool isFloat = false;
        if (m_pos < m_s.size() && m_s[m_pos] == '.') {
            ++m_pos;
            isFloat = true;
            if (!digits())
                return fail(QStringLiteral("invalid number"));
        }
        if (m_pos < m_s.size() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
            ++m_pos;
            isFloat = true;
            if (m_pos < m_s.size() && (m_s[m_pos] == '+' || m_s[m_pos] == '-'))
                ++m_pos;
            if (!digits())
                return fail(QStringLiteral("invalid number"));
        }
        const char *b = m_s.constData() + start;
        const char *e = m_s.constData() + m_pos;
        if (isFloat) {
            double d = 0;
            auto res = std::from_chars(b, e, d);
            if (res.ec == std::errc::result_out_of_range)
                d = *b == '-' ? -HUGE_VAL : HUGE_VAL;
            *out = PyValue::floating(d);
            return true;
        }
        qint64 i = 0;
        auto res = std::from_chars(b, e, i);
        if (res.ec == std::errc() && res.ptr == e)
            *out = PyValue::integer(i);
        else
            *out = PyValue::bigIntegerFromDecimal(QByteArray(b, e - b));
        return true;
    }

    bool hex4(quint32 *v)
    {
        if (m_pos + 4 > m_s.size())
            return fail(QStringLiteral("truncated \\u escape"));
        *v = 0;
        for (int k = 0; k < 4; ++k) {
            const char h = m_s[m_pos++];
            const int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                         : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
            if (d < 0)
                return fail(QStringLiteral("invalid \\u escape"));
            *v = *v * 16 + quint32(d);
        }
        return true;
    }

    static void appendUtf8(QByteArray &out, quint32 cp)
    {
        if (cp < 0x80) {
            out.append(char(cp));
        } else if (cp < 0x800) {
            out.append(char(0xc0 | (cp >> 6)));
            out.append(char(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.append(char(0xe0 | (cp >> 12)));
            out.append(char(0x80 | ((cp >> 6) & 0x3f)));
            out.append(char(0x80 | (cp & 0x3f)));
        } else {
            out.append(char(0xf0 | (cp >> 18)));
            out.append(char(0x80 | ((cp >> 12) & 0x3f)));
            out.append(char(0x80 | ((cp >> 6) & 0x3f)));
            out.append(char(0x80 | (cp & 0x3f)));
        }
    }

    bool parseString(QByteArray *out)
    {
        ++m_pos; // opening quote
        while (true) {
            if (m_pos >= m_s.size())
                return fail(QStringLiteral("unterminated string"));
            const char c = m_s[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (static_cast<quint8>(c) < 0x20)
                return fail(QStringLiteral("control character in string"));
            if (c != '\\') {
                out->append(c);
                ++m_pos;
                continue;
            }
            if (++m_pos >= m_s.size())
                return fail(QStringLiteral("unterminated string"));
            const char e = m_s[m_pos++];
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
                quint32 cp = 0;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xd800 && cp < 0xdc00 && m_pos + 6 <= m_s.size() && m_s[m_pos] == '\\'
                    && m_s[m_pos + 1] == 'u') {
                    const qsizetype save = m_pos;
                    m_pos += 2;
                    quint32 lo = 0;
                    if (!hex4(&lo))
                        return false;
                    if (lo >= 0xdc00 && lo < 0xe000)
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    else
                        m_pos = save;
                }
                appendUtf8(*out, cp); // a lone surrogate stays one, as in a Python str
                break;
            }
            default:
                --m_pos;
                return fail(QStringLiteral("invalid escape"));
            }
        }
    }

    bool parseArray(PyValue::Items *items, int depth)
    {
        ++m_pos;
        skipWs();
        if (m_pos < m_s.size() && m_s[m_pos] == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            PyValue v;
            if (!parseValue(&v, depth + 1))
                return false;
            items->push_back(std::move(v));
            skipWs();
            if (m_pos >= m_s.size())
                return fail(QStringLiteral("unterminated array"));
            if (m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_s[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            return fail(QStringLiteral("expected ',' or ']'"));
        }
    }

    bool parseObject(Members *members, int depth)
    {
        ++m_pos;
        skipWs();
        if (m_pos < m_s.size() && m_s[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        while (true) {
            skipWs();
            if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                return fail(QStringLiteral("expected a string key"));
            QByteArray key;
            if (!parseString(&key))
                return false;
            skipWs();
            if (m_pos >= m_s.size() || m_s[m_pos] != ':')
                return fail(QStringLiteral("expected ':'"));
            ++m_pos;
            PyValue v;
            if (!parseValue(&v, depth + 1))
                return false;
            members->emplace_back(std::move(key), std::move(v));
            skipWs();
            if (m_pos >= m_s.size())
                return fail(QStringLiteral("unterminated object"));
            if (m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_s[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            return fail(QStringLiteral("expected ',' or '}'"));
        }
    }

    bool failAt(qsizetype pos, const QString &msg)
    {
        m_pos = pos;
        return fail(msg);
    }

    static bool pairsFrom(const PyValue &list, PyValue::Pairs *pairs)
    {
        if (list.kind() != PyValue::Kind::List)
            return false;
        for (const auto &p : list.items()) {
            if (p.kind() != PyValue::Kind::List || p.items().size() != 2)
                return false;
            pairs->emplace_back(p.items()[0], p.items()[1]);
        }
        return true;
    }

    // Turns the tagged objects of the encoding back into values.
    bool interpret(Members members, qsizetype start, PyValue *out)
    {
        using K = PyValue::Kind;
        const bool tagged = !members.empty() && isTag(members.front().first);
        if (!tagged) {
            PyValue::Pairs pairs;
            pairs.reserve(members.size());
            for (auto &[k, v] : members)
                pairs.emplace_back(PyValue::str(std::move(k)), std::move(v));
            *out = PyValue::dict(std::move(pairs));
            return true;
        }
        const QByteArray tag = members.front().first;
        PyValue &payload = members.front().second;
        if (tag == "__object__") {
            if (payload.kind() != K::Str)
                return failAt(start, QStringLiteral("__object__ needs a \"module.name\" string"));
            PyValue::Object o;
            const QByteArray full = payload.bytesData();
            QByteArray module;
            bool hasModule = false, isNew = false, hasArgs = false;
            for (size_t i = 1; i < members.size(); ++i) {
                auto &[k, v] = members[i];
                if (k == "module" && v.kind() == K::Str) {
                    module = v.bytesData();
                    hasModule = true;
                } else if (k == "new" && v.kind() == K::Bool) {
                    isNew = v.toBool();
                } else if (k == "args" && v.kind() == K::List) {
                    hasArgs = true;
                    o.args = std::make_shared<PyValue::Items>(v.items());
                } else if (k == "kwargs" && v.kind() == K::Dict) {
                    o.kwargs = std::make_shared<PyValue::Pairs>(v.pairs());
                } else if (k == "state") {
                    o.state = std::make_shared<PyValue>(v);
                } else if (k == "listitems" && v.kind() == K::List) {
                    o.listItems = v.items();
                } else if (k == "dictitems") {
                    if (!pairsFrom(v, &o.dictItems))
                        return failAt(start, QStringLiteral("dictitems must be a list of [key, value] pairs"));
                } else {
                    return failAt(start, QStringLiteral("unexpected member \"%1\" in __object__")
                                             .arg(QString::fromUtf8(k)));
                }
            }
            if (hasModule) {
                if (!full.startsWith(QByteArray(module + '.')))
                    return failAt(start, QStringLiteral("__object__ does not start with its module"));
                o.module = module;
                o.name = full.mid(module.size() + 1);
            } else {
                const qsizetype dot = full.lastIndexOf('.');
                o.module = dot < 0 ? QByteArray() : full.left(dot);
                o.name = dot < 0 ? full : full.mid(dot + 1);
            }
            using C = PyValue::Object::Construction;
            o.construction = isNew ? C::NewObj : hasArgs ? C::Reduce : C::Global;
            *out = PyValue::object(std::move(o));
            return true;
        }
        if (members.size() != 1)
            return failAt(start, QStringLiteral("%1 must be the only member").arg(QString::fromUtf8(tag)));
        if (tag == "__int__") {
            if (payload.kind() != K::Str)
                return failAt(start, QStringLiteral("__int__ needs a decimal string"));
            QByteArray d = payload.bytesData();
            const qsizetype from = d.startsWith('-') ? 1 : 0;
            bool ok = d.size() > from && d.size() <= 10000; // the conversion is quadratic
            for (qsizetype i = from; ok && i < d.size(); ++i)
                ok = d[i] >= '0' && d[i] <= '9';
            if (!ok)
                return failAt(start, QStringLiteral("__int__ needs a decimal string"));
            *out = PyValue::bigIntegerFromDecimal(d);
            return true;
        }
        if (tag == "__float__") {
            const QByteArray s = payload.kind() == K::Str ? payload.bytesData() : QByteArray();
            if (s == "nan")
                *out = PyValue::floating(std::nan(""));
            else if (s == "inf")
                *out = PyValue::floating(HUGE_VAL);
            else if (s == "-inf")
                *out = PyValue::floating(-HUGE_VAL);
            else
                return failAt(start, QStringLiteral("__float__ must be \"nan\", \"inf\" or \"-inf\""));
            return true;
        }
        if (tag == "__bytes__" || tag == "__bytearray__") {
            if (payload.kind() != K::Str)
                return failAt(start, QStringLiteral("%1 needs a base64 string").arg(QString::fromUtf8(tag)));
            auto decoded = QByteArray::fromBase64Encoding(payload.bytesData(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return failAt(start, QStringLiteral("%1 is not valid base64").arg(QString::fromUtf8(tag)));
            *out = tag == "__bytes__" ? PyValue::bytes(*decoded) : PyValue::byteArray(*decoded);
            return true;
        }
        if (tag == "__dict__") {
            PyValue::Pairs pairs;
            if (!pairsFrom(payload, &pairs))
                return failAt(start, QStringLiteral("__dict__ must be a list of [key, value] pairs"));
            *out = PyValue::dict(std::move(pairs));
            return true;
        }
        // __tuple__, __set__, __frozenset__
        if (payload.kind() != K::List)
            return failAt(start, QStringLiteral("%1 needs an array").arg(QString::fromUtf8(tag)));
        PyValue::Items items = payload.items();
        *out = tag == "__tuple__" ? PyValue::tuple(std::move(items))
             : tag == "__set__"   ? PyValue::set(std::move(items))
                                  : PyValue::frozenSet(std::move(items));
        return true;
    }

    const QByteArray &m_s;
    qsizetype m_pos = 0;
    QString m_error;
    qsizetype m_errorPos = 0;
};

} // namespace

QByteArray toJson(const PyValue &value, bool pretty)
{
    return toJson(value, pretty, qint64(1) << 30);
}

QByteArray toJson(const PyValue &value, bool pretty, qint64 maxBytes, bool *truncated)
{
    Emitter e(pretty, maxBytes);
    e.value(value, 0);
    if (truncated)
        *truncated = e.m_truncated;
    return std::move(e.m_out);
}

Expected<PyValue> fromJson(const QByteArray &json)
{
    Parser p(json);
    return p.parseDocument();
}

} // namespace cachescope::ValueJson
