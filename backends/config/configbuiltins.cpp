// Built-in functions, methods of the built-in types (str, list, dict, set, views, os.environ) and
// string formatting for the evaluator. Past 1,000 lines because it is the table of those methods.
#include "configerrors.h"
#include "configevaluator.h"
#include "nativeargs.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace cachescope::py {

namespace {

using namespace nativeargs;

qint64 needInt(Evaluator &ev, const ValuePtr &v, const QString &what, const SourceSpan &span)
{
    if (!v->isIntLike())
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("%1 must be an integer, not %2").arg(what, typeName(*v)), span);
    return v->asInt();
}

} // namespace

ValuePtr Evaluator::builtin(const QString &name)
{
    auto it = m_builtins.find(name);
    return it == m_builtins.end() ? nullptr : it.value();
}

ValuePtr Evaluator::strOf(const ValuePtr &v, const SourceSpan &span)
{
    if (v->kind == Value::Kind::Str)
        return v;
    if (v->kind == Value::Kind::Unknown)
        return Value::unknown(v->s, span);
    if (v->kind == Value::Kind::Call)
        return Value::unknown(QStringLiteral("str() of an object built by %1 is not modelled").arg(v->s), span);
    if (v->kind == Value::Kind::Instance && !(v->self && v->self->isExceptionClass)) {
        if (ValuePtr m = [&]() -> ValuePtr {
                try {
                    return getAttr(v, QStringLiteral("__str__"), span);
                } catch (const PyError &) {
                    return nullptr;
                }
            }()) {
            CallArgs a;
            a.span = span;
            return call(m, a);
        }
    }
    return Value::str(pyStr(v));
}

namespace {

QString groupDigits(const QString &digits, QChar sep)
{
    QString out;
    const int n = digits.size();
    for (int i = 0; i < n; ++i) {
        out += digits.at(i);
        const int left = n - i - 1;
        if (left > 0 && left % 3 == 0)
            out += sep;
    }
    return out;
}

} // namespace

QString Evaluator::format(const ValuePtr &v, const QString &spec, const SourceSpan &span)
{
    if (spec.isEmpty()) {
        ValuePtr s = strOf(v, span);
        return s->kind == Value::Kind::Str ? s->s : QStringLiteral("<unknown>");
    }
    static const QRegularExpression re(
        QStringLiteral("^(?:(.)?([<>=^]))?([+\\- ])?(#)?(0)?(\\d+)?([,_])?(?:\\.(\\d+))?([bcdeEfFgGnosxX%])?$"),
        QRegularExpression::DotMatchesEverythingOption);
    const auto m = re.match(spec);
    if (!m.hasMatch())
        raise(QStringLiteral("ValueError"), QStringLiteral("Invalid format specifier '%1'").arg(spec), span);
    QChar fill = m.captured(1).isEmpty() ? QChar(u' ') : m.captured(1).at(0);
    QChar align = m.captured(2).isEmpty() ? QChar() : m.captured(2).at(0);
    const QString sign = m.captured(3);
    const bool alt = !m.captured(4).isEmpty();
    if (!m.captured(5).isEmpty() && m.captured(2).isEmpty()) {
        fill = u'0';
        align = u'=';
    }
    const int width = m.captured(6).isEmpty() ? 0 : std::min(m.captured(6).toInt(), 10000);
    const QString grouping = m.captured(7);
    const int precision = m.captured(8).isEmpty() ? -1 : std::min(m.captured(8).toInt(), 1000);
    QChar type = m.captured(9).isEmpty() ? QChar() : m.captured(9).at(0);
    QString body;
    QString signStr;
    bool numeric = false;
    if (v->kind == Value::Kind::Str || (!v->isNumber() && type.isNull()) || type == u's') {
        if (v->kind != Value::Kind::Str && type == u's' && v->isNumber())
            raise(QStringLiteral("ValueError"), QStringLiteral("Unknown format code 's' for object of type '%1'").arg(typeName(*v)), span);
        ValuePtr s = strOf(v, span);
        body = s->kind == Value::Kind::Str ? s->s : QString();
        if (precision >= 0)
            body = body.left(precision);
        if (align.isNull())
            align = u'<';
    } else if (v->isNumber()) {
        numeric = true;
        if (align.isNull())
            align = u'>';
        const bool isInt = v->isIntLike();
        if (type.isNull() && isInt)
            type = u'd';
        if (isInt && (type == u'd' || type == u'n' || type == u'x' || type == u'X' || type == u'o' || type == u'b' || type == u'c')) {
            const qint64 x = v->asInt();
            if (type == u'c')
                body = QString(QChar(uint(x)));
            else {
                const quint64 mag = x < 0 ? quint64(0) - quint64(x) : quint64(x);
                const int base = type == u'x' || type == u'X' ? 16 : type == u'o' ? 8 : type == u'b' ? 2 : 10;
                body = QString::number(mag, base);
                if (type == u'X')
                    body = body.toUpper();
                if (!grouping.isEmpty())
                    body = groupDigits(body, grouping.at(0));
                if (alt && base != 10)
                    body = (base == 16 ? (type == u'X' ? QStringLiteral("0X") : QStringLiteral("0x")) : base == 8 ? QStringLiteral("0o") : QStringLiteral("0b")) + body;
                if (x < 0)
                    signStr = QStringLiteral("-");
            }
        } else {
            if (type == u'd' || type == u'x' || type == u'X' || type == u'o' || type == u'b' || type == u'c')
                raise(QStringLiteral("ValueError"), QStringLiteral("Unknown format code '%1' for object of type 'float'").arg(type), span);
            double d = v->asFloat();
            if (std::signbit(d)) {
                signStr = QStringLiteral("-");
                d = -d;
            }
            const int prec = precision < 0 ? 6 : precision;
            if (std::isinf(d) || std::isnan(d)) {
                body = std::isnan(d) ? QStringLiteral("nan") : QStringLiteral("inf");
            } else if (type == u'f' || type == u'F') {
                body = QString::number(d, 'f', prec);
            } else if (type == u'e' || type == u'E') {
                body = QString::number(d, 'e', prec);
                if (type == u'E')
                    body = body.toUpper();
            } else if (type == u'%') {
                body = QString::number(d * 100, 'f', prec) + u'%';
            } else if (type == u'g' || type == u'G' || type == u'n' || (type.isNull() && precision >= 0)) {
                char buf[512];
                std::snprintf(buf, sizeof buf, alt ? "%#.*g" : "%.*g", std::max(precision < 0 ? 6 : precision, 1), d);
                body = QString::fromLatin1(buf);
                if (type.isNull() && !body.contains(u'.') && !body.contains(u'e') && !isInt)
                    body += QStringLiteral(".0");
            } else {
                body = isInt ? QString::number(qint64(d)) : floatRepr(d);
            }
            if (!grouping.isEmpty()) {
                const int dot = body.indexOf(u'.');
                const QString intPart = dot < 0 ? body : body.left(dot);
                bool digitsOnly = true;
                for (QChar c : intPart)
                    digitsOnly = digitsOnly && c.isDigit();
                if (digitsOnly)
                    body = groupDigits(intPart, grouping.at(0)) + (dot < 0 ? QString() : body.mid(dot));
            }
        }
        if (signStr.isEmpty() && sign == u"+")
            signStr = QStringLiteral("+");
        else if (signStr.isEmpty() && sign == u" ")
            signStr = QStringLiteral(" ");
    } else {
        ValuePtr s = strOf(v, span);
        body = s->kind == Value::Kind::Str ? s->s : QString();
        if (align.isNull())
            align = u'<';
    }
    Q_UNUSED(numeric);
    const int total = signStr.size() + body.size();
    if (total >= width)
        return signStr + body;
    const int pad = width - total;
    if (align == u'<')
        return signStr + body + QString(pad, fill);
    if (align == u'>')
        return QString(pad, fill) + signStr + body;
    if (align == u'^')
        return QString(pad / 2, fill) + signStr + body + QString(pad - pad / 2, fill);
    return signStr + QString(pad, fill) + body; // '='
}

