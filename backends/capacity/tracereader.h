#pragma once

#include "common/expected.h"
#include "traceformat.h"
#include "tracerecord.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

#include <memory>

namespace cachescope {

// Streams the requests of a trace file in batches with bounded memory, whatever its format.
// Every error names the file and where in it (line, record number, byte offset) and why. What
// can be used is still used: time that goes backwards is held at the last time seen (counted in
// warnings()), and a file that ends inside its last binary record keeps the records before it.
class TraceReader
{
public:
    virtual ~TraceReader();

    // Opens a file; TraceFormat::Auto detects the format (and zstd compression) from its bytes.
    static Expected<std::unique_ptr<TraceReader>> open(const QString &path, TraceFormat format = TraceFormat::Auto);
    // Reads from a device the reader then owns (tests, fuzzing); `name` names it in messages.
    // Recordings need a file (SQLite); everything else works from any readable device.
    static Expected<std::unique_ptr<TraceReader>> open(std::unique_ptr<QIODevice> device, const QString &name,
                                                       TraceFormat format = TraceFormat::Auto);

    TraceFormat format() const { return m_format; }
    const TraceHeader &header() const { return m_header; }
    QString name() const { return m_name; }

    // Appends up to `max` records to `out`; returns how many were appended (0 = the end).
    Expected<qsizetype> read(TraceRecords &out, qsizetype max = 65536);
    // Starts again from the first record (a second pass); the warnings are counted afresh.
    Expected<bool> rewind();

    quint64 recordsRead() const { return m_records; }
    // Non-fatal findings so far, each naming the file.
    QStringList warnings() const;

protected:
    TraceReader(TraceFormat format, QString name) : m_format(format), m_name(std::move(name)) {}
    virtual Expected<qsizetype> readRecords(TraceRecords &out, qsizetype max) = 0;
    virtual Expected<bool> restart() = 0;
    void addWarning(const QString &warning); // once per distinct text
    TraceHeader m_header;

private:
    TraceFormat m_format;
    QString m_name;
    quint64 m_records = 0;
    qint64 m_lastTime = std::numeric_limits<qint64>::min();
    quint64 m_backwards = 0;
    qint64 m_maxBackwardsMs = 0;
    quint64 m_backwardsAt = 0; // record number of the first step back
    QStringList m_warnings;
};

} // namespace cachescope
