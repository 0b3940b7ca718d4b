#include "application.h"

#include "cachecommand.h"
#include "configcommand.h"
#include "decodecommand.h"
#include "keyscommand.h"
#include "statscommand.h"
#include "window.h"

#include "redis/redisnotices.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <cstring>

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

int printUsage(FILE *out)
{
    std::fprintf(out, "Usage: cachescope [superset_config.py]        open the window (the embedded demo by default)\n"
                      "       cachescope <command> [options]           run headless, print JSON\n\nCommands:\n");
    for (const auto &c : kSubCommands)
        std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
    std::fprintf(out, "\nRun 'cachescope <command> --help' for a command's options.\n");
    return out == stdout ? 0 : 2;
}

} // namespace

int runApplication(int argc, char *argv[])
{
    if (argc >= 2) {
        if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))
            return printUsage(stdout);
        for (const auto &c : kSubCommands) {
            if (!std::strcmp(argv[1], c.name)) {
                QCoreApplication app(argc, argv);
                QCoreApplication::setApplicationName(QStringLiteral("cachescope"));
                QStringList args = QCoreApplication::arguments();
                args.removeFirst(); // program
                args.removeFirst(); // sub-command
                // Connection notices (TLS verification off, a Sentinel failover) go to stderr,
                // never into the JSON on stdout.
                QObject::connect(&RedisNotices::instance(), &RedisNotices::posted, &app, [](const QString &text) {
                    std::fprintf(stderr, "cachescope: warning: %s\n", qPrintable(text));
                }, Qt::DirectConnection);
                return c.run(args);
            }
        }
    }
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CacheScope"));
    QCoreApplication::setApplicationName(QStringLiteral("cachescope"));
    return runWindow(app);
}

} // namespace cachescope
