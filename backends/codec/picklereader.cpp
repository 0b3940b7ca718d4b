// The safe pickle machine: every opcode of protocols 0-5 with its checks, the memo, the limits
// and the walk that proves a result acyclic, shallow and not exponentially shared. Past 1,000
// lines because it is one state machine whose stack and memo invariants every opcode shares.
#include "picklereader.h"

#include "common/hexdigit.h"

#include "utf8.h"

#include <QString>

#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace cachescope {

namespace {

const char *opcodeName(quint8 op)
{
    switch (op) {
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'M': return "BININT2";
    case 'L': return "LONG";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x8e: return "BINBYTES8";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    case 'N': return "NONE";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 'V': return "UNICODE";
    case 0x8c: return "SHORT_BINUNICODE";
    case 'X': return "BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 'F': return "FLOAT";
    case 'G': return "BINFLOAT";
    case ']': return "EMPTY_LIST";
    case 'a': return "APPEND";
    case 'e': return "APPENDS";
    case 'l': return "LIST";
    case ')': return "EMPTY_TUPLE";
    case 't': return "TUPLE";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case '}': return "EMPTY_DICT";
    case 'd': return "DICT";
    case 's': return "SETITEM";
    case 'u': return "SETITEMS";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case '0': return "POP";
    case '2': return "DUP";
    case '(': return "MARK";
    case '1': return "POP_MARK";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'j': return "LONG_BINGET";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 0x94: return "MEMOIZE";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 'c': return "GLOBAL";
    case 0x93: return "STACK_GLOBAL";
    case 'R': return "REDUCE";
    case 'b': return "BUILD";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case 0x80: return "PROTO";
    case '.': return "STOP";
    case 0x95: return "FRAME";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    }
    return nullptr;
}

bool isContainer(PyValue::Kind k)
{
    switch (k) {
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple:
    case PyValue::Kind::Set:
    case PyValue::Kind::FrozenSet:
    case PyValue::Kind::Dict:
    case PyValue::Kind::Object: return true;
    default: return false;
    }
}

// Child i of a container, or nullptr past the end; one index space over all parts of a node
// so the depth/cycle walk needs no per-node allocation.
PyValue *childAt(PyValue &v, size_t i)
{
    switch (v.kind()) {
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple:
    case PyValue::Kind::Set:
    case PyValue::Kind::FrozenSet: {
        auto &items = v.items();
        return i < items.size() ? &items[i] : nullptr;
    }
    case PyValue::Kind::Dict: {
        auto &pairs = v.pairs();
        if (i / 2 >= pairs.size())
            return nullptr;
        return i % 2 ? &pairs[i / 2].second : &pairs[i / 2].first;
    }
    case PyValue::Kind::Object: {
        auto &o = v.object();
        if (o.callable) {
            if (i == 0)
                return o.callable.get();
            --i;
        }
        const size_t nargs = o.args ? o.args->size() : 0;
        if (i < nargs)
            return &(*o.args)[i];
        i -= nargs;
        const size_t nkw = o.kwargs ? o.kwargs->size() * 2 : 0;
        if (i < nkw)
            return i % 2 ? &(*o.kwargs)[i / 2].second : &(*o.kwargs)[i / 2].first;
        i -= nkw;
        if (o.state) {
            if (i == 0)
                return o.state.get();
            --i;
        }
        if (i < o.listItems.size())
            return &o.listItems[i];
        i -= o.listItems.size();
        if (i / 2 < o.dictItems.size())
            return i % 2 ? &o.dictItems[i / 2].second : &o.dictItems[i / 2].first;
        return nullptr;
    }
    default: return nullptr;
    }
}

// Iteratively empties every container reachable from the roots, so dropping a too-deep or
// cyclic value can neither recurse in destructors nor leak through shared_ptr cycles.
void dismantle(std::vector<PyValue> &roots)
{
    std::vector<PyValue> work = std::move(roots);
    roots.clear();
    while (!work.empty()) {
        PyValue v = std::move(work.back());
        work.pop_back();
        switch (v.kind()) {
        case PyValue::Kind::List:
        case PyValue::Kind::Tuple:
        case PyValue::Kind::Set:
        case PyValue::Kind::FrozenSet: {
            auto &items = v.items();
            for (auto &c : items)
                if (isContainer(c.kind()))
                    work.push_back(std::move(c));
            PyValue::Items().swap(items);
            break;
        }
        case PyValue::Kind::Dict: {
            auto &pairs = v.pairs();
            for (auto &[k, c] : pairs) {
                if (isContainer(k.kind()))
                    work.push_back(std::move(k));
                if (isContainer(c.kind()))
                    work.push_back(std::move(c));
            }
            PyValue::Pairs().swap(pairs);
            break;
        }
        case PyValue::Kind::Object: {
            auto &o = v.object();
            if (o.callable)
                work.push_back(std::move(*o.callable));
            if (o.args)
                for (auto &c : *o.args)
                    work.push_back(std::move(c));
            if (o.kwargs)
                for (auto &[k, c] : *o.kwargs) {
                    work.push_back(std::move(k));
                    work.push_back(std::move(c));
                }
            if (o.state)
                work.push_back(std::move(*o.state));
            for (auto &c : o.listItems)
                work.push_back(std::move(c));
            for (auto &[k, c] : o.dictItems) {
                work.push_back(std::move(k));
                work.push_back(std::move(c));
            }
            o.callable.reset();
            o.args.reset();
            o.kwargs.reset();
            o.state.reset();
            PyValue::Items().swap(o.listItems);
            PyValue::Pairs().swap(o.dictItems);
            break;
        }
        default: break;
        }
    }
}

constexpr qint64 kMaxIntBytes = 4096;
constexpr qsizetype kMaxIntDigits = 10000;

struct Mark
{
    size_t stackSize;
};

class Machine
{
public:
    Machine(QByteArrayView data, const PickleLimits &limits) : m_data(data), m_limits(limits) {}
    ~Machine()
    {
        // Everything the machine still holds may be deep or cyclic when reading failed.
        if (m_dirty) {
            std::vector<PyValue> roots;
            collectRoots(roots);
            dismantle(roots);
        }
    }

