#include "picklewriter.h"

#include "utf8.h"

#include <QString>
#include <QVarLengthArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace cachescope {

namespace {

constexpr qsizetype kFrameTarget = 64 * 1024; // CPython's _FRAME_SIZE_TARGET
constexpr qsizetype kFrameMin = 4;            // _FRAME_SIZE_MIN
constexpr size_t kBatch = 1000;               // Pickler._BATCHSIZE
constexpr int kMaxDepth = 10000;              // hand-built values only; read values are far shallower

void putLE(QByteArray &out, quint64 v, int bytes)
{
    for (int k = 0; k < bytes; ++k)
        out.append(char((v >> (8 * k)) & 0xff));
}

// An opcode and its little-endian argument, built on the stack: most opcodes are written once
// per value, and a QByteArray per opcode was most of a small value's pickling time.
struct Op
{
    char bytes[9];
    qsizetype size = 0;
    explicit Op(char op, quint64 arg = 0, int argBytes = 0)
    {
        bytes[0] = op;
        for (int k = 0; k < argBytes; ++k)
            bytes[1 + k] = char((arg >> (8 * k)) & 0xff);
        size = 1 + argBytes;
    }
    operator QByteArrayView() const { return QByteArrayView(bytes, size); }
};

// The memo (object identity -> memo slot): open addressing over pointers, the first 32 slots
// without a heap allocation (a cache value is usually a handful of objects).
class PointerMemo
{
public:
    PointerMemo() : m_slots(32) {}
    bool find(const void *id, quint64 *idx) const
    {
        for (size_t s = slotOf(id);; s = (s + 1) & (m_slots.size() - 1)) {
            if (!m_slots[s].id)
                return false;
            if (m_slots[s].id == id) {
                *idx = m_slots[s].idx;
                return true;
            }
        }
    }
    // Inserts or overwrites; a null identity (a scalar) is never memoized.
    void set(const void *id, quint64 idx)
    {
        if (!id)
            return;
        if ((m_count + 1) * 2 > size_t(m_slots.size()))
            grow();
        size_t s = slotOf(id);
        while (m_slots[s].id && m_slots[s].id != id)
            s = (s + 1) & (m_slots.size() - 1);
        if (!m_slots[s].id)
            ++m_count;
        m_slots[s] = Slot{id, idx};
    }

private:
    struct Slot
    {
        const void *id = nullptr;
        quint64 idx = 0;
    };
    size_t slotOf(const void *id) const
    {
        const quint64 x = quint64(quintptr(id)) * 0x9E3779B97F4A7C15ull;
        return size_t(x >> 32) & size_t(m_slots.size() - 1);
    }
    void grow()
    {
        QVarLengthArray<Slot, 32> old(m_slots.size());
        std::copy(m_slots.begin(), m_slots.end(), old.begin());
        m_slots.clear();
        m_slots.resize(old.size() * 2);
        std::fill(m_slots.begin(), m_slots.end(), Slot{});
        m_count = 0;
        for (const Slot &slot : old)
            if (slot.id)
                set(slot.id, slot.idx);
    }
    QVarLengthArray<Slot, 32> m_slots;
    size_t m_count = 0;
};

// pickle.encode_long for a machine integer: minimal two's complement, little-endian.
QByteArray encodeLong(qint64 x)
{
    QByteArray b;
    putLE(b, quint64(x), 8);
    while (b.size() > 1) {
        const auto last = static_cast<quint8>(b.back());
        const auto prev = static_cast<quint8>(b[b.size() - 2]);
        if ((last == 0x00 && !(prev & 0x80)) || (last == 0xff && (prev & 0x80)))
            b.chop(1);
        else
            break;
    }
    return b;
}

// Python's repr(float): shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16.
QByteArray pythonFloatRepr(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d < 0 ? "-inf" : "inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const QByteArray sci(buf, res.ptr - buf);
    const qsizetype e = sci.indexOf('e');
    QByteArray mant = sci.left(e);
    const int exp = sci.mid(e + 1).toInt();
    const bool neg = mant.startsWith('-');
    if (neg)
        mant.remove(0, 1);
    QByteArray digits = mant;
    digits.replace(".", "");
    const int decpt = exp + 1;
    QByteArray out;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out = "0." + QByteArray(-decpt, '0') + digits;
        } else if (decpt >= digits.size()) {
            out = digits + QByteArray(decpt - digits.size(), '0') + ".0";
        } else {
            out = digits.left(decpt) + '.' + digits.mid(decpt);
        }
    } else {
        out = digits.left(1);
        if (digits.size() > 1)
            out += '.' + digits.mid(1);
        const int ae = std::abs(exp);
        out += (exp < 0 ? "e-" : "e+") + (ae < 10 ? QByteArray("0") : QByteArray()) + QByteArray::number(ae);
    }
    return neg ? '-' + out : out;
}

