#include "pyparser.h"

#include "common/hexdigit.h"

#include "pylexer.h"

#include <QSet>

namespace cachescope::py {

namespace {

struct SyntaxError
{
    QString message;
    int line;
    int column;
};

const QSet<QString> &keywords()
{
    static const QSet<QString> k = {
        QStringLiteral("False"), QStringLiteral("None"), QStringLiteral("True"), QStringLiteral("and"),
        QStringLiteral("as"), QStringLiteral("assert"), QStringLiteral("async"), QStringLiteral("await"),
        QStringLiteral("break"), QStringLiteral("class"), QStringLiteral("continue"), QStringLiteral("def"),
        QStringLiteral("del"), QStringLiteral("elif"), QStringLiteral("else"), QStringLiteral("except"),
        QStringLiteral("finally"), QStringLiteral("for"), QStringLiteral("from"), QStringLiteral("global"),
        QStringLiteral("if"), QStringLiteral("import"), QStringLiteral("in"), QStringLiteral("is"),
        QStringLiteral("lambda"), QStringLiteral("nonlocal"), QStringLiteral("not"), QStringLiteral("or"),
        QStringLiteral("pass"), QStringLiteral("raise"), QStringLiteral("return"), QStringLiteral("try"),
        QStringLiteral("while"), QStringLiteral("with"), QStringLiteral("yield")};
    return k;
}

class Parser
{
public:
    Parser(Module &module, std::vector<Token> tokens, int depthBase = 0)
        : m_mod(module), m_toks(std::move(tokens)), m_depth(depthBase)
    {
    }

    Node *parseFile()
    {
        Node *root = m_mod.make(NodeKind::Module, spanOf(peek()));
        while (peek().type != Token::End) {
            if (peek().type == Token::Newline) {
                next();
                continue;
            }
            parseStatement(root->list);
        }
        return root;
    }

    // For f-string replacement fields: the tokens are "( expr )" NEWLINE END.
    Node *parseFieldExpression()
    {
        expectOp(u"(");
        Node *e = nullptr;
        if (isOp(u"yield"))
            e = parseYield();
        else
            e = parseStarExpressions();
        expectOp(u")");
        return e;
    }

private:
    // ---- token helpers
    const Token &peek(int ahead = 0) const
    {
        const size_t i = std::min(m_pos + size_t(ahead), m_toks.size() - 1);
        return m_toks[i];
    }
    const Token &next()
    {
        const Token &t = m_toks[m_pos];
        m_last = m_pos;
        if (m_pos + 1 < m_toks.size())
            ++m_pos;
        return t;
    }
    bool isOp(QStringView op, int ahead = 0) const
    {
        const Token &t = peek(ahead);
        return (t.type == Token::Op || t.type == Token::Name) && t.text == op && (t.type == Token::Op || keywords().contains(t.text));
    }
    bool isKw(QStringView kw, int ahead = 0) const
    {
        const Token &t = peek(ahead);
        return t.type == Token::Name && t.text == kw;
    }
    bool acceptOp(QStringView op)
    {
        if (isOp(op)) {
            next();
            return true;
        }
        return false;
    }
    bool acceptKw(QStringView kw)
    {
        if (isKw(kw)) {
            next();
            return true;
        }
        return false;
    }
    [[noreturn]] void error(const QString &msg, const Token *at = nullptr) const
    {
        const Token &t = at ? *at : peek();
        throw SyntaxError{msg, t.line, t.column};
    }
    QString describe(const Token &t) const
    {
        switch (t.type) {
        case Token::Newline: return QStringLiteral("end of line");
        case Token::Indent: return QStringLiteral("indent");
        case Token::Dedent: return QStringLiteral("dedent");
        case Token::End: return QStringLiteral("end of file");
        case Token::String: return QStringLiteral("string");
        default: return QLatin1Char('\'') + t.text + QLatin1Char('\'');
        }
    }
    void expectOp(QStringView op)
    {
        if (!acceptOp(op))
            error(QStringLiteral("expected '%1', found %2").arg(op.toString(), describe(peek())));
    }
    void expectKw(QStringView kw)
    {
        if (!acceptKw(kw))
            error(QStringLiteral("expected '%1', found %2").arg(kw.toString(), describe(peek())));
    }
    void expectNewline()
    {
        if (peek().type == Token::Newline) {
            next();
            return;
        }
        if (peek().type == Token::End)
            return;
        error(QStringLiteral("invalid syntax: unexpected %1").arg(describe(peek())));
    }
    QString expectName()
    {
        const Token &t = peek();
        if (t.type != Token::Name || keywords().contains(t.text))
            error(QStringLiteral("expected a name, found %1").arg(describe(t)));
        next();
        return t.text;
    }
    bool atName() const { return peek().type == Token::Name && !keywords().contains(peek().text); }

    static SourceSpan spanOf(const Token &t) { return SourceSpan{t.line, t.column, t.endLine, t.endColumn}; }
    SourceSpan spanFrom(const Token &start) const
    {
        const Token &end = m_toks[m_last];
        return SourceSpan{start.line, start.column, end.endLine, end.endColumn};
    }
    SourceSpan spanFrom(const SourceSpan &start) const
    {
        const Token &end = m_toks[m_last];
        return SourceSpan{start.line, start.column, end.endLine, end.endColumn};
    }
    Node *make(NodeKind k, const SourceSpan &s) { return m_mod.make(k, s); }

    struct DepthGuard
    {
        Parser &p;
        explicit DepthGuard(Parser &parser) : p(parser)
        {
            if (++p.m_depth > PyParser::kMaxDepth)
                p.error(QStringLiteral("too many nested expressions or blocks (limit %1)").arg(PyParser::kMaxDepth));
        }
        ~DepthGuard() { --p.m_depth; }
    };

    // ---- statements
    void parseStatement(std::vector<Node *> &out)
    {
        DepthGuard g(*this);
        const Token &t = peek();
        if (t.type == Token::Indent)
            error(QStringLiteral("unexpected indent"));
        if (t.type == Token::Name) {
            const QString &w = t.text;
            if (w == u"if")
                return out.push_back(parseIf());
            if (w == u"while")
                return out.push_back(parseWhile());
            if (w == u"for")
                return out.push_back(parseFor(false, t));
            if (w == u"try")
                return out.push_back(parseTry());
            if (w == u"with")
                return out.push_back(parseWith(false, t));
            if (w == u"def")
                return out.push_back(parseDef({}, false, t));
            if (w == u"class")
                return out.push_back(parseClass({}, t));
            if (w == u"async" && (isKw(u"def", 1) || isKw(u"for", 1) || isKw(u"with", 1))) {
                const Token &start = next();
                if (isKw(u"def"))
                    return out.push_back(parseDef({}, true, start));
                if (isKw(u"for"))
                    return out.push_back(parseFor(true, start));
                return out.push_back(parseWith(true, start));
            }
            if (w == u"match" && looksLikeMatch())
                return out.push_back(parseMatch());
        }
        if (t.type == Token::Op && t.text == u"@")
            return out.push_back(parseDecorated());
        parseSimpleStatements(out);
    }

