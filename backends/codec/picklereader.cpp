// TEMPORARY pickle reader (from the cache branch's stand-in, plus globals/REDUCE/NEWOBJ/BUILD) so
// the decoder chain and recognisers can be tested on real pandas pickles before the codec branch
// lands. Drop when merging codec.
#include "picklereader.h"

#include <QHash>

#include <cstring>
#include <vector>

namespace cachescope {

namespace {

struct Machine
{
    QByteArrayView d;
    qint64 pos = 0;
    std::vector<PyValue> stack;
    std::vector<size_t> marks;
    QHash<qint64, PyValue> memo;
    QString err;

    bool need(qint64 n)
    {
        if (pos + n > d.size()) {
            err = QStringLiteral("truncated pickle at offset %1").arg(pos);
            return false;
        }
        return true;
    }
    quint64 le(int n)
    {
        quint64 v = 0;
        for (int i = 0; i < n; ++i)
            v |= quint64(quint8(d[pos + i])) << (8 * i);
        pos += n;
        return v;
    }
    bool line(QByteArray *out)
    {
        const qint64 start = pos;
        while (pos < d.size() && d[pos] != '\n')
            ++pos;
        if (pos >= d.size()) {
            err = QStringLiteral("truncated text opcode at offset %1").arg(start);
            return false;
        }
        *out = d.sliced(start, pos - start).toByteArray();
        ++pos;
        return true;
    }
    bool popMark(std::vector<PyValue> *items)
    {
        if (marks.empty()) {
            err = QStringLiteral("no MARK at offset %1").arg(pos);
            return false;
        }
        const size_t m = marks.back();
        marks.pop_back();
        if (m > stack.size()) {
            err = QStringLiteral("MARK below the stack at offset %1").arg(pos);
            return false;
        }
        items->assign(stack.begin() + qsizetype(m), stack.end());
        stack.resize(m);
        return true;
    }
};

} // namespace

Expected<PickleReadResult> PickleReader::read(QByteArrayView data) const
{
    Machine m;
    m.d = data;
    int protocol = 0;
    while (true) {
        if (!m.need(1))
            return makeError(m.err);
        const quint8 op = quint8(data[m.pos]);
        const qint64 opPos = m.pos++;
        std::vector<PyValue> items;
        auto underflow = [&]() {
            return makeError(QStringLiteral("stack underflow at offset %1").arg(opPos));
        };
        switch (op) {
        case 0x80:
            if (!m.need(1))
                return makeError(m.err);
            protocol = quint8(data[m.pos++]);
            break;
        case 0x95:
            if (!m.need(8))
                return makeError(m.err);
            m.pos += 8;
            break;
        case '.': {
            if (m.stack.empty())
                return underflow();
            PickleReadResult r;
            r.value = m.stack.back();
            r.endOffset = m.pos;
            r.protocol = protocol;
            return r;
        }
        case 'N': m.stack.push_back(PyValue::none()); break;
        case 0x88: m.stack.push_back(PyValue::boolean(true)); break;
        case 0x89: m.stack.push_back(PyValue::boolean(false)); break;
        case 'K':
            if (!m.need(1)) return makeError(m.err);
            m.stack.push_back(PyValue::integer(qint64(m.le(1))));
            break;
        case 'M':
            if (!m.need(2)) return makeError(m.err);
            m.stack.push_back(PyValue::integer(qint64(m.le(2))));
            break;
        case 'J':
            if (!m.need(4)) return makeError(m.err);
            m.stack.push_back(PyValue::integer(qint64(qint32(quint32(m.le(4))))));
            break;
        case 0x8a:
        case 0x8b: {
            const int w = op == 0x8a ? 1 : 4;
            if (!m.need(w)) return makeError(m.err);
            const qint64 n = qint64(m.le(w));
            if (n > m_limits.maxTotalBytes || !m.need(n)) return makeError(m.err.isEmpty() ? QStringLiteral("LONG too big") : m.err);
            QByteArray bytes = data.sliced(m.pos, n).toByteArray();
            m.pos += n;
            m.stack.push_back(bytes.isEmpty() ? PyValue::integer(0) : PyValue::bigInteger(bytes));
            break;
        }
        case 'I':
        case 'L': {
            QByteArray text;
            if (!m.line(&text)) return makeError(m.err);
            if (text.endsWith('L')) text.chop(1);
            if (op == 'I' && text == "01") m.stack.push_back(PyValue::boolean(true));
            else if (op == 'I' && text == "00") m.stack.push_back(PyValue::boolean(false));
            else m.stack.push_back(PyValue::bigIntegerFromDecimal(text));
            break;
        }
        case 'G': {
            if (!m.need(8)) return makeError(m.err);
            quint64 bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | quint8(data[m.pos + i]);
            m.pos += 8;
            double d;
            std::memcpy(&d, &bits, 8);
            m.stack.push_back(PyValue::floating(d));
            break;
        }
        case 'F': {
            QByteArray text;
            if (!m.line(&text)) return makeError(m.err);
            m.stack.push_back(PyValue::floating(text.toDouble()));
            break;
        }
        case 0x8c: case 'X': case 0x8d: case 'C': case 'B': case 0x8e: case 0x96: case 'U': case 'T': {
            const int w = (op == 0x8c || op == 'C' || op == 'U') ? 1 : (op == 'X' || op == 'B' || op == 'T') ? 4 : 8;
            if (!m.need(w)) return makeError(m.err);
            const quint64 n = m.le(w);
            if (n > quint64(m_limits.maxTotalBytes) || !m.need(qint64(n)))
                return makeError(QStringLiteral("truncated string at offset %1").arg(opPos));
            QByteArray bytes = data.sliced(m.pos, qint64(n)).toByteArray();
            m.pos += qint64(n);
            if (op == 0x8c || op == 'X' || op == 0x8d || op == 'U' || op == 'T') m.stack.push_back(PyValue::str(bytes));
            else if (op == 0x96) m.stack.push_back(PyValue::byteArray(bytes));
            else m.stack.push_back(PyValue::bytes(bytes));
            break;
        }
        case ']': m.stack.push_back(PyValue::list()); break;
        case ')': m.stack.push_back(PyValue::tuple()); break;
        case '}': m.stack.push_back(PyValue::dict()); break;
        case 0x8f: m.stack.push_back(PyValue::set()); break;
        case '(':
            if (m.marks.size() > size_t(m_limits.maxDepth)) return makeError(QStringLiteral("too deep"));
            m.marks.push_back(m.stack.size());
            break;
        case 'a':
            if (m.stack.size() < 2 || m.stack[m.stack.size() - 2].kind() != PyValue::Kind::List) return underflow();
            m.stack[m.stack.size() - 2].items().push_back(m.stack.back());
            m.stack.pop_back();
            break;
        case 'e': case 0x90:
            if (!m.popMark(&items)) return makeError(m.err);
            if (m.stack.empty()) return underflow();
            if (m.stack.back().kind() == PyValue::Kind::Object) { for (auto &x : items) m.stack.back().object().listItems.push_back(std::move(x)); }
            else if (m.stack.back().kind() == PyValue::Kind::List || m.stack.back().kind() == PyValue::Kind::Set) { for (auto &x : items) m.stack.back().items().push_back(std::move(x)); }
            else return underflow();
            break;
        case 's':
            if (m.stack.size() < 3) return underflow();
            if (m.stack[m.stack.size() - 3].kind() == PyValue::Kind::Object)
                m.stack[m.stack.size() - 3].object().dictItems.emplace_back(m.stack[m.stack.size() - 2], m.stack.back());
            else if (m.stack[m.stack.size() - 3].kind() == PyValue::Kind::Dict)
                m.stack[m.stack.size() - 3].pairs().emplace_back(m.stack[m.stack.size() - 2], m.stack.back());
            else return underflow();
            m.stack.resize(m.stack.size() - 2);
            break;
        case 'u':
            if (!m.popMark(&items) || items.size() % 2) return makeError(QStringLiteral("bad SETITEMS"));
            if (m.stack.empty()) return underflow();
            if (m.stack.back().kind() == PyValue::Kind::Object) {
                for (size_t i = 0; i < items.size(); i += 2)
                    m.stack.back().object().dictItems.emplace_back(items[i], items[i + 1]);
            } else if (m.stack.back().kind() == PyValue::Kind::Dict) {
                for (size_t i = 0; i < items.size(); i += 2)
                    m.stack.back().pairs().emplace_back(items[i], items[i + 1]);
            } else return underflow();
            break;
        case 't': case 'l': case 0x91:
            if (!m.popMark(&items)) return makeError(m.err);
            m.stack.push_back(op == 't' ? PyValue::tuple(std::move(items)) : op == 'l' ? PyValue::list(std::move(items)) : PyValue::frozenSet(std::move(items)));
            break;
        case 'd': {
            if (!m.popMark(&items) || items.size() % 2) return makeError(QStringLiteral("bad DICT"));
            PyValue::Pairs p;
            for (size_t i = 0; i < items.size(); i += 2) p.emplace_back(items[i], items[i + 1]);
            m.stack.push_back(PyValue::dict(std::move(p)));
            break;
        }
        case 0x85: case 0x86: case 0x87: {
            const size_t n = op - 0x84;
            if (m.stack.size() < n) return underflow();
            items.assign(m.stack.end() - qsizetype(n), m.stack.end());
            m.stack.resize(m.stack.size() - n);
            m.stack.push_back(PyValue::tuple(std::move(items)));
            break;
        }
        case '0':
            if (m.stack.empty()) return underflow();
            m.stack.pop_back();
            break;
        case 0x94:
            if (m.stack.empty()) return underflow();
            m.memo.insert(m.memo.size(), m.stack.back());
            break;
        case 'q': case 'r': {
            const int w = op == 'q' ? 1 : 4;
            if (!m.need(w) || m.stack.empty()) return makeError(QStringLiteral("bad PUT"));
            m.memo.insert(qint64(m.le(w)), m.stack.back());
            break;
        }
        case 'h': case 'j': {
            const int w = op == 'h' ? 1 : 4;
            if (!m.need(w)) return makeError(m.err);
            const qint64 idx = qint64(m.le(w));
            if (!m.memo.contains(idx)) return makeError(QStringLiteral("memo %1 missing at offset %2").arg(idx).arg(opPos));
            m.stack.push_back(m.memo.value(idx));
            break;
        }
        case 'p': case 'g': {
            QByteArray text;
            if (!m.line(&text)) return makeError(m.err);
            const qint64 idx = text.toLongLong();
            if (op == 'p') {
                if (m.stack.empty()) return underflow();
                m.memo.insert(idx, m.stack.back());
            } else {
                if (!m.memo.contains(idx)) return makeError(QStringLiteral("memo missing"));
                m.stack.push_back(m.memo.value(idx));
            }
            break;
        }
        case 'c': {
            QByteArray module, name;
            if (!m.line(&module) || !m.line(&name)) return makeError(m.err);
            if (module == "__builtin__") module = "builtins";
            if (module == "copy_reg") module = "copyreg";
            PyValue::Object o;
            o.module = module;
            o.name = name;
            m.stack.push_back(PyValue::object(std::move(o)));
            break;
        }
        case 0x93: {
            if (m.stack.size() < 2) return underflow();
            PyValue::Object o;
            o.module = m.stack[m.stack.size() - 2].bytesData();
            o.name = m.stack.back().bytesData();
            m.stack.resize(m.stack.size() - 2);
            m.stack.push_back(PyValue::object(std::move(o)));
            break;
        }
        case 'R': case 0x81: case 0x92: {
            const size_t n = op == 0x92 ? 3 : 2;
            if (m.stack.size() < n) return underflow();
            PyValue callable = m.stack[m.stack.size() - n];
            PyValue args = m.stack[m.stack.size() - n + 1];
            PyValue kwargs = op == 0x92 ? m.stack.back() : PyValue();
            m.stack.resize(m.stack.size() - n);
            if (callable.kind() != PyValue::Kind::Object || !args.isSequence())
                return makeError(QStringLiteral("REDUCE/NEWOBJ on a non-global at offset %1").arg(opPos));
            const QByteArray q = callable.object().qualifiedName();
            const auto &a = args.items();
            if (op == 'R' && (q == "builtins.set" || q == "builtins.frozenset")) {
                PyValue::Items xs = (a.empty() || !a[0].isSequence()) ? PyValue::Items{} : a[0].items();
                m.stack.push_back(q == "builtins.set" ? PyValue::set(xs) : PyValue::frozenSet(xs));
                break;
            }
            if (op == 'R' && q == "builtins.bytearray") {
                m.stack.push_back(PyValue::byteArray(a.empty() ? QByteArray() : a[0].bytesData()));
                break;
            }
            if (op == 'R' && q == "_codecs.encode" && !a.empty() && a[0].kind() == PyValue::Kind::Str) {
                // protocol <= 2 bytes: latin-1 text re-encoded
                m.stack.push_back(PyValue::bytes(a[0].toQString().toLatin1()));
                break;
            }
            PyValue::Object o;
            o.module = callable.object().module;
            o.name = callable.object().name;
            o.construction = op == 'R' ? PyValue::Object::Construction::Reduce : PyValue::Object::Construction::NewObj;
            o.args = std::make_shared<PyValue::Items>(a);
            if (op == 0x92 && kwargs.kind() == PyValue::Kind::Dict)
                o.kwargs = std::make_shared<PyValue::Pairs>(kwargs.pairs());
            m.stack.push_back(PyValue::object(std::move(o)));
            break;
        }
        case 'b': {
            if (m.stack.size() < 2) return underflow();
            PyValue state = m.stack.back();
            m.stack.pop_back();
            PyValue &target = m.stack.back();
            if (target.kind() == PyValue::Kind::Object)
                target.object().state = std::make_shared<PyValue>(std::move(state));
            else if (target.kind() == PyValue::Kind::Dict && state.kind() == PyValue::Kind::Dict)
                for (auto &p : state.pairs()) target.pairs().push_back(p);
            else
                return makeError(QStringLiteral("BUILD on a %1 at offset %2").arg(QLatin1String(PyValue::kindName(target.kind()))).arg(opPos));
            break;
        }
        case '2':
            if (m.stack.empty()) return underflow();
            m.stack.push_back(m.stack.back());
            break;
        case '1':
            if (!m.popMark(&items)) return makeError(m.err);
            break;
        default:
            return makeError(QStringLiteral("unsupported opcode 0x%1 at offset %2 (temporary reader)")
                                 .arg(op, 2, 16, QLatin1Char('0')).arg(opPos));
        }
    }
}

Expected<PyValue> PickleReader::loads(QByteArrayView data) const
{
    auto r = read(data);
    if (!r)
        return Error{r.error()};
    return r->value;
}

} // namespace cachescope