// Lenient UTF-8 (with surrogates) to code points; bytes that do not decode become U+FFFD.
std::vector<quint32> codePoints(const QByteArray &s)
{
    std::vector<quint32> out;
    out.reserve(size_t(s.size()));
    for (qsizetype i = 0; i < s.size();) {
        const auto c = static_cast<quint8>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) {
            out.push_back(0xfffd);
            ++i;
            continue;
        }
        quint32 cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k < len; ++k) {
            const auto cc = static_cast<quint8>(s[i + k]);
            if ((cc & 0xc0) != 0x80) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (!ok || cp > 0x10ffff) { // \U escapes beyond U+10FFFF would not read back
            out.push_back(0xfffd);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

class Writer
{
public:
    // The pickle is written after `prefix` (RedisCache's "!") in the same buffer.
    Writer(int protocol, QByteArrayView prefix) : m_proto(protocol), m_bin(protocol >= 1)
    {
        m_out.reserve(256);
        m_out.append(prefix);
    }

    Expected<QByteArray> dump(const PyValue &v)
    {
        if (m_proto >= 2) {
            m_out.append(char(0x80));
            m_out.append(char(m_proto));
        }
        m_framing = m_proto >= 4;
        if (auto r = save(v, 0); !r)
            return Error{r.error()};
        write(".");
        commitFrame(true);
        return std::move(m_out);
    }

private:
    // ---- framing (CPython _Pickler_Write / _Pickler_CommitFrame semantics) ----
    void openFrame()
    {
        if (m_framing && m_frameStart < 0) {
            m_frameStart = m_out.size();
            m_out.append(9, '\0');
        }
    }
    void write(QByteArrayView data)
    {
        openFrame();
        m_out.append(data);
    }
    void write(char c)
    {
        openFrame();
        m_out.append(c);
    }
    void commitFrame(bool force)
    {
        if (m_frameStart < 0)
            return;
        const qsizetype len = m_out.size() - m_frameStart - 9;
        if (!force && len < kFrameTarget)
            return;
        if (len >= kFrameMin) {
            char *p = m_out.data() + m_frameStart;
            p[0] = char(0x95);
            for (int k = 0; k < 8; ++k)
                p[1 + k] = char((quint64(len) >> (8 * k)) & 0xff);
        } else {
            m_out.remove(m_frameStart, 9);
        }
        m_frameStart = -1;
    }
    void writeLargeBytes(QByteArrayView header, const QByteArray &payload)
    {
        commitFrame(true);
        m_out.append(header);
        m_out.append(payload);
    }

    // ---- memo ----
    void memoize(const void *id)
    {
        const quint64 idx = m_nextMemo++;
        if (id && !m_memo.find(id, &m_scratchIdx)) // the first slot written for an object stays its slot
            m_memo.set(id, idx);
        writePut(idx);
    }
    void writePut(quint64 idx)
    {
        if (m_proto >= 4)
            write(char(0x94));
        else if (m_bin)
            write(idx < 256 ? Op('q', idx, 1) : Op('r', idx, 4));
        else
            write(QByteArray("p" + QByteArray::number(idx) + '\n'));
    }
    void writeGet(quint64 idx)
    {
        if (m_bin)
            write(idx < 256 ? Op('h', idx, 1) : Op('j', idx, 4));
        else
            write(QByteArray("g" + QByteArray::number(idx) + '\n'));
    }
    bool memoGet(const void *id, quint64 *idx) const
    {
        return id && m_memo.find(id, idx);
    }
    // Temporaries (reduce argument tuples, latin-1 strings) must outlive the dump: the memo is
    // keyed by address, and a freed address reused by another value would alias it.
    const PyValue &keep(PyValue v)
    {
        m_keep.push_back(std::make_unique<PyValue>(std::move(v)));
        return *m_keep.back();
    }

    Expected<bool> save(const PyValue &v, int depth);
    void saveInt(qint64 i);
    void saveBigInt(const PyValue &v);
    void saveFloat(double d);
    void saveStr(const PyValue &v);
    void writeCounted(const QByteArray &data, char shortOp, char op4, char op8);
    Expected<bool> saveBytes(const PyValue &v, int depth);
    Expected<bool> saveByteArray(const PyValue &v, int depth);
    Expected<bool> saveTuple(const PyValue &v, int depth);
    Expected<bool> saveList(const PyValue &v, int depth);
    Expected<bool> saveDict(const PyValue &v, int depth);
    Expected<bool> saveSet(const PyValue &v, int depth);
    Expected<bool> saveFrozenSet(const PyValue &v, int depth);
    Expected<bool> saveObject(const PyValue &v, int depth);
    Expected<bool> saveGlobal(QByteArray module, QByteArray name, int depth, bool shared = true);
    Expected<bool> saveReduce(QByteArray module, QByteArray name, const PyValue &args, const void *objId, int depth);
    Expected<bool> batchAppends(const PyValue::Items &items, int depth, bool exactList);
    Expected<bool> batchSetItems(const PyValue::Pairs &pairs, int depth, bool exactDict);

    int m_proto;
    bool m_bin;
    bool m_framing = false;
    qsizetype m_frameStart = -1;
    QByteArray m_out;
    PointerMemo m_memo;
    quint64 m_scratchIdx = 0;
    quint64 m_nextMemo = 0; // slots written so far (MEMOIZE numbers them this way)
    std::unordered_map<QByteArray, quint64> m_globalMemo; // classes/functions are singletons in Python
    std::unordered_map<QByteArray, PyValue> m_internedNames; // module names, one object per module
    std::vector<std::unique_ptr<PyValue>> m_keep;
    // One constant object in pickle.py; a literal, so a Writer allocates nothing for it.
    PyValue m_latin1 = PyValue::str(QByteArrayLiteral("latin1"));
};

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        auto r_ = (expr);                                                                                              \
        if (!r_)                                                                                                       \
            return Error{r_.error()};                                                                                  \
    } while (0)

Expected<bool> Writer::save(const PyValue &v, int depth)
{
    if (depth > kMaxDepth)
        return makeError(QStringLiteral("pickle: value nested deeper than %1 levels").arg(kMaxDepth));
    commitFrame(false);
    quint64 idx = 0;
    if (memoGet(v.identity(), &idx)) {
        writeGet(idx);
        return true;
    }
    using K = PyValue::Kind;
    switch (v.kind()) {
    case K::None: write('N'); return true;
    case K::Bool:
        if (m_proto >= 2)
            write(char(v.toBool() ? 0x88 : 0x89));
        else
            write(v.toBool() ? QByteArrayView("I01\n") : QByteArrayView("I00\n"));
        return true;
    case K::Int: saveInt(v.toInt()); return true;
    case K::BigInt: saveBigInt(v); return true;
    case K::Float: saveFloat(v.toFloat()); return true;
    case K::Str: saveStr(v); return true;
    case K::Bytes: return saveBytes(v, depth);
    case K::ByteArray: return saveByteArray(v, depth);
    case K::Tuple: return saveTuple(v, depth);
    case K::List: return saveList(v, depth);
    case K::Dict: return saveDict(v, depth);
    case K::Set: return saveSet(v, depth);
    case K::FrozenSet: return saveFrozenSet(v, depth);
    case K::Object: return saveObject(v, depth);
    }
    return makeError(QStringLiteral("pickle: cannot write an unknown value kind"));
}

void Writer::saveInt(qint64 x)
{
    if (m_bin) {
        if (x >= 0 && x <= 0xff) {
            write(Op('K', quint64(x), 1));
            return;
        }
        if (x >= 0 && x <= 0xffff) {
            write(Op('M', quint64(x), 2));
            return;
        }
        if (x >= -0x80000000ll && x <= 0x7fffffffll) {
            write(Op('J', quint64(x), 4));
            return;
        }
    }
    if (m_proto >= 2) {
        const QByteArray enc = encodeLong(x);
        write(Op(char(0x8a), quint64(enc.size()), 1));
        write(enc);
        return;
    }
    if (x >= -0x80000000ll && x <= 0x7fffffffll)
        write(QByteArray("I" + QByteArray::number(x) + '\n'));
    else
        write(QByteArray("L" + QByteArray::number(x) + "L\n"));
}

void Writer::saveBigInt(const PyValue &v)
{
    if (m_proto >= 2) {
        const QByteArray &enc = v.bytesData();
        QByteArray b;
        if (enc.size() < 256) {
            b.append(char(0x8a));
            b.append(char(enc.size()));
        } else {
            b.append(char(0x8b));
            putLE(b, quint64(enc.size()), 4);
        }
        b.append(enc);
        write(b);
        return;
    }
    write(QByteArray("L" + v.bigIntDecimal() + "L\n"));
}

void Writer::saveFloat(double d)
{
    if (m_bin) {
        quint64 bits;
        std::memcpy(&bits, &d, 8);
        char b[9];
        b[0] = 'G';
        for (int k = 0; k < 8; ++k)
            b[1 + k] = char((bits >> (8 * (7 - k))) & 0xff); // big-endian, as struct.pack('>d')
        write(QByteArrayView(b, 9));
        return;
    }
    write(QByteArray("F" + pythonFloatRepr(d) + '\n'));
}

void Writer::saveStr(const PyValue &v)
{
    const QByteArray &enc = v.bytesData();
    if (m_bin) {
        writeCounted(enc, m_proto >= 4 ? char(0x8c) : 0, 'X', char(0x8d)); // SHORT_BINUNICODE is protocol 4
    } else {
        QByteArray out("V");
        for (quint32 cp : codePoints(enc)) {
            if (cp == '\\' || cp == 0 || cp == '\n' || cp == '\r' || cp == 0x1a || (cp >= 0x100 && cp < 0x10000)) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", cp);
                out.append(buf);
            } else if (cp >= 0x10000) {
                char buf[12];
                std::snprintf(buf, sizeof buf, "\\U%08x", cp);
                out.append(buf);
            } else {
                out.append(char(cp));
            }
        }
        out.append('\n');
        write(out);
    }
    memoize(v.identity());
}

