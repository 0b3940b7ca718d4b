#include "configeditor.h"

#include "configjson.h"
#include "pyast.h"
#include "pyparser.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <functional>

namespace cachescope {

using py::Node;
using py::NodeKind;

namespace {

const QString kTimeoutKey = QStringLiteral("CACHE_DEFAULT_TIMEOUT");

// The file's text with its line starts counted as the lexer counts them (\n, \r\n or a lone \r),
// so a node's (line, column) maps back to a character offset; columns count UTF-16 units.
struct Text
{
    QString s;
    std::vector<int> lineStart;

    explicit Text(QString text) : s(std::move(text))
    {
        lineStart.push_back(0);
        for (int i = 0; i < s.size(); ++i) {
            if (s.at(i) == u'\r' && i + 1 < s.size() && s.at(i + 1) == u'\n')
                continue;
            if (s.at(i) == u'\n' || s.at(i) == u'\r')
                lineStart.push_back(i + 1);
        }
    }
    int offset(int line, int column) const
    {
        if (line < 1 || line > int(lineStart.size()))
            return -1;
        return std::min<int>(lineStart[size_t(line - 1)] + column - 1, int(s.size()));
    }
    int begin(const SourceSpan &span) const { return offset(span.line, span.column); }
    int end(const SourceSpan &span) const { return offset(span.endLine, span.endColumn); }
    int lineOf(int offset) const
    {
        return int(std::upper_bound(lineStart.begin(), lineStart.end(), offset) - lineStart.begin());
    }
    int lineBegin(int offset) const { return lineStart[size_t(lineOf(offset) - 1)]; }
    // Offset of the line break that ends the line holding `offset` (or the end of the text).
    int lineEnd(int offset) const
    {
        int i = offset;
        while (i < s.size() && s.at(i) != u'\n' && s.at(i) != u'\r')
            ++i;
        return i;
    }
    // After the line break that ends the line holding `offset`.
    int nextLine(int offset) const
    {
        int i = lineEnd(offset);
        if (i < s.size() && s.at(i) == u'\r' && i + 1 < s.size() && s.at(i + 1) == u'\n')
            return i + 2;
        return i < s.size() ? i + 1 : i;
    }
    QString newline() const
    {
        const int n = s.indexOf(u'\n');
        if (n > 0 && s.at(n - 1) == u'\r')
            return QStringLiteral("\r\n");
        if (n < 0 && s.contains(u'\r'))
            return QStringLiteral("\r");
        return QStringLiteral("\n");
    }
    // Only blanks, an optional comma and an optional comment between `from` and the line's end.
    bool restOfLineIsTrivia(int from, bool allowComma = true) const
    {
        int i = from;
        const int e = lineEnd(from);
        while (i < e && (s.at(i) == u' ' || s.at(i) == u'\t'))
            ++i;
        if (allowComma && i < e && s.at(i) == u',')
            ++i;
        while (i < e && (s.at(i) == u' ' || s.at(i) == u'\t'))
            ++i;
        return i == e || s.at(i) == u'#';
    }
    bool onlyBlanksBefore(int offset) const
    {
        for (int i = lineBegin(offset); i < offset; ++i)
            if (s.at(i) != u' ' && s.at(i) != u'\t')
                return false;
        return true;
    }
    QString indentOf(int offset) const
    {
        const int b = lineBegin(offset);
        int i = b;
        while (i < s.size() && (s.at(i) == u' ' || s.at(i) == u'\t'))
            ++i;
        return s.mid(b, i - b);
    }
    // The first non-blank character at or after `from` on the same line, or -1.
    int skipBlanks(int from) const
    {
        int i = from;
        while (i < s.size() && (s.at(i) == u' ' || s.at(i) == u'\t'))
            ++i;
        return i;
    }
};

struct Replacement
{
    int from = 0; // character offsets in Text::s
    int to = 0;
    QString text;
};

// Every node of the tree with its parent, in source order.
void walk(Node *n, Node *parent, const std::function<void(Node *, Node *)> &visit)
{
    if (!n)
        return;
    visit(n, parent);
    for (Node *c : {n->a, n->b, n->c})
        walk(c, n, visit);
    for (const auto *list : {&n->list, &n->list2, &n->list3, &n->list4})
        for (Node *c : *list)
            walk(c, n, visit);
}

bool sameStart(const SourceSpan &a, const SourceSpan &b)
{
    return a.line == b.line && a.column == b.column;
}
bool sameEnd(const SourceSpan &a, const SourceSpan &b)
{
    return a.endLine == b.endLine && a.endColumn == b.endColumn;
}
bool within(const SourceSpan &inner, const SourceSpan &outer)
{
    auto before = [](int l1, int c1, int l2, int c2) { return l1 < l2 || (l1 == l2 && c1 <= c2); };
    return before(outer.line, outer.column, inner.line, inner.column)
        && before(inner.endLine, inner.endColumn, outer.endLine, outer.endColumn);
}

bool isStr(const Node *n, const QString &value)
{
    return n && n->kind == NodeKind::Constant && n->constKind == py::ConstKind::Str && n->str == value;
}
bool isName(const Node *n, const QString &name)
{
    return n && n->kind == NodeKind::Name && n->str == name;
}
// "x.y.z" for a Name/Attribute chain, empty otherwise.
QString dotted(const Node *n)
{
    if (!n)
        return {};
    if (n->kind == NodeKind::Name)
        return n->str;
    if (n->kind == NodeKind::Attribute) {
        const QString base = dotted(n->a);
        return base.isEmpty() ? QString() : base + u'.' + n->str;
    }
    return {};
}

// A number, arithmetic of literals, int()/float() of them, timedelta(...) of literals and
// timedelta(...).total_seconds(): values the editor may replace without losing anything.
bool isLiteral(const Node *n)
{
    if (!n)
        return false;
    switch (n->kind) {
    case NodeKind::Constant:
        return n->constKind == py::ConstKind::Int || n->constKind == py::ConstKind::Float;
    case NodeKind::UnaryOp:
        return (n->str == u"-" || n->str == u"+") && isLiteral(n->a);
    case NodeKind::BinOp: {
        static const QStringList ops = {QStringLiteral("+"), QStringLiteral("-"), QStringLiteral("*"), QStringLiteral("/"),
                                        QStringLiteral("//"), QStringLiteral("%"), QStringLiteral("**")};
        return ops.contains(n->str) && isLiteral(n->a) && isLiteral(n->b);
    }
    case NodeKind::Call: {
        const QString f = dotted(n->a);
        const bool args = std::all_of(n->list.begin(), n->list.end(), isLiteral)
                       && std::all_of(n->list2.begin(), n->list2.end(), [](const Node *k) { return !k->str.isEmpty() && isLiteral(k->a); });
        if (f == u"int" || f == u"float")
            return n->list.size() == 1 && n->list2.empty() && args;
        if (f == u"timedelta" || f == u"datetime.timedelta")
            return args;
        // timedelta(...).total_seconds()
        if (n->a && n->a->kind == NodeKind::Attribute && n->a->str == u"total_seconds" && n->list.empty() && n->list2.empty())
            return n->a->a && n->a->a->kind == NodeKind::Call && isLiteral(n->a->a);
        return false;
    }
    default:
        return false;
    }
}

struct Planner
{
    const Text &text;
    const ConfigReport &report;
    py::Module &tree;
    QHash<const Node *, Node *> parents;
    QString fileName;