    Expected<PickleReadResult> run();

private:
    // ---- errors -------------------------------------------------------------------------
    Error fail(const QString &reason) const
    {
        const char *name = opcodeName(m_op);
        const QString opText = name ? QString::fromLatin1(name)
                                    : QStringLiteral("0x%1").arg(uint(m_op), 2, 16, QLatin1Char('0'));
        return makeError(QStringLiteral("pickle: %1 (opcode %2 at offset %3)").arg(reason, opText, QString::number(m_opOffset)));
    }

    // ---- input --------------------------------------------------------------------------
    qint64 remaining() const { return m_data.size() - m_pos; }
    bool need(qint64 n) const { return n >= 0 && remaining() >= n; }
    quint8 u8() { return static_cast<quint8>(m_data[m_pos++]); }
    quint16 u16()
    {
        const auto *p = reinterpret_cast<const quint8 *>(m_data.data() + m_pos);
        m_pos += 2;
        return quint16(p[0] | (p[1] << 8));
    }
    quint32 u32()
    {
        const auto *p = reinterpret_cast<const quint8 *>(m_data.data() + m_pos);
        m_pos += 4;
        return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
    }
    quint64 u64()
    {
        const quint64 lo = u32();
        const quint64 hi = u32();
        return lo | (hi << 32);
    }
    // A text argument up to '\n' (protocol 0); the newline is consumed, not returned.
    bool line(QByteArrayView *out)
    {
        const char *start = m_data.data() + m_pos;
        const void *nl = std::memchr(start, '\n', size_t(remaining()));
        if (!nl)
            return false;
        const qint64 len = static_cast<const char *>(nl) - start;
        *out = QByteArrayView(start, len);
        m_pos += len + 1;
        return true;
    }

    // ---- accounting ---------------------------------------------------------------------
    bool countItems(qint64 n)
    {
        m_items += n;
        return m_items <= m_limits.maxItems;
    }
    bool countBytes(qint64 n)
    {
        m_bytes += n;
        return m_bytes <= m_limits.maxTotalBytes;
    }

    // ---- stack --------------------------------------------------------------------------
    size_t floor() const { return m_marks.empty() ? 0 : m_marks.back().stackSize; }
    bool has(size_t n) const { return m_stack.size() - floor() >= n; }
    Expected<bool> push(PyValue v)
    {
        if (!countItems(1)) {
            discard(std::move(v));
            return fail(QStringLiteral("more than %1 items").arg(m_limits.maxItems));
        }
        m_stack.push_back(std::move(v));
        return true;
    }
    PyValue pop()
    {
        PyValue v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }
    // Values dropped while reading are kept until the end: destroying one here could recurse
    // through a deep value before the depth check has seen it.
    void discard(PyValue v)
    {
        if (isContainer(v.kind()))
            m_discarded.push_back(std::move(v));
    }
    void discardAll(PyValue::Items &items)
    {
        for (auto &v : items)
            discard(std::move(v));
        items.clear();
    }
    PyValue::Items popMark()
    {
        const size_t at = m_marks.back().stackSize;
        m_marks.pop_back();
        PyValue::Items items(std::make_move_iterator(m_stack.begin() + qsizetype(at)),
                             std::make_move_iterator(m_stack.end()));
        m_stack.resize(at);
        return items;
    }

    // ---- memo ---------------------------------------------------------------------------
    Expected<bool> memoPut(quint64 index, const PyValue &v)
    {
        if (index < m_memo.size()) {
            discard(std::move(m_memo[index]));
            m_memo[index] = v;
        } else if (index == m_memo.size()) {
            m_memo.push_back(v);
            ++m_memoCount;
        } else {
            auto [it, inserted] = m_sparseMemo.try_emplace(index, v);
            if (inserted)
                ++m_memoCount;
            else {
                discard(std::move(it->second));
                it->second = v;
            }
        }
        if (m_memoCount > m_limits.maxMemoEntries)
            return fail(QStringLiteral("more than %1 memo entries").arg(m_limits.maxMemoEntries));
        return true;
    }
    const PyValue *memoGet(quint64 index) const
    {
        if (index < m_memo.size())
            return &m_memo[index];
        auto it = m_sparseMemo.find(index);
        return it == m_sparseMemo.end() ? nullptr : &it->second;
    }

    void collectRoots(std::vector<PyValue> &roots)
    {
        for (auto &v : m_stack)
            roots.push_back(std::move(v));
        for (auto &v : m_memo)
            roots.push_back(std::move(v));
        for (auto &[k, v] : m_sparseMemo)
            roots.push_back(std::move(v));
        for (auto &v : m_discarded)
            roots.push_back(std::move(v));
        m_stack.clear();
        m_memo.clear();
        m_sparseMemo.clear();
        m_discarded.clear();
    }

    // ---- opcode helpers -----------------------------------------------------------------
    Expected<bool> pushBytes(qint64 len, PyValue::Kind kind);
    Expected<bool> pushInt(QByteArrayView text, bool isLong);
    Expected<bool> pushLong(qint64 len);
    Expected<bool> pushStringLiteral(QByteArrayView text);
    Expected<bool> pushRawUnicodeEscape(QByteArrayView text);
    Expected<bool> pushGlobal(QByteArray module, QByteArray name);
    Expected<bool> addToList(PyValue &target, PyValue::Items items);
    Expected<bool> addToDict(PyValue &target, PyValue::Items flat);
    Expected<bool> reduce(PyValue callable, PyValue args, PyValue::Object::Construction how);
    Expected<bool> readIndex(quint64 *index, bool text, int width);
    Expected<bool> checkResult(const PyValue &result);