Expected<bool> Writer::saveBytes(const PyValue &v, int depth)
{
    const QByteArray &data = v.bytesData();
    if (m_proto < 3) {
        if (data.isEmpty())
            return saveReduce("builtins", "bytes", keep(PyValue::tuple()), v.identity(), depth);
        QByteArray utf8; // the bytes as latin-1 code points
        utf8.reserve(data.size());
        for (char c : data)
            utf8::appendUtf8(utf8, static_cast<quint8>(c));
        const PyValue &args = keep(PyValue::tuple({PyValue::str(std::move(utf8)), m_latin1}));
        return saveReduce("_codecs", "encode", args, v.identity(), depth);
    }
    writeCounted(data, 'C', 'B', char(0x8e));
    memoize(v.identity());
    return true;
}

// An opcode with a 1-, 4- or 8-byte length, then the data (shortOp 0: no 1-byte form). The
// 8-byte forms are protocol 4; large data goes out of frame.
void Writer::writeCounted(const QByteArray &data, char shortOp, char op4, char op8)
{
    const quint64 n = quint64(data.size());
    if (shortOp && n <= 0xff) {
        write(Op(shortOp, n, 1));
        m_out.append(data); // the frame is open: write() above opened it
    } else if (n > 0xffffffffull && m_proto >= 4) {
        writeLargeBytes(Op(op8, n, 8), data);
    } else if (qsizetype(n) >= kFrameTarget) {
        writeLargeBytes(Op(op4, n, 4), data);
    } else {
        write(Op(op4, n, 4));
        m_out.append(data);
    }
}

