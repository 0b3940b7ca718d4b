#pragma once

namespace cachescope {

// Entry point: a sub-command runs headless and prints JSON; no sub-command opens the window.
int runApplication(int argc, char *argv[]);

} // namespace cachescope