    bool looksLikeMatch() const
    {
        // Soft keyword: "match <expr>:" NEWLINE at statement start. Look for a ':' that ends the line.
        const Token &n = peek(1);
        if (n.type == Token::Newline || n.type == Token::End)
            return false;
        if (n.type == Token::Op && (n.text == u"=" || n.text == u"." || n.text == u"," || n.text == u")"
                                    || n.text.endsWith(u'=') || n.text == u":"))
            return false;
        int depth = 0;
        for (size_t i = m_pos + 1; i < m_toks.size(); ++i) {
            const Token &x = m_toks[i];
            if (x.type == Token::Newline || x.type == Token::End)
                return false;
            if (x.type == Token::Op) {
                if (x.text == u"(" || x.text == u"[" || x.text == u"{")
                    ++depth;
                else if (x.text == u")" || x.text == u"]" || x.text == u"}")
                    --depth;
                else if (x.text == u":" && depth == 0)
                    return m_toks[i + 1].type == Token::Newline;
            }
        }
        return false;
    }

    Node *parseMatch()
    {
        const Token &start = next(); // match
        Node *m = make(NodeKind::Match, spanOf(start));
        m->a = parseStarExpressions();
        expectOp(u":");
        expectNewline();
        if (peek().type != Token::Indent)
            error(QStringLiteral("expected an indented block of 'case' clauses"));
        next();
        while (peek().type != Token::Dedent && peek().type != Token::End) {
            if (!isKw(u"case"))
                error(QStringLiteral("expected 'case'"));
            next();
            // Patterns share the expression syntax closely enough to be skipped; they are not evaluated.
            parsePattern();
            if (acceptKw(u"if"))
                parseNamedExpr();
            std::vector<Node *> body;
            parseBlock(body);
            if (m->list.empty())
                m->list = body;
        }
        if (peek().type == Token::Dedent)
            next();
        m->span = spanFrom(start);
        return m;
    }

    void parsePattern()
    {
        // Skip tokens of the pattern up to the ':' that opens the block, honouring brackets.
        int depth = 0;
        while (true) {
            const Token &t = peek();
            if (t.type == Token::End || t.type == Token::Newline)
                error(QStringLiteral("expected ':' after case pattern"));
            if (t.type == Token::Op) {
                if (t.text == u"(" || t.text == u"[" || t.text == u"{")
                    ++depth;
                else if (t.text == u")" || t.text == u"]" || t.text == u"}")
                    --depth;
                else if (depth == 0 && t.text == u":")
                    return;
            }
            if (depth == 0 && isKw(u"if"))
                return;
            next();
        }
    }

    void parseSimpleStatements(std::vector<Node *> &out)
    {
        while (true) {
            out.push_back(parseSmallStatement());
            if (!acceptOp(u";"))
                break;
            if (peek().type == Token::Newline || peek().type == Token::End)
                break;
        }
        expectNewline();
    }

    Node *parseSmallStatement()
    {
        const Token &t = peek();
        if (t.type == Token::Name) {
            const QString &w = t.text;
            if (w == u"pass") {
                next();
                return make(NodeKind::Pass, spanOf(t));
            }
            if (w == u"break") {
                next();
                return make(NodeKind::Break, spanOf(t));
            }
            if (w == u"continue") {
                next();
                return make(NodeKind::Continue, spanOf(t));
            }
            if (w == u"return") {
                next();
                Node *r = make(NodeKind::Return, spanOf(t));
                if (!atStatementEnd())
                    r->a = parseStarExpressions();
                r->span = spanFrom(t);
                return r;
            }
            if (w == u"raise") {
                next();
                Node *r = make(NodeKind::Raise, spanOf(t));
                if (!atStatementEnd()) {
                    r->a = parseTest();
                    if (acceptKw(u"from"))
                        r->b = parseTest();
                }
                r->span = spanFrom(t);
                return r;
            }
            if (w == u"global" || w == u"nonlocal") {
                next();
                Node *g = make(w == u"global" ? NodeKind::Global : NodeKind::Nonlocal, spanOf(t));
                do
                    g->names.push_back(expectName());
                while (acceptOp(u","));
                g->span = spanFrom(t);
                return g;
            }
            if (w == u"del") {
                next();
                Node *d = make(NodeKind::Delete, spanOf(t));
                do {
                    if (atStatementEnd())
                        break;
                    d->list.push_back(parseBitOr());
                } while (acceptOp(u","));
                d->span = spanFrom(t);
                return d;
            }
            if (w == u"assert") {
                next();
                Node *a = make(NodeKind::Assert, spanOf(t));
                a->a = parseTest();
                if (acceptOp(u","))
                    a->b = parseTest();
                a->span = spanFrom(t);
                return a;
            }
            if (w == u"import")
                return parseImport();
            if (w == u"from")
                return parseFromImport();
        }
        return parseExprStatement();
    }

    bool atStatementEnd() const
    {
        const Token &t = peek();
        return t.type == Token::Newline || t.type == Token::End || (t.type == Token::Op && t.text == u";");
    }

    QString parseDottedName()
    {
        QString name = expectName();
        while (acceptOp(u"."))
            name += QLatin1Char('.') + expectName();
        return name;
    }

    Node *parseImport()
    {
        const Token &start = next();
        Node *imp = make(NodeKind::Import, spanOf(start));
        do {
            const Token &at = peek();
            Node *alias = make(NodeKind::Alias, spanOf(at));
            alias->str = parseDottedName();
            if (acceptKw(u"as"))
                alias->str2 = expectName();
            alias->span = spanFrom(at);
            imp->list.push_back(alias);
        } while (acceptOp(u","));
        imp->span = spanFrom(start);
        return imp;
    }

    Node *parseFromImport()
    {
        const Token &start = next();
        Node *imp = make(NodeKind::ImportFrom, spanOf(start));
        int level = 0;
        while (isOp(u".") || isOp(u"...")) {
            level += next().text.size();
        }
        imp->num = level;
        if (!isKw(u"import"))
            imp->str = parseDottedName();
        expectKw(u"import");
        if (isOp(u"*")) {
            const Token &s = next();
            Node *alias = make(NodeKind::Alias, spanOf(s));
            alias->str = QStringLiteral("*");
            imp->list.push_back(alias);
        } else {
            const bool paren = acceptOp(u"(");
            do {
                if (paren && isOp(u")"))
                    break;
                const Token &at = peek();
                Node *alias = make(NodeKind::Alias, spanOf(at));
                alias->str = expectName();
                if (acceptKw(u"as"))
                    alias->str2 = expectName();
                alias->span = spanFrom(at);
                imp->list.push_back(alias);
            } while (acceptOp(u","));
            if (paren)
                expectOp(u")");
        }
        imp->span = spanFrom(start);
        return imp;
    }

    static bool isAugOp(const Token &t)
    {
        static const QSet<QString> ops = {QStringLiteral("+="), QStringLiteral("-="), QStringLiteral("*="),
                                          QStringLiteral("/="), QStringLiteral("//="), QStringLiteral("%="),
                                          QStringLiteral("**="), QStringLiteral(">>="), QStringLiteral("<<="),
                                          QStringLiteral("&="), QStringLiteral("|="), QStringLiteral("^="),
                                          QStringLiteral("@=")};
        return t.type == Token::Op && ops.contains(t.text);
    }

    void checkTarget(Node *t)
    {
        switch (t->kind) {
        case NodeKind::Name:
        case NodeKind::Attribute:
        case NodeKind::Subscript:
            return;
        case NodeKind::Starred:
            checkTarget(t->a);
            return;
        case NodeKind::TupleExpr:
        case NodeKind::ListExpr:
            for (Node *e : t->list)
                checkTarget(e);
            return;
        default:
            throw SyntaxError{QStringLiteral("cannot assign to expression"), t->span.line, t->span.column};
        }
    }