ValuePtr Evaluator::percentFormat(const QString &fmt, const ValuePtr &args, const SourceSpan &span)
{
    std::vector<ValuePtr> items;
    ValuePtr mapping;
    if (args->kind == Value::Kind::Tuple)
        items = args->items;
    else {
        items.push_back(args);
        if (args->kind == Value::Kind::Dict)
            mapping = args;
    }
    for (const auto &x : items)
        if (x->kind == Value::Kind::Unknown)
            return Value::unknown(x->s, span);
    size_t next = 0;
    bool usedMapping = false;
    QString out;
    for (int i = 0; i < fmt.size(); ++i) {
        const QChar c = fmt.at(i);
        if (c != u'%') {
            out += c;
            continue;
        }
        if (++i >= fmt.size())
            raise(QStringLiteral("ValueError"), QStringLiteral("incomplete format"), span);
        ValuePtr value;
        if (fmt.at(i) == u'(') {
            const int close = fmt.indexOf(u')', i);
            if (close < 0)
                raise(QStringLiteral("ValueError"), QStringLiteral("incomplete format key"), span);
            if (!mapping)
                raise(QStringLiteral("TypeError"), QStringLiteral("format requires a mapping"), span);
            value = getItem(mapping, Value::str(fmt.mid(i + 1, close - i - 1)), span);
            usedMapping = true;
            i = close + 1;
        }
        QString flags;
        while (i < fmt.size() && QStringLiteral("-+ #0").contains(fmt.at(i)))
            flags += fmt.at(i++);
        QString widthText;
        if (i < fmt.size() && fmt.at(i) == u'*') {
            if (next >= items.size())
                raise(QStringLiteral("TypeError"), QStringLiteral("not enough arguments for format string"), span);
            widthText = QString::number(needInt(*this, items[next++], QStringLiteral("* wants int"), span));
            ++i;
        }
        while (i < fmt.size() && fmt.at(i).isDigit())
            widthText += fmt.at(i++);
        QString precText;
        bool hasPrec = false;
        if (i < fmt.size() && fmt.at(i) == u'.') {
            hasPrec = true;
            ++i;
            while (i < fmt.size() && fmt.at(i).isDigit())
                precText += fmt.at(i++);
        }
        while (i < fmt.size() && (fmt.at(i) == u'l' || fmt.at(i) == u'h' || fmt.at(i) == u'L'))
            ++i;
        if (i >= fmt.size())
            raise(QStringLiteral("ValueError"), QStringLiteral("incomplete format"), span);
        const QChar conv = fmt.at(i);
        if (conv == u'%') {
            out += u'%';
            continue;
        }
        if (!value) {
            if (next >= items.size())
                raise(QStringLiteral("TypeError"), QStringLiteral("not enough arguments for format string"), span);
            value = items[next++];
        }
        QString spec;
        const bool left = flags.contains(u'-');
        if (flags.contains(u'+'))
            spec += u'+';
        else if (flags.contains(u' '))
            spec += u' ';
        if (flags.contains(u'#'))
            spec += u'#';
        if (flags.contains(u'0') && !left)
            spec += u'0';
        spec += widthText.left(5);
        QString piece;
        switch (conv.unicode()) {
        case 's':
            piece = format(value, QString(), span);
            if (hasPrec)
                piece = piece.left(precText.toInt());
            break;
        case 'r':
        case 'a':
            piece = pyRepr(value);
            if (hasPrec)
                piece = piece.left(precText.toInt());
            break;
        case 'd':
        case 'i':
        case 'u': {
            if (!value->isNumber())
                raise(QStringLiteral("TypeError"), (u'%' + QStringLiteral("%1 format: a real number is required, not %2").arg(conv, typeName(*value))), span);
            ValuePtr iv = value->kind == Value::Kind::Float ? Value::integer(qint64(std::trunc(value->f))) : Value::integer(value->asInt());
            piece = format(iv, spec + u'd', span);
            break;
        }
        case 'x':
        case 'X':
        case 'o':
            if (!value->isIntLike())
                raise(QStringLiteral("TypeError"), (u'%' + QStringLiteral("%1 format: an integer is required, not %2").arg(conv, typeName(*value))), span);
            piece = format(Value::integer(value->asInt()), spec + conv, span);
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
            if (!value->isNumber())
                raise(QStringLiteral("TypeError"), QStringLiteral("must be real number, not %1").arg(typeName(*value)), span);
            piece = format(Value::floating(value->asFloat()), spec + (hasPrec ? u'.' + (precText.isEmpty() ? QStringLiteral("0") : precText) : QString()) + conv, span);
            break;
        case 'c':
            piece = value->isIntLike() ? QString(QChar(uint(value->asInt()))) : pyStr(value);
            break;
        default:
            raise(QStringLiteral("ValueError"), QStringLiteral("unsupported format character '%1'").arg(conv), span);
        }
        const int w = widthText.toInt();
        if (piece.size() < w)
            piece = left ? piece + QString(w - piece.size(), u' ') : QString(w - piece.size(), u' ') + piece;
        out += piece;
        charge(out.size() * 2, span);
    }
    if (!usedMapping && next < items.size() && !mapping)
        raise(QStringLiteral("TypeError"), QStringLiteral("not all arguments converted during string formatting"), span);
    return Value::str(out);
}

