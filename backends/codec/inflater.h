#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cachescope {

// zlib / gzip inflation with a hard cap on the output: a zlib bomb becomes an error naming the
// input offset reached, never a 100 GB allocation.
class Inflater
{
public:
    enum class Format { Zlib, Gzip, Raw };

    struct Result
    {
        QByteArray data;
        qint64 consumed = 0; // input bytes that belonged to the stream (trailing data is not)
    };

    explicit Inflater(qint64 maxOutputBytes = 512ll << 20) : m_maxOutput(maxOutputBytes) {}
    Expected<Result> inflate(QByteArrayView input, Format format) const;

    // Header sniffing: zlib CMF/FLG check (78 01/5e/9c/da and other valid pairs), gzip magic 1f 8b.
    static bool looksLikeZlib(QByteArrayView data);
    static bool looksLikeGzip(QByteArrayView data);

    // Deflates (zlib format, level 6 = Python's zlib.compress default) — for the results backend.
    static QByteArray compressZlib(QByteArrayView data, int level = 6);

private:
    qint64 m_maxOutput;
};

} // namespace cachescope