    Node *parseExprStatement()
    {
        const Token &start = peek();
        Node *first = isKw(u"yield") ? parseYield() : parseStarExpressions();
        if (isOp(u":")) {
            next();
            if (first->kind != NodeKind::Name && first->kind != NodeKind::Attribute && first->kind != NodeKind::Subscript)
                error(QStringLiteral("illegal target for annotation"));
            Node *ann = make(NodeKind::AnnAssign, first->span);
            ann->a = first;
            ann->b = parseTest();
            if (acceptOp(u"="))
                ann->c = isKw(u"yield") ? parseYield() : parseStarExpressions();
            ann->span = spanFrom(start);
            return ann;
        }
        if (isAugOp(peek())) {
            const Token &op = next();
            if (first->kind != NodeKind::Name && first->kind != NodeKind::Attribute && first->kind != NodeKind::Subscript)
                error(QStringLiteral("illegal expression for augmented assignment"), &op);
            Node *aug = make(NodeKind::AugAssign, first->span);
            aug->a = first;
            aug->str = op.text.left(op.text.size() - 1);
            aug->b = isKw(u"yield") ? parseYield() : parseStarExpressions();
            aug->span = spanFrom(start);
            return aug;
        }
        if (isOp(u"=")) {
            Node *as = make(NodeKind::Assign, first->span);
            std::vector<Node *> chain{first};
            while (acceptOp(u"="))
                chain.push_back(isKw(u"yield") ? parseYield() : parseStarExpressions());
            as->a = chain.back();
            chain.pop_back();
            for (Node *t : chain)
                checkTarget(t);
            as->list = std::move(chain);
            as->span = spanFrom(start);
            return as;
        }
        Node *e = make(NodeKind::ExprStmt, first->span);
        e->a = first;
        return e;
    }

    void parseBlock(std::vector<Node *> &body)
    {
        expectOp(u":");
        if (peek().type == Token::Newline) {
            next();
            if (peek().type != Token::Indent)
                error(QStringLiteral("expected an indented block"));
            next();
            while (peek().type != Token::Dedent && peek().type != Token::End)
                parseStatement(body);
            if (peek().type == Token::Dedent)
                next();
        } else {
            parseSimpleStatements(body);
        }
    }

    Node *parseIf()
    {
        const Token &start = next(); // if / elif
        Node *n = make(NodeKind::If, spanOf(start));
        n->a = parseNamedExpr();
        parseBlock(n->list);
        if (isKw(u"elif")) {
            n->list2.push_back(parseIf());
        } else if (acceptKw(u"else")) {
            parseBlock(n->list2);
        }
        n->span = spanFrom(start);
        return n;
    }

    Node *parseWhile()
    {
        const Token &start = next();
        Node *n = make(NodeKind::While, spanOf(start));
        n->a = parseNamedExpr();
        parseBlock(n->list);
        if (acceptKw(u"else"))
            parseBlock(n->list2);
        n->span = spanFrom(start);
        return n;
    }

    Node *parseFor(bool async, const Token &start)
    {
        next(); // for
        Node *n = make(NodeKind::For, spanOf(start));
        n->flag = async;
        n->a = parseTargetList();
        expectKw(u"in");
        n->b = parseStarExpressions();
        parseBlock(n->list);
        if (acceptKw(u"else"))
            parseBlock(n->list2);
        n->span = spanFrom(start);
        return n;
    }

    Node *parseTargetList()
    {
        const Token &start = peek();
        std::vector<Node *> items;
        bool trailingComma = false;
        while (true) {
            if (isOp(u"*")) {
                const Token &s = next();
                Node *st = make(NodeKind::Starred, spanOf(s));
                st->a = parseBitOr();
                st->span = spanFrom(s);
                items.push_back(st);
            } else {
                items.push_back(parseBitOr());
            }
            trailingComma = false;
            if (!acceptOp(u","))
                break;
            trailingComma = true;
            if (isKw(u"in") || isOp(u"="))
                break;
        }
        Node *t = items.front();
        if (items.size() > 1 || trailingComma) {
            t = make(NodeKind::TupleExpr, spanOf(start));
            t->list = std::move(items);
            t->span = spanFrom(start);
        }
        checkTarget(t);
        return t;
    }

    Node *parseTry()
    {
        const Token &start = next();
        Node *n = make(NodeKind::Try, spanOf(start));
        parseBlock(n->list);
        while (isKw(u"except")) {
            const Token &ex = next();
            acceptOp(u"*"); // except* (exception groups) handled like except
            Node *h = make(NodeKind::ExceptHandler, spanOf(ex));
            if (!isOp(u":")) {
                h->a = parseTest();
                if (isOp(u",")) {
                    // "except A, B:" is Python 2: reject like Python 3 does.
                    Node *tup = make(NodeKind::TupleExpr, h->a->span);
                    tup->list.push_back(h->a);
                    while (acceptOp(u","))
                        tup->list.push_back(parseTest());
                    h->a = tup;
                    error(QStringLiteral("multiple exception types must be parenthesized"));
                }
                if (acceptKw(u"as"))
                    h->str = expectName();
            }
            parseBlock(h->list);
            h->span = spanFrom(ex);
            n->list3.push_back(h);
        }
        if (acceptKw(u"else")) {
            if (n->list3.empty())
                error(QStringLiteral("'else' without 'except'"));
            parseBlock(n->list2);
        }
        if (acceptKw(u"finally"))
            parseBlock(n->list4);
        if (n->list3.empty() && n->list4.empty())
            error(QStringLiteral("expected 'except' or 'finally' block"));
        n->span = spanFrom(start);
        return n;
    }

    Node *parseWith(bool async, const Token &start)
    {
        next(); // with
        Node *n = make(NodeKind::With, spanOf(start));
        n->flag = async;
        // Parenthesised with-items (3.9+) look like a tuple; parse them item by item.
        bool paren = false;
        if (isOp(u"(")) {
            // Decide: "(a as b, c)" form if an 'as' appears at depth 1 before the closing ')' followed by ':'.
            int depth = 0;
            size_t i = m_pos;
            for (; i < m_toks.size(); ++i) {
                const Token &x = m_toks[i];
                if (x.type == Token::Op && (x.text == u"(" || x.text == u"[" || x.text == u"{"))
                    ++depth;
                else if (x.type == Token::Op && (x.text == u")" || x.text == u"]" || x.text == u"}")) {
                    if (--depth == 0)
                        break;
                }
            }
            paren = i + 1 < m_toks.size() && m_toks[i + 1].type == Token::Op && m_toks[i + 1].text == u":";
            if (paren) {
                bool hasAs = false;
                depth = 0;
                for (size_t j = m_pos; j < i; ++j) {
                    const Token &x = m_toks[j];
                    if (x.type == Token::Op && (x.text == u"(" || x.text == u"[" || x.text == u"{"))
                        ++depth;
                    else if (x.type == Token::Op && (x.text == u")" || x.text == u"]" || x.text == u"}"))
                        --depth;
                    else if (depth == 1 && x.type == Token::Name && x.text == u"as")
                        hasAs = true;
                }
                paren = hasAs;
            }
        }
        if (paren)
            next();
        do {
            if (paren && isOp(u")"))
                break;
            const Token &it = peek();
            Node *item = make(NodeKind::WithItem, spanOf(it));
            item->a = parseTest();
            if (acceptKw(u"as")) {
                item->b = parseTargetAtom();
                checkTarget(item->b);
            }
            item->span = spanFrom(it);
            n->list3.push_back(item);
        } while (acceptOp(u","));
        if (paren)
            expectOp(u")");
        parseBlock(n->list);
        n->span = spanFrom(start);
        return n;
    }

