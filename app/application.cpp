#include "application.h"

#include "buildinfo.h"
#include "cachecommand.h"
#include "capacitycommand.h"
#include "clioutput.h"
#include "commandline.h"
#include "configcommand.h"
#include "decodecommand.h"
#include "keyscommand.h"
#include "statscommand.h"
#include "timeoutscommand.h"
#include "window.h"

#include "redis/redisnotices.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

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
    {"audit", runAuditCommand, "chart-data entries whose TTL differs from what their chart's timeout chain gives today"},
    {"timeouts", runTimeoutsCommand, "every chart's effective cache timeout, explained; `timeouts set` changes one"},
    {"capacity", runCapacityCommand, "capacity planning: miss-ratio curves and what-ifs from a request trace"},
};

// `cachescope` itself: the window's options, and the commands in its --help.
void declareTopLevel(CommandLine &cl)
{
    cl.setSynopsis(QStringLiteral("[superset_config.py] [--page PAGE] [--redis URL [--prefix P]] [--dir DIR] [--payload FILE]\n"
                                  "<command> [options]    (run headless, print JSON; <command> --help for its options)"));
    addWindowOptions(cl);
    cl.addFlag(QStringLiteral("version"), QStringLiteral("Print the versions of CacheScope and its libraries, then exit."));
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
            // Connection notices (TLS verification off, a Sentinel failover) go to stderr,
            // never into the JSON on stdout.
            QObject::connect(&RedisNotices::instance(), &RedisNotices::posted, &app, [](const QString &text) {
                std::fprintf(stderr, "cachescope: warning: %s\n", qPrintable(text));
            }, Qt::DirectConnection);
            return c.run(args.mid(1));
        }
    }
    CommandLine cl(QString(), QStringLiteral("CacheScope: what Superset's caches hold, whether they hit, and why. Without a\n"
                                             "command it opens the window on the embedded demo, or on a superset_config.py."));
    declareTopLevel(cl);
    // --help needs no display: answered before the QApplication (which wants one) exists.
    if (CommandLine::asksForHelp(args))
        return *cl.parse(args);
    if (args.value(0) == u"--version") { // the same, so package tests and scripts run it headless
        if (const auto exit = cl.parse(args))
            return *exit;
        cli::writeOut(versionText().toUtf8());
        return 0;
    }

    QApplication app(argc, argv); // takes Qt's own options (-platform, -style, ...) out of argv
    QCoreApplication::setOrganizationName(QStringLiteral("CacheScope"));
    QCoreApplication::setApplicationName(QStringLiteral("cachescope"));
    QCoreApplication::setApplicationVersion(applicationVersion());
    if (const auto exit = cl.parse(cli::arguments(argc, argv)))
        return *exit;
    if (cl.isSet(QStringLiteral("version"))) {
        cli::writeOut(versionText().toUtf8());
        return 0;
    }
    // A mistyped command would otherwise open the window on a config that does not exist.
    const QString first = cl.positionals().value(0);
    if (!first.isEmpty() && !QFileInfo::exists(first) && !first.contains(u'.') && !first.contains(u'/'))
        return cl.usageError(QStringLiteral("unknown command '%1' (and no such file)").arg(first));
    return runWindow(app, cl);
}

} // namespace cachescope
