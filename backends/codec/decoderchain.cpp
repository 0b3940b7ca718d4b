#include "decoderchain.h"

#include "arrowreader.h"
#include "inflater.h"
#include "jsonreader.h"
#include "msgpackdecoder.h"
#include "picklereader.h"
#include "pythonint.h"
#include "memcached/memcachedvalue.h"

#include <QDateTime>
#include <QStringDecoder>
#include <QtEndian>

#include <limits>

namespace cachescope {

namespace {

using Kind = DecodeLayer::Kind;

bool isAsciiInteger(const QByteArray &b)
{
    if (b.isEmpty() || b.size() > 40)
        return false;
    qsizetype i = (b[0] == '-') ? 1 : 0;
    if (i == b.size())
        return false;
    for (; i < b.size(); ++i) {
        if (b[i] < '0' || b[i] > '9')
            return false;
    }
    return true;
}

bool isPickleStart(const QByteArray &b, qsizetype at = 0)
{
    return b.size() >= at + 3 && uchar(b[at]) == 0x80 && uchar(b[at + 1]) >= 2 && uchar(b[at + 1]) <= 5;
}

// werkzeug's contrib.cache FileSystemCache (and cachelib before 0.2) wrote the expiry as a
// pickle of its own, pickle.dump(expiry, f, 1), then pickle.dump(value, f, HIGHEST_PROTOCOL):
// [PROTO n [FRAME]] int-or-float STOP, then a protocol-2+ pickle. Protocol 1 ints are
// K/M/J, or LONG text beyond 32 bits; protocol 0 writes INT/LONG text; 2+ LONG1.
bool isLegacyFileSystemHeader(const QByteArray &b)
{
    qsizetype at = 0;
    if (isPickleStart(b))
        at = 2;
    if (at && b.size() > at + 9 && uchar(b[at]) == 0x95)
        at += 9;
    if (at >= b.size())
        return false;
    const uchar op = uchar(b[at]);
    qsizetype stop = -1;
    if (op == 'K' || op == 'M' || op == 'J' || op == 'G') {
        stop = at + 1 + (op == 'K' ? 1 : op == 'M' ? 2 : op == 'J' ? 4 : 8);
    } else if (op == 0x8a && at + 1 < b.size()) {
        stop = at + 2 + uchar(b[at + 1]);
    } else if (op == 'I' || op == 'L' || op == 'F') {
        // Text argument: digits (a sign, a '.', an exponent; LONG's trailing 'L'), then '\n'.
        qsizetype i = at + 1;
        while (i < b.size() && i - at < 64 && b[i] != '\n') {
            const char c = b[i];
            if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c == 'L'))
                return false;
            ++i;
        }
        if (i == at + 1 || i >= b.size() || b[i] != '\n')
            return false;
        stop = i + 1;
    }
    if (stop < 0)
        return false;
    return b.size() > stop + 1 && b[stop] == '.' && isPickleStart(b, stop + 1);
}

bool isText(const QByteArray &b)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString s = decoder.decode(b);
    if (decoder.hasError())
        return false;
    for (QChar c : s) {
        if (c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t')
            return false;
    }
    return true;
}

// JSON inside an entry: Superset writes Decimal results with simplejson, every digit kept, so a
// fraction a double cannot hold is read as the Decimal it was.
JsonReader payloadJson(int maxDepth)
{
    JsonReader::Options options;
    options.maxDepth = maxDepth;
    options.exactDecimals = true;
    return JsonReader(options);
}

bool looksLikeMsgpackContainer(const QByteArray &b)
{
    if (b.size() < 2)
        return false;
    const uchar c = uchar(b[0]);
    return (c >= 0x81 && c <= 0x8f) || (c >= 0x91 && c <= 0x9f) || c == 0xdc || c == 0xdd || c == 0xde || c == 0xdf;
}

QString expiryText(quint32 expiry)
{
    if (expiry == 0)
        return QStringLiteral("never");
    return QDateTime::fromSecsSinceEpoch(expiry, Qt::UTC).toString(Qt::ISODate);
}

class Run
{
public:
    Run(const DecodeLimits &limits, const DecodeHints &hints, const std::atomic_bool *cancel)
        : m_limits(limits), m_hints(hints), m_cancel(cancel)
    {
    }

