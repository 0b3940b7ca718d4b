#include "pylexer.h"

#include <QStringList>

namespace cachescope::py {

namespace {

bool isIdentStart(QChar c)
{
    return c == u'_' || c.isLetter() || (c.unicode() >= 0x80 && c.isLetterOrNumber());
}

bool isIdentChar(QChar c)
{
    return c == u'_' || c.isLetterOrNumber() || c.category() == QChar::Mark_NonSpacing
        || c.category() == QChar::Mark_SpacingCombining;
}

bool isStringPrefix(const QString &p)
{
    static const QStringList prefixes = {QString(), QStringLiteral("r"), QStringLiteral("u"), QStringLiteral("b"),
                                         QStringLiteral("br"), QStringLiteral("rb"), QStringLiteral("f"),
                                         QStringLiteral("fr"), QStringLiteral("rf")};
    return prefixes.contains(p.toLower());
}

const char *const kOperators[] = {"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=",
                                  "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<>"};

class Lexer
{
public:
    explicit Lexer(const QString &src) : m_src(src) {}

    Expected<std::vector<Token>> run()
    {
        std::vector<int> indents{0};
        bool atLineStart = true;
        while (true) {
            if (m_tokens.size() > size_t(PyLexer::kMaxTokens))
                return fail(QStringLiteral("too many tokens (limit %1)").arg(PyLexer::kMaxTokens));
            if (atLineStart && m_depth == 0) {
                // Measure indentation; blank and comment-only lines do not count.
                int col = 0;
                int p = m_pos;
                while (p < m_src.size()) {
                    const QChar c = m_src.at(p);
                    if (c == u' ')
                        ++col;
                    else if (c == u'\t')
                        col = (col / 8 + 1) * 8;
                    else if (c == u'\f')
                        col = 0;
                    else
                        break;
                    ++p;
                }
                advanceTo(p);
                if (m_pos >= m_src.size())
                    break;
                const QChar c = m_src.at(m_pos);
                if (c == u'#' || c == u'\n' || c == u'\r') {
                    skipComment();
                    if (m_pos < m_src.size())
                        newline();
                    continue;
                }
                if (c == u'\\' && m_pos + 1 < m_src.size() && (m_src.at(m_pos + 1) == u'\n' || m_src.at(m_pos + 1) == u'\r')) {
                    advanceTo(m_pos + 1);
                    newline();
                    atLineStart = false;
                    continue;
                }
                atLineStart = false;
                if (col > indents.back()) {
                    indents.push_back(col);
                    push(Token::Indent, QString(), m_line, m_col);
                } else {
                    while (col < indents.back()) {
                        indents.pop_back();
                        push(Token::Dedent, QString(), m_line, m_col);
                    }
                    if (col != indents.back())
                        return fail(QStringLiteral("unindent does not match any outer indentation level"));
                }
            }
            if (m_pos >= m_src.size())
                break;
            const QChar c = m_src.at(m_pos);
            if (c == u' ' || c == u'\t' || c == u'\f') {
                advanceTo(m_pos + 1);
                continue;
            }
            if (c == u'#') {
                skipComment();
                continue;
            }
            if (c == u'\\') {
                int p = m_pos + 1;
                if (p < m_src.size() && m_src.at(p) == u'\r')
                    ++p;
                if (p < m_src.size() && m_src.at(p) == u'\n') {
                    m_pos = p;
                    newline();
                    continue;
                }
                if (p >= m_src.size()) {
                    m_pos = p;
                    continue;
                }
                return fail(QStringLiteral("unexpected character after line continuation character"));
            }
            if (c == u'\n' || c == u'\r') {
                if (m_depth == 0) {
                    push(Token::Newline, QString(), m_line, m_col);
                    atLineStart = true;
                }
                newline();
                continue;
            }
            if (isIdentStart(c)) {
                int p = m_pos;
                while (p < m_src.size() && isIdentChar(m_src.at(p)))
                    ++p;
                const QString word = m_src.mid(m_pos, p - m_pos);
                if (p < m_src.size() && (m_src.at(p) == u'\'' || m_src.at(p) == u'"') && isStringPrefix(word)) {
                    if (auto err = lexString(word.toLower(), p); !err.isEmpty())
                        return fail(err);
                    continue;
                }
                push(Token::Name, word, m_line, m_col, p);
                continue;
            }
            if (c.isDigit() || (c == u'.' && m_pos + 1 < m_src.size() && m_src.at(m_pos + 1).isDigit())) {
                if (auto err = lexNumber(); !err.isEmpty())
                    return fail(err);
                continue;
            }
            if (c == u'\'' || c == u'"') {
                if (auto err = lexString(QString(), m_pos); !err.isEmpty())
                    return fail(err);
                continue;
            }
            bool matched = false;
            for (const char *op : kOperators) {
                const QLatin1String l(op);
                if (QStringView(m_src).mid(m_pos).startsWith(l)) {
                    push(Token::Op, QString(l), m_line, m_col, m_pos + int(l.size()));
                    matched = true;
                    break;
                }
            }
            if (matched)
                continue;
            static const QString singles = QStringLiteral("+-*/%@&|^~<>()[]{},:.;=!");
            if (singles.contains(c)) {
                if (c == u'(' || c == u'[' || c == u'{') {
                    if (++m_depth > 200)
                        return fail(QStringLiteral("too many nested parentheses"));
                    m_open.push_back({m_line, m_col, c});
                } else if (c == u')' || c == u']' || c == u'}') {
                    if (m_depth == 0)
                        return fail(QStringLiteral("unmatched '%1'").arg(c));
                    --m_depth;
                    m_open.pop_back();
                }
                push(Token::Op, QString(c), m_line, m_col, m_pos + 1);
                continue;
            }
            return fail(QStringLiteral("invalid character '%1' (U+%2)").arg(c).arg(c.unicode(), 4, 16, QLatin1Char('0')));
        }
        if (m_depth > 0) {
            m_line = m_open.back().line;
            m_col = m_open.back().column;
            return fail(QStringLiteral("'%1' was never closed").arg(m_open.back().bracket));
        }
        if (!m_tokens.empty() && m_tokens.back().type != Token::Newline && m_tokens.back().type != Token::Dedent
            && m_tokens.back().type != Token::Indent)
            push(Token::Newline, QString(), m_line, m_col);
        while (indents.size() > 1) {
            indents.pop_back();
            push(Token::Dedent, QString(), m_line, m_col);
        }
        push(Token::End, QString(), m_line, m_col);
        return std::move(m_tokens);
    }

private:
    Error fail(const QString &what) const
    {
        return makeError(QStringLiteral("line %1, column %2: %3").arg(m_line).arg(m_col).arg(what));
    }

