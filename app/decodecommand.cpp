#include "decodecommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "commandtarget.h"

#include "cache/cachemanager.h"
#include "cache/metastorecache.h"
#include "cache/memcachedcache.h"
#include "cache/rediscache.h"
#include "codec/decodejson.h"
#include "codec/decoderchain.h"
#include "codec/jsonindent.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace cachescope {

namespace {

// Where the JSON value that starts at `at` ends (string-aware, no parsing: bytes stay as written).
qsizetype skipJsonValue(QByteArrayView json, qsizetype at)
{
    int depth = 0;
    bool inString = false;
    for (; at < json.size(); ++at) {
        const char c = json[at];
        if (inString) {
            if (c == '\\')
                ++at;
            else if (c == '"')
                inString = false;
            if (!inString && depth == 0)
                return at + 1;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth <= 0)
                return at + (depth == 0 ? 1 : 0);
        } else if (depth == 0 && c == ',') {
            return at;
        }
    }
    return at;
}

// The text of one member of the top-level object of a compact JSON document, exactly as written
// (QJsonDocument would sort object keys and drop a string's leading U+FEFF).
QByteArrayView topLevelMember(QByteArrayView json, QByteArrayView name)
{
    qsizetype at = 1; // after '{'
    while (at < json.size() && json[at] == '"') {
        const qsizetype keyEnd = skipJsonValue(json, at);
        const QByteArrayView key = json.sliced(at + 1, keyEnd - at - 2);
        const qsizetype valueStart = keyEnd + 1; // after ':'
        const qsizetype valueEnd = skipJsonValue(json, valueStart);
        if (key == name)
            return json.sliced(valueStart, valueEnd - valueStart);
        at = valueEnd + 1; // after ','
    }
    return {};
}

// The bytes of a key in a Redis cache, a cache directory or a metastore cache, taking the key as a
// cache key or as the stored key `cachescope keys` printed; a note says which was meant when both exist.
std::optional<QByteArray> readEntry(const CommandLine &cl, const CacheTarget &target, const QByteArray &key, int *status)
{
    if (target.kind == CacheTarget::Kind::Metastore) {
        // A key_value row of the metadata database, found by the key or by the row uuid `keys` lists.
        auto cache = CacheManager::buildCache(*target.spec, CacheManager::Access::ReadOnly);
        auto raw = cache ? static_cast<SupersetMetastoreCache *>(cache->get())->storedBytes(key)
                         : Expected<std::optional<QByteArray>>(Error{cache.error()});
        if (!raw || !raw->has_value()) {
            *status = cl.fail(raw ? QStringLiteral("no metastore row for key '%1' in %2")
                                        .arg(QString::fromUtf8(key), target.spec->displayLocation())
                                  : raw.error());
            return std::nullopt;
        }
        return **raw;
    }
    const QList<KeyCandidate> candidates = keyCandidates(target, key);
    QList<QPair<KeyCandidate, QByteArray>> found;
    std::unique_ptr<Cache> server; // no prefix: the candidates are stored keys
    if (target.kind == CacheTarget::Kind::Redis)
        server = std::make_unique<RedisCache>(target.redis);
    else if (target.kind == CacheTarget::Kind::Memcached)
        server = std::make_unique<MemcachedCache>(target.memcached); // raw: the item with its flags
    for (const KeyCandidate &c : candidates) {
        if (!found.isEmpty() && found.constFirst().first.isCacheKey == c.isCacheKey)
            continue; // md5 found: sha256 is not looked at
        if (server) {
            auto raw = server->rawGet(c.stored);
            if (!raw) {
                *status = cl.fail(raw.error());
                return std::nullopt;
            }
            if (raw->has_value())
                found.append({c, **raw});
        } else {
            QFile f(QDir(target.directory).filePath(QString::fromLatin1(c.stored)));
            if (!f.exists())
                continue;
            if (!f.open(QIODevice::ReadOnly)) {
                *status = cl.fail(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
                return std::nullopt;
            }
            found.append({c, f.readAll()});
        }
    }
    if (found.isEmpty()) {
        const QString where = server ? server->location() : target.directory;
        QStringList tried;
        for (const KeyCandidate &c : candidates)
            tried << c.meaning;
        *status = cl.fail(QStringLiteral("key '%1' not found in %2 (tried %3)")
                              .arg(QString::fromUtf8(key), where, tried.join(QStringLiteral(", "))));
        return std::nullopt;
    }
    if (found.size() > 1)
        cl.note(QStringLiteral("'%1' names two entries: decoded the %2; the other is the %3")
                    .arg(QString::fromUtf8(key), found[0].first.meaning, found[1].first.meaning));
    return found.constFirst().second;
}

} // namespace

int runDecodeCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("decode"),
                   QStringLiteral("Peels every layer of a cache entry (envelope, pickle, zlib, msgpack, JSON, Arrow, image)\n"
                                  "and prints them with the final value. Nothing is executed. KEY may be the cache key or\n"
                                  "the stored key that `cachescope keys` prints (Redis: with the prefix; a directory: the\n"
                                  "file name; a metastore cache: the row uuid)."));
    cl.setSynopsis(QStringLiteral("(--input FILE | (--redis URL | --memcached SERVERS) [--prefix P] KEY | --dir DIR KEY |\n"
                                  " --config FILE --cache PURPOSE KEY)\n"
                                  "[--as KIND[,KIND...]] [--json] [--rows N] [--max-bytes N]"));
    cl.addOption(QStringLiteral("input"), QStringLiteral("FILE"),
                 QStringLiteral("Raw entry bytes (a dumped Redis value, a FileSystemCache file, or a memcached item as "
                                "`get` returns it: VALUE line and data)."));
    cl.addOption(QStringLiteral("as"), QStringLiteral("KINDS"),
                 QStringLiteral("Force the kind of layer 0, 1, ... (comma-separated; an empty item keeps detection): "
                                "redis-envelope redis-integer memcached-value filesystem-header legacy-filesystem-header pickle zlib gzip "
                                "msgpack json arrow image text raw."));
    cl.addJsonOption(QStringLiteral("Print the JSON document (default: the layers and the value, readable)."));
    cl.addInteger(QStringLiteral("rows"), QStringLiteral("N"), QStringLiteral("Table rows to print."), 0,
                  std::numeric_limits<int>::max(), QStringLiteral("100"));
    cl.addInteger(QStringLiteral("max-bytes"), QStringLiteral("N"), QStringLiteral("Decompression limit per layer."), 1,
                  std::numeric_limits<qint64>::max(), QStringLiteral("536870912"));
    cl.addCacheTargetOptions();
    cl.addPositional(QStringLiteral("KEY"), QStringLiteral("The entry: cache key, or stored key / file name (not with --input)."),
                     CommandLine::Arity::Optional);
    if (const auto exit = cl.parse(args))
        return *exit;

    DecodeHints hints;
    const QStringList as = cl.value(QStringLiteral("as")).split(u',');
    for (int i = 0; cl.isSet(QStringLiteral("as")) && i < as.size(); ++i) {
        if (as[i].trimmed().isEmpty())
            continue;
        DecodeLayer::Kind kind;
        if (!DecodeLayer::kindFromName(as[i].trimmed(), &kind))
            return cl.usageError(QStringLiteral("unknown kind '%1' for --as").arg(as[i]));
        hints.forced.insert(i, kind);
    }

    QByteArray data;
    const QStringList &positional = cl.positionals();
    if (cl.isSet(QStringLiteral("input"))) {
        if (cacheTargetOptionsGiven(cl) > 0)
            return cl.usageError(QStringLiteral("give exactly one of --input FILE, --redis URL, --memcached SERVERS, --dir DIR or "
                                                "--config FILE --cache PURPOSE"));
        if (!positional.isEmpty())
            return cl.usageError(QStringLiteral("unexpected argument '%1' (--input reads the whole file)").arg(positional.first()));
        QFile f(cl.value(QStringLiteral("input")));
        if (!f.open(QIODevice::ReadOnly))
            return cl.fail(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
        data = f.readAll();
    } else {
        int status = 0;
        const auto target = cacheTarget(cl, &status);
        if (!target)
            return status;
        if (positional.isEmpty())
            return cl.usageError(QStringLiteral("missing KEY"));
        hints.backend = target->kind == CacheTarget::Kind::Redis       ? DecodeHints::Backend::Redis
                        : target->kind == CacheTarget::Kind::Metastore ? DecodeHints::Backend::Metastore
                        : target->kind == CacheTarget::Kind::Memcached ? DecodeHints::Backend::Memcached
                                                                       : DecodeHints::Backend::FileSystem;
        auto entry = readEntry(cl, *target, positional.first().toUtf8(), &status);
        if (!entry)
            return status;
        data = *entry;
    }

    DecodeLimits limits;
    limits.maxDecompressedBytes = cl.integer(QStringLiteral("max-bytes"), limits.maxDecompressedBytes);
    const DecodeResult result = DecoderChain(limits).decode(data, hints);
    const QByteArray json = DecodeJson::result(result, int(cl.integer(QStringLiteral("rows"), 100)));
    if (cl.isSet(QStringLiteral("json"))) {
        cli::writeLine(json);
    } else {
        for (size_t i = 0; i < result.layers.size(); ++i) {
            const DecodeLayer &l = result.layers[i];
            const QByteArray notes = QJsonDocument(QJsonObject::fromVariantMap(l.notes)).toJson(QJsonDocument::Compact);
            cli::writeOut(QStringLiteral("layer %1: %2 offset %3 size %4 ")
                              .arg(i)
                              .arg(DecodeLayer::kindName(l.kind), -24)
                              .arg(l.offset)
                              .arg(l.size)
                              .toUtf8()
                          + notes + '\n');
        }
        if (!result.shape.isEmpty())
            cli::writeOut("shape: " + result.shape.toUtf8() + '\n');
        if (result.ok())
            cli::writeOut(indentJson(topLevelMember(json, "value"), 4) + '\n');
        cli::flushOut();
    }
    if (!result.ok())
        return cl.fail(result.error);
    return 0;
}

} // namespace cachescope