    Planner(const Text &t, const ConfigReport &r, py::Module &m, const QString &name) : text(t), report(r), tree(m), fileName(name)
    {
        walk(tree.root, nullptr, [&](Node *n, Node *p) { parents.insert(n, p); });
    }

    QString where(const SourceSpan &span) const
    {
        if (!span.isValid())
            return QStringLiteral("Superset's defaults");
        return QStringLiteral("%1:%2").arg(fileName).arg(span.line);
    }
    // Environment variables read anywhere inside `span` of the main file.
    QStringList envReadsIn(const SourceSpan &span) const
    {
        QStringList names;
        for (const auto &read : report.envReads)
            if (read.file.isEmpty() && within(read.span, span) && !names.contains(read.name))
                names << read.name;
        return names;
    }
    // "the helper make_cache() (file:4)" when `call` calls a function defined in the file.
    QString helperCalled(const Node *call) const
    {
        if (!call || call->kind != NodeKind::Call || !call->a || call->a->kind != NodeKind::Name || !report.globals)
            return {};
        const auto *e = report.globals->vars->entry(call->a->str);
        if (!e || !e->value || e->value->kind != py::Value::Kind::Function)
            return {};
        return QStringLiteral("the helper %1() (%2)").arg(call->a->str, where(e->span));
    }

    Node *statementOf(const Node *n) const
    {
        for (Node *p = parents.value(n); p; p = parents.value(p))
            if (p->kind == NodeKind::Assign || p->kind == NodeKind::AnnAssign || p->kind == NodeKind::AugAssign
                || p->kind == NodeKind::ExprStmt)
                return p;
        return nullptr;
    }
    bool insideBlock(const Node *statement) const
    {
        const Node *p = parents.value(statement);
        return p && p->kind != NodeKind::Module;
    }

