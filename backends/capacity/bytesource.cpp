#include "bytesource.h"

namespace cachescope {

Expected<qsizetype> ByteSource::fill(qsizetype n)
{
    while (m_buffer.size() - m_pos < n && !m_eof) {
        if (m_pos > 0) { // keep only what is unread, so the buffer stays within one window
            m_buffer.remove(0, m_pos);
            m_pos = 0;
        }
        const qsizetype want = qMax(kChunk, n - m_buffer.size());
        const qsizetype old = m_buffer.size();
        m_buffer.resize(old + want);
        const qint64 got = m_device->read(m_buffer.data() + old, want);
        if (got < 0) {
            m_buffer.resize(old);
            return makeError(m_device->errorString().isEmpty() ? QStringLiteral("read error") : m_device->errorString());
        }
        m_buffer.resize(old + qsizetype(got));
        if (got == 0) // devices here read synchronously: nothing more means the end
            m_eof = true;
    }
    return qMin(n, m_buffer.size() - m_pos);
}

Expected<bool> ByteSource::rewind()
{
    if (!m_device->reset())
        return makeError(QStringLiteral("cannot go back to the start (not a seekable file)"));
    m_buffer.clear();
    m_pos = 0;
    m_offset = 0;
    m_eof = false;
    return true;
}

} // namespace cachescope
