#include "application.h"

#include "cachecommand.h"
#include "clioutput.h"
#include "commandline.h"
#include "configcommand.h"
#include "decodecommand.h"
#include "keyscommand.h"
#include "statscommand.h"
#include "window.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>

namespace cachescope {

namespace {

struct SubCommand
{
    const char *name;
    int (*run)(const QStringList &args);
    const char *summary;
};

const SubCommand kSubCommands[] = {
    {"cache", runCacheCommand, "read and write cache entries: get, set, add, delete, ttl, keys"},
    {"config", runConfigCommand, "load a superset_config.py without running it: caches, findings"},
    {"decode", runDecodeCommand, "open every layer of a cache entry (pickle, zlib, msgpack, Arrow...)"},
    {"keys", runKeysCommand, "stream a cache's keys (and TTL/size with --meta) as JSON lines"},
    {"stats", runStatsCommand, "live hit rates from Redis INFO, statsd and MONITOR, one line per sample"},
    {"record", runRecordCommand, "record hit-rate samples to a file for replay"},
    {"replay", runReplayCommand, "print the samples of a recording, paced or at once"},
};

// `cachescope` itself: the window's options, and the commands in its --help.
void declareTopLevel(CommandLine &cl)
{
    cl.setSynopsis(QStringLiteral("[superset_config.py] [--page PAGE] [--redis URL [--prefix P]] [--dir DIR] [--payload FILE]\n"
                                  "<command> [options]    (run headless, print JSON; <command> --help for its options)"));
    addWindowOptions(cl);
    QList<QPair<QString, QString>> commands;
    for (const auto &c : kSubCommands)
        commands.append({QLatin1String(c.name), QLatin1String(c.summary)});
    cl.addHelpSection(QStringLiteral("Commands"), commands);
}

} // namespace

int runApplication(int argc, char *argv[])
{
    const QStringList args = cli::arguments(argc, argv);
    for (const auto &c : kSubCommands) {
        if (!args.isEmpty() && args.first() == QLatin1String(c.name)) {
            QCoreApplication app(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("cachescope"));
            return c.run(args.mid(1));
        }
    }
    CommandLine cl(QString(), QStringLiteral("CacheScope: what Superset's caches hold, whether they hit, and why. Without a\n"
                                             "command it opens the window on the embedded demo, or on a superset_config.py."));
    declareTopLevel(cl);
    // --help needs no display: answered before the QApplication (which wants one) exists.
    if (CommandLine::asksForHelp(args))
        return *cl.parse(args);

    QApplication app(argc, argv); // takes Qt's own options (-platform, -style, ...) out of argv
    QCoreApplication::setOrganizationName(QStringLiteral("CacheScope"));
    QCoreApplication::setApplicationName(QStringLiteral("cachescope"));
    if (const auto exit = cl.parse(cli::arguments(argc, argv)))
        return *exit;
    // A mistyped command would otherwise open the window on a config that does not exist.
    const QString first = cl.positionals().value(0);
    if (!first.isEmpty() && !QFileInfo::exists(first) && !first.contains(u'.') && !first.contains(u'/'))
        return cl.usageError(QStringLiteral("unknown command '%1' (and no such file)").arg(first));
    return runWindow(app, cl);
}

} // namespace cachescope