    Node *parseTargetAtom() { return parseBitOr(); }

    Node *parseDecorated()
    {
        const Token &start = peek();
        std::vector<Node *> decorators;
        while (isOp(u"@")) {
            next();
            decorators.push_back(parseNamedExpr());
            expectNewline();
        }
        if (isKw(u"def"))
            return parseDef(decorators, false, start);
        if (isKw(u"class"))
            return parseClass(decorators, start);
        if (isKw(u"async") && isKw(u"def", 1)) {
            next();
            return parseDef(decorators, true, start);
        }
        error(QStringLiteral("expected 'def' or 'class' after decorator"));
    }

    Node *parseDef(std::vector<Node *> decorators, bool async, const Token &start)
    {
        next(); // def
        Node *n = make(NodeKind::FunctionDef, spanOf(start));
        n->flag = async;
        n->str = expectName();
        n->list2 = std::move(decorators);
        if (isOp(u"[")) // PEP 695 type parameters: skip
            skipBracketed();
        expectOp(u"(");
        n->a = parseArguments(u")", true);
        expectOp(u")");
        if (acceptOp(u"->"))
            n->b = parseTest();
        parseBlock(n->list);
        n->span = spanFrom(start);
        return n;
    }

    void skipBracketed()
    {
        int depth = 0;
        do {
            const Token &t = next();
            if (t.type == Token::Op && (t.text == u"[" || t.text == u"(" || t.text == u"{"))
                ++depth;
            else if (t.type == Token::Op && (t.text == u"]" || t.text == u")" || t.text == u"}"))
                --depth;
            else if (t.type == Token::End)
                error(QStringLiteral("unexpected end of file"));
        } while (depth > 0);
    }

    Node *parseArguments(QStringView closer, bool annotations)
    {
        const Token &start = peek();
        Node *args = make(NodeKind::Arguments, spanOf(start));
        bool kwOnly = false;
        bool seenDefault = false;
        while (!isOp(closer)) {
            const Token &at = peek();
            if (acceptOp(u"/")) {
                args->num = int(args->list.size());
            } else if (acceptOp(u"**")) {
                Node *a = make(NodeKind::Arg, spanOf(peek()));
                a->str = expectName();
                if (annotations && acceptOp(u":"))
                    a->a = parseTest();
                args->c = a;
            } else if (acceptOp(u"*")) {
                kwOnly = true;
                if (atName()) {
                    Node *a = make(NodeKind::Arg, spanOf(peek()));
                    a->str = expectName();
                    if (annotations && acceptOp(u":")) {
                        acceptOp(u"*"); // PEP 646: *args: *Ts
                        a->a = parseTest();
                    }
                    args->b = a;
                }
            } else {
                Node *a = make(NodeKind::Arg, spanOf(at));
                a->str = expectName();
                if (annotations && acceptOp(u":"))
                    a->a = parseTest();
                Node *def = nullptr;
                if (acceptOp(u"="))
                    def = parseTest();
                a->span = spanFrom(at);
                if (kwOnly) {
                    args->list3.push_back(a);
                    args->list4.push_back(def);
                } else {
                    args->list.push_back(a);
                    if (def) {
                        args->list2.push_back(def);
                        seenDefault = true;
                    } else if (seenDefault) {
                        error(QStringLiteral("non-default argument follows default argument"), &at);
                    }
                }
            }
            if (!acceptOp(u","))
                break;
        }
        args->span = spanFrom(start);
        return args;
    }

    Node *parseClass(std::vector<Node *> decorators, const Token &start)
    {
        next(); // class
        Node *n = make(NodeKind::ClassDef, spanOf(start));
        n->str = expectName();
        n->list2 = std::move(decorators);
        if (isOp(u"["))
            skipBracketed();
        if (acceptOp(u"(")) {
            while (!isOp(u")")) {
                if (atName() && isOp(u"=", 1)) {
                    const Token &k = peek();
                    Node *kw = make(NodeKind::Keyword, spanOf(k));
                    kw->str = expectName();
                    next();
                    kw->a = parseTest();
                    n->list4.push_back(kw);
                } else if (acceptOp(u"**")) {
                    Node *kw = make(NodeKind::Keyword, spanOf(peek()));
                    kw->a = parseTest();
                    n->list4.push_back(kw);
                } else {
                    n->list3.push_back(parseStarOrTest());
                }
                if (!acceptOp(u","))
                    break;
            }
            expectOp(u")");
        }
        parseBlock(n->list);
        n->span = spanFrom(start);
        return n;
    }

    // ---- expressions
    Node *parseStarOrTest()
    {
        if (isOp(u"*")) {
            const Token &s = next();
            Node *st = make(NodeKind::Starred, spanOf(s));
            st->a = parseBitOr();
            st->span = spanFrom(s);
            return st;
        }
        return parseNamedExpr();
    }

    // star_expressions: tuples without parentheses
    Node *parseStarExpressions()
    {
        const Token &start = peek();
        Node *first = parseStarOrTest();
        if (!isOp(u","))
            return first;
        Node *tup = make(NodeKind::TupleExpr, spanOf(start));
        tup->list.push_back(first);
        while (acceptOp(u",")) {
            if (!startsExpression())
                break;
            tup->list.push_back(parseStarOrTest());
        }
        tup->span = spanFrom(start);
        return tup;
    }

    bool startsExpression() const
    {
        const Token &t = peek();
        switch (t.type) {
        case Token::Name:
            return !keywords().contains(t.text) || t.text == u"None" || t.text == u"True" || t.text == u"False"
                || t.text == u"not" || t.text == u"lambda" || t.text == u"await";
        case Token::Number:
        case Token::String:
            return true;
        case Token::Op:
            return t.text == u"(" || t.text == u"[" || t.text == u"{" || t.text == u"-" || t.text == u"+"
                || t.text == u"~" || t.text == u"*" || t.text == u"..." || t.text == u"**";
        default:
            return false;
        }
    }

    Node *parseYield()
    {
        const Token &start = next(); // yield
        if (acceptKw(u"from")) {
            Node *y = make(NodeKind::YieldFrom, spanOf(start));
            y->a = parseTest();
            y->span = spanFrom(start);
            return y;
        }
        Node *y = make(NodeKind::Yield, spanOf(start));
        if (startsExpression())
            y->a = parseStarExpressions();
        y->span = spanFrom(start);
        return y;
    }

    Node *parseNamedExpr()
    {
        if (atName() && isOp(u":=", 1)) {
            const Token &start = peek();
            Node *target = make(NodeKind::Name, spanOf(start));
            target->str = expectName();
            next();
            Node *n = make(NodeKind::NamedExpr, spanOf(start));
            n->a = target;
            n->b = parseTest();
            n->span = spanFrom(start);
            return n;
        }
        return parseTest();
    }

    Node *parseTest()
    {
        DepthGuard g(*this);
        if (isKw(u"lambda"))
            return parseLambda();
        const Token &start = peek();
        Node *body = parseOr();
        if (isKw(u"if")) {
            // A conditional expression, unless this "if" belongs to a comprehension (caller stops at it).
            next();
            Node *n = make(NodeKind::IfExp, spanOf(start));
            n->b = body;
            n->a = parseOr();
            expectKw(u"else");
            n->c = parseTest();
            n->span = spanFrom(start);
            return n;
        }
        return body;
    }

