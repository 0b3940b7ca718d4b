#pragma once

#include "common/expected.h"

#include <QString>

#include <vector>

namespace cachescope::py {

struct Token
{
    enum Type { Name, Number, String, Op, Newline, Indent, Dedent, End };
    Type type = End;
    QString text;   // name, number text, operator; for strings the raw body between the quotes
    QString prefix; // strings: lower-cased prefix ("", "r", "b", "f", "rb", "fr", ...)
    int line = 1, column = 1, endLine = 1, endColumn = 1; // 1-based, end exclusive
    int bodyLine = 1, bodyColumn = 1;                     // strings: where the body starts
};

// Python 3 tokenizer: indentation, implicit line joining inside brackets, backslash continuation,
// all string prefixes and triple quotes (f-string bodies are kept raw and parsed by the parser).
class PyLexer
{
public:
    static constexpr int kMaxTokens = 4'000'000;
    static Expected<std::vector<Token>> tokenize(const QString &source);
};

} // namespace cachescope::py
