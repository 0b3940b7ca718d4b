// Python semantics of the operators, truth, iteration, item and attribute access for the
// evaluator's value model (part of Evaluator).
#include "configerrors.h"
#include "configevaluator.h"

#include <cmath>

namespace cachescope::py {

namespace {
bool addOverflow(qint64 a, qint64 b, qint64 *r) { return __builtin_add_overflow(a, b, r); }
bool subOverflow(qint64 a, qint64 b, qint64 *r) { return __builtin_sub_overflow(a, b, r); }
bool mulOverflow(qint64 a, qint64 b, qint64 *r) { return __builtin_mul_overflow(a, b, r); }

qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}
qint64 floorMod(qint64 a, qint64 b)
{
    qint64 m = a % b;
    if (m != 0 && ((m < 0) != (b < 0)))
        m += b;
    return m;
}
} // namespace

bool Evaluator::truthy(const ValuePtr &v, const SourceSpan &span)
{
    switch (v->kind) {
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return v->b;
    case Value::Kind::Int: return v->i != 0;
    case Value::Kind::Float: return v->f != 0.0;
    case Value::Kind::Str:
    case Value::Kind::Bytes: return !v->s.isEmpty();
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Set: return !v->items.empty();
    case Value::Kind::Dict: return !v->dict->entries.empty();
    case Value::Kind::Timedelta: return v->i != 0;
    case Value::Kind::Range: return !iterate(v, span).empty();
    case Value::Kind::Object:
        if (isEnviron(*v) || viewKind(*v) != ViewKind::None)
            return !v->dict->entries.empty();
        return true;
    case Value::Kind::Unknown:
        diagnose(QStringLiteral("warning"), QStringLiteral("unknown-condition"),
                 QStringLiteral("condition depends on an unknown value (%1); taken as false").arg(v->s), span);
        return false;
    default:
        return true;
    }
}

std::vector<ValuePtr> Evaluator::iterate(const ValuePtr &v, const SourceSpan &span)
{
    switch (v->kind) {
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Set: return v->items;
    case Value::Kind::Dict: {
        std::vector<ValuePtr> keys;
        keys.reserve(v->dict->entries.size());
        for (const auto &e : v->dict->entries)
            keys.push_back(e.key);
        return keys;
    }
    case Value::Kind::Str: {
        std::vector<ValuePtr> chars;
        charge(v->s.size() * 48, span);
        for (QChar c : v->s)
            chars.push_back(Value::str(QString(c)));
        return chars;
    }
    case Value::Kind::Bytes: {
        std::vector<ValuePtr> out;
        charge(v->s.size() * 48, span);
        for (QChar c : v->s)
            out.push_back(Value::integer(c.unicode()));
        return out;
    }
    case Value::Kind::Range: {
        const qint64 start = v->items[0]->i, stop = v->items[1]->i, st = v->items[2]->i;
        const qint64 count = st > 0 ? (stop > start ? (stop - start + st - 1) / st : 0) : (start > stop ? (start - stop - st - 1) / -st : 0);
        if (count > 1'000'000)
            abort(QStringLiteral("memory-limit"), QStringLiteral("range of %1 items is too large to expand").arg(count), span);
        charge(count * 48, span);
        std::vector<ValuePtr> out;
        for (qint64 i = 0; i < count; ++i)
            out.push_back(Value::integer(start + i * st));
        return out;
    }
    case Value::Kind::Object:
        if (isEnviron(*v)) {
            noteEnvironmentListed(span);
            return viewElements(*v, ViewKind::Keys);
        }
        if (const ViewKind k = viewKind(*v); k != ViewKind::None) {
            if (isEnviron(*v->self))
                noteEnvironmentListed(span);
            charge(qint64(v->dict->entries.size()) * (k == ViewKind::Items ? 64 : 16), span);
            return viewElements(*v, k);
        }
        break;
    case Value::Kind::Unknown:
        diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                 QStringLiteral("iteration over an unknown value (%1) was skipped").arg(v->s), span);
        return {};
    default:
        break;
    }
    raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object is not iterable").arg(typeName(*v)), span);
}