    DecodeResult run(QByteArray buf);

private:
    Kind detect(const QByteArray &buf, int level, bool allowMsgpack, bool allowJson) const;
    bool finishValue(PyValue value);
    DecodeResult &fail(DecodeLayer layer, int level, const QString &why)
    {
        m_r.layers.push_back(std::move(layer));
        m_r.error = QStringLiteral("layer %1 (%2): %3").arg(level).arg(DecodeLayer::kindName(m_r.layers.back().kind), why);
        return m_r;
    }

    const DecodeLimits &m_limits;
    const DecodeHints &m_hints;
    const std::atomic_bool *m_cancel;
    DecodeResult m_r;
    Kind m_previous = Kind::Raw;
    bool m_havePrevious = false;
    QString m_rejected; // why the bytes were not msgpack after all, for the raw layer's notes
    // After a memcached item: what its flags say the next layer is (pylibmc/python-memcache
    // numbering, memcachedvalue.h); 0 once used up, or when the flags say "bytes" (detect then).
    quint32 m_memcachedFlags = 0;
};

Kind Run::detect(const QByteArray &buf, int level, bool allowMsgpack, bool allowJson) const
{
    using B = DecodeHints::Backend;
    const B backend = m_hints.backend;
    if (level == 0) {
        if ((backend == B::Memcached || backend == B::Auto) && memcachedvalue::looksLikeEnvelope(buf))
            return Kind::MemcachedValue;
        if ((backend == B::Redis || backend == B::Auto) && buf.startsWith('!'))
            return Kind::RedisEnvelope;
        if ((backend == B::Redis || backend == B::Auto) && isAsciiInteger(buf))
            return Kind::RedisInteger;
        if (backend == B::FileSystem || backend == B::Auto) {
            if (isPickleStart(buf, 4))
                return Kind::FileSystemHeader;
            if (isLegacyFileSystemHeader(buf))
                return Kind::LegacyFileSystemHeader;
            if (backend == B::FileSystem && buf.size() >= 4)
                return Kind::FileSystemHeader;
        }
    }
    if (m_havePrevious && (m_previous == Kind::RedisEnvelope || m_previous == Kind::FileSystemHeader
                           || m_previous == Kind::LegacyFileSystemHeader))
        return Kind::Pickle;
    if (m_memcachedFlags & memcachedvalue::kZlib)
        return Kind::Zlib;
    if (m_memcachedFlags & memcachedvalue::kPickle)
        return Kind::Pickle; // python-memcache's protocol-0 pickles have no 0x80 to detect
    if (m_memcachedFlags & memcachedvalue::kText)
        return Kind::Text;
    if (isPickleStart(buf))
        return Kind::Pickle;
    if (Inflater::looksLikeGzip(buf))
        return Kind::Gzip;
    if (buf.size() >= 2 && uchar(buf[0]) == 0x78 && Inflater::looksLikeZlib(buf))
        return Kind::Zlib;
    if (ArrowReader::looksLikeStream(buf))
        return Kind::Arrow;
    if (ImageSniffer::sniff(buf))
        return Kind::Image;
    if (allowMsgpack && looksLikeMsgpackContainer(buf))
        return Kind::Msgpack;
    if (allowJson && JsonReader::looksLikeJson(buf))
        return Kind::Json;
    if (isText(buf))
        return Kind::Text;
    return Kind::Raw;
}

