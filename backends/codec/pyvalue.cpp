#include "pyvalue.h"

#include "utf8.h"

#include <QString>

#include <algorithm>
#include <cmath>

namespace cachescope {

namespace {

const QByteArray &emptyBytes()
{
    static const QByteArray empty;
    return empty;
}

// Magnitude of a two's complement little-endian integer as base-2^32 limbs (little-endian).
std::vector<quint32> magnitudeLimbs(const QByteArray &le, bool *negative)
{
    QByteArray bytes = le;
    *negative = !bytes.isEmpty() && (static_cast<quint8>(bytes.back()) & 0x80);
    if (*negative) { // two's complement negate: invert and add one
        int carry = 1;
        for (auto &c : bytes) {
            int v = (static_cast<quint8>(~static_cast<quint8>(c))) + carry;
            c = static_cast<char>(v & 0xff);
            carry = v >> 8;
        }
    }
    std::vector<quint32> limbs((bytes.size() + 3) / 4, 0);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        limbs[i / 4] |= quint32(static_cast<quint8>(bytes[i])) << (8 * (i % 4));
    while (!limbs.empty() && limbs.back() == 0)
        limbs.pop_back();
    return limbs;
}

QByteArray limbsToTwosComplement(std::vector<quint32> limbs, bool negative)
{
    QByteArray bytes;
    for (quint32 limb : limbs)
        for (int k = 0; k < 4; ++k)
            bytes.append(static_cast<char>((limb >> (8 * k)) & 0xff));
    while (!bytes.isEmpty() && bytes.back() == 0)
        bytes.chop(1);
    bytes.append('\0'); // room for the sign bit
    if (negative) {
        int carry = 1;
        for (auto &c : bytes) {
            int v = (static_cast<quint8>(~static_cast<quint8>(c))) + carry;
            c = static_cast<char>(v & 0xff);
            carry = v >> 8;
        }
    }
    // Minimal two's complement form, as pickle's encode_long writes it.
    while (bytes.size() > 1) {
        const quint8 last = static_cast<quint8>(bytes.back());
        const quint8 prev = static_cast<quint8>(bytes[bytes.size() - 2]);
        if ((last == 0x00 && !(prev & 0x80)) || (last == 0xff && (prev & 0x80)))
            bytes.chop(1);
        else
            break;
    }
    return bytes;
}

bool fitsInt64(const QByteArray &le, qint64 *out)
{
    if (le.size() > 8)
        return false;
    quint64 v = 0;
    for (qsizetype i = 0; i < le.size(); ++i)
        v |= quint64(static_cast<quint8>(le[i])) << (8 * i);
    if (!le.isEmpty() && (static_cast<quint8>(le.back()) & 0x80) && le.size() < 8)
        v |= ~quint64(0) << (8 * le.size()); // sign-extend
    *out = static_cast<qint64>(v);
    return true;
}

} // namespace

static_assert(sizeof(PyValue) <= 32, "PyValue is meant to be one kind plus one payload");

struct PyValue::Node
{
    std::atomic<int> ref{1};
};
struct PyValue::ItemsNode : Node
{
    explicit ItemsNode(Items &&i) : items(std::move(i)) {}
    Items items;
};
struct PyValue::PairsNode : Node
{
    explicit PairsNode(Pairs &&p) : pairs(std::move(p)) {}
    Pairs pairs;
};
struct PyValue::ObjectNode : Node
{
    explicit ObjectNode(Object &&o) : object(std::move(o)) {}
    Object object;
};

PyValue::PyValue(const PyValue &o) noexcept : m_kind(o.m_kind)
{
    if (hasBytes()) {
        new (&m_u.bytes) QByteArray(o.m_u.bytes);
    } else if (hasNode()) {
        m_u.node = o.m_u.node;
        m_u.node->ref.fetch_add(1, std::memory_order_relaxed);
    } else {
        m_u.i = o.m_u.i;
    }
}

PyValue::PyValue(PyValue &&o) noexcept : m_kind(o.m_kind)
{
    if (hasBytes()) {
        new (&m_u.bytes) QByteArray(std::move(o.m_u.bytes));
        o.m_u.bytes.~QByteArray();
    } else {
        m_u.i = o.m_u.i; // scalar bits or the node pointer, which changes owner
    }
    o.m_kind = Kind::None; // a moved-from value is None
    o.m_u.i = 0;
}

PyValue &PyValue::operator=(const PyValue &o) noexcept
{
    if (this != &o) {
        PyValue copy(o);
        *this = std::move(copy);
    }
    return *this;
}

PyValue &PyValue::operator=(PyValue &&o) noexcept
{
    if (this != &o) {
        release();
        new (this) PyValue(std::move(o));
    }
    return *this;
}

PyValue::~PyValue()
{
    release();
}

void PyValue::release() noexcept
{
    if (hasBytes()) {
        m_u.bytes.~QByteArray();
    } else if (hasNode()) {
        Node *n = m_u.node;
        if (n->ref.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            switch (m_kind) {
            case Kind::Dict: delete static_cast<PairsNode *>(n); break;
            case Kind::Object: delete static_cast<ObjectNode *>(n); break;
            default: delete static_cast<ItemsNode *>(n); break;
            }
        }
    }
    m_kind = Kind::None;
    m_u.i = 0;
}

PyValue PyValue::withBytes(Kind kind, QByteArray data)
{
    // The data block is the value's identity: a block shared with another holder (or no block
    // at all, as for empty or raw data) would make separately made values look like one.
    if (data.data_ptr().needsDetach()) {
        QByteArray own;
        own.reserve(std::max<qsizetype>(data.size(), 1));
        own.append(data);
        data = std::move(own);
    }
    PyValue v;
    v.m_kind = kind;
    new (&v.m_u.bytes) QByteArray(std::move(data));
    return v;
}

PyValue PyValue::withItems(Kind kind, Items items)
{
    PyValue v;
    v.m_u.node = new ItemsNode(std::move(items));
    v.m_kind = kind;
    return v;
}

PyValue PyValue::boolean(bool b)
{
    PyValue v;
    v.m_kind = Kind::Bool;
    v.m_u.b = b;
    return v;
}

PyValue PyValue::integer(qint64 i)
{
    PyValue v;
    v.m_kind = Kind::Int;
    v.m_u.i = i;
    return v;
}

PyValue PyValue::bigInteger(QByteArray le)
{
    qint64 small = 0;
    if (fitsInt64(le, &small))
        return integer(small);
    bool negative = false;
    auto limbs = magnitudeLimbs(le, &negative);
    QByteArray minimal = limbsToTwosComplement(std::move(limbs), negative);
    // a non-minimal long encoding (9 zero bytes) may still be a small number
    if (fitsInt64(minimal, &small))
        return integer(small);
    return withBytes(Kind::BigInt, std::move(minimal));
}

PyValue PyValue::bigIntegerFromDecimal(const QByteArray &decimal)
{
    QByteArray digits = decimal.trimmed();
    bool negative = false;
    if (digits.startsWith('-') || digits.startsWith('+')) {
        negative = digits.startsWith('-');
        digits.remove(0, 1);
    }
    std::vector<quint32> limbs;
    for (char c : digits) {
        if (c == '_')
            continue;
        if (c < '0' || c > '9')
            return none();
        quint64 carry = quint64(c - '0');
        for (auto &limb : limbs) {
            const quint64 x = quint64(limb) * 10 + carry;
            limb = quint32(x & 0xffffffffu);
            carry = x >> 32;
        }
        if (carry)
            limbs.push_back(quint32(carry));
    }
    return bigInteger(limbsToTwosComplement(std::move(limbs), negative));
}

PyValue PyValue::floating(double d)
{
    PyValue v;
    v.m_kind = Kind::Float;
    v.m_u.d = d;
    return v;
}

PyValue PyValue::str(QByteArray utf8)
{
    return withBytes(Kind::Str, std::move(utf8));
}

PyValue PyValue::str(const QString &text)
{
    return str(text.toUtf8());
}

PyValue PyValue::bytes(QByteArray data)
{
    return withBytes(Kind::Bytes, std::move(data));
}

PyValue PyValue::byteArray(QByteArray data)
{
    return withBytes(Kind::ByteArray, std::move(data));
}


PyValue PyValue::list(Items items)
{
    return withItems(Kind::List, std::move(items));
}

PyValue PyValue::tuple(Items items)
{
    return withItems(Kind::Tuple, std::move(items));
}

PyValue PyValue::set(Items items)
{
    return withItems(Kind::Set, std::move(items));
}

PyValue PyValue::frozenSet(Items items)
{
    return withItems(Kind::FrozenSet, std::move(items));
}

PyValue PyValue::dict(Pairs pairs)
{
    PyValue v;
    v.m_u.node = new PairsNode(std::move(pairs));
    v.m_kind = Kind::Dict;
    return v;
}

PyValue PyValue::object(Object object)
{
    PyValue v;
    v.m_u.node = new ObjectNode(std::move(object));
    v.m_kind = Kind::Object;
    return v;
}

const QByteArray &PyValue::bytesData() const
{
    return hasBytes() ? m_u.bytes : emptyBytes();
}

QString PyValue::toQString() const
{
    return utf8::toString(bytesData());
}

QByteArray PyValue::bigIntDecimal() const
{
    if (m_kind == Kind::Int)
        return QByteArray::number(m_u.i);
    if (m_kind != Kind::BigInt)
        return {};
    bool negative = false;
    auto limbs = magnitudeLimbs(m_u.bytes, &negative);
    QByteArray out;
    while (!limbs.empty()) { // divide by 10^9, collecting remainders
        quint64 rem = 0;
        for (auto it = limbs.rbegin(); it != limbs.rend(); ++it) {
            const quint64 cur = (rem << 32) | *it;
            *it = quint32(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (!limbs.empty() && limbs.back() == 0)
            limbs.pop_back();
        QByteArray chunk = QByteArray::number(rem);
        if (!limbs.empty())
            chunk = QByteArray(9 - chunk.size(), '0') + chunk;
        out.prepend(chunk);
    }
    if (out.isEmpty())
        out = "0";
    return negative ? '-' + out : out;
}

// Mutable access to the wrong kind of value gets a scratch container, as a value of that kind
// would have no such part; it is never part of the value.
PyValue::Items &PyValue::items()
{
    if (hasItems())
        return static_cast<ItemsNode *>(m_u.node)->items;
    thread_local Items scratch;
    scratch.clear();
    return scratch;
}

const PyValue::Items &PyValue::items() const
{
    static const Items empty;
    return hasItems() ? static_cast<const ItemsNode *>(m_u.node)->items : empty;
}

PyValue::Pairs &PyValue::pairs()
{
    if (m_kind == Kind::Dict)
        return static_cast<PairsNode *>(m_u.node)->pairs;
    thread_local Pairs scratch;
    scratch.clear();
    return scratch;
}

const PyValue::Pairs &PyValue::pairs() const
{
    static const Pairs empty;
    return m_kind == Kind::Dict ? static_cast<const PairsNode *>(m_u.node)->pairs : empty;
}

PyValue::Object &PyValue::object()
{
    if (m_kind == Kind::Object)
        return static_cast<ObjectNode *>(m_u.node)->object;
    thread_local Object scratch;
    scratch = Object();
    return scratch;
}

const PyValue::Object &PyValue::object() const
{
    static const Object empty;
    return m_kind == Kind::Object ? static_cast<const ObjectNode *>(m_u.node)->object : empty;
}

const void *PyValue::identity() const
{
    if (hasBytes())
        return const_cast<QByteArray &>(m_u.bytes).data_ptr().d_ptr();
    if (hasNode())
        return m_u.node;
    return nullptr;
}

const PyValue *PyValue::get(const char *key) const
{
    if (m_kind != Kind::Dict)
        return nullptr;
    for (const auto &[k, v] : pairs())
        if (k.m_kind == Kind::Str && k.m_u.bytes == key)
            return &v;
    return nullptr;
}

bool PyValue::operator==(const PyValue &o) const
{
    if (m_kind != o.m_kind)
        return false;
    switch (m_kind) {
    case Kind::None:
        return true;
    case Kind::Bool:
        return m_u.b == o.m_u.b;
    case Kind::Int:
        return m_u.i == o.m_u.i;
    case Kind::Float:
        return m_u.d == o.m_u.d || (std::isnan(m_u.d) && std::isnan(o.m_u.d));
    case Kind::BigInt:
    case Kind::Str:
    case Kind::Bytes:
    case Kind::ByteArray:
        return bytesData() == o.bytesData();
    case Kind::List:
    case Kind::Tuple:
        return m_u.node == o.m_u.node || items() == o.items();
    case Kind::Set:
    case Kind::FrozenSet: { // order-insensitive
        if (items().size() != o.items().size())
            return false;
        return std::all_of(items().begin(), items().end(), [&](const PyValue &x) {
            return std::find(o.items().begin(), o.items().end(), x) != o.items().end();
        });
    }
    case Kind::Dict:
        return m_u.node == o.m_u.node || pairs() == o.pairs();
    case Kind::Object: {
        const Object &a = object(), &b = o.object();
        auto same = [](const auto &x, const auto &y) { return (!x && !y) || (x && y && *x == *y); };
        return a.module == b.module && a.name == b.name && same(a.args, b.args) && same(a.kwargs, b.kwargs)
            && same(a.state, b.state) && a.listItems == b.listItems && a.dictItems == b.dictItems;
    }
    }
    return false;
}

const char *PyValue::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int:
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::ByteArray: return "bytearray";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Set: return "set";
    case Kind::FrozenSet: return "frozenset";
    case Kind::Object: return "object";
    }
    return "?";
}

QString PyValue::repr(int maxChars) const
{
    QString out;
    auto append = [&](const QString &s) { out += s; };
    switch (m_kind) {
    case Kind::None: append(QStringLiteral("None")); break;
    case Kind::Bool: append(m_u.b ? QStringLiteral("True") : QStringLiteral("False")); break;
    case Kind::Int:
    case Kind::BigInt: append(QString::fromLatin1(bigIntDecimal())); break;
    case Kind::Float: append(QString::number(m_u.d, 'g', 17)); break;
    case Kind::Str: append(u'\'' + toQString() + u'\''); break;
    case Kind::Bytes:
    case Kind::ByteArray: {
        const QByteArray &d = bytesData();
        QString body;
        for (qsizetype i = 0; i < d.size() && body.size() < maxChars; ++i) {
            const auto c = static_cast<quint8>(d[i]);
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
                body += QLatin1Char(char(c));
            else
                body += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
        }
        append((m_kind == Kind::Bytes ? QStringLiteral("b'") : QStringLiteral("bytearray(b'")) + body
               + (m_kind == Kind::Bytes ? QStringLiteral("'") : QStringLiteral("')")));
        break;
    }
    case Kind::List:
    case Kind::Tuple:
    case Kind::Set:
    case Kind::FrozenSet: {
        const QString open = m_kind == Kind::List ? QStringLiteral("[") : m_kind == Kind::Tuple ? QStringLiteral("(")
                            : m_kind == Kind::Set ? QStringLiteral("{") : QStringLiteral("frozenset({");
        const QString close = m_kind == Kind::List ? QStringLiteral("]") : m_kind == Kind::Tuple ? QStringLiteral(")")
                             : m_kind == Kind::Set ? QStringLiteral("}") : QStringLiteral("})");
        append(open);
        for (size_t i = 0; i < items().size() && out.size() < maxChars; ++i)
            append((i ? QStringLiteral(", ") : QString()) + items()[i].repr(maxChars - int(out.size())));
        if (m_kind == Kind::Tuple && items().size() == 1)
            append(QStringLiteral(","));
        append(close);
        break;
    }
    case Kind::Dict:
        append(QStringLiteral("{"));
        for (size_t i = 0; i < pairs().size() && out.size() < maxChars; ++i)
            append((i ? QStringLiteral(", ") : QString()) + pairs()[i].first.repr(maxChars) + QStringLiteral(": ")
                   + pairs()[i].second.repr(maxChars - int(out.size())));
        append(QStringLiteral("}"));
        break;
    case Kind::Object:
        append(QString::fromUtf8(object().qualifiedName()) + QStringLiteral("(…)"));
        break;
    }
    if (out.size() > maxChars)
        out = out.left(maxChars) + QStringLiteral("…");
    return out;
}

} // namespace cachescope