    Node *parseTestNoCond()
    {
        if (isKw(u"lambda"))
            return parseLambda(false);
        return parseOr();
    }

    Node *parseLambda(bool allowCond = true)
    {
        const Token &start = next();
        Node *n = make(NodeKind::Lambda, spanOf(start));
        n->a = parseArguments(u":", false);
        expectOp(u":");
        n->b = allowCond ? parseTest() : parseTestNoCond();
        n->span = spanFrom(start);
        return n;
    }

    Node *parseOr()
    {
        const Token &start = peek();
        Node *first = parseAnd();
        if (!isKw(u"or"))
            return first;
        Node *n = make(NodeKind::BoolOp, spanOf(start));
        n->str = QStringLiteral("or");
        n->list.push_back(first);
        while (acceptKw(u"or"))
            n->list.push_back(parseAnd());
        n->span = spanFrom(start);
        return n;
    }

    Node *parseAnd()
    {
        const Token &start = peek();
        Node *first = parseNot();
        if (!isKw(u"and"))
            return first;
        Node *n = make(NodeKind::BoolOp, spanOf(start));
        n->str = QStringLiteral("and");
        n->list.push_back(first);
        while (acceptKw(u"and"))
            n->list.push_back(parseNot());
        n->span = spanFrom(start);
        return n;
    }

    Node *parseNot()
    {
        if (isKw(u"not")) {
            DepthGuard g(*this);
            const Token &start = next();
            Node *n = make(NodeKind::UnaryOp, spanOf(start));
            n->str = QStringLiteral("not");
            n->a = parseNot();
            n->span = spanFrom(start);
            return n;
        }
        return parseComparison();
    }

    Node *parseComparison()
    {
        const Token &start = peek();
        Node *left = parseBitOr();
        Node *cmp = nullptr;
        while (true) {
            QString op;
            const Token &t = peek();
            if (t.type == Token::Op && (t.text == u"<" || t.text == u">" || t.text == u"==" || t.text == u">="
                                        || t.text == u"<=" || t.text == u"!=" || t.text == u"<>")) {
                op = t.text == u"<>" ? QStringLiteral("!=") : t.text;
                next();
            } else if (isKw(u"in")) {
                next();
                op = QStringLiteral("in");
            } else if (isKw(u"not") && isKw(u"in", 1)) {
                next();
                next();
                op = QStringLiteral("not in");
            } else if (isKw(u"is")) {
                next();
                op = acceptKw(u"not") ? QStringLiteral("is not") : QStringLiteral("is");
            } else {
                break;
            }
            if (!cmp) {
                cmp = make(NodeKind::Compare, spanOf(start));
                cmp->a = left;
            }
            cmp->names.push_back(op);
            cmp->list.push_back(parseBitOr());
        }
        if (!cmp)
            return left;
        cmp->span = spanFrom(start);
        return cmp;
    }

    template<typename Next>
    Node *parseBinaryLevel(std::initializer_list<const char16_t *> ops, Next nextLevel)
    {
        const Token &start = peek();
        Node *left = (this->*nextLevel)();
        while (true) {
            const Token &t = peek();
            bool found = false;
            if (t.type == Token::Op)
                for (const char16_t *op : ops)
                    if (t.text == QStringView(op)) {
                        found = true;
                        break;
                    }
            if (!found)
                return left;
            next();
            Node *n = make(NodeKind::BinOp, spanOf(start));
            n->str = t.text;
            n->a = left;
            n->b = (this->*nextLevel)();
            n->span = spanFrom(start);
            left = n;
        }
    }

    Node *parseBitOr() { return parseBinaryLevel({u"|"}, &Parser::parseBitXor); }
    Node *parseBitXor() { return parseBinaryLevel({u"^"}, &Parser::parseBitAnd); }
    Node *parseBitAnd() { return parseBinaryLevel({u"&"}, &Parser::parseShift); }
    Node *parseShift() { return parseBinaryLevel({u"<<", u">>"}, &Parser::parseArith); }
    Node *parseArith() { return parseBinaryLevel({u"+", u"-"}, &Parser::parseTerm); }
    Node *parseTerm() { return parseBinaryLevel({u"*", u"/", u"%", u"//", u"@"}, &Parser::parseFactor); }

    Node *parseFactor()
    {
        const Token &t = peek();
        if (t.type == Token::Op && (t.text == u"-" || t.text == u"+" || t.text == u"~")) {
            DepthGuard g(*this);
            next();
            Node *n = make(NodeKind::UnaryOp, spanOf(t));
            n->str = t.text;
            n->a = parseFactor();
            n->span = spanFrom(t);
            return n;
        }
        return parsePower();
    }

    Node *parsePower()
    {
        const Token &start = peek();
        Node *base;
        if (isKw(u"await")) {
            next();
            base = make(NodeKind::Await, spanOf(start));
            base->a = parsePrimary();
            base->span = spanFrom(start);
        } else {
            base = parsePrimary();
        }
        if (isOp(u"**")) {
            DepthGuard g(*this);
            next();
            Node *n = make(NodeKind::BinOp, spanOf(start));
            n->str = QStringLiteral("**");
            n->a = base;
            n->b = parseFactor();
            n->span = spanFrom(start);
            return n;
        }
        return base;
    }

    Node *parsePrimary()
    {
        const Token &start = peek();
        Node *e = parseAtom();
        int chain = 0;
        while (true) {
            if (++chain > 10000)
                error(QStringLiteral("expression too long"));
            if (isOp(u".")) {
                next();
                Node *n = make(NodeKind::Attribute, spanOf(start));
                n->a = e;
                n->str = expectName();
                n->span = spanFrom(start);
                e = n;
            } else if (isOp(u"(")) {
                DepthGuard g(*this);
                next();
                Node *n = make(NodeKind::Call, spanOf(start));
                n->a = e;
                parseCallArgs(n);
                expectOp(u")");
                n->span = spanFrom(start);
                e = n;
            } else if (isOp(u"[")) {
                DepthGuard g(*this);
                next();
                Node *n = make(NodeKind::Subscript, spanOf(start));
                n->a = e;
                n->b = parseSubscripts();
                expectOp(u"]");
                n->span = spanFrom(start);
                e = n;
            } else {
                return e;
            }
        }
    }

    void parseCallArgs(Node *call)
    {
        bool seenKeyword = false;
        while (!isOp(u")")) {
            const Token &at = peek();
            if (acceptOp(u"**")) {
                Node *kw = make(NodeKind::Keyword, spanOf(at));
                kw->a = parseTest();
                kw->span = spanFrom(at);
                call->list2.push_back(kw);
                seenKeyword = true;
            } else if (acceptOp(u"*")) {
                Node *st = make(NodeKind::Starred, spanOf(at));
                st->a = parseTest();
                st->span = spanFrom(at);
                call->list.push_back(st);
            } else if (atName() && isOp(u"=", 1)) {
                Node *kw = make(NodeKind::Keyword, spanOf(at));
                kw->str = expectName();
                next();
                kw->a = parseTest();
                kw->span = spanFrom(at);
                call->list2.push_back(kw);
                seenKeyword = true;
            } else {
                Node *arg = parseNamedExpr();
                if (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
                    Node *gen = make(NodeKind::GeneratorExp, arg->span);
                    gen->a = arg;
                    parseComprehensionClauses(gen->list);
                    gen->span = spanFrom(at);
                    arg = gen;
                }
                if (seenKeyword && call->list2.back()->str.isEmpty() == false)
                    error(QStringLiteral("positional argument follows keyword argument"), &at);
                call->list.push_back(arg);
            }
            if (!acceptOp(u","))
                break;
        }
    }

