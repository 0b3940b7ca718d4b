// Built-in names and the modelled modules (os, os.path, datetime, urllib.parse, re, logging, ast,
// superset.config...) as data. Nothing here touches the file system, processes, the network or the
// real environment. Past 1,000 lines because it is the table of every modelled name.
#include "configerrors.h"
#include "configevaluator.h"
#include "nativeargs.h"
#include "pyparser.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace cachescope::py {

namespace {

using namespace nativeargs;

QString needStr(Evaluator &ev, const ValuePtr &v, const QString &what, const SourceSpan &span)
{
    if (v->kind != Value::Kind::Str)
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("%1 must be str, not %2").arg(what, typeName(*v)), span);
    return v->s;
}

ValuePtr makeModule(const QString &name, bool partial)
{
    auto m = std::make_shared<Value>();
    m->kind = Value::Kind::Module;
    m->s = name;
    m->b = partial;
    m->dict = std::make_shared<DictData>();
    return m;
}

void put(const ValuePtr &holder, const QString &name, ValuePtr v)
{
    holder->dict->set(QStringLiteral("s:") + name, Value::str(name), std::move(v), {});
}

// A call that would have a side effect (files, processes, network, interpreter): recorded, never run.
ValuePtr sideEffect(const QString &what)
{
    return Value::native(what, NATIVE_CAPTURE(what) {
        Q_UNUSED(self);
        ev.diagnose(QStringLiteral("warning"), QStringLiteral("side-effect"),
                    QStringLiteral("%1() was not run (it would touch files, processes, the network or the interpreter); its result is unknown").arg(what),
                    a.span);
        return Value::unknown(QStringLiteral("result of %1() (never run)").arg(what), a.span);
    });
}

ValuePtr exitFn(const QString &what)
{
    return Value::native(what, NATIVE {
        Q_UNUSED(self);
        ev.raise(QStringLiteral("SystemExit"), argAt(a, 0) ? pyStr(argAt(a, 0)) : QString(), a.span);
    });
}

QString normPath(const QString &p)
{
    if (p.isEmpty())
        return QStringLiteral(".");
    const bool abs = p.startsWith(u'/');
    const bool twoSlashes = p.startsWith(QStringLiteral("//")) && !p.startsWith(QStringLiteral("///"));
    QStringList out;
    for (const QString &part : p.split(u'/')) {
        if (part.isEmpty() || part == u".")
            continue;
        if (part == u".." && ((!abs && (out.isEmpty() || out.last() == u"..")) == false)) {
            if (!out.isEmpty())
                out.removeLast();
            continue;
        }
        out << part;
    }
    QString r = out.join(u'/');
    if (abs)
        r = (twoSlashes ? QStringLiteral("//") : QStringLiteral("/")) + r;
    return r.isEmpty() ? QStringLiteral(".") : r;
}

qint64 tdMicros(Evaluator &ev, CallArgs &a)
{
    static const char *const names[] = {"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"};
    static const double scale[] = {86400e6, 1e6, 1, 1e3, 60e6, 3600e6, 604800e6};
    double total = 0;
    qint64 exact = 0;
    bool allInt = true;
    if (a.args.size() > 7)
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("timedelta() takes at most 7 arguments"), a.span);
    for (int i = 0; i < 7; ++i) {
        ValuePtr v = argAt(a, size_t(i), names[i]);
        if (!v)
            continue;
        if (!v->isNumber())
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("unsupported type for timedelta %1 component: %2").arg(QLatin1String(names[i]), typeName(*v)), a.span);
        if (v->kind == Value::Kind::Float)
            allInt = false;
        total += v->asFloat() * scale[i];
        if (v->isIntLike()) {
            qint64 part = 0;
            if (__builtin_mul_overflow(v->asInt(), qint64(scale[i]), &part) || __builtin_add_overflow(exact, part, &exact))
                ev.raise(QStringLiteral("OverflowError"), QStringLiteral("timedelta is too large"), a.span);
        }
    }
    for (const auto &[k, v] : a.kwargs) {
        bool known = false;
        for (const char *n : names)
            known = known || k == QLatin1String(n);
        if (!known)
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("'%1' is an invalid keyword argument for __new__()").arg(k), a.span);
    }
    if (std::fabs(total) > 86400e6 * 999999999.0)
        ev.raise(QStringLiteral("OverflowError"), QStringLiteral("days=%1; must have magnitude <= 999999999").arg(qint64(total / 86400e6)), a.span);
    return allInt ? exact : qint64(std::llround(total));
}

ValuePtr parseResult(Evaluator &ev, const QString &url, const SourceSpan &span)
{
    Q_UNUSED(ev);
    Q_UNUSED(span);
    // urllib.parse.urlparse split rules: scheme:[//netloc]path[;params][?query][#fragment]
    QString rest = url;
    QString scheme, netloc, path, params, query, fragment;
    static const QRegularExpression schemeRe(QStringLiteral("^([A-Za-z][A-Za-z0-9+\\-.]*):"));
    if (auto m = schemeRe.match(rest); m.hasMatch()) {
        scheme = m.captured(1).toLower();
        rest = rest.mid(m.capturedLength());
    }
    if (rest.startsWith(QStringLiteral("//"))) {
        rest = rest.mid(2);
        int end = rest.size();
        for (QChar c : {QChar(u'/'), QChar(u'?'), QChar(u'#')}) {
            const int at = rest.indexOf(c);
            if (at >= 0)
                end = std::min(end, at);
        }
        netloc = rest.left(end);
        rest = rest.mid(end);
    }
    if (const int h = rest.indexOf(u'#'); h >= 0) {
        fragment = rest.mid(h + 1);
        rest = rest.left(h);
    }
    if (const int q = rest.indexOf(u'?'); q >= 0) {
        query = rest.mid(q + 1);
        rest = rest.left(q);
    }
    path = rest;
    const int lastSlash = path.lastIndexOf(u'/');
    if (const int semi = path.indexOf(u';', std::max(0, lastSlash)); semi >= 0) {
        params = path.mid(semi + 1);
        path = path.left(semi);
    }
    ValuePtr r = Value::object(QStringLiteral("ParseResult"));
    put(r, QStringLiteral("scheme"), Value::str(scheme));
    put(r, QStringLiteral("netloc"), Value::str(netloc));
    put(r, QStringLiteral("path"), Value::str(path));
    put(r, QStringLiteral("params"), Value::str(params));
    put(r, QStringLiteral("query"), Value::str(query));
    put(r, QStringLiteral("fragment"), Value::str(fragment));
    const int at = netloc.lastIndexOf(u'@');
    const QString userinfo = at >= 0 ? netloc.left(at) : QString();
    const QString hostport = at >= 0 ? netloc.mid(at + 1) : netloc;
    if (at >= 0) {
        const int colon = userinfo.indexOf(u':');
        put(r, QStringLiteral("username"), Value::str(colon >= 0 ? userinfo.left(colon) : userinfo));
        put(r, QStringLiteral("password"), colon >= 0 ? Value::str(userinfo.mid(colon + 1)) : Value::none());
    } else {
        put(r, QStringLiteral("username"), Value::none());
        put(r, QStringLiteral("password"), Value::none());
    }
    QString host = hostport;
    QString port;
    if (host.startsWith(u'[')) {
        const int close = host.indexOf(u']');
        port = close >= 0 && host.mid(close + 1).startsWith(u':') ? host.mid(close + 2) : QString();
        host = close >= 0 ? host.mid(1, close - 1) : host.mid(1);
    } else if (const int colon = host.lastIndexOf(u':'); colon >= 0) {
        port = host.mid(colon + 1);
        host = host.left(colon);
    }
    put(r, QStringLiteral("hostname"), host.isEmpty() ? Value::none() : Value::str(host.toLower()));
    if (port.isEmpty()) {
        put(r, QStringLiteral("port"), Value::none());
    } else {
        bool ok = false;
        const int p = port.toInt(&ok);
        // Python raises ValueError on access; an unknown keeps the rest usable.
        put(r, QStringLiteral("port"), ok && p >= 0 && p <= 65535 ? Value::integer(p)
                                                                  : Value::unknown(QStringLiteral("invalid port '%1'").arg(port), span));
    }
    put(r, QStringLiteral("geturl"), Value::native(QStringLiteral("geturl"), NATIVE_CAPTURE(url) {
                                         Q_UNUSED(ev);
                                         Q_UNUSED(self);
                                         Q_UNUSED(a);
                                         return Value::str(url);
                                     }));
    return r;
}

QString pyQuote(const QString &s, const QString &safe, bool plus)
{
    static const QString always = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~");
    QString out;
    const QByteArray utf8 = s.toUtf8();
    for (char ch : utf8) {
        const uchar c = uchar(ch);
        if (c < 128 && (always.contains(QLatin1Char(char(c))) || safe.contains(QLatin1Char(char(c)))))
            out += QLatin1Char(char(c));
        else if (plus && c == ' ')
            out += u'+';
        else
            out += u'%' + QStringLiteral("%1").arg(uint(c), 2, 16, QLatin1Char('0')).toUpper(); // QString::arg has no "%%" escape
    }
    return out;
}

QString pyUnquote(QString s, bool plus)
{
    if (plus)
        s.replace(u'+', u' ');
    return QUrl::fromPercentEncoding(s.toUtf8());
}

// Translates the Python regex dialect to PCRE2 (QRegularExpression) where they differ.
QString translateRegex(QString p)
{
    p.replace(QStringLiteral("(?P<"), QStringLiteral("(?<"));
    p.replace(QRegularExpression(QStringLiteral("\\(\\?P=(\\w+)\\)")), QStringLiteral("\\k<\\1>"));
    p.replace(QStringLiteral("\\Z"), QStringLiteral("\\z"));
    return p;
}

