#include "keykind.h"

namespace cachescope::keykind {

namespace {

bool allOf(QByteArrayView v, bool (*pred)(char))
{
    for (char c : v) {
        if (!pred(c))
            return false;
    }
    return true;
}

bool hexChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool tokenChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool isUuid(QByteArrayView v)
{
    if (v.size() != 36)
        return false;
    for (qsizetype i = 0; i < 36; ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? v[i] != '-' : !hexChar(v[i]))
            return false;
    }
    return true;
}

bool isHexDigest(QByteArrayView v)
{
    return (v.size() == 32 || v.size() == 40 || v.size() == 64) && allOf(v, hexChar);
}

} // namespace

bool isHashLike(QByteArrayView s)
{
    if (isHexDigest(s) || isUuid(s))
        return true;
    // Flask-Caching memoize digests and secrets.token_urlsafe keys: long, mixed letters+digits.
    if (s.size() < 16 || !allOf(s, tokenChar))
        return false;
    bool digit = false, upper = false, lower = false;
    for (char c : s) {
        digit |= c >= '0' && c <= '9';
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
    }
    return digit && (upper || lower) && (s.size() >= 20 || (upper && lower));
}

// Caches whose purpose alone says what they hold.
QString fromPurpose(QStringView purpose)
{
    if (purpose.contains(u"THUMBNAIL"))
        return QStringLiteral("thumbnail");
    if (purpose.contains(u"RESULTS"))
        return QStringLiteral("SQL Lab result");
    if (purpose.contains(u"FILTER_STATE"))
        return QStringLiteral("filter state");
    if (purpose.contains(u"EXPLORE_FORM_DATA"))
        return QStringLiteral("form data");
    return {};
}

QString guess(QByteArrayView k, QStringView purpose)
{
    if (k.startsWith("qc-"))
        return QStringLiteral("query context");
    if (k.endsWith("_memver"))
        return QStringLiteral("memoize version");
    if (k.startsWith("db:") && (k.endsWith("_list")))
        return QStringLiteral("table/view list");
    if (isUuid(k))
        return QStringLiteral("SQL Lab result");
    const qsizetype semi = k.indexOf(';');
    if (semi > 0) {
        const QByteArrayView head = k.first(semi);
        if (allOf(head, [](char c) { return c >= '0' && c <= '9'; }))
            return QStringLiteral("filter state");
        return QStringLiteral("form data (contextual)");
    }
    if (const QString byPurpose = fromPurpose(purpose); !byPurpose.isEmpty())
        return byPurpose;
    if (isHexDigest(k))
        return purpose.isEmpty() || purpose.contains(u"DATA") ? QStringLiteral("chart data") : QStringLiteral("cached value");
    return {};
}

QString guessForHashedName(QStringView purpose)
{
    const QString byPurpose = fromPurpose(purpose);
    if (!byPurpose.isEmpty())
        return byPurpose;
    return purpose.contains(u"DATA") ? QStringLiteral("chart data") : QStringLiteral("cached value");
}

} // namespace cachescope::keykind
