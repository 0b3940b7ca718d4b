#include "keyscommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "commandtarget.h"

#include "browse/filesystemkeysource.h"
#include "browse/keykind.h"
#include "browse/metastorekeysource.h"
#include "browse/rediskeysource.h"
#include "codec/utf8.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <memory>

namespace cachescope {

namespace {

QByteArray jsonLine(const QByteArray &key, const KeyMetadata *meta, const QByteArray &prefix, const QByteArray &known,
                   bool hashedNames)
{
    QJsonObject o;
    const QString text = utf8::toString(key);
    o.insert(QStringLiteral("key"), text);
    if (text.toUtf8() != key) // binary key: keep it exact
        o.insert(QStringLiteral("key_base64"), QString::fromLatin1(key.toBase64()));
    if (!known.isEmpty())
        o.insert(QStringLiteral("app_key"), utf8::toString(known));
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

} // namespace

int runKeysCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("keys"),
                   QStringLiteral("Streams the keys of one cache as stored (Redis: with the prefix; a directory: the\n"
                                  "file names; a metastore cache: the key_value rows' uuids), one per line, or one JSON\n"
                                  "object per line; `cachescope decode` takes them as they are printed."));
    cl.setSynopsis(QStringLiteral("(--redis URL [--prefix P] | --dir DIR | --config FILE --cache PURPOSE)\n"
                                  "[--match GLOB] [--limit N] [--meta] [--json]"));
    cl.addOption(QStringLiteral("match"), QStringLiteral("GLOB"),
                 QStringLiteral("Glob (SCAN MATCH); one that does not start with the prefix gets it."));
    cl.addInteger(QStringLiteral("limit"), QStringLiteral("N"), QStringLiteral("Stop after N keys."), 0);
    cl.addFlag(QStringLiteral("meta"), QStringLiteral("Also type, TTL (ttl_ms, -1 never) and size (implies --json)."));
    cl.addJsonOption(QStringLiteral("One JSON object per line."));
    cl.addCacheTargetOptions();
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    const auto target = cacheTarget(cl, &status);
    if (!target)
        return status;
    std::unique_ptr<KeySource> source;
    if (target->kind == CacheTarget::Kind::Redis) {
        source = std::make_unique<RedisKeySource>(target->redis, target->prefix);
    } else if (target->kind == CacheTarget::Kind::Metastore) {
        auto metastore = MetastoreKeySource::fromSpec(*target->spec); // rows by uuid, read-only
        if (!metastore)
            return cl.fail(metastore.error());
        source = std::move(*metastore);
    } else {
        source = std::make_unique<FileSystemKeySource>(target->directory);
    }
    const qint64 maxKeys = cl.integer(QStringLiteral("limit"), -1);
    const QByteArray keyPrefix = source->keyPrefix();
    QByteArray pattern = cl.value(QStringLiteral("match")).toUtf8();
    if (pattern.isEmpty())
        pattern = keyPrefix.isEmpty() ? QByteArray("*") : KeySource::globEscape(keyPrefix) + '*';
    else if (!pattern.startsWith(keyPrefix))
        pattern = KeySource::globEscape(keyPrefix) + pattern;
    const bool withMeta = cl.isSet(QStringLiteral("meta"));
    const bool asJson = cl.isSet(QStringLiteral("json")) || withMeta;

    // One SCAN page at a time; with --meta each page's metadata is one pipelined request.
    QEventLoop loop;
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
                cli::writeOut(jsonLine(keys[i], metas ? &(*metas)[i] : nullptr, keyPrefix, known, source->storesHashedNames()));
            else
                cli::writeOut(keys[i] + '\n');
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
        cli::flushOut();
        next();
    });
    QObject::connect(source.get(), &KeySource::metadataReady, &loop, [&](quint64 id, const QList<KeyMetadata> &metas) {
        if (id != metaId)
            return;
        QList<QByteArray> keys;
        for (const KeyMetadata &m : metas)
            keys << m.key;
        emitKeys(keys, &metas);
        cli::flushOut(); // a page at a time, so `keys | decode` starts before the SCAN ends
        next();
    });
    auto fail = [&](quint64, const QString &message) {
        status = cl.fail(message);
        loop.quit();
    };
    QObject::connect(source.get(), &KeySource::scanFailed, &loop, fail);
    QObject::connect(source.get(), &KeySource::metadataFailed, &loop, fail);
    next();
    loop.exec();
    return status;
}

} // namespace cachescope