ValuePtr makeMatch(const QRegularExpressionMatch &m, const QRegularExpression &re, const QString &subject)
{
    ValuePtr r = Value::object(QStringLiteral("re.Match"));
    const int n = m.lastCapturedIndex();
    std::vector<ValuePtr> groups;
    for (int i = 0; i <= re.captureCount(); ++i)
        groups.push_back(i <= n && m.capturedStart(i) >= 0 ? Value::str(m.captured(i)) : Value::none());
    const QStringList names = re.namedCaptureGroups();
    put(r, QStringLiteral("group"), Value::native(QStringLiteral("group"), NATIVE_CAPTURE(groups, names) {
                                        Q_UNUSED(self);
                                        auto one = [&](const ValuePtr &k) -> ValuePtr {
                                            if (k->isIntLike()) {
                                                const qint64 i = k->asInt();
                                                if (i < 0 || i >= qint64(groups.size()))
                                                    ev.raise(QStringLiteral("IndexError"), QStringLiteral("no such group"), a.span);
                                                return groups[size_t(i)];
                                            }
                                            const int at = names.indexOf(pyStr(k));
                                            if (at <= 0 || k->kind != Value::Kind::Str)
                                                ev.raise(QStringLiteral("IndexError"), QStringLiteral("no such group"), a.span);
                                            return groups[size_t(at)];
                                        };
                                        if (a.args.empty())
                                            return groups[0];
                                        if (a.args.size() == 1)
                                            return one(a.args[0]);
                                        std::vector<ValuePtr> out;
                                        for (const auto &k : a.args)
                                            out.push_back(one(k));
                                        return Value::tuple(out);
                                    }));
    put(r, QStringLiteral("groups"), Value::native(QStringLiteral("groups"), NATIVE_CAPTURE(groups) {
                                         Q_UNUSED(ev);
                                         Q_UNUSED(self);
                                         ValuePtr def = argAt(a, 0, "default");
                                         std::vector<ValuePtr> out;
                                         for (size_t i = 1; i < groups.size(); ++i)
                                             out.push_back(groups[i]->kind == Value::Kind::None && def ? def : groups[i]);
                                         return Value::tuple(out);
                                     }));
    put(r, QStringLiteral("groupdict"), Value::native(QStringLiteral("groupdict"), NATIVE_CAPTURE(groups, names) {
                                            Q_UNUSED(ev);
                                            Q_UNUSED(self);
                                            Q_UNUSED(a);
                                            ValuePtr d = Value::newDict();
                                            for (int i = 1; i < names.size(); ++i)
                                                if (!names[i].isEmpty())
                                                    d->dict->set(QStringLiteral("s:") + names[i], Value::str(names[i]), groups[size_t(i)], {});
                                            return d;
                                        }));
    const qint64 start = m.capturedStart(0), end = m.capturedEnd(0);
    put(r, QStringLiteral("start"), Value::native(QStringLiteral("start"), NATIVE_CAPTURE(start) { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::integer(start); }));
    put(r, QStringLiteral("end"), Value::native(QStringLiteral("end"), NATIVE_CAPTURE(end) { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::integer(end); }));
    put(r, QStringLiteral("string"), Value::str(subject));
    return r;
}

ValuePtr reFunction(const QString &kind, const QString &boundPattern = QString(), qint64 boundFlags = -1)
{
    return Value::native(kind, NATIVE_CAPTURE(kind, boundPattern, boundFlags) {
        Q_UNUSED(self);
        if (ValuePtr u = anyUnknown(a))
            return u;
        size_t i = 0;
        QString pattern = boundPattern;
        if (boundFlags < 0)
            pattern = needStr(ev, need(ev, a, i++, "pattern", kind), QStringLiteral("pattern"), a.span);
        QRegularExpression::PatternOptions opts;
        qint64 flags = boundFlags < 0 ? 0 : boundFlags;
        auto flagArg = [&](size_t pos) {
            if (ValuePtr f = argAt(a, pos, "flags"); f && f->isIntLike() && boundFlags < 0)
                flags = f->asInt();
        };
        if (kind == u"compile") {
            flagArg(1);
            ValuePtr pat = Value::object(QStringLiteral("re.Pattern"));
            for (const char *n : {"match", "search", "fullmatch", "sub", "findall", "split"})
                put(pat, QLatin1String(n), reFunction(QLatin1String(n), pattern, flags));
            put(pat, QStringLiteral("pattern"), Value::str(pattern));
            return pat;
        }
        auto build = [&]() {
            if (flags & 2)
                opts |= QRegularExpression::CaseInsensitiveOption;
            if (flags & 8)
                opts |= QRegularExpression::MultilineOption;
            if (flags & 16)
                opts |= QRegularExpression::DotMatchesEverythingOption;
            if (flags & 64)
                opts |= QRegularExpression::ExtendedPatternSyntaxOption;
            QRegularExpression re(translateRegex(pattern), opts);
            if (!re.isValid())
                ev.raise(QStringLiteral("re.error"), re.errorString(), a.span);
            return re;
        };
        if (kind == u"sub") {
            const ValuePtr repl = need(ev, a, i++, "repl", kind);
            const QString subject = needStr(ev, need(ev, a, i++, "string", kind), QStringLiteral("string"), a.span);
            ValuePtr countV = argAt(a, i++, "count");
            flagArg(i);
            const QRegularExpression re = build();
            qint64 count = countV && countV->isIntLike() ? countV->asInt() : 0;
            QString out;
            int pos = 0;
            auto it = re.globalMatch(subject);
            qint64 done = 0;
            while (it.hasNext() && (count == 0 || done < count)) {
                const auto m = it.next();
                out += subject.mid(pos, m.capturedStart() - pos);
                if (repl->kind == Value::Kind::Str) {
                    QString r = repl->s;
                    // \1 and \g<name> back-references
                    QString expanded;
                    for (int k = 0; k < r.size(); ++k) {
                        if (r.at(k) == u'\\' && k + 1 < r.size()) {
                            const QChar c = r.at(k + 1);
                            if (c.isDigit()) {
                                expanded += m.captured(c.digitValue());
                                ++k;
                                continue;
                            }
                            if (c == u'g' && k + 2 < r.size() && r.at(k + 2) == u'<') {
                                const int close = r.indexOf(u'>', k);
                                const QString g = r.mid(k + 3, close - k - 3);
                                bool num = false;
                                const int gi = g.toInt(&num);
                                expanded += num ? m.captured(gi) : m.captured(g);
                                k = close;
                                continue;
                            }
                            if (c == u'n') {
                                expanded += u'\n';
                                ++k;
                                continue;
                            }
                            if (c == u'\\') {
                                expanded += u'\\';
                                ++k;
                                continue;
                            }
                        }
                        expanded += r.at(k);
                    }
                    out += expanded;
                } else {
                    CallArgs b;
                    b.span = a.span;
                    b.args.push_back(makeMatch(m, re, subject));
                    ValuePtr res = ev.call(repl, b);
                    if (res->kind == Value::Kind::Unknown)
                        return res;
                    out += pyStr(res);
                }
                pos = m.capturedEnd();
                ++done;
                ev.step(a.span);
            }
            out += subject.mid(pos);
            ev.charge(out.size() * 2, a.span);
            return Value::str(out);
        }
        const QString subject = needStr(ev, need(ev, a, i++, "string", kind), QStringLiteral("string"), a.span);
        flagArg(i);
        QRegularExpression re = build();
        if (kind == u"findall" || kind == u"split") {
            std::vector<ValuePtr> out;
            auto it = re.globalMatch(subject);
            int pos = 0;
            while (it.hasNext()) {
                const auto m = it.next();
                ev.step(a.span);
                if (kind == u"findall") {
                    if (re.captureCount() == 0)
                        out.push_back(Value::str(m.captured(0)));
                    else if (re.captureCount() == 1)
                        out.push_back(Value::str(m.captured(1)));
                    else {
                        std::vector<ValuePtr> g;
                        for (int k = 1; k <= re.captureCount(); ++k)
                            g.push_back(Value::str(m.captured(k)));
                        out.push_back(Value::tuple(g));
                    }
                } else {
                    out.push_back(Value::str(subject.mid(pos, m.capturedStart() - pos)));
                    for (int k = 1; k <= re.captureCount(); ++k)
                        out.push_back(m.capturedStart(k) >= 0 ? Value::str(m.captured(k)) : Value::none());
                    pos = m.capturedEnd();
                }
            }
            if (kind == u"split")
                out.push_back(Value::str(subject.mid(pos)));
            ev.charge(qint64(out.size()) * 48, a.span);
            return Value::list(out);
        }
        if (kind == u"match" || kind == u"fullmatch") {
            QString anchored = kind == u"fullmatch" ? QStringLiteral("(?:%1)\\z").arg(translateRegex(pattern)) : translateRegex(pattern);
            QRegularExpression re2(anchored, re.patternOptions());
            const auto m = re2.match(subject, 0, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
            return m.hasMatch() ? makeMatch(m, re2, subject) : Value::none();
        }
        const auto m = re.match(subject);
        return m.hasMatch() ? makeMatch(m, re, subject) : Value::none();
    });
}

ValuePtr makeExceptionClass(const QString &name, const ValuePtr &base)
{
    auto c = std::make_shared<Value>();
    c->kind = Value::Kind::Class;
    c->s = name;
    c->builtinClass = true;
    c->isExceptionClass = true;
    c->dict = std::make_shared<DictData>();
    if (base)
        c->items.push_back(base);
    return c;
}

// json.loads with Python's result types and key order (QJsonObject would sort keys).
class JsonReader
{
public:
    JsonReader(Evaluator &ev, const QString &text, const SourceSpan &span) : m_ev(ev), m_t(text), m_span(span) {}

    ValuePtr parse()
    {
        ValuePtr v = value(0);
        ws();
        if (m_i != m_t.size())
            fail(QStringLiteral("Extra data"));
        return v;
    }

private:
    [[noreturn]] void fail(const QString &what)
    {
        m_ev.raise(QStringLiteral("json.JSONDecodeError"), QStringLiteral("%1: char %2").arg(what).arg(m_i), m_span);
    }
    void ws()
    {
        while (m_i < m_t.size() && (m_t.at(m_i) == u' ' || m_t.at(m_i) == u'\t' || m_t.at(m_i) == u'\n' || m_t.at(m_i) == u'\r'))
            ++m_i;
    }
    bool lit(const char *word)
    {
        const QLatin1String w(word);
        if (QStringView(m_t).mid(m_i).startsWith(w)) {
            m_i += int(w.size());
            return true;
        }
        return false;
    }
    QString string()
    {
        ++m_i; // opening quote
        QString out;
        while (true) {
            if (m_i >= m_t.size())
                fail(QStringLiteral("Unterminated string starting at"));
            const QChar c = m_t.at(m_i++);
            if (c == u'"')
                return out;
            if (c != u'\\') {
                out += c;
                continue;
            }
            if (m_i >= m_t.size())
                fail(QStringLiteral("Invalid \\escape"));
            const QChar e = m_t.at(m_i++);
            switch (e.unicode()) {
            case '"': out += u'"'; break;
            case '\\': out += u'\\'; break;
            case '/': out += u'/'; break;
            case 'b': out += QChar(8); break;
            case 'f': out += QChar(12); break;
            case 'n': out += QChar(10); break;
            case 'r': out += QChar(13); break;
            case 't': out += QChar(9); break;
            case 'u': {
                bool ok = false;
                const uint code = m_t.mid(m_i, 4).toUInt(&ok, 16);
                if (!ok || m_t.mid(m_i, 4).size() != 4)
                    fail(QStringLiteral("Invalid \\uXXXX escape"));
                m_i += 4;
                out += QChar(char16_t(code));
                break;
            }
            default: fail(QStringLiteral("Invalid \\escape"));
            }
        }
    }
    ValuePtr value(int depth)
    {
        if (depth > 200)
            fail(QStringLiteral("Nested too deeply"));
        m_ev.step(m_span);
        ws();
        if (m_i >= m_t.size())
            fail(QStringLiteral("Expecting value"));
        const QChar c = m_t.at(m_i);
        if (c == u'{') {
            ++m_i;
            ValuePtr d = Value::newDict();
            ws();
            if (m_i < m_t.size() && m_t.at(m_i) == u'}') {
                ++m_i;
                return d;
            }
            while (true) {
                ws();
                if (m_i >= m_t.size() || m_t.at(m_i) != u'"')
                    fail(QStringLiteral("Expecting property name enclosed in double quotes"));
                const QString k = string();
                ws();
                if (m_i >= m_t.size() || m_t.at(m_i) != u':')
                    fail(QStringLiteral("Expecting ':' delimiter"));
                ++m_i;
                d->dict->set(QStringLiteral("s:") + k, Value::str(k), value(depth + 1), m_span);
                ws();
                if (m_i < m_t.size() && m_t.at(m_i) == u',') {
                    ++m_i;
                    continue;
                }
                if (m_i < m_t.size() && m_t.at(m_i) == u'}') {
                    ++m_i;
                    m_ev.charge(qint64(d->dict->entries.size()) * 32, m_span);
                    return d;
                }
                fail(QStringLiteral("Expecting ',' delimiter"));
            }
        }
        if (c == u'[') {
            ++m_i;
            std::vector<ValuePtr> items;
            ws();
            if (m_i < m_t.size() && m_t.at(m_i) == u']') {
                ++m_i;
                return Value::list();
            }
            while (true) {
                items.push_back(value(depth + 1));
                ws();
                if (m_i < m_t.size() && m_t.at(m_i) == u',') {
                    ++m_i;
                    continue;
                }
                if (m_i < m_t.size() && m_t.at(m_i) == u']') {
                    ++m_i;
                    m_ev.charge(qint64(items.size()) * 16, m_span);
                    return Value::list(items);
                }
                fail(QStringLiteral("Expecting ',' delimiter"));
            }
        }
        if (c == u'"')
            return Value::str(string());
        if (lit("true"))
            return Value::boolean(true);
        if (lit("false"))
            return Value::boolean(false);
        if (lit("null"))
            return Value::none();
        if (lit("NaN"))
            return Value::floating(NAN);
        if (lit("Infinity"))
            return Value::floating(INFINITY);
        if (lit("-Infinity"))
            return Value::floating(-INFINITY);
        static const QRegularExpression num(QStringLiteral("^-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?"));
        const auto m = num.match(QStringView(m_t).mid(m_i));
        if (!m.hasMatch() || m.capturedLength() == 0)
            fail(QStringLiteral("Expecting value"));
        const QString text = m.captured(0);
        m_i += int(m.capturedLength());
        if (m.captured(2).isEmpty() && m.captured(3).isEmpty()) {
            bool ok = false;
            const qint64 v = text.toLongLong(&ok);
            if (!ok)
                m_ev.abort(QStringLiteral("int-too-large"), QStringLiteral("integer does not fit in 64 bits"), m_span);
            return Value::integer(v);
        }
        return Value::floating(text.toDouble());
    }

    Evaluator &m_ev;
    const QString &m_t;
    SourceSpan m_span;
    int m_i = 0;
};

// Modules whose classes and functions are recorded as constructor calls, never executed.
const QStringList &recordedPrefixes()
{
    static const QStringList p = {QStringLiteral("cachelib"),   QStringLiteral("flask_caching"), QStringLiteral("werkzeug"),
                                  QStringLiteral("s3cache"),    QStringLiteral("superset"),      QStringLiteral("celery"),
                                  QStringLiteral("kombu"),      QStringLiteral("redis"),         QStringLiteral("flask"),
                                  QStringLiteral("flask_appbuilder"), QStringLiteral("ssl"),     QStringLiteral("sqlalchemy"),
                                  QStringLiteral("flask_talisman")};
    return p;
}

} // namespace

