#pragma once

#include "timeouts/timeoutresolver.h"

#include <QString>
#include <QStringList>

namespace cachescope {

// Words for the Timeouts page, shared by the model's tooltips and the page's detail pane: the
// chain of one resolution, step by step, as a user reads it.
namespace timeoutexplain {

// "chart (slices.cache_timeout)", "CACHE_DEFAULT_TIMEOUT", ...
QString linkTitle(TimeoutLink link);
// "600 s (10m)", "0 (never expires)", "-1", "NULL" / "not set" (config links).
QString valueText(TimeoutLink link, const std::optional<qint64> &value);
// What the effective value means: "10m (600 s)", "never expires (0)", "-1: bypass".
QString effectiveText(const TimeoutResolution &r);
// One sentence per step, in the order Superset walks them: which links were consulted, which
// were skipped and why ("chart (slices.cache_timeout) = 0: falsy to ... — dataset and database
// skipped").
QStringList steps(const TimeoutResolution &r, const FamilyRules &rules, const TimeoutConfig &config);
// One line: where the value came from, and the shortcut a falsy 0 took ("chart 0 is falsy:
// dataset and database skipped").
QString summary(const TimeoutResolution &r);

} // namespace timeoutexplain

} // namespace cachescope
