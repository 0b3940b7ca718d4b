#include "globmatch.h"

namespace cachescope {

namespace {

// Matches one class starting at pattern[p] == '['; sets *next to the index after ']'. An
// unterminated '[' is a literal, as in Python's fnmatch.
bool matchClass(QByteArrayView pattern, qsizetype p, char c, qsizetype *next, bool *literal)
{
    qsizetype i = p + 1;
    bool negate = false;
    if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        negate = true;
        ++i;
    }
    bool matched = false;
    bool first = true;
    while (i < pattern.size() && (first || pattern[i] != ']')) {
        first = false;
        char lo = pattern[i];
        if (lo == '\\' && i + 1 < pattern.size())
            lo = pattern[++i];
        char hi = lo;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            hi = pattern[i + 2];
            if (hi == '\\' && i + 3 < pattern.size())
                hi = pattern[++i + 2];
            i += 2;
        }
        if (quint8(lo) <= quint8(c) && quint8(c) <= quint8(hi))
            matched = true;
        ++i;
    }
    if (i >= pattern.size()) { // no closing bracket
        *literal = true;
        *next = p + 1;
        return c == '[';
    }
    *literal = false;
    *next = i + 1;
    return matched != negate;
}

} // namespace

bool globMatch(QByteArrayView pattern, QByteArrayView text)
{
    qsizetype p = 0, t = 0;
    qsizetype starP = -1, starT = -1;
    while (t < text.size()) {
        bool ok = false;
        qsizetype nextP = p + 1;
        if (p < pattern.size()) {
            const char pc = pattern[p];
            if (pc == '*') {
                starP = p;
                starT = t;
                ++p;
                continue;
            }
            if (pc == '?') {
                ok = true;
            } else if (pc == '[') {
                bool literal = false;
                ok = matchClass(pattern, p, text[t], &nextP, &literal);
            } else if (pc == '\\' && p + 1 < pattern.size()) {
                ok = pattern[p + 1] == text[t];
                nextP = p + 2;
            } else {
                ok = pc == text[t];
            }
        }
        if (ok) {
            p = nextP;
            ++t;
        } else if (starP >= 0) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace cachescope