bool Run::finishValue(PyValue value)
{
    m_r.finalKind = DecodeResult::FinalKind::Value;
    m_r.value = value;
    if (value.kind() != PyValue::Kind::Dict)
        return true;
    const PyValue *data = value.get("data");
    const bool sqlLab = value.get("status") || value.get("query_id") || value.get("columns");
    if (data && (data->kind() == PyValue::Kind::Bytes || data->kind() == PyValue::Kind::ByteArray)
        && (sqlLab || ArrowReader::looksLikeStream(data->bytesData()))) {
        m_r.shape = QStringLiteral("sqllab-results");
        DecodeLayer layer{Kind::Arrow, 0, data->bytesData().size(), {}};
        layer.notes.insert(QStringLiteral("field"), QStringLiteral("data"));
        ArrowReadLimits limits;
        limits.maxDecompressedBytes = m_limits.maxDecompressedBytes;
        auto table = ArrowReader(limits).read(data->bytesData());
        if (!table) {
            fail(layer, int(m_r.layers.size()), table.error());
            return false;
        }
        layer.notes.insert(QStringLiteral("rows"), table->rowCount());
        layer.notes.insert(QStringLiteral("columns"), table->columnCount());
        layer.notes.insert(QStringLiteral("batches"), qint64(table->batches.size()));
        if (!table->compression.isEmpty())
            layer.notes.insert(QStringLiteral("compression"), table->compression);
        m_r.layerPreviews.resize(m_r.layers.size());
        m_r.layerPreviews.push_back(data->bytesData().left(DecodeResult::kLayerPreviewBytes));
        m_r.layers.push_back(layer);
        m_r.table = std::make_shared<const ArrowTable>(std::move(table).value());
        m_r.tableKey = "data";
        return true;
    }
    // A chart data payload also has "status" and a "data" list: the cache it came from decides.
    const bool chartHint = m_hints.purpose == DecodeHints::Purpose::ChartData;
    if (data && data->kind() == PyValue::Kind::List && sqlLab && !chartHint) {
        m_r.shape = QStringLiteral("sqllab-results");
        return true;
    }
    if ((value.get("df") && value.get("query")) || (chartHint && value.get("query"))) {
        m_r.shape = QStringLiteral("chart-data");
        return true;
    }
    if (const PyValue *image = value.get("image"); image && image->kind() == PyValue::Kind::Str) {
        const auto decoded = QByteArray::fromBase64Encoding(image->bytesData());
        if (decoded) {
            if (auto info = ImageSniffer::sniff(decoded.decoded)) {
                m_r.shape = QStringLiteral("thumbnail");
                m_r.image = info;
                m_r.imageKey = "image";
                m_r.bytes = decoded.decoded;
                DecodeLayer layer{Kind::Image, 0, decoded.decoded.size(), {}};
                layer.notes.insert(QStringLiteral("field"), QStringLiteral("image"));
                layer.notes.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
                layer.notes.insert(QStringLiteral("format"), info->format);
                layer.notes.insert(QStringLiteral("width"), info->width);
                layer.notes.insert(QStringLiteral("height"), info->height);
                m_r.layerPreviews.resize(m_r.layers.size());
                m_r.layerPreviews.push_back(decoded.decoded.left(DecodeResult::kLayerPreviewBytes));
                m_r.layers.push_back(layer);
            }
        }
        return true;
    }
    // Explore form data / filter state hold JSON documents as strings: show them as objects.
    QStringList parsed;
    for (const char *key : {"form_data", "value"}) {
        const bool applies = !qstrcmp(key, "form_data") || value.get("owner");
        if (!applies)
            continue;
        for (auto &pair : value.pairs()) {
            if (pair.first.kind() != PyValue::Kind::Str || pair.first.bytesData() != key || pair.second.kind() != PyValue::Kind::Str)
                continue;
            if (!JsonReader::looksLikeJson(pair.second.bytesData()))
                continue;
            auto json = payloadJson(m_limits.maxDepth).parse(pair.second.bytesData());
            if (json) {
                pair.second = json.value();
                parsed << QLatin1String(key);
            }
        }
    }
    if (!parsed.isEmpty()) {
        m_r.shape = value.get("form_data") ? QStringLiteral("form-data") : QStringLiteral("filter-state");
        DecodeLayer layer{Kind::Json, 0, 0, {}};
        layer.notes.insert(QStringLiteral("field"), parsed.join(u','));
        m_r.layerPreviews.resize(m_r.layers.size());
        m_r.layerPreviews.push_back(QByteArray());
        m_r.layers.push_back(layer);
    } else if (value.get("data") && value.get("dttm")) {
        m_r.shape = QStringLiteral("query-context");
    }
    return true;
}

