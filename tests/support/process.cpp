#include "process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

#include <csignal>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace cachescope::test {

void startServerProcess(QProcess &process, const QString &program, const QStringList &args, const QString &asUser)
{
    const pid_t test = ::getpid();
    process.setChildProcessModifier([test] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != test) // the test died between fork and prctl
            ::_exit(1);
    });
    if (runningAsRoot() && !asUser.isEmpty())
        process.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), asUser, QStringLiteral("--"), program} + args);
    else
        process.start(program, args);
}

void stopServerProcess(QProcess &process, int graceMs)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(graceMs)) {
        process.kill();
        process.waitForFinished(2000);
    }
}

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

QString chownForUser(const QString &path, const QString &user)
{
    if (!runningAsRoot())
        return {};
    const passwd *pw = ::getpwnam(user.toLocal8Bit().constData());
    if (!pw)
        return QStringLiteral("no system user %1 to run the server as").arg(user);
    auto own = [&](const QString &p) { return ::chown(QFile::encodeName(p).constData(), pw->pw_uid, pw->pw_gid) == 0; };
    if (!own(path))
        return QStringLiteral("cannot hand %1 to %2").arg(path, user);
    const QDir dir(path);
    for (const QFileInfo &fi : dir.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
        if (fi.isDir() && !fi.isSymLink()) {
            const QString error = chownForUser(fi.filePath(), user);
            if (!error.isEmpty())
                return error;
        } else if (!own(fi.filePath())) {
            return QStringLiteral("cannot hand %1 to %2").arg(fi.filePath(), user);
        }
    }
    return {};
}

Expected<QByteArray> runProcess(const QString &program, const QStringList &args, const ProcessOptions &options)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : options.removeEnvironment)
        env.remove(name);
    for (const QString &kv : options.setEnvironment)
        env.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    process.setProcessEnvironment(env);
    // runuser keeps the environment it is given (no login shell), so PGPASSWORD etc. pass through.
    if (runningAsRoot() && !options.asUser.isEmpty())
        process.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), options.asUser, QStringLiteral("--"), program} + args);
    else
        process.start(program, args);
    if (!process.waitForStarted(10000))
        return makeError(QStringLiteral("cannot start %1: %2").arg(program, process.errorString()));
    if (!options.stdinData.isEmpty())
        process.write(options.stdinData);
    process.closeWriteChannel();
    if (!process.waitForFinished(options.timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return makeError(QStringLiteral("%1 did not finish within %2 ms").arg(QFileInfo(program).fileName()).arg(options.timeoutMs));
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return makeError(QStringLiteral("%1 failed (exit %2): %3%4")
                             .arg(QFileInfo(program).fileName())
                             .arg(process.exitCode())
                             .arg(QString::fromLocal8Bit(process.readAllStandardError()),
                                  QString::fromLocal8Bit(process.readAllStandardOutput()).right(2000)));
    return process.readAllStandardOutput();
}

} // namespace cachescope::test