namespace {
// Containers can contain themselves: comparisons recurse with a bound, like Python's RecursionError.
struct CompareDepth
{
    int &depth;
    CompareDepth(Evaluator &ev, int &d, const SourceSpan &span) : depth(d)
    {
        if (++depth > 400) {
            depth = 0;
            ev.raise(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded in comparison"), span);
        }
    }
    ~CompareDepth()
    {
        if (depth > 0)
            --depth;
    }
};
thread_local int t_compareDepth = 0;
} // namespace

bool Evaluator::equals(const ValuePtr &a, const ValuePtr &b)
{
    if (a.get() == b.get())
        return true;
    CompareDepth guard(*this, t_compareDepth, SourceSpan{});
    if (a->isNumber() && b->isNumber()) {
        if (a->kind == Value::Kind::Float || b->kind == Value::Kind::Float)
            return a->asFloat() == b->asFloat();
        return a->asInt() == b->asInt();
    }
    // Mapping == mapping compares items (os.environ == dict does, through Mapping.__eq__);
    // keys and items views compare as sets, with sets or with each other.
    if (isMapping(*a) && isMapping(*b) && (isEnviron(*a) || isEnviron(*b))) {
        ValuePtr da = Value::newDict(), db = Value::newDict();
        da->dict = a->dict;
        db->dict = b->dict;
        return equals(da, db);
    }
    const ViewKind va = viewKind(*a), vb = viewKind(*b);
    auto setLike = [](const Value &v, ViewKind k) { return k == ViewKind::Keys || k == ViewKind::Items || (k == ViewKind::None && v.kind == Value::Kind::Set); };
    if ((va != ViewKind::None || vb != ViewKind::None) && setLike(*a, va) && setLike(*b, vb)) {
        // Set equality by containment: an items view may hold unhashable values.
        const auto xs = va == ViewKind::None ? a->items : viewElements(*a, va);
        const size_t nb = vb == ViewKind::None ? b->items.size() : b->dict->entries.size();
        if (xs.size() != nb)
            return false;
        for (const auto &x : xs)
            if (!contains(b, x, SourceSpan{}))
                return false;
        return true;
    }
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case Value::Kind::None: return true;
    case Value::Kind::Str:
    case Value::Kind::Bytes:
    case Value::Kind::Imported: return a->s == b->s;
    case Value::Kind::Timedelta: return a->i == b->i;
    case Value::Kind::List:
    case Value::Kind::Tuple:
        if (a->items.size() != b->items.size())
            return false;
        for (size_t i = 0; i < a->items.size(); ++i)
            if (!equals(a->items[i], b->items[i]))
                return false;
        return true;
    case Value::Kind::Set: {
        if (a->items.size() != b->items.size())
            return false;
        QSet<QString> keys;
        for (const auto &x : a->items)
            keys.insert(*hashKey(x));
        for (const auto &x : b->items)
            if (!keys.contains(*hashKey(x)))
                return false;
        return true;
    }
    case Value::Kind::Dict:
        if (a->dict->entries.size() != b->dict->entries.size())
            return false;
        for (const auto &e : a->dict->entries) {
            const int at = b->dict->find(*hashKey(e.key));
            if (at < 0 || !equals(e.value, b->dict->entries[size_t(at)].value))
                return false;
        }
        return true;
    default:
        return false;
    }
}

int Evaluator::compare(const ValuePtr &a, const ValuePtr &b, const SourceSpan &span)
{
    CompareDepth guard(*this, t_compareDepth, span);
    if (a->isNumber() && b->isNumber()) {
        if (a->kind == Value::Kind::Float || b->kind == Value::Kind::Float) {
            const double x = a->asFloat(), y = b->asFloat();
            return x < y ? -1 : x > y ? 1 : 0;
        }
        const qint64 x = a->asInt(), y = b->asInt();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a->kind == b->kind) {
        switch (a->kind) {
        case Value::Kind::Str:
        case Value::Kind::Bytes: return a->s.compare(b->s) < 0 ? -1 : a->s == b->s ? 0 : 1;
        case Value::Kind::Timedelta: return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
        case Value::Kind::List:
        case Value::Kind::Tuple: {
            const size_t n = std::min(a->items.size(), b->items.size());
            for (size_t i = 0; i < n; ++i) {
                if (equals(a->items[i], b->items[i]))
                    continue;
                return compare(a->items[i], b->items[i], span);
            }
            return a->items.size() < b->items.size() ? -1 : a->items.size() > b->items.size() ? 1 : 0;
        }
        default:
            break;
        }
    }
    raise(QStringLiteral("TypeError"),
          QStringLiteral("'<' not supported between instances of '%1' and '%2'").arg(typeName(*a), typeName(*b)), span);
}