    QByteArrayView m_data;
    const PickleLimits &m_limits;
    qint64 m_pos = 0;
    quint8 m_op = 0;
    qint64 m_opOffset = 0;
    qint64 m_items = 0;
    qint64 m_bytes = 0;
    bool m_dirty = true;
    int m_protocol = 0;
    std::vector<PyValue> m_stack;
    std::vector<Mark> m_marks;
    // dense slots 0..n-1 (MEMOIZE/BINPUT in order); a deque grows without moving entries
    std::deque<PyValue> m_memo;
    std::unordered_map<quint64, PyValue> m_sparseMemo;
    qint64 m_memoCount = 0;
    std::vector<PyValue> m_discarded;
};

Expected<bool> Machine::pushBytes(qint64 len, PyValue::Kind kind)
{
    if (len < 0 || !need(len))
        return fail(QStringLiteral("truncated data: %1 bytes announced, %2 left").arg(len).arg(remaining()));
    if (!countBytes(len))
        return fail(QStringLiteral("more than %1 bytes of str/bytes data").arg(m_limits.maxTotalBytes));
    QByteArray payload(m_data.data() + m_pos, len);
    m_pos += len;
    switch (kind) {
    case PyValue::Kind::Str: return push(PyValue::str(std::move(payload)));
    case PyValue::Kind::ByteArray: return push(PyValue::byteArray(std::move(payload)));
    case PyValue::Kind::Bytes: return push(PyValue::bytes(std::move(payload)));
    default: { // BINSTRING: a Python 2 str; text when it is ASCII, bytes otherwise
        bool ascii = true;
        for (char c : payload)
            if (static_cast<quint8>(c) >= 0x80) {
                ascii = false;
                break;
            }
        return push(ascii ? PyValue::str(std::move(payload)) : PyValue::bytes(std::move(payload)));
    }
    }
}

Expected<bool> Machine::pushInt(QByteArrayView text, bool isLong)
{
    QByteArrayView t = text.trimmed();
    if (isLong && t.endsWith('L'))
        t.chop(1);
    if (!isLong && (t == "01" || t == "00"))
        return push(PyValue::boolean(t == "01"));
    if (t.isEmpty())
        return fail(QStringLiteral("empty integer text"));
    qint64 v = 0;
    const auto res = std::from_chars(t.data(), t.data() + t.size(), v);
    if (res.ec == std::errc() && res.ptr == t.data() + t.size())
        return push(PyValue::integer(v));
    qsizetype start = (t.startsWith('-') || t.startsWith('+')) ? 1 : 0;
    if (start == t.size())
        return fail(QStringLiteral("invalid integer text"));
    if (t.size() > kMaxIntDigits)
        return fail(QStringLiteral("integer text of %1 digits is too long (limit %2)").arg(t.size()).arg(kMaxIntDigits));
    for (qsizetype i = start; i < t.size(); ++i)
        if (t[i] < '0' || t[i] > '9')
            return fail(QStringLiteral("invalid integer text"));
    return push(PyValue::bigIntegerFromDecimal(t.toByteArray()));
}

Expected<bool> Machine::pushLong(qint64 len)
{
    if (len < 0 || !need(len))
        return fail(QStringLiteral("truncated data: %1 bytes announced, %2 left").arg(len).arg(remaining()));
    // Decimal conversion (JSON, repr) is quadratic in the size; Python 3.11 itself refuses to
    // print ints beyond 4300 digits. 4096 bytes is about 9900 digits.
    if (len > kMaxIntBytes)
        return fail(QStringLiteral("integer of %1 bytes is too large (limit %2)").arg(len).arg(kMaxIntBytes));
    if (!countBytes(len))
        return fail(QStringLiteral("more than %1 bytes of str/bytes data").arg(m_limits.maxTotalBytes));
    QByteArray le(m_data.data() + m_pos, len);
    m_pos += len;
    return push(le.isEmpty() ? PyValue::integer(0) : PyValue::bigInteger(std::move(le)));
}

// Python 2 STRING: a repr()-quoted byte string, decoded like codecs.escape_decode.
Expected<bool> Machine::pushStringLiteral(QByteArrayView text)
{
    if (text.size() < 2 || (text.front() != '\'' && text.front() != '"') || text.back() != text.front())
        return fail(QStringLiteral("the STRING argument must be quoted"));
    const QByteArrayView body = text.sliced(1, text.size() - 2);
    QByteArray out;
    out.reserve(body.size());
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c != '\\' || i + 1 == body.size()) {
            out.append(c);
            continue;
        }
        const char e = body[++i];
        switch (e) {
        case '\n': break;
        case '\\': out.append('\\'); break;
        case '\'': out.append('\''); break;
        case '"': out.append('"'); break;
        case 'a': out.append('\a'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case 't': out.append('\t'); break;
        case 'v': out.append('\v'); break;
        case 'x': {
            if (i + 2 >= body.size() || hexDigitValue(body[i + 1]) < 0 || hexDigitValue(body[i + 2]) < 0)
                return fail(QStringLiteral("invalid \\x escape in STRING"));
            out.append(char(hexDigitValue(body[i + 1]) * 16 + hexDigitValue(body[i + 2])));
            i += 2;
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
                    v = v * 8 + (body[++i] - '0');
                out.append(char(v & 0xff));
            } else {
                out.append('\\');
                out.append(e);
            }
        }
    }
    if (!countBytes(out.size()))
        return fail(QStringLiteral("more than %1 bytes of str/bytes data").arg(m_limits.maxTotalBytes));
    bool ascii = true;
    for (char c : out)
        if (static_cast<quint8>(c) >= 0x80) {
            ascii = false;
            break;
        }
    return push(ascii ? PyValue::str(std::move(out)) : PyValue::bytes(std::move(out)));
}

using utf8::appendUtf8; // surrogatepass, as CPython's pickle writes lone surrogates

