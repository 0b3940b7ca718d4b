#pragma once

#include <QStringList>

namespace cachescope {

// `cachescope capacity --trace FILE [...]`: miss-ratio curve, workload analysis or a what-if of
// one cache of a request trace, as JSON (--json) or text;
// `cachescope capacity record FILE (--config F | --redis URL) [...]`: capture a trace with MONITOR;
// `cachescope capacity convert IN OUT [--to FORMAT]`: rewrite a trace in another format.
int runCapacityCommand(const QStringList &args);

} // namespace cachescope
