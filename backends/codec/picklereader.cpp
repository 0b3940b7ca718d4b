// TEMPORARY minimal pickle reader for the Redis layer; the codec agent's real implementation
// replaces this file at merge. Protocol 2-5 opcodes for None/bool/int/float/str/bytes/
// bytearray/list/tuple/dict/set/frozenset; anything else is an error naming the opcode.
#include "picklereader.h"

#include <QtEndian>

#include <cstring>

namespace cachescope {

namespace {

struct Machine
{
    QByteArrayView data;
    const PickleLimits &limits;
    qint64 pos = 0;
    std::vector<PyValue> stack;
    std::vector<size_t> marks;
    std::vector<PyValue> memo;
    qint64 totalBytes = 0;
    int protocol = 0;

    Error fail(const char *what, qint64 at, const QString &why) const
    {
        return makeError(QStringLiteral("pickle: %1 at offset %2: %3").arg(QLatin1String(what)).arg(at).arg(why));
    }
    bool need(qint64 n) const { return n >= 0 && pos + n <= data.size(); }
    template<typename T>
    T le(qint64 at) const
    {
        return qFromLittleEndian<T>(data.data() + at);
    }
};

} // namespace

Expected<PickleReadResult> PickleReader::read(QByteArrayView data) const
{
    Machine m{data, m_limits};
    auto popMark = [&](qint64 at, const char *name) -> Expected<std::vector<PyValue>> {
        if (m.marks.empty())
            return m.fail(name, at, QStringLiteral("no MARK on the stack"));
        const size_t base = m.marks.back();
        m.marks.pop_back();
        std::vector<PyValue> items(std::make_move_iterator(m.stack.begin() + qsizetype(base)),
                                   std::make_move_iterator(m.stack.end()));
        m.stack.resize(base);
        return items;
    };
    while (true) {
        if (!m.need(1))
            return m.fail("end of data", m.pos, QStringLiteral("truncated pickle (no STOP)"));
        const qint64 at = m.pos;
        const quint8 code = quint8(data[m.pos++]);
        auto takeBytes = [&](qint64 n, const char *name) -> Expected<QByteArray> {
            if (n < 0 || !m.need(n))
                return m.fail(name, at, QStringLiteral("truncated payload of %1 bytes").arg(n));
            m.totalBytes += n;
            if (m.totalBytes > m.limits.maxTotalBytes)
                return m.fail(name, at, QStringLiteral("payload exceeds the %1-byte limit").arg(m.limits.maxTotalBytes));
            QByteArray b(data.data() + m.pos, n);
            m.pos += n;
            return b;
        };
        auto lenField = [&](int width, const char *name) -> Expected<qint64> {
            if (!m.need(width))
                return m.fail(name, at, QStringLiteral("truncated length"));
            qint64 n = width == 1 ? quint8(data[m.pos]) : width == 4 ? qint64(m.le<quint32>(m.pos)) : qint64(m.le<quint64>(m.pos));
            m.pos += width;
            if (n < 0)
                return m.fail(name, at, QStringLiteral("negative length"));
            return n;
        };
        auto needStack = [&](size_t n, const char *name) -> Expected<bool> {
            const size_t base = m.marks.empty() ? 0 : m.marks.back();
            if (m.stack.size() < base + n)
                return m.fail(name, at, QStringLiteral("stack underflow"));
            return true;
        };
#define CHECK(expr)                                                                                                    \
    do {                                                                                                               \
        auto _r = (expr);                                                                                              \
        if (!_r)                                                                                                       \
            return Error{_r.error()};                                                                                  \
    } while (0)
        switch (code) {
        case 0x80: { // PROTO
            if (!m.need(1))
                return m.fail("PROTO", at, QStringLiteral("truncated"));
            m.protocol = quint8(data[m.pos++]);
            if (m.protocol > 5)
                return m.fail("PROTO", at, QStringLiteral("unsupported protocol %1").arg(m.protocol));
            break;
        }
        case 0x95: // FRAME: advisory
            if (!m.need(8))
                return m.fail("FRAME", at, QStringLiteral("truncated"));
            m.pos += 8;
            break;
        case '.': {
            if (m.stack.size() != 1 || !m.marks.empty())
                return m.fail("STOP", at, QStringLiteral("stack does not hold exactly one value"));
            return PickleReadResult{m.stack.back(), m.pos, m.protocol};
        }
        case 'N':
            m.stack.push_back(PyValue::none());
            break;
        case 0x88:
            m.stack.push_back(PyValue::boolean(true));
            break;
        case 0x89:
            m.stack.push_back(PyValue::boolean(false));
            break;
        case 'K':
            if (!m.need(1))
                return m.fail("BININT1", at, QStringLiteral("truncated"));
            m.stack.push_back(PyValue::integer(quint8(data[m.pos++])));
            break;
        case 'M':
            if (!m.need(2))
                return m.fail("BININT2", at, QStringLiteral("truncated"));
            m.stack.push_back(PyValue::integer(m.le<quint16>(m.pos)));
            m.pos += 2;
            break;
        case 'J':
            if (!m.need(4))
                return m.fail("BININT", at, QStringLiteral("truncated"));
            m.stack.push_back(PyValue::integer(m.le<qint32>(m.pos)));
            m.pos += 4;
            break;
        case 0x8a:
        case 0x8b: {
            const char *name = code == 0x8a ? "LONG1" : "LONG4";
            auto n = lenField(code == 0x8a ? 1 : 4, name);
            CHECK(n);
            auto b = takeBytes(*n, name);
            CHECK(b);
            m.stack.push_back(b->isEmpty() ? PyValue::integer(0) : PyValue::bigInteger(*b));
            break;
        }
        case 'G': {
            if (!m.need(8))
                return m.fail("BINFLOAT", at, QStringLiteral("truncated"));
            m.stack.push_back(PyValue::floating(qFromBigEndian<double>(data.data() + m.pos)));
            m.pos += 8;
            break;
        }
        case 0x8c:
        case 'X':
        case 0x8d:
        case 'C':
        case 'B':
        case 0x8e:
        case 0x96: {
            const int width = (code == 0x8c || code == 'C') ? 1 : (code == 'X' || code == 'B') ? 4 : 8;
            const char *name = "string";
            auto n = lenField(width, name);
            CHECK(n);
            auto b = takeBytes(*n, name);
            CHECK(b);
            if (code == 0x8c || code == 'X' || code == 0x8d)
                m.stack.push_back(PyValue::str(std::move(*b)));
            else if (code == 0x96)
                m.stack.push_back(PyValue::byteArray(std::move(*b)));
            else
                m.stack.push_back(PyValue::bytes(std::move(*b)));
            break;
        }
        case ']':
            m.stack.push_back(PyValue::list());
            break;
        case '}':
            m.stack.push_back(PyValue::dict());
            break;
        case ')':
            m.stack.push_back(PyValue::tuple());
            break;
        case 0x8f:
            m.stack.push_back(PyValue::set());
            break;
        case '(':
            if (m.marks.size() >= size_t(m.limits.maxDepth))
                return m.fail("MARK", at, QStringLiteral("too deeply nested"));
            m.marks.push_back(m.stack.size());
            break;
        case 0x85:
        case 0x86:
        case 0x87: {
            const size_t n = code - 0x84;
            CHECK(needStack(n, "TUPLE1-3"));
            PyValue::Items items(std::make_move_iterator(m.stack.end() - qsizetype(n)), std::make_move_iterator(m.stack.end()));
            m.stack.resize(m.stack.size() - n);
            m.stack.push_back(PyValue::tuple(std::move(items)));
            break;
        }
        case 't': {
            auto items = popMark(at, "TUPLE");
            CHECK(items);
            m.stack.push_back(PyValue::tuple(std::move(*items)));
            break;
        }
        case 0x91: {
            auto items = popMark(at, "FROZENSET");
            CHECK(items);
            m.stack.push_back(PyValue::frozenSet(std::move(*items)));
            break;
        }
        case 'a': {
            CHECK(needStack(2, "APPEND"));
            PyValue item = std::move(m.stack.back());
            m.stack.pop_back();
            if (m.stack.back().kind() != PyValue::Kind::List)
                return m.fail("APPEND", at, QStringLiteral("target is not a list"));
            m.stack.back().items().push_back(std::move(item));
            break;
        }
        case 'e':
        case 0x90: {
            const char *name = code == 'e' ? "APPENDS" : "ADDITEMS";
            auto items = popMark(at, name);
            CHECK(items);
            if (m.stack.empty())
                return m.fail(name, at, QStringLiteral("stack underflow"));
            PyValue &target = m.stack.back();
            const auto want = code == 'e' ? PyValue::Kind::List : PyValue::Kind::Set;
            if (target.kind() != want)
                return m.fail(name, at, QStringLiteral("target is a %1").arg(QLatin1String(PyValue::kindName(target.kind()))));
            for (auto &item : *items)
                target.items().push_back(std::move(item));
            break;
        }
        case 's': {
            CHECK(needStack(3, "SETITEM"));
            PyValue v = std::move(m.stack.back());
            m.stack.pop_back();
            PyValue k = std::move(m.stack.back());
            m.stack.pop_back();
            if (m.stack.back().kind() != PyValue::Kind::Dict)
                return m.fail("SETITEM", at, QStringLiteral("target is not a dict"));
            m.stack.back().pairs().emplace_back(std::move(k), std::move(v));
            break;
        }
        case 'u': {
            auto items = popMark(at, "SETITEMS");
            CHECK(items);
            if (m.stack.empty() || m.stack.back().kind() != PyValue::Kind::Dict || items->size() % 2)
                return m.fail("SETITEMS", at, QStringLiteral("target is not a dict or odd item count"));
            for (size_t i = 0; i < items->size(); i += 2)
                m.stack.back().pairs().emplace_back(std::move((*items)[i]), std::move((*items)[i + 1]));
            break;
        }
        case 0x94:
            if (m.stack.empty())
                return m.fail("MEMOIZE", at, QStringLiteral("empty stack"));
            if (qint64(m.memo.size()) >= m.limits.maxMemoEntries)
                return m.fail("MEMOIZE", at, QStringLiteral("memo limit reached"));
            m.memo.push_back(m.stack.back());
            break;
        case 'q':
        case 'r': {
            auto idx = lenField(code == 'q' ? 1 : 4, "BINPUT");
            CHECK(idx);
            if (m.stack.empty() || *idx > m.limits.maxMemoEntries)
                return m.fail("BINPUT", at, QStringLiteral("bad memo index"));
            if (size_t(*idx) >= m.memo.size())
                m.memo.resize(size_t(*idx) + 1);
            m.memo[size_t(*idx)] = m.stack.back();
            break;
        }
        case 'h':
        case 'j': {
            auto idx = lenField(code == 'h' ? 1 : 4, "BINGET");
            CHECK(idx);
            if (size_t(*idx) >= m.memo.size())
                return m.fail("BINGET", at, QStringLiteral("memo index %1 not set").arg(*idx));
            m.stack.push_back(m.memo[size_t(*idx)]);
            break;
        }
        default:
            return m.fail("opcode", at, QStringLiteral("opcode 0x%1 not supported by the temporary reader").arg(code, 2, 16, QLatin1Char('0')));
        }
#undef CHECK
    }
}

Expected<PyValue> PickleReader::loads(QByteArrayView data) const
{
    auto r = read(data);
    if (!r)
        return Error{r.error()};
    return std::move(r->value);
}

} // namespace cachescope