    // Why a value cannot be rewritten: the environment variables, helpers or variables it comes from.
    QString refusal(const QString &setting, const Node *value, int depth = 0) const
    {
        QStringList env;
        QStringList helpers;
        QStringList variables;
        collectOrigins(value, &env, &helpers, &variables, depth);
        if (!env.isEmpty())
            return QStringLiteral("%1 (%2) comes from the environment variable%3 %4: change %5 instead of the file")
                .arg(setting, where(value->span), env.size() > 1 ? QStringLiteral("s") : QString(),
                     env.join(QStringLiteral(", ")), env.size() > 1 ? QStringLiteral("them") : QStringLiteral("it"));
        if (!helpers.isEmpty())
            return QStringLiteral("%1 (%2) is computed by %3: change it there").arg(setting, where(value->span), helpers.join(QStringLiteral(", ")));
        if (!variables.isEmpty())
            return QStringLiteral("%1 (%2) is the value of %3, which other settings may share: edit that assignment")
                .arg(setting, where(value->span), variables.join(QStringLiteral(", ")));
        return QStringLiteral("%1 (%2) is `%3`, not a literal CacheScope can rewrite (a number, arithmetic of numbers or "
                              "timedelta(...) of numbers)")
            .arg(setting, where(value->span), text.s.mid(text.begin(value->span), text.end(value->span) - text.begin(value->span)).simplified());
    }

    void collectOrigins(const Node *value, QStringList *env, QStringList *helpers, QStringList *variables, int depth) const
    {
        for (const auto &read : report.envReads)
            if (read.file.isEmpty() && within(read.span, value->span) && !env->contains(read.name))
                env->append(read.name);
        if (depth > 4)
            return;
        std::vector<const Node *> names;
        walk(const_cast<Node *>(value), nullptr, [&](Node *n, Node *parent) {
            if (n->kind != NodeKind::Name)
                return;
            const bool callee = parent && parent->kind == NodeKind::Call && parent->a == n;
            if (callee && (n->str == u"int" || n->str == u"float" || n->str == u"timedelta"))
                return;
            if (n->str == u"os" || n->str == u"datetime")
                return;
            names.push_back(n);
        });
        for (const Node *n : names) {
            const auto *entry = report.globals ? report.globals->vars->entry(n->str) : nullptr;
            if (!entry)
                continue;
            if (entry->value && entry->value->kind == py::Value::Kind::Function) {
                const QString h = QStringLiteral("the helper %1() (%2)").arg(n->str, where(entry->span));
                if (!helpers->contains(h))
                    helpers->append(h);
                continue;
            }
            // A variable: where it was bound may read the environment in turn.
            const qsizetype before = env->size();
            for (const auto &read : report.envReads)
                if (read.file.isEmpty() && within(read.span, entry->span) && !env->contains(read.name))
                    env->append(read.name);
            if (env->size() == before) {
                const QString v = QStringLiteral("the variable %1 (%2)").arg(n->str, where(entry->span));
                if (!variables->contains(v))
                    variables->append(v);
            }
        }
    }

    // The top-level binding of `name` whose span is `span` (target start … value end).
    Node *bindingOf(const QString &name, const SourceSpan &span) const
    {
        Node *found = nullptr;
        walk(tree.root, nullptr, [&](Node *n, Node *) {
            if (found)
                return;
            if (n->kind == NodeKind::Assign) {
                for (Node *t : n->list)
                    if (isName(t, name) && sameStart(t->span, span) && n->a && sameEnd(n->a->span, span))
                        found = n;
            } else if (n->kind == NodeKind::AnnAssign && isName(n->a, name) && n->c && sameStart(n->a->span, span)) {
                found = n;
            }
        });
        return found;
    }
    static Node *valueOf(Node *binding)
    {
        return binding->kind == NodeKind::Assign ? binding->a : binding->c;
    }

    // Where a dict entry was set: a `"K": v` item, a K=v keyword, or X["K"] = v.
    struct Site
    {
        enum Kind { DictItem, Keyword, Subscript } kind = DictItem;
        Node *value = nullptr;
        Node *keyStart = nullptr; // the key constant or the keyword (what a removal starts at)
        Node *container = nullptr; // DictExpr or Call (DictItem/Keyword)
        size_t index = 0;
        Node *statement = nullptr;
    };
    std::optional<Site> siteOf(const SourceSpan &entrySpan) const
    {
        std::optional<Site> site;
        walk(tree.root, nullptr, [&](Node *n, Node *) {
            if (site)
                return;
            if (n->kind == NodeKind::DictExpr) {
                for (size_t i = 0; i < n->list.size(); ++i)
                    if (isStr(n->list[i], kTimeoutKey) && sameStart(n->list[i]->span, entrySpan) && sameEnd(n->list2[i]->span, entrySpan))
                        site = Site{Site::DictItem, n->list2[i], n->list[i], n, i, statementOf(n)};
            } else if (n->kind == NodeKind::Call) {
                for (size_t i = 0; i < n->list2.size(); ++i)
                    if (n->list2[i]->str == kTimeoutKey && sameStart(n->list2[i]->span, entrySpan) && sameEnd(n->list2[i]->span, entrySpan))
                        site = Site{Site::Keyword, n->list2[i]->a, n->list2[i], n, i, statementOf(n)};
            } else if (n->kind == NodeKind::Assign && n->list.size() == 1 && n->list[0]->kind == NodeKind::Subscript
                       && isStr(n->list[0]->b, kTimeoutKey) && n->a && sameStart(n->a->span, entrySpan) && sameEnd(n->a->span, entrySpan)) {
                site = Site{Site::Subscript, n->a, n->list[0], nullptr, 0, n};
            }
        });
        return site;
    }
    // The statement assigns, subscripts or updates `name` itself (not another dict it borrows from).
    static bool statementOwnedBy(const Node *statement, const QString &name)
    {
        if (!statement)
            return false;
        if (statement->kind == NodeKind::Assign) {
            for (const Node *t : statement->list)
                if (isName(t, name) || (t->kind == NodeKind::Subscript && isName(t->a, name)))
                    return true;
            return false;
        }
        if (statement->kind == NodeKind::AnnAssign)
            return isName(statement->a, name);
        if (statement->kind == NodeKind::ExprStmt && statement->a && statement->a->kind == NodeKind::Call) {
            const Node *f = statement->a->a;
            return f && f->kind == NodeKind::Attribute && f->str == u"update" && isName(f->a, name);
        }
        return false;
    }

