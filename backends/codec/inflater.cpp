#include "inflater.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace cachescope {

namespace {

// libdeflate inflates whole buffers 2-3x faster than zlib, but needs the output buffer up
// front: guess, and start again with a larger one while under the limit. Anything it refuses
// (too big, corrupt, truncated) goes to zlib's streaming path, which reports the error with
// the input offset it reached.
std::optional<Inflater::Result> inflateWhole(QByteArrayView input, Inflater::Format format, qint64 maxOutput)
{
    struct Free
    {
        void operator()(libdeflate_decompressor *d) const { libdeflate_free_decompressor(d); }
    };
    std::unique_ptr<libdeflate_decompressor, Free> d(libdeflate_alloc_decompressor());
    if (!d)
        return std::nullopt;
    qint64 capacity = std::min<qint64>(maxOutput, std::max<qint64>(4096, input.size() * 4));
    Inflater::Result result;
    while (true) {
        result.data.resize(capacity);
        size_t in = 0, out = 0;
        const auto rc = format == Inflater::Format::Gzip
            ? libdeflate_gzip_decompress_ex(d.get(), input.data(), size_t(input.size()), result.data.data(),
                                            size_t(capacity), &in, &out)
            : libdeflate_zlib_decompress_ex(d.get(), input.data(), size_t(input.size()), result.data.data(),
                                            size_t(capacity), &in, &out);
        if (rc == LIBDEFLATE_SUCCESS) {
            result.data.resize(qsizetype(out));
            if (capacity - qint64(out) > capacity / 8)
                result.data.squeeze();
            result.consumed = qint64(in);
            return result;
        }
        if (rc != LIBDEFLATE_INSUFFICIENT_SPACE || capacity >= maxOutput)
            return std::nullopt;
        capacity = std::min<qint64>(maxOutput, capacity * 4);
    }
}

} // namespace

Expected<Inflater::Result> Inflater::inflate(QByteArrayView input, Format format) const
{
    if (format != Format::Raw) {
        if (auto fast = inflateWhole(input, format, m_maxOutput))
            return std::move(*fast);
    }
    const char *name = format == Format::Gzip ? "gzip" : format == Format::Zlib ? "zlib" : "deflate";
    z_stream zs{};
    const int windowBits = format == Format::Gzip ? 16 + MAX_WBITS : format == Format::Zlib ? MAX_WBITS : -MAX_WBITS;
    if (inflateInit2(&zs, windowBits) != Z_OK)
        return makeError(QStringLiteral("%1: cannot initialise the inflater").arg(QLatin1String(name)));
    Result result;
    // Start from a modest guess (compression ratios of real payloads are 3-10x) and grow.
    qint64 capacity = std::min<qint64>(m_maxOutput, std::max<qint64>(4096, input.size() * 4));
    result.data.resize(capacity);
    qint64 produced = 0;
    qint64 consumed = 0;
    int rc = Z_OK;
    while (true) {
        if (produced == capacity) {
            if (capacity >= m_maxOutput) {
                inflateEnd(&zs);
                return makeError(QStringLiteral("%1: output exceeds the limit of %2 bytes (decompression bomb?) at input offset %3")
                                     .arg(QLatin1String(name)).arg(m_maxOutput).arg(consumed));
            }
            capacity = std::min<qint64>(m_maxOutput, capacity * 2);
            result.data.resize(capacity);
        }
        const qint64 inChunk = std::min<qint64>(input.size() - consumed, 1 << 30);
        const qint64 outChunk = std::min<qint64>(capacity - produced, 1 << 30);
        zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data() + consumed));
        zs.avail_in = uInt(inChunk);
        zs.next_out = reinterpret_cast<Bytef *>(result.data.data() + produced);
        zs.avail_out = uInt(outChunk);
        rc = ::inflate(&zs, Z_NO_FLUSH);
        consumed += inChunk - zs.avail_in;
        produced += outChunk - zs.avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed >= input.size()) {
            inflateEnd(&zs);
            return makeError(QStringLiteral("%1: truncated stream, input ended at offset %2 after %3 output bytes")
                                 .arg(QLatin1String(name)).arg(consumed).arg(produced));
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const QString why = zs.msg ? QString::fromLatin1(zs.msg) : QStringLiteral("code %1").arg(rc);
            inflateEnd(&zs);
            return makeError(QStringLiteral("%1: corrupt data near input offset %2: %3").arg(QLatin1String(name)).arg(consumed).arg(why));
        }
    }
    inflateEnd(&zs);
    result.data.resize(produced);
    result.consumed = consumed;
    return result;
}

bool Inflater::looksLikeZlib(QByteArrayView data)
{
    if (data.size() < 2)
        return false;
    const uchar cmf = uchar(data[0]), flg = uchar(data[1]);
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0 && !(flg & 0x20);
}

bool Inflater::looksLikeGzip(QByteArrayView data)
{
    return data.size() >= 10 && uchar(data[0]) == 0x1f && uchar(data[1]) == 0x8b && uchar(data[2]) == 8;
}

QByteArray Inflater::compressZlib(QByteArrayView data, int level)
{
    uLongf bound = compressBound(uLong(data.size()));
    QByteArray out(qsizetype(bound), Qt::Uninitialized);
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &bound, reinterpret_cast<const Bytef *>(data.data()),
                  uLong(data.size()), level) != Z_OK)
        return {};
    out.resize(qsizetype(bound));
    return out;
}

} // namespace cachescope
