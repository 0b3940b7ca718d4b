#pragma once

#include <memory>

class QApplication;

namespace cachescope {

class CommandLine;
class ConfigSession;
class DemoEnvironment;
class MainWindow;
class TraceCapture;

// The window's options (`cachescope [superset_config.py] [--page PAGE] [--redis URL ...]`),
// declared on the shared command line so `cachescope --help` lists them with the commands.
void addWindowOptions(CommandLine &cl);

// What the window shows, built from the parsed options: the main window, the Config page's
// session, and the embedded demo when no config was given. Members are destroyed bottom-up:
// the session lets go of its caches while the window lives, the window before the demo's caches.
// The demo's request capture (the Capacity page's live source) is detached first and goes last.
struct WindowSession
{
    std::unique_ptr<TraceCapture> capture;
    std::unique_ptr<DemoEnvironment> demo;
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<ConfigSession> session;
    ~WindowSession();
};
std::unique_ptr<WindowSession> openWindow(const CommandLine &cl);

// Opens the window (openWindow), shows it and runs the event loop; returns the exit code.
int runWindow(QApplication &app, const CommandLine &cl);

} // namespace cachescope
