// TEMPORARY minimal pickle writer for the Redis layer; the codec agent's real implementation
// replaces this file at merge. Covers None/bool/int/float/str/bytes/bytearray/list/tuple/dict/
// set/frozenset for protocol 5 with CPython's framing; no memo sharing (BINGET), no Objects.
#include "picklewriter.h"

#include <QtEndian>

#include <cstring>

namespace cachescope {

namespace {

constexpr qsizetype kFrameTarget = 64 * 1024;

class Writer
{
public:
    QByteArray out;   // committed bytes
    QByteArray frame; // current frame body

    void commitFrame()
    {
        if (frame.isEmpty())
            return;
        if (frame.size() >= 4) {
            out += '\x95';
            char len[8];
            qToLittleEndian<quint64>(quint64(frame.size()), len);
            out.append(len, 8);
        }
        out += frame;
        frame.clear();
    }

    void op(char c) { frame += c; }
    void raw(const char *data, qsizetype n) { frame.append(data, n); }
    template<typename T>
    void le(T v)
    {
        char buf[sizeof(T)];
        qToLittleEndian<T>(v, buf);
        frame.append(buf, sizeof(T));
    }

    void bytesLike(char shortOp, char op4, char op8, const QByteArray &data, bool alwaysOp8 = false)
    {
        QByteArray header;
        if (!alwaysOp8 && data.size() < 256 && shortOp) {
            header += shortOp;
            header += char(data.size());
        } else if (!alwaysOp8 && data.size() <= 0xffffffffLL) {
            header += op4;
            char len[4];
            qToLittleEndian<quint32>(quint32(data.size()), len);
            header.append(len, 4);
        } else {
            header += op8;
            char len[8];
            qToLittleEndian<quint64>(quint64(data.size()), len);
            header.append(len, 8);
        }
        if (data.size() >= kFrameTarget) { // CPython writes big payloads outside any frame
            commitFrame();
            out += header;
            out += data;
        } else {
            frame += header;
            frame += data;
        }
    }

    Expected<bool> save(const PyValue &v, int depth)
    {
        if (depth > 1000)
            return makeError(QStringLiteral("pickle: value nested deeper than 1000 levels"));
        switch (v.kind()) {
        case PyValue::Kind::None:
            op('N');
            break;
        case PyValue::Kind::Bool:
            op(v.toBool() ? '\x88' : '\x89');
            break;
        case PyValue::Kind::Int: {
            const qint64 i = v.toInt();
            if (i >= 0 && i < 256) {
                op('K');
                frame += char(i);
            } else if (i >= 0 && i < 65536) {
                op('M');
                le<quint16>(quint16(i));
            } else if (i >= -2147483648LL && i <= 2147483647LL) {
                op('J');
                le<qint32>(qint32(i));
            } else {
                char buf[8];
                qToLittleEndian<qint64>(i, buf);
                int n = 8;
                while (n > 1 && ((buf[n - 1] == 0 && !(buf[n - 2] & 0x80)) || (buf[n - 1] == char(0xff) && (buf[n - 2] & 0x80))))
                    --n;
                op('\x8a');
                frame += char(n);
                raw(buf, n);
            }
            break;
        }
        case PyValue::Kind::BigInt: {
            const QByteArray &b = v.bytesData();
            if (b.size() < 256) {
                op('\x8a');
                frame += char(b.size());
            } else {
                op('\x8b');
                le<qint32>(qint32(b.size()));
            }
            frame += b;
            break;
        }
        case PyValue::Kind::Float: {
            op('G');
            char buf[8];
            qToBigEndian<double>(v.toFloat(), buf);
            raw(buf, 8);
            break;
        }
        case PyValue::Kind::Str:
            bytesLike('\x8c', 'X', '\x8d', v.bytesData());
            op('\x94');
            break;
        case PyValue::Kind::Bytes:
            bytesLike('C', 'B', '\x8e', v.bytesData());
            op('\x94');
            break;
        case PyValue::Kind::ByteArray:
            bytesLike(0, 0, '\x96', v.bytesData(), true);
            op('\x94');
            break;
        case PyValue::Kind::List:
        case PyValue::Kind::Set: {
            const bool isList = v.kind() == PyValue::Kind::List;
            op(isList ? ']' : '\x8f');
            op('\x94');
            const auto &items = v.items();
            if (isList && items.size() == 1) {
                if (auto r = save(items[0], depth + 1); !r)
                    return r;
                op('a');
                break;
            }
            for (size_t start = 0; start < items.size(); start += 1000) {
                op('(');
                for (size_t i = start; i < std::min(items.size(), start + 1000); ++i)
                    if (auto r = save(items[i], depth + 1); !r)
                        return r;
                op(isList ? 'e' : '\x90');
            }
            break;
        }
        case PyValue::Kind::Tuple: {
            const auto &items = v.items();
            if (items.empty()) {
                op(')');
                break;
            }
            if (items.size() > 3)
                op('(');
            for (const auto &item : items)
                if (auto r = save(item, depth + 1); !r)
                    return r;
            static const char small[] = {0, '\x85', '\x86', '\x87'};
            op(items.size() <= 3 ? small[items.size()] : 't');
            op('\x94');
            break;
        }
        case PyValue::Kind::FrozenSet: {
            op('(');
            for (const auto &item : v.items())
                if (auto r = save(item, depth + 1); !r)
                    return r;
            op('\x91');
            op('\x94');
            break;
        }
        case PyValue::Kind::Dict: {
            op('}');
            op('\x94');
            const auto &pairs = v.pairs();
            if (pairs.size() == 1) {
                if (auto r = save(pairs[0].first, depth + 1); !r)
                    return r;
                if (auto r = save(pairs[0].second, depth + 1); !r)
                    return r;
                op('s');
                break;
            }
            for (size_t start = 0; start < pairs.size(); start += 1000) {
                op('(');
                for (size_t i = start; i < std::min(pairs.size(), start + 1000); ++i) {
                    if (auto r = save(pairs[i].first, depth + 1); !r)
                        return r;
                    if (auto r = save(pairs[i].second, depth + 1); !r)
                        return r;
                }
                op('u');
            }
            break;
        }
        case PyValue::Kind::Object:
            return makeError(QStringLiteral("pickle (temporary writer): cannot write object %1")
                                 .arg(QString::fromUtf8(v.object().qualifiedName())));
        }
        if (frame.size() >= kFrameTarget)
            commitFrame();
        return true;
    }
};

} // namespace

Expected<QByteArray> PickleWriter::dumps(const PyValue &value) const
{
    if (m_protocol != 5)
        return makeError(QStringLiteral("pickle (temporary writer): only protocol 5 is supported, not %1").arg(m_protocol));
    Writer w;
    w.out = QByteArray("\x80\x05", 2);
    auto r = w.save(value, 0);
    if (!r)
        return Error{r.error()};
    w.op('.');
    w.commitFrame();
    return w.out;
}

} // namespace cachescope