    Node *parseSubscripts()
    {
        const Token &start = peek();
        Node *first = parseSliceItem();
        if (!isOp(u","))
            return first;
        Node *tup = make(NodeKind::TupleExpr, spanOf(start));
        tup->list.push_back(first);
        while (acceptOp(u",")) {
            if (isOp(u"]"))
                break;
            tup->list.push_back(parseSliceItem());
        }
        tup->span = spanFrom(start);
        return tup;
    }

    Node *parseSliceItem()
    {
        const Token &start = peek();
        Node *lower = nullptr;
        if (!isOp(u":"))
            lower = parseStarOrTest();
        if (!isOp(u":"))
            return lower;
        Node *s = make(NodeKind::Slice, spanOf(start));
        s->a = lower;
        next();
        if (!isOp(u":") && !isOp(u"]") && !isOp(u","))
            s->b = parseTest();
        if (acceptOp(u":")) {
            if (!isOp(u"]") && !isOp(u","))
                s->c = parseTest();
        }
        s->span = spanFrom(start);
        return s;
    }

    void parseComprehensionClauses(std::vector<Node *> &out)
    {
        while (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
            const Token &start = peek();
            Node *c = make(NodeKind::Comprehension, spanOf(start));
            if (acceptKw(u"async"))
                c->flag = true;
            expectKw(u"for");
            c->a = parseTargetList();
            expectKw(u"in");
            c->b = parseOr();
            while (isKw(u"if")) {
                next();
                c->list.push_back(parseTestNoCond());
            }
            c->span = spanFrom(start);
            out.push_back(c);
        }
    }

    Node *parseAtom()
    {
        DepthGuard g(*this);
        const Token &t = peek();
        switch (t.type) {
        case Token::Name: {
            if (t.text == u"None" || t.text == u"True" || t.text == u"False") {
                next();
                Node *c = make(NodeKind::Constant, spanOf(t));
                c->constKind = t.text == u"None" ? ConstKind::None : t.text == u"True" ? ConstKind::True : ConstKind::False;
                return c;
            }
            if (keywords().contains(t.text))
                error(QStringLiteral("invalid syntax: unexpected keyword '%1'").arg(t.text));
            next();
            Node *n = make(NodeKind::Name, spanOf(t));
            n->str = t.text;
            return n;
        }
        case Token::Number: {
            next();
            Node *c = make(NodeKind::Constant, spanOf(t));
            QString text = t.text;
            text.remove(u'_');
            const QString lower = text.toLower();
            if (lower.endsWith(u'j'))
                c->constKind = ConstKind::Imaginary;
            else if (lower.startsWith(u"0x") || lower.startsWith(u"0o") || lower.startsWith(u"0b"))
                c->constKind = ConstKind::Int;
            else if (lower.contains(u'.') || lower.contains(u'e'))
                c->constKind = ConstKind::Float;
            else {
                c->constKind = ConstKind::Int;
                if (text.size() > 1 && text.startsWith(u'0') && text.count(u'0') != text.size())
                    error(QStringLiteral("leading zeros in decimal integer literals are not permitted"), &t);
            }
            c->str = text;
            return c;
        }
        case Token::String:
            return parseStrings();
        case Token::Op:
            if (t.text == u"...") {
                next();
                Node *c = make(NodeKind::Constant, spanOf(t));
                c->constKind = ConstKind::Ellipsis;
                return c;
            }
            if (t.text == u"(")
                return parseParen();
            if (t.text == u"[")
                return parseListDisplay();
            if (t.text == u"{")
                return parseDictOrSet();
            break;
        default:
            break;
        }
        error(QStringLiteral("invalid syntax: unexpected %1").arg(describe(t)));
    }

    Node *parseParen()
    {
        const Token &start = next(); // (
        if (acceptOp(u")")) {
            Node *t = make(NodeKind::TupleExpr, spanFrom(start));
            return t;
        }
        if (isKw(u"yield")) {
            Node *y = parseYield();
            expectOp(u")");
            return y;
        }
        Node *first = parseStarOrTest();
        if (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
            Node *gen = make(NodeKind::GeneratorExp, spanOf(start));
            gen->a = first;
            parseComprehensionClauses(gen->list);
            expectOp(u")");
            gen->span = spanFrom(start);
            return gen;
        }
        if (acceptOp(u")")) {
            if (first->kind == NodeKind::Starred)
                error(QStringLiteral("cannot use starred expression here"), &start);
            return first; // parenthesised expression keeps its inner span
        }
        Node *tup = make(NodeKind::TupleExpr, spanOf(start));
        tup->list.push_back(first);
        while (acceptOp(u",")) {
            if (isOp(u")"))
                break;
            tup->list.push_back(parseStarOrTest());
        }
        expectOp(u")");
        tup->span = spanFrom(start);
        return tup;
    }

    Node *parseListDisplay()
    {
        const Token &start = next(); // [
        Node *list = make(NodeKind::ListExpr, spanOf(start));
        if (acceptOp(u"]")) {
            list->span = spanFrom(start);
            return list;
        }
        Node *first = parseStarOrTest();
        if (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
            Node *comp = make(NodeKind::ListComp, spanOf(start));
            comp->a = first;
            parseComprehensionClauses(comp->list);
            expectOp(u"]");
            comp->span = spanFrom(start);
            return comp;
        }
        list->list.push_back(first);
        while (acceptOp(u",")) {
            if (isOp(u"]"))
                break;
            list->list.push_back(parseStarOrTest());
        }
        expectOp(u"]");
        list->span = spanFrom(start);
        return list;
    }

    Node *parseDictOrSet()
    {
        const Token &start = next(); // {
        if (acceptOp(u"}")) {
            Node *d = make(NodeKind::DictExpr, spanFrom(start));
            return d;
        }
        // First element decides dict vs set.
        if (isOp(u"**")) {
            next();
            Node *d = make(NodeKind::DictExpr, spanOf(start));
            d->list.push_back(nullptr);
            d->list2.push_back(parseBitOr());
            return finishDict(d, start);
        }
        Node *first = parseStarOrTest();
        if (acceptOp(u":")) {
            Node *value = parseTest();
            if (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
                Node *comp = make(NodeKind::DictComp, spanOf(start));
                comp->a = first;
                comp->b = value;
                parseComprehensionClauses(comp->list);
                expectOp(u"}");
                comp->span = spanFrom(start);
                return comp;
            }
            Node *d = make(NodeKind::DictExpr, spanOf(start));
            d->list.push_back(first);
            d->list2.push_back(value);
            return finishDict(d, start);
        }
        if (isKw(u"for") || (isKw(u"async") && isKw(u"for", 1))) {
            Node *comp = make(NodeKind::SetComp, spanOf(start));
            comp->a = first;
            parseComprehensionClauses(comp->list);
            expectOp(u"}");
            comp->span = spanFrom(start);
            return comp;
        }
        Node *s = make(NodeKind::SetExpr, spanOf(start));
        s->list.push_back(first);
        while (acceptOp(u",")) {
            if (isOp(u"}"))
                break;
            s->list.push_back(parseStarOrTest());
        }
        expectOp(u"}");
        s->span = spanFrom(start);
        return s;
    }