ValuePtr Evaluator::envLookup(const QString &name, const ValuePtr &defaultValue, bool hasDefault, const SourceSpan &span)
{
    const auto *e = m_environ->dict->entry(name);
    if (m_result)
        m_result->envReads.push_back(EnvRead{name, e != nullptr, hasDefault, hasDefault ? pyRepr(defaultValue) : QString(), span, m_currentFile});
    return e ? e->value : defaultValue;
}

ValuePtr Evaluator::literalEval(const QString &text, const SourceSpan &span)
{
    auto parsed = PyParser::parse(text.trimmed(), QStringLiteral("<literal_eval>"));
    if (!parsed || parsed.value()->root->list.size() != 1 || parsed.value()->root->list[0]->kind != NodeKind::ExprStmt)
        raise(QStringLiteral("ValueError"), QStringLiteral("malformed node or string"), span);
    m_trees.push_back(parsed.value());
    std::function<ValuePtr(const Node *)> lit = [&](const Node *n) -> ValuePtr {
        step(span);
        switch (n->kind) {
        case NodeKind::Constant:
            switch (n->constKind) {
            case ConstKind::None: return Value::none();
            case ConstKind::True: return Value::boolean(true);
            case ConstKind::False: return Value::boolean(false);
            case ConstKind::Int: {
                qint64 v = 0;
                bool ok = false;
                const QString t = n->str.toLower();
                v = t.startsWith(u"0x") ? t.mid(2).toLongLong(&ok, 16) : t.startsWith(u"0o") ? t.mid(2).toLongLong(&ok, 8) : t.startsWith(u"0b") ? t.mid(2).toLongLong(&ok, 2) : t.toLongLong(&ok);
                if (!ok)
                    raise(QStringLiteral("ValueError"), QStringLiteral("integer too large"), span);
                return Value::integer(v);
            }
            case ConstKind::Float: return Value::floating(n->str.toDouble());
            case ConstKind::Str: return Value::str(n->str);
            case ConstKind::Bytes: return Value::bytes(n->str);
            default: break;
            }
            break;
        case NodeKind::UnaryOp:
            if ((n->str == u"-" || n->str == u"+") && n->a->kind == NodeKind::Constant)
                return unaryOp(n->str, lit(n->a), span);
            break;
        case NodeKind::ListExpr:
        case NodeKind::TupleExpr:
        case NodeKind::SetExpr: {
            std::vector<ValuePtr> items;
            for (const Node *e : n->list)
                items.push_back(lit(e));
            return n->kind == NodeKind::ListExpr ? Value::list(items) : n->kind == NodeKind::TupleExpr ? Value::tuple(items) : Value::set(items);
        }
        case NodeKind::DictExpr: {
            ValuePtr d = Value::newDict();
            for (size_t i = 0; i < n->list.size(); ++i) {
                if (!n->list[i])
                    raise(QStringLiteral("ValueError"), QStringLiteral("malformed node or string"), span);
                ValuePtr k = lit(n->list[i]);
                d->dict->set(requireHashKey(k, span), k, lit(n->list2[i]), span);
            }
            return d;
        }
        default:
            break;
        }
        raise(QStringLiteral("ValueError"), QStringLiteral("malformed node or string"), span);
    };
    return lit(parsed.value()->root->list[0]->a);
}