Expected<bool> Writer::saveByteArray(const PyValue &v, int depth)
{
    const QByteArray &data = v.bytesData();
    if (m_proto < 5) {
        if (data.isEmpty())
            return saveReduce("builtins", "bytearray", keep(PyValue::tuple()), v.identity(), depth);
        return saveReduce("builtins", "bytearray", keep(PyValue::tuple({PyValue::bytes(data)})), v.identity(), depth);
    }
    const Op h(char(0x96), quint64(data.size()), 8);
    if (data.size() >= kFrameTarget) {
        writeLargeBytes(h, data);
    } else {
        write(h);
        write(data);
    }
    memoize(v.identity());
    return true;
}

Expected<bool> Writer::saveTuple(const PyValue &v, int depth)
{
    const auto &items = v.items();
    if (items.empty()) {
        write(m_bin ? QByteArrayView(")") : QByteArrayView("(t"));
        return true;
    }
    const size_t n = items.size();
    quint64 idx = 0;
    if (n <= 3 && m_proto >= 2) {
        for (const auto &e : items)
            TRY(save(e, depth + 1));
        if (memoGet(v.identity(), &idx)) { // a recursive tuple was memoized while saving its items
            write(QByteArray(qsizetype(n), '0'));
            writeGet(idx);
            return true;
        }
        write(char(0x84 + n));
        memoize(v.identity());
        return true;
    }
    write('(');
    for (const auto &e : items)
        TRY(save(e, depth + 1));
    if (memoGet(v.identity(), &idx)) {
        if (m_bin)
            write('1');
        else
            write(QByteArray(qsizetype(n + 1), '0'));
        writeGet(idx);
        return true;
    }
    write('t');
    memoize(v.identity());
    return true;
}