bool Evaluator::contains(const ValuePtr &container, const ValuePtr &item, const SourceSpan &span)
{
    switch (container->kind) {
    case Value::Kind::Str:
    case Value::Kind::Bytes:
        if (item->kind != container->kind)
            raise(QStringLiteral("TypeError"), QStringLiteral("'in <string>' requires string as left operand, not %1").arg(typeName(*item)), span);
        return container->s.contains(item->s);
    case Value::Kind::Dict: {
        auto k = hashKey(item);
        if (!k)
            raise(QStringLiteral("TypeError"), QStringLiteral("unhashable type: '%1'").arg(typeName(*item)), span);
        return container->dict->find(*k) >= 0;
    }
    case Value::Kind::Object:
        if (isEnviron(*container)) {
            // Mapping.__contains__ looks the key up: os.environ encodes it, so a non-str raises.
            if (item->kind != Value::Kind::Str)
                raise(QStringLiteral("TypeError"), QStringLiteral("str expected, not %1").arg(typeName(*item)), span);
            const bool found = container->dict->find(QStringLiteral("s:") + item->s) >= 0;
            if (m_result)
                m_result->envReads.push_back(EnvRead{item->s, found, false, {}, span, m_currentFile});
            return found;
        }
        switch (viewKind(*container)) {
        case ViewKind::Keys:
            if (isEnviron(*container->self))
                return contains(container->self, item, span);
            return container->dict->find(requireHashKey(item, span)) >= 0;
        case ViewKind::Items: {
            // (key, value) in d.items(): the key's value, compared; anything else is simply absent.
            if (item->kind != Value::Kind::Tuple || item->items.size() != 2)
                return false;
            const auto key = hashKey(item->items[0]);
            if (!key)
                raise(QStringLiteral("TypeError"), QStringLiteral("unhashable type: '%1'").arg(typeName(*item->items[0])), span);
            const int at = container->dict->find(*key);
            return at >= 0 && equals(container->dict->entries[size_t(at)].value, item->items[1]);
        }
        case ViewKind::Values:
            for (const auto &e : container->dict->entries)
                if (equals(e.value, item))
                    return true;
            return false;
        case ViewKind::None:
            break;
        }
        break;
    case Value::Kind::Range:
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Set:
        for (const auto &x : iterate(container, span))
            if (equals(x, item))
                return true;
        return false;
    default:
        break;
    }
    raise(QStringLiteral("TypeError"), QStringLiteral("argument of type '%1' is not iterable").arg(typeName(*container)), span);
}

ValuePtr Evaluator::compareOp(const QString &op, const ValuePtr &a, const ValuePtr &b, const SourceSpan &span)
{
    if (op == u"is" || op == u"is not") {
        bool same = a.get() == b.get() || (a->kind == Value::Kind::None && b->kind == Value::Kind::None)
                 || (a->kind == Value::Kind::Bool && b->kind == Value::Kind::Bool && a->b == b->b);
        if (!same && (a->kind == Value::Kind::Unknown || b->kind == Value::Kind::Unknown))
            return Value::unknown(a->kind == Value::Kind::Unknown ? a->s : b->s, span);
        return Value::boolean(op == u"is" ? same : !same);
    }
    if (a->kind == Value::Kind::Unknown)
        return Value::unknown(a->s, span);
    if (b->kind == Value::Kind::Unknown)
        return Value::unknown(b->s, span);
    if (op == u"==")
        return Value::boolean(equals(a, b));
    if (op == u"!=")
        return Value::boolean(!equals(a, b));
    if (op == u"in")
        return Value::boolean(contains(b, a, span));
    if (op == u"not in")
        return Value::boolean(!contains(b, a, span));
    if (a->kind == Value::Kind::Set && b->kind == Value::Kind::Set) {
        auto subset = [&](const ValuePtr &x, const ValuePtr &y) {
            for (const auto &i : x->items)
                if (!contains(y, i, span))
                    return false;
            return true;
        };
        if (op == u"<=")
            return Value::boolean(subset(a, b));
        if (op == u">=")
            return Value::boolean(subset(b, a));
        if (op == u"<")
            return Value::boolean(subset(a, b) && a->items.size() < b->items.size());
        return Value::boolean(subset(b, a) && b->items.size() < a->items.size());
    }
    if ((a->kind == Value::Kind::Float && std::isnan(a->f)) || (b->kind == Value::Kind::Float && std::isnan(b->f)))
        return Value::boolean(false);
    const int c = compare(a, b, span);
    if (op == u"<")
        return Value::boolean(c < 0);
    if (op == u">")
        return Value::boolean(c > 0);
    if (op == u"<=")
        return Value::boolean(c <= 0);
    return Value::boolean(c >= 0);
}