void Evaluator::installBuiltins()
{
    // Exception hierarchy (the part configs meet).
    auto exc = [this](const QString &name, const QString &base) {
        m_exceptions.insert(name, makeExceptionClass(name, base.isEmpty() ? nullptr : m_exceptions.value(base)));
    };
    exc(QStringLiteral("BaseException"), {});
    exc(QStringLiteral("SystemExit"), QStringLiteral("BaseException"));
    exc(QStringLiteral("KeyboardInterrupt"), QStringLiteral("BaseException"));
    exc(QStringLiteral("GeneratorExit"), QStringLiteral("BaseException"));
    exc(QStringLiteral("Exception"), QStringLiteral("BaseException"));
    for (const char *n : {"ArithmeticError", "AssertionError", "AttributeError", "BufferError", "EOFError", "ImportError",
                          "LookupError", "MemoryError", "NameError", "OSError", "ReferenceError", "RuntimeError",
                          "StopIteration", "SyntaxError", "SystemError", "TypeError", "ValueError", "Warning"})
        exc(QLatin1String(n), QStringLiteral("Exception"));
    exc(QStringLiteral("ModuleNotFoundError"), QStringLiteral("ImportError"));
    exc(QStringLiteral("KeyError"), QStringLiteral("LookupError"));
    exc(QStringLiteral("IndexError"), QStringLiteral("LookupError"));
    exc(QStringLiteral("ZeroDivisionError"), QStringLiteral("ArithmeticError"));
    exc(QStringLiteral("OverflowError"), QStringLiteral("ArithmeticError"));
    exc(QStringLiteral("FloatingPointError"), QStringLiteral("ArithmeticError"));
    exc(QStringLiteral("UnboundLocalError"), QStringLiteral("NameError"));
    exc(QStringLiteral("RecursionError"), QStringLiteral("RuntimeError"));
    exc(QStringLiteral("NotImplementedError"), QStringLiteral("RuntimeError"));
    exc(QStringLiteral("UnicodeError"), QStringLiteral("ValueError"));
    exc(QStringLiteral("FileNotFoundError"), QStringLiteral("OSError"));
    exc(QStringLiteral("PermissionError"), QStringLiteral("OSError"));
    exc(QStringLiteral("ConnectionError"), QStringLiteral("OSError"));
    exc(QStringLiteral("TimeoutError"), QStringLiteral("OSError"));
    exc(QStringLiteral("re.error"), QStringLiteral("Exception"));
    exc(QStringLiteral("json.JSONDecodeError"), QStringLiteral("ValueError"));
    for (const char *n : {"DeprecationWarning", "UserWarning", "RuntimeWarning", "FutureWarning"})
        exc(QLatin1String(n), QStringLiteral("Warning"));
    for (auto it = m_exceptions.begin(); it != m_exceptions.end(); ++it)
        if (!it.key().contains(u'.'))
            m_builtins.insert(it.key(), it.value());
    m_builtins.insert(QStringLiteral("EnvironmentError"), m_exceptions.value(QStringLiteral("OSError")));
    m_builtins.insert(QStringLiteral("IOError"), m_exceptions.value(QStringLiteral("OSError")));

    auto def = [this](const QString &name, NativeFn fn) { m_builtins.insert(name, Value::native(name, std::move(fn))); };

    def(QStringLiteral("len"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("len"));
        switch (v->kind) {
        case Value::Kind::Str:
        case Value::Kind::Bytes: return Value::integer(v->s.size());
        case Value::Kind::List:
        case Value::Kind::Tuple:
        case Value::Kind::Set: return Value::integer(qint64(v->items.size()));
        case Value::Kind::Dict: return Value::integer(qint64(v->dict->entries.size()));
        case Value::Kind::Range: return Value::integer(qint64(ev.iterate(v, a.span).size()));
        case Value::Kind::Unknown: return Value::unknown(v->s, a.span);
        case Value::Kind::Object:
            if (isEnviron(*v) || viewKind(*v) != ViewKind::None)
                return Value::integer(qint64(v->dict->entries.size()));
            [[fallthrough]];
        default:
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("object of type '%1' has no len()").arg(typeName(*v)), a.span);
        }
    });
    def(QStringLiteral("str"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = argAt(a, 0, "object");
        if (!v)
            return Value::str(QString());
        if (v->kind == Value::Kind::Bytes && argAt(a, 1, "encoding"))
            return Value::str(QString::fromUtf8(v->s.toLatin1()));
        return ev.strOf(v, a.span);
    });
    def(QStringLiteral("repr"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("repr"));
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        return Value::str(pyRepr(v));
    });
    def(QStringLiteral("ascii"), NATIVE { Q_UNUSED(self); return Value::str(pyRepr(need(ev, a, 0, "obj", QStringLiteral("ascii")))); });
    def(QStringLiteral("int"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = argAt(a, 0, "x");
        if (!v)
            return Value::integer(0);
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        ValuePtr baseV = argAt(a, 1, "base");
        if (v->kind == Value::Kind::Str || v->kind == Value::Kind::Bytes) {
            const int base = baseV && baseV->isIntLike() ? int(baseV->asInt()) : 10;
            qint64 out = 0;
            if (!([&] {
                    QString t = v->s.trimmed();
                    if (base == 10 && t.size() > 1 && t.startsWith(u'0') && !t.contains(QRegularExpression(QStringLiteral("[^0_]"))))
                        return (out = 0, true);
                    return true;
                }()))
                return Value::integer(out);
            bool okPy = false;
            {
                QString t = v->s;
                qint64 r = 0;
                // Python accepts surrounding whitespace and underscores between digits only.
                const QString trimmed = t.trimmed();
                static const QRegularExpression dec(QStringLiteral("^[+-]?\\d+(_\\d+)*$"));
                if (base == 10) {
                    if (dec.match(trimmed).hasMatch()) {
                        QString digits = trimmed;
                        digits.remove(u'_');
                        bool ok = false;
                        r = digits.toLongLong(&ok);
                        if (!ok)
                            ev.abort(QStringLiteral("int-too-large"), QStringLiteral("integer does not fit in 64 bits"), a.span);
                        okPy = true;
                    }
                } else {
                    QString tt = trimmed;
                    okPy = !tt.isEmpty();
                    if (okPy) {
                        bool neg = tt.startsWith(u'-');
                        if (neg || tt.startsWith(u'+'))
                            tt = tt.mid(1);
                        const QString low = tt.toLower();
                        int b = base;
                        if ((b == 16 || b == 0) && low.startsWith(u"0x")) { tt = tt.mid(2); b = 16; }
                        else if ((b == 8 || b == 0) && low.startsWith(u"0o")) { tt = tt.mid(2); b = 8; }
                        else if ((b == 2 || b == 0) && low.startsWith(u"0b")) { tt = tt.mid(2); b = 2; }
                        if (b == 0)
                            b = 10;
                        tt.remove(u'_');
                        bool ok = false;
                        r = tt.toLongLong(&ok, b);
                        okPy = ok && !tt.isEmpty() && !tt.startsWith(u'+') && !tt.startsWith(u'-');
                        if (neg)
                            r = -r;
                    }
                }
                if (okPy)
                    return Value::integer(r);
            }
            ev.raise(QStringLiteral("ValueError"), QStringLiteral("invalid literal for int() with base %1: %2").arg(base).arg(pyRepr(v)), a.span);
        }
        if (v->isIntLike())
            return Value::integer(v->asInt());
        if (v->kind == Value::Kind::Float) {
            if (!std::isfinite(v->f))
                ev.raise(std::isnan(v->f) ? QStringLiteral("ValueError") : QStringLiteral("OverflowError"),
                         QStringLiteral("cannot convert float %1 to integer").arg(floatRepr(v->f)), a.span);
            if (std::fabs(v->f) >= 9.2e18)
                ev.abort(QStringLiteral("int-too-large"), QStringLiteral("integer does not fit in 64 bits"), a.span);
            return Value::integer(qint64(std::trunc(v->f)));
        }
        ev.raise(QStringLiteral("TypeError"),
                 QStringLiteral("int() argument must be a string, a bytes-like object or a real number, not '%1'").arg(typeName(*v)), a.span);
    });
    def(QStringLiteral("float"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = argAt(a, 0, "x");
        if (!v)
            return Value::floating(0);
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        if (v->isNumber())
            return Value::floating(v->asFloat());
        if (v->kind == Value::Kind::Str) {
            QString t = v->s.trimmed().toLower();
            t.remove(u'_');
            if (t == u"inf" || t == u"+inf" || t == u"infinity" || t == u"+infinity")
                return Value::floating(INFINITY);
            if (t == u"-inf" || t == u"-infinity")
                return Value::floating(-INFINITY);
            if (t == u"nan" || t == u"+nan" || t == u"-nan")
                return Value::floating(NAN);
            static const QRegularExpression num(QStringLiteral("^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$"));
            if (num.match(t).hasMatch())
                return Value::floating(t.toDouble());
            ev.raise(QStringLiteral("ValueError"), QStringLiteral("could not convert string to float: %1").arg(pyRepr(v)), a.span);
        }
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("float() argument must be a string or a real number, not '%1'").arg(typeName(*v)), a.span);
    });
    def(QStringLiteral("bool"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = argAt(a, 0, "x");
        if (!v)
            return Value::boolean(false);
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        return Value::boolean(ev.truthy(v, a.span));
    });
    auto seqCtor = [](int kind) {
        return [kind](Evaluator &ev, const ValuePtr &, CallArgs &a) -> ValuePtr {
            ValuePtr v = argAt(a, 0, "iterable");
            std::vector<ValuePtr> items;
            if (v) {
                if (v->kind == Value::Kind::Unknown)
                    return Value::unknown(v->s, a.span);
                items = ev.iterate(v, a.span);
            }
            ev.charge(qint64(items.size()) * 16, a.span);
            if (kind == 0)
                return Value::list(items);
            if (kind == 1)
                return Value::tuple(items);
            std::vector<ValuePtr> uniq;
            QSet<QString> seen;
            for (const auto &x : items) {
                const QString k = ev.requireHashKey(x, a.span);
                if (!seen.contains(k)) {
                    seen.insert(k);
                    uniq.push_back(x);
                }
            }
            return Value::set(uniq);
        };
    };
    def(QStringLiteral("list"), seqCtor(0));
    def(QStringLiteral("tuple"), seqCtor(1));
    def(QStringLiteral("set"), seqCtor(2));
    def(QStringLiteral("frozenset"), seqCtor(2));
    def(QStringLiteral("dict"), NATIVE {
        Q_UNUSED(self);
        ValuePtr d = Value::newDict();
        if (ValuePtr src = argAt(a, 0)) {
            if (!ev.mergeInto(*d->dict, src, a.span))
                return Value::unknown(src->s, a.span);
        }
        for (size_t i = 0; i < a.kwargs.size(); ++i)
            d->dict->set(QStringLiteral("s:") + a.kwargs[i].first, Value::str(a.kwargs[i].first), a.kwargs[i].second,
                         i < a.kwargSpans.size() ? a.kwargSpans[i] : a.span);
        ev.charge(qint64(d->dict->entries.size()) * 32, a.span);
        return d;
    });
    def(QStringLiteral("range"), NATIVE {
        Q_UNUSED(self);
        if (ValuePtr u = anyUnknown(a))
            return u;
        std::vector<qint64> n;
        for (const auto &x : a.args) {
            if (!x->isIntLike())
                ev.raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object cannot be interpreted as an integer").arg(typeName(*x)), a.span);
            n.push_back(x->asInt());
        }
        if (n.empty() || n.size() > 3)
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("range expected 1 to 3 arguments"), a.span);
        auto r = std::make_shared<Value>();
        r->kind = Value::Kind::Range;
        const qint64 start = n.size() == 1 ? 0 : n[0], stop = n.size() == 1 ? n[0] : n[1], st = n.size() == 3 ? n[2] : 1;
        if (st == 0)
            ev.raise(QStringLiteral("ValueError"), QStringLiteral("range() arg 3 must not be zero"), a.span);
        r->items = {Value::integer(start), Value::integer(stop), Value::integer(st)};
        return r;
    });
    def(QStringLiteral("sorted"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "iterable", QStringLiteral("sorted"));
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        auto items = ev.iterate(v, a.span);
        ValuePtr key = argAt(a, 99, "key");
        ValuePtr rev = argAt(a, 99, "reverse");
        std::vector<std::pair<ValuePtr, ValuePtr>> keyed;
        for (const auto &x : items) {
            ValuePtr k = x;
            if (key && key->kind != Value::Kind::None) {
                CallArgs b;
                b.span = a.span;
                b.args.push_back(x);
                k = ev.call(key, b);
            }
            keyed.emplace_back(k, x);
        }
        std::stable_sort(keyed.begin(), keyed.end(), [&](const auto &x, const auto &y) { return ev.compare(x.first, y.first, a.span) < 0; });
        std::vector<ValuePtr> out;
        for (auto &p : keyed)
            out.push_back(p.second);
        if (rev && ev.truthy(rev, a.span))
            std::reverse(out.begin(), out.end());
        return Value::list(out);
    });
    def(QStringLiteral("reversed"), NATIVE {
        Q_UNUSED(self);
        auto items = ev.iterate(need(ev, a, 0, "seq", QStringLiteral("reversed")), a.span);
        std::reverse(items.begin(), items.end());
        return Value::list(items);
    });
    auto minmax = [](bool isMax) {
        return [isMax](Evaluator &ev, const ValuePtr &, CallArgs &a) -> ValuePtr {
            if (ValuePtr u = anyUnknown(a))
                return u;
            std::vector<ValuePtr> items = a.args.size() == 1 ? ev.iterate(a.args[0], a.span) : a.args;
            if (items.empty()) {
                if (ValuePtr d = argAt(a, 99, "default"))
                    return d;
                ev.raise(QStringLiteral("ValueError"), QStringLiteral("%1() arg is an empty sequence").arg(isMax ? QStringLiteral("max") : QStringLiteral("min")), a.span);
            }
            ValuePtr best = items[0];
            for (size_t i = 1; i < items.size(); ++i) {
                const int c = ev.compare(items[i], best, a.span);
                if (isMax ? c > 0 : c < 0)
                    best = items[i];
            }
            return best;
        };
    };
    def(QStringLiteral("min"), minmax(false));
    def(QStringLiteral("max"), minmax(true));
    def(QStringLiteral("sum"), NATIVE {
        Q_UNUSED(self);
        ValuePtr acc = argAt(a, 1, "start");
        if (!acc)
            acc = Value::integer(0);
        for (const auto &x : ev.iterate(need(ev, a, 0, "iterable", QStringLiteral("sum")), a.span))
            acc = ev.binaryOp(QStringLiteral("+"), acc, x, a.span);
        return acc;
    });
    def(QStringLiteral("abs"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "x", QStringLiteral("abs"));
        if (v->kind == Value::Kind::Float)
            return Value::floating(std::fabs(v->f));
        if (v->isIntLike())
            return v->asInt() < 0 ? ev.binaryOp(QStringLiteral("*"), v, Value::integer(-1), a.span) : Value::integer(v->asInt());
        if (v->kind == Value::Kind::Timedelta)
            return Value::timedelta(std::abs(v->i));
        if (v->kind == Value::Kind::Unknown)
            return v;
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("bad operand type for abs(): '%1'").arg(typeName(*v)), a.span);
    });
    def(QStringLiteral("round"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "number", QStringLiteral("round"));
        ValuePtr nd = argAt(a, 1, "ndigits");
        if (v->kind == Value::Kind::Unknown)
            return v;
        if (!v->isNumber())
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("type %1 doesn't define __round__ method").arg(typeName(*v)), a.span);
        if (v->isIntLike())
            return Value::integer(v->asInt());
        if (!nd || nd->kind == Value::Kind::None) {
            const double r = std::nearbyint(v->f); // banker's rounding under the default FE_TONEAREST mode
            return Value::integer(qint64(r));
        }
        const double p = std::pow(10.0, double(nd->asInt()));
        return Value::floating(std::nearbyint(v->f * p) / p);
    });
    auto anyAll = [](bool isAny) {
        return [isAny](Evaluator &ev, const ValuePtr &, CallArgs &a) -> ValuePtr {
            for (const auto &x : ev.iterate(need(ev, a, 0, "iterable", QStringLiteral("any")), a.span)) {
                if (x->kind == Value::Kind::Unknown)
                    return Value::unknown(x->s, a.span);
                if (ev.truthy(x, a.span) == isAny)
                    return Value::boolean(isAny);
            }
            return Value::boolean(!isAny);
        };
    };
    def(QStringLiteral("any"), anyAll(true));
    def(QStringLiteral("all"), anyAll(false));
    def(QStringLiteral("enumerate"), NATIVE {
        Q_UNUSED(self);
        qint64 start = argAt(a, 1, "start") ? argAt(a, 1, "start")->asInt() : 0;
        std::vector<ValuePtr> out;
        for (const auto &x : ev.iterate(need(ev, a, 0, "iterable", QStringLiteral("enumerate")), a.span))
            out.push_back(Value::tuple({Value::integer(start++), x}));
        return Value::list(out);
    });
    def(QStringLiteral("zip"), NATIVE {
        Q_UNUSED(self);
        std::vector<std::vector<ValuePtr>> seqs;
        size_t n = SIZE_MAX;
        for (const auto &x : a.args) {
            seqs.push_back(ev.iterate(x, a.span));
            n = std::min(n, seqs.back().size());
        }
        std::vector<ValuePtr> out;
        for (size_t i = 0; i < n && !seqs.empty(); ++i) {
            std::vector<ValuePtr> t;
            for (auto &s : seqs)
                t.push_back(s[i]);
            out.push_back(Value::tuple(t));
        }
        return Value::list(out);
    });
    def(QStringLiteral("map"), NATIVE {
        Q_UNUSED(self);
        ValuePtr fn = need(ev, a, 0, "func", QStringLiteral("map"));
        std::vector<ValuePtr> out;
        for (const auto &x : ev.iterate(need(ev, a, 1, "iterable", QStringLiteral("map")), a.span)) {
            CallArgs b;
            b.span = a.span;
            b.args.push_back(x);
            out.push_back(ev.call(fn, b));
        }
        return Value::list(out);
    });
    def(QStringLiteral("filter"), NATIVE {
        Q_UNUSED(self);
        ValuePtr fn = need(ev, a, 0, "func", QStringLiteral("filter"));
        std::vector<ValuePtr> out;
        for (const auto &x : ev.iterate(need(ev, a, 1, "iterable", QStringLiteral("filter")), a.span)) {
            ValuePtr keep = x;
            if (fn->kind != Value::Kind::None) {
                CallArgs b;
                b.span = a.span;
                b.args.push_back(x);
                keep = ev.call(fn, b);
            }
            if (ev.truthy(keep, a.span))
                out.push_back(x);
        }
        return Value::list(out);
    });
    def(QStringLiteral("isinstance"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("isinstance"));
        ValuePtr cls = need(ev, a, 1, "class_or_tuple", QStringLiteral("isinstance"));
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
        return Value::boolean(ev.isInstance(v, cls));
    });
    def(QStringLiteral("issubclass"), NATIVE {
        Q_UNUSED(self);
        return Value::boolean(ev.isInstance(need(ev, a, 0, "cls", QStringLiteral("issubclass")), need(ev, a, 1, "class_or_tuple", QStringLiteral("issubclass"))));
    });
    def(QStringLiteral("hasattr"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("hasattr"));
        try {
            ValuePtr r = ev.getAttr(v, needStr(ev, need(ev, a, 1, "name", QStringLiteral("hasattr")), QStringLiteral("attribute name"), a.span), a.span);
            if (r->kind == Value::Kind::Unknown)
                return Value::unknown(r->s, a.span);
            return Value::boolean(true);
        } catch (const PyError &e) {
            if (ev.isInstance(e.exc, ev.exceptionClass(QStringLiteral("AttributeError"))))
                return Value::boolean(false);
            throw;
        }
    });
    def(QStringLiteral("getattr"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("getattr"));
        const QString name = needStr(ev, need(ev, a, 1, "name", QStringLiteral("getattr")), QStringLiteral("attribute name"), a.span);
        try {
            return ev.getAttr(v, name, a.span);
        } catch (const PyError &e) {
            if (a.args.size() > 2 && ev.isInstance(e.exc, ev.exceptionClass(QStringLiteral("AttributeError"))))
                return a.args[2];
            throw;
        }
    });
    def(QStringLiteral("setattr"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("setattr"));
        const QString name = needStr(ev, need(ev, a, 1, "name", QStringLiteral("setattr")), QStringLiteral("attribute name"), a.span);
        if (v->kind == Value::Kind::Instance || v->kind == Value::Kind::Class || v->kind == Value::Kind::Module)
            v->dict->set(QStringLiteral("s:") + name, Value::str(name), need(ev, a, 2, "value", QStringLiteral("setattr")), a.span);
        return Value::none();
    });
    def(QStringLiteral("callable"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "obj", QStringLiteral("callable"));
        const auto k = v->kind;
        return Value::boolean(k == Value::Kind::Function || k == Value::Kind::Native || k == Value::Kind::Class || k == Value::Kind::Imported);
    });
    def(QStringLiteral("print"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::none(); });
    def(QStringLiteral("chr"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "i", QStringLiteral("chr"));
        if (!v->isIntLike() || v->asInt() < 0 || v->asInt() > 0x10FFFF)
            ev.raise(QStringLiteral("ValueError"), QStringLiteral("chr() arg not in range(0x110000)"), a.span);
        const char32_t c = char32_t(v->asInt());
        return Value::str(QString::fromUcs4(&c, 1));
    });
    def(QStringLiteral("ord"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "c", QStringLiteral("ord"));
        if ((v->kind != Value::Kind::Str && v->kind != Value::Kind::Bytes) || v->s.isEmpty())
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("ord() expected a character"), a.span);
        const auto ucs = v->s.toUcs4();
        if (ucs.size() != 1)
            ev.raise(QStringLiteral("TypeError"), QStringLiteral("ord() expected a character, but string of length %1 found").arg(ucs.size()), a.span);
        return Value::integer(ucs[0]);
    });
    def(QStringLiteral("format"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "value", QStringLiteral("format"));
        ValuePtr spec = argAt(a, 1, "format_spec");
        if (v->kind == Value::Kind::Unknown)
            return v;
        return Value::str(ev.format(v, spec ? pyStr(spec) : QString(), a.span));
    });
    auto radix = [](int base) {
        return [base](Evaluator &ev, const ValuePtr &, CallArgs &a) -> ValuePtr {
            ValuePtr v = need(ev, a, 0, "number", QStringLiteral("hex"));
            if (!v->isIntLike())
                ev.raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object cannot be interpreted as an integer").arg(typeName(*v)), a.span);
            const qint64 x = v->asInt();
            const QString prefix = base == 16 ? QStringLiteral("0x") : base == 8 ? QStringLiteral("0o") : QStringLiteral("0b");
            return Value::str((x < 0 ? QStringLiteral("-") : QString()) + prefix + QString::number(x < 0 ? quint64(0) - quint64(x) : quint64(x), base));
        };
    };
    def(QStringLiteral("hex"), radix(16));
    def(QStringLiteral("oct"), radix(8));
    def(QStringLiteral("bin"), radix(2));
    def(QStringLiteral("divmod"), NATIVE {
        Q_UNUSED(self);
        ValuePtr x = need(ev, a, 0, "x", QStringLiteral("divmod")), y = need(ev, a, 1, "y", QStringLiteral("divmod"));
        return Value::tuple({ev.binaryOp(QStringLiteral("//"), x, y, a.span), ev.binaryOp(QStringLiteral("%"), x, y, a.span)});
    });
    def(QStringLiteral("pow"), NATIVE {
        Q_UNUSED(self);
        return ev.binaryOp(QStringLiteral("**"), need(ev, a, 0, "base", QStringLiteral("pow")), need(ev, a, 1, "exp", QStringLiteral("pow")), a.span);
    });
    def(QStringLiteral("type"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = need(ev, a, 0, "object", QStringLiteral("type"));
        if (a.args.size() != 1)
            return Value::unknown(QStringLiteral("type() with three arguments is not modelled"), a.span);
        if (v->kind == Value::Kind::Instance)
            return v->self;
        if (ValuePtr b = ev.builtin(typeName(*v)))
            return b;
        return Value::unknown(QStringLiteral("type of %1").arg(typeName(*v)), a.span);
    });
    def(QStringLiteral("id"), NATIVE { Q_UNUSED(self); return Value::unknown(QStringLiteral("id() is not deterministic"), a.span); Q_UNUSED(ev); });
    def(QStringLiteral("hash"), NATIVE { Q_UNUSED(self); return Value::unknown(QStringLiteral("hash() is not deterministic"), a.span); Q_UNUSED(ev); });
    def(QStringLiteral("iter"), NATIVE { Q_UNUSED(self); return Value::list(ev.iterate(need(ev, a, 0, "object", QStringLiteral("iter")), a.span)); });
    def(QStringLiteral("next"), NATIVE {
        Q_UNUSED(self);
        ValuePtr it = need(ev, a, 0, "iterator", QStringLiteral("next"));
        if (it->kind == Value::Kind::List && !it->items.empty()) {
            ValuePtr v = it->items.front();
            it->items.erase(it->items.begin());
            return v;
        }
        if (ValuePtr d = argAt(a, 1, "default"))
            return d;
        ev.raise(QStringLiteral("StopIteration"), QString(), a.span);
    });
    def(QStringLiteral("object"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::object(QStringLiteral("object")); });
    for (const char *wrapper : {"staticmethod", "classmethod", "property"}) {
        const QString w = QLatin1String(wrapper);
        def(w, NATIVE_CAPTURE(w) {
            Q_UNUSED(self);
            ValuePtr o = Value::object(w);
            o->self = need(ev, a, 0, "function", w);
            return o;
        });
    }
    def(QStringLiteral("super"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); return Value::unknown(QStringLiteral("super() is not modelled"), a.span); });
    def(QStringLiteral("vars"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); return Value::unknown(QStringLiteral("vars() is not modelled"), a.span); });
    def(QStringLiteral("globals"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); return Value::unknown(QStringLiteral("globals() is not modelled"), a.span); });
    def(QStringLiteral("locals"), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); return Value::unknown(QStringLiteral("locals() is not modelled"), a.span); });
    for (const char *n : {"open", "exec", "eval", "compile", "__import__", "input", "breakpoint", "help", "memoryview", "delattr"})
        m_builtins.insert(QLatin1String(n), sideEffect(QLatin1String(n)));
    m_builtins.insert(QStringLiteral("exit"), exitFn(QStringLiteral("exit")));
    m_builtins.insert(QStringLiteral("quit"), exitFn(QStringLiteral("quit")));
    m_builtins.insert(QStringLiteral("NotImplemented"), Value::object(QStringLiteral("NotImplementedType")));
    m_builtins.insert(QStringLiteral("Ellipsis"), [] { auto e = std::make_shared<Value>(); e->kind = Value::Kind::Ellipsis; return e; }());
    m_builtins.insert(QStringLiteral("bytes"), Value::native(QStringLiteral("bytes"), NATIVE {
        Q_UNUSED(self);
        ValuePtr v = argAt(a, 0, "source");
        if (!v)
            return Value::bytes(QString());
        if (v->kind == Value::Kind::Str)
            return Value::bytes(QString::fromLatin1(v->s.toUtf8()));
        if (v->kind == Value::Kind::Bytes)
            return v;
        ev.raise(QStringLiteral("TypeError"), QStringLiteral("cannot convert '%1' object to bytes").arg(typeName(*v)), a.span);
    }));

    // os.environ: the injected environment, never the process's own at evaluation time.
    m_environ = Value::object(QStringLiteral("os._Environ"));
    QStringList names = m_opt.environment.keys();
    names.sort();
    for (const QString &k : names)
        m_environ->dict->set(QStringLiteral("s:") + k, Value::str(k), Value::str(m_opt.environment.value(k)), {});
}

