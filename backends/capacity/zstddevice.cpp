#include "zstddevice.h"

#include <QByteArray>

#include <zstd.h>

namespace cachescope {

struct ZstdDevice::Private
{
    std::unique_ptr<QIODevice> input;
    ZSTD_DStream *stream = nullptr;
    QByteArray in;
    ZSTD_inBuffer inBuf{nullptr, 0, 0};
    qint64 consumed = 0; // compressed bytes handed to zstd
    bool inputDone = false;
    bool frameOpen = false; // inside a frame: its end must still come
    bool failed = false;
};

ZstdDevice::ZstdDevice(std::unique_ptr<QIODevice> compressed) : d(std::make_unique<Private>())
{
    d->input = std::move(compressed);
    d->stream = ZSTD_createDStream();
    ZSTD_initDStream(d->stream);
    d->in.resize(qsizetype(ZSTD_DStreamInSize()));
    open(QIODevice::ReadOnly);
}

ZstdDevice::~ZstdDevice()
{
    ZSTD_freeDStream(d->stream);
}

bool ZstdDevice::reset()
{
    if (!d->input->reset())
        return false;
    ZSTD_initDStream(d->stream);
    d->inBuf = {nullptr, 0, 0};
    d->consumed = 0;
    d->inputDone = false;
    d->frameOpen = false;
    d->failed = false;
    // A sequential device cannot seek(0): reopening drops QIODevice's own buffer instead.
    QIODevice::close();
    return open(QIODevice::ReadOnly);
}

qint64 ZstdDevice::readData(char *data, qint64 maxSize)
{
    if (d->failed)
        return -1;
    ZSTD_outBuffer out{data, size_t(maxSize), 0};
    while (out.pos == 0) {
        if (d->inBuf.pos >= d->inBuf.size) {
            if (d->inputDone)
                break;
            const qint64 got = d->input->read(d->in.data(), d->in.size());
            if (got < 0) {
                setErrorString(QStringLiteral("reading the compressed data: %1").arg(d->input->errorString()));
                d->failed = true;
                return -1;
            }
            if (got == 0) {
                d->inputDone = true;
                if (d->frameOpen) {
                    setErrorString(QStringLiteral("the zstd data ends inside a frame (truncated at compressed byte %1)")
                                       .arg(d->consumed));
                    d->failed = true;
                    return -1;
                }
                break;
            }
            d->inBuf = {d->in.constData(), size_t(got), 0};
        }
        const size_t before = d->inBuf.pos;
        const size_t r = ZSTD_decompressStream(d->stream, &out, &d->inBuf);
        d->consumed += qint64(d->inBuf.pos - before);
        if (ZSTD_isError(r)) {
            setErrorString(QStringLiteral("corrupt zstd data near compressed byte %1: %2")
                               .arg(d->consumed)
                               .arg(QString::fromLatin1(ZSTD_getErrorName(r))));
            d->failed = true;
            return -1;
        }
        d->frameOpen = r != 0;
    }
    return qint64(out.pos);
}

} // namespace cachescope