    Node *finishDict(Node *d, const Token &start)
    {
        while (acceptOp(u",")) {
            if (isOp(u"}"))
                break;
            if (acceptOp(u"**")) {
                d->list.push_back(nullptr);
                d->list2.push_back(parseBitOr());
                continue;
            }
            d->list.push_back(parseTest());
            expectOp(u":");
            d->list2.push_back(parseTest());
        }
        expectOp(u"}");
        d->span = spanFrom(start);
        return d;
    }

    // ---- strings
    Node *parseStrings()
    {
        const Token &start = peek();
        std::vector<const Token *> parts;
        while (peek().type == Token::String)
            parts.push_back(&next());
        bool anyBytes = false, anyStr = false, anyF = false;
        for (const Token *t : parts) {
            if (t->prefix.contains(u'b'))
                anyBytes = true;
            else
                anyStr = true;
            if (t->prefix.contains(u'f'))
                anyF = true;
        }
        if (anyBytes && anyStr)
            error(QStringLiteral("cannot mix bytes and nonbytes literals"), &start);
        const SourceSpan span = spanFrom(start);
        if (!anyF) {
            Node *c = make(NodeKind::Constant, span);
            c->constKind = anyBytes ? ConstKind::Bytes : ConstKind::Str;
            for (const Token *t : parts)
                c->str += literalValue(*t);
            return c;
        }
        Node *js = make(NodeKind::JoinedStr, span);
        for (const Token *t : parts) {
            if (t->prefix.contains(u'f'))
                parseFString(*t, js->list);
            else
                appendLiteral(js->list, literalValue(*t), spanOf(*t));
        }
        return js;
    }

    QString literalValue(const Token &t)
    {
        const bool raw = t.prefix.contains(u'r');
        const bool bytes = t.prefix.contains(u'b');
        if (bytes) {
            for (QChar c : t.text)
                if (c.unicode() > 127)
                    error(QStringLiteral("bytes can only contain ASCII literal characters"), &t);
        }
        QString body = t.text;
        if (body.contains(u'\r')) {
            body.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
            body.replace(u'\r', u'\n');
        }
        return raw ? body : PyParser::decodeEscapes(body, bytes);
    }

    void appendLiteral(std::vector<Node *> &parts, const QString &text, const SourceSpan &span)
    {
        if (text.isEmpty())
            return;
        if (!parts.empty() && parts.back()->kind == NodeKind::Constant) {
            parts.back()->str += text;
            return;
        }
        Node *c = make(NodeKind::Constant, span);
        c->constKind = ConstKind::Str;
        c->str = text;
        parts.push_back(c);
    }

    // Parses the body of one f-string token into literal and FormattedValue parts.
    void parseFString(const Token &t, std::vector<Node *> &parts)
    {
        const bool raw = t.prefix.contains(u'r');
        const QString body = t.text;
        // Positions of each body index in the file.
        std::vector<std::pair<int, int>> pos(size_t(body.size()) + 1);
        {
            int line = t.bodyLine, col = t.bodyColumn;
            for (int i = 0; i <= body.size(); ++i) {
                pos[size_t(i)] = {line, col};
                if (i < body.size()) {
                    if (body.at(i) == u'\n') {
                        ++line;
                        col = 1;
                    } else {
                        ++col;
                    }
                }
            }
        }
        parseFStringRange(t, body, pos, 0, body.size(), raw, parts, 0);
    }

    void fail(const Token &t, const std::vector<std::pair<int, int>> &pos, int i, const QString &msg)
    {
        Q_UNUSED(t);
        const auto p = pos[size_t(std::min<size_t>(size_t(i), pos.size() - 1))];
        throw SyntaxError{QStringLiteral("f-string: ") + msg, p.first, p.second};
    }

    void parseFStringRange(const Token &t, const QString &body, const std::vector<std::pair<int, int>> &pos, int from,
                           int to, bool raw, std::vector<Node *> &parts, int nesting)
    {
        if (nesting > 2)
            fail(t, pos, from, QStringLiteral("expressions nested too deeply"));
        QString literal;
        int litStart = from;
        auto flush = [&](int at) {
            if (!literal.isEmpty()) {
                const QString text = raw ? literal : PyParser::decodeEscapes(literal, false);
                appendLiteral(parts, text,
                              SourceSpan{pos[size_t(litStart)].first, pos[size_t(litStart)].second,
                                         pos[size_t(at)].first, pos[size_t(at)].second});
            }
            literal.clear();
        };
        int i = from;
        while (i < to) {
            const QChar c = body.at(i);
            if (c == u'\\' && !raw && i + 1 < to) {
                // Keep escapes for decodeEscapes, but never treat "\{" specially (Python keeps \N{...}).
                if (body.at(i + 1) == u'N' && i + 2 < to && body.at(i + 2) == u'{') {
                    const int close = body.indexOf(u'}', i);
                    if (close > 0 && close < to) {
                        literal += body.mid(i, close - i + 1);
                        i = close + 1;
                        continue;
                    }
                }
                literal += body.mid(i, 2);
                i += 2;
                continue;
            }
            if (c == u'{') {
                if (i + 1 < to && body.at(i + 1) == u'{') {
                    literal += u'{';
                    i += 2;
                    continue;
                }
                flush(i);
                i = parseField(t, body, pos, i, to, raw, parts, nesting);
                litStart = i;
                continue;
            }
            if (c == u'}') {
                if (i + 1 < to && body.at(i + 1) == u'}') {
                    literal += u'}';
                    i += 2;
                    continue;
                }
                fail(t, pos, i, QStringLiteral("single '}' is not allowed"));
            }
            literal += c;
            ++i;
        }
        flush(to);
    }

