#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>

#include <memory>

namespace cachescope {

// Buffered forward reading of a trace device with the byte offset kept for error messages.
// The buffer never holds more than a fixed window (kChunk plus what a caller asked to see at
// once), so a file of any size, or one without a single newline, reads in bounded memory.
class ByteSource
{
public:
    static constexpr qsizetype kChunk = 1 << 20;

    explicit ByteSource(std::unique_ptr<QIODevice> device) : m_device(std::move(device)) {}

    // Makes at least n bytes available unless the device ends first; returns how many are.
    Expected<qsizetype> fill(qsizetype n);
    QByteArrayView available() const { return QByteArrayView(m_buffer).sliced(m_pos); }
    void consume(qsizetype n)
    {
        m_pos += n;
        m_offset += n;
    }
    qint64 offset() const { return m_offset; } // bytes consumed since the start
    bool atEnd() const { return m_pos >= m_buffer.size() && m_eof; }
    // Back to the first byte (the device must be able to seek, or be a zstd stream of one).
    Expected<bool> rewind();
    QIODevice *device() const { return m_device.get(); }

private:
    std::unique_ptr<QIODevice> m_device;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_offset = 0;
    bool m_eof = false;
};

} // namespace cachescope