DecodeResult Run::run(QByteArray buf)
{
    bool allowMsgpack = true, allowJson = true;
    qsizetype skip = 0; // bytes at the front of buf that header layers have consumed
    for (int level = 0;; ++level) {
        if (m_cancel && m_cancel->load()) {
            m_r.error = QStringLiteral("layer %1: cancelled").arg(level);
            return m_r;
        }
        if (level >= m_limits.maxLayers) {
            m_r.error = QStringLiteral("more than %1 layers").arg(m_limits.maxLayers);
            return m_r;
        }
        const int layerIndex = int(m_r.layers.size());
        const bool forced = m_hints.forced.contains(layerIndex);
        // A header layer only moves `skip`: the pickle after it is read in place, as cutting
        // the header off a buffer shared with the caller would copy a whole 10 MB entry.
        const bool pickleNext = skip > 0 && !forced && m_havePrevious
            && (m_previous == Kind::RedisEnvelope || m_previous == Kind::FileSystemHeader
                || m_previous == Kind::LegacyFileSystemHeader);
        if (skip > 0 && !pickleNext) {
            buf.remove(0, skip);
            skip = 0;
        }
        const QByteArrayView view = QByteArrayView(buf).sliced(skip);
        const Kind kind = pickleNext ? Kind::Pickle
            : forced                 ? m_hints.forced.value(layerIndex)
                                     : detect(buf, layerIndex, allowMsgpack, allowJson);
        DecodeLayer layer{kind, 0, view.size(), {}};
        while (m_r.layerPreviews.size() < size_t(layerIndex) + 1)
            m_r.layerPreviews.push_back(skip ? view.first(std::min(view.size(), DecodeResult::kLayerPreviewBytes)).toByteArray()
                                             : buf.left(DecodeResult::kLayerPreviewBytes));
        m_previous = kind;
        m_havePrevious = true;
        // The flags of a memcached item apply to the layers right after it: zlib, then the type.
        if (kind == Kind::Zlib)
            m_memcachedFlags &= ~memcachedvalue::kZlib;
        else if (kind != Kind::MemcachedValue)
            m_memcachedFlags = 0;
        switch (kind) {
        case Kind::MemcachedValue: {
            auto item = memcachedvalue::parseEnvelope(buf);
            if (!item)
                return fail(layer, layerIndex, item.error());
            const quint32 flags = item->item.flags;
            layer.size = item->dataOffset;
            layer.notes.insert(QStringLiteral("key"), QString::fromUtf8(item->key));
            layer.notes.insert(QStringLiteral("flags"), qint64(flags));
            layer.notes.insert(QStringLiteral("serializer"),
                               QStringLiteral("pylibmc / python-memcache flags: %1").arg(memcachedvalue::flagsName(flags)));
            m_r.layers.push_back(layer);
            buf = std::move(item->item.data);
            skip = 0;
            const quint32 type = flags & (memcachedvalue::kPickle | memcachedvalue::kInteger | memcachedvalue::kLong
                                          | memcachedvalue::kText);
            if (!(flags & memcachedvalue::kZlib) && (type == memcachedvalue::kInteger || type == memcachedvalue::kLong)) {
                // pylibmc: 4 = int, 2 = bool stored as 1/0 (read back as an int); python-memcache: 2 = int.
                auto value = parsePythonInt(buf);
                if (!value)
                    return fail(layer, layerIndex, QStringLiteral("flags %1 say int, but the data is not a decimal integer").arg(flags));
                m_r.value = std::move(*value);
                m_r.finalKind = DecodeResult::FinalKind::Integer;
                return m_r;
            }
            m_memcachedFlags = flags & (memcachedvalue::kZlib | memcachedvalue::kPickle | memcachedvalue::kText);
            continue;
        }
        case Kind::RedisEnvelope:
            if (!buf.startsWith('!'))
                return fail(layer, layerIndex, QStringLiteral("no \"!\" prefix at offset 0"));
            layer.size = 1;
            layer.notes.insert(QStringLiteral("serializer"), QStringLiteral("cachelib RedisSerializer: \"!\" + pickle"));
            m_r.layers.push_back(layer);
            skip = 1;
            continue;
        case Kind::RedisInteger: {
            if (!isAsciiInteger(buf))
                return fail(layer, layerIndex, QStringLiteral("not an ASCII integer"));
            layer.notes.insert(QStringLiteral("serializer"), QStringLiteral("plain integer (INCR-able)"));
            m_r.layers.push_back(layer);
            m_r.value = PyValue::bigIntegerFromDecimal(buf);
            m_r.finalKind = DecodeResult::FinalKind::Integer;
            return m_r;
        }
        case Kind::FileSystemHeader: {
            if (buf.size() < 4)
                return fail(layer, layerIndex, QStringLiteral("file shorter than the 4-byte expiry header (%1 bytes)").arg(buf.size()));
            const quint32 expiry = qFromLittleEndian<quint32>(buf.constData());
            layer.size = 4;
            layer.notes.insert(QStringLiteral("expiry"), qint64(expiry));
            layer.notes.insert(QStringLiteral("expires"), expiryText(expiry));
            if (expiry)
                layer.notes.insert(QStringLiteral("expired"), qint64(expiry) < QDateTime::currentSecsSinceEpoch());
            m_r.layers.push_back(layer);
            skip = 4;
            continue;
        }
        case Kind::LegacyFileSystemHeader: {
            auto header = PickleReader().read(buf);
            if (!header)
                return fail(layer, layerIndex, header.error());
            layer.size = header->endOffset;
            const PyValue &expiry = header->value;
            if (expiry.isInt() || expiry.kind() == PyValue::Kind::Float) {
                const qint64 when = expiry.kind() == PyValue::Kind::Float ? qint64(expiry.toFloat())
                    : expiry.kind() == PyValue::Kind::Int                 ? expiry.toInt()
                                                                          : -1;
                layer.notes.insert(QStringLiteral("timeout"), expiry.kind() == PyValue::Kind::Float ? QString::number(expiry.toFloat(), 'g', 17)
                                                                                                   : QString::fromLatin1(expiry.bigIntDecimal()));
                layer.notes.insert(QStringLiteral("protocol"), header->protocol);
                if (when >= 0 && when <= qint64(std::numeric_limits<quint32>::max())) {
                    layer.notes.insert(QStringLiteral("expires"), expiryText(quint32(when)));
                    if (when)
                        layer.notes.insert(QStringLiteral("expired"), when < QDateTime::currentSecsSinceEpoch());
                }
            } else {
                return fail(layer, layerIndex, QStringLiteral("the legacy expiry header holds a %1, not a number").arg(QLatin1String(PyValue::kindName(expiry.kind()))));
            }
            m_r.layers.push_back(layer);
            skip = qsizetype(header->endOffset);
            continue;
        }
        case Kind::Pickle: {
            PickleLimits limits;
            limits.maxDepth = m_limits.maxDepth;
            limits.maxTotalBytes = m_limits.maxDecompressedBytes;
            auto result = PickleReader(limits).read(view);
            if (!result)
                return fail(layer, layerIndex, result.error());
            layer.size = result->endOffset;
            layer.notes.insert(QStringLiteral("protocol"), result->protocol);
            if (result->endOffset < view.size())
                layer.notes.insert(QStringLiteral("trailingBytes"), view.size() - result->endOffset);
            const PyValue &v = result->value;
            if (v.kind() == PyValue::Kind::Bytes || v.kind() == PyValue::Kind::ByteArray) {
                layer.notes.insert(QStringLiteral("value"), QLatin1String(PyValue::kindName(v.kind())));
                m_r.layers.push_back(layer);
                buf = v.bytesData();
                skip = 0;
                continue;
            }
            m_r.layers.push_back(layer);
            finishValue(result->value);
            return m_r;
        }
        case Kind::Zlib:
        case Kind::Gzip: {
            auto out = Inflater(m_limits.maxDecompressedBytes).inflate(buf, kind == Kind::Zlib ? Inflater::Format::Zlib : Inflater::Format::Gzip);
            if (!out)
                return fail(layer, layerIndex, out.error());
            layer.size = out->consumed;
            layer.notes.insert(QStringLiteral("compressedBytes"), out->consumed);
            layer.notes.insert(QStringLiteral("decompressedBytes"), qint64(out->data.size()));
            if (out->consumed > 0)
                layer.notes.insert(QStringLiteral("ratio"), double(out->data.size()) / double(out->consumed));
            m_r.layers.push_back(layer);
            buf = std::move(out->data);
            allowMsgpack = allowJson = true;
            continue;
        }
        case Kind::Msgpack: {
            MsgpackLimits limits;
            limits.maxDepth = m_limits.maxDepth;
            // A value spanning the whole buffer may take it over (no copy of a SQL Lab "data"
            // bin); in every other case buf is left as it was for the fallbacks below.
            const qsizetype size = buf.size();
            auto out = MsgpackDecoder(limits).decodeTaking(buf);
            if (!out || (!forced && out->consumed != size)) {
                if (forced)
                    return fail(layer, layerIndex, out ? QStringLiteral("trailing data") : out.error());
                if (!out) {
                    // A str-keyed map that parsed at least one element is msgpack that breaks
                    // further on (a declared length past the end, nested in it): an error,
                    // not a quiet fallback to raw bytes.
                    const auto s = MsgpackDecoder::scan(buf, limits);
                    if (!s.ok && s.strKeyedMap && s.topLevelElements >= 1)
                        return fail(layer, layerIndex, out.error());
                    m_rejected = out.error();
                }
                allowMsgpack = false; // not msgpack after all: detect again without it
                --level;
                continue;
            }
            layer.size = out->consumed;
            m_r.layers.push_back(layer);
            if (!finishValue(out->value))
                return m_r;
            return m_r;
        }
        case Kind::Json: {
            auto out = payloadJson(m_limits.maxDepth).parse(buf);
            if (!out) {
                if (forced)
                    return fail(layer, layerIndex, out.error());
                allowJson = false;
                --level;
                continue;
            }
            m_r.layers.push_back(layer);
            finishValue(out.value());
            return m_r;
        }
        case Kind::Arrow: {
            ArrowReadLimits limits;
            limits.maxDecompressedBytes = m_limits.maxDecompressedBytes;
            auto table = ArrowReader(limits).read(buf);
            if (!table)
                return fail(layer, layerIndex, table.error());
            layer.notes.insert(QStringLiteral("rows"), table->rowCount());
            layer.notes.insert(QStringLiteral("columns"), table->columnCount());
            layer.notes.insert(QStringLiteral("batches"), qint64(table->batches.size()));
            if (!table->compression.isEmpty())
                layer.notes.insert(QStringLiteral("compression"), table->compression);
            m_r.layers.push_back(layer);
            m_r.table = std::make_shared<const ArrowTable>(std::move(table).value());
            m_r.finalKind = DecodeResult::FinalKind::Table;
            return m_r;
        }
        case Kind::Image: {
            const auto info = ImageSniffer::sniff(buf);
            if (!info)
                return fail(layer, layerIndex, QStringLiteral("no PNG/JPEG/WebP/GIF signature at offset 0"));
            layer.notes.insert(QStringLiteral("format"), info->format);
            layer.notes.insert(QStringLiteral("width"), info->width);
            layer.notes.insert(QStringLiteral("height"), info->height);
            m_r.layers.push_back(layer);
            m_r.image = info;
            m_r.bytes = buf;
            m_r.finalKind = DecodeResult::FinalKind::Image;
            return m_r;
        }
        case Kind::Text:
            if (forced && !isText(buf))
                return fail(layer, layerIndex, QStringLiteral("not valid UTF-8 text"));
            layer.notes.insert(QStringLiteral("encoding"), QStringLiteral("utf-8"));
            m_r.layers.push_back(layer);
            m_r.bytes = buf;
            m_r.finalKind = DecodeResult::FinalKind::Text;
            return m_r;
        case Kind::Raw:
            if (!m_rejected.isEmpty()) // said, so raw bytes never look like a complete decode
                layer.notes.insert(QStringLiteral("notMsgpack"), m_rejected);
            m_r.layers.push_back(layer);
            m_r.bytes = buf;
            m_r.finalKind = DecodeResult::FinalKind::Raw;
            return m_r;
        }
    }
}

} // namespace

DecodeResult DecoderChain::decode(const QByteArray &data, const DecodeHints &hints, const std::atomic_bool *cancel) const
{
    return Run(m_limits, hints, cancel).run(data);
}

} // namespace cachescope
