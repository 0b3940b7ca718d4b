// TEMPORARY minimal pickle writer so the cache branch builds and tests before the real codec
// lands; it emits valid protocol-5 pickles without FRAME or memo. Drop when merging codec.
#include "picklewriter.h"

#include <QtEndian>

#include <cstring>

namespace cachescope {

namespace {

void putLen(QByteArray &out, quint64 n, int width)
{
    for (int i = 0; i < width; ++i)
        out.append(char((n >> (8 * i)) & 0xff));
}

bool write(QByteArray &out, const PyValue &v, int depth)
{
    if (depth > 1000)
        return false;
    switch (v.kind()) {
    case PyValue::Kind::None:
        out.append('N');
        return true;
    case PyValue::Kind::Bool:
        out.append(v.toBool() ? '\x88' : '\x89');
        return true;
    case PyValue::Kind::Int: {
        const qint64 i = v.toInt();
        if (i >= 0 && i < 256) {
            out.append('K');
            out.append(char(i));
        } else if (i >= 0 && i < 65536) {
            out.append('M');
            putLen(out, quint64(i), 2);
        } else if (i >= -2147483648LL && i <= 2147483647LL) {
            out.append('J');
            putLen(out, quint64(quint32(qint32(i))), 4);
        } else {
            QByteArray le;
            quint64 u = quint64(i);
            for (int k = 0; k < 8; ++k)
                le.append(char((u >> (8 * k)) & 0xff));
            while (le.size() > 1) {
                const char last = le.at(le.size() - 1), prev = le.at(le.size() - 2);
                if ((last == 0 && !(prev & 0x80)) || (last == char(0xff) && (prev & 0x80)))
                    le.chop(1);
                else
                    break;
            }
            out.append('\x8a');
            out.append(char(le.size()));
            out.append(le);
        }
        return true;
    }
    case PyValue::Kind::BigInt: {
        const QByteArray &le = v.bytesData();
        if (le.size() < 256) {
            out.append('\x8a');
            out.append(char(le.size()));
        } else {
            out.append('\x8b');
            putLen(out, quint64(le.size()), 4);
        }
        out.append(le);
        return true;
    }
    case PyValue::Kind::Float: {
        out.append('G');
        quint64 bits;
        const double d = v.toFloat();
        std::memcpy(&bits, &d, 8);
        for (int k = 7; k >= 0; --k)
            out.append(char((bits >> (8 * k)) & 0xff));
        return true;
    }
    case PyValue::Kind::Str:
    case PyValue::Kind::Bytes:
    case PyValue::Kind::ByteArray: {
        const QByteArray &d = v.bytesData();
        const bool isStr = v.kind() == PyValue::Kind::Str;
        if (v.kind() == PyValue::Kind::ByteArray) {
            out.append('\x96');
            putLen(out, quint64(d.size()), 8);
        } else if (d.size() < 256) {
            out.append(isStr ? '\x8c' : 'C');
            out.append(char(d.size()));
        } else if (d.size() <= 0xffffffffLL) {
            out.append(isStr ? 'X' : 'B');
            putLen(out, quint64(d.size()), 4);
        } else {
            out.append(isStr ? '\x8d' : '\x8e');
            putLen(out, quint64(d.size()), 8);
        }
        out.append(d);
        return true;
    }
    case PyValue::Kind::List:
        out.append(']');
        if (!v.items().empty()) {
            out.append('(');
            for (const auto &x : v.items())
                if (!write(out, x, depth + 1))
                    return false;
            out.append('e');
        }
        return true;
    case PyValue::Kind::Tuple:
        if (v.items().empty()) {
            out.append(')');
            return true;
        }
        out.append('(');
        for (const auto &x : v.items())
            if (!write(out, x, depth + 1))
                return false;
        out.append('t');
        return true;
    case PyValue::Kind::Dict:
        out.append('}');
        if (!v.pairs().empty()) {
            out.append('(');
            for (const auto &[k, x] : v.pairs())
                if (!write(out, k, depth + 1) || !write(out, x, depth + 1))
                    return false;
            out.append('u');
        }
        return true;
    case PyValue::Kind::Set:
        out.append('\x8f');
        if (!v.items().empty()) {
            out.append('(');
            for (const auto &x : v.items())
                if (!write(out, x, depth + 1))
                    return false;
            out.append('\x90');
        }
        return true;
    case PyValue::Kind::FrozenSet:
        out.append('(');
        for (const auto &x : v.items())
            if (!write(out, x, depth + 1))
                return false;
        out.append('\x91');
        return true;
    case PyValue::Kind::Object:
        return false;
    }
    return false;
}

} // namespace

Expected<QByteArray> PickleWriter::dumps(const PyValue &value) const
{
    QByteArray out;
    out.append('\x80');
    out.append(char(m_protocol));
    if (!write(out, value, 0))
        return makeError(QStringLiteral("pickle writer (temporary): cannot write %1")
                             .arg(QLatin1String(PyValue::kindName(value.kind()))));
    out.append('.');
    return out;
}

} // namespace cachescope
