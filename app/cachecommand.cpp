#include "cachecommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "commandtarget.h"

#include "cache/cachemanager.h"
#include "cache/filesystemcache.h"
#include "cache/memcachedcache.h"
#include "cache/rediscache.h"
#include "codec/valuejson.h"

#include <memory>

namespace cachescope {

namespace {

QByteArray keyJson(const QByteArray &key)
{
    return ValueJson::toJson(PyValue::str(key));
}

// Reads never write: get/ttl/keys open the cache read-only (no count-file rewrite, no mkdir).
Expected<std::unique_ptr<Cache>> openCache(const CommandLine &cl, const CacheTarget &target, bool forWriting)
{
    // --default-timeout and --threshold win; without them a cache from --config has its own.
    const qint64 defaultTimeout = cl.isSet(QStringLiteral("default-timeout")) || !target.spec
                                      ? cl.integer(QStringLiteral("default-timeout"), 300)
                                      : target.spec->defaultTimeout;
    const int threshold = int(cl.isSet(QStringLiteral("threshold")) || !target.spec ? cl.integer(QStringLiteral("threshold"), 500)
                                                                                    : target.spec->threshold);
    if (target.kind == CacheTarget::Kind::Redis || target.kind == CacheTarget::Kind::Memcached) {
        std::unique_ptr<Cache> cache;
        if (target.kind == CacheTarget::Kind::Redis)
            cache = std::make_unique<RedisCache>(target.redis, target.prefix, defaultTimeout);
        else
            cache = std::make_unique<MemcachedCache>(target.memcached, target.prefix, defaultTimeout);
        cache->setWritable(forWriting);
        return cache;
    }
    if (target.kind == CacheTarget::Kind::Metastore) {
        // Its own CACHE_DEFAULT_TIMEOUT unless --default-timeout; writes only for set/add/delete.
        CacheSpec spec = *target.spec;
        spec.defaultTimeout = defaultTimeout;
        auto cache = CacheManager::buildCache(spec, forWriting ? CacheManager::Access::ReadWrite : CacheManager::Access::ReadOnly);
        if (cache)
            (*cache)->setWritable(forWriting);
        return cache;
    }
    if (!forWriting) {
        auto cache = FileSystemCache::openReadOnly(target.directory, threshold, defaultTimeout);
        if (!cache->initError().isEmpty())
            return makeError(cache->initError());
        return std::unique_ptr<Cache>(std::move(cache));
    }
    std::unique_ptr<Cache> cache = std::make_unique<FileSystemCache>(target.directory, threshold, defaultTimeout);
    return cache;
}

QString notFound(const QByteArray &key, const Cache &cache)
{
    return QStringLiteral("key '%1' not found (missing or expired) in %2").arg(QString::fromUtf8(key), cache.location());
}

// `cachescope keys` prints stored keys (prefix included); for a read, a key that is not a cache
// key but is the stored key of one is taken as that cache key, and the note says so. Writes
// take the key exactly as given.
QByteArray readKey(const CommandLine &cl, Cache &cache, const CacheTarget &target, const QByteArray &key)
{
    if (!target.storesPrefixedKeys() || target.prefix.isEmpty() || !key.startsWith(target.prefix)
        || key.size() == target.prefix.size())
        return key;
    const QByteArray bare = key.mid(target.prefix.size());
    auto asGiven = cache.ttl(key);
    if (!asGiven || asGiven->state != EntryTtl::State::Missing)
        return key;
    auto asStored = cache.ttl(bare);
    if (!asStored || asStored->state == EntryTtl::State::Missing)
        return key;
    cl.note(QStringLiteral("no cache key '%1'; it is the stored key of cache key '%2', read that")
                .arg(QString::fromUtf8(key), QString::fromUtf8(bare)));
    return bare;
}

int runGet(const CommandLine &cl, Cache &cache, const QByteArray &key)
{
    auto value = cache.get(key);
    if (!value)
        return cl.fail(value.error());
    if (!value->has_value())
        return cl.fail(notFound(key, cache));
    cli::writeLine(ValueJson::toJson(**value));
    return 0;
}

int runWrite(const CommandLine &cl, Cache &cache, const QString &action, const QByteArray &key, const QString &jsonArgument)
{
    QByteArray json;
    QString error;
    if (!cli::readArgument(jsonArgument, &json, &error))
        return cl.fail(error);
    // Outside a string a BOM is no JSON (RFC 8259 §8.1); dropping it silently could also drop one
    // the user meant as data, so it is refused by name, as Python's json.loads refuses it in a str.
    if (json.startsWith("\xEF\xBB\xBF"))
        return cl.fail(QStringLiteral("value for '%1' begins with a byte-order mark (U+FEFF) outside any string; remove it, "
                                      "or put it inside the string if it is data")
                           .arg(QString::fromUtf8(key)));
    auto value = ValueJson::fromJson(json);
    if (!value)
        return cl.fail(QStringLiteral("value for '%1' is not valid JSON: %2").arg(QString::fromUtf8(key), value.error()));
    const Timeout timeout = cl.isSet(QStringLiteral("timeout")) ? Timeout{cl.integer(QStringLiteral("timeout"), 0)} : Timeout{};
    const bool isAdd = action == u"add";
    auto result = isAdd ? cache.add(key, *value, timeout) : cache.set(key, *value, timeout);
    if (!result)
        return cl.fail(result.error());
    cli::writeLine("{\"key\":" + keyJson(key) + (isAdd ? ",\"added\":" : ",\"stored\":") + (*result ? "true" : "false")
                   + '}');
    return 0;
}

int runDelete(const CommandLine &cl, Cache &cache, const CacheTarget &target, const QByteArray &key)
{
    auto deleted = cache.remove(key);
    if (!deleted)
        return cl.fail(deleted.error());
    if (!*deleted && target.storesPrefixedKeys() && !target.prefix.isEmpty() && key.startsWith(target.prefix)) {
        // Never a guess for a destructive action: a hint only.
        const QByteArray bare = key.mid(target.prefix.size());
        if (auto ttl = cache.ttl(bare); ttl && ttl->state != EntryTtl::State::Missing)
            cl.note(QStringLiteral("nothing deleted: '%1' is the stored key of cache key '%2'; delete '%2' to remove it")
                        .arg(QString::fromUtf8(key), QString::fromUtf8(bare)));
    }
    cli::writeLine("{\"key\":" + keyJson(key) + ",\"deleted\":" + (*deleted ? "true" : "false") + '}');
    return 0;
}

int runTtl(const CommandLine &cl, Cache &cache, const QByteArray &key)
{
    auto ttl = cache.ttl(key);
    if (!ttl)
        return cl.fail(ttl.error());
    if (ttl->state == EntryTtl::State::Missing)
        return cl.fail(notFound(key, cache));
    const QByteArray seconds =
        ttl->state == EntryTtl::State::Never ? QByteArray("null") : QByteArray::number(ttl->seconds);
    cli::writeLine("{\"key\":" + keyJson(key) + ",\"ttl\":" + seconds + '}');
    return 0;
}

int runKeys(const CommandLine &cl, Cache &cache, const QByteArray &glob)
{
    // Streams a JSON array page by page, so millions of keys never sit in memory at once.
    QByteArray cursor = "0";
    bool first = true;
    cli::writeOut("[");
    do {
        auto page = cache.scan(cursor, glob, 1000);
        if (!page) {
            cli::writeLine("]");
            return cl.fail(page.error());
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
    CommandLine cl(QStringLiteral("cache"),
                   QStringLiteral("Reads and writes cachelib-compatible cache entries. Values are JSON in CacheScope's\n"
                                  "value encoding (README: \"Values as JSON\"): inline, @FILE, or - for standard input.\n"
                                  "KEY is the cache key; get and ttl also take the stored key `cachescope keys` prints."));
    cl.setSynopsis(QStringLiteral("((--redis URL | --memcached SERVERS) [--prefix P] | --dir DIR | --config FILE --cache PURPOSE)\n"
                                  "(get KEY | set KEY JSON | add KEY JSON | delete KEY | ttl KEY | keys [GLOB])"));
    cl.addInteger(QStringLiteral("timeout"), QStringLiteral("N"),
                  QStringLiteral("Timeout for set/add in seconds, 0 = never expires (default: the cache's default)."), 0);
    cl.addInteger(QStringLiteral("default-timeout"), QStringLiteral("N"),
                  QStringLiteral("The cache's default timeout (cachelib: 300; with --config, the config's)."), 0);
    cl.addInteger(QStringLiteral("threshold"), QStringLiteral("N"),
                  QStringLiteral("FileSystemCache threshold (cachelib: 500; with --config, the config's)."), 0,
                  std::numeric_limits<int>::max());
    cl.addCacheTargetOptions();
    cl.addPositional(QStringLiteral("ACTION"), QStringLiteral("get, set, add, delete, ttl or keys (below)."));
    cl.addPositional(QStringLiteral("KEY"), QStringLiteral("The cache key (keys: a glob)."), CommandLine::Arity::Optional);
    cl.addPositional(QStringLiteral("JSON"), QStringLiteral("The value for set and add."), CommandLine::Arity::Optional);
    cl.addHelpSection(QStringLiteral("Actions"),
                      {{QStringLiteral("get KEY"), QStringLiteral("Print the value (JSON).")},
                       {QStringLiteral("set KEY JSON"), QStringLiteral("Store the value (JSON inline, @FILE or -).")},
                       {QStringLiteral("add KEY JSON"), QStringLiteral("Store it only when KEY is absent.")},
                       {QStringLiteral("delete KEY"), QStringLiteral("Remove the entry.")},
                       {QStringLiteral("ttl KEY"), QStringLiteral("Seconds left, null = never expires.")},
                       {QStringLiteral("keys [GLOB]"),
                        QStringLiteral("The cache keys (Redis: SCAN, never KEYS; memcached: lru_crawler metadump), as a JSON array.")}});
    if (const auto exit = cl.parse(args))
        return *exit;
    const QStringList &positional = cl.positionals();
    const QString action = positional.first();
    const Arity *arity = nullptr;
    for (const auto &a : kArities)
        if (action == QLatin1String(a.name))
            arity = &a;
    if (!arity)
        return cl.usageError(QStringLiteral("unknown action '%1' (get, set, add, delete, ttl, keys)").arg(action));
    if (positional.size() < arity->min || positional.size() > arity->max)
        return cl.usageError(QStringLiteral("wrong number of arguments for '%1'").arg(action));

    int status = 0;
    const auto target = cacheTarget(cl, &status);
    if (!target)
        return status;
    const bool writes = action == u"set" || action == u"add" || action == u"delete";
    auto cache = openCache(cl, *target, writes);
    if (!cache)
        return cl.usageError(cache.error());
    const QByteArray key = positional.size() > 1 ? positional.at(1).toUtf8() : QByteArray();
    if (action == u"get")
        return runGet(cl, **cache, readKey(cl, **cache, *target, key));
    if (action == u"set" || action == u"add")
        return runWrite(cl, **cache, action, key, positional.at(2));
    if (action == u"delete")
        return runDelete(cl, **cache, *target, key);
    if (action == u"ttl")
        return runTtl(cl, **cache, readKey(cl, **cache, *target, key));
    return runKeys(cl, **cache, positional.size() > 1 ? key : QByteArray("*"));
}

} // namespace cachescope
