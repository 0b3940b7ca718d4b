#include "pythonhighlighter.h"

namespace cachescope {

PythonHighlighter::PythonHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
{
    QTextCharFormat keyword;
    keyword.setForeground(QColor(0x00, 0x33, 0x99));
    keyword.setFontWeight(QFont::Bold);
    m_rules.append({QRegularExpression(QStringLiteral(
                        "\\b(False|None|True|and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|"
                        "global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield|match|case)\\b")),
                    keyword});
    QTextCharFormat builtin;
    builtin.setForeground(QColor(0x80, 0x00, 0x80));
    m_rules.append({QRegularExpression(QStringLiteral("\\b(int|str|bool|float|dict|list|tuple|set|len|print|open|exit|getattr|isinstance|range|"
                                                      "timedelta|os|environ|getenv)\\b")),
                    builtin});
    QTextCharFormat number;
    number.setForeground(QColor(0x09, 0x86, 0x58));
    m_rules.append({QRegularExpression(QStringLiteral("\\b(0[xXoObB][0-9a-fA-F_]+|\\d[\\d_]*(\\.\\d*)?([eE][+-]?\\d+)?j?)\\b")), number});
    QTextCharFormat setting;
    setting.setForeground(QColor(0x99, 0x33, 0x00));
    m_rules.append({QRegularExpression(QStringLiteral("\\b[A-Z][A-Z0-9_]{2,}\\b")), setting});
    m_string.setForeground(QColor(0xa3, 0x15, 0x15));
    m_comment.setForeground(QColor(0x6a, 0x73, 0x7d));
    m_comment.setFontItalic(true);
}

void PythonHighlighter::highlightBlock(const QString &text)
{
    for (const Rule &r : std::as_const(m_rules)) {
        auto it = r.pattern.globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            setFormat(int(m.capturedStart()), int(m.capturedLength()), r.format);
        }
    }
    // Strings and comments by a small scanner (they override the rules above).
    // Block state: 0 normal, 1 inside ''' , 2 inside """.
    int i = 0;
    int state = previousBlockState() < 0 ? 0 : previousBlockState();
    if (state != 0) {
        const QString delim = state == 1 ? QStringLiteral("'''") : QStringLiteral("\"\"\"");
        const int end = text.indexOf(delim);
        if (end < 0) {
            setFormat(0, int(text.size()), m_string);
            setCurrentBlockState(state);
            return;
        }
        setFormat(0, end + 3, m_string);
        i = end + 3;
        state = 0;
    }
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (c == u'#') {
            setFormat(i, int(text.size()) - i, m_comment);
            break;
        }
        if (c == u'\'' || c == u'"') {
            const bool triple = i + 2 < text.size() && text.at(i + 1) == c && text.at(i + 2) == c;
            if (triple) {
                const QString delim(3, c);
                const int end = text.indexOf(delim, i + 3);
                if (end < 0) {
                    setFormat(i, int(text.size()) - i, m_string);
                    state = c == u'\'' ? 1 : 2;
                    break;
                }
                setFormat(i, end + 3 - i, m_string);
                i = end + 3;
                continue;
            }
            int j = i + 1;
            while (j < text.size() && text.at(j) != c) {
                if (text.at(j) == u'\\')
                    ++j;
                ++j;
            }
            setFormat(i, std::min(j + 1, int(text.size())) - i, m_string);
            i = j + 1;
            continue;
        }
        ++i;
    }
    setCurrentBlockState(state);
}

} // namespace cachescope
