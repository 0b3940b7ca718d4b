#include "cachecommand.h"

#include "cache/filesystemcache.h"
#include "cache/rediscache.h"
#include "clioutput.h"
#include "codec/valuejson.h"
#include "redis/redisurl.h"

#include <QCommandLineParser>

#include <memory>

namespace cachescope {

namespace {

const QString kCommand = QStringLiteral("cache");

QByteArray keyJson(const QByteArray &key)
{
    return ValueJson::toJson(PyValue::str(key));
}

// Reads never write: get/ttl/keys open the cache read-only (no count-file rewrite, no mkdir).
Expected<std::unique_ptr<Cache>> openCache(const QCommandLineParser &parser, bool forWriting)
{
    const bool redis = parser.isSet(QStringLiteral("redis"));
    const bool dir = parser.isSet(QStringLiteral("dir"));
    if (redis == dir)
        return makeError(QStringLiteral("give exactly one of --redis URL or --dir DIR"));
    bool ok = true;
    const qint64 defaultTimeout = parser.value(QStringLiteral("default-timeout")).toLongLong(&ok);
    if (!ok || defaultTimeout < 0)
        return makeError(QStringLiteral("--default-timeout must be a number of seconds >= 0"));
    if (redis) {
        auto url = RedisUrl::parse(parser.value(QStringLiteral("redis")));
        if (!url)
            return Error{url.error()};
        std::unique_ptr<Cache> cache =
            std::make_unique<RedisCache>(*url, parser.value(QStringLiteral("prefix")).toUtf8(), defaultTimeout);
        cache->setWritable(forWriting);
        return cache;
    }
    const int threshold = parser.value(QStringLiteral("threshold")).toInt(&ok);
    if (!ok || threshold < 0)
        return makeError(QStringLiteral("--threshold must be a number >= 0"));
    if (parser.isSet(QStringLiteral("prefix")))
        return makeError(QStringLiteral("--prefix does not apply to --dir: FileSystemCache file names hash the bare key"));
    const QString directory = parser.value(QStringLiteral("dir"));
    if (!forWriting) {
        auto cache = FileSystemCache::openReadOnly(directory, threshold, defaultTimeout);
        if (!cache->initError().isEmpty())
            return makeError(cache->initError());
        return std::unique_ptr<Cache>(std::move(cache));
    }
    std::unique_ptr<Cache> cache = std::make_unique<FileSystemCache>(directory, threshold, defaultTimeout);
    return cache;
}

Expected<Timeout> timeoutOption(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("timeout")))
        return Timeout{};
    bool ok = false;
    const qint64 seconds = parser.value(QStringLiteral("timeout")).toLongLong(&ok);
    if (!ok || seconds < 0)
        return makeError(QStringLiteral("--timeout must be a number of seconds >= 0 (0 = never expires)"));
    return Timeout{seconds};
}

QString notFound(const QByteArray &key, const Cache &cache)
{
    return QStringLiteral("key '%1' not found (missing or expired) in %2").arg(QString::fromUtf8(key), cache.location());
}

int runGet(Cache &cache, const QByteArray &key)
{
    auto value = cache.get(key);
    if (!value)
        return cli::fail(kCommand, value.error());
    if (!value->has_value())
        return cli::fail(kCommand, notFound(key, cache));
    cli::writeLine(ValueJson::toJson(**value));
    return 0;
}

int runWrite(Cache &cache, const QString &action, const QByteArray &key, const QString &jsonArgument,
             const QCommandLineParser &parser)
{
    QByteArray json;
    QString error;
    if (!cli::readArgument(jsonArgument, &json, &error))
        return cli::fail(kCommand, error);
    auto value = ValueJson::fromJson(json);
    if (!value)
        return cli::fail(kCommand,
                         QStringLiteral("value for '%1' is not valid JSON: %2").arg(QString::fromUtf8(key), value.error()));
    auto timeout = timeoutOption(parser);
    if (!timeout)
        return cli::fail(kCommand, timeout.error(), 2);
    const bool isAdd = action == u"add";
    auto result = isAdd ? cache.add(key, *value, *timeout) : cache.set(key, *value, *timeout);
    if (!result)
        return cli::fail(kCommand, result.error());
    cli::writeLine("{\"key\":" + keyJson(key) + (isAdd ? ",\"added\":" : ",\"stored\":") + (*result ? "true" : "false")
                   + '}');
    return 0;
}

int runDelete(Cache &cache, const QByteArray &key)
{
    auto deleted = cache.remove(key);
    if (!deleted)
        return cli::fail(kCommand, deleted.error());
    cli::writeLine("{\"key\":" + keyJson(key) + ",\"deleted\":" + (*deleted ? "true" : "false") + '}');
    return 0;
}

