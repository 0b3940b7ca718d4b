#include "keyscommand.h"

#include "browse/filesystemkeysource.h"
#include "browse/keykind.h"
#include "browse/rediskeysource.h"
#include "config/configcommandline.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstdio>
#include <memory>

namespace cachescope {

namespace {

QByteArray jsonLine(const QByteArray &key, const KeyMetadata *meta, const QByteArray &prefix, const QByteArray &known,
                   bool hashedNames)
{
    QJsonObject o;
    const QString text = QString::fromUtf8(key);
    o.insert(QStringLiteral("key"), text);
    if (text.toUtf8() != key) // binary key: keep it exact
        o.insert(QStringLiteral("key_base64"), QString::fromLatin1(key.toBase64()));
    if (!known.isEmpty())
        o.insert(QStringLiteral("app_key"), QString::fromUtf8(known));
    if (meta) {
        o.insert(QStringLiteral("type"), QString::fromUtf8(meta->type));
        o.insert(QStringLiteral("ttl_ms"), meta->ttlMs);
        o.insert(QStringLiteral("size"), meta->size);
        if (meta->expired)
            o.insert(QStringLiteral("expired"), true);
        const QString kind = !known.isEmpty() ? keykind::guess(known)
                           : hashedNames  ? keykind::guessForHashedName()
                                          : keykind::guess(QByteArrayView(key).sliced(key.startsWith(prefix) ? prefix.size() : 0));
        if (!kind.isEmpty())
            o.insert(QStringLiteral("kind"), kind);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// The key source of one cache of a superset_config.py, as Superset would connect to it.
Expected<std::unique_ptr<KeySource>> sourceFromConfig(const QString &file, const QString &purposeName,
                                                      const ConfigCommandLine::EnvironmentArgs &environment)
{
    const auto options = environment.loaderOptions(ConfigCommandLine::systemEnvironment());
    if (!options)
        return Error{options.error()};
    const auto report = ConfigCommandLine::loadForCommand(file, *options);
    if (!report)
        return Error{report.error()};
    const auto spec = ConfigCommandLine::cacheSpec(*report, purposeName);
    if (!spec)
        return Error{spec.error()};
    const QString purpose = purposeConfigName(spec->purpose);
    switch (spec->backend) {
    case BackendType::Redis:
    case BackendType::RedisSentinel: {
        const auto url = ConfigCommandLine::redisUrl(*spec);
        if (!url)
            return Error{url.error()};
        return std::unique_ptr<KeySource>(std::make_unique<RedisKeySource>(*url, spec->keyPrefix));
    }
    case BackendType::FileSystem:
        if (spec->directory.isEmpty())
            return makeError(QStringLiteral("%1 is a FileSystemCache without CACHE_DIR").arg(purpose));
        return std::unique_ptr<KeySource>(std::make_unique<FileSystemKeySource>(spec->directory));
    case BackendType::Null:
    case BackendType::Simple:
    case BackendType::SupersetMetastore:
        return makeError(QStringLiteral("%1 is a %2: it has no keys outside the Superset process")
                             .arg(purpose, backendTypeName(spec->backend)));
    default:
        return makeError(QStringLiteral("%1 is a %2: listing its keys is not supported yet")
                             .arg(purpose, spec->backendSpelling.isEmpty() ? backendTypeName(spec->backend) : spec->backendSpelling));
    }
}

} // namespace

int runKeysCommand(const QStringList &args)
{
    QFile out, err;
    out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered);
    err.open(stderr, QIODevice::WriteOnly | QIODevice::Unbuffered);
    return runKeysCommand(args, &out, &err);
}

int runKeysCommand(const QStringList &args, QIODevice *out, QIODevice *err)
{
    // The config environment options (--env, --env-file, --no-process-env, --pythonpath) are
    // the ones `config show` takes, parsed by the same code; the rest goes to the parser.
    ConfigCommandLine::EnvironmentArgs environment;
    QStringList rest;
    for (int i = 0; i < args.size(); ++i) {
        QString error;
        switch (environment.take(args, &i, &error)) {
        case ConfigCommandLine::EnvironmentArgs::Take::Taken:
            break;
        case ConfigCommandLine::EnvironmentArgs::Take::Error:
            err->write(QStringLiteral("cachescope keys: %1\n").arg(error).toUtf8());
            return 2;
        case ConfigCommandLine::EnvironmentArgs::Take::NotMine:
            rest << args[i];
            break;
        }
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Stream the keys of one cache as lines or JSON lines."));
    const QCommandLineOption redis(QStringLiteral("redis"), QStringLiteral("Redis URL (redis://host:port/db)."), QStringLiteral("URL"));
    const QCommandLineOption prefix(QStringLiteral("prefix"), QStringLiteral("Cache key prefix (Redis)."), QStringLiteral("P"));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("FileSystemCache directory."), QStringLiteral("DIR"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("superset_config.py to take the cache from (with --cache)."), QStringLiteral("FILE"));
    const QCommandLineOption cache(QStringLiteral("cache"), QStringLiteral("The cache of --config: CACHE_CONFIG, DATA_CACHE_CONFIG, ..., RESULTS_BACKEND."), QStringLiteral("PURPOSE"));
    const QCommandLineOption match(QStringLiteral("match"), QStringLiteral("Glob (SCAN MATCH); without the prefix it is added."), QStringLiteral("GLOB"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("Stop after N keys."), QStringLiteral("N"));
    const QCommandLineOption meta(QStringLiteral("meta"), QStringLiteral("Also type, TTL (ms, -1 never) and size."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object per line."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({redis, prefix, dir, config, cache, match, limit, meta, json, help});
    if (!parser.parse(QStringList{QStringLiteral("cachescope keys")} + rest)) {
        err->write(parser.errorText().toUtf8() + '\n');
        return 2;
    }
    if (parser.isSet(help)) {
        out->write("Usage: cachescope keys (--redis URL [--prefix P] | --dir DIR | --config FILE --cache PURPOSE)\n"
                   "                       [--match GLOB] [--limit N] [--meta] [--json]\n");
        out->write(parser.helpText().toUtf8());
        out->write("With --config:\n" + ConfigCommandLine::EnvironmentArgs::usage());
        return 0;
    }
    std::unique_ptr<KeySource> source;
    const int sources = int(parser.isSet(redis)) + int(parser.isSet(dir)) + int(parser.isSet(config));
    if (sources != 1) {
        err->write("cachescope keys: give exactly one of --redis URL, --dir DIR or --config FILE --cache PURPOSE\n");
        return 2;
    }
    if (parser.isSet(config) != parser.isSet(cache)) {
        err->write("cachescope keys: --config FILE and --cache PURPOSE go together\n");
        return 2;
    }
    if (parser.isSet(config)) {
        // A misspelt purpose is a usage error, reported even when the file would not load.
        if (!purposeFromConfigName(parser.value(cache).trimmed())) {
            err->write(QStringLiteral("cachescope keys: %1\n").arg(ConfigCommandLine::cacheSpec(ConfigReport{}, parser.value(cache)).error()).toUtf8());
            return 2;
        }
        auto built = sourceFromConfig(parser.value(config), parser.value(cache), environment);
        if (!built) {
            err->write(QStringLiteral("cachescope keys: %1\n").arg(built.error()).toUtf8());
            return 1;
        }
        source = std::move(*built);
    } else if (parser.isSet(redis)) {
        auto url = RedisUrl::parse(parser.value(redis));
        if (!url) {
            err->write(QStringLiteral("cachescope keys: %1\n").arg(url.error()).toUtf8());
            return 2;
        }
        source = std::make_unique<RedisKeySource>(*url, parser.value(prefix).toUtf8());
    } else {
        source = std::make_unique<FileSystemKeySource>(parser.value(dir));
    }
    qint64 maxKeys = -1;
    if (parser.isSet(limit)) {
        bool ok = false;
        maxKeys = parser.value(limit).toLongLong(&ok);
        if (!ok || maxKeys < 0) {
            err->write("cachescope keys: --limit needs a non-negative number\n");
            return 2;
        }
    }
    const QByteArray keyPrefix = source->keyPrefix();
    QByteArray pattern = parser.value(match).toUtf8();
    if (pattern.isEmpty())
        pattern = keyPrefix.isEmpty() ? QByteArray("*") : KeySource::globEscape(keyPrefix) + '*';
    else if (!pattern.startsWith(keyPrefix))
        pattern = KeySource::globEscape(keyPrefix) + pattern;
    const bool withMeta = parser.isSet(meta);
    const bool asJson = parser.isSet(json) || withMeta;

    // One SCAN page at a time; with --meta each page's metadata is one pipelined request.
    QEventLoop loop;
    int status = 0;
    qint64 written = 0;
    QSet<size_t> seen; // SCAN may repeat keys; a hash per key keeps this small
    QByteArray cursor = "0";
    quint64 scanId = 0, metaId = 0;
    bool scanDone = false;
    auto emitKeys = [&](const QList<QByteArray> &keys, const QList<KeyMetadata> *metas) {
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (maxKeys >= 0 && written >= maxKeys)
                return;
            const QByteArray known = source->knownKeyFor(keys[i]);
            if (asJson)
                out->write(jsonLine(keys[i], metas ? &(*metas)[i] : nullptr, keyPrefix, known, source->storesHashedNames()));
            else
                out->write(keys[i] + '\n');
            ++written;
        }
    };
    auto next = [&] {
        if (scanDone || (maxKeys >= 0 && written >= maxKeys)) {
            loop.quit();
            return;
        }
        scanId = source->requestScan(cursor, pattern, 1000, false);
    };
    QObject::connect(source.get(), &KeySource::scanReady, &loop, [&](quint64 id, const ScanBatch &batch) {
        if (id != scanId)
            return;
        cursor = batch.nextCursor;
        scanDone = batch.done();
        QList<QByteArray> fresh;
        for (const QByteArray &k : batch.keys) {
            const size_t h = qHash(k, 0x2545F491u);
            if (!seen.contains(h)) {
                seen.insert(h);
                fresh << k;
            }
        }
        if (maxKeys >= 0 && fresh.size() > maxKeys - written)
            fresh.resize(maxKeys - written);
        if (withMeta && !fresh.isEmpty()) {
            metaId = source->requestMetadata(fresh);
            return;
        }
        emitKeys(fresh, nullptr);
        next();
    });
    QObject::connect(source.get(), &KeySource::metadataReady, &loop, [&](quint64 id, const QList<KeyMetadata> &metas) {
        if (id != metaId)
            return;
        QList<QByteArray> keys;
        for (const KeyMetadata &m : metas)
            keys << m.key;
        emitKeys(keys, &metas);
        next();
    });
    auto fail = [&](quint64, const QString &message) {
        err->write(QStringLiteral("cachescope keys: %1\n").arg(message).toUtf8());
        status = 1;
        loop.quit();
    };
    QObject::connect(source.get(), &KeySource::scanFailed, &loop, fail);
    QObject::connect(source.get(), &KeySource::metadataFailed, &loop, fail);
    next();
    loop.exec();
    return status;
}

} // namespace cachescope