ValuePtr Evaluator::strFormat(const QString &fmt, CallArgs &args)
{
    if (ValuePtr u = anyUnknown(args))
        return u;
    QString out;
    int autoIndex = 0;
    const SourceSpan span = args.span;
    std::function<QString(const QString &, int)> render = [&](const QString &text, int depth) -> QString {
        QString res;
        for (int i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c == u'{') {
                if (i + 1 < text.size() && text.at(i + 1) == u'{') {
                    res += u'{';
                    ++i;
                    continue;
                }
                int d = 1, j = i + 1;
                while (j < text.size() && d > 0) {
                    if (text.at(j) == u'{')
                        ++d;
                    else if (text.at(j) == u'}')
                        --d;
                    if (d > 0)
                        ++j;
                }
                if (j >= text.size())
                    raise(QStringLiteral("ValueError"), QStringLiteral("expected '}' before end of string"), span);
                QString field = text.mid(i + 1, j - i - 1);
                i = j;
                QString spec, conv;
                const int colon = [&] {
                    int b = 0;
                    for (int k = 0; k < field.size(); ++k) {
                        if (field.at(k) == u'[')
                            ++b;
                        else if (field.at(k) == u']')
                            --b;
                        else if (field.at(k) == u':' && b == 0)
                            return k;
                    }
                    return -1;
                }();
                if (colon >= 0) {
                    spec = field.mid(colon + 1);
                    field = field.left(colon);
                }
                const int bang = field.indexOf(u'!');
                if (bang >= 0) {
                    conv = field.mid(bang + 1);
                    field = field.left(bang);
                }
                if (depth < 2 && spec.contains(u'{'))
                    spec = render(spec, depth + 1);
                // field name: first part then .attr / [key]
                static const QRegularExpression head(QStringLiteral("^([^.\\[]*)"));
                const QString first = head.match(field).captured(1);
                ValuePtr v;
                if (first.isEmpty()) {
                    if (size_t(autoIndex) >= args.args.size())
                        raise(QStringLiteral("IndexError"), QStringLiteral("Replacement index %1 out of range for positional args tuple").arg(autoIndex), span);
                    v = args.args[size_t(autoIndex++)];
                } else if (first.at(0).isDigit()) {
                    const int idx = first.toInt();
                    if (size_t(idx) >= args.args.size())
                        raise(QStringLiteral("IndexError"), QStringLiteral("Replacement index %1 out of range for positional args tuple").arg(idx), span);
                    v = args.args[size_t(idx)];
                } else {
                    for (const auto &[k, val] : args.kwargs)
                        if (k == first)
                            v = val;
                    if (!v)
                        raise(QStringLiteral("KeyError"), pyRepr(Value::str(first)), span);
                }
                QString rest = field.mid(first.size());
                while (!rest.isEmpty()) {
                    if (rest.startsWith(u'.')) {
                        static const QRegularExpression attr(QStringLiteral("^\\.(\\w+)"));
                        const auto m = attr.match(rest);
                        if (!m.hasMatch())
                            raise(QStringLiteral("ValueError"), QStringLiteral("Empty attribute in format string"), span);
                        v = getAttr(v, m.captured(1), span);
                        rest = rest.mid(m.capturedLength());
                    } else if (rest.startsWith(u'[')) {
                        const int close = rest.indexOf(u']');
                        if (close < 0)
                            raise(QStringLiteral("ValueError"), QStringLiteral("Missing ']' in format string"), span);
                        const QString key = rest.mid(1, close - 1);
                        bool isNum = false;
                        const int n = key.toInt(&isNum);
                        v = getItem(v, isNum ? Value::integer(n) : Value::str(key), span);
                        rest = rest.mid(close + 1);
                    } else {
                        raise(QStringLiteral("ValueError"), QStringLiteral("Only '.' or '[' may follow ']' in format field specifier"), span);
                    }
                }
                if (v->kind == Value::Kind::Unknown)
                    throw PyError{nullptr}; // replaced below
                if (conv == u"r" || conv == u"a")
                    v = Value::str(pyRepr(v));
                else if (conv == u"s")
                    v = strOf(v, span);
                res += format(v, spec, span);
                charge(res.size() * 2, span);
                continue;
            }
            if (c == u'}') {
                if (i + 1 < text.size() && text.at(i + 1) == u'}') {
                    res += u'}';
                    ++i;
                    continue;
                }
                raise(QStringLiteral("ValueError"), QStringLiteral("Single '}' encountered in format string"), span);
            }
            res += c;
        }
        return res;
    };
    try {
        out = render(fmt, 0);
    } catch (const PyError &e) {
        if (!e.exc)
            return Value::unknown(QStringLiteral("format() of an unknown value"), span);
        throw;
    }
    return Value::str(out);
}

// ------------------------------------------------------------ methods of built-in types