int runTtl(Cache &cache, const QByteArray &key)
{
    auto ttl = cache.ttl(key);
    if (!ttl)
        return cli::fail(kCommand, ttl.error());
    if (ttl->state == EntryTtl::State::Missing)
        return cli::fail(kCommand, notFound(key, cache));
    const QByteArray seconds =
        ttl->state == EntryTtl::State::Never ? QByteArray("null") : QByteArray::number(ttl->seconds);
    cli::writeLine("{\"key\":" + keyJson(key) + ",\"ttl\":" + seconds + '}');
    return 0;
}

int runKeys(Cache &cache, const QByteArray &glob)
{
    // Streams a JSON array page by page, so millions of keys never sit in memory at once.
    QByteArray cursor = "0";
    bool first = true;
    cli::writeOut("[");
    do {
        auto page = cache.scan(cursor, glob, 1000);
        if (!page) {
            cli::writeLine("]");
            return cli::fail(kCommand, page.error());
        }
        QByteArray chunk;
        for (const QByteArray &key : page->keys) {
            chunk += (first ? "\n" : ",\n") + keyJson(key);
            first = false;
        }
        cli::writeOut(chunk);
        cursor = page->nextCursor;
    } while (!cursor.isEmpty() && cursor != "0");
    cli::writeLine(first ? "]" : "\n]");
    return 0;
}

struct Arity
{
    const char *name;
    qsizetype min, max;
};

const Arity kArities[] = {{"get", 2, 2}, {"set", 3, 3}, {"add", 3, 3}, {"delete", 2, 2}, {"ttl", 2, 2}, {"keys", 1, 2}};

} // namespace

int runCacheCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Read and write cachelib-compatible cache entries. Values are JSON in CacheScope's value encoding\n"
        "(README: \"Values as JSON\"); a JSON argument may be inline, @FILE, or - for standard input."));
    parser.addOptions({
        {QStringLiteral("redis"), QStringLiteral("Redis URL: redis://[user:pass@]host:port/db or unix:///path"),
         QStringLiteral("URL")},
        {QStringLiteral("prefix"), QStringLiteral("Key prefix of the cache (CACHE_KEY_PREFIX / key_prefix)."),
         QStringLiteral("P")},
        {QStringLiteral("dir"), QStringLiteral("FileSystemCache directory."), QStringLiteral("DIR")},
        {QStringLiteral("timeout"),
         QStringLiteral("Timeout for set/add: seconds, 0 = never expires (default: the cache's default)."),
         QStringLiteral("N")},
        {QStringLiteral("default-timeout"), QStringLiteral("The cache's default timeout (cachelib: 300)."),
         QStringLiteral("N"), QStringLiteral("300")},
        {QStringLiteral("threshold"), QStringLiteral("FileSystemCache threshold (cachelib: 500)."), QStringLiteral("N"),
         QStringLiteral("500")},
    });
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("get KEY | set KEY JSON | add KEY JSON | delete KEY | ttl KEY | keys [GLOB]"));
    if (!parser.parse(QStringList{QStringLiteral("cachescope cache")} + args))
        return cli::fail(kCommand, parser.errorText(), 2);
    if (parser.isSet(QStringLiteral("help"))) {
        cli::writeOut(parser.helpText().toUtf8());
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return cli::fail(kCommand, QStringLiteral("missing action: get, set, add, delete, ttl or keys (see --help)"), 2);
    const QString action = positional.first();
    const Arity *arity = nullptr;
    for (const auto &a : kArities)
        if (action == QLatin1String(a.name))
            arity = &a;
    if (!arity)
        return cli::fail(kCommand, QStringLiteral("unknown action '%1' (get, set, add, delete, ttl, keys)").arg(action), 2);
    if (positional.size() < arity->min || positional.size() > arity->max)
        return cli::fail(kCommand, QStringLiteral("wrong number of arguments for '%1' (see --help)").arg(action), 2);

    const bool writes = action == u"set" || action == u"add" || action == u"delete";
    auto cache = openCache(parser, writes);
    if (!cache)
        return cli::fail(kCommand, cache.error(), 2);
    const QByteArray key = positional.size() > 1 ? positional.at(1).toUtf8() : QByteArray();
    if (action == u"get")
        return runGet(**cache, key);
    if (action == u"set" || action == u"add")
        return runWrite(**cache, action, key, positional.at(2), parser);
    if (action == u"delete")
        return runDelete(**cache, key);
    if (action == u"ttl")
        return runTtl(**cache, key);
    return runKeys(**cache, positional.size() > 1 ? positional.at(1).toUtf8() : QByteArray("*"));
}

} // namespace cachescope