// Protocol 0 UNICODE: raw-unicode-escape (latin-1 bytes plus \uXXXX / \UXXXXXXXX escapes,
// which only count after an odd number of backslashes).
Expected<bool> Machine::pushRawUnicodeEscape(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        const auto c = static_cast<quint8>(text[i]);
        if (c != '\\') {
            appendUtf8(out, c);
            ++i;
            continue;
        }
        qsizetype run = 0;
        while (i < text.size() && text[i] == '\\') {
            ++run;
            ++i;
        }
        if (run % 2 == 0 || i >= text.size() || (text[i] != 'u' && text[i] != 'U')) {
            out.append(QByteArray(run, '\\'));
            continue;
        }
        out.append(QByteArray(run - 1, '\\'));
        const int digits = text[i] == 'u' ? 4 : 8;
        ++i;
        if (i + digits > text.size())
            return fail(QStringLiteral("truncated \\u escape in UNICODE"));
        quint32 cp = 0;
        for (int k = 0; k < digits; ++k) {
            const char h = text[i + k];
            const int d = hexDigitValue(h);
            if (d < 0)
                return fail(QStringLiteral("invalid \\u escape in UNICODE"));
            cp = cp * 16 + quint32(d);
        }
        if (cp > 0x10ffff)
            return fail(QStringLiteral("\\U escape beyond U+10FFFF in UNICODE"));
        appendUtf8(out, cp);
        i += digits;
    }
    if (!countBytes(out.size()))
        return fail(QStringLiteral("more than %1 bytes of str/bytes data").arg(m_limits.maxTotalBytes));
    return push(PyValue::str(std::move(out)));
}

Expected<bool> Machine::pushGlobal(QByteArray module, QByteArray name)
{
    // Python's Unpickler (fix_imports) maps Python 2 module names for protocols < 3, so values
    // written by Python 2 or at protocol 2 name the same globals as protocol 5 ones.
    if (m_protocol < 3) {
        if (module == "__builtin__")
            module = "builtins";
        else if (module == "copy_reg")
            module = "copyreg";
    }
    PyValue::Object o;
    o.module = std::move(module);
    o.name = std::move(name);
    o.construction = PyValue::Object::Construction::Global;
    return push(PyValue::object(std::move(o)));
}

