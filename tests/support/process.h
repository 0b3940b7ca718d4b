#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

class QProcess;

namespace cachescope::test {

// How runProcess runs a program for a test's set-up.
struct ProcessOptions
{
    QByteArray stdinData;
    QStringList setEnvironment;    // "NAME=value" added to the test's environment
    QStringList removeEnvironment; // names taken out of it
    QString asUser;                // when the tests run as root: run as this system user (runuser)
    int timeoutMs = 120000;
};

// Runs program with args and waits; stdout, or an error naming the program, its exit status
// and stderr. The one way tests start helper programs (python3, initdb, psql, mariadb, ...).
Expected<QByteArray> runProcess(const QString &program, const QStringList &args, const ProcessOptions &options = {});

// Starts a server a test needs, as asUser when the tests run as root (through runuser, which
// stays root, waits for the server and passes SIGTERM on). The kernel sends it SIGTERM when the
// test process dies however it dies (a crash, CTest's kill at its timeout): a server that drops
// privileges itself (memcached -u, mariadbd --user) would lose that setting, so the dropping is
// runuser's. The one way test servers are started.
void startServerProcess(QProcess &process, const QString &program, const QStringList &args, const QString &asUser = {});

// Stops a server process a test started: SIGTERM, then SIGKILL when it has not exited within
// graceMs. The one way test servers are stopped.
void stopServerProcess(QProcess &process, int graceMs = 5000);

bool runningAsRoot();
// Makes path (recursively) owned by user when running as root; no-op otherwise. Empty on success.
QString chownForUser(const QString &path, const QString &user);

} // namespace cachescope::test