    // A whole-line removal of [from, to) when nothing else shares those lines, else nullopt.
    std::optional<Replacement> removeLines(int from, int to) const
    {
        if (!text.onlyBlanksBefore(from) || !text.restOfLineIsTrivia(to))
            return std::nullopt;
        return Replacement{text.lineBegin(from), text.nextLine(to), QString()};
    }

    QString quoteStyle(const Node *container) const
    {
        if (container && container->kind == NodeKind::DictExpr)
            for (const Node *k : container->list)
                if (k && k->kind == NodeKind::Constant && k->constKind == py::ConstKind::Str) {
                    const QChar q = text.s.at(text.begin(k->span));
                    if (q == u'\'' || q == u'"')
                        return QString(q);
                }
        return QStringLiteral("\"");
    }

    // Adds `"CACHE_DEFAULT_TIMEOUT": N` (dict display) or `CACHE_DEFAULT_TIMEOUT=N` (dict(...)/constructor
    // call) after the container's last element.
    Expected<QList<Replacement>> insertInto(const Node *container, const QString &keyword, const QString &literal) const
    {
        const bool display = container->kind == NodeKind::DictExpr;
        QString item;
        if (display) {
            const QString q = quoteStyle(container);
            item = q + kTimeoutKey + q + QStringLiteral(": ") + literal;
        } else {
            item = keyword + u'=' + literal;
        }
        // The last element of the display / call, in source order.
        const Node *last = nullptr;
        auto later = [](const Node *a, const Node *b) {
            return !a || b->span.endLine > a->span.endLine || (b->span.endLine == a->span.endLine && b->span.endColumn > a->span.endColumn);
        };
        if (display) {
            for (size_t i = 0; i < container->list2.size(); ++i)
                if (later(last, container->list2[i]))
                    last = container->list2[i];
        } else {
            for (const Node *a : container->list)
                if (later(last, a))
                    last = a;
            for (const Node *k : container->list2)
                if (later(last, k))
                    last = k;
        }
        const int close = text.end(container->span) - 1; // the closing brace/paren
        if (close < 0 || (text.s.at(close) != u'}' && text.s.at(close) != u')'))
            return makeError(QStringLiteral("cannot find the end of the dict at %1").arg(where(container->span)));
        if (!last) {
            // {} or dict(): the item goes between the brackets.
            return QList<Replacement>{Replacement{close, close, item}};
        }
        const int lastEnd = text.end(last->span);
        // A comma right after the last element?
        int afterComma = -1;
        {
            int i = text.skipBlanks(lastEnd);
            if (i < text.s.size() && text.s.at(i) == u',')
                afterComma = i + 1;
        }
        const bool multiline = text.lineOf(close) > text.lineOf(lastEnd) && text.lineOf(text.begin(container->span)) < text.lineOf(lastEnd);
        if (multiline) {
            // A new line after the last element's line, indented like it.
            const Node *firstOfLast = last;
            if (display)
                for (size_t i = 0; i < container->list2.size(); ++i)
                    if (container->list2[i] == last && container->list[i])
                        firstOfLast = container->list[i];
            const QString indent = text.indentOf(text.begin(firstOfLast->span));
            QList<Replacement> out;
            if (afterComma < 0)
                out.append(Replacement{lastEnd, lastEnd, QStringLiteral(",")});
            const int eol = text.lineEnd(afterComma < 0 ? lastEnd : afterComma);
            out.append(Replacement{eol, eol, text.newline() + indent + item + u','});
            return out;
        }
        if (afterComma >= 0)
            return QList<Replacement>{Replacement{afterComma, afterComma, QStringLiteral(" ") + item}};
        return QList<Replacement>{Replacement{lastEnd, lastEnd, QStringLiteral(", ") + item}};
    }