// _pickle.c batches an exact list as MARK..APPENDS even for a trailing single item (only a
// one-item list gets APPEND); listitems of a reduce go through the iterator form, where a
// trailing single item is an APPEND.
Expected<bool> Writer::batchAppends(const PyValue::Items &items, int depth, bool exactList)
{
    if (!m_bin) {
        for (const auto &x : items) {
            TRY(save(x, depth + 1));
            write('a');
        }
        return true;
    }
    for (size_t start = 0; start < items.size(); start += kBatch) {
        const size_t n = std::min(kBatch, items.size() - start);
        if (n > 1 || (exactList && items.size() > 1)) {
            write('(');
            for (size_t i = start; i < start + n; ++i)
                TRY(save(items[i], depth + 1));
            write('e');
        } else {
            TRY(save(items[start], depth + 1));
            write('a');
        }
    }
    return true;
}

// An exact dict of more than one item is written as MARK..SETITEMS batches, plus an empty
// MARK SETITEMS when the last batch was full (batch_dict_exact's do/while).
Expected<bool> Writer::batchSetItems(const PyValue::Pairs &pairs, int depth, bool exactDict)
{
    if (!m_bin) {
        for (const auto &[k, x] : pairs) {
            TRY(save(k, depth + 1));
            TRY(save(x, depth + 1));
            write('s');
        }
        return true;
    }
    if (exactDict && pairs.size() > 1) {
        size_t start = 0;
        size_t n = 0;
        do {
            n = std::min(kBatch, pairs.size() - start);
            write('(');
            for (size_t i = start; i < start + n; ++i) {
                TRY(save(pairs[i].first, depth + 1));
                TRY(save(pairs[i].second, depth + 1));
            }
            write('u');
            start += n;
        } while (n == kBatch);
        return true;
    }
    for (size_t start = 0; start < pairs.size(); start += kBatch) {
        const size_t n = std::min(kBatch, pairs.size() - start);
        if (n > 1) {
            write('(');
            for (size_t i = start; i < start + n; ++i) {
                TRY(save(pairs[i].first, depth + 1));
                TRY(save(pairs[i].second, depth + 1));
            }
            write('u');
        } else {
            TRY(save(pairs[start].first, depth + 1));
            TRY(save(pairs[start].second, depth + 1));
            write('s');
        }
    }
    return true;
}

