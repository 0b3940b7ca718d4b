#include "tracetwitter.h"

#include "bytesource.h"
#include "tracekey.h"
#include "tracereader.h"
#include "tracewriter.h"

#include <QSaveFile>

#include <cstring>
#include <limits>

namespace cachescope {

namespace {

// A decimal without sign; false (and *why) when it is not one or exceeds max.
bool parseUnsigned(QByteArrayView text, quint64 max, quint64 *out)
{
    if (text.isEmpty() || text.size() > 20)
        return false;
    quint64 v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        const quint64 d = quint64(c - '0');
        if (v > (std::numeric_limits<quint64>::max() - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

struct OpName
{
    const char *name;
    TraceOp op;
};
constexpr OpName kOps[] = {{"get", TraceOp::Get},         {"gets", TraceOp::Get},        {"set", TraceOp::Set},
                           {"add", TraceOp::Set},         {"replace", TraceOp::Set},     {"cas", TraceOp::Set},
                           {"append", TraceOp::Update},   {"prepend", TraceOp::Update},  {"incr", TraceOp::Update},
                           {"decr", TraceOp::Update},     {"delete", TraceOp::Delete}};

// Timestamps are seconds; a fraction (milliseconds) is accepted. At most 10^12 s (year ~33700).
constexpr quint64 kMaxSeconds = 1'000'000'000'000ull;

class TwitterReader : public TraceReader
{
public:
    TwitterReader(std::unique_ptr<ByteSource> source, const QString &name, const QString &cacheName)
        : TraceReader(TraceFormat::Twitter, name), m_source(std::move(source))
    {
        m_header.source = QStringLiteral("twitter");
        m_header.exactOutcomes = false;
        m_header.caches.append(TraceCacheInfo{cacheName, {}, -1, 0, 0, {}});
    }

protected:
    Expected<qsizetype> readRecords(TraceRecords &out, qsizetype max) override
    {
        qsizetype n = 0;
        while (n < max) {
            QByteArrayView view = m_source->available();
            qsizetype end = view.indexOf('\n');
            if (end < 0) {
                auto got = m_source->fill(qMax<qsizetype>(ByteSource::kChunk, view.size() + 1));
                if (!got)
                    return makeError(QStringLiteral("%1: %2").arg(name(), got.error()));
                view = m_source->available();
                end = view.indexOf('\n');
                if (end < 0) {
                    if (view.size() > TwitterTrace::kMaxLine) {
                        ++m_line;
                        return lineError(QStringLiteral("longer than %1 bytes: not a Twitter cache trace").arg(TwitterTrace::kMaxLine));
                    }
                    if (view.isEmpty())
                        break; // the end
                    end = view.size(); // the last line has no newline
                }
            }
            if (end > TwitterTrace::kMaxLine) {
                ++m_line;
                return lineError(QStringLiteral("longer than %1 bytes: not a Twitter cache trace").arg(TwitterTrace::kMaxLine));
            }
            const QByteArrayView line = view.first(end);
            ++m_line;
            TraceRecord r;
            auto parsed = parse(line, &r);
            m_source->consume(qMin(end + 1, view.size()));
            if (!parsed)
                return Error{parsed.error()};
            if (*parsed) {
                out.push_back(r);
                ++n;
            }
        }
        return n;
    }

    Expected<bool> restart() override
    {
        auto ok = m_source->rewind();
        if (!ok)
            return makeError(QStringLiteral("%1: %2").arg(name(), ok.error()));
        m_line = 0;
        return true;
    }

private:
    Error lineError(const QString &why) const
    {
        return makeError(QStringLiteral("%1:%2: %3").arg(name()).arg(m_line).arg(why));
    }
    Error fieldError(const char *field, QByteArrayView text, const QString &why) const
    {
        QString shown = QString::fromUtf8(text.first(qMin<qsizetype>(text.size(), 40)));
        if (text.size() > 40)
            shown += QStringLiteral("…");
        return lineError(QStringLiteral("%1 '%2' %3").arg(QLatin1String(field), shown, why));
    }

    // true: a record; false: a line to skip (blank, header).
    Expected<bool> parse(QByteArrayView line, TraceRecord *r)
    {
        if (trimmed(line).isEmpty())
            return false;
        // The key may hold commas: the first comma ends the timestamp, the last five separate the rest.
        const qsizetype first = line.indexOf(',');
        qsizetype commas[5] = {-1, -1, -1, -1, -1};
        qsizetype at = line.size();
        for (int i = 4; i >= 0 && at > 0; --i) {
            at = line.lastIndexOf(',', at - 1);
            commas[i] = at;
        }
        if (first < 0 || commas[0] < 0 || commas[0] <= first)
            return lineError(QStringLiteral("%1 field(s), a Twitter trace line has 7: timestamp, key, key size, value "
                                            "size, client id, operation, TTL")
                                 .arg(line.count(',') + 1));
        const QByteArrayView timeText = trimmed(line.first(first));
        QByteArrayView key = line.sliced(first + 1, commas[0] - first - 1);
        // A CSV writer (Python's csv module) quotes a key that holds commas or quotes.
        QByteArray unquoted;
        if (key.size() >= 2 && key.front() == '"' && key.back() == '"') {
            unquoted = key.sliced(1, key.size() - 2).toByteArray().replace("\"\"", "\"");
            key = unquoted;
        }
        const QByteArrayView keySize = trimmed(line.sliced(commas[0] + 1, commas[1] - commas[0] - 1));
        const QByteArrayView valueSize = trimmed(line.sliced(commas[1] + 1, commas[2] - commas[1] - 1));
        const QByteArrayView op = trimmed(line.sliced(commas[3] + 1, commas[4] - commas[3] - 1));
        const QByteArrayView ttl = trimmed(line.sliced(commas[4] + 1));

        // Timestamp: seconds, optionally with a fraction.
        const qsizetype dot = timeText.indexOf('.');
        quint64 seconds = 0, fraction = 0;
        const QByteArrayView whole = dot < 0 ? timeText : timeText.first(dot);
        if (!parseUnsigned(whole, kMaxSeconds, &seconds)) {
            if (m_line == 1 && timeText.toByteArray().toLower().contains("timestamp"))
                return false; // a header line
            return fieldError("timestamp", timeText, QStringLiteral("is not a number of seconds (0 to 10^12)"));
        }
        if (dot >= 0) {
            QByteArrayView digits = timeText.sliced(dot + 1);
            if (digits.size() > 3)
                digits = digits.first(3); // below a millisecond is dropped
            quint64 f = 0;
            if (!digits.isEmpty() && !parseUnsigned(digits, 999, &f))
                return fieldError("timestamp", timeText, QStringLiteral("is not a number of seconds"));
            for (qsizetype i = digits.size(); i < 3; ++i)
                f *= 10;
            fraction = f;
            for (char c : timeText.sliced(dot + 1 + digits.size()))
                if (c < '0' || c > '9')
                    return fieldError("timestamp", timeText, QStringLiteral("is not a number of seconds"));
        }
        r->timeMs = qint64(seconds * 1000 + fraction);
        if (key.isEmpty())
            return lineError(QStringLiteral("the key is empty"));
        r->key = traceKeyHash(key);
        quint64 v = 0;
        if (!parseUnsigned(keySize, std::numeric_limits<quint32>::max(), &v))
            return fieldError("key size", keySize, QStringLiteral("is not a byte count from 0 to 4294967295"));
        r->keySize = quint32(v);
        if (!parseUnsigned(valueSize, std::numeric_limits<quint32>::max(), &v))
            return fieldError("value size", valueSize, QStringLiteral("is not a byte count from 0 to 4294967295"));
        r->valueSize = quint32(v);
        bool known = false;
        for (const OpName &o : kOps) {
            if (op.size() == qsizetype(std::strlen(o.name)) && qstrnicmp(op.data(), o.name, op.size()) == 0) {
                r->op = o.op;
                known = true;
                break;
            }
        }
        if (!known)
            return fieldError("operation", op,
                              QStringLiteral("is not one of get, gets, set, add, replace, cas, append, prepend, delete, "
                                             "incr, decr"));
        const bool negative = ttl.startsWith('-');
        if (!parseUnsigned(negative ? ttl.sliced(1) : ttl, quint64(std::numeric_limits<qint32>::max()), &v))
            return fieldError("TTL", ttl, QStringLiteral("is not a whole number of seconds within ±2147483647"));
        r->ttl = r->op == TraceOp::Set ? (negative ? -qint32(v) : qint32(v)) : 0;
        r->cache = 0;
        return true;
    }

    std::unique_ptr<ByteSource> m_source;
    quint64 m_line = 0;
};

class TwitterWriter : public TraceWriter
{
public:
    explicit TwitterWriter(const QString &path) : m_file(path) {}

    Expected<bool> open()
    {
        if (!m_file.open(QIODevice::WriteOnly))
            return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }

    Expected<bool> write(const TraceRecord *records, qsizetype count) override
    {
        char line[160];
        for (qsizetype i = 0; i < count; ++i) {
            const TraceRecord &r = records[i];
            const char *op = isRead(r.op)              ? "get"
                           : r.op == TraceOp::Set    ? "set"
                           : r.op == TraceOp::Update ? "incr"
                                                     : "delete";
            const qint64 seconds = r.timeMs >= 0 ? r.timeMs / 1000 : 0;
            const int n = std::snprintf(line, sizeof line, "%lld,%016llx,%u,%u,%u,%s,%d\n",
                                        static_cast<long long>(seconds), static_cast<unsigned long long>(r.key),
                                        r.keySize, r.valueSize, unsigned(r.cache), op,
                                        r.op == TraceOp::Set ? r.ttl : 0);
            m_buffer.append(line, n);
            if (m_buffer.size() >= (1 << 20) && !flush())
                return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        }
        m_written += quint64(count);
        return true;
    }

    Expected<bool> finish() override
    {
        if (!flush() || !m_file.commit())
            return makeError(QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }

private:
    bool flush()
    {
        const bool ok = m_file.write(m_buffer) == m_buffer.size();
        m_buffer.clear();
        return ok;
    }
    QSaveFile m_file;
    QByteArray m_buffer;
};

} // namespace

Expected<std::unique_ptr<TraceReader>> TwitterTrace::openReader(std::unique_ptr<ByteSource> source, const QString &name,
                                                                const QString &cacheName)
{
    return std::unique_ptr<TraceReader>(std::make_unique<TwitterReader>(std::move(source), name, cacheName));
}

Expected<std::unique_ptr<TraceWriter>> TwitterTrace::createWriter(const QString &path, const TraceHeader &header)
{
    Q_UNUSED(header);
    auto writer = std::make_unique<TwitterWriter>(path);
    if (auto ok = writer->open(); !ok)
        return Error{ok.error()};
    return std::unique_ptr<TraceWriter>(std::move(writer));
}

} // namespace cachescope