    void newline()
    {
        // m_pos is at '\r' or '\n'
        if (m_src.at(m_pos) == u'\r' && m_pos + 1 < m_src.size() && m_src.at(m_pos + 1) == u'\n')
            ++m_pos;
        ++m_pos;
        ++m_line;
        m_col = 1;
    }

    void advanceTo(int p)
    {
        // Only used within a line.
        m_col += p - m_pos;
        m_pos = p;
    }

    void skipComment()
    {
        while (m_pos < m_src.size() && m_src.at(m_pos) != u'\n' && m_src.at(m_pos) != u'\r')
            advanceTo(m_pos + 1);
    }

    void push(Token::Type type, const QString &text, int line, int col, int endPos = -1)
    {
        Token t;
        t.type = type;
        t.text = text;
        t.line = line;
        t.column = col;
        if (endPos >= 0)
            advanceTo(endPos);
        t.endLine = m_line;
        t.endColumn = m_col;
        m_tokens.push_back(std::move(t));
    }

    QString lexNumber()
    {
        const int start = m_pos;
        int p = m_pos;
        auto digits = [&](auto pred) {
            while (p < m_src.size() && (pred(m_src.at(p)) || (m_src.at(p) == u'_' && p + 1 < m_src.size() && pred(m_src.at(p + 1)))))
                ++p;
        };
        auto dec = [](QChar c) { return c >= u'0' && c <= u'9'; };
        if (m_src.at(p) == u'0' && p + 1 < m_src.size() && QStringLiteral("xXoObB").contains(m_src.at(p + 1))) {
            const QChar k = m_src.at(p + 1).toLower();
            p += 2;
            if (m_src.size() > p && m_src.at(p) == u'_')
                ++p;
            if (k == u'x')
                digits([](QChar c) { return c.isDigit() || (c.toLower() >= u'a' && c.toLower() <= u'f'); });
            else if (k == u'o')
                digits([](QChar c) { return c >= u'0' && c <= u'7'; });
            else
                digits([](QChar c) { return c == u'0' || c == u'1'; });
            if (p == start + 2)
                return QStringLiteral("invalid number literal");
        } else {
            digits(dec);
            if (p < m_src.size() && m_src.at(p) == u'.') {
                ++p;
                digits(dec);
            }
            if (p < m_src.size() && (m_src.at(p) == u'e' || m_src.at(p) == u'E')) {
                int q = p + 1;
                if (q < m_src.size() && (m_src.at(q) == u'+' || m_src.at(q) == u'-'))
                    ++q;
                if (q < m_src.size() && dec(m_src.at(q))) {
                    p = q;
                    digits(dec);
                }
            }
            if (p < m_src.size() && (m_src.at(p) == u'j' || m_src.at(p) == u'J'))
                ++p;
        }
        if (p < m_src.size() && isIdentStart(m_src.at(p)) && m_src.at(p) != u'_')
            return QStringLiteral("invalid decimal literal");
        push(Token::Number, m_src.mid(start, p - start), m_line, m_col, p);
        return {};
    }

