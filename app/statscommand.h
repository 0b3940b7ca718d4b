#pragma once

#include <QStringList>

namespace cachescope {

// cachescope stats (--config FILE | --redis URL) [--statsd [ADDR]] [--statsd-forward HOST:PORT]
//                  [--statsd-prefix P] [--monitor SECONDS] [--prefix PREFIX=CACHE]...
//                  [--interval S] [--count N] [--json]
// Prints one sample per line per source (JSON lines with --json).
int runStatsCommand(const QStringList &args);
// cachescope record FILE <stats options>: the same sources, every sample also written to FILE.
int runRecordCommand(const QStringList &args);
// cachescope replay FILE [--speed X] [--json]: prints a recording's samples (X = 0: no pacing).
int runReplayCommand(const QStringList &args);

} // namespace cachescope