Expected<bool> Machine::addToList(PyValue &target, PyValue::Items items)
{
    if (!countItems(qint64(items.size()))) {
        discardAll(items);
        return fail(QStringLiteral("more than %1 items").arg(m_limits.maxItems));
    }
    PyValue::Items *dest = nullptr;
    switch (target.kind()) {
    case PyValue::Kind::List:
    case PyValue::Kind::Set: dest = &target.items(); break;
    case PyValue::Kind::Object: dest = &target.object().listItems; break;
    default:
        discardAll(items);
        return fail(QStringLiteral("cannot add items to a %1").arg(QLatin1String(PyValue::kindName(target.kind()))));
    }
    if (dest->empty())
        *dest = std::move(items);
    else
        dest->insert(dest->end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
    return true;
}

Expected<bool> Machine::addToDict(PyValue &target, PyValue::Items flat)
{
    if (flat.size() % 2) {
        discardAll(flat);
        return fail(QStringLiteral("odd number of items for a dict"));
    }
    if (!countItems(qint64(flat.size() / 2))) {
        discardAll(flat);
        return fail(QStringLiteral("more than %1 items").arg(m_limits.maxItems));
    }
    PyValue::Pairs *dest = nullptr;
    if (target.kind() == PyValue::Kind::Dict)
        dest = &target.pairs();
    else if (target.kind() == PyValue::Kind::Object)
        dest = &target.object().dictItems;
    else {
        discardAll(flat);
        return fail(QStringLiteral("cannot set items on a %1").arg(QLatin1String(PyValue::kindName(target.kind()))));
    }
    dest->reserve(dest->size() + flat.size() / 2);
    for (size_t i = 0; i < flat.size(); i += 2)
        dest->emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
    return true;
}

bool isBuiltinsModule(const QByteArray &m)
{
    return m == "builtins" || m == "__builtin__";
}

// Converts the UTF-8 of a str whose code points are all < 256 to latin-1 bytes.
bool utf8ToLatin1(const QByteArray &utf8, QByteArray *out)
{
    out->clear();
    out->reserve(utf8.size());
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<quint8>(utf8[i]);
        if (c < 0x80) {
            out->append(char(c));
        } else if ((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size()
                   && (static_cast<quint8>(utf8[i + 1]) & 0xc0) == 0x80) {
            out->append(char(((c & 0x03) << 6) | (static_cast<quint8>(utf8[i + 1]) & 0x3f)));
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

// What calling `callable` (a call's result) stands for: getattr(X, "a") is X.a, chains too
// (getattr(getattr(X, "a"), "b") is X.a.b); any other call result f(...) is "f()". Names stay
// short whatever the input: a hostile chain of calls must not grow them with every step.
void calledName(const PyValue &callable, QByteArray *module, QByteArray *name)
{
    constexpr qsizetype kMaxName = 256;
    auto getattrOf = [](const PyValue &v) -> const PyValue::Items * {
        const PyValue::Object &c = v.object();
        const PyValue::Items *args = c.args.get();
        const bool is = c.construction == PyValue::Object::Construction::Reduce && !c.callable && isBuiltinsModule(c.module)
            && c.name == "getattr" && args && args->size() == 2 && (*args)[0].kind() == PyValue::Kind::Object
            && (*args)[1].kind() == PyValue::Kind::Str;
        return is ? args : nullptr;
    };
    QByteArrayList attrs;
    qsizetype length = 0;
    const PyValue *at = &callable;
    while (const PyValue::Items *args = getattrOf(*at)) {
        attrs.prepend((*args)[1].bytesData());
        length += attrs.front().size() + 1;
        at = &(*args)[0];
        if (at->object().construction == PyValue::Object::Construction::Global) {
            if (length + at->object().name.size() > kMaxName)
                break;
            *module = at->object().module;
            *name = at->object().name + '.' + attrs.join('.');
            return;
        }
        if (length > kMaxName)
            break;
    }
    const PyValue::Object &c = callable.object();
    *module = c.module;
    *name = c.name.size() < kMaxName ? c.name + "()" : c.name;
}

// builtins called with an iterable, and _codecs.encode(str, "latin1"), become native values.
bool foldBuiltin(const PyValue::Object &callable, const PyValue::Items &args, PyValue *out)
{
    const QByteArray &m = callable.module;
    const QByteArray &n = callable.name;
    if (m == "_codecs" && n == "encode") {
        if (args.size() != 2 || args[0].kind() != PyValue::Kind::Str || args[1].kind() != PyValue::Kind::Str)
            return false;
        const QByteArray enc = args[1].bytesData().toLower().replace('-', '_');
        if (enc != "latin1" && enc != "latin_1" && enc != "iso_8859_1")
            return false;
        QByteArray data;
        if (!utf8ToLatin1(args[0].bytesData(), &data))
            return false;
        *out = PyValue::bytes(std::move(data));
        return true;
    }
    if (!isBuiltinsModule(m))
        return false;
    auto iterable = [&](PyValue::Items *items) {
        if (args.empty()) {
            items->clear();
            return true;
        }
        if (args.size() != 1)
            return false;
        switch (args[0].kind()) {
        case PyValue::Kind::List:
        case PyValue::Kind::Tuple:
        case PyValue::Kind::Set:
        case PyValue::Kind::FrozenSet: *items = args[0].items(); return true;
        default: return false;
        }
    };
    PyValue::Items items;
    if (n == "set" || n == "frozenset" || n == "list" || n == "tuple") {
        if (!iterable(&items))
            return false;
        *out = n == "set" ? PyValue::set(std::move(items)) : n == "frozenset" ? PyValue::frozenSet(std::move(items))
             : n == "list" ? PyValue::list(std::move(items)) : PyValue::tuple(std::move(items));
        return true;
    }
    if (n == "dict") {
        if (args.size() == 1 && args[0].kind() == PyValue::Kind::Dict) {
            *out = PyValue::dict(args[0].pairs());
            return true;
        }
        if (!iterable(&items))
            return false;
        PyValue::Pairs pairs;
        pairs.reserve(items.size());
        for (const auto &p : items) {
            if (!p.isSequence() || p.items().size() != 2)
                return false;
            pairs.emplace_back(p.items()[0], p.items()[1]);
        }
        *out = PyValue::dict(std::move(pairs));
        return true;
    }
    if (n == "bytearray" || n == "bytes") {
        const bool ba = n == "bytearray";
        QByteArray data;
        if (args.empty()) {
        } else if (args.size() == 1 && (args[0].kind() == PyValue::Kind::Bytes || args[0].kind() == PyValue::Kind::ByteArray)) {
            data = args[0].bytesData();
        } else if (args.size() == 2 && args[0].kind() == PyValue::Kind::Str && args[1].kind() == PyValue::Kind::Str) {
            const QByteArray enc = args[1].bytesData().toLower().replace('-', '_');
            if (enc != "latin1" && enc != "latin_1")
                return false;
            if (!utf8ToLatin1(args[0].bytesData(), &data))
                return false;
        } else {
            return false;
        }
        *out = ba ? PyValue::byteArray(std::move(data)) : PyValue::bytes(std::move(data));
        return true;
    }
    return false;
}

Expected<bool> Machine::reduce(PyValue callable, PyValue args, PyValue::Object::Construction how)
{
    if (callable.kind() != PyValue::Kind::Object || args.kind() != PyValue::Kind::Tuple) {
        const PyValue::Kind ck = callable.kind(), ak = args.kind();
        discard(std::move(callable));
        discard(std::move(args));
        if (ck != PyValue::Kind::Object)
            return fail(QStringLiteral("the callable is a %1, not a global").arg(QLatin1String(PyValue::kindName(ck))));
        return fail(QStringLiteral("the arguments are a %1, not a tuple").arg(QLatin1String(PyValue::kindName(ak))));
    }
    const PyValue::Object &c = callable.object();
    if (c.construction != PyValue::Object::Construction::Global) {
        // Calling what a call returned (ZoneInfo's getattr(ZoneInfo, "_unpickle")): recorded
        // symbolically, nothing looked up or called, with the callable kept so writing gives
        // back the same bytes (recording it as a call of c's own global did not: fuzz find).
        PyValue::Object o;
        calledName(callable, &o.module, &o.name);
        o.construction = how;
        o.args = std::make_shared<PyValue::Items>(args.items());
        discard(std::move(args));
        o.callable = std::make_shared<PyValue>(std::move(callable));
        return push(PyValue::object(std::move(o)));
    }
    PyValue folded;
    if (how == PyValue::Object::Construction::Reduce && c.construction == PyValue::Object::Construction::Global
        && foldBuiltin(c, args.items(), &folded)) {
        discard(std::move(callable));
        discard(std::move(args));
        return push(std::move(folded));
    }
    PyValue::Object o;
    o.module = c.module;
    o.name = c.name;
    o.construction = how;
    o.args = std::make_shared<PyValue::Items>(args.items());
    discard(std::move(args));
    discard(std::move(callable));
    return push(PyValue::object(std::move(o)));
}

Expected<bool> Machine::readIndex(quint64 *index, bool text, int width)
{
    if (text) {
        QByteArrayView t;
        if (!line(&t))
            return fail(QStringLiteral("truncated: missing newline"));
        t = t.trimmed();
        const auto res = std::from_chars(t.data(), t.data() + t.size(), *index);
        if (res.ec != std::errc() || res.ptr != t.data() + t.size())
            return fail(QStringLiteral("invalid memo index"));
        return true;
    }
    if (!need(width))
        return fail(QStringLiteral("truncated: %1-byte argument missing").arg(width));
    *index = width == 1 ? u8() : u32();
    return true;
}

// The value, everything still in the memo and everything dropped must be acyclic and no
// deeper than maxDepth before normal (recursive) destruction, comparison or writing is safe.
Expected<bool> Machine::checkResult(const PyValue &result)
{
    std::vector<PyValue *> roots;
    PyValue resultCopy = result;
    roots.push_back(&resultCopy);
    for (auto &v : m_stack)
        roots.push_back(&v);
    for (auto &v : m_memo)
        roots.push_back(&v);
    for (auto &[k, v] : m_sparseMemo)
        roots.push_back(&v);
    for (auto &v : m_discarded)
        roots.push_back(&v);

    // identity -> depth (0 while on the walk stack, to find cycles) and how many values the
    // container stands for once every shared reference is expanded (itself included).
    struct Seen
    {
        int depth = 0;
        quint64 expanded = 0;
    };
    std::unordered_map<const void *, Seen> seen;
    struct Frame
    {
        PyValue *v;
        size_t next;
        int maxChild;
        quint64 expanded;
    };
    static constexpr quint64 kSaturated = quint64(1) << 62;
    const auto add = [](quint64 a, quint64 b) { return std::min(a + b, kSaturated); };
    std::vector<Frame> walk;
    for (PyValue *root : roots) {
        if (!isContainer(root->kind()) || seen.count(root->identity()))
            continue;
        seen.emplace(root->identity(), Seen{});
        walk.push_back({root, 0, 0, 1});
        while (!walk.empty()) {
            Frame &f = walk.back();
            PyValue *child = childAt(*f.v, f.next++);
            if (!child) {
                const int d = f.maxChild + 1;
                const quint64 expanded = f.expanded;
                seen[f.v->identity()] = Seen{d, expanded};
                walk.pop_back();
                if (!walk.empty()) {
                    walk.back().maxChild = std::max(walk.back().maxChild, d);
                    walk.back().expanded = add(walk.back().expanded, expanded);
                }
                continue;
            }
            if (!isContainer(child->kind())) {
                f.expanded = add(f.expanded, 1);
                continue;
            }
            auto [it, inserted] = seen.try_emplace(child->identity(), Seen{});
            if (!inserted) {
                if (it->second.depth == 0)
                    return fail(QStringLiteral("the value contains a reference cycle"));
                f.maxChild = std::max(f.maxChild, it->second.depth);
                f.expanded = add(f.expanded, it->second.expanded);
                continue;
            }
            if (int(walk.size()) >= m_limits.maxDepth)
                return fail(QStringLiteral("nesting deeper than %1 levels").arg(m_limits.maxDepth));
            walk.push_back({child, 0, 0, 1});
        }
    }
    // A small pickle that shares a container twice at every level ("billion laughs") is cheap
    // here, but every view that expands it (JSON, trees, tables) would not be: refuse it.
    if (isContainer(result.kind())) {
        const quint64 expanded = seen[result.identity()].expanded;
        if (expanded > quint64(m_limits.maxExpandedValues))
            return fail(QStringLiteral("shared references expand the value to %1 values, more than the limit of %2")
                            .arg(expanded >= kSaturated ? QStringLiteral("over 2^62") : QString::number(expanded))
                            .arg(m_limits.maxExpandedValues));
    }
    return true;
}

Expected<PickleReadResult> Machine::run()
{
    using K = PyValue::Kind;
#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        auto r_ = (expr);                                                                                              \
        if (!r_)                                                                                                       \
            return Error{r_.error()};                                                                                  \
    } while (0)
#define NEED(n)                                                                                                        \
    do {                                                                                                               \
        if (!need(n))                                                                                                  \
            return fail(QStringLiteral("truncated: %1-byte argument missing").arg(n));                                 \
    } while (0)
#define STACK(n)                                                                                                       \
    do {                                                                                                               \
        if (!has(n))                                                                                                   \
            return fail(QStringLiteral("stack underflow"));                                                            \
    } while (0)
#define MARKED()                                                                                                       \
    do {                                                                                                               \
        if (m_marks.empty())                                                                                           \
            return fail(QStringLiteral("no MARK on the stack"));                                                       \
    } while (0)

    m_stack.reserve(64);
    while (true) {
        if (m_pos >= m_data.size()) {
            m_op = 0;
            m_opOffset = m_pos;
            return makeError(QStringLiteral("pickle: truncated: no STOP opcode before offset %1").arg(m_pos));
        }
        m_opOffset = m_pos;
        m_op = u8();
        switch (m_op) {
        // ---- framing / protocol ----
        case 0x80: // PROTO
            NEED(1);
            m_protocol = u8();
            if (m_protocol > 5)
                return fail(QStringLiteral("unsupported protocol %1").arg(m_protocol));
            break;
        case 0x95: // FRAME: advisory; large objects sit between frames
            NEED(8);
            m_pos += 8;
            break;
        case '.': { // STOP
            STACK(1);
            PyValue result = pop();
            auto ok = checkResult(result);
            if (!ok) {
                m_discarded.push_back(std::move(result));
                return Error{ok.error()};
            }
            m_dirty = false;
            return PickleReadResult{std::move(result), m_pos, m_protocol};
        }
        // ---- ints ----
        case 'I':
        case 'L': {
            QByteArrayView t;
            if (!line(&t))
                return fail(QStringLiteral("truncated: missing newline"));
            TRY(pushInt(t, m_op == 'L'));
            break;
        }
        case 'J': {
            NEED(4);
            TRY(push(PyValue::integer(qint32(u32()))));
            break;
        }
        case 'K':
            NEED(1);
            TRY(push(PyValue::integer(u8())));
            break;
        case 'M':
            NEED(2);
            TRY(push(PyValue::integer(u16())));
            break;
        case 0x8a:
            NEED(1);
            TRY(pushLong(u8()));
            break;
        case 0x8b: {
            NEED(4);
            const qint32 n = qint32(u32());
            if (n < 0)
                return fail(QStringLiteral("negative length"));
            TRY(pushLong(n));
            break;
        }
        // ---- floats ----
        case 'F': {
            QByteArrayView t;
            if (!line(&t))
                return fail(QStringLiteral("truncated: missing newline"));
            t = t.trimmed();
            double d = 0;
            const auto res = std::from_chars(t.data(), t.data() + t.size(), d);
            // like Python, out-of-range text (1e400) is an error, not inf
            const bool whole = res.ptr == t.data() + t.size();
            if (res.ec == std::errc::result_out_of_range && whole && (t.contains("e-") || t.contains("E-")))
                d = t.front() == '-' ? -0.0 : 0.0; // underflow is zero in Python too
            else if (res.ec != std::errc() || !whole)
                return fail(QStringLiteral("invalid float text"));
            TRY(push(PyValue::floating(d)));
            break;
        }
        case 'G': {
            NEED(8);
            quint64 bits = 0;
            for (int k = 0; k < 8; ++k)
                bits = (bits << 8) | u8();
            double d;
            std::memcpy(&d, &bits, 8);
            TRY(push(PyValue::floating(d)));
            break;
        }
        // ---- strings / bytes ----
        case 'S': {
            QByteArrayView t;
            if (!line(&t))
                return fail(QStringLiteral("truncated: missing newline"));
            if (t.endsWith('\r'))
                t.chop(1);
            TRY(pushStringLiteral(t));
            break;
        }
        case 'T': {
            NEED(4);
            const qint32 n = qint32(u32());
            if (n < 0)
                return fail(QStringLiteral("negative length"));
            TRY(pushBytes(n, K::None));
            break;
        }
        case 'U':
            NEED(1);
            TRY(pushBytes(u8(), K::None));
            break;
        case 'B':
            NEED(4);
            TRY(pushBytes(u32(), K::Bytes));
            break;
        case 'C':
            NEED(1);
            TRY(pushBytes(u8(), K::Bytes));
            break;
        case 0x8e:
        case 0x96:
        case 0x8d: {
            NEED(8);
            const quint64 n = u64();
            if (n > quint64(remaining()))
                return fail(QStringLiteral("truncated data: %1 bytes announced, %2 left").arg(n).arg(remaining()));
            TRY(pushBytes(qint64(n), m_op == 0x8e ? K::Bytes : m_op == 0x96 ? K::ByteArray : K::Str));
            break;
        }
        case 'V': {
            QByteArrayView t;
            if (!line(&t))
                return fail(QStringLiteral("truncated: missing newline"));
            TRY(pushRawUnicodeEscape(t));
            break;
        }
        case 0x8c:
            NEED(1);
            TRY(pushBytes(u8(), K::Str));
            break;
        case 'X':
            NEED(4);
            TRY(pushBytes(u32(), K::Str));
            break;
        // ---- constants ----
        case 'N': TRY(push(PyValue::none())); break;
        case 0x88: TRY(push(PyValue::boolean(true))); break;
        case 0x89: TRY(push(PyValue::boolean(false))); break;
        // ---- containers ----
        case ']': TRY(push(PyValue::list())); break;
        case ')': TRY(push(PyValue::tuple())); break;
        case '}': TRY(push(PyValue::dict())); break;
        case 0x8f: TRY(push(PyValue::set())); break;
        case 'a': {
            STACK(2);
            PyValue v = pop();
            PyValue::Items one;
            one.push_back(std::move(v));
            TRY(addToList(m_stack.back(), std::move(one)));
            break;
        }
        case 'e':
        case 0x90: {
            MARKED();
            const size_t at = m_marks.back().stackSize;
            const size_t outerFloor = m_marks.size() >= 2 ? m_marks[m_marks.size() - 2].stackSize : 0;
            if (at > outerFloor) {
                // Fast path: move the items straight from the stack into the container (this
                // is where object-dtype columns spend their time).
                PyValue &target = m_stack[at - 1];
                PyValue::Items *dest = nullptr;
                if (m_op == 'e' && target.kind() == K::List)
                    dest = &target.items();
                else if (m_op == 0x90 && target.kind() == K::Set)
                    dest = &target.items();
                else if (target.kind() == K::Object)
                    dest = &target.object().listItems;
                const size_t n = m_stack.size() - at;
                if (dest && countItems(qint64(n))) {
                    dest->insert(dest->end(), std::make_move_iterator(m_stack.begin() + qsizetype(at)),
                                 std::make_move_iterator(m_stack.end()));
                    m_stack.resize(at);
                    m_marks.pop_back();
                    break;
                }
            }
            PyValue::Items items = popMark();
            if (!has(1)) {
                discardAll(items);
                return fail(QStringLiteral("stack underflow"));
            }
            if (m_op == 0x90 && m_stack.back().kind() == K::List) {
                discardAll(items);
                return fail(QStringLiteral("cannot add items to a list"));
            }
            if (m_op == 'e' && m_stack.back().kind() == K::Set) {
                discardAll(items);
                return fail(QStringLiteral("cannot append to a set"));
            }
            TRY(addToList(m_stack.back(), std::move(items)));
            break;
        }
        case 'l':
        case 't':
        case 0x91: {
            MARKED();
            PyValue::Items items = popMark();
            if (!countItems(qint64(items.size()))) {
                discardAll(items);
                return fail(QStringLiteral("more than %1 items").arg(m_limits.maxItems));
            }
            TRY(push(m_op == 'l' ? PyValue::list(std::move(items)) : m_op == 't' ? PyValue::tuple(std::move(items))
                                                                                 : PyValue::frozenSet(std::move(items))));
            break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
            const size_t n = size_t(m_op - 0x84);
            STACK(n);
            PyValue::Items items(std::make_move_iterator(m_stack.end() - qsizetype(n)),
                                 std::make_move_iterator(m_stack.end()));
            m_stack.resize(m_stack.size() - n);
            TRY(push(PyValue::tuple(std::move(items))));
            break;
        }
        case 'd': {
            MARKED();
            PyValue::Items flat = popMark();
            PyValue d = PyValue::dict();
            TRY(addToDict(d, std::move(flat)));
            TRY(push(std::move(d)));
            break;
        }
        case 's': {
            STACK(3);
            PyValue::Items flat(2);
            flat[1] = pop();
            flat[0] = pop();
            TRY(addToDict(m_stack.back(), std::move(flat)));
            break;
        }
        case 'u': {
            MARKED();
            PyValue::Items flat = popMark();
            if (!has(1)) {
                discardAll(flat);
                return fail(QStringLiteral("stack underflow"));
            }
            TRY(addToDict(m_stack.back(), std::move(flat)));
            break;
        }
        // ---- stack manipulation ----
        case '0':
            if (has(1))
                discard(pop());
            else if (!m_marks.empty() && m_stack.size() == floor())
                m_marks.pop_back(); // POP of a mark, as CPython does
            else
                return fail(QStringLiteral("stack underflow"));
            break;
        case '2':
            STACK(1);
            TRY(push(PyValue(m_stack.back())));
            break;
        case '(':
            if (int(m_marks.size()) >= m_limits.maxDepth)
                return fail(QStringLiteral("more than %1 nested MARKs").arg(m_limits.maxDepth));
            m_marks.push_back({m_stack.size()});
            break;
        case '1': {
            MARKED();
            for (auto &v : popMark())
                discard(std::move(v));
            break;
        }
        // ---- memo ----
        case 'g':
        case 'h':
        case 'j': {
            quint64 index = 0;
            TRY(readIndex(&index, m_op == 'g', m_op == 'h' ? 1 : 4));
            const PyValue *v = memoGet(index);
            if (!v)
                return fail(QStringLiteral("memo key %1 not found").arg(index));
            TRY(push(*v));
            break;
        }
        case 'p':
        case 'q':
        case 'r': {
            quint64 index = 0;
            TRY(readIndex(&index, m_op == 'p', m_op == 'q' ? 1 : 4));
            STACK(1);
            TRY(memoPut(index, m_stack.back()));
            break;
        }
        case 0x94:
            STACK(1);
            TRY(memoPut(quint64(m_memoCount), m_stack.back()));
            break;
        // ---- objects ----
        case 'c':
        case 'i': {
            QByteArrayView module, name;
            if (!line(&module) || !line(&name))
                return fail(QStringLiteral("truncated: missing newline"));
            if (m_op == 'c') {
                TRY(pushGlobal(module.toByteArray(), name.toByteArray()));
                break;
            }
            MARKED();
            PyValue::Items args = popMark();
            PyValue::Object o;
            o.module = module.toByteArray();
            o.name = name.toByteArray();
            PyValue callable = PyValue::object(std::move(o));
            TRY(reduce(std::move(callable), PyValue::tuple(std::move(args)), PyValue::Object::Construction::Reduce));
            break;
        }
        case 0x93: {
            STACK(2);
            PyValue name = pop();
            PyValue module = pop();
            if (name.kind() != K::Str || module.kind() != K::Str) {
                discard(std::move(name));
                discard(std::move(module));
                return fail(QStringLiteral("STACK_GLOBAL needs two str"));
            }
            TRY(pushGlobal(module.bytesData(), name.bytesData()));
            break;
        }
        case 'o': {
            MARKED();
            PyValue::Items items = popMark();
            if (items.empty())
                return fail(QStringLiteral("stack underflow"));
            PyValue cls = std::move(items.front());
            items.erase(items.begin());
            TRY(reduce(std::move(cls), PyValue::tuple(std::move(items)), PyValue::Object::Construction::Reduce));
            break;
        }
        case 'R':
        case 0x81: {
            STACK(2);
            PyValue args = pop();
            PyValue callable = pop();
            TRY(reduce(std::move(callable), std::move(args),
                       m_op == 'R' ? PyValue::Object::Construction::Reduce : PyValue::Object::Construction::NewObj));
            break;
        }
        case 0x92: {
            STACK(3);
            PyValue kwargs = pop();
            PyValue args = pop();
            PyValue cls = pop();
            if (kwargs.kind() != K::Dict) {
                discard(std::move(kwargs));
                discard(std::move(args));
                discard(std::move(cls));
                return fail(QStringLiteral("NEWOBJ_EX keyword arguments are not a dict"));
            }
            TRY(reduce(std::move(cls), std::move(args), PyValue::Object::Construction::NewObj));
            m_stack.back().object().kwargs = std::make_shared<PyValue::Pairs>(kwargs.pairs());
            discard(std::move(kwargs));
            break;
        }
        case 'b': {
            STACK(2);
            PyValue state = pop();
            PyValue &target = m_stack.back();
            if (target.kind() != K::Object) {
                // setstate with nothing to set is harmless on a folded builtin
                const bool empty = state.isNone() || (state.kind() == K::Dict && state.pairs().empty());
                discard(std::move(state));
                if (empty)
                    break;
                return fail(QStringLiteral("cannot BUILD a %1").arg(QLatin1String(PyValue::kindName(target.kind()))));
            }
            auto &slot = target.object().state;
            if (slot)
                discard(std::move(*slot));
            slot = std::make_shared<PyValue>(std::move(state));
            break;
        }
        // ---- refused ----
        case 0x82:
        case 0x83:
        case 0x84: return fail(QStringLiteral("copyreg extension codes are not supported"));
        case 'P':
        case 'Q': return fail(QStringLiteral("persistent ids are not supported"));
        case 0x97:
        case 0x98: return fail(QStringLiteral("out-of-band buffers are not supported"));
        default: return fail(QStringLiteral("unknown opcode"));
        }
    }
#undef TRY
#undef NEED
#undef STACK
#undef MARKED
}

} // namespace

Expected<PickleReadResult> PickleReader::read(QByteArrayView data) const
{
    Machine machine(data, m_limits);
    return machine.run();
}

Expected<PyValue> PickleReader::loads(QByteArrayView data) const
{
    auto r = read(data);
    if (!r)
        return Error{r.error()};
    return std::move(r.value().value);
}

} // namespace cachescope