    // Removes element `index` of a dict display (key+value) or a call's keyword.
    Expected<QList<Replacement>> removeElement(const Site &site, const QString &setting) const
    {
        const Node *c = site.container;
        const int start = text.begin(site.keyStart->span);
        const int valueEnd = text.end(site.value->span);
        int end = valueEnd;
        {
            const int i = text.skipBlanks(valueEnd);
            if (i < text.s.size() && text.s.at(i) == u',')
                end = i + 1;
        }
        if (const auto lines = removeLines(start, valueEnd))
            return QList<Replacement>{*lines};
        // On a shared line: from this key to the next element, or from the previous element's end.
        std::vector<const Node *> starts; // element start nodes in order
        std::vector<const Node *> ends;
        if (c->kind == NodeKind::DictExpr) {
            for (size_t i = 0; i < c->list2.size(); ++i) {
                starts.push_back(c->list[i] ? c->list[i] : c->list2[i]);
                ends.push_back(c->list2[i]);
            }
        } else {
            for (const Node *k : c->list2) {
                starts.push_back(k);
                ends.push_back(k);
            }
        }
        const size_t i = site.index;
        if (i + 1 < starts.size() && text.lineOf(text.begin(starts[i + 1]->span)) == text.lineOf(end))
            return QList<Replacement>{Replacement{start, text.begin(starts[i + 1]->span), QString()}};
        if (i > 0)
            return QList<Replacement>{Replacement{text.end(ends[i - 1]->span), valueEnd, QString()}};
        if (starts.size() == 1)
            return QList<Replacement>{Replacement{start, end, QString()}};
        return makeError(QStringLiteral("%1 (%2) shares its line in a way CacheScope does not rewrite").arg(setting, where(site.value->span)));
    }
};

// Applied from the end so offsets stay valid; at one offset, earlier replacements end up first.
QString applyReplacements(const QString &s, const QList<Replacement> &list)
{
    QList<qsizetype> order;
    for (qsizetype i = 0; i < list.size(); ++i)
        order << i;
    std::sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return list[a].from != list[b].from ? list[a].from > list[b].from : a > b;
    });
    QString out = s;
    for (qsizetype i : order)
        out.replace(list[i].from, list[i].to - list[i].from, list[i].text);
    return out;
}

// Every cache's spec with its default timeout blanked: what must not change.
QStringList specSignatures(const ConfigReport &report, QHash<QString, qint64> *timeouts)
{
    QStringList out;
    for (CacheSpec spec : report.caches) {
        timeouts->insert(purposeConfigName(spec.purpose), spec.defaultTimeout);
        spec.defaultTimeout = 0;
        spec.spans.clear();
        out << QString::fromUtf8(ConfigJson::spec(spec, true));
    }
    return out;
}

std::optional<qint64> ownTimeout(const ConfigReport &report, const std::optional<CachePurpose> &purpose, bool *present)
{
    *present = false;
    if (!purpose) {
        const auto v = report.setting(kTimeoutKey);
        *present = v && report.settingSpan(kTimeoutKey).isValid();
        return v ? py::integerValue(v) : std::nullopt;
    }
    const auto d = report.setting(purposeConfigName(*purpose));
    if (!d)
        return std::nullopt;
    if (d->kind == py::Value::Kind::Dict) {
        const auto *e = d->dict->entry(kTimeoutKey);
        *present = e && e->value && e->value->kind != py::Value::Kind::None;
        return *present ? py::integerValue(e->value) : std::nullopt;
    }
    if (d->kind == py::Value::Kind::Call && d->dict) {
        const auto *e = d->dict->entry(QStringLiteral("default_timeout"));
        *present = e != nullptr;
        return e ? py::integerValue(e->value) : std::nullopt;
    }
    return std::nullopt;
}

} // namespace

Expected<ConfigEdit> ConfigEditor::planDefaultTimeout(const QString &path, const QString &setting,
                                                      std::optional<qint64> seconds, const ConfigLoader::Options &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    if (file.size() > py::Evaluator::Options{}.maxFileBytes)
        return makeError(QStringLiteral("%1: too large to be a config file").arg(path));
    return planDefaultTimeout(file.readAll(), path, setting, seconds, options);
}

