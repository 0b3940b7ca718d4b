#include "configvalue.h"

#include <charconv>
#include <cmath>

namespace cachescope::py {

void DictData::set(const QString &hashKey, ValuePtr key, ValuePtr value, const SourceSpan &span)
{
    const int at = find(hashKey);
    if (at >= 0) {
        // Python keeps the first key object and the original position.
        entries[size_t(at)].value = std::move(value);
        entries[size_t(at)].span = span;
        return;
    }
    index.insert(hashKey, int(entries.size()));
    entries.push_back(Entry{std::move(key), std::move(value), span});
}

bool DictData::remove(const QString &hashKey)
{
    const int at = find(hashKey);
    if (at < 0)
        return false;
    entries.erase(entries.begin() + at);
    index.remove(hashKey);
    for (auto it = index.begin(); it != index.end(); ++it)
        if (it.value() > at)
            --it.value();
    return true;
}

ValuePtr DictData::get(const QString &strKey) const
{
    const Entry *e = entry(strKey);
    return e ? e->value : ValuePtr();
}

const DictData::Entry *DictData::entry(const QString &strKey) const
{
    const int at = find(QStringLiteral("s:") + strKey);
    return at >= 0 ? &entries[size_t(at)] : nullptr;
}

namespace {
thread_local ValueHeap *t_currentHeap = nullptr;
} // namespace

ValueHeap *ValueHeap::current()
{
    return t_currentHeap;
}

ValueHeap::Current::Current(ValueHeap *heap) : m_previous(t_currentHeap)
{
    t_currentHeap = heap;
}

ValueHeap::Current::~Current()
{
    t_currentHeap = m_previous;
}

ValueHeap::~ValueHeap()
{
    // First move every outgoing reference into a graveyard (nothing is destroyed while we walk the
    // live set, so every pointer stays valid), then let the graveyard go.
    struct Grave
    {
        std::vector<ValuePtr> items, defaults, kwDefaults;
        std::shared_ptr<DictData> dict;
        ValuePtr self;
        NativeFn fn;
        std::shared_ptr<py::Scope> closure;
    };
    std::vector<Grave> graveyard;
    graveyard.reserve(m_live.size());
    for (Value *v : m_live) {
        Grave g;
        g.items = std::move(v->items);
        g.defaults = std::move(v->defaults);
        g.kwDefaults = std::move(v->kwDefaults);
        g.dict = std::move(v->dict);
        g.self = std::move(v->self);
        g.fn = std::move(v->fn);
        g.closure = std::move(v->closure);
        v->items.clear();
        v->defaults.clear();
        v->kwDefaults.clear();
        v->heap = nullptr; // survivors held elsewhere must not call back into a dead heap
        graveyard.push_back(std::move(g));
    }
    m_live.clear();
    graveyard.clear(); // destructors run now; they no longer touch this heap
}

Value::Value() : heap(t_currentHeap)
{
    if (heap)
        heap->m_live.insert(this);
}

Value::~Value()
{
    if (heap)
        heap->m_live.erase(this);
}

namespace {
ValuePtr make(Value::Kind k)
{
    auto v = std::make_shared<Value>();
    v->kind = k;
    return v;
}
} // namespace

ValuePtr Value::none()
{
    static const ValuePtr n = [] {
        ValueHeap::Current noHeap(nullptr); // shared by every evaluation
        return make(Kind::None);
    }();
    return n;
}
ValuePtr Value::boolean(bool v)
{
    static const ValuePtr t = [] {
        ValueHeap::Current noHeap(nullptr);
        auto x = make(Kind::Bool);
        x->b = true;
        return x;
    }();
    static const ValuePtr f = [] {
        ValueHeap::Current noHeap(nullptr);
        return make(Kind::Bool);
    }();
    return v ? t : f;
}
ValuePtr Value::integer(qint64 v)
{
    auto x = make(Kind::Int);
    x->i = v;
    return x;
}
ValuePtr Value::floating(double v)
{
    auto x = make(Kind::Float);
    x->f = v;
    return x;
}
ValuePtr Value::str(QString v)
{
    auto x = make(Kind::Str);
    x->s = std::move(v);
    return x;
}
ValuePtr Value::bytes(QString latin1)
{
    auto x = make(Kind::Bytes);
    x->s = std::move(latin1);
    return x;
}
ValuePtr Value::list(std::vector<ValuePtr> v)
{
    auto x = make(Kind::List);
    x->items = std::move(v);
    return x;
}
ValuePtr Value::tuple(std::vector<ValuePtr> v)
{
    auto x = make(Kind::Tuple);
    x->items = std::move(v);
    return x;
}
ValuePtr Value::set(std::vector<ValuePtr> v)
{
    auto x = make(Kind::Set);
    x->items = std::move(v);
    return x;
}
ValuePtr Value::newDict()
{
    auto x = make(Kind::Dict);
    x->dict = std::make_shared<DictData>();
    return x;
}
ValuePtr Value::unknown(QString reason, const SourceSpan &span)
{
    auto x = make(Kind::Unknown);
    x->s = std::move(reason);
    x->span = span;
    return x;
}
ValuePtr Value::native(QString name, NativeFn fn, ValuePtr self)
{
    auto x = make(Kind::Native);
    x->s = std::move(name);
    x->fn = std::move(fn);
    x->self = std::move(self);
    return x;
}
ValuePtr Value::imported(QString path)
{
    auto x = make(Kind::Imported);
    x->s = std::move(path);
    return x;
}
ValuePtr Value::timedelta(qint64 micros)
{
    auto x = make(Kind::Timedelta);
    x->i = micros;
    return x;
}
ValuePtr Value::object(QString type)
{
    auto x = make(Kind::Object);
    x->s = std::move(type);
    x->dict = std::make_shared<DictData>();
    return x;
}

QString typeName(const Value &v)
{
    switch (v.kind) {
    case Value::Kind::None: return QStringLiteral("NoneType");
    case Value::Kind::Bool: return QStringLiteral("bool");
    case Value::Kind::Int: return QStringLiteral("int");
    case Value::Kind::Float: return QStringLiteral("float");
    case Value::Kind::Str: return QStringLiteral("str");
    case Value::Kind::Bytes: return QStringLiteral("bytes");
    case Value::Kind::List: return QStringLiteral("list");
    case Value::Kind::Tuple: return QStringLiteral("tuple");
    case Value::Kind::Dict: return QStringLiteral("dict");
    case Value::Kind::Set: return QStringLiteral("set");
    case Value::Kind::Ellipsis: return QStringLiteral("ellipsis");
    case Value::Kind::Function: return QStringLiteral("function");
    case Value::Kind::Native: return QStringLiteral("builtin_function_or_method");
    case Value::Kind::Module: return QStringLiteral("module");
    case Value::Kind::Class: return QStringLiteral("type");
    case Value::Kind::Instance: return v.self ? v.self->s : QStringLiteral("object");
    case Value::Kind::Imported: return QStringLiteral("type");
    case Value::Kind::Call: return v.s.section(QLatin1Char('.'), -1);
    case Value::Kind::Timedelta: return QStringLiteral("datetime.timedelta");
    case Value::Kind::Unknown: return QStringLiteral("unknown");
    case Value::Kind::Range: return QStringLiteral("range");
    case Value::Kind::Object: return v.s;
    }
    return QStringLiteral("object");
}

QString floatRepr(double d)
{
    if (std::isnan(d))
        return QStringLiteral("nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string sci(buf, res.ptr);
    // sci = "-d.ddde+XX"
    const auto epos = sci.find('e');
    std::string mant = sci.substr(0, epos);
    const int exp = std::stoi(sci.substr(epos + 1));
    bool neg = false;
    if (!mant.empty() && mant[0] == '-') {
        neg = true;
        mant.erase(0, 1);
    }
    std::string digits;
    for (char c : mant)
        if (c != '.')
            digits += c;
    std::string out;
    if (exp >= 16 || exp < -4) {
        out = digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
        out += eb;
    } else if (exp >= 0) {
        if (int(digits.size()) <= exp + 1) {
            out = digits + std::string(size_t(exp + 1 - int(digits.size())), '0') + ".0";
        } else {
            out = digits.substr(0, size_t(exp + 1)) + "." + digits.substr(size_t(exp + 1));
        }
    } else {
        out = "0." + std::string(size_t(-exp - 1), '0') + digits;
    }
    if (neg)
        out = "-" + out;
    return QString::fromLatin1(out.c_str());
}

namespace {
QString strRepr(const QString &s, bool bytes)
{
    const bool useDouble = s.contains(u'\'') && !s.contains(u'"');
    const QChar q = useDouble ? u'"' : u'\'';
    QString out = bytes ? QStringLiteral("b") : QString();
    out += q;
    for (QChar c : s) {
        const ushort u = c.unicode();
        if (c == q || c == u'\\') {
            out += u'\\';
            out += c;
        } else if (u == '\n')
            out += QStringLiteral("\\n");
        else if (u == '\r')
            out += QStringLiteral("\\r");
        else if (u == '\t')
            out += QStringLiteral("\\t");
        else if (u < 0x20 || u == 0x7f || (bytes && u > 0x7f) || (!bytes && u >= 0x80 && u < 0xa0))
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    out += q;
    return out;
}
} // namespace

QString pyRepr(const ValuePtr &v, int depth)
{
    if (!v)
        return QStringLiteral("None");
    if (depth > 50)
        return QStringLiteral("...");
    auto seq = [&](const QString &open, const QString &close) -> QString {
        QStringList parts;
        for (const auto &x : v->items)
            parts << pyRepr(x, depth + 1);
        QString inner = parts.join(QStringLiteral(", "));
        if (v->kind == Value::Kind::Tuple && v->items.size() == 1)
            inner += u',';
        return open + inner + close;
    };
    switch (v->kind) {
    case Value::Kind::None: return QStringLiteral("None");
    case Value::Kind::Bool: return v->b ? QStringLiteral("True") : QStringLiteral("False");
    case Value::Kind::Int: return QString::number(v->i);
    case Value::Kind::Float: return floatRepr(v->f);
    case Value::Kind::Str: return strRepr(v->s, false);
    case Value::Kind::Bytes: return strRepr(v->s, true);
    case Value::Kind::List: return seq(QStringLiteral("["), QStringLiteral("]"));
    case Value::Kind::Tuple: return seq(QStringLiteral("("), QStringLiteral(")"));
    case Value::Kind::Set: return v->items.empty() ? QStringLiteral("set()") : seq(QStringLiteral("{"), QStringLiteral("}"));
    case Value::Kind::Dict: {
        QStringList parts;
        for (const auto &e : v->dict->entries)
            parts << pyRepr(e.key, depth + 1) + QStringLiteral(": ") + pyRepr(e.value, depth + 1);
        return u'{' + parts.join(QStringLiteral(", ")) + u'}';
    }
    case Value::Kind::Ellipsis: return QStringLiteral("Ellipsis");
    case Value::Kind::Function: return QStringLiteral("<function %1>").arg(v->s);
    case Value::Kind::Native: return QStringLiteral("<built-in function %1>").arg(v->s);
    case Value::Kind::Module: return QStringLiteral("<module '%1'>").arg(v->s);
    case Value::Kind::Class: return QStringLiteral("<class '%1'>").arg(v->s);
    case Value::Kind::Instance: {
        if (v->self && v->self->isExceptionClass) {
            QStringList parts;
            for (const auto &x : v->items)
                parts << pyRepr(x, depth + 1);
            return v->self->s + u'(' + parts.join(QStringLiteral(", ")) + u')';
        }
        return QStringLiteral("<%1 object>").arg(v->self ? v->self->s : QStringLiteral("?"));
    }
    case Value::Kind::Imported: return QStringLiteral("<class '%1'>").arg(v->s);
    case Value::Kind::Call: return QStringLiteral("<%1 object>").arg(v->s);
    case Value::Kind::Timedelta: {
        const qint64 us = v->i;
        const qint64 days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
        const qint64 rest = us - days * 86400000000LL;
        const qint64 secs = rest / 1000000, micro = rest % 1000000;
        QStringList parts;
        if (days)
            parts << QStringLiteral("days=%1").arg(days);
        if (secs)
            parts << QStringLiteral("seconds=%1").arg(secs);
        if (micro)
            parts << QStringLiteral("microseconds=%1").arg(micro);
        return QStringLiteral("datetime.timedelta(%1)").arg(parts.isEmpty() ? QStringLiteral("0") : parts.join(QStringLiteral(", ")));
    }
    case Value::Kind::Unknown: return QStringLiteral("<unknown: %1>").arg(v->s);
    case Value::Kind::Range: {
        QString r = QStringLiteral("range(%1, %2").arg(v->items[0]->i).arg(v->items[1]->i);
        if (v->items[2]->i != 1)
            r += QStringLiteral(", %1").arg(v->items[2]->i);
        return r + u')';
    }
    case Value::Kind::Object: return QStringLiteral("<%1 object>").arg(v->s);
    }
    return QStringLiteral("?");
}

QString pyStr(const ValuePtr &v)
{
    if (v && v->kind == Value::Kind::Str)
        return v->s;
    if (v && v->kind == Value::Kind::Timedelta) {
        const qint64 us = v->i;
        const qint64 day = 86400000000LL;
        const qint64 days = us >= 0 ? us / day : -((-us + day - 1) / day);
        qint64 rest = us - days * day;
        const qint64 h = rest / 3600000000LL;
        rest %= 3600000000LL;
        const qint64 m = rest / 60000000LL;
        rest %= 60000000LL;
        const qint64 s = rest / 1000000, micro = rest % 1000000;
        QString out;
        if (days)
            out = QStringLiteral("%1 day%2, ").arg(days).arg(std::abs(days) == 1 ? QString() : QStringLiteral("s"));
        out += QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
        if (micro)
            out += QStringLiteral(".%1").arg(micro, 6, 10, QLatin1Char('0'));
        return out;
    }
    if (v && v->kind == Value::Kind::Instance && v->self && v->self->isExceptionClass) {
        if (v->items.empty())
            return QString();
        if (v->items.size() == 1)
            return v->self->s == u"KeyError" ? pyRepr(v->items[0]) : pyStr(v->items[0]);
        return pyRepr(Value::tuple(v->items));
    }
    return pyRepr(v);
}

std::optional<qint64> integerValue(const ValuePtr &v)
{
    if (!v)
        return std::nullopt;
    if (v->isIntLike())
        return v->asInt();
    if (v->kind == Value::Kind::Float && std::isfinite(v->f))
        return qint64(v->f);
    if (v->kind == Value::Kind::Timedelta)
        return v->i / 1000000;
    if (v->kind == Value::Kind::Str) {
        bool ok = false;
        const qint64 x = v->s.trimmed().toLongLong(&ok);
        if (ok)
            return x;
    }
    return std::nullopt;
}

std::optional<QString> hashKey(const ValuePtr &v)
{
    switch (v->kind) {
    case Value::Kind::None: return QStringLiteral("N");
    case Value::Kind::Bool:
    case Value::Kind::Int: return QStringLiteral("i:") + QString::number(v->asInt());
    case Value::Kind::Float:
        if (std::isfinite(v->f) && v->f == std::floor(v->f) && std::fabs(v->f) < 9.2e18)
            return QStringLiteral("i:") + QString::number(qint64(v->f));
        return QStringLiteral("f:") + floatRepr(v->f);
    case Value::Kind::Str: return QStringLiteral("s:") + v->s;
    case Value::Kind::Bytes: return QStringLiteral("b:") + v->s;
    case Value::Kind::Tuple: {
        QString k = QStringLiteral("t(");
        for (const auto &x : v->items) {
            auto sub = hashKey(x);
            if (!sub)
                return std::nullopt;
            k += *sub + QChar(0x1f);
        }
        return k + u')';
    }
    case Value::Kind::Timedelta: return QStringLiteral("td:") + QString::number(v->i);
    case Value::Kind::Imported: return QStringLiteral("p:") + v->s;
    case Value::Kind::Ellipsis: return QStringLiteral("E");
    case Value::Kind::List:
    case Value::Kind::Dict:
    case Value::Kind::Set: return std::nullopt;
    default:
        return QStringLiteral("o:") + QString::number(quintptr(v.get()), 16);
    }
}

} // namespace cachescope::py