    // p points at the opening quote; prefix already lower-cased.
    QString lexString(const QString &prefix, int p)
    {
        const int startLine = m_line, startCol = m_col;
        const QChar q = m_src.at(p);
        const bool triple = p + 2 < m_src.size() && m_src.at(p + 1) == q && m_src.at(p + 2) == q;
        const int quoteLen = triple ? 3 : 1;
        const bool raw = prefix.contains(u'r');
        const bool fstr = prefix.contains(u'f');
        // Move the column to the body start.
        advanceTo(p + quoteLen);
        const int bodyStart = m_pos;
        const int bodyLine = m_line, bodyCol = m_col;
        int braceDepth = 0;
        while (true) {
            if (m_pos >= m_src.size())
                return triple ? QStringLiteral("unterminated triple-quoted string literal (started at line %1)").arg(startLine)
                              : QStringLiteral("unterminated string literal");
            const QChar c = m_src.at(m_pos);
            if (c == u'\n' || c == u'\r') {
                if (!triple && braceDepth == 0)
                    return QStringLiteral("unterminated string literal");
                newline();
                continue;
            }
            if (c == u'\\' && !(fstr && braceDepth > 0)) {
                // An escape (even in raw strings a backslash protects the quote).
                if (m_pos + 1 < m_src.size()) {
                    const QChar n = m_src.at(m_pos + 1);
                    if (n == u'\n' || n == u'\r') {
                        advanceTo(m_pos + 1);
                        newline();
                        continue;
                    }
                    advanceTo(m_pos + 2);
                } else {
                    advanceTo(m_pos + 1);
                }
                continue;
            }
            Q_UNUSED(raw);
            if (fstr) {
                if (c == u'{') {
                    if (braceDepth == 0 && m_pos + 1 < m_src.size() && m_src.at(m_pos + 1) == u'{') {
                        advanceTo(m_pos + 2);
                        continue;
                    }
                    ++braceDepth;
                    advanceTo(m_pos + 1);
                    continue;
                }
                if (c == u'}') {
                    if (braceDepth > 0)
                        --braceDepth;
                    advanceTo(m_pos + 1);
                    continue;
                }
                if (braceDepth > 0 && (c == u'\'' || c == u'"') && c != q) {
                    // A nested string inside a replacement field: skip it whole.
                    const QChar nq = c;
                    advanceTo(m_pos + 1);
                    while (m_pos < m_src.size() && m_src.at(m_pos) != nq && m_src.at(m_pos) != u'\n') {
                        if (m_src.at(m_pos) == u'\\' && m_pos + 1 < m_src.size())
                            advanceTo(m_pos + 1);
                        advanceTo(m_pos + 1);
                    }
                    if (m_pos < m_src.size() && m_src.at(m_pos) == nq)
                        advanceTo(m_pos + 1);
                    continue;
                }
            }
            if (c == q) {
                if (!triple || (m_pos + 2 < m_src.size() && m_src.at(m_pos + 1) == q && m_src.at(m_pos + 2) == q)) {
                    if (fstr && braceDepth > 0 && !triple) {
                        // Python 3.12 allows reusing the quote inside a replacement field.
                        advanceTo(m_pos + 1);
                        while (m_pos < m_src.size() && m_src.at(m_pos) != q && m_src.at(m_pos) != u'\n')
                            advanceTo(m_pos + 1);
                        if (m_pos < m_src.size() && m_src.at(m_pos) == q)
                            advanceTo(m_pos + 1);
                        continue;
                    }
                    Token t;
                    t.type = Token::String;
                    t.prefix = prefix;
                    t.text = m_src.mid(bodyStart, m_pos - bodyStart);
                    t.line = startLine;
                    t.column = startCol;
                    t.bodyLine = bodyLine;
                    t.bodyColumn = bodyCol;
                    advanceTo(m_pos + quoteLen);
                    t.endLine = m_line;
                    t.endColumn = m_col;
                    m_tokens.push_back(std::move(t));
                    return {};
                }
            }
            advanceTo(m_pos + 1);
        }
    }

    const QString &m_src;
    int m_pos = 0;
    int m_line = 1;
    int m_col = 1;
    int m_depth = 0;
    struct Open
    {
        int line;
        int column;
        QChar bracket;
    };
    std::vector<Open> m_open;
    std::vector<Token> m_tokens;
};

} // namespace

Expected<std::vector<Token>> PyLexer::tokenize(const QString &source)
{
    return Lexer(source).run();
}

} // namespace cachescope::py