    // i at '{'; returns index after the matching '}'.
    int parseField(const Token &t, const QString &body, const std::vector<std::pair<int, int>> &pos, int i, int to,
                   bool raw, std::vector<Node *> &parts, int nesting)
    {
        const int exprStart = i + 1;
        int depth = 0;
        int j = exprStart;
        int exprEnd = -1;
        while (j < to) {
            const QChar c = body.at(j);
            if (c == u'\'' || c == u'"') {
                // Skip a nested string (any prefix letters were consumed as ordinary chars).
                const bool triple = j + 2 < to && body.at(j + 1) == c && body.at(j + 2) == c;
                const int ql = triple ? 3 : 1;
                int k = j + ql;
                while (k < to) {
                    if (body.at(k) == u'\\') {
                        k += 2;
                        continue;
                    }
                    if (body.at(k) == c && (!triple || (k + 2 < to && body.at(k + 1) == c && body.at(k + 2) == c)))
                        break;
                    ++k;
                }
                if (k >= to)
                    fail(t, pos, j, QStringLiteral("unterminated string"));
                j = k + ql;
                continue;
            }
            if (c == u'(' || c == u'[' || c == u'{') {
                ++depth;
            } else if (c == u')' || c == u']' || c == u'}') {
                if (depth == 0) {
                    if (c != u'}')
                        fail(t, pos, j, QStringLiteral("unmatched '%1'").arg(c));
                    exprEnd = j;
                    break;
                }
                --depth;
            } else if (depth == 0 && c == u'!' && j + 1 < to && body.at(j + 1) != u'=') {
                exprEnd = j;
                break;
            } else if (depth == 0 && c == u':') {
                exprEnd = j;
                break;
            } else if (c == u'#') {
                fail(t, pos, j, QStringLiteral("expression part cannot include '#'"));
            }
            ++j;
        }
        if (exprEnd < 0)
            fail(t, pos, i, QStringLiteral("expecting '}'"));
        QString exprText = body.mid(exprStart, exprEnd - exprStart);
        // Self-documenting "{x=}".
        bool selfDoc = false;
        QString selfDocText;
        {
            const QString trimmed = exprText.trimmed();
            if (trimmed.endsWith(u'=') && !trimmed.endsWith(QStringLiteral("==")) && !trimmed.endsWith(QStringLiteral("!="))
                && !trimmed.endsWith(QStringLiteral("<=")) && !trimmed.endsWith(QStringLiteral(">="))) {
                selfDoc = true;
                selfDocText = exprText;
                const int eq = exprText.lastIndexOf(u'=');
                exprText = exprText.left(eq);
            }
        }
        if (exprText.trimmed().isEmpty())
            fail(t, pos, i, QStringLiteral("valid expression required before '}'"));
        Node *fv = make(NodeKind::FormattedValue, SourceSpan{pos[size_t(i)].first, pos[size_t(i)].second, 0, 0});
        fv->a = parseSubExpression(exprText, pos[size_t(exprStart)].first, pos[size_t(exprStart)].second);
        j = exprEnd;
        if (selfDoc) {
            appendLiteral(parts, selfDocText, fv->span);
            fv->num = 'r';
        }
        if (j < to && body.at(j) == u'!') {
            if (j + 1 >= to)
                fail(t, pos, j, QStringLiteral("missing conversion character"));
            const QChar conv = body.at(j + 1);
            if (conv != u's' && conv != u'r' && conv != u'a')
                fail(t, pos, j + 1, QStringLiteral("invalid conversion character '%1'").arg(conv));
            fv->num = conv.unicode();
            j += 2;
        }
        if (j < to && body.at(j) == u':') {
            // Format spec up to the matching '}' (may contain nested fields).
            const int specStart = j + 1;
            int d = 0;
            int k = specStart;
            while (k < to) {
                if (body.at(k) == u'{')
                    ++d;
                else if (body.at(k) == u'}') {
                    if (d == 0)
                        break;
                    --d;
                }
                ++k;
            }
            if (k >= to)
                fail(t, pos, j, QStringLiteral("expecting '}'"));
            Node *spec = make(NodeKind::JoinedStr, SourceSpan{pos[size_t(specStart)].first, pos[size_t(specStart)].second,
                                                                pos[size_t(k)].first, pos[size_t(k)].second});
            parseFStringRange(t, body, pos, specStart, k, raw, spec->list, nesting + 1);
            fv->b = spec;
            j = k;
        }
        if (j >= to || body.at(j) != u'}')
            fail(t, pos, j, QStringLiteral("expecting '}'"));
        fv->span.endLine = pos[size_t(j + 1)].first;
        fv->span.endColumn = pos[size_t(j + 1)].second;
        parts.push_back(fv);
        return j + 1;
    }

    Node *parseSubExpression(const QString &text, int line, int column)
    {
        const QString wrapped = QLatin1Char('(') + text + QLatin1Char(')');
        auto toks = PyLexer::tokenize(wrapped);
        if (!toks)
            throw SyntaxError{QStringLiteral("f-string: ") + toks.error(), line, column};
        std::vector<Token> tokens = std::move(toks.value());
        for (Token &tk : tokens) {
            auto fix = [&](int &l, int &c) {
                if (l == 1)
                    c = column + c - 2;
                l = line + l - 1;
            };
            fix(tk.line, tk.column);
            fix(tk.endLine, tk.endColumn);
            fix(tk.bodyLine, tk.bodyColumn);
        }
        Parser sub(m_mod, std::move(tokens), m_depth + 1);
        Node *e = sub.parseFieldExpression();
        if (sub.peek().type != Token::Newline && sub.peek().type != Token::End)
            sub.error(QStringLiteral("f-string: invalid syntax"));
        return e;
    }

    Module &m_mod;
    std::vector<Token> m_toks;
    size_t m_pos = 0;
    size_t m_last = 0;
    int m_depth = 0;
};


} // namespace

QString PyParser::decodeEscapes(const QString &body, bool bytes)
{
    if (!body.contains(u'\\'))
        return body;
    QString out;
    out.reserve(body.size());
    for (int i = 0; i < body.size(); ++i) {
        const QChar c = body.at(i);
        if (c != u'\\' || i + 1 >= body.size()) {
            out += c;
            continue;
        }
        const QChar e = body.at(++i);
        switch (e.unicode()) {
        case '\n': break;
        case '\\': out += u'\\'; break;
        case '\'': out += u'\''; break;
        case '"': out += u'"'; break;
        case 'a': out += QChar(7); break;
        case 'b': out += QChar(8); break;
        case 'f': out += QChar(12); break;
        case 'n': out += QChar(10); break;
        case 'r': out += QChar(13); break;
        case 't': out += QChar(9); break;
        case 'v': out += QChar(11); break;
        case 'x': {
            int v = 0, n = 0;
            while (n < 2 && i + 1 < body.size() && hexDigitValue(body.at(i + 1).unicode()) >= 0) {
                v = v * 16 + hexDigitValue(body.at(++i).unicode());
                ++n;
            }
            out += QChar(v);
            break;
        }
        case 'u':
        case 'U': {
            if (bytes) {
                out += u'\\';
                out += e;
                break;
            }
            const int want = e == u'u' ? 4 : 8;
            uint v = 0;
            int n = 0;
            while (n < want && i + 1 < body.size() && hexDigitValue(body.at(i + 1).unicode()) >= 0) {
                v = v * 16 + uint(hexDigitValue(body.at(++i).unicode()));
                ++n;
            }
            if (v > 0x10FFFF)
                v = 0xFFFD;
            out += QString::fromUcs4(reinterpret_cast<const char32_t *>(&v), 1);
            break;
        }
        case 'N': {
            if (bytes) {
                out += QStringLiteral("\\N");
                break;
            }
            // Unicode names are not modelled: keep the escape text visible.
            const int close = body.indexOf(u'}', i);
            if (i + 1 < body.size() && body.at(i + 1) == u'{' && close > 0) {
                out += body.mid(i - 1, close - i + 2);
                i = close;
            } else {
                out += QStringLiteral("\\N");
            }
            break;
        }
        default:
            if (e >= u'0' && e <= u'7') {
                int v = e.unicode() - '0';
                int n = 1;
                while (n < 3 && i + 1 < body.size() && body.at(i + 1) >= u'0' && body.at(i + 1) <= u'7') {
                    v = v * 8 + (body.at(++i).unicode() - '0');
                    ++n;
                }
                out += QChar(bytes ? (v & 0xFF) : v);
            } else {
                out += u'\\';
                out += e;
            }
        }
    }
    return out;
}

Expected<std::shared_ptr<Module>> PyParser::parse(const QString &source, const QString &fileName)
{
    auto tokens = PyLexer::tokenize(source);
    if (!tokens)
        return makeError(QStringLiteral("%1: syntax error: %2").arg(fileName.isEmpty() ? QStringLiteral("<string>") : fileName, tokens.error()));
    auto module = std::make_shared<Module>();
    module->fileName = fileName;
    module->source = source;
    try {
        Parser p(*module, std::move(tokens.value()));
        module->root = p.parseFile();
    } catch (const SyntaxError &e) {
        return makeError(QStringLiteral("%1: syntax error: line %2, column %3: %4")
                             .arg(fileName.isEmpty() ? QStringLiteral("<string>") : fileName)
                             .arg(e.line)
                             .arg(e.column)
                             .arg(e.message));
    }
    return module;
}

} // namespace cachescope::py
