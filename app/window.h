#pragma once

class QApplication;

namespace cachescope {

// Opens the main window (on the embedded demo for now) and runs the event loop; returns the exit code.
int runWindow(QApplication &app);

} // namespace cachescope
