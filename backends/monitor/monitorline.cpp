#include "monitorline.h"

#include "common/hexdigit.h"

namespace cachescope {

Expected<MonitorLine> MonitorLine::parse(const QByteArray &line)
{
    MonitorLine out;
    const qsizetype open = line.indexOf(" [");
    const qsizetype close = line.indexOf("] ", open);
    if (open <= 0 || close < 0)
        return makeError(QStringLiteral("MONITOR line has no '[db client]' part"));
    bool ok = false;
    out.timestamp = line.left(open).toDouble(&ok);
    if (!ok)
        return makeError(QStringLiteral("MONITOR line does not start with a timestamp"));
    const QByteArray inner = line.mid(open + 2, close - open - 2);
    const qsizetype space = inner.indexOf(' ');
    out.db = inner.left(space < 0 ? inner.size() : space).toInt(&ok);
    if (!ok)
        return makeError(QStringLiteral("MONITOR line has no database number"));
    if (space >= 0)
        out.client = inner.mid(space + 1);

    const char *p = line.constData() + close + 2;
    const char *end = line.constData() + line.size();
    while (p < end) {
        while (p < end && *p == ' ')
            ++p;
        if (p >= end)
            break;
        if (*p != '"')
            return makeError(QStringLiteral("MONITOR argument is not quoted"));
        ++p;
        QByteArray arg;
        bool closed = false;
        while (p < end) {
            const char c = *p++;
            if (c == '"') {
                closed = true;
                break;
            }
            if (c != '\\') {
                arg.append(c);
                continue;
            }
            if (p >= end)
                break;
            const char e = *p++;
            switch (e) {
            case 'n': arg.append('\n'); break;
            case 'r': arg.append('\r'); break;
            case 't': arg.append('\t'); break;
            case 'a': arg.append('\a'); break;
            case 'b': arg.append('\b'); break;
            case 'x': {
                if (end - p < 2 || hexDigitValue(p[0]) < 0 || hexDigitValue(p[1]) < 0)
                    return makeError(QStringLiteral("MONITOR argument has a bad \\x escape"));
                arg.append(char(hexDigitValue(p[0]) * 16 + hexDigitValue(p[1])));
                p += 2;
                break;
            }
            default: arg.append(e); break; // \" and \\ .
            }
        }
        if (!closed)
            return makeError(QStringLiteral("MONITOR argument is not terminated"));
        out.args.append(arg);
    }
    if (out.args.isEmpty())
        return makeError(QStringLiteral("MONITOR line has no command"));
    return out;
}

} // namespace cachescope
