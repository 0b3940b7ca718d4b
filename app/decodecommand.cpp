#include "decodecommand.h"

#include "codec/decodejson.h"
#include "config/configcommandline.h"
#include "codec/decoderchain.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>

#if __has_include("cache/rediscache.h")
#include "cache/rediscache.h"
#include "redis/redisurl.h"
#define CACHESCOPE_HAVE_REDISCACHE 1
#endif

#include <cstdio>
#include <optional>

namespace cachescope {

namespace {

const char kUsage[] =
    "Usage: cachescope decode (--input FILE | --redis URL [--prefix P] KEY | --dir DIR KEY |\n"
    "                          --config FILE --cache PURPOSE KEY)\n"
    "                         [--as KIND[,KIND...]] [--json] [--rows N] [--max-bytes N]\n"
    "Peels every layer of a cache entry (envelope, pickle, zlib, msgpack, JSON, Arrow, image) and\n"
    "prints them with the final value. Nothing is executed.\n"
    "  --input FILE    raw entry bytes (a dumped Redis value or a FileSystemCache file)\n"
    "  --redis URL     read KEY (with --prefix) from Redis, as cachelib stores it\n"
    "  --dir DIR       read KEY from a FileSystemCache directory (md5, then sha256 file names)\n"
    "  --config FILE --cache PURPOSE  read KEY from that cache of a superset_config.py (Redis or\n"
    "                  FileSystemCache), with --env K=V, --env-file F, --no-process-env as `config show`\n"
    "  --as KINDS      force the kind of layer 0, 1, ...; an empty item keeps detection. Kinds:\n"
    "                  redis-envelope redis-integer filesystem-header legacy-filesystem-header\n"
    "                  pickle zlib gzip msgpack json arrow image text raw\n"
    "  --json          print the JSON document (default: a readable summary and the value)\n"
    "  --rows N        table rows to print (default 100)\n"
    "  --max-bytes N   decompression limit per layer (default 536870912)\n";

int usage(const QString &why)
{
    std::fprintf(stderr, "cachescope decode: %s\n\n%s", qPrintable(why), kUsage);
    return 2;
}

struct Options
{
    QString input, redisUrl, dir, prefix, key, config, cache;
    QStringList as;
    bool json = false;
    int rows = 100;
    qint64 maxBytes = 512ll << 20;
};

} // namespace

int runDecodeCommand(const QStringList &args)
{
    Options o;
    QStringList positional;
    ConfigCommandLine::EnvironmentArgs environment;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        QString envError;
        const auto taken = environment.take(args, &i, &envError);
        if (taken == ConfigCommandLine::EnvironmentArgs::Take::Error)
            return usage(envError);
        if (taken == ConfigCommandLine::EnvironmentArgs::Take::Taken)
            continue;
        auto next = [&](QString *out) {
            if (i + 1 >= args.size())
                return false;
            *out = args[++i];
            return true;
        };
        QString v;
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == QLatin1String("--input")) {
            if (!next(&o.input))
                return usage(QStringLiteral("--input needs a file"));
        } else if (a == QLatin1String("--redis")) {
            if (!next(&o.redisUrl))
                return usage(QStringLiteral("--redis needs a URL"));
        } else if (a == QLatin1String("--dir")) {
            if (!next(&o.dir))
                return usage(QStringLiteral("--dir needs a directory"));
        } else if (a == QLatin1String("--config")) {
            if (!next(&o.config))
                return usage(QStringLiteral("--config needs a file"));
        } else if (a == QLatin1String("--cache")) {
            if (!next(&o.cache))
                return usage(QStringLiteral("--cache needs a purpose such as DATA_CACHE_CONFIG"));
        } else if (a == QLatin1String("--prefix")) {
            if (!next(&o.prefix))
                return usage(QStringLiteral("--prefix needs a value"));
        } else if (a == QLatin1String("--as")) {
            if (!next(&v))
                return usage(QStringLiteral("--as needs a kind"));
            o.as = v.split(u',');
        } else if (a == QLatin1String("--json")) {
            o.json = true;
        } else if (a == QLatin1String("--rows")) {
            bool ok = false;
            if (!next(&v) || (o.rows = v.toInt(&ok), !ok) || o.rows < 0)
                return usage(QStringLiteral("--rows needs a number >= 0"));
        } else if (a == QLatin1String("--max-bytes")) {
            bool ok = false;
            if (!next(&v) || (o.maxBytes = v.toLongLong(&ok), !ok) || o.maxBytes <= 0)
                return usage(QStringLiteral("--max-bytes needs a positive number"));
        } else if (a.startsWith(QLatin1String("--"))) {
            return usage(QStringLiteral("unknown option %1").arg(a));
        } else {
            positional << a;
        }
    }
    const int sources = int(!o.input.isEmpty()) + int(!o.redisUrl.isEmpty()) + int(!o.dir.isEmpty()) + int(!o.config.isEmpty());
    if (sources != 1)
        return usage(QStringLiteral("give exactly one of --input, --redis, --dir, --config"));
    if (o.config.isEmpty() != o.cache.isEmpty())
        return usage(QStringLiteral("--config FILE and --cache PURPOSE go together"));
    std::optional<RedisUrl> configRedis;
    if (!o.config.isEmpty()) {
        // The cache's own location: its Redis server and prefix, or its directory.
        if (!purposeFromConfigName(o.cache.trimmed()))
            return usage(ConfigCommandLine::cacheSpec(ConfigReport{}, o.cache).error());
        const auto options = environment.loaderOptions(ConfigCommandLine::systemEnvironment());
        if (!options)
            return usage(options.error());
        const auto report = ConfigCommandLine::loadForCommand(o.config, *options);
        const auto spec = report ? ConfigCommandLine::cacheSpec(*report, o.cache) : Expected<CacheSpec>(Error{report.error()});
        if (!spec) {
            std::fprintf(stderr, "cachescope decode: %s\n", qPrintable(spec.error()));
            return 1;
        }
        if (spec->backend == BackendType::FileSystem && !spec->directory.isEmpty()) {
            o.dir = spec->directory;
        } else if (spec->isRedisBacked()) {
            auto url = ConfigCommandLine::redisUrl(*spec);
            if (!url) {
                std::fprintf(stderr, "cachescope decode: %s\n", qPrintable(url.error()));
                return 1;
            }
            configRedis = *url;
            o.prefix = QString::fromUtf8(spec->keyPrefix);
        } else {
            std::fprintf(stderr, "cachescope decode: %s is a %s: its entries live only inside the Superset process\n",
                         qPrintable(purposeConfigName(spec->purpose)), qPrintable(backendTypeName(spec->backend)));
            return 1;
        }
    }
    if (!o.input.isEmpty() && !positional.isEmpty())
        return usage(QStringLiteral("unexpected argument %1").arg(positional.first()));
    if (o.input.isEmpty() && positional.size() != 1)
        return usage(QStringLiteral("give one KEY"));

    DecodeHints hints;
    for (int i = 0; i < o.as.size(); ++i) {
        if (o.as[i].isEmpty())
            continue;
        DecodeLayer::Kind kind;
        if (!DecodeLayer::kindFromName(o.as[i].trimmed(), &kind))
            return usage(QStringLiteral("unknown kind %1").arg(o.as[i]));
        hints.forced.insert(i, kind);
    }

    QByteArray data;
    if (!o.input.isEmpty()) {
        QFile f(o.input);
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cachescope decode: cannot read %s: %s\n", qPrintable(o.input), qPrintable(f.errorString()));
            return 1;
        }
        data = f.readAll();
    } else if (!o.dir.isEmpty()) {
        hints.backend = DecodeHints::Backend::FileSystem;
        const QByteArray key = positional.first().toUtf8();
        QString found;
        for (auto method : {QCryptographicHash::Md5, QCryptographicHash::Sha256}) {
            const QString path = QDir(o.dir).filePath(QString::fromLatin1(QCryptographicHash::hash(key, method).toHex()));
            if (QFile::exists(path)) {
                found = path;
                break;
            }
        }
        if (found.isEmpty()) {
            std::fprintf(stderr, "cachescope decode: no file for key %s in %s (tried md5 and sha256 names)\n",
                         qPrintable(positional.first()), qPrintable(o.dir));
            return 1;
        }
        QFile f(found);
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cachescope decode: cannot read %s: %s\n", qPrintable(found), qPrintable(f.errorString()));
            return 1;
        }
        data = f.readAll();
    } else {
#ifdef CACHESCOPE_HAVE_REDISCACHE
        hints.backend = DecodeHints::Backend::Redis;
        auto url = configRedis ? Expected<RedisUrl>(*configRedis) : RedisUrl::parse(o.redisUrl);
        if (!url) {
            std::fprintf(stderr, "cachescope decode: %s\n", qPrintable(url.error()));
            return 2;
        }
        RedisCache cache(url.value(), o.prefix.toUtf8());
        auto raw = cache.rawGet(positional.first().toUtf8());
        if (!raw) {
            std::fprintf(stderr, "cachescope decode: %s\n", qPrintable(raw.error()));
            return 1;
        }
        if (!raw->has_value()) {
            std::fprintf(stderr, "cachescope decode: key %s not found\n", qPrintable(positional.first()));
            return 1;
        }
        data = **raw;
#else
        std::fprintf(stderr, "cachescope decode: --redis is not available in this build\n");
        return 2;
#endif
    }

    DecodeLimits limits;
    limits.maxDecompressedBytes = o.maxBytes;
    const DecodeResult result = DecoderChain(limits).decode(data, hints);
    const QByteArray json = DecodeJson::result(result, o.rows);
    if (o.json) {
        std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
        std::fputc('\n', stdout);
    } else {
        for (size_t i = 0; i < result.layers.size(); ++i) {
            const DecodeLayer &l = result.layers[i];
            const QByteArray notes = QJsonDocument(QJsonObject::fromVariantMap(l.notes)).toJson(QJsonDocument::Compact);
            std::printf("layer %zu: %-24s offset %lld size %lld %s\n", i, qPrintable(DecodeLayer::kindName(l.kind)),
                        static_cast<long long>(l.offset), static_cast<long long>(l.size), notes.constData());
        }
        if (!result.shape.isEmpty())
            std::printf("shape: %s\n", qPrintable(result.shape));
        if (result.ok()) {
            // The value part of the JSON document, pretty-printed.
            const QJsonDocument doc = QJsonDocument::fromJson(json);
            const QJsonValue value = doc.object().value(QLatin1String("value"));
            const QByteArray text = value.isObject() ? QJsonDocument(value.toObject()).toJson()
                                  : value.isArray()  ? QJsonDocument(value.toArray()).toJson()
                                                     : json;
            std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        }
    }
    if (!result.ok()) {
        std::fprintf(stderr, "cachescope decode: %s\n", qPrintable(result.error));
        return 1;
    }
    return 0;
}

} // namespace cachescope
