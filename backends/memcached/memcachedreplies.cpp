#include "memcachedreplies.h"

#include "common/hexdigit.h"

#include <QString>

namespace cachescope::memcachedreplies {

namespace {

QString shown(QByteArrayView line)
{
    return QString::fromUtf8(line.first(std::min<qsizetype>(line.size(), 160)));
}

Error malformed(const char *what, QByteArrayView line)
{
    return makeError(QStringLiteral("malformed %1 line \"%2\"").arg(QLatin1String(what), shown(line)));
}

// Decimal digits only (no sign, no spaces), within range.
std::optional<quint64> toUnsigned(QByteArrayView text, quint64 max = std::numeric_limits<quint64>::max())
{
    if (text.isEmpty() || text.size() > 20)
        return std::nullopt;
    quint64 v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const quint64 d = quint64(c - '0');
        if (v > (max - d) / 10)
            return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::optional<qint64> toSigned(QByteArrayView text)
{
    const bool negative = text.startsWith('-');
    auto v = toUnsigned(negative ? text.sliced(1) : text, quint64(std::numeric_limits<qint64>::max()));
    if (!v)
        return std::nullopt;
    return negative ? -qint64(*v) : qint64(*v);
}

QList<QByteArrayView> tokens(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        const qsizetype start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start)
            out.append(line.sliced(start, i - start));
    }
    return out;
}

} // namespace

Expected<ValueLine> parseValueLine(QByteArrayView line)
{
    const auto t = tokens(line);
    if ((t.size() != 4 && t.size() != 5) || t[0] != QByteArrayView("VALUE"))
        return malformed("VALUE", line);
    ValueLine v;
    v.key = t[1].toByteArray();
    const auto flags = toUnsigned(t[2], 0xffffffffu);
    const auto bytes = toUnsigned(t[3], quint64(std::numeric_limits<qint64>::max()));
    if (!flags || !bytes)
        return malformed("VALUE", line);
    v.flags = quint32(*flags);
    v.bytes = qint64(*bytes);
    if (t.size() == 5) {
        v.cas = toUnsigned(t[4]);
        if (!v.cas)
            return malformed("VALUE", line);
    }
    return v;
}

Expected<MetaLine> parseMetaLine(QByteArrayView line)
{
    const auto t = tokens(line);
    if (t.isEmpty())
        return malformed("meta", line);
    MetaLine m;
    qsizetype first = 1;
    if (t[0] == QByteArrayView("EN") && t.size() == 1)
        return m;
    if (t[0] == QByteArrayView("VA")) {
        if (t.size() < 2)
            return malformed("meta", line);
        const auto n = toUnsigned(t[1], quint64(std::numeric_limits<qint64>::max()));
        if (!n)
            return malformed("meta", line);
        m.valueBytes = qint64(*n);
        first = 2;
    } else if (t[0] != QByteArrayView("HD")) {
        return malformed("meta", line);
    }
    m.found = true;
    for (qsizetype i = first; i < t.size(); ++i) {
        const char flag = t[i][0];
        const QByteArrayView value = t[i].sliced(1);
        if (flag == 't') {
            const auto ttl = toSigned(value);
            if (!ttl || *ttl < -1)
                return malformed("meta", line);
            m.ttl = *ttl;
        } else if (flag == 's') {
            const auto size = toUnsigned(value, quint64(std::numeric_limits<qint64>::max()));
            if (!size)
                return malformed("meta", line);
            m.size = qint64(*size);
        } else if (flag == 'f') {
            const auto flags = toUnsigned(value, 0xffffffffu);
            if (!flags)
                return malformed("meta", line);
            m.flags = quint32(*flags);
        } // other return flags (k, c, ...) are not asked for; ignore them
    }
    return m;
}

Expected<std::pair<QByteArray, QByteArray>> parseStatLine(QByteArrayView line)
{
    if (!line.startsWith("STAT "))
        return malformed("STAT", line);
    const QByteArrayView rest = line.sliced(5);
    const qsizetype space = rest.indexOf(' ');
    if (space <= 0)
        return malformed("STAT", line);
    return std::pair(rest.first(space).toByteArray(), rest.sliced(space + 1).toByteArray());
}

Expected<QByteArray> percentDecode(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const int hi = i + 2 < text.size() ? hexDigitValue(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hexDigitValue(text[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return makeError(QStringLiteral("bad percent escape at offset %1 in \"%2\"").arg(i).arg(shown(text)));
        out += char(hi * 16 + lo);
        i += 2;
    }
    return out;
}

Expected<MetadumpLine> parseMetadumpLine(QByteArrayView line)
{
    const auto t = tokens(line);
    if (t.isEmpty() || !t[0].startsWith("key="))
        return malformed("metadump", line);
    MetadumpLine m;
    auto key = percentDecode(t[0].sliced(4));
    if (!key)
        return makeError(QStringLiteral("malformed metadump line: %1").arg(key.error()));
    if (key->isEmpty() || key->size() > 250)
        return malformed("metadump", line);
    m.key = std::move(*key);
    for (qsizetype i = 1; i < t.size(); ++i) {
        const qsizetype eq = t[i].indexOf('=');
        if (eq <= 0)
            return malformed("metadump", line);
        const QByteArrayView name = t[i].first(eq);
        const QByteArrayView value = t[i].sliced(eq + 1);
        bool ok = true;
        if (name == QByteArrayView("exp")) {
            const auto v = toSigned(value);
            ok = v && *v >= -1;
            m.exp = v.value_or(0);
        } else if (name == QByteArrayView("la")) {
            const auto v = toSigned(value);
            ok = v.has_value();
            m.lastAccess = v.value_or(0);
        } else if (name == QByteArrayView("cas")) {
            const auto v = toUnsigned(value);
            ok = v.has_value();
            m.cas = v.value_or(0);
        } else if (name == QByteArrayView("fetch")) {
            ok = value == QByteArrayView("yes") || value == QByteArrayView("no");
            m.fetched = value == QByteArrayView("yes");
        } else if (name == QByteArrayView("cls")) {
            const auto v = toUnsigned(value, 255);
            ok = v.has_value();
            m.slabClass = int(v.value_or(0));
        } else if (name == QByteArrayView("size")) {
            const auto v = toUnsigned(value, quint64(std::numeric_limits<qint64>::max()));
            ok = v.has_value();
            m.size = qint64(v.value_or(0));
        }
        if (!ok)
            return malformed("metadump", line);
    }
    return m;
}

Expected<PrefixLine> parsePrefixLine(QByteArrayView line)
{
    const auto t = tokens(line);
    if (t.size() != 10 || t[0] != QByteArrayView("PREFIX") || t[2] != QByteArrayView("get") || t[4] != QByteArrayView("hit")
        || t[6] != QByteArrayView("set") || t[8] != QByteArrayView("del"))
        return malformed("PREFIX", line);
    PrefixLine p;
    p.prefix = t[1].toByteArray();
    const auto gets = toUnsigned(t[3]), hits = toUnsigned(t[5]), sets = toUnsigned(t[7]), dels = toUnsigned(t[9]);
    if (!gets || !hits || !sets || !dels)
        return malformed("PREFIX", line);
    p.gets = *gets;
    p.hits = *hits;
    p.sets = *sets;
    p.deletes = *dels;
    return p;
}

std::optional<QString> errorReply(QByteArrayView line)
{
    if (line == QByteArrayView("ERROR") || line.startsWith("ERROR ") || line.startsWith("CLIENT_ERROR")
        || line.startsWith("SERVER_ERROR"))
        return shown(line);
    return std::nullopt;
}

} // namespace cachescope::memcachedreplies