ValuePtr Evaluator::unaryOp(const QString &op, const ValuePtr &v, const SourceSpan &span)
{
    if (v->kind == Value::Kind::Unknown)
        return Value::unknown(v->s, span);
    if (v->isIntLike()) {
        const qint64 x = v->asInt();
        if (op == u"-") {
            if (x == std::numeric_limits<qint64>::min())
                abort(QStringLiteral("int-too-large"), QStringLiteral("integer does not fit in 64 bits"), span);
            return Value::integer(-x);
        }
        if (op == u"+")
            return Value::integer(x);
        return Value::integer(~x);
    }
    if (v->kind == Value::Kind::Float && op != u"~")
        return Value::floating(op == u"-" ? -v->f : v->f);
    if (v->kind == Value::Kind::Timedelta && op != u"~")
        return Value::timedelta(op == u"-" ? -v->i : v->i);
    raise(QStringLiteral("TypeError"), QStringLiteral("bad operand type for unary %1: '%2'").arg(op, typeName(*v)), span);
}

ValuePtr Evaluator::binaryOp(const QString &op, const ValuePtr &a, const ValuePtr &b, const SourceSpan &span)
{
    if (a->kind == Value::Kind::Unknown)
        return Value::unknown(a->s, span);
    if (b->kind == Value::Kind::Unknown)
        return Value::unknown(b->s, span);
    auto typeError = [&]() {
        raise(QStringLiteral("TypeError"),
              QStringLiteral("unsupported operand type(s) for %1: '%2' and '%3'").arg(op, typeName(*a), typeName(*b)), span);
    };
    auto tooLarge = [&]() {
        abort(QStringLiteral("int-too-large"), QStringLiteral("integer result does not fit in 64 bits"), span);
    };
    const QChar o = op.at(0);
    // PEP 604 unions in annotations: "str | None", "int | float".
    auto typeLike = [](const Value &v) {
        return v.kind == Value::Kind::Native || v.kind == Value::Kind::Class || v.kind == Value::Kind::Imported;
    };
    if (op == u"|" && (typeLike(*a) || typeLike(*b)) && !(a->kind == Value::Kind::Set || a->kind == Value::Kind::Dict))
        return Value::unknown(QStringLiteral("type union %1 | %2").arg(typeName(*a), typeName(*b)), span);
    // Numbers
    if (a->isNumber() && b->isNumber()) {
        const bool flt = a->kind == Value::Kind::Float || b->kind == Value::Kind::Float;
        if (op == u"/") {
            if (b->asFloat() == 0.0)
                raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("division by zero"), span);
            return Value::floating(a->asFloat() / b->asFloat());
        }
        if (!flt) {
            const qint64 x = a->asInt(), y = b->asInt();
            qint64 r = 0;
            if (op == u"+") {
                if (addOverflow(x, y, &r))
                    tooLarge();
                return Value::integer(r);
            }
            if (op == u"-") {
                if (subOverflow(x, y, &r))
                    tooLarge();
                return Value::integer(r);
            }
            if (op == u"*") {
                if (mulOverflow(x, y, &r))
                    tooLarge();
                return Value::integer(r);
            }
            if (op == u"//" || op == u"%") {
                if (y == 0)
                    raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("integer division or modulo by zero"), span);
                if (x == std::numeric_limits<qint64>::min() && y == -1)
                    tooLarge();
                return Value::integer(op == u"//" ? floorDiv(x, y) : floorMod(x, y));
            }
            if (op == u"**") {
                if (y < 0)
                    return Value::floating(std::pow(double(x), double(y)));
                qint64 acc = 1;
                for (qint64 i = 0; i < y; ++i) {
                    if (mulOverflow(acc, x, &acc))
                        tooLarge();
                    if (acc == 0 || acc == 1)
                        break;
                    if (i > 64 && (x == -1))
                        return Value::integer(y % 2 ? -1 : 1);
                }
                return Value::integer(acc);
            }
            if (op == u"<<") {
                if (y < 0)
                    raise(QStringLiteral("ValueError"), QStringLiteral("negative shift count"), span);
                if (y >= 63 || (x != 0 && (std::abs(x) >> (62 - y)) != 0))
                    tooLarge();
                return Value::integer(x << y);
            }
            if (op == u">>") {
                if (y < 0)
                    raise(QStringLiteral("ValueError"), QStringLiteral("negative shift count"), span);
                return Value::integer(y >= 63 ? (x < 0 ? -1 : 0) : x >> y);
            }
            if (a->kind == Value::Kind::Bool && b->kind == Value::Kind::Bool && (o == u'&' || o == u'|' || o == u'^'))
                return Value::boolean(o == u'&' ? (a->b && b->b) : o == u'|' ? (a->b || b->b) : (a->b != b->b));
            if (o == u'&')
                return Value::integer(x & y);
            if (o == u'|')
                return Value::integer(x | y);
            if (o == u'^')
                return Value::integer(x ^ y);
            typeError();
        }
        const double x = a->asFloat(), y = b->asFloat();
        if (op == u"+")
            return Value::floating(x + y);
        if (op == u"-")
            return Value::floating(x - y);
        if (op == u"*")
            return Value::floating(x * y);
        if (op == u"**")
            return Value::floating(std::pow(x, y));
        if (op == u"//" || op == u"%") {
            if (y == 0.0)
                raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("float modulo"), span);
            const double q = std::floor(x / y);
            return Value::floating(op == u"//" ? q : x - q * y);
        }
        typeError();
    }
    // Strings
    if (a->kind == Value::Kind::Str || a->kind == Value::Kind::Bytes) {
        if (op == u"+" && b->kind == a->kind) {
            charge((a->s.size() + b->s.size()) * 2, span);
            if (a->s.size() + b->s.size() > 4 * 1024 * 1024)
                abort(QStringLiteral("memory-limit"), QStringLiteral("string longer than 4 Mi characters"), span);
            return a->kind == Value::Kind::Str ? Value::str(a->s + b->s) : Value::bytes(a->s + b->s);
        }
        if (op == u"*" && b->isIntLike()) {
            const qint64 n = std::max<qint64>(0, b->asInt());
            if (n * a->s.size() > 4 * 1024 * 1024)
                abort(QStringLiteral("memory-limit"), QStringLiteral("string of %1 characters is over the 4 Mi limit").arg(n * a->s.size()), span);
            charge(n * a->s.size() * 2, span);
            return a->kind == Value::Kind::Str ? Value::str(a->s.repeated(int(n))) : Value::bytes(a->s.repeated(int(n)));
        }
        if (op == u"%" && a->kind == Value::Kind::Str)
            return percentFormat(a->s, b, span);
        typeError();
    }
    if (b->kind == Value::Kind::Str && op == u"*" && a->isIntLike())
        return binaryOp(op, b, a, span);
    // Sequences
    if ((a->kind == Value::Kind::List || a->kind == Value::Kind::Tuple)) {
        if (op == u"+" && b->kind == a->kind) {
            std::vector<ValuePtr> items = a->items;
            items.insert(items.end(), b->items.begin(), b->items.end());
            charge(qint64(items.size()) * 16, span);
            if (items.size() > 1'000'000)
                abort(QStringLiteral("memory-limit"), QStringLiteral("sequence grows beyond 1000000 items"), span);
            return a->kind == Value::Kind::List ? Value::list(items) : Value::tuple(items);
        }
        if (op == u"*" && b->isIntLike()) {
            const qint64 n = std::max<qint64>(0, b->asInt());
            if (n * qint64(a->items.size()) > 1'000'000)
                abort(QStringLiteral("memory-limit"), QStringLiteral("sequence grows beyond 1000000 items"), span);
            std::vector<ValuePtr> items;
            for (qint64 i = 0; i < n; ++i)
                items.insert(items.end(), a->items.begin(), a->items.end());
            charge(qint64(items.size()) * 16, span);
            return a->kind == Value::Kind::List ? Value::list(items) : Value::tuple(items);
        }
        typeError();
    }
    if (b->kind == Value::Kind::List && op == u"*" && a->isIntLike())
        return binaryOp(op, b, a, span);
    // Keys and items views are sets: |, &, - and ^ with any iterable give a set (d.keys() - {"x"}).
    const ViewKind va = viewKind(*a), vb = viewKind(*b);
    if ((va == ViewKind::Keys || va == ViewKind::Items || vb == ViewKind::Keys || vb == ViewKind::Items)
        && (o == u'|' || o == u'&' || o == u'-' || o == u'^') && op.size() == 1) {
        auto asSet = [&](const ValuePtr &v) {
            std::vector<ValuePtr> unique;
            QSet<QString> seen;
            for (const auto &x : iterate(v, span)) {
                const QString k = requireHashKey(x, span);
                if (!seen.contains(k)) {
                    seen.insert(k);
                    unique.push_back(x);
                }
            }
            return Value::set(std::move(unique));
        };
        return binaryOp(op, asSet(a), asSet(b), span);
    }
    // os.environ | dict and dict | os.environ make a dict (os._Environ.__or__/__ror__).
    if (op == u"|" && isMapping(*a) && isMapping(*b)) {
        ValuePtr d = Value::newDict();
        for (const ValuePtr &m : {a, b}) {
            if (isEnviron(*m))
                noteEnvironmentListed(span);
            for (const auto &e : m->dict->entries)
                d->dict->set(*hashKey(e.key), e.key, e.value, e.span);
        }
        return d;
    }
    if (a->kind == Value::Kind::Dict && b->kind == Value::Kind::Dict && op == u"|") {
        ValuePtr d = Value::newDict();
        for (const auto &e : a->dict->entries)
            d->dict->set(*hashKey(e.key), e.key, e.value, e.span);
        for (const auto &e : b->dict->entries)
            d->dict->set(*hashKey(e.key), e.key, e.value, e.span);
        return d;
    }
    if (a->kind == Value::Kind::Set && b->kind == Value::Kind::Set) {
        std::vector<ValuePtr> out;
        QSet<QString> inB;
        for (const auto &x : b->items)
            inB.insert(*hashKey(x));
        QSet<QString> inA;
        for (const auto &x : a->items)
            inA.insert(*hashKey(x));
        if (o == u'|') {
            out = a->items;
            for (const auto &x : b->items)
                if (!inA.contains(*hashKey(x)))
                    out.push_back(x);
        } else if (o == u'&') {
            for (const auto &x : a->items)
                if (inB.contains(*hashKey(x)))
                    out.push_back(x);
        } else if (o == u'-') {
            for (const auto &x : a->items)
                if (!inB.contains(*hashKey(x)))
                    out.push_back(x);
        } else if (o == u'^') {
            for (const auto &x : a->items)
                if (!inB.contains(*hashKey(x)))
                    out.push_back(x);
            for (const auto &x : b->items)
                if (!inA.contains(*hashKey(x)))
                    out.push_back(x);
        } else {
            typeError();
        }
        return Value::set(out);
    }
    // timedelta
    if (a->kind == Value::Kind::Timedelta || b->kind == Value::Kind::Timedelta) {
        if (a->kind == Value::Kind::Timedelta && b->kind == Value::Kind::Timedelta) {
            qint64 r = 0;
            if (op == u"+") {
                if (addOverflow(a->i, b->i, &r))
                    tooLarge();
                return Value::timedelta(r);
            }
            if (op == u"-") {
                if (subOverflow(a->i, b->i, &r))
                    tooLarge();
                return Value::timedelta(r);
            }
            if (op == u"/") {
                if (b->i == 0)
                    raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("division by zero"), span);
                return Value::floating(double(a->i) / double(b->i));
            }
            if (op == u"//") {
                if (b->i == 0)
                    raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("division by zero"), span);
                return Value::integer(floorDiv(a->i, b->i));
            }
            typeError();
        }
        const ValuePtr &td = a->kind == Value::Kind::Timedelta ? a : b;
        const ValuePtr &num = a->kind == Value::Kind::Timedelta ? b : a;
        if (op == u"*" && num->isNumber()) {
            if (num->kind == Value::Kind::Float)
                return Value::timedelta(qint64(std::llround(double(td->i) * num->f)));
            qint64 r = 0;
            if (mulOverflow(td->i, num->asInt(), &r))
                tooLarge();
            return Value::timedelta(r);
        }
        if ((op == u"/" || op == u"//") && a->kind == Value::Kind::Timedelta && num->isNumber()) {
            if (num->asFloat() == 0)
                raise(QStringLiteral("ZeroDivisionError"), QStringLiteral("division by zero"), span);
            if (op == u"//" && num->isIntLike())
                return Value::timedelta(floorDiv(td->i, num->asInt()));
            return Value::timedelta(qint64(std::llround(double(td->i) / num->asFloat())));
        }
        typeError();
    }
    if (a->kind == Value::Kind::Call || a->kind == Value::Kind::Imported || b->kind == Value::Kind::Call
        || b->kind == Value::Kind::Imported)
        return Value::unknown(QStringLiteral("operator %1 on an object that is not modelled").arg(op), span);
    typeError();
    return nullptr; // not reached: typeError() raises
}

