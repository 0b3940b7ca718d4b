#pragma once

#include <QIODevice>

#include <memory>

namespace cachescope {

// A read-only, sequential view of a zstd-compressed device, decompressed as it is read with a
// fixed window (published Twitter traces are .zst files of 1e9 lines). Corrupt input is a read
// error naming the compressed offset; reset() starts again from the first byte when the
// underlying device can seek.
class ZstdDevice : public QIODevice
{
public:
    explicit ZstdDevice(std::unique_ptr<QIODevice> compressed);
    ~ZstdDevice() override;

    bool isSequential() const override { return true; }
    bool reset() override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cachescope