Expected<bool> Writer::saveList(const PyValue &v, int depth)
{
    write(m_bin ? QByteArrayView("]") : QByteArrayView("(l"));
    memoize(v.identity());
    return batchAppends(v.items(), depth, true);
}

Expected<bool> Writer::saveDict(const PyValue &v, int depth)
{
    write(m_bin ? QByteArrayView("}") : QByteArrayView("(d"));
    memoize(v.identity());
    return batchSetItems(v.pairs(), depth, true);
}

Expected<bool> Writer::saveSet(const PyValue &v, int depth)
{
    if (m_proto < 4)
        return saveReduce("builtins", "set", keep(PyValue::tuple({PyValue::list(v.items())})), v.identity(), depth);
    write(char(0x8f));
    memoize(v.identity());
    // batch_set's do/while: an empty MARK ADDITEMS follows a full last batch
    const auto &items = v.items();
    if (items.empty())
        return true;
    size_t start = 0;
    size_t n = 0;
    do {
        n = std::min(kBatch, items.size() - start);
        write('(');
        for (size_t i = start; i < start + n; ++i)
            TRY(save(items[i], depth + 1));
        write(char(0x90));
        start += n;
    } while (n == kBatch);
    return true;
}

Expected<bool> Writer::saveFrozenSet(const PyValue &v, int depth)
{
    if (m_proto < 4)
        return saveReduce("builtins", "frozenset", keep(PyValue::tuple({PyValue::list(v.items())})), v.identity(),
                          depth);
    write('(');
    for (const auto &e : v.items())
        TRY(save(e, depth + 1));
    quint64 idx = 0;
    if (memoGet(v.identity(), &idx)) {
        write('1');
        writeGet(idx);
        return true;
    }
    write(char(0x91));
    memoize(v.identity());
    return true;
}

// shared: the global may be referenced again by name (a class is one object in Python); a
// global that was itself BUILT or appended to is a distinct node and must not be merged.
Expected<bool> Writer::saveGlobal(QByteArray module, QByteArray name, int depth, bool shared)
{
    if (m_proto < 3) { // pickle's fix_imports: Python 3 names back to Python 2 ones
        if (module == "builtins")
            module = "__builtin__";
        else if (module == "copyreg")
            module = "copy_reg";
    }
    const QByteArray key = module + '\n' + name;
    if (auto it = m_globalMemo.find(key); shared && it != m_globalMemo.end()) {
        writeGet(it->second);
        return true;
    }
    if (m_proto >= 4) {
        auto interned = [&](const QByteArray &s) -> const PyValue & {
            auto it = m_internedNames.find(s);
            if (it == m_internedNames.end())
                it = m_internedNames.emplace(s, PyValue::str(s)).first;
            return it->second;
        };
        // A module's __name__ is one string object shared by all its classes (so it is
        // memoized once); each class's __qualname__ is its own object, even when it spells
        // the module name ("datetime", "datetime").
        TRY(save(interned(module), depth + 1));
        TRY(save(keep(PyValue::str(name)), depth + 1));
        write(char(0x93));
    } else {
        if (module.contains('\n') || name.contains('\n'))
            return makeError(QStringLiteral("pickle: global name contains a newline"));
        write(QByteArray("c" + module + '\n' + name + '\n'));
    }
    const quint64 idx = m_nextMemo++;
    const PyValue &marker = keep(PyValue::str(QByteArray())); // a unique identity for the memo slot
    if (!m_memo.find(marker.identity(), &m_scratchIdx))
        m_memo.set(marker.identity(), idx);
    writePut(idx);
    if (shared)
        m_globalMemo.emplace(key, idx);
    return true;
}

Expected<bool> Writer::saveReduce(QByteArray module, QByteArray name, const PyValue &args, const void *objId,
                                  int depth)
{
    TRY(saveGlobal(std::move(module), std::move(name), depth));
    TRY(save(args, depth + 1));
    write('R');
    quint64 idx = 0;
    if (memoGet(objId, &idx)) {
        write('0');
        writeGet(idx);
    } else {
        memoize(objId);
    }
    return true;
}