ValuePtr Evaluator::getItem(const ValuePtr &obj, const ValuePtr &key, const SourceSpan &span)
{
    switch (obj->kind) {
    case Value::Kind::Dict: {
        if (key->kind == Value::Kind::Unknown)
            return Value::unknown(key->s, span);
        const int at = obj->dict->find(requireHashKey(key, span));
        if (at < 0)
            raise(QStringLiteral("KeyError"), pyRepr(key), span);
        return obj->dict->entries[size_t(at)].value;
    }
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Str:
    case Value::Kind::Bytes: {
        if (key->kind == Value::Kind::Unknown)
            return Value::unknown(key->s, span);
        if (!key->isIntLike())
            raise(QStringLiteral("TypeError"),
                  QStringLiteral("%1 indices must be integers, not %2").arg(typeName(*obj), typeName(*key)), span);
        const qint64 n = obj->kind == Value::Kind::Str || obj->kind == Value::Kind::Bytes ? obj->s.size() : qint64(obj->items.size());
        qint64 i = key->asInt();
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            raise(QStringLiteral("IndexError"), QStringLiteral("%1 index out of range").arg(typeName(*obj)), span);
        if (obj->kind == Value::Kind::Str)
            return Value::str(QString(obj->s.at(i)));
        if (obj->kind == Value::Kind::Bytes)
            return Value::integer(obj->s.at(i).unicode());
        return obj->items[size_t(i)];
    }
    case Value::Kind::Range: {
        const auto items = iterate(obj, span);
        return getItem(Value::tuple(items), key, span);
    }
    case Value::Kind::Object:
        if (isEnviron(*obj)) {
            if (key->kind == Value::Kind::Unknown)
                return Value::unknown(key->s, span);
            if (key->kind != Value::Kind::Str)
                raise(QStringLiteral("TypeError"), QStringLiteral("str expected, not %1").arg(typeName(*key)), span);
            const QString name = key->s;
            const auto *e = obj->dict->entry(name);
            if (m_result)
                m_result->envReads.push_back(EnvRead{name, e != nullptr, false, {}, span, m_currentFile});
            if (!e)
                raise(QStringLiteral("KeyError"), pyRepr(key), span);
            return e->value;
        }
        if (obj->s == u"re.Match") {
            CallArgs a;
            a.args.push_back(key);
            a.span = span;
            return call(getAttr(obj, QStringLiteral("group"), span), a);
        }
        if (obj->s == u"ParseResult") {
            static const char *const fields[] = {"scheme", "netloc", "path", "params", "query", "fragment"};
            if (key->isIntLike() && key->asInt() >= 0 && key->asInt() < 6)
                return obj->dict->get(QLatin1String(fields[key->asInt()]));
        }
        break;
    case Value::Kind::Unknown:
        return Value::unknown(obj->s, span);
    case Value::Kind::Imported:
    case Value::Kind::Native:
    case Value::Kind::Class:
        // Generic aliases in annotations: dict[str, Any], Optional[str]...
        return Value::unknown(QStringLiteral("type expression %1[...] is not modelled").arg(obj->s), span);
    case Value::Kind::Call:
        return Value::unknown(QStringLiteral("item of an object built by %1 is not modelled").arg(obj->s), span);
    default:
        break;
    }
    raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object is not subscriptable").arg(typeName(*obj)), span);
}

