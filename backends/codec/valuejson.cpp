#include "valuejson.h"

#include "jsonreader.h"
#include "utf8.h"

#include <QString>

#include <charconv>
#include <cmath>

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
    // Invalid sequences and encoded lone surrogates become U+FFFD, so the output is always valid
    // UTF-8 JSON; a leading U+FEFF stays (QString::fromUtf8 would drop it).
    const QByteArray clean = utf8::toString(utf8).toUtf8();
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

bool pairsFrom(const PyValue &list, PyValue::Pairs *pairs)
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

// The JsonReader object hook: turns the tagged objects of the encoding back into values. The
// members are already interpreted (objects close inside out); errors are placed at the '{'.
Expected<PyValue> interpret(PyValue::Pairs &&members)
{
    using K = PyValue::Kind;
    const bool tagged = !members.empty() && isTag(members.front().first.bytesData());
    if (!tagged)
        return PyValue::dict(std::move(members));
    const QByteArray tag = members.front().first.bytesData();
    PyValue &payload = members.front().second;
    if (tag == "__object__") {
        if (payload.kind() != K::Str)
            return makeError(QStringLiteral("__object__ needs a \"module.name\" string"));
        PyValue::Object o;
        const QByteArray full = payload.bytesData();
        QByteArray module;
        bool hasModule = false, isNew = false, hasArgs = false;
        for (size_t i = 1; i < members.size(); ++i) {
            const QByteArray &k = members[i].first.bytesData();
            PyValue &v = members[i].second;
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
                    return makeError(QStringLiteral("dictitems must be a list of [key, value] pairs"));
            } else {
                return makeError(QStringLiteral("unexpected member \"%1\" in __object__").arg(QString::fromUtf8(k)));
            }
        }
        if (hasModule) {
            if (!full.startsWith(QByteArray(module + '.')))
                return makeError(QStringLiteral("__object__ does not start with its module"));
            o.module = module;
            o.name = full.mid(module.size() + 1);
        } else {
            const qsizetype dot = full.lastIndexOf('.');
            o.module = dot < 0 ? QByteArray() : full.left(dot);
            o.name = dot < 0 ? full : full.mid(dot + 1);
        }
        using C = PyValue::Object::Construction;
        o.construction = isNew ? C::NewObj : hasArgs ? C::Reduce : C::Global;
        return PyValue::object(std::move(o));
    }
    if (members.size() != 1)
        return makeError(QStringLiteral("%1 must be the only member").arg(QString::fromUtf8(tag)));
    if (tag == "__int__") {
        if (payload.kind() != K::Str)
            return makeError(QStringLiteral("__int__ needs a decimal string"));
        QByteArray d = payload.bytesData();
        const qsizetype from = d.startsWith('-') ? 1 : 0;
        bool ok = d.size() > from && d.size() <= 10000; // the conversion is quadratic
        for (qsizetype i = from; ok && i < d.size(); ++i)
            ok = d[i] >= '0' && d[i] <= '9';
        if (!ok)
            return makeError(QStringLiteral("__int__ needs a decimal string"));
        return PyValue::bigIntegerFromDecimal(d);
    }
    if (tag == "__float__") {
        const QByteArray s = payload.kind() == K::Str ? payload.bytesData() : QByteArray();
        if (s == "nan")
            return PyValue::floating(std::nan(""));
        if (s == "inf")
            return PyValue::floating(HUGE_VAL);
        if (s == "-inf")
            return PyValue::floating(-HUGE_VAL);
        return makeError(QStringLiteral("__float__ must be \"nan\", \"inf\" or \"-inf\""));
    }
    if (tag == "__bytes__" || tag == "__bytearray__") {
        if (payload.kind() != K::Str)
            return makeError(QStringLiteral("%1 needs a base64 string").arg(QString::fromUtf8(tag)));
        auto decoded = QByteArray::fromBase64Encoding(payload.bytesData(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return makeError(QStringLiteral("%1 is not valid base64").arg(QString::fromUtf8(tag)));
        return tag == "__bytes__" ? PyValue::bytes(*decoded) : PyValue::byteArray(*decoded);
    }
    if (tag == "__dict__") {
        PyValue::Pairs pairs;
        if (!pairsFrom(payload, &pairs))
            return makeError(QStringLiteral("__dict__ must be a list of [key, value] pairs"));
        return PyValue::dict(std::move(pairs));
    }
    // __tuple__, __set__, __frozenset__
    if (payload.kind() != K::List)
        return makeError(QStringLiteral("%1 needs an array").arg(QString::fromUtf8(tag)));
    PyValue::Items items = payload.items();
    return tag == "__tuple__" ? PyValue::tuple(std::move(items))
         : tag == "__set__"   ? PyValue::set(std::move(items))
                              : PyValue::frozenSet(std::move(items));
}

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
    JsonReader::Options options;
    options.maxDepth = kMaxDepth;
    options.allowNonFinite = false; // the encoding writes them as {"__float__": ...}
    options.maxIntegerDigits = 10000; // as for "__int__"
    options.lineColumn = true;
    options.objectHook = interpret;
    return JsonReader(options).parse(json);
}

} // namespace cachescope::ValueJson
