#pragma once

#include "configreport.h"

#include <vector>

namespace cachescope {

// Advice about a loaded config: misconfigurations known to break Superset caching, each with a
// severity, the span that causes it and an explanation.
class ConfigDoctor
{
public:
    static std::vector<py::Diagnostic> examine(const ConfigReport &report);
};

} // namespace cachescope