void Evaluator::setItem(const ValuePtr &obj, const ValuePtr &key, const ValuePtr &value, const SourceSpan &span)
{
    switch (obj->kind) {
    case Value::Kind::Dict:
        if (key->kind == Value::Kind::Unknown) {
            diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                     QStringLiteral("dict item set under an unknown key (%1); ignored").arg(key->s), span);
            return;
        }
        if (obj->dict->entries.size() > 1'000'000)
            abort(QStringLiteral("memory-limit"), QStringLiteral("dict grows beyond 1000000 items"), span);
        obj->dict->set(requireHashKey(key, span), key, value, span);
        charge(32, span);
        return;
    case Value::Kind::List: {
        if (!key->isIntLike())
            raise(QStringLiteral("TypeError"), QStringLiteral("list indices must be integers"), span);
        qint64 i = key->asInt();
        if (i < 0)
            i += qint64(obj->items.size());
        if (i < 0 || i >= qint64(obj->items.size()))
            raise(QStringLiteral("IndexError"), QStringLiteral("list assignment index out of range"), span);
        obj->items[size_t(i)] = value;
        return;
    }
    case Value::Kind::Object:
        if (isEnviron(*obj)) {
            if (key->kind == Value::Kind::Unknown || value->kind == Value::Kind::Unknown) {
                diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                         QStringLiteral("os.environ item set with an unknown key or value; ignored"), span);
                return;
            }
            for (const ValuePtr &kv : {key, value})
                if (kv->kind != Value::Kind::Str)
                    raise(QStringLiteral("TypeError"), QStringLiteral("str expected, not %1").arg(typeName(*kv)), span);
            // Only the evaluator's copy of the environment changes.
            obj->dict->set(QStringLiteral("s:") + key->s, key, value, span);
            return;
        }
        break;
    case Value::Kind::Unknown:
    case Value::Kind::Call:
        diagnose(QStringLiteral("info"), QStringLiteral("unknown-value"),
                 QStringLiteral("item set on an object that is not modelled; ignored"), span);
        return;
    default:
        break;
    }
    raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object does not support item assignment").arg(typeName(*obj)), span);
}