Expected<bool> Writer::saveObject(const PyValue &v, int depth)
{
    const PyValue::Object &o = v.object();
    using C = PyValue::Object::Construction;
    const bool extras = !o.listItems.empty() || !o.dictItems.empty() || o.state;
    if (o.construction == C::Global && !extras)
        return saveGlobal(o.module, o.name, depth);
    if (o.construction == C::Global) {
        TRY(saveGlobal(o.module, o.name, depth, false));
        m_memo.set(v.identity(), m_nextMemo - 1); // the fresh slot saveGlobal just wrote
        if (!o.listItems.empty())
            TRY(batchAppends(o.listItems, depth, false));
        if (!o.dictItems.empty())
            TRY(batchSetItems(o.dictItems, depth, false));
        if (o.state) {
            TRY(save(*o.state, depth + 1));
            write('b');
        }
        return true;
    }
    const PyValue &args = keep(PyValue::tuple(o.args ? *o.args : PyValue::Items()));
    quint64 idx = 0;
    if (o.construction == C::Reduce && !o.callable) {
        TRY(saveReduce(o.module, o.name, args, v.identity(), depth));
    } else if (o.construction == C::Reduce) {
        // The value a call returned, called: written as it was read (getattr(...) then REDUCE).
        TRY(save(*o.callable, depth + 1));
        TRY(save(args, depth + 1));
        write('R');
        if (memoGet(v.identity(), &idx)) {
            write('0');
            writeGet(idx);
        } else {
            memoize(v.identity());
        }
    } else {
        if (m_proto < 2)
            return makeError(QStringLiteral("pickle: %1 needs protocol 2 or later (NEWOBJ)")
                                 .arg(QString::fromUtf8(o.qualifiedName())));
        if (o.callable)
            TRY(save(*o.callable, depth + 1));
        else
            TRY(saveGlobal(o.module, o.name, depth));
        TRY(save(args, depth + 1));
        if (o.kwargs) {
            if (m_proto < 4)
                return makeError(QStringLiteral("pickle: %1 needs protocol 4 or later (NEWOBJ_EX)")
                                     .arg(QString::fromUtf8(o.qualifiedName())));
            TRY(save(keep(PyValue::dict(*o.kwargs)), depth + 1));
            write(char(0x92));
        } else {
            write(char(0x81));
        }
        if (memoGet(v.identity(), &idx)) {
            write('0');
            writeGet(idx);
        } else {
            memoize(v.identity());
        }
    }
    if (!o.listItems.empty())
        TRY(batchAppends(o.listItems, depth, false));
    if (!o.dictItems.empty())
        TRY(batchSetItems(o.dictItems, depth, false));
    if (o.state) {
        TRY(save(*o.state, depth + 1));
        write('b');
    }
    return true;
}

#undef TRY

} // namespace

Expected<QByteArray> PickleWriter::dumps(const PyValue &value) const
{
    return dumps(value, {});
}

Expected<QByteArray> PickleWriter::dumps(const PyValue &value, QByteArrayView prefix) const
{
    if (m_protocol < 0 || m_protocol > 5)
        return makeError(QStringLiteral("pickle: unsupported protocol %1").arg(m_protocol));
    // Fast path for the commonest small cache value, a short str at protocol 4+: exactly what
    // Writer emits (PROTO, FRAME, SHORT_BINUNICODE, MEMOIZE, STOP) without its memo table
    // and frame bookkeeping.
    if (m_protocol >= 4 && value.kind() == PyValue::Kind::Str && value.bytesData().size() <= 0xff) {
        const QByteArray &s = value.bytesData();
        QByteArray out;
        out.reserve(prefix.size() + 2 + 9 + s.size() + 4);
        out.append(prefix);
        out.append(char(0x80));
        out.append(char(m_protocol));
        out.append(char(0x95));
        putLE(out, quint64(s.size()) + 4, 8);
        out.append(char(0x8c));
        out.append(char(s.size()));
        out.append(s);
        out.append(char(0x94));
        out.append('.');
        return out;
    }
    return Writer(m_protocol, prefix).dump(value);
}

} // namespace cachescope
