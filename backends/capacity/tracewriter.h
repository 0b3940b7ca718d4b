#pragma once

#include "common/expected.h"
#include "traceformat.h"
#include "tracerecord.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace cachescope {

// Writes a trace in one of the formats TraceReader reads. Files are written atomically: nothing
// at the path changes until finish() succeeds (a recording gets its trace in one transaction
// per write, beside the samples it already holds, and nothing else in it changes).
class TraceWriter
{
public:
    virtual ~TraceWriter();

    // format Auto picks by suffix: .csv/.txt twitter, .oracleGeneral/.bin oracle, .sqlite recording,
    // anything else the cachescope format.
    static Expected<std::unique_ptr<TraceWriter>> create(const QString &path, TraceFormat format,
                                                         const TraceHeader &header);
    static TraceFormat formatForPath(const QString &path);

    virtual Expected<bool> write(const TraceRecord *records, qsizetype count) = 0;
    Expected<bool> write(const TraceRecords &records) { return write(records.data(), qsizetype(records.size())); }
    virtual Expected<bool> finish() = 0;

    quint64 written() const { return m_written; }
    // What the format could not hold (operations oracleGeneral has no field for, ...).
    QStringList warnings() const { return m_warnings; }

protected:
    quint64 m_written = 0;
    QStringList m_warnings;
};

} // namespace cachescope