ValuePtr Evaluator::getAttr(const ValuePtr &obj, const QString &name, const SourceSpan &span)
{
    switch (obj->kind) {
    case Value::Kind::Unknown:
        return Value::unknown(obj->s, span);
    case Value::Kind::Imported:
        return Value::imported(obj->s + u'.' + name);
    case Value::Kind::Call:
        return Value::unknown(QStringLiteral("%1(...).%2 is not modelled (the object is never built)").arg(obj->s, name), span);
    case Value::Kind::Module: {
        if (const auto *e = obj->dict->entry(name))
            return e->value;
        bool sib = false;
        const QString dotted = obj->s + u'.' + name;
        if (modelledModule(dotted) || !findSibling(dotted).isEmpty())
            return importModule(dotted, span, false, &sib);
        if (obj->b)
            return Value::unknown(QStringLiteral("%1 is not modelled").arg(dotted), span);
        raise(QStringLiteral("AttributeError"), QStringLiteral("module '%1' has no attribute '%2'").arg(obj->s, name), span);
    }
    case Value::Kind::Class:
    case Value::Kind::Instance: {
        if (obj->kind == Value::Kind::Instance) {
            if (const auto *e = obj->dict->entry(name))
                return e->value;
            if (name == u"args" && obj->self && obj->self->isExceptionClass)
                return Value::tuple(obj->items);
            if (name == u"__class__")
                return obj->self;
        }
        if (name == u"__name__" && obj->kind == Value::Kind::Class)
            return Value::str(obj->s);
        // Method resolution: depth-first over bases (enough for config classes).
        std::vector<ValuePtr> stack{obj->kind == Value::Kind::Class ? obj : obj->self};
        int guard = 0;
        while (!stack.empty() && ++guard < 1000) {
            ValuePtr c = stack.front();
            stack.erase(stack.begin());
            if (!c)
                continue;
            if (c->dict) {
                if (const auto *e = c->dict->entry(name)) {
                    ValuePtr v = e->value;
                    if (v->kind == Value::Kind::Object && v->s == u"staticmethod")
                        return v->self;
                    if (v->kind == Value::Kind::Object && v->s == u"classmethod") {
                        ValuePtr fn = v->self;
                        ValuePtr cls = obj->kind == Value::Kind::Class ? obj : obj->self;
                        return Value::native(name, [fn, cls](Evaluator &ev, const ValuePtr &, CallArgs &a) {
                            CallArgs b = a;
                            b.args.insert(b.args.begin(), cls);
                            b.argSpans.insert(b.argSpans.begin(), a.span);
                            return ev.call(fn, b);
                        });
                    }
                    if (obj->kind == Value::Kind::Instance && v->kind == Value::Kind::Object && v->s == u"property") {
                        CallArgs a;
                        a.args.push_back(obj);
                        a.argSpans.push_back(span);
                        a.span = span;
                        return call(v->self, a);
                    }
                    if (obj->kind == Value::Kind::Instance && v->kind == Value::Kind::Function) {
                        ValuePtr self = obj;
                        return Value::native(name, [v, self](Evaluator &ev, const ValuePtr &, CallArgs &a) {
                            CallArgs b = a;
                            b.args.insert(b.args.begin(), self);
                            b.argSpans.insert(b.argSpans.begin(), a.span);
                            return ev.call(v, b);
                        });
                    }
                    return v;
                }
            }
            for (const auto &b : c->items)
                stack.push_back(b);
        }
        if (obj->kind == Value::Kind::Class)
            for (const auto &b : obj->items)
                if (!b)
                    break;
        raise(QStringLiteral("AttributeError"),
              QStringLiteral("'%1' object has no attribute '%2'").arg(obj->kind == Value::Kind::Class ? QStringLiteral("type") : typeName(*obj), name),
              span);
    }
    case Value::Kind::Function:
        if (name == u"__name__")
            return Value::str(obj->s);
        break;
    default:
        break;
    }
    if (ValuePtr m = methodOf(obj, name, span))
        return m;
    raise(QStringLiteral("AttributeError"), QStringLiteral("'%1' object has no attribute '%2'").arg(typeName(*obj), name), span);
}

} // namespace cachescope::py