ValuePtr Evaluator::methodOf(const ValuePtr &obj, const QString &name, const SourceSpan &span)
{
    auto bound = [&](NativeFn fn) { return Value::native(name, std::move(fn), obj); };
    switch (obj->kind) {
    case Value::Kind::Str:
    case Value::Kind::Bytes: {
        const bool isBytes = obj->kind == Value::Kind::Bytes;
        auto mk = [isBytes](const QString &s) { return isBytes ? Value::bytes(s) : Value::str(s); };
        auto sameKind = [isBytes](Evaluator &ev, const ValuePtr &v, const SourceSpan &sp) {
            if ((v->kind == Value::Kind::Bytes) != isBytes || (v->kind != Value::Kind::Str && v->kind != Value::Kind::Bytes))
                ev.raise(QStringLiteral("TypeError"), QStringLiteral("must be %1, not %2").arg(isBytes ? QStringLiteral("bytes") : QStringLiteral("str"), typeName(*v)), sp);
            return v->s;
        };
        if (name == u"lower")
            return bound(NATIVE_CAPTURE(mk) { Q_UNUSED(ev); Q_UNUSED(a); return mk(self->s.toLower()); });
        if (name == u"upper")
            return bound(NATIVE_CAPTURE(mk) { Q_UNUSED(ev); Q_UNUSED(a); return mk(self->s.toUpper()); });
        if (name == u"casefold")
            return bound(NATIVE_CAPTURE(mk) { Q_UNUSED(ev); Q_UNUSED(a); return mk(self->s.toCaseFolded()); });
        if (name == u"strip" || name == u"lstrip" || name == u"rstrip") {
            const int mode = name == u"strip" ? 0 : name == u"lstrip" ? 1 : 2;
            return bound(NATIVE_CAPTURE(mk, mode, sameKind) {
                ValuePtr chars = argAt(a, 0, "chars");
                QString s = self->s;
                auto strip = [&](QChar c) {
                    if (!chars || chars->kind == Value::Kind::None)
                        return c.isSpace();
                    return sameKind(ev, chars, a.span).contains(c);
                };
                int lo = 0, hi = s.size();
                if (mode != 2)
                    while (lo < hi && strip(s.at(lo)))
                        ++lo;
                if (mode != 1)
                    while (hi > lo && strip(s.at(hi - 1)))
                        --hi;
                return mk(s.mid(lo, hi - lo));
            });
        }
        if (name == u"split" || name == u"rsplit") {
            const bool right = name == u"rsplit";
            return bound(NATIVE_CAPTURE(mk, right, sameKind) {
                ValuePtr sepV = argAt(a, 0, "sep");
                ValuePtr maxV = argAt(a, 1, "maxsplit");
                qint64 maxsplit = maxV ? needInt(ev, maxV, QStringLiteral("maxsplit"), a.span) : -1;
                const QString s = self->s;
                std::vector<ValuePtr> parts;
                if (!sepV || sepV->kind == Value::Kind::None) {
                    QStringList words;
                    if (maxsplit < 0) {
                        words = s.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
                    } else if (!right) {
                        QString rest = s;
                        while (maxsplit-- > 0) {
                            rest = rest.trimmed().isEmpty() ? QString() : rest.mid(rest.indexOf(QRegularExpression(QStringLiteral("\\S"))));
                            const int ws = rest.indexOf(QRegularExpression(QStringLiteral("\\s")));
                            if (rest.isEmpty())
                                break;
                            if (ws < 0) {
                                words << rest;
                                rest.clear();
                                break;
                            }
                            words << rest.left(ws);
                            rest = rest.mid(ws);
                        }
                        int k = 0;
                        while (k < rest.size() && rest.at(k).isSpace())
                            ++k;
                        if (k < rest.size())
                            words << rest.mid(k);
                    } else {
                        words = s.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
                        while (words.size() > maxsplit + 1 && words.size() > 1) {
                            words[0] = words[0] + u' ' + words[1];
                            words.removeAt(1);
                        }
                    }
                    for (const QString &w : words)
                        parts.push_back(mk(w));
                    ev.charge(qint64(parts.size()) * 48 + s.size() * 2, a.span);
                    return Value::list(parts);
                }
                const QString sep = sameKind(ev, sepV, a.span);
                if (sep.isEmpty())
                    ev.raise(QStringLiteral("ValueError"), QStringLiteral("empty separator"), a.span);
                QStringList pieces = s.split(sep);
                if (maxsplit >= 0 && pieces.size() > maxsplit + 1) {
                    if (!right) {
                        QStringList head = pieces.mid(0, int(maxsplit));
                        head << pieces.mid(int(maxsplit)).join(sep);
                        pieces = head;
                    } else {
                        const int cut = pieces.size() - int(maxsplit);
                        QStringList tail;
                        tail << pieces.mid(0, cut).join(sep);
                        tail << pieces.mid(cut);
                        pieces = tail;
                    }
                }
                for (const QString &p : pieces)
                    parts.push_back(mk(p));
                ev.charge(qint64(parts.size()) * 48 + s.size() * 2, a.span);
                return Value::list(parts);
            });
        }
        if (name == u"splitlines")
            return bound(NATIVE_CAPTURE(mk) {
                Q_UNUSED(a);
                std::vector<ValuePtr> parts;
                QString s = self->s;
                s.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
                QStringList lines = s.split(u'\n');
                if (!lines.isEmpty() && lines.last().isEmpty())
                    lines.removeLast();
                for (const QString &l : lines)
                    parts.push_back(mk(l));
                ev.charge(qint64(parts.size()) * 48, a.span);
                return Value::list(parts);
            });
        if (name == u"replace")
            return bound(NATIVE_CAPTURE(mk, sameKind) {
                const QString from = sameKind(ev, need(ev, a, 0, "old", QStringLiteral("replace")), a.span);
                const QString to = sameKind(ev, need(ev, a, 1, "new", QStringLiteral("replace")), a.span);
                ValuePtr countV = argAt(a, 2, "count");
                qint64 count = countV ? needInt(ev, countV, QStringLiteral("count"), a.span) : -1;
                QString s = self->s;
                if (from.isEmpty() && count < 0) {
                    const qint64 size = (s.size() + 1) * to.size() + s.size();
                    ev.charge(size * 2, a.span);
                    if (size > 4 * 1024 * 1024)
                        ev.abort(QStringLiteral("memory-limit"), QStringLiteral("string longer than 4 Mi characters"), a.span);
                    QString out = to;
                    for (QChar c : s)
                        out += c + to;
                    return mk(out);
                }
                QString out;
                int pos = 0;
                while (count != 0) {
                    const int at = from.isEmpty() ? (pos <= s.size() ? pos : -1) : s.indexOf(from, pos);
                    if (at < 0)
                        break;
                    out += s.mid(pos, at - pos) + to;
                    if (from.isEmpty()) {
                        if (at < s.size())
                            out += s.at(at);
                        pos = at + 1;
                    } else {
                        pos = at + from.size();
                    }
                    if (count > 0)
                        --count;
                    if (out.size() > 4 * 1024 * 1024)
                        ev.abort(QStringLiteral("memory-limit"), QStringLiteral("string longer than 4 Mi characters"), a.span);
                }
                if (pos <= s.size())
                    out += s.mid(pos);
                ev.charge(out.size() * 2, a.span);
                return mk(out);
            });
        if (name == u"startswith" || name == u"endswith") {
            const bool starts = name == u"startswith";
            return bound(NATIVE_CAPTURE(starts, sameKind) {
                ValuePtr p = need(ev, a, 0, "prefix", QStringLiteral("startswith"));
                std::vector<ValuePtr> options = p->kind == Value::Kind::Tuple ? p->items : std::vector<ValuePtr>{p};
                QString s = self->s;
                if (ValuePtr st = argAt(a, 1, nullptr); st && st->isIntLike()) {
                    qint64 k = st->asInt();
                    if (k < 0)
                        k = std::max<qint64>(0, k + s.size());
                    s = s.mid(k);
                }
                for (const auto &o : options) {
                    const QString t = sameKind(ev, o, a.span);
                    if (starts ? s.startsWith(t) : s.endsWith(t))
                        return Value::boolean(true);
                }
                return Value::boolean(false);
            });
        }
        if (name == u"removeprefix" || name == u"removesuffix") {
            const bool prefix = name == u"removeprefix";
            return bound(NATIVE_CAPTURE(mk, prefix, sameKind) {
                const QString t = sameKind(ev, need(ev, a, 0, "prefix", QStringLiteral("removeprefix")), a.span);
                const QString s = self->s;
                if (prefix && !t.isEmpty() && s.startsWith(t))
                    return mk(s.mid(t.size()));
                if (!prefix && !t.isEmpty() && s.endsWith(t))
                    return mk(s.left(s.size() - t.size()));
                return mk(s);
            });
        }
        if (name == u"find" || name == u"rfind" || name == u"index" || name == u"rindex" || name == u"count") {
            const QString n = name;
            return bound(NATIVE_CAPTURE(n, sameKind) {
                const QString t = sameKind(ev, need(ev, a, 0, "sub", n), a.span);
                const QString &s = self->s;
                if (n == u"count")
                    return Value::integer(t.isEmpty() ? s.size() + 1 : s.count(t));
                const int at = n.startsWith(u'r') ? s.lastIndexOf(t) : s.indexOf(t);
                if (at < 0 && n.contains(u"index"))
                    ev.raise(QStringLiteral("ValueError"), QStringLiteral("substring not found"), a.span);
                return Value::integer(at);
            });
        }
        if (name == u"join" && !isBytes)
            return bound(NATIVE {
                const auto items = ev.iterate(need(ev, a, 0, "iterable", QStringLiteral("join")), a.span);
                QStringList parts;
                for (size_t i = 0; i < items.size(); ++i) {
                    if (items[i]->kind == Value::Kind::Unknown)
                        return Value::unknown(items[i]->s, a.span);
                    if (items[i]->kind != Value::Kind::Str)
                        ev.raise(QStringLiteral("TypeError"),
                                 QStringLiteral("sequence item %1: expected str instance, %2 found").arg(i).arg(typeName(*items[i])), a.span);
                    parts << items[i]->s;
                }
                QString out = parts.join(self->s);
                ev.charge(out.size() * 2, a.span);
                return Value::str(out);
            });
        if (name == u"format" && !isBytes)
            return bound(NATIVE { return ev.strFormat(self->s, a); });
        if (name == u"format_map" && !isBytes)
            return bound(NATIVE {
                ValuePtr m = need(ev, a, 0, "mapping", QStringLiteral("format_map"));
                CallArgs b;
                b.span = a.span;
                if (m->kind == Value::Kind::Dict)
                    for (const auto &e : m->dict->entries)
                        b.kwargs.emplace_back(pyStr(e.key), e.value);
                return ev.strFormat(self->s, b);
            });
        if (name == u"encode" && !isBytes)
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); return Value::bytes(QString::fromLatin1(self->s.toUtf8())); });
        if (name == u"decode" && isBytes)
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); return Value::str(QString::fromUtf8(self->s.toLatin1())); });
        if (name == u"title" || name == u"capitalize" || name == u"swapcase") {
            const QString n = name;
            return bound(NATIVE_CAPTURE(mk, n) {
                Q_UNUSED(ev);
                Q_UNUSED(a);
                QString s = self->s;
                if (n == u"capitalize")
                    return mk(s.isEmpty() ? s : s.left(1).toUpper() + s.mid(1).toLower());
                if (n == u"swapcase") {
                    for (QChar &c : s)
                        c = c.isUpper() ? c.toLower() : c.toUpper();
                    return mk(s);
                }
                bool prevLetter = false;
                for (QChar &c : s) {
                    c = prevLetter ? c.toLower() : c.toUpper();
                    prevLetter = c.isLetter();
                }
                return mk(s);
            });
        }
        if (name == u"isdigit" || name == u"isnumeric" || name == u"isdecimal" || name == u"isalpha" || name == u"isalnum"
            || name == u"isspace" || name == u"islower" || name == u"isupper" || name == u"isidentifier") {
            const QString n = name;
            return bound(NATIVE_CAPTURE(n) {
                Q_UNUSED(ev);
                Q_UNUSED(a);
                const QString &s = self->s;
                if (s.isEmpty())
                    return Value::boolean(false);
                if (n == u"islower")
                    return Value::boolean(s == s.toLower() && s != s.toUpper());
                if (n == u"isupper")
                    return Value::boolean(s == s.toUpper() && s != s.toLower());
                if (n == u"isidentifier") {
                    static const QRegularExpression id(QStringLiteral("^[A-Za-z_]\\w*$"));
                    return Value::boolean(id.match(s).hasMatch());
                }
                for (QChar c : s) {
                    bool ok = n == u"isalpha" ? c.isLetter() : n == u"isalnum" ? c.isLetterOrNumber() : n == u"isspace" ? c.isSpace() : c.isDigit();
                    if (!ok)
                        return Value::boolean(false);
                }
                return Value::boolean(true);
            });
        }
        if (name == u"zfill" || name == u"ljust" || name == u"rjust" || name == u"center") {
            const QString n = name;
            return bound(NATIVE_CAPTURE(mk, n) {
                const qint64 w = std::min<qint64>(needInt(ev, need(ev, a, 0, "width", n), QStringLiteral("width"), a.span), 1'000'000);
                ValuePtr fillV = argAt(a, 1, "fillchar");
                const QChar fill = fillV && fillV->kind == Value::Kind::Str && fillV->s.size() == 1 ? fillV->s.at(0) : QChar(u' ');
                const QString s = self->s;
                if (s.size() >= w)
                    return mk(s);
                const int pad = int(w) - s.size();
                if (n == u"zfill") {
                    if (s.startsWith(u'-') || s.startsWith(u'+'))
                        return mk(s.left(1) + QString(pad, u'0') + s.mid(1));
                    return mk(QString(pad, u'0') + s);
                }
                if (n == u"ljust")
                    return mk(s + QString(pad, fill));
                if (n == u"rjust")
                    return mk(QString(pad, fill) + s);
                const int left = pad / 2 + (pad & int(w) & 1);
                return mk(QString(left, fill) + s + QString(pad - left, fill));
            });
        }
        if (name == u"partition" || name == u"rpartition") {
            const bool right = name == u"rpartition";
            return bound(NATIVE_CAPTURE(mk, right, sameKind) {
                const QString sep = sameKind(ev, need(ev, a, 0, "sep", QStringLiteral("partition")), a.span);
                if (sep.isEmpty())
                    ev.raise(QStringLiteral("ValueError"), QStringLiteral("empty separator"), a.span);
                const QString &s = self->s;
                const int at = right ? s.lastIndexOf(sep) : s.indexOf(sep);
                if (at < 0)
                    return right ? Value::tuple({mk(QString()), mk(QString()), mk(s)}) : Value::tuple({mk(s), mk(QString()), mk(QString())});
                return Value::tuple({mk(s.left(at)), mk(sep), mk(s.mid(at + sep.size()))});
            });
        }
        break;
    }
    case Value::Kind::List:
    case Value::Kind::Tuple: {
        const bool isList = obj->kind == Value::Kind::List;
        if (name == u"index")
            return bound(NATIVE {
                ValuePtr x = need(ev, a, 0, "value", QStringLiteral("index"));
                for (size_t i = 0; i < self->items.size(); ++i)
                    if (ev.equals(self->items[i], x))
                        return Value::integer(qint64(i));
                ev.raise(QStringLiteral("ValueError"), QStringLiteral("%1 is not in list").arg(pyRepr(x)), a.span);
            });
        if (name == u"count")
            return bound(NATIVE {
                ValuePtr x = need(ev, a, 0, "value", QStringLiteral("count"));
                qint64 n = 0;
                for (const auto &i : self->items)
                    n += ev.equals(i, x) ? 1 : 0;
                return Value::integer(n);
            });
        if (!isList)
            break;
        if (name == u"append")
            return bound(NATIVE {
                if (self->items.size() >= 1'000'000)
                    ev.abort(QStringLiteral("memory-limit"), QStringLiteral("list grows beyond 1000000 items"), a.span);
                ev.charge(16, a.span);
                self->items.push_back(need(ev, a, 0, "object", QStringLiteral("append")));
                return Value::none();
            });
        if (name == u"extend")
            return bound(NATIVE {
                auto more = ev.iterate(need(ev, a, 0, "iterable", QStringLiteral("extend")), a.span);
                if (self->items.size() + more.size() > 1'000'000)
                    ev.abort(QStringLiteral("memory-limit"), QStringLiteral("list grows beyond 1000000 items"), a.span);
                ev.charge(qint64(more.size()) * 16, a.span);
                self->items.insert(self->items.end(), more.begin(), more.end());
                return Value::none();
            });
        if (name == u"insert")
            return bound(NATIVE {
                qint64 i = needInt(ev, need(ev, a, 0, "index", QStringLiteral("insert")), QStringLiteral("index"), a.span);
                const qint64 n = qint64(self->items.size());
                if (i < 0)
                    i = std::max<qint64>(0, i + n);
                i = std::min(i, n);
                ev.charge(16, a.span);
                self->items.insert(self->items.begin() + i, need(ev, a, 1, "object", QStringLiteral("insert")));
                return Value::none();
            });
        if (name == u"pop")
            return bound(NATIVE {
                if (self->items.empty())
                    ev.raise(QStringLiteral("IndexError"), QStringLiteral("pop from empty list"), a.span);
                qint64 i = argAt(a, 0) ? needInt(ev, argAt(a, 0), QStringLiteral("index"), a.span) : -1;
                if (i < 0)
                    i += qint64(self->items.size());
                if (i < 0 || i >= qint64(self->items.size()))
                    ev.raise(QStringLiteral("IndexError"), QStringLiteral("pop index out of range"), a.span);
                ValuePtr v = self->items[size_t(i)];
                self->items.erase(self->items.begin() + i);
                return v;
            });
        if (name == u"remove")
            return bound(NATIVE {
                ValuePtr x = need(ev, a, 0, "value", QStringLiteral("remove"));
                for (size_t i = 0; i < self->items.size(); ++i)
                    if (ev.equals(self->items[i], x)) {
                        self->items.erase(self->items.begin() + qint64(i));
                        return Value::none();
                    }
                ev.raise(QStringLiteral("ValueError"), QStringLiteral("list.remove(x): x not in list"), a.span);
            });
        if (name == u"copy")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); return Value::list(self->items); });
        if (name == u"clear")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); self->items.clear(); return Value::none(); });
        if (name == u"reverse")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); std::reverse(self->items.begin(), self->items.end()); return Value::none(); });
        if (name == u"sort")
            return bound(NATIVE {
                CallArgs b;
                b.span = a.span;
                b.args.push_back(self);
                b.kwargs = a.kwargs;
                ValuePtr sorted = ev.call(ev.m_builtins.value(QStringLiteral("sorted")), b);
                self->items = sorted->items;
                return Value::none();
            });
        break;
    }
    case Value::Kind::Dict: {
        if (name == u"get")
            return bound(NATIVE {
                ValuePtr k = need(ev, a, 0, "key", QStringLiteral("get"));
                ValuePtr d = argAt(a, 1, "default");
                if (k->kind == Value::Kind::Unknown)
                    return Value::unknown(k->s, a.span);
                const int at = self->dict->find(ev.requireHashKey(k, a.span));
                return at >= 0 ? self->dict->entries[size_t(at)].value : (d ? d : Value::none());
            });
        if (name == u"keys" || name == u"values" || name == u"items") {
            const ViewKind kind = name == u"keys" ? ViewKind::Keys : name == u"values" ? ViewKind::Values : ViewKind::Items;
            return bound(NATIVE_CAPTURE(kind) { return makeView(self, kind); });
        }
        if (name == u"copy")
            return bound(NATIVE {
                Q_UNUSED(a);
                ValuePtr d = Value::newDict();
                *d->dict = *self->dict;
                ev.charge(qint64(d->dict->entries.size()) * 32, a.span);
                return d;
            });
        if (name == u"update")
            return bound(NATIVE {
                if (ValuePtr src = argAt(a, 0); src && !ev.mergeInto(*self->dict, src, a.span))
                    ev.diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                                QStringLiteral("update() with an unknown value (%1): its keys are missing").arg(src->s), a.span);
                for (size_t i = 0; i < a.kwargs.size(); ++i)
                    self->dict->set(QStringLiteral("s:") + a.kwargs[i].first, Value::str(a.kwargs[i].first), a.kwargs[i].second,
                                    i < a.kwargSpans.size() ? a.kwargSpans[i] : a.span);
                if (self->dict->entries.size() > 1'000'000)
                    ev.abort(QStringLiteral("memory-limit"), QStringLiteral("dict grows beyond 1000000 items"), a.span);
                return Value::none();
            });
        if (name == u"pop")
            return bound(NATIVE {
                ValuePtr k = need(ev, a, 0, "key", QStringLiteral("pop"));
                const QString hk = ev.requireHashKey(k, a.span);
                const int at = self->dict->find(hk);
                if (at < 0) {
                    if (ValuePtr d = argAt(a, 1, "default"))
                        return d;
                    ev.raise(QStringLiteral("KeyError"), pyRepr(k), a.span);
                }
                ValuePtr v = self->dict->entries[size_t(at)].value;
                self->dict->remove(hk);
                return v;
            });
        if (name == u"popitem")
            return bound(NATIVE {
                if (self->dict->entries.empty())
                    ev.raise(QStringLiteral("KeyError"), QStringLiteral("'popitem(): dictionary is empty'"), a.span);
                auto e = self->dict->entries.back();
                self->dict->remove(*hashKey(e.key));
                return Value::tuple({e.key, e.value});
            });
        if (name == u"setdefault")
            return bound(NATIVE {
                ValuePtr k = need(ev, a, 0, "key", QStringLiteral("setdefault"));
                const QString hk = ev.requireHashKey(k, a.span);
                const int at = self->dict->find(hk);
                if (at >= 0)
                    return self->dict->entries[size_t(at)].value;
                ValuePtr d = argAt(a, 1, "default");
                if (!d)
                    d = Value::none();
                self->dict->set(hk, k, d, a.span);
                return d;
            });
        if (name == u"clear")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); self->dict->entries.clear(); self->dict->index.clear(); return Value::none(); });
        break;
    }
    case Value::Kind::Set: {
        if (name == u"add")
            return bound(NATIVE {
                ValuePtr x = need(ev, a, 0, "elem", QStringLiteral("add"));
                const QString k = ev.requireHashKey(x, a.span);
                for (const auto &i : self->items)
                    if (*hashKey(i) == k)
                        return Value::none();
                if (self->items.size() >= 1'000'000)
                    ev.abort(QStringLiteral("memory-limit"), QStringLiteral("set grows beyond 1000000 items"), a.span);
                self->items.push_back(x);
                return Value::none();
            });
        if (name == u"update" || name == u"union" || name == u"intersection" || name == u"difference" || name == u"copy"
            || name == u"discard" || name == u"remove" || name == u"issubset" || name == u"issuperset") {
            const QString n = name;
            return bound(NATIVE_CAPTURE(n) {
                if (n == u"copy")
                    return Value::set(self->items);
                if (n == u"discard" || n == u"remove") {
                    ValuePtr x = need(ev, a, 0, "elem", n);
                    const QString k = ev.requireHashKey(x, a.span);
                    for (size_t i = 0; i < self->items.size(); ++i)
                        if (*hashKey(self->items[i]) == k) {
                            self->items.erase(self->items.begin() + qint64(i));
                            return Value::none();
                        }
                    if (n == u"remove")
                        ev.raise(QStringLiteral("KeyError"), pyRepr(x), a.span);
                    return Value::none();
                }
                ValuePtr other = Value::set();
                for (const auto &arg : a.args)
                    for (const auto &x : ev.iterate(arg, a.span))
                        other->items.push_back(x);
                if (n == u"issubset" || n == u"issuperset") {
                    for (const auto &x : (n == u"issubset" ? self : other)->items) {
                        bool found = false;
                        for (const auto &y : (n == u"issubset" ? other : self)->items)
                            found = found || ev.equals(x, y);
                        if (!found)
                            return Value::boolean(false);
                    }
                    return Value::boolean(true);
                }
                const QString op = n == u"intersection" ? QStringLiteral("&") : n == u"difference" ? QStringLiteral("-") : QStringLiteral("|");
                QSet<QString> seen;
                std::vector<ValuePtr> uniq;
                for (const auto &x : other->items)
                    if (!seen.contains(ev.requireHashKey(x, a.span))) {
                        seen.insert(*hashKey(x));
                        uniq.push_back(x);
                    }
                ValuePtr res = ev.binaryOp(op, self, Value::set(uniq), a.span);
                if (n == u"update") {
                    self->items = res->items;
                    return Value::none();
                }
                return res;
            });
        }
        break;
    }
    case Value::Kind::Timedelta:
        if (name == u"total_seconds")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); return Value::floating(double(self->i) / 1e6); });
        if (name == u"days" || name == u"seconds" || name == u"microseconds") {
            const qint64 day = 86400000000LL;
            const qint64 us = obj->i;
            const qint64 days = us >= 0 ? us / day : -((-us + day - 1) / day);
            const qint64 rest = us - days * day;
            if (name == u"days")
                return Value::integer(days);
            if (name == u"seconds")
                return Value::integer(rest / 1000000);
            return Value::integer(rest % 1000000);
        }
        break;
    case Value::Kind::Int:
    case Value::Kind::Bool:
        if (name == u"real" || name == u"numerator")
            return Value::integer(obj->asInt());
        if (name == u"bit_length")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); quint64 x = quint64(std::abs(self->asInt())); int n = 0; while (x) { ++n; x >>= 1; } return Value::integer(n); });
        break;
    case Value::Kind::Float:
        if (name == u"is_integer")
            return bound(NATIVE { Q_UNUSED(ev); Q_UNUSED(a); return Value::boolean(std::isfinite(self->f) && self->f == std::floor(self->f)); });
        break;
    case Value::Kind::Object:
        if (isEnviron(*obj)) {
            // os._Environ is a MutableMapping of str to str: keys and values are encoded, so
            // anything else raises TypeError, as in Python.
            auto strKey = [](Evaluator &ev, const ValuePtr &k, const SourceSpan &sp) {
                if (k->kind != Value::Kind::Str)
                    ev.raise(QStringLiteral("TypeError"), QStringLiteral("str expected, not %1").arg(typeName(*k)), sp);
                return k->s;
            };
            if (name == u"get")
                return bound(NATIVE_CAPTURE(strKey) {
                    ValuePtr k = need(ev, a, 0, "key", QStringLiteral("get"));
                    ValuePtr d = argAt(a, 1, "default");
                    if (k->kind == Value::Kind::Unknown)
                        return Value::unknown(k->s, a.span);
                    return ev.envLookup(strKey(ev, k, a.span), d ? d : Value::none(), d != nullptr, a.span);
                });
            if (name == u"setdefault") // os._Environ.setdefault(key, value): the value is required
                return bound(NATIVE_CAPTURE(strKey) {
                    ValuePtr k = need(ev, a, 0, "key", QStringLiteral("setdefault"));
                    ValuePtr d = argAt(a, 1, "value");
                    if (!d)
                        ev.raise(QStringLiteral("TypeError"),
                                 QStringLiteral("_Environ.setdefault() missing 1 required positional argument: 'value'"), a.span);
                    if (k->kind == Value::Kind::Unknown)
                        return Value::unknown(k->s, a.span);
                    const QString key = strKey(ev, k, a.span);
                    ValuePtr current = ev.envLookup(key, d, true, a.span); // a read with a default
                    if (!self->dict->entry(key))
                        ev.setItem(self, k, d, a.span); // str values only, as in Python
                    return current;
                });
            if (name == u"keys" || name == u"items" || name == u"values") {
                const ViewKind kind = name == u"keys" ? ViewKind::Keys : name == u"values" ? ViewKind::Values : ViewKind::Items;
                return bound(NATIVE_CAPTURE(kind) { return makeView(self, kind); });
            }
            if (name == u"copy")
                return bound(NATIVE {
                    ValuePtr d = Value::newDict();
                    ev.mergeInto(*d->dict, self, a.span);
                    return d;
                });
            if (name == u"pop")
                return bound(NATIVE_CAPTURE(strKey) {
                    ValuePtr k = need(ev, a, 0, "key", QStringLiteral("pop"));
                    ValuePtr d = argAt(a, 1, "default");
                    if (k->kind == Value::Kind::Unknown)
                        return Value::unknown(k->s, a.span);
                    const QString key = strKey(ev, k, a.span);
                    ValuePtr cur = ev.envLookup(key, d ? d : Value::none(), d != nullptr, a.span);
                    if (!self->dict->remove(QStringLiteral("s:") + key) && !d)
                        ev.raise(QStringLiteral("KeyError"), pyRepr(k), a.span);
                    return cur;
                });
            if (name == u"popitem") // MutableMapping.popitem: the first key
                return bound(NATIVE {
                    if (self->dict->entries.empty())
                        ev.raise(QStringLiteral("KeyError"), QString(), a.span);
                    const auto e = self->dict->entries.front();
                    self->dict->remove(*hashKey(e.key));
                    return Value::tuple({e.key, e.value});
                });
            if (name == u"update")
                return bound(NATIVE {
                    ValuePtr staged = Value::newDict();
                    if (ValuePtr src = argAt(a, 0); src && !ev.mergeInto(*staged->dict, src, a.span))
                        ev.diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                                    QStringLiteral("os.environ.update() with an unknown value (%1): its keys are missing").arg(src->s), a.span);
                    for (const auto &[k, v] : a.kwargs)
                        staged->dict->set(QStringLiteral("s:") + k, Value::str(k), v, a.span);
                    for (const auto &e : staged->dict->entries)
                        ev.setItem(self, e.key, e.value, a.span);
                    return Value::none();
                });
            if (name == u"clear")
                return bound(NATIVE {
                    Q_UNUSED(ev);
                    Q_UNUSED(a);
                    self->dict->entries.clear();
                    self->dict->index.clear();
                    return Value::none();
                });
            break; // no other attribute: its DictData is the environment, not attributes
        }
        if (viewKind(*obj) != ViewKind::None) {
            if (name == u"isdisjoint")
                return bound(NATIVE {
                    ValuePtr other = need(ev, a, 0, "other", QStringLiteral("isdisjoint"));
                    for (const auto &x : ev.iterate(other, a.span))
                        if (ev.contains(self, x, a.span))
                            return Value::boolean(false);
                    return Value::boolean(true);
                });
            if (name == u"mapping" && !isEnviron(*obj->self)) // 3.10+: a read-only proxy of the dict
                return obj->self;
            break;
        }
        if (obj->dict) {
            if (const auto *e = obj->dict->entry(name))
                return e->value;
        }
        if (obj->s == u"logging.Logger" || obj->s == u"logging.Handler")
            return Value::native(name, NATIVE { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::none(); });
        break;
    default:
        break;
    }
    Q_UNUSED(span);
    return nullptr;
}

} // namespace cachescope::py
