#include "pythonjson.h"

#include <cmath>
#include <cstdio>

namespace cachescope::PythonJson {

QByteArray floatRepr(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d > 0 ? "inf" : "-inf";
    if (d == 0)
        return std::signbit(d) ? "-0.0" : "0.0";
    // The shortest of %.{p-1}e that reads back as d (CPython's repr uses the same digits).
    QByteArray sci;
    for (int p = 1; p <= 17; ++p) {
        sci = QByteArray::number(d, 'e', p - 1);
        if (sci.toDouble() == d)
            break;
    }
    const bool negative = sci.startsWith('-');
    const qsizetype e = sci.indexOf('e');
    QByteArray digits = sci.mid(negative ? 1 : 0, e - (negative ? 1 : 0));
    digits.replace(".", "");
    const int exponent = sci.mid(e + 1).toInt();
    QByteArray out = negative ? "-" : "";
    // float_repr_style "short": fixed notation when -4 <= exponent < 16 (Python/pystrtod.c).
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0." + QByteArray(-exponent - 1, '0') + digits;
        } else if (digits.size() <= exponent + 1) {
            out += digits + QByteArray(exponent + 1 - digits.size(), '0') + ".0";
        } else {
            out += digits.left(exponent + 1) + '.' + digits.mid(exponent + 1);
        }
        return out;
    }
    out += digits.left(1);
    if (digits.size() > 1)
        out += '.' + digits.mid(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
}

namespace {

void string(const QByteArray &utf8, QByteArray *out)
{
    // ensure_ascii: everything outside space..'~' escaped, astral characters as surrogate pairs
    // (json/encoder.py › py_encode_basestring_ascii).
    const QString s = QString::fromUtf8(utf8);
    *out += '"';
    for (QChar c : s) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"': *out += "\\\""; break;
        case u'\\': *out += "\\\\"; break;
        case u'\n': *out += "\\n"; break;
        case u'\r': *out += "\\r"; break;
        case u'\t': *out += "\\t"; break;
        case u'\b': *out += "\\b"; break;
        case u'\f': *out += "\\f"; break;
        default:
            if (u < 0x20 || u > 0x7e) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(u));
                *out += buf;
            } else {
                *out += char(u);
            }
        }
    }
    *out += '"';
}

bool number(double d, NonFinite nonFinite, QByteArray *out)
{
    if (std::isnan(d) || std::isinf(d)) {
        if (nonFinite == NonFinite::Null)
            *out += "null";
        else
            *out += std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        return true;
    }
    *out += floatRepr(d);
    return true;
}

QString typeName(const PyValue &v)
{
    if (v.kind() == PyValue::Kind::Object)
        return QString::fromUtf8(v.object().name);
    switch (v.kind()) {
    case PyValue::Kind::Bytes: return QStringLiteral("bytes");
    case PyValue::Kind::ByteArray: return QStringLiteral("bytearray");
    case PyValue::Kind::Set: return QStringLiteral("set");
    case PyValue::Kind::FrozenSet: return QStringLiteral("frozenset");
    default: return QString::fromLatin1(PyValue::kindName(v.kind()));
    }
}

Expected<bool> write(const PyValue &v, NonFinite nonFinite, QByteArray *out, int depth)
{
    if (depth > 512)
        return makeError(QStringLiteral("value nested too deeply for JSON"));
    switch (v.kind()) {
    case PyValue::Kind::None: *out += "null"; return true;
    case PyValue::Kind::Bool: *out += v.toBool() ? "true" : "false"; return true;
    case PyValue::Kind::Int:
    case PyValue::Kind::BigInt: *out += v.bigIntDecimal(); return true;
    case PyValue::Kind::Float: return number(v.toFloat(), nonFinite, out);
    case PyValue::Kind::Str: string(v.bytesData(), out); return true;
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple: {
        *out += '[';
        bool first = true;
        for (const auto &x : v.items()) {
            if (!first)
                *out += ", ";
            first = false;
            auto ok = write(x, nonFinite, out, depth + 1);
            if (!ok)
                return ok;
        }
        *out += ']';
        return true;
    }
    case PyValue::Kind::Dict: {
        *out += '{';
        bool first = true;
        for (const auto &[k, x] : v.pairs()) {
            if (!first)
                *out += ", ";
            first = false;
            // json.dumps turns these keys into strings (json/encoder.py › _iterencode_dict).
            switch (k.kind()) {
            case PyValue::Kind::Str: string(k.bytesData(), out); break;
            case PyValue::Kind::Int:
            case PyValue::Kind::BigInt: *out += '"' + k.bigIntDecimal() + '"'; break;
            case PyValue::Kind::Bool: *out += k.toBool() ? "\"true\"" : "\"false\""; break;
            case PyValue::Kind::None: *out += "\"null\""; break;
            case PyValue::Kind::Float: {
                QByteArray f;
                number(k.toFloat(), NonFinite::Literal, &f);
                *out += '"' + f + '"';
                break;
            }
            default:
                return makeError(QStringLiteral("keys must be str, int, float, bool or None, not %1").arg(typeName(k)));
            }
            *out += ": ";
            auto ok = write(x, nonFinite, out, depth + 1);
            if (!ok)
                return ok;
        }
        *out += '}';
        return true;
    }
    default:
        return makeError(QStringLiteral("Object of type %1 is not JSON serializable").arg(typeName(v)));
    }
}

} // namespace

Expected<QByteArray> dumps(const PyValue &value, NonFinite nonFinite)
{
    QByteArray out;
    auto ok = write(value, nonFinite, &out, 0);
    if (!ok)
        return Error{ok.error()};
    return out;
}

} // namespace cachescope::PythonJson