Expected<ConfigEdit> ConfigEditor::planDefaultTimeout(const QByteArray &source, const QString &path, const QString &setting,
                                                      std::optional<qint64> seconds, const ConfigLoader::Options &options)
{
    const QString text = QString::fromUtf8(source);
    if (text.toUtf8() != source)
        return makeError(QStringLiteral("%1 is not valid UTF-8: CacheScope rewrites only UTF-8 files byte for byte").arg(path));
    if (seconds && (*seconds < -1 || *seconds > std::numeric_limits<qint32>::max()))
        return makeError(QStringLiteral("%1 s is not a timeout Superset accepts (-1, 0 or a positive number of seconds)").arg(*seconds));
    std::optional<CachePurpose> purpose;
    if (setting.compare(kTimeoutKey, Qt::CaseInsensitive) != 0) {
        purpose = purposeFromConfigName(setting);
        if (!purpose)
            return makeError(QStringLiteral("'%1' is not a cache purpose (CACHE_DEFAULT_TIMEOUT, CACHE_CONFIG, DATA_CACHE_CONFIG, "
                                            "FILTER_STATE_CACHE_CONFIG, EXPLORE_FORM_DATA_CACHE_CONFIG, THUMBNAIL_CACHE_CONFIG, "
                                            "RESULTS_BACKEND, GLOBAL_ASYNC_QUERIES_CACHE_BACKEND)")
                                 .arg(setting));
    }
    const QString fileName = QFileInfo(path).fileName();
    const QString purposeName = purpose ? purposeConfigName(*purpose) : QString();
    const QString settingName = !purpose ? kTimeoutKey
                              : *purpose == CachePurpose::Results ? QStringLiteral("RESULTS_BACKEND default_timeout")
                                                                  : QStringLiteral("%1[\"%2\"]").arg(purposeName, kTimeoutKey);
    // No path (the fuzzer, a buffer not saved yet): no directory to import sibling modules from.
    const QString absolute = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    const ConfigReport report = ConfigLoader::loadSource(text, absolute, options);
    if (!report.loaded)
        return makeError(QStringLiteral("%1 does not load (%2), so CacheScope will not edit it").arg(path, report.error));
    auto parsed = py::PyParser::parse(text, path);
    if (!parsed)
        return makeError(parsed.error());
    const Text src(text);
    Planner planner(src, report, **parsed, fileName);
    const QString literal = seconds ? QString::number(*seconds) : QString();

    ConfigEdit edit;
    edit.path = path;
    edit.setting = settingName;
    edit.before = source;
    bool present = false;
    edit.oldValue = ownTimeout(report, purpose, &present);
    QList<Replacement> changes;
    QStringList notes;

    if (!purpose) {
        const SourceSpan span = report.settingSpan(kTimeoutKey);
        Node *binding = span.isValid() ? planner.bindingOf(kTimeoutKey, span) : nullptr;
        if (span.isValid() && !binding)
            return makeError(QStringLiteral("%1 is set at %2 by a statement CacheScope does not rewrite (an import, a loop, "
                                            "an augmented assignment or another module)")
                                 .arg(kTimeoutKey, planner.where(span)));
        if (!binding) {
            if (!seconds) {
                edit.action = QStringLiteral("none");
            } else {
                // Appended at the end: later bindings win, every existing byte stays.
                const QString nl = src.newline();
                const bool endsWithBreak = text.isEmpty() || text.endsWith(u'\n') || text.endsWith(u'\r');
                changes.append(Replacement{int(text.size()), int(text.size()),
                                           (endsWithBreak ? QString() : nl) + kTimeoutKey + QStringLiteral(" = ") + literal + nl});
                edit.action = QStringLiteral("insert");
            }
        } else {
            Node *value = Planner::valueOf(binding);
            if (!isLiteral(value))
                return makeError(planner.refusal(kTimeoutKey, value));
            if (planner.insideBlock(binding))
                notes << QStringLiteral("the assignment at %1 is inside a block: another environment may take another branch")
                             .arg(planner.where(binding->span));
            if (seconds) {
                changes.append(Replacement{src.begin(value->span), src.end(value->span), literal});
                edit.action = QStringLiteral("replace");
            } else {
                const auto lines = planner.removeLines(src.begin(binding->span), src.end(binding->span));
                if (!lines)
                    return makeError(QStringLiteral("%1 at %2 shares its line with other code: remove it by hand").arg(kTimeoutKey, planner.where(binding->span)));
                changes.append(*lines);
                edit.action = QStringLiteral("remove");
            }
        }
    } else {
        const py::ValuePtr container = report.setting(purposeName);
        const SourceSpan bindingSpan = report.settingSpan(purposeName);
        if (!container || !bindingSpan.isValid())
            return makeError(QStringLiteral("%1 is not set in %2 (Superset's default applies): set it in the file first, or "
                                            "change %3")
                                 .arg(purposeName, fileName, kTimeoutKey));
        Node *binding = planner.bindingOf(purposeName, bindingSpan);
        Node *own = binding ? Planner::valueOf(binding) : nullptr;
        const bool isResults = *purpose == CachePurpose::Results;
        if (isResults && container->kind != py::Value::Kind::Call)
            return makeError(QStringLiteral("RESULTS_BACKEND at %1 is not a cachelib constructor call").arg(planner.where(bindingSpan)));
        if (!isResults && container->kind != py::Value::Kind::Dict)
            return makeError(QStringLiteral("%1 at %2 is not a dict").arg(purposeName, planner.where(bindingSpan)));
        const py::DictData::Entry *entry = nullptr;
        if (isResults) {
            if (container->dict)
                entry = container->dict->entry(QStringLiteral("default_timeout"));
            // default_timeout given by position: refuse rather than guess each class's parameter order.
            for (const auto &spec : report.caches)
                if (spec.purpose == CachePurpose::Results && spec.spans.contains(QStringLiteral("default_timeout")) && !entry)
                    return makeError(QStringLiteral("RESULTS_BACKEND at %1 passes default_timeout by position: change it by hand")
                                         .arg(planner.where(bindingSpan)));
        } else {
            entry = container->dict->entry(kTimeoutKey);
        }
        std::optional<Planner::Site> site;
        if (entry && !isResults)
            site = planner.siteOf(entry->span);
        if (entry && isResults && own && own->kind == NodeKind::Call)
            for (size_t i = 0; i < own->list2.size(); ++i)
                if (own->list2[i]->str == u"default_timeout")
                    site = Planner::Site{Planner::Site::Keyword, own->list2[i]->a, own->list2[i], own, i, binding};
        if (entry && !site) {
            const QStringList env = planner.envReadsIn(bindingSpan);
            if (!env.isEmpty())
                return makeError(QStringLiteral("%1 (%2) comes from the environment variable%3 %4: change %5 instead of the file")
                                     .arg(settingName, planner.where(bindingSpan), env.size() > 1 ? QStringLiteral("s") : QString(),
                                          env.join(QStringLiteral(", ")), env.size() > 1 ? QStringLiteral("them") : QStringLiteral("it")));
            return makeError(QStringLiteral("%1 is set at %2 in a way CacheScope does not rewrite (another module, a method "
                                            "call such as setdefault(), or a computed key)")
                                 .arg(settingName, planner.where(entry->span)));
        }
        const bool owned = site && (isResults || Planner::statementOwnedBy(site->statement, purposeName));
        if (site && owned) {
            if (!isLiteral(site->value))
                return makeError(planner.refusal(settingName, site->value));
            if (planner.insideBlock(site->statement))
                notes << QStringLiteral("the value at %1 is set inside a block: another environment may take another branch")
                             .arg(planner.where(site->value->span));
            if (seconds) {
                changes.append(Replacement{src.begin(site->value->span), src.end(site->value->span), literal});
                edit.action = QStringLiteral("replace");
            } else if (site->kind == Planner::Site::Subscript) {
                const auto lines = planner.removeLines(src.begin(site->statement->span), src.end(site->statement->span));
                if (!lines)
                    return makeError(QStringLiteral("%1 at %2 shares its line with other code: remove it by hand")
                                         .arg(settingName, planner.where(site->statement->span)));
                changes.append(*lines);
                edit.action = QStringLiteral("remove");
            } else {
                auto removal = planner.removeElement(*site, settingName);
                if (!removal)
                    return makeError(removal.error());
                changes = *removal;
                edit.action = QStringLiteral("remove");
            }
        } else {
            // No own key (or only one borrowed from a shared dict): the purpose's own display gets one.
            if (!seconds) {
                if (site)
                    return makeError(QStringLiteral("%1 comes from %2, shared with other settings: CacheScope will not remove it "
                                                    "there; give %3 its own value instead")
                                         .arg(settingName, planner.where(site->value->span), purposeName));
                edit.action = QStringLiteral("none");
            } else {
                const bool dictCall = own && own->kind == NodeKind::Call && dotted(own->a) == u"dict";
                if (const QString helper = planner.helperCalled(own); !helper.isEmpty())
                    return makeError(QStringLiteral("%1 at %2 is built by %3: change its timeout there")
                                         .arg(purposeName, planner.where(bindingSpan), helper));
                if (!own || !(own->kind == NodeKind::DictExpr || dictCall || (isResults && own->kind == NodeKind::Call)))
                    return makeError(QStringLiteral("%1 at %2 is not written as a dict display or dict(...) call, so there is no "
                                                    "place to add its own %3: add `%4[\"%3\"] = %5` yourself")
                                         .arg(purposeName, planner.where(bindingSpan), kTimeoutKey, purposeName, literal));
                auto inserted = planner.insertInto(own, isResults ? QStringLiteral("default_timeout") : kTimeoutKey, literal);
                if (!inserted)
                    return makeError(inserted.error());
                changes = *inserted;
                edit.action = QStringLiteral("insert");
                if (site)
                    notes << QStringLiteral("%1 was inherited from %2; %3 now has its own").arg(kTimeoutKey, planner.where(site->value->span), purposeName);
            }
        }
    }

    const QString newText = applyReplacements(text, changes);
    edit.after = newText.toUtf8();
    edit.newValue = seconds;
    if (!changes.isEmpty()) {
        int first = int(text.size());
        for (const auto &c : changes)
            first = std::min(first, c.from);
        edit.line = src.lineOf(first);
    }
    // Check the result as Superset would read it: the setting holds the new value, nothing else moved.
    if (!edit.isNoop()) {
        const ConfigReport after = ConfigLoader::loadSource(newText, absolute, options);
        if (!after.loaded)
            return makeError(QStringLiteral("the edited %1 would not load (%2): nothing written").arg(fileName, after.error));
        bool nowPresent = false;
        const auto now = ownTimeout(after, purpose, &nowPresent);
        if (!seconds && nowPresent)
            return makeError(QStringLiteral("without its own value %1 would still inherit %2 from another dict (a ** unpacking "
                                            "or a copy): nothing written; set a value instead")
                                 .arg(settingName, now ? QString::number(*now) : QStringLiteral("a value")));
        if (seconds ? (!nowPresent || now != seconds) : nowPresent)
            return makeError(QStringLiteral("after the edit %1 would read %2, not %3: nothing written")
                                 .arg(settingName, nowPresent && now ? QString::number(*now) : QStringLiteral("unset"),
                                      seconds ? QString::number(*seconds) : QStringLiteral("unset")));
        QHash<QString, qint64> oldTimeouts, newTimeouts;
        if (specSignatures(report, &oldTimeouts) != specSignatures(after, &newTimeouts))
            return makeError(QStringLiteral("the edit would change more than %1 (another cache setting moved): nothing written").arg(settingName));
        for (CachePurpose p : allPurposes()) {
            const QString n = purposeConfigName(p);
            if (oldTimeouts.contains(n) && oldTimeouts.value(n) != newTimeouts.value(n))
                edit.effects << QStringLiteral("%1: %2 → %3").arg(n).arg(oldTimeouts.value(n)).arg(newTimeouts.value(n));
        }
    }
    edit.effects << notes;
    edit.diff = unifiedDiff(edit.before, edit.after, fileName);
    return edit;
}

