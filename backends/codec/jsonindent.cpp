#include "jsonindent.h"

#include <algorithm>

namespace cachescope {

QByteArray indentJson(QByteArrayView json, int width, qsizetype maxBytes)
{
    const qsizetype n = maxBytes >= 0 ? std::min(json.size(), maxBytes) : json.size();
    QByteArray out;
    out.reserve(n * 2);
    int depth = 0;
    bool inString = false;
    auto newline = [&] {
        out += '\n';
        out.append(qsizetype(width) * std::max(depth, 0), ' ');
    };
    // The next byte that is not layout whitespace, from `i` on.
    auto nextToken = [&](qsizetype i) {
        while (i < n && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t'))
            ++i;
        return i;
    };
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < n)
                out += json[++i];
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case ' ': case '\n': case '\r': case '\t': break;
        case '"': inString = true; out += c; break;
        case '{': case '[': {
            out += c;
            const qsizetype next = nextToken(i + 1);
            if (next < n && (json[next] == '}' || json[next] == ']')) {
                out += json[next];
                i = next;
            } else {
                ++depth;
                newline();
            }
            break;
        }
        case '}': case ']': --depth; newline(); out += c; break;
        case ',': out += c; newline(); break;
        case ':': out += ": "; break;
        default: out += c;
        }
    }
    if (n < json.size())
        out += "\n… (truncated)";
    return out;
}

} // namespace cachescope