ValuePtr Evaluator::modelledModule(const QString &dotted, const SourceSpan &span)
{
    if (auto it = m_modules.find(dotted); it != m_modules.end() && it.value())
        return it.value();
    const QString top = dotted.section(u'.', 0, 0);
    if (dotted == u"os") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("environ"), m_environ);
        put(m, QStringLiteral("getenv"), Value::native(QStringLiteral("getenv"), NATIVE {
                                             Q_UNUSED(self);
                                             ValuePtr k = need(ev, a, 0, "key", QStringLiteral("getenv"));
                                             ValuePtr d = argAt(a, 1, "default");
                                             if (k->kind == Value::Kind::Unknown)
                                                 return Value::unknown(k->s, a.span);
                                             const QString key = needStr(ev, k, QStringLiteral("str expected, not %1").arg(typeName(*k)), a.span);
                                             return ev.envLookup(key, d ? d : Value::none(), d != nullptr, a.span);
                                         }));
        put(m, QStringLiteral("sep"), Value::str(QStringLiteral("/")));
        put(m, QStringLiteral("linesep"), Value::str(QStringLiteral("\n")));
        put(m, QStringLiteral("pathsep"), Value::str(QStringLiteral(":")));
        put(m, QStringLiteral("name"), Value::str(QStringLiteral("posix")));
        put(m, QStringLiteral("path"), modelledModule(QStringLiteral("os.path")));
        for (const char *n : {"system", "popen", "remove", "unlink", "rmdir", "removedirs", "makedirs", "mkdir", "listdir",
                              "scandir", "walk", "chmod", "chown", "rename", "replace", "symlink", "kill", "fork", "execv",
                              "execve", "execvp", "spawnl", "startfile", "getcwd", "chdir", "urandom", "getpid", "cpu_count",
                              "putenv", "unsetenv", "stat", "access", "open", "read", "write", "getlogin", "uname", "umask", "_exit"})
            put(m, QLatin1String(n), sideEffect(QStringLiteral("os.") + QLatin1String(n)));
        return m;
    }
    if (dotted == u"os.path" || dotted == u"posixpath") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("sep"), Value::str(QStringLiteral("/")));
        put(m, QStringLiteral("join"), Value::native(QStringLiteral("join"), NATIVE {
                                           Q_UNUSED(self);
                                           if (ValuePtr u = anyUnknown(a))
                                               return u;
                                           QString out;
                                           for (size_t i = 0; i < a.args.size(); ++i) {
                                               const QString p = needStr(ev, a.args[i], QStringLiteral("join() argument"), a.span);
                                               if (i == 0 || p.startsWith(u'/'))
                                                   out = p;
                                               else if (out.isEmpty() || out.endsWith(u'/'))
                                                   out += p;
                                               else
                                                   out += u'/' + p;
                                           }
                                           if (a.args.empty())
                                               ev.raise(QStringLiteral("TypeError"), QStringLiteral("join() missing 1 required positional argument: 'a'"), a.span);
                                           return Value::str(out);
                                       }));
        auto pathFn = [&](const char *name, std::function<ValuePtr(Evaluator &, const QString &, const SourceSpan &)> f) {
            const QString n = QLatin1String(name);
            put(m, n, Value::native(n, NATIVE_CAPTURE(f, n) {
                    Q_UNUSED(self);
                    ValuePtr p = need(ev, a, 0, "p", n);
                    if (p->kind == Value::Kind::Unknown)
                        return Value::unknown(p->s, a.span);
                    return f(ev, needStr(ev, p, QStringLiteral("%1() argument").arg(n), a.span), a.span);
                }));
        };
        pathFn("dirname", [](Evaluator &, const QString &p, const SourceSpan &) {
            const int i = p.lastIndexOf(u'/') + 1;
            QString head = p.left(i);
            if (!head.isEmpty() && head != QString(head.size(), u'/'))
                while (head.endsWith(u'/'))
                    head.chop(1);
            return Value::str(head);
        });
        pathFn("basename", [](Evaluator &, const QString &p, const SourceSpan &) { return Value::str(p.mid(p.lastIndexOf(u'/') + 1)); });
        pathFn("normpath", [](Evaluator &, const QString &p, const SourceSpan &) { return Value::str(normPath(p)); });
        pathFn("isabs", [](Evaluator &, const QString &p, const SourceSpan &) { return Value::boolean(p.startsWith(u'/')); });
        pathFn("abspath", [](Evaluator &, const QString &p, const SourceSpan &span) {
            if (p.startsWith(u'/'))
                return Value::str(normPath(p));
            return Value::unknown(QStringLiteral("abspath('%1') depends on the working directory").arg(p), span);
        });
        pathFn("realpath", [](Evaluator &, const QString &p, const SourceSpan &span) {
            if (p.startsWith(u'/'))
                return Value::str(normPath(p)); // symlinks are not followed
            return Value::unknown(QStringLiteral("realpath('%1') depends on the working directory").arg(p), span);
        });
        pathFn("expanduser", [](Evaluator &ev, const QString &p, const SourceSpan &span) {
            if (!p.startsWith(u'~'))
                return Value::str(p);
            ValuePtr home = ev.envLookup(QStringLiteral("HOME"), Value::none(), false, span);
            if (home->kind != Value::Kind::Str || p.startsWith(QStringLiteral("~")) == false || (p.size() > 1 && p.at(1) != u'/'))
                return Value::unknown(QStringLiteral("expanduser('%1') needs the home directory").arg(p), span);
            QString h = home->s;
            while (h.endsWith(u'/') && h.size() > 1)
                h.chop(1);
            return Value::str(h + p.mid(1));
        });
        pathFn("splitext", [](Evaluator &, const QString &p, const SourceSpan &) {
            const int slash = p.lastIndexOf(u'/');
            const int dot = p.lastIndexOf(u'.');
            int start = slash + 1;
            while (start < p.size() && p.at(start) == u'.')
                ++start;
            if (dot > slash && dot >= start)
                return Value::tuple({Value::str(p.left(dot)), Value::str(p.mid(dot))});
            return Value::tuple({Value::str(p), Value::str(QString())});
        });
        pathFn("split", [](Evaluator &, const QString &p, const SourceSpan &) {
            const int i = p.lastIndexOf(u'/') + 1;
            QString head = p.left(i);
            if (!head.isEmpty() && head != QString(head.size(), u'/'))
                while (head.endsWith(u'/'))
                    head.chop(1);
            return Value::tuple({Value::str(head), Value::str(p.mid(i))});
        });
        for (const char *n : {"exists", "isfile", "isdir", "islink", "getsize", "getmtime", "lexists", "samefile", "ismount"})
            put(m, QLatin1String(n), sideEffect(QStringLiteral("os.path.") + QLatin1String(n)));
        return m;
    }
    if (dotted == u"sys") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("exit"), exitFn(QStringLiteral("sys.exit")));
        put(m, QStringLiteral("path"), Value::list());
        put(m, QStringLiteral("argv"), Value::unknown(QStringLiteral("sys.argv depends on how Superset is started"), {}));
        put(m, QStringLiteral("platform"), Value::str(QStringLiteral("linux")));
        put(m, QStringLiteral("maxsize"), Value::integer(std::numeric_limits<qint64>::max()));
        return m;
    }
    if (dotted == u"datetime") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("timedelta"), Value::native(QStringLiteral("timedelta"), NATIVE {
                                                Q_UNUSED(self);
                                                if (ValuePtr u = anyUnknown(a))
                                                    return u;
                                                return Value::timedelta(tdMicros(ev, a));
                                            }));
        for (const char *n : {"datetime", "date", "time", "timezone"}) {
            ValuePtr cls = Value::object(QStringLiteral("datetime.") + QLatin1String(n));
            for (const char *f : {"now", "utcnow", "today", "fromtimestamp"})
                put(cls, QLatin1String(f), Value::native(QLatin1String(f), NATIVE {
                                              Q_UNUSED(ev);
                                              Q_UNUSED(self);
                                              return Value::unknown(QStringLiteral("the current time is not modelled"), a.span);
                                          }));
            put(m, QLatin1String(n), cls);
        }
        return m;
    }
    if (dotted == u"urllib") {
        ValuePtr m = makeModule(dotted, true);
        return m; // urllib.parse is found as a sub-module on attribute access
    }
    if (dotted == u"urllib.parse") {
        ValuePtr m = makeModule(dotted, true);
        for (const char *n : {"urlparse", "urlsplit"})
            put(m, QLatin1String(n), Value::native(QLatin1String(n), NATIVE {
                                         Q_UNUSED(self);
                                         ValuePtr u = need(ev, a, 0, "url", QStringLiteral("urlparse"));
                                         if (u->kind == Value::Kind::Unknown)
                                             return Value::unknown(u->s, a.span);
                                         return parseResult(ev, needStr(ev, u, QStringLiteral("url"), a.span), a.span);
                                     }));
        for (const char *n : {"quote", "quote_plus", "unquote", "unquote_plus"}) {
            const QString name = QLatin1String(n);
            put(m, name, Value::native(name, NATIVE_CAPTURE(name) {
                    Q_UNUSED(self);
                    ValuePtr s = need(ev, a, 0, "string", name);
                    if (s->kind == Value::Kind::Unknown)
                        return Value::unknown(s->s, a.span);
                    const QString text = s->kind == Value::Kind::Bytes ? QString::fromUtf8(s->s.toLatin1()) : needStr(ev, s, QStringLiteral("string"), a.span);
                    if (name.startsWith(u"unquote"))
                        return Value::str(pyUnquote(text, name.endsWith(u"plus")));
                    ValuePtr safe = argAt(a, 1, "safe");
                    const QString safeChars = safe ? pyStr(safe) : (name == u"quote" ? QStringLiteral("/") : QString());
                    return Value::str(pyQuote(text, safeChars, name == u"quote_plus"));
                }));
        }
        put(m, QStringLiteral("urlencode"), Value::native(QStringLiteral("urlencode"), NATIVE {
                                                Q_UNUSED(self);
                                                ValuePtr q = need(ev, a, 0, "query", QStringLiteral("urlencode"));
                                                if (q->kind == Value::Kind::Unknown)
                                                    return Value::unknown(q->s, a.span);
                                                QStringList parts;
                                                std::vector<std::pair<ValuePtr, ValuePtr>> pairs;
                                                if (q->kind == Value::Kind::Dict)
                                                    for (const auto &e : q->dict->entries)
                                                        pairs.emplace_back(e.key, e.value);
                                                else
                                                    for (const auto &p : ev.iterate(q, a.span)) {
                                                        auto kv = ev.iterate(p, a.span);
                                                        if (kv.size() == 2)
                                                            pairs.emplace_back(kv[0], kv[1]);
                                                    }
                                                for (const auto &[k, v] : pairs)
                                                    parts << pyQuote(pyStr(ev.strOf(k, a.span)), QString(), true) + u'=' + pyQuote(pyStr(ev.strOf(v, a.span)), QString(), true);
                                                return Value::str(parts.join(u'&'));
                                            }));
        return m;
    }
    if (dotted == u"re") {
        ValuePtr m = makeModule(dotted, true);
        for (const char *n : {"match", "search", "fullmatch", "sub", "findall", "split", "compile"})
            put(m, QLatin1String(n), reFunction(QLatin1String(n)));
        const std::pair<const char *, int> flags[] = {{"I", 2}, {"IGNORECASE", 2}, {"M", 8}, {"MULTILINE", 8}, {"S", 16},
                                                      {"DOTALL", 16}, {"X", 64}, {"VERBOSE", 64}, {"A", 256}, {"ASCII", 256}, {"U", 32}, {"UNICODE", 32}};
        for (const auto &[n, v] : flags)
            put(m, QLatin1String(n), Value::integer(v));
        put(m, QStringLiteral("escape"), Value::native(QStringLiteral("escape"), NATIVE {
                                             Q_UNUSED(self);
                                             const QString s = needStr(ev, need(ev, a, 0, "pattern", QStringLiteral("escape")), QStringLiteral("pattern"), a.span);
                                             QString out;
                                             for (QChar c : s) {
                                                 if (!(c.isLetterOrNumber() || c == u'_') && c.unicode() < 128)
                                                     out += u'\\';
                                                 out += c;
                                             }
                                             return Value::str(out);
                                         }));
        put(m, QStringLiteral("error"), m_exceptions.value(QStringLiteral("re.error")));
        return m;
    }
    if (dotted == u"logging" || dotted == u"logging.config" || dotted == u"logging.handlers") {
        ValuePtr m = makeModule(dotted, true);
        const std::pair<const char *, int> levels[] = {{"NOTSET", 0}, {"DEBUG", 10}, {"INFO", 20}, {"WARNING", 30}, {"WARN", 30}, {"ERROR", 40}, {"CRITICAL", 50}, {"FATAL", 50}};
        for (const auto &[n, v] : levels)
            put(m, QLatin1String(n), Value::integer(v));
        auto noop = NATIVE { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::none(); };
        for (const char *n : {"basicConfig", "debug", "info", "warning", "warn", "error", "exception", "critical", "disable", "captureWarnings", "setLoggerClass"})
            put(m, QLatin1String(n), Value::native(QLatin1String(n), noop));
        put(m, QStringLiteral("getLogger"), Value::native(QStringLiteral("getLogger"), NATIVE {
                                                Q_UNUSED(ev);
                                                Q_UNUSED(self);
                                                Q_UNUSED(a);
                                                return Value::object(QStringLiteral("logging.Logger"));
                                            }));
        for (const char *n : {"StreamHandler", "Formatter", "NullHandler", "Filter"})
            put(m, QLatin1String(n), Value::native(QLatin1String(n), NATIVE {
                                         Q_UNUSED(ev);
                                         Q_UNUSED(self);
                                         Q_UNUSED(a);
                                         return Value::object(QStringLiteral("logging.Handler"));
                                     }));
        for (const char *n : {"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "dictConfig", "fileConfig", "SysLogHandler"})
            put(m, QLatin1String(n), sideEffect(dotted + u'.' + QLatin1String(n)));
        return m;
    }
    if (dotted == u"ast") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("literal_eval"), Value::native(QStringLiteral("literal_eval"), NATIVE {
                                                   Q_UNUSED(self);
                                                   ValuePtr s = need(ev, a, 0, "node_or_string", QStringLiteral("literal_eval"));
                                                   if (s->kind == Value::Kind::Unknown)
                                                       return Value::unknown(s->s, a.span);
                                                   return ev.literalEval(needStr(ev, s, QStringLiteral("literal_eval() argument"), a.span), a.span);
                                               }));
        return m;
    }
    if (dotted == u"distutils" || dotted == u"distutils.util" || dotted == u"str2bool") {
        ValuePtr m = makeModule(dotted, true);
        put(m, QStringLiteral("strtobool"), Value::native(QStringLiteral("strtobool"), NATIVE {
                                                Q_UNUSED(self);
                                                ValuePtr s = need(ev, a, 0, "val", QStringLiteral("strtobool"));
                                                if (s->kind == Value::Kind::Unknown)
                                                    return Value::unknown(s->s, a.span);
                                                const QString v = needStr(ev, s, QStringLiteral("val"), a.span).toLower();
                                                if (QStringList{QStringLiteral("y"), QStringLiteral("yes"), QStringLiteral("t"), QStringLiteral("true"), QStringLiteral("on"), QStringLiteral("1")}.contains(v))
                                                    return Value::integer(1);
                                                if (QStringList{QStringLiteral("n"), QStringLiteral("no"), QStringLiteral("f"), QStringLiteral("false"), QStringLiteral("off"), QStringLiteral("0")}.contains(v))
                                                    return Value::integer(0);
                                                ev.raise(QStringLiteral("ValueError"), QStringLiteral("invalid truth value %1").arg(pyRepr(s)), a.span);
                                            }));
        return m;
    }
    if (dotted == u"typing" || dotted == u"__future__" || dotted == u"typing_extensions" || dotted == u"collections" || dotted == u"functools"
        || dotted == u"json" || dotted == u"pathlib" || dotted == u"socket" || dotted == u"subprocess" || dotted == u"shutil"
        || dotted == u"importlib" || dotted == u"secrets" || dotted == u"uuid" || dotted == u"random" || dotted == u"time"
        || dotted == u"warnings" || dotted == u"base64" || dotted == u"hashlib") {
        // Known standard modules that are not modelled: their names are unknowns, importing them is fine.
        ValuePtr m = makeModule(dotted, true);
        if (dotted == u"typing" || dotted == u"typing_extensions")
            put(m, QStringLiteral("TYPE_CHECKING"), Value::boolean(false));
        if (dotted == u"json")
            put(m, QStringLiteral("JSONDecodeError"), m_exceptions.value(QStringLiteral("json.JSONDecodeError")));
        if (dotted == u"json")
            put(m, QStringLiteral("loads"), Value::native(QStringLiteral("loads"), NATIVE {
                                                Q_UNUSED(self);
                                                ValuePtr s = need(ev, a, 0, "s", QStringLiteral("loads"));
                                                if (s->kind == Value::Kind::Unknown)
                                                    return Value::unknown(s->s, a.span);
                                                const QString text = s->kind == Value::Kind::Bytes ? QString::fromUtf8(s->s.toLatin1())
                                                                                                  : needStr(ev, s, QStringLiteral("the JSON object"), a.span);
                                                return JsonReader(ev, text, a.span).parse();
                                            }));
        if (dotted == u"subprocess" || dotted == u"shutil" || dotted == u"socket")
            for (const char *n : {"run", "call", "check_call", "check_output", "Popen", "rmtree", "copy", "move", "socket", "gethostname", "gethostbyname"})
                put(m, QLatin1String(n), sideEffect(dotted + u'.' + QLatin1String(n)));
        if (dotted == u"warnings")
            for (const char *n : {"filterwarnings", "simplefilter", "warn"})
                put(m, QLatin1String(n), Value::native(QLatin1String(n), NATIVE { Q_UNUSED(ev); Q_UNUSED(self); Q_UNUSED(a); return Value::none(); }));
        return m;
    }
    if (dotted == u"flask_appbuilder.security.manager") {
        ValuePtr m = makeModule(dotted, true);
        const std::pair<const char *, int> auth[] = {{"AUTH_OID", 0}, {"AUTH_DB", 1}, {"AUTH_LDAP", 2}, {"AUTH_REMOTE_USER", 3}, {"AUTH_OAUTH", 4}};
        for (const auto &[n, v] : auth)
            put(m, QLatin1String(n), Value::integer(v));
        return m;
    }
    if (dotted == u"superset.config") {
        // Superset's documented defaults (FORMATS.md §3.1, 3.x/4.x line). Names it defines that
        // are not modelled here stay resolvable after a star import, as unknowns (see lookup()).
        // tests/fixtures/oracle/configoracle.py defines the same names in the same order.
        ValuePtr m = makeModule(dotted, true);
        m_modules.insert(dotted, m); // computed once: it reads the environment
        // apache/superset › superset/config.py @ 4.0.0: SUPERSET_HOME, else ~/.superset; the
        // metadata DB defaults to a SQLite file there. BASE_DIR is where the package is installed.
        {
            const ValuePtr home = Value::str(QStringLiteral("SUPERSET_HOME"));
            const ValuePtr osPath = modelledModule(QStringLiteral("os.path"));
            auto callPath = [&](const char *fn, std::vector<ValuePtr> args) {
                CallArgs a;
                a.span = span;
                a.args = std::move(args);
                return call(osPath->dict->get(QLatin1String(fn)), a);
            };
            const ValuePtr dataDir = contains(m_environ, home, span) ? getItem(m_environ, home, span)
                                                                       : callPath("expanduser", {Value::str(QStringLiteral("~/.superset"))});
            put(m, QStringLiteral("BASE_DIR"), Value::unknown(QStringLiteral("superset.config.BASE_DIR: the directory Superset is installed in"), span));
            put(m, QStringLiteral("DATA_DIR"), dataDir);
            const ValuePtr db = callPath("join", {dataDir, Value::str(QStringLiteral("superset.db"))});
            put(m, QStringLiteral("SQLALCHEMY_DATABASE_URI"),
                db->kind == Value::Kind::Str ? Value::str(QStringLiteral("sqlite:///") + db->s) : db);
        }
        for (const char *mod : {"os", "sys", "re", "json", "logging"}) // its own imports come along with '*'
            put(m, QLatin1String(mod), modelledModule(QLatin1String(mod)));
        const std::pair<const char *, qint64> numbers[] = {
            {"ROW_LIMIT", 50000}, {"SAMPLES_ROW_LIMIT", 1000}, {"FILTER_SELECT_ROW_LIMIT", 10000},
            {"SUPERSET_WEBSERVER_TIMEOUT", 60}, {"SQLLAB_TIMEOUT", 30}, {"SQLLAB_ASYNC_TIME_LIMIT_SEC", 21600},
            {"SQL_MAX_ROW", 100000}, {"DISPLAY_MAX_ROW", 10000}, {"GLOBAL_ASYNC_QUERIES_REDIS_STREAM_LIMIT", 1000},
            {"GLOBAL_ASYNC_QUERIES_REDIS_STREAM_LIMIT_FIREHOSE", 1000000}};
        for (const auto &[n, v] : numbers)
            put(m, QLatin1String(n), Value::integer(v));
        put(m, QStringLiteral("APP_NAME"), Value::str(QStringLiteral("Superset")));
        put(m, QStringLiteral("APP_ICON"), Value::str(QStringLiteral("/static/assets/images/superset-logo-horiz.png")));
        put(m, QStringLiteral("SQLALCHEMY_TRACK_MODIFICATIONS"), Value::boolean(false));
        put(m, QStringLiteral("WTF_CSRF_ENABLED"), Value::boolean(true));
        put(m, QStringLiteral("ENABLE_PROXY_FIX"), Value::boolean(false));
        {
            auto logger = std::make_shared<Value>();
            logger->kind = Value::Kind::Call;
            logger->s = QStringLiteral("superset.stats_logger.DummyStatsLogger");
            logger->dict = std::make_shared<DictData>();
            put(m, QStringLiteral("STATS_LOGGER"), logger);
        }
        auto dict = [](std::initializer_list<std::pair<const char *, ValuePtr>> items) {
            ValuePtr d = Value::newDict();
            for (const auto &[k, v] : items)
                d->dict->set(QStringLiteral("s:") + QLatin1String(k), Value::str(QLatin1String(k)), v, {});
            return d;
        };
        auto codec = [] {
            auto c = std::make_shared<Value>();
            c->kind = Value::Kind::Call;
            c->s = QStringLiteral("superset.key_value.types.JsonKeyValueCodec");
            c->dict = std::make_shared<DictData>();
            return c;
        };
        put(m, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), Value::integer(86400));
        put(m, QStringLiteral("CACHE_CONFIG"), dict({{"CACHE_TYPE", Value::str(QStringLiteral("NullCache"))}}));
        put(m, QStringLiteral("DATA_CACHE_CONFIG"), dict({{"CACHE_TYPE", Value::str(QStringLiteral("NullCache"))}}));
        put(m, QStringLiteral("FILTER_STATE_CACHE_CONFIG"),
            dict({{"CACHE_TYPE", Value::str(QStringLiteral("SupersetMetastoreCache"))}, {"CACHE_DEFAULT_TIMEOUT", Value::integer(7776000)},
                  {"REFRESH_TIMEOUT_ON_RETRIEVAL", Value::boolean(true)}, {"CODEC", codec()}}));
        put(m, QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG"),
            dict({{"CACHE_TYPE", Value::str(QStringLiteral("SupersetMetastoreCache"))}, {"CACHE_DEFAULT_TIMEOUT", Value::integer(604800)},
                  {"REFRESH_TIMEOUT_ON_RETRIEVAL", Value::boolean(true)}, {"CODEC", codec()}}));
        put(m, QStringLiteral("THUMBNAIL_CACHE_CONFIG"),
            dict({{"CACHE_TYPE", Value::str(QStringLiteral("NullCache"))}, {"CACHE_NO_NULL_WARNING", Value::boolean(true)}}));
        put(m, QStringLiteral("STORE_CACHE_KEYS_IN_METADATA_DB"), Value::boolean(false));
        put(m, QStringLiteral("RESULTS_BACKEND"), Value::none());
        put(m, QStringLiteral("RESULTS_BACKEND_USE_MSGPACK"), Value::boolean(true));
        put(m, QStringLiteral("FEATURE_FLAGS"), Value::newDict());
        put(m, QStringLiteral("GLOBAL_ASYNC_QUERIES_REDIS_CONFIG"),
            dict({{"port", Value::integer(6379)}, {"host", Value::str(QStringLiteral("127.0.0.1"))}, {"password", Value::str(QString())},
                  {"db", Value::integer(0)}, {"ssl", Value::boolean(false)}}));
        put(m, QStringLiteral("GLOBAL_ASYNC_QUERIES_REDIS_STREAM_PREFIX"), Value::str(QStringLiteral("async-events-")));
        put(m, QStringLiteral("timedelta"), modelledModule(QStringLiteral("datetime"))->dict->get(QStringLiteral("timedelta")));
        return m;
    }
    if (recordedPrefixes().contains(top) || top == u"cachelib" || dotted.startsWith(QStringLiteral("werkzeug.contrib"))) {
        // Cache, stats and schedule classes: names become import paths; calls become records.
        return Value::imported(dotted);
    }
    return nullptr;
}

} // namespace cachescope::py