Expected<bool> ConfigEditor::apply(const ConfigEdit &edit, const AtomicWriteOptions &writeOptions)
{
    QFile file(edit.path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(edit.path, file.errorString()));
    if (file.readAll() != edit.before)
        return makeError(QStringLiteral("%1 changed since the preview: nothing written; preview the change again").arg(edit.path));
    file.close();
    if (edit.isNoop())
        return true;
    return writeFileAtomically(edit.path, edit.after, writeOptions);
}

ConfigEdit ConfigEditor::undo(const ConfigEdit &edit)
{
    ConfigEdit back = edit;
    std::swap(back.before, back.after);
    std::swap(back.oldValue, back.newValue);
    back.action = QStringLiteral("undo");
    back.diff = unifiedDiff(back.before, back.after, QFileInfo(edit.path).fileName());
    back.effects.clear();
    return back;
}

QString ConfigEditor::unifiedDiff(const QByteArray &before, const QByteArray &after, const QString &name)
{
    if (before == after)
        return {};
    // Lines keep their breaks, so a changed line ending shows and nothing is normalised.
    auto split = [](const QByteArray &b) {
        QList<QByteArray> lines;
        qsizetype start = 0;
        for (qsizetype i = 0; i < b.size(); ++i)
            if (b.at(i) == '\n' || (b.at(i) == '\r' && (i + 1 >= b.size() || b.at(i + 1) != '\n'))) {
                lines << b.mid(start, i + 1 - start);
                start = i + 1;
            }
        if (start < b.size())
            lines << b.mid(start);
        return lines;
    };
    const QList<QByteArray> a = split(before), b = split(after);
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head])
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
        ++tail;
    const qsizetype context = 3;
    const qsizetype from = std::max<qsizetype>(0, head - context);
    const qsizetype aEnd = std::min<qsizetype>(a.size(), a.size() - tail + context);
    const qsizetype bEnd = std::min<qsizetype>(b.size(), b.size() - tail + context);
    auto show = [](const QByteArray &line) {
        QString s = QString::fromUtf8(line);
        if (!s.endsWith(u'\n') && !s.endsWith(u'\r'))
            s += QStringLiteral("\n\\ No newline at end of file\n");
        return s;
    };
    QString out = QStringLiteral("--- a/%1\n+++ b/%1\n@@ -%2,%3 +%4,%5 @@\n")
                      .arg(name)
                      .arg(aEnd > from ? from + 1 : from)
                      .arg(aEnd - from)
                      .arg(bEnd > from ? from + 1 : from)
                      .arg(bEnd - from);
    for (qsizetype i = from; i < head; ++i)
        out += u' ' + show(a[i]);
    for (qsizetype i = head; i < a.size() - tail; ++i)
        out += u'-' + show(a[i]);
    for (qsizetype i = head; i < b.size() - tail; ++i)
        out += u'+' + show(b[i]);
    for (qsizetype i = a.size() - tail; i < aEnd; ++i)
        out += u' ' + show(a[i]);
    return out;
}

} // namespace cachescope
